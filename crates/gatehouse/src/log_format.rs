//! How the per-request log event is formatted: written field by field straight into the
//! line, in the human (logfmt) or the JSON form; every other event goes to
//! tracing-subscriber's own formatter.
//!
//! The request event is the one formatted tens of thousands of times a second. The
//! general formatters pass each value through `Debug` and look up timestamps and
//! styles per event; this one writes plain texts as they are, escapes only what has
//! to be, and turns the clock into text once a second per thread. The result is the
//! same shape: a timestamp, the level, the target, the message, then the fields in
//! the order the event lists them (human); one object with those keys (JSON).

use std::cell::RefCell;
use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::log_writer::REQUEST_TARGET;

/// Formats request events itself and hands every other event to `inner`.
pub struct RequestLines<F> {
    inner: F,
    json: bool,
}

impl<F> RequestLines<F> {
    /// Request events as human lines (`json` false) or JSON objects.
    pub fn new(inner: F, json: bool) -> Self {
        Self { inner, json }
    }
}

impl<S, N, F> FormatEvent<S, N> for RequestLines<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        if meta.target() != REQUEST_TARGET {
            return self.inner.format_event(ctx, writer, event);
        }
        if self.json {
            writer.write_str("{\"timestamp\":\"")?;
            write_timestamp(&mut writer)?;
            write!(writer, "\",\"level\":\"{}\"", meta.level().as_str())?;
            let mut fields = JsonFields {
                out: &mut writer,
                result: Ok(()),
            };
            event.record(&mut fields);
            fields.result?;
            writer.write_str(",\"target\":")?;
            json_string(&mut writer, meta.target())?;
            writer.write_str("}\n")
        } else {
            write_timestamp(&mut writer)?;
            write!(writer, " {:>5} {}:", meta.level().as_str(), meta.target())?;
            // The message first, then the other fields in order.
            for message in [true, false] {
                let mut fields = HumanFields {
                    out: &mut writer,
                    message,
                    result: Ok(()),
                };
                event.record(&mut fields);
                fields.result?;
            }
            writer.write_char('\n')
        }
    }
}

thread_local! {
    /// The whole second last formatted on this thread, and its text.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// `2026-11-29T22:44:23.774605Z`: RFC 3339 in UTC, microseconds.
fn write_timestamp(out: &mut Writer<'_>) -> fmt::Result {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = now.as_secs();
    SECOND.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != seconds {
            let at = i64::try_from(seconds)
                .ok()
                .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
            cached.1.clear();
            write!(
                cached.1,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                at.year(),
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second()
            )?;
            cached.0 = seconds;
        }
        out.write_str(&cached.1)
    })?;
    write!(out, ".{:06}Z", now.subsec_micros())
}

/// Writes the fields as `name=value`, each after a space; a text is quoted (and
/// escaped) only when it would otherwise be ambiguous or hold control characters.
struct HumanFields<'a, 'w> {
    out: &'a mut Writer<'w>,
    /// Whether this pass writes only the message (or only the rest).
    message: bool,
    result: fmt::Result,
}

impl HumanFields<'_, '_> {
    fn field(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        let is_message = field.name() == "message";
        if self.result.is_err() || is_message != self.message {
            return;
        }
        self.result = (|| {
            self.out.write_char(' ')?;
            if !is_message {
                self.out.write_str(field.name())?;
                self.out.write_char('=')?;
            }
            value(self.out)
        })();
    }
}

fn needs_quotes(text: &str) -> bool {
    text.is_empty()
        || text
            .bytes()
            .any(|b| b <= b' ' || b == b'"' || b == b'=' || b == b'\\' || b == 0x7f)
}

impl Visit for HumanFields<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, |out| {
            if needs_quotes(value) {
                write!(out, "{value:?}")
            } else {
                out.write_str(value)
            }
        });
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.field(field, |out| {
            write!(
                ControlEscaped {
                    out,
                    quote_too: false
                },
                "{value:?}"
            )
        });
    }
}

/// Writes the fields as `,"name":value` (the first, the message, included).
struct JsonFields<'a, 'w> {
    out: &'a mut Writer<'w>,
    result: fmt::Result,
}

impl JsonFields<'_, '_> {
    fn field(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        if self.result.is_err() {
            return;
        }
        self.result = (|| {
            self.out.write_char(',')?;
            json_string(self.out, field.name())?;
            self.out.write_char(':')?;
            value(self.out)
        })();
    }
}

impl Visit for JsonFields<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, |out| json_string(out, value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.field(field, |out| {
            out.write_char('"')?;
            write!(
                ControlEscaped {
                    out: &mut *out,
                    quote_too: true
                },
                "{value:?}"
            )?;
            out.write_char('"')
        });
    }
}

