//! The compact form of a batch of audit events: one `audit_segments` row holds
//! thousands of them.
//!
//! Events of one batch repeat themselves: the same callers, keys, clients, addresses,
//! actions and answers. A segment stores every distinct text once, in a table at its
//! head, and each event as indexes into that table; request ids that are UUIDs take
//! their 16 bytes, times are deltas from the event before. An event is some 35 bytes
//! instead of a row of 17 columns with its index entries, which is what lets every
//! read call be audited at tens of thousands of requests a second.
//!
//! The layout is postcard's (varints, length-prefixed texts) behind a format byte, so a
//! later format can be read beside this one. Decoding checks every index: a damaged
//! segment is an error, never a panic.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{AuditRecord, StoreError};

/// The first byte of every segment this module writes.
const FORMAT: u8 = 1;

#[derive(Serialize, Deserialize)]
struct Segment<'a> {
    #[serde(borrow)]
    texts: Vec<&'a str>,
    events: Vec<Packed>,
}

#[derive(Serialize, Deserialize)]
enum PackedId {
    /// A UUID in its lowercase hyphenated form.
    Uuid([u8; 16]),
    /// Any other id: an index into the texts.
    Text(u32),
}

/// One event. Text fields are `0` for none, else one more than their index in the texts.
#[derive(Serialize, Deserialize)]
struct Packed {
    id: PackedId,
    /// Milliseconds after the previous event (the first: after the epoch); may be negative.
    time_delta: i64,
    account_id: u32,
    principal_arn: u32,
    access_key_id: u32,
    service: u32,
    operation: u32,
    action: u32,
    resource: u32,
    source_ip: u32,
    user_agent: u32,
    region: u32,
    decision: u32,
    decided_by: u32,
    error_code: u32,
    read_only: bool,
    status: i64,
}

/// The text fields of an event; the builder remembers the last value of each.
#[derive(Clone, Copy)]
enum Slot {
    Id,
    Account,
    Principal,
    Key,
    Service,
    Operation,
    Action,
    Resource,
    SourceIp,
    UserAgent,
    Region,
    Decision,
    DecidedBy,
    ErrorCode,
}

const SLOTS: usize = Slot::ErrorCode as usize + 1;

/// An audit event as borrowed texts: what the request path has at hand, without
/// building an [`AuditRecord`] of owned ones.
#[derive(Debug, Clone, Copy)]
pub struct EventView<'a> {
    pub event_id: &'a str,
    pub event_time: i64,
    pub account_id: Option<&'a str>,
    pub principal_arn: Option<&'a str>,
    pub access_key_id: Option<&'a str>,
    pub service: &'a str,
    pub operation: &'a str,
    pub action: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub source_ip: &'a str,
    pub user_agent: Option<&'a str>,
    pub region: Option<&'a str>,
    pub read_only: bool,
    pub decision: Option<&'a str>,
    pub decided_by: Option<&'a str>,
    pub status: i64,
    pub error_code: Option<&'a str>,
}

impl AuditRecord {
    /// The event `view` shows, its texts copied.
    pub fn from_view(view: &EventView<'_>) -> Self {
        let owned = |text: &str| text.to_owned();
        Self {
            event_id: owned(view.event_id),
            event_time: view.event_time,
            account_id: view.account_id.map(owned),
            principal_arn: view.principal_arn.map(owned),
            access_key_id: view.access_key_id.map(owned),
            service: owned(view.service),
            operation: owned(view.operation),
            action: view.action.map(owned),
            resource: view.resource.map(owned),
            source_ip: owned(view.source_ip),
            user_agent: view.user_agent.map(owned),
            region: view.region.map(owned),
            read_only: view.read_only,
            decision: view.decision.map(owned),
            decided_by: view.decided_by.map(owned),
            status: view.status,
            error_code: view.error_code.map(owned),
        }
    }

    /// This event as borrowed texts.
    #[cfg(test)]
    pub fn view(&self) -> EventView<'_> {
        EventView {
            event_id: &self.event_id,
            event_time: self.event_time,
            account_id: self.account_id.as_deref(),
            principal_arn: self.principal_arn.as_deref(),
            access_key_id: self.access_key_id.as_deref(),
            service: &self.service,
            operation: &self.operation,
            action: self.action.as_deref(),
            resource: self.resource.as_deref(),
            source_ip: &self.source_ip,
            user_agent: self.user_agent.as_deref(),
            region: self.region.as_deref(),
            read_only: self.read_only,
            decision: self.decision.as_deref(),
            decided_by: self.decided_by.as_deref(),
            status: self.status,
            error_code: self.error_code.as_deref(),
        }
    }
}

