//! Where log lines go: standard error, with the per-request lines written in batches.
//!
//! A request's log line is appended to a buffer in memory (one short lock, no system
//! call, no thread woken) and a background thread writes the buffer out every
//! [`INTERVAL`]; at tens of thousands of requests a second that is one write every few
//! hundred lines instead of one per line. Every other event (start-up, warnings,
//! errors) is written at once, after whatever is buffered, so lines keep their order.
//! Nothing is dropped: a buffer past [`MAX_BUFFERED`] is written by the request that
//! filled it. Dropping the [`FlushOnDrop`] guard writes what is left.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tracing::Metadata;
use tracing_subscriber::fmt::MakeWriter;

/// How often buffered request lines are written.
pub const INTERVAL: Duration = Duration::from_millis(50);

/// Buffered bytes past which the writer that adds to the buffer writes it out itself.
const MAX_BUFFERED: usize = 1 << 20;

/// The target of the per-request log events, the ones batched.
pub const REQUEST_TARGET: &str = "gatehouse::request";

struct Shared {
    buffered: Mutex<Vec<u8>>,
    /// The buffer last written out, emptied, kept to take the place of the next one:
    /// lines are appended to a buffer that already has room for them.
    spare: Mutex<Vec<u8>>,
    /// Buffered bytes past which a request line writes the buffer out itself.
    max_buffered: usize,
    /// Standard error. Locked while writing, so batches and direct lines never
    /// interleave or overtake each other.
    output: Mutex<Box<dyn Write + Send>>,
    stopped: AtomicBool,
}

impl Shared {
    /// Writes the buffered lines, then `more`.
    fn write_out(&self, more: &[u8]) -> std::io::Result<()> {
        let mut output = self.output.lock().unwrap_or_else(PoisonError::into_inner);
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::swap(
            &mut *spare,
            &mut *self.buffered.lock().unwrap_or_else(PoisonError::into_inner),
        );
        let written = if spare.is_empty() {
            Ok(())
        } else {
            output.write_all(&spare)
        };
        spare.clear();
        written?;
        if !more.is_empty() {
            output.write_all(more)?;
        }
        output.flush()
    }
}

/// The `MakeWriter` the log subscriber writes through.
#[derive(Clone)]
pub struct LogWriter {
    shared: Arc<Shared>,
}

/// Writes what is still buffered when dropped, and stops the background writer.
pub struct FlushOnDrop {
    shared: Arc<Shared>,
}

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::Release);
        let _ = self.shared.write_out(&[]);
    }
}

/// A writer and the guard that flushes it; starts the background thread.
pub fn log_writer() -> (LogWriter, FlushOnDrop) {
    let shared = Arc::new(Shared {
        buffered: Mutex::new(Vec::with_capacity(64 * 1024)),
        spare: Mutex::new(Vec::with_capacity(64 * 1024)),
        max_buffered: MAX_BUFFERED,
        output: Mutex::new(Box::new(std::io::stderr())),
        stopped: AtomicBool::new(false),
    });
    let background = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("log-writer".to_owned())
        .spawn(move || {
            while !background.stopped.load(Ordering::Acquire) {
                std::thread::sleep(INTERVAL);
                let _ = background.write_out(&[]);
            }
        });
    if spawned.is_err() {
        // Without the thread every line is written at once (see `Line::batched`).
        shared.stopped.store(true, Ordering::Release);
    }
    (
        LogWriter {
            shared: Arc::clone(&shared),
        },
        FlushOnDrop { shared },
    )
}

/// One event's writer.
pub struct Line<'a> {
    shared: &'a Shared,
    batched: bool,
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        Line {
            shared: &self.shared,
            batched: false,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        Line {
            shared: &self.shared,
            batched: meta.target() == REQUEST_TARGET
                && !self.shared.stopped.load(Ordering::Relaxed),
        }
    }
}

impl Write for Line<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.batched {
            let mut buffered = self
                .shared
                .buffered
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            buffered.extend_from_slice(buf);
            if buffered.len() < self.shared.max_buffered {
                return Ok(buf.len());
            }
            drop(buffered);
            self.shared.write_out(&[])?;
            return Ok(buf.len());
        }
        self.shared.write_out(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` into a shared buffer the test can read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn request_lines_wait_for_the_batch_and_others_do_not() {
        let out = Captured::default();
        let shared = Shared {
            buffered: Mutex::new(Vec::new()),
            spare: Mutex::new(Vec::new()),
            max_buffered: 32,
            output: Mutex::new(Box::new(out.clone())),
            stopped: AtomicBool::new(false),
        };
        let written = || String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let mut line = Line {
            shared: &shared,
            batched: true,
        };
        line.write_all(b"request 1\n").unwrap();
        assert_eq!(written(), "");
        // A direct line writes the batch out first: order is kept.
        let mut direct = Line {
            shared: &shared,
            batched: false,
        };
        direct.write_all(b"warning\n").unwrap();
        assert_eq!(written(), "request 1\nwarning\n");
        // A buffer past the limit is written by the line that filled it.
        line.write_all(b"request 2\n").unwrap();
        line.write_all(b"request 3 is a long line\n").unwrap();
        assert_eq!(
            written(),
            "request 1\nwarning\nrequest 2\nrequest 3 is a long line\n"
        );
        // The background writer's call writes what is buffered.
        line.write_all(b"request 4\n").unwrap();
        shared.write_out(&[]).unwrap();
        assert!(written().ends_with("request 4\n"));
    }
}
