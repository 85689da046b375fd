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

/// Interns texts by content, borrowing them from the events being encoded.
#[derive(Default)]
struct Texts<'a> {
    list: Vec<&'a str>,
    index: HashMap<&'a str, u32, foldhash::fast::RandomState>,
}

impl<'a> Texts<'a> {
    fn put(&mut self, text: &'a str) -> u32 {
        if let Some(&at) = self.index.get(text) {
            return at;
        }
        self.list.push(text);
        // Segments hold at most a few thousand events of 14 texts each.
        let at = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.index.insert(text, at);
        at
    }

    fn put_some(&mut self, text: Option<&'a str>) -> u32 {
        text.map_or(0, |text| self.put(text))
    }
}

/// The bytes of a UUID, when `id` is one in exactly the form it would be written back.
fn uuid_bytes(id: &str) -> Option<[u8; 16]> {
    let parsed = uuid::Uuid::try_parse(id).ok()?;
    let mut buffer = uuid::Uuid::encode_buffer();
    (parsed.hyphenated().encode_lower(&mut buffer) == id).then(|| parsed.into_bytes())
}

/// Encodes `events`, in their order.
pub fn encode(events: &[AuditRecord]) -> Result<Vec<u8>, StoreError> {
    let mut texts = Texts::default();
    let mut previous = 0i64;
    let mut packed = Vec::with_capacity(events.len());
    for event in events {
        let id = match uuid_bytes(&event.event_id) {
            Some(bytes) => PackedId::Uuid(bytes),
            None => PackedId::Text(texts.put(&event.event_id)),
        };
        packed.push(Packed {
            id,
            time_delta: event.event_time.wrapping_sub(previous),
            account_id: texts.put_some(event.account_id.as_deref()),
            principal_arn: texts.put_some(event.principal_arn.as_deref()),
            access_key_id: texts.put_some(event.access_key_id.as_deref()),
            service: texts.put(&event.service),
            operation: texts.put(&event.operation),
            action: texts.put_some(event.action.as_deref()),
            resource: texts.put_some(event.resource.as_deref()),
            source_ip: texts.put(&event.source_ip),
            user_agent: texts.put_some(event.user_agent.as_deref()),
            region: texts.put_some(event.region.as_deref()),
            decision: texts.put_some(event.decision.as_deref()),
            decided_by: texts.put_some(event.decided_by.as_deref()),
            error_code: texts.put_some(event.error_code.as_deref()),
            read_only: event.read_only,
            status: event.status,
        });
        previous = event.event_time;
    }
    let segment = Segment {
        texts: texts.list,
        events: packed,
    };
    postcard::to_extend(&segment, vec![FORMAT]).map_err(damaged)
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
            service: "sts".to_owned(),
            operation: "GetCallerIdentity".to_owned(),
            action: None,
            resource: None,
            source_ip: "127.0.0.1".to_owned(),
            user_agent: Some("aws-cli/2".to_owned()),
            region: Some("us-east-1".to_owned()),
            read_only: true,
            decision: Some("Allow".to_owned()),
            decided_by: Some("always-allowed".to_owned()),
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
        let bytes = encode(&events).unwrap();
        assert_eq!(decode(&bytes).unwrap(), events);
        // Repeated texts are stored once: far below a row's worth per event.
        assert!(bytes.len() < 50 * events.len(), "{} bytes", bytes.len());
        assert_eq!(decode(&encode(&[]).unwrap()).unwrap(), []);
    }

    #[test]
    fn damaged_segments_are_errors() {
        let bytes = encode(&[event("a", 1), event("b", 2)]).unwrap();
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