/// The latest use of one operation by one principal in one region (no region: empty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AccessUse {
    pub account_id: String,
    pub principal_arn: String,
    pub service: String,
    pub operation: String,
    pub region: String,
    pub at: i64,
}

/// A finished segment, ready to be stored, with the uses its builder noted.
#[derive(Debug, Clone)]
pub struct SealedSegment {
    /// The first event's id and the number of events: the same batch retried has the
    /// same key.
    pub segment_id: String,
    pub first_time: i64,
    pub last_time: i64,
    pub event_count: usize,
    /// The encoded events; empty when the builder noted uses only.
    pub bytes: Vec<u8>,
    pub uses: Vec<AccessUse>,
}

/// Encodes events one at a time as they come (each distinct text interned once, an
/// event appended as its few bytes), and folds them into the latest use per
/// principal, operation and region.
#[derive(Default)]
pub struct SegmentBuilder {
    texts: Vec<Box<str>>,
    index: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
    /// Each field's index in the event before: consecutive events mostly repeat their
    /// texts, and comparing is cheaper than hashing.
    last: [u32; SLOTS],
    events: Vec<u8>,
    count: usize,
    previous: i64,
    first_time: i64,
    last_time: i64,
    first_id: String,
    /// Latest use by (account, principal, service, operation, region) text indexes.
    uses: HashMap<[u32; 5], i64, foldhash::fast::RandomState>,
}

impl SegmentBuilder {
    /// Events added so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing was added: no event and no use.
    pub fn is_empty(&self) -> bool {
        self.count == 0 && self.uses.is_empty()
    }

    fn put(&mut self, slot: Slot, text: &str) -> u32 {
        let last = self.last.get(slot as usize).copied().unwrap_or(0);
        if last != 0 && self.text(last) == Some(text) {
            return last;
        }
        let at = match self.index.get(text) {
            Some(&at) => at,
            None => {
                self.texts.push(text.into());
                // Segments hold a few thousand events of 14 texts each.
                let at = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
                self.index.insert(text.into(), at);
                at
            }
        };
        if let Some(last) = self.last.get_mut(slot as usize) {
            *last = at;
        }
        at
    }

    fn put_some(&mut self, slot: Slot, text: Option<&str>) -> u32 {
        text.map_or(0, |text| self.put(slot, text))
    }

    fn text(&self, at: u32) -> Option<&str> {
        let at = usize::try_from(at).ok()?.checked_sub(1)?;
        self.texts.get(at).map(|text| &**text)
    }

    /// Notes the use `event` records, without adding the event (it is stored already).
    pub fn note_use(&mut self, event: &EventView<'_>) {
        let (Some(account), Some(principal)) = (event.account_id, event.principal_arn) else {
            return;
        };
        let key = [
            self.put(Slot::Account, account),
            self.put(Slot::Principal, principal),
            self.put(Slot::Service, event.service),
            self.put(Slot::Operation, event.operation),
            self.put_some(Slot::Region, event.region),
        ];
        let at = self.uses.entry(key).or_insert(event.event_time);
        *at = (*at).max(event.event_time);
    }

    /// Adds `event` and notes its use.
    pub fn push(&mut self, event: &EventView<'_>) -> Result<(), StoreError> {
        let id = match uuid_bytes(event.event_id) {
            Some(bytes) => PackedId::Uuid(bytes),
            None => PackedId::Text(self.put(Slot::Id, event.event_id)),
        };
        let packed = Packed {
            id,
            time_delta: event.event_time.wrapping_sub(self.previous),
            account_id: self.put_some(Slot::Account, event.account_id),
            principal_arn: self.put_some(Slot::Principal, event.principal_arn),
            access_key_id: self.put_some(Slot::Key, event.access_key_id),
            service: self.put(Slot::Service, event.service),
            operation: self.put(Slot::Operation, event.operation),
            action: self.put_some(Slot::Action, event.action),
            resource: self.put_some(Slot::Resource, event.resource),
            source_ip: self.put(Slot::SourceIp, event.source_ip),
            user_agent: self.put_some(Slot::UserAgent, event.user_agent),
            region: self.put_some(Slot::Region, event.region),
            decision: self.put_some(Slot::Decision, event.decision),
            decided_by: self.put_some(Slot::DecidedBy, event.decided_by),
            error_code: self.put_some(Slot::ErrorCode, event.error_code),
            read_only: event.read_only,
            status: event.status,
        };
        self.events =
            postcard::to_extend(&packed, std::mem::take(&mut self.events)).map_err(damaged)?;
        if self.count == 0 {
            self.first_id = event.event_id.to_owned();
            self.first_time = event.event_time;
            self.last_time = event.event_time;
        }
        self.first_time = self.first_time.min(event.event_time);
        self.last_time = self.last_time.max(event.event_time);
        self.count += 1;
        self.previous = event.event_time;
        self.note_use(event);
        Ok(())
    }

