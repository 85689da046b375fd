//! Typed readings of condition values: numbers, dates, IP ranges, booleans and binary.
//!
//! Context values and policy values are both kept as text; these functions read them when
//! an operator needs a type. They never allocate except for base64 decoding.

use std::net::IpAddr;

use base64::Engine;

/// Reads a number as IAM's Numeric operators do (integers or decimals).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let n: f64 = s.trim().parse().ok()?;
    n.is_finite().then_some(n)
}

/// Reads a boolean; IAM accepts `true`/`false` in any case.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Decodes base64 (standard alphabet, padding optional).
pub(crate) fn parse_binary(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(s.trim()))
        .ok()
}

/// An IP address range written as CIDR (or a single address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Reads `203.0.113.0/24`, `2001:DB8::/32` or a bare address.
    pub(crate) fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    /// Whether `ip` is inside this range.
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            (IpAddr::V4(_), IpAddr::V6(ip)) => ip
                .to_ipv4_mapped()
                .is_some_and(|v4| self.contains(IpAddr::V4(v4))),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

/// Reads an IP address (a request's `aws:SourceIp`), with or without a `/n` suffix.
pub(crate) fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s.split_once('/').map_or(s, |(a, _)| a);
    s.parse().ok()
}

/// Reads a date as IAM's Date operators do: epoch seconds, or ISO 8601
/// (`2020-01-01`, `2020-01-01T12:00Z`, `2020-01-01T12:00:00.5+01:00`, ...). Returns
/// nanoseconds since the Unix epoch.
pub(crate) fn parse_date(s: &str) -> Option<i128> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i128 = s.parse().ok()?;
        return secs.checked_mul(1_000_000_000);
    }
    let mut cur = Cursor {
        b: s.as_bytes(),
        pos: 0,
    };
    let year = cur.digits(4, 4)?;
    let (mut month, mut day) = (1, 1);
    if cur.eat(b'-') {
        month = cur.digits(2, 2)?;
        if cur.eat(b'-') {
            day = cur.digits(2, 2)?;
        }
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0i128);
    let mut offset_secs = 0i128;
    if cur.eat(b'T') || cur.eat(b't') {
        hour = cur.digits(2, 2)?;
        if cur.eat(b':') {
            minute = cur.digits(2, 2)?;
            if cur.eat(b':') {
                second = cur.digits(2, 2)?;
                if cur.eat(b'.') {
                    let start = cur.pos;
                    let frac = cur.digits(1, 9)?;
                    let len = cur.pos - start;
                    nanos = frac * 10i128.pow(u32::try_from(9 - len).ok()?);
                }
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        if cur.eat(b'Z') || cur.eat(b'z') {
        } else if let Some(sign) = cur.sign() {
            let oh = cur.digits(2, 2)?;
            cur.eat(b':');
            let om = if cur.pos < cur.b.len() {
                cur.digits(2, 2)?
            } else {
                0
            };
            if oh > 23 || om > 59 {
                return None;
            }
            offset_secs = sign * (oh * 3600 + om * 60);
        }
    }
    if cur.pos != cur.b.len() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(secs * 1_000_000_000 + nanos)
}

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn sign(&mut self) -> Option<i128> {
        if self.eat(b'+') {
            Some(1)
        } else if self.eat(b'-') {
            Some(-1)
        } else {
            None
        }
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<i128> {
        let mut n: i128 = 0;
        let start = self.pos;
        while let Some(&c) = self.b.get(self.pos) {
            if !c.is_ascii_digit() || self.pos - start == max {
                break;
            }
            n = n * 10 + i128::from(c - b'0');
            self.pos += 1;
        }
        (self.pos - start >= min).then_some(n)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i128, m: i128, d: i128) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_date(s: &str, expected_secs: Option<i128>) {
        assert_eq!(
            parse_date(s).map(|n| n / 1_000_000_000),
            expected_secs,
            "{s}"
        );
    }

    #[test]
    fn dates() {
        check_date("1970-01-01T00:00:00Z", Some(0));
        check_date("2020-01-01", Some(1_577_836_800));
        check_date("2020-01-01T01:00:00+01:00", Some(1_577_836_800));
        check_date("2020-01-01T00:00:00.999Z", Some(1_577_836_800));
        check_date("2019-07-16T12:00Z", Some(1_563_278_400));
        check_date("1577836800", Some(1_577_836_800));
        check_date("2020-13-01", None);
        check_date("yesterday", None);
        check_date("", None);
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(c.contains("203.0.113.9".parse().unwrap()));
        assert!(!c.contains("203.0.114.9".parse().unwrap()));
        let c = Cidr::parse("2001:DB8:1234:5678::/64").unwrap();
        assert!(c.contains("2001:db8:1234:5678::1".parse().unwrap()));
        assert!(!c.contains("2001:db8:1234:5679::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert!(Cidr::parse("1.2.3.4/33").is_none());
        assert!(Cidr::parse("1.2.3.4")
            .unwrap()
            .contains("1.2.3.4".parse().unwrap()));
    }

    #[test]
    fn scalars() {
        assert_eq!(parse_number(" 10 "), Some(10.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(
            parse_binary("QmluYXJ5VmFsdWU="),
            Some(b"BinaryValue".to_vec())
        );
    }
}
