//! The timestamp type of every generated shape and its two wire forms: ISO 8601 (awsQuery)
//! and epoch seconds (awsJson1.1). Formatting only; no clock is read here.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A point in time as the models' `timestamp` shapes hold it.
pub type Timestamp = OffsetDateTime;

/// The stand-in for a required timestamp that a request left out (the request is then
/// rejected by validation, so the value is never seen by a handler).
pub const EPOCH: Timestamp = OffsetDateTime::UNIX_EPOCH;

/// `2024-05-01T12:00:00Z`: UTC, with fractional seconds only when they are not zero
/// (milliseconds when that is exact, else as many digits as needed).
pub fn format_iso8601(t: &Timestamp) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    push_fraction(&mut out, t.nanosecond(), true);
    out.push('Z');
    out
}

/// Parses the ISO 8601 forms clients send: RFC 3339 with `Z` or an offset, or a date-time
/// without offset (taken as UTC).
pub fn parse_iso8601(s: &str) -> Option<Timestamp> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let naive = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(s, naive)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Epoch seconds as awsJson1.1 writes them: an integer, or a decimal when there are
/// fractional seconds (`1714564800.5`).
pub fn format_epoch_seconds(t: &Timestamp) -> String {
    let nanos = t.unix_timestamp_nanos();
    let magnitude = nanos.unsigned_abs();
    let secs = magnitude / 1_000_000_000;
    let frac = u32::try_from(magnitude % 1_000_000_000).unwrap_or(0);
    let mut out = if nanos < 0 {
        format!("-{secs}")
    } else {
        secs.to_string()
    };
    push_fraction(&mut out, frac, false);
    out
}

/// Epoch seconds (possibly fractional) as awsJson1.1 clients send them; `None` when out of
/// range or not finite.
pub fn from_epoch_seconds(secs: f64) -> Option<Timestamp> {
    if !secs.is_finite() || secs.abs() > 253_402_300_799.0 {
        return None;
    }
    // Round to milliseconds: clients send millisecond precision and f64 cannot carry more
    // for present-day values.
    let millis = (secs * 1000.0).round();
    let millis = millis as i128;
    OffsetDateTime::from_unix_timestamp_nanos(millis.checked_mul(1_000_000)?).ok()
}

/// Appends `.fff`; `millis` keeps three digits when the value is whole milliseconds.
fn push_fraction(out: &mut String, nanos: u32, millis: bool) {
    if nanos == 0 {
        return;
    }
    let digits = format!("{nanos:09}");
    let trimmed = if millis && nanos.is_multiple_of(1_000_000) {
        digits.get(..3).unwrap_or(&digits)
    } else {
        digits.trim_end_matches('0')
    };
    out.push('.');
    out.push_str(trimmed);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_iso(input: &str, expected: &str) {
        let t = parse_iso8601(input).unwrap();
        assert_eq!(format_iso8601(&t), expected);
    }

    #[test]
    fn iso8601_round_trips() {
        check_iso("2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z");
        check_iso("2024-05-01T12:00:00.500Z", "2024-05-01T12:00:00.500Z");
        check_iso("2024-05-01T12:00:00.000Z", "2024-05-01T12:00:00Z");
        check_iso("2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00Z");
        check_iso("2024-05-01T12:00:00", "2024-05-01T12:00:00Z");
        check_iso("2024-05-01T12:00:00.123456Z", "2024-05-01T12:00:00.123456Z");
        assert_eq!(parse_iso8601("yesterday"), None);
    }

    fn check_epoch(secs: f64, expected: &str) {
        let t = from_epoch_seconds(secs).unwrap();
        assert_eq!(format_epoch_seconds(&t), expected);
    }

    #[test]
    fn epoch_seconds_round_trip() {
        check_epoch(1_714_564_800.0, "1714564800");
        check_epoch(1_714_564_800.5, "1714564800.5");
        check_epoch(-1.5, "-1.5");
        assert_eq!(from_epoch_seconds(f64::NAN), None);
        assert_eq!(from_epoch_seconds(1e300), None);
    }
}