    /// The segment: the texts, then the events (postcard's encoding of [`Segment`]).
    pub fn seal(self) -> Result<SealedSegment, StoreError> {
        let mut bytes = Vec::new();
        if self.count > 0 {
            let texts: Vec<&str> = self.texts.iter().map(|text| &**text).collect();
            bytes = postcard::to_extend(&texts, vec![FORMAT]).map_err(damaged)?;
            bytes = postcard::to_extend(&self.count, bytes).map_err(damaged)?;
            bytes.extend_from_slice(&self.events);
        }
        let text = |at: u32| self.text(at).unwrap_or_default().to_owned();
        let uses = self
            .uses
            .iter()
            .map(|(key, &at)| AccessUse {
                account_id: text(key[0]),
                principal_arn: text(key[1]),
                service: text(key[2]),
                operation: text(key[3]),
                region: text(key[4]),
                at,
            })
            .collect();
        Ok(SealedSegment {
            segment_id: format!("{}+{}", self.first_id, self.count),
            first_time: self.first_time,
            last_time: self.last_time,
            event_count: self.count,
            bytes,
            uses,
        })
    }
}

/// The bytes of a UUID, when `id` is one in exactly the form it would be written back.
fn uuid_bytes(id: &str) -> Option<[u8; 16]> {
    let parsed = uuid::Uuid::try_parse(id).ok()?;
    let mut buffer = uuid::Uuid::encode_buffer();
    (parsed.hyphenated().encode_lower(&mut buffer) == id).then(|| parsed.into_bytes())
}

/// `events` as one sealed segment, in their order.
#[cfg(test)]
pub fn seal(events: &[AuditRecord]) -> Result<SealedSegment, StoreError> {
    let mut builder = SegmentBuilder::default();
    for event in events {
        builder.push(&event.view())?;
    }
    builder.seal()
}

/// The events of a segment, in the order they were encoded.
pub fn decode(bytes: &[u8]) -> Result<Vec<AuditRecord>, StoreError> {
    let Some((&format, body)) = bytes.split_first() else {
        return Err(StoreError::Corrupt("empty audit segment".to_owned()));
    };
    if format != FORMAT {
        return Err(StoreError::Corrupt(format!(
            "audit segment of unknown format {format}"
        )));
    }
    let segment: Segment<'_> = postcard::from_bytes(body).map_err(damaged)?;
    let optional = |at: u32| -> Result<Option<String>, StoreError> {
        match at {
            0 => Ok(None),
            at => usize::try_from(at - 1)
                .ok()
                .and_then(|at| segment.texts.get(at))
                .map(|text| Some((*text).to_owned()))
                .ok_or_else(|| StoreError::Corrupt(format!("audit segment: no text {at}"))),
        }
    };
    let required = |at: u32| -> Result<String, StoreError> {
        optional(at)?.ok_or_else(|| StoreError::Corrupt("audit segment: a text is missing".into()))
    };
    let mut time = 0i64;
    let mut events = Vec::with_capacity(segment.events.len());
    for packed in &segment.events {
        time = time.wrapping_add(packed.time_delta);
        let event_id = match &packed.id {
            PackedId::Uuid(bytes) => uuid::Uuid::from_bytes(*bytes).hyphenated().to_string(),
            PackedId::Text(at) => required(*at)?,
        };
        events.push(AuditRecord {
            event_id,
            event_time: time,
            account_id: optional(packed.account_id)?,
            principal_arn: optional(packed.principal_arn)?,
            access_key_id: optional(packed.access_key_id)?,
            service: required(packed.service)?,
            operation: required(packed.operation)?,
            action: optional(packed.action)?,
            resource: optional(packed.resource)?,
            source_ip: required(packed.source_ip)?,
            user_agent: optional(packed.user_agent)?,
            region: optional(packed.region)?,
            read_only: packed.read_only,
            decision: optional(packed.decision)?,
            decided_by: optional(packed.decided_by)?,
            status: packed.status,
            error_code: optional(packed.error_code)?,
        });
    }
    Ok(events)
}

