//! Request timestamps: ISO 8601 basic format (`20150830T123600Z`, as in `X-Amz-Date`) and
//! the RFC 1123 `Date` header (`Sun, 30 Aug 2015 12:36:00 GMT`). Parsing is strict and
//! never panics; formatting is always in UTC.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Parses a non-empty run of ASCII digits.
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u32, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
        } else {
            None
        }
    })
}

fn build(year: u32, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<OffsetDateTime> {
    let year = i32::try_from(year).ok()?;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
    let time = Time::from_hms(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(s).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Parses `yyyymmddThhmmssZ`.
pub(crate) fn parse_amz_date(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let part = |from: usize, to: usize| b.get(from..to).and_then(digits);
    build(
        part(0, 4)?,
        part(4, 6)?,
        part(6, 8)?,
        part(9, 11)?,
        part(11, 13)?,
        part(13, 15)?,
    )
}

/// Parses `yyyymmddThhmmssZ` and keeps its text, which is already the canonical stamp
/// the string to sign holds.
pub(crate) fn parse_amz_stamp(text: &str) -> Option<(OffsetDateTime, [u8; 16])> {
    let at = parse_amz_date(text)?;
    let stamp = <[u8; 16]>::try_from(text.as_bytes()).ok()?;
    Some((at, stamp))
}

/// Parses an RFC 1123 date and formats its stamp (`yyyymmddThhmmssZ`).
pub(crate) fn parse_http_stamp(text: &str) -> Option<(OffsetDateTime, [u8; 16])> {
    let at = parse_http_date(text)?;
    Some((at, amz_date_bytes(at)?))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Parses an RFC 1123 date, `Sun, 30 Aug 2015 12:36:00 GMT`.
pub(crate) fn parse_http_date(text: &str) -> Option<OffsetDateTime> {
    let mut words = text.split(' ').filter(|w| !w.is_empty());
    let weekday = words.next()?.strip_suffix(',')?;
    if !WEEKDAYS.contains(&weekday) {
        return None;
    }
    let day = words.next()?;
    if day.len() > 2 {
        return None;
    }
    let day = digits(day.as_bytes())?;
    let month_name = words.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)?;
    let month = u32::try_from(month).ok()? + 1;
    let year = words.next()?;
    if year.len() != 4 {
        return None;
    }
    let year = digits(year.as_bytes())?;
    let clock = words.next()?.as_bytes();
    let (h, m, s) = match clock {
        [h1, h2, b':', m1, m2, b':', s1, s2] => (
            digits(&[*h1, *h2])?,
            digits(&[*m1, *m2])?,
            digits(&[*s1, *s2])?,
        ),
        _ => return None,
    };
    if words.next()? != "GMT" || words.next().is_some() {
        return None;
    }
    build(year, month, day, h, m, s)
}

/// `yyyymmddThhmmssZ` in UTC, without allocating; `None` for years outside `0..=9999`.
pub(crate) fn amz_date_bytes(at: OffsetDateTime) -> Option<[u8; 16]> {
    // Parsed timestamps are already UTC; converting only when needed saves the work.
    let at = if at.offset() == UtcOffset::UTC {
        at
    } else {
        at.checked_to_offset(UtcOffset::UTC)?
    };
    // One calendar computation for year, month and day together.
    let (year, month, day) = at.to_calendar_date();
    let (hour, minute, second) = at.to_hms();
    let year = u16::try_from(year).ok().filter(|y| *y <= 9999)?;
    let two = |n: u8| [b'0' + n / 10 % 10, b'0' + n % 10];
    let [y1, y2] = two(u8::try_from(year / 100).ok()?);
    let [y3, y4] = two(u8::try_from(year % 100).ok()?);
    let [mo1, mo2] = two(u8::from(month));
    let [d1, d2] = two(day);
    let [h1, h2] = two(hour);
    let [mi1, mi2] = two(minute);
    let [s1, s2] = two(second);
    Some([
        y1, y2, y3, y4, mo1, mo2, d1, d2, b'T', h1, h2, mi1, mi2, s1, s2, b'Z',
    ])
}

/// Formats `at` as `yyyymmddThhmmssZ` in UTC.
pub(crate) fn format_amz_date(at: OffsetDateTime) -> String {
    if let Some(bytes) = amz_date_bytes(at) {
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    let at = at.checked_to_offset(UtcOffset::UTC).unwrap_or(at);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn amz_date_round_trips() {
        let at = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(at, datetime!(2015-08-30 12:36:00 UTC));
        assert_eq!(format_amz_date(at), "20150830T123600Z");
        let offset = datetime!(2015-08-30 23:59:59 -1);
        assert_eq!(format_amz_date(offset), "20150831T005959Z");
        assert_eq!(
            format_amz_date(datetime!(0001-01-02 03:04:05 UTC)),
            "00010102T030405Z"
        );
    }

    #[test]
    fn amz_date_rejects_anything_else() {
        for bad in [
            "",
            "20150830T123600",
            "20150830T123600z",
            "2015-08-30T12:36:00Z",
            "20151330T123600Z",
            "20150230T123600Z",
            "20150830T243600Z",
            "20150830T123660Z",
            "2015083OT123600Z",
            "+0150830T123600Z",
            "20150830T12360\u{e9}",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_date_parses_rfc_1123() {
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
            Some(datetime!(2015-08-30 12:36:00 UTC))
        );
        assert_eq!(
            parse_http_date("Mon, 1 Aug 2016 00:00:09 GMT"),
            Some(datetime!(2016-08-01 00:00:09 UTC))
        );
        for bad in [
            "",
            "Sun 30 Aug 2015 12:36:00 GMT",
            "Sun, 30 Aug 2015 12:36:00 UTC",
            "Sun, 30 Aug 15 12:36:00 GMT",
            "Sun, 31 Feb 2015 12:36:00 GMT",
            "Sun, 30 Aug 2015 12:36 GMT",
            "Sun, 30 Aug 2015 12:36:00 GMT x",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
