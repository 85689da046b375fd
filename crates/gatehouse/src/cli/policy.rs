//! `gatehouse policy evaluate` and `gatehouse policy validate`: the policy engine from
//! the command line. The formats are `crates/policy`'s (see its README); this module only
//! reads and writes.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;

/// The `policy` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Decide requests read as JSON lines (a file, or standard input), one decision line each.
    Evaluate {
        /// File of JSON lines; standard input when omitted.
        file: Option<PathBuf>,
    },
    /// Report every problem of a policy document as one JSON line; exit status 1 if any.
    Validate {
        /// The policy document.
        file: PathBuf,
        /// identity, resource, trust, scp, rcp, boundary or session.
        #[arg(long, value_parser = parse_kind)]
        kind: policy::PolicyKind,
    },
}

fn parse_kind(text: &str) -> Result<policy::PolicyKind, String> {
    text.parse()
        .map_err(|_| format!("unknown policy kind `{text}`: use identity, resource, trust, scp, rcp, boundary or session"))
}

/// Runs a `policy` subcommand; returns the process exit code.
pub fn run(command: PolicyCommand) -> anyhow::Result<i32> {
    match command {
        PolicyCommand::Evaluate { file } => {
            let input: Box<dyn BufRead> = match &file {
                Some(path) => Box::new(std::io::BufReader::new(
                    std::fs::File::open(path)
                        .with_context(|| format!("opening {}", path.display()))?,
                )),
                None => Box::new(std::io::stdin().lock()),
            };
            let mut out = BufWriter::new(std::io::stdout().lock());
            let mut evaluator = policy::offline::LineEvaluator::new();
            for line in input.lines() {
                let line = line.context("reading requests")?;
                if line.trim().is_empty() {
                    continue;
                }
                writeln!(out, "{}", evaluator.evaluate_line(&line))?;
            }
            out.flush()?;
            Ok(0)
        }
        PolicyCommand::Validate { file, kind } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            println!("{}", policy::offline::validate_report(&text, kind));
            Ok(if policy::offline::validate(&text, kind).is_empty() {
                0
            } else {
                1
            })
        }
    }
}