fn damaged(error: postcard::Error) -> StoreError {
    StoreError::Corrupt(format!("audit segment: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, at: i64) -> AuditRecord {
        AuditRecord {
            event_id: id.to_owned(),
            event_time: at,
            account_id: Some("111111111111".to_owned()),
            principal_arn: Some("arn:aws:iam::111111111111:user/a".to_owned()),
            access_key_id: Some("AKIAEXAMPLE".to_owned()),
            service: "sts".into(),
            operation: "GetCallerIdentity".into(),
            action: None,
            resource: None,
            source_ip: "127.0.0.1".to_owned(),
            user_agent: Some("aws-cli/2".to_owned()),
            region: Some("us-east-1".to_owned()),
            read_only: true,
            decision: Some("Allow".into()),
            decided_by: Some("always-allowed".into()),
            status: 200,
            error_code: None,
        }
    }

    #[test]
    fn events_come_back_exactly() {
        let mut events: Vec<AuditRecord> = (0..500)
            .map(|n| {
                let at: i64 = 1_700_000_000_000 + n / 3;
                let random: [u8; 10] = rand::random();
                let id = uuid::Builder::from_unix_timestamp_millis(at.unsigned_abs(), &random)
                    .into_uuid()
                    .to_string();
                event(&id, at)
            })
            .collect();
        // Ids that only look like UUIDs keep their spelling; times may go backwards.
        events.push(event("0190A0B0-C0D0-7E0F-8000-000000000000", 5));
        events.push(event("{0190a0b0-c0d0-7e0f-8000-000000000000}", i64::MIN));
        events.push(event("plain-id", i64::MAX));
        let mut bare = event("", -1);
        bare.account_id = None;
        bare.principal_arn = None;
        bare.access_key_id = None;
        bare.user_agent = Some("tab\t quote\" ünïcødé 🚀".to_owned());
        bare.decision = None;
        bare.decided_by = None;
        bare.region = None;
        bare.status = 400;
        bare.error_code = Some("InvalidClientTokenId".to_owned());
        events.push(bare);
        let bytes = seal(&events).unwrap().bytes;
        assert_eq!(decode(&bytes).unwrap(), events);
        // Repeated texts are stored once: far below a row's worth per event.
        assert!(bytes.len() < 50 * events.len(), "{} bytes", bytes.len());
        assert!(seal(&[]).unwrap().bytes.is_empty());
    }

    #[test]
    fn uses_keep_the_latest_time_per_principal_operation_and_region() {
        let mut builder = SegmentBuilder::default();
        let mut in_eu = event("c", 30);
        in_eu.region = Some("eu-west-1".to_owned());
        let mut anonymous = event("d", 99);
        anonymous.principal_arn = None;
        for event in [event("a", 20), event("b", 10), in_eu, anonymous] {
            builder.push(&event.view()).unwrap();
        }
        // A stored event counts as a use without being added.
        let mut stored = event("e", 40);
        stored.operation = "CreateUser".to_owned();
        builder.note_use(&stored.view());
        assert_eq!(builder.len(), 4);
        let sealed = builder.seal().unwrap();
        assert_eq!((sealed.first_time, sealed.last_time), (10, 99));
        assert_eq!(sealed.segment_id, "a+4");
        assert_eq!(decode(&sealed.bytes).unwrap().len(), 4);
        let mut uses: Vec<(String, String, i64)> = sealed
            .uses
            .into_iter()
            .map(|u| (u.operation, u.region, u.at))
            .collect();
        uses.sort();
        assert_eq!(
            uses,
            [
                ("CreateUser".to_owned(), "us-east-1".to_owned(), 40),
                ("GetCallerIdentity".to_owned(), "eu-west-1".to_owned(), 30),
                ("GetCallerIdentity".to_owned(), "us-east-1".to_owned(), 20),
            ]
        );
    }

    #[test]
    fn damaged_segments_are_errors() {
        let bytes = seal(&[event("a", 1), event("b", 2)]).unwrap().bytes;
        assert!(decode(&[]).is_err());
        let mut other_format = bytes.clone();
        other_format[0] = 9;
        assert!(decode(&other_format).is_err());
        for cut in 1..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // Every single-byte change either decodes to something or is an error.
        for at in 1..bytes.len() {
            for value in [0u8, 1, 0x7f, 0x80, 0xff] {
                let mut changed = bytes.clone();
                changed[at] = value;
                let _ = decode(&changed);
            }
        }
        // An index past the texts is refused.
        let segment = Segment {
            texts: vec!["only"],
            events: vec![Packed {
                id: PackedId::Text(2),
                time_delta: 0,
                account_id: 0,
                principal_arn: 0,
                access_key_id: 0,
                service: 1,
                operation: 1,
                action: 0,
                resource: 0,
                source_ip: 1,
                user_agent: 0,
                region: 0,
                decision: 0,
                decided_by: 0,
                error_code: 0,
                read_only: false,
                status: 0,
            }],
        };
        let bytes = postcard::to_extend(&segment, vec![FORMAT]).unwrap();
        assert!(decode(&bytes).is_err());
    }
}