/// A JSON string of `text`.
fn json_string(out: &mut Writer<'_>, text: &str) -> fmt::Result {
    out.write_char('"')?;
    ControlEscaped {
        out: &mut *out,
        quote_too: true,
    }
    .write_str(text)?;
    out.write_char('"')
}

/// Passes text through with control characters escaped as JSON does (`\n`, `\u001b`),
/// and with `"` and `\` escaped too when `quote_too`.
struct ControlEscaped<'a, 'w> {
    out: &'a mut Writer<'w>,
    quote_too: bool,
}

impl Write for ControlEscaped<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let escaped =
            |b: u8| b < 0x20 || b == 0x7f || (self.quote_too && (b == b'"' || b == b'\\'));
        let mut plain_from = 0;
        for (at, b) in text.bytes().enumerate() {
            if !escaped(b) {
                continue;
            }
            self.out.write_str(&text[plain_from..at])?;
            match b {
                b'"' => self.out.write_str("\\\"")?,
                b'\\' => self.out.write_str("\\\\")?,
                b'\n' => self.out.write_str("\\n")?,
                b'\r' => self.out.write_str("\\r")?,
                b'\t' => self.out.write_str("\\t")?,
                other => write!(self.out, "\\u{other:04x}")?,
            }
            plain_from = at + 1;
        }
        self.out.write_str(&text[plain_from..])
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Self;

        fn make_writer(&'a self) -> Self {
            self.clone()
        }
    }

    fn request_event() {
        let account: Option<u64> = Some(123_456_789_012);
        tracing::info!(
            target: REQUEST_TARGET,
            request_id = "0190a0b0-c0d0-7e0f-8000-000000000000",
            service = "iam",
            principal = "arn:aws:iam::123456789012:user/a b",
            account = account.map(tracing::field::display),
            action = None::<&str>,
            resource = "x\n\"y\"\\\u{1b}",
            status = 403u16,
            latency_us = 42u64,
            source_ip = %std::net::IpAddr::from([127, 0, 0, 1]),
            "request"
        );
        tracing::warn!(other = "field", "not a request");
    }

    fn captured(json: bool) -> String {
        let out = Captured::default();
        let builder = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(out.clone());
        if json {
            let format = tracing_subscriber::fmt::format().json().flatten_event(true);
            let subscriber = builder
                .json()
                .flatten_event(true)
                .event_format(RequestLines::new(format, true))
                .finish();
            tracing::subscriber::with_default(subscriber, request_event);
        } else {
            let format = tracing_subscriber::fmt::format().with_ansi(false);
            let subscriber = builder
                .event_format(RequestLines::new(format, false))
                .finish();
            tracing::subscriber::with_default(subscriber, request_event);
        }
        let bytes = out.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn human_request_lines_are_logfmt() {
        let text = captured(false);
        let mut lines = text.lines();
        let line = lines.next().unwrap();
        let (stamp, rest) = line.split_once(' ').unwrap();
        assert!(
            time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
                .is_ok(),
            "{stamp}"
        );
        assert_eq!(stamp.len(), "2026-11-29T22:44:23.774605Z".len());
        assert_eq!(
            rest,
            " INFO gatehouse::request: request \
             request_id=0190a0b0-c0d0-7e0f-8000-000000000000 service=iam \
             principal=\"arn:aws:iam::123456789012:user/a b\" account=123456789012 \
             resource=\"x\\n\\\"y\\\"\\\\\\u{1b}\" status=403 latency_us=42 source_ip=127.0.0.1"
        );
        // Other events keep tracing-subscriber's format.
        let other = lines.next().unwrap();
        assert!(other.contains("WARN") && other.ends_with("not a request other=\"field\""));
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn json_request_lines_are_objects() {
        let text = captured(true);
        let mut lines = text.lines();
        let event: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert_eq!(event["level"], "INFO");
        assert_eq!(event["target"], REQUEST_TARGET);
        assert_eq!(event["message"], "request");
        assert_eq!(event["principal"], "arn:aws:iam::123456789012:user/a b");
        assert_eq!(event["account"], "123456789012");
        assert_eq!(event["resource"], "x\n\"y\"\\\u{1b}");
        assert_eq!(event["status"], 403);
        assert_eq!(event["latency_us"], 42);
        assert_eq!(event["source_ip"], "127.0.0.1");
        assert!(event.get("action").is_none());
        let stamp = event["timestamp"].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
                .is_ok()
        );
        let other: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert_eq!(other["other"], "field");
        assert_eq!(other["level"], "WARN");
    }
}
