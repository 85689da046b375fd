//! The committed generated code is exactly what the generator makes from the pinned
//! botocore models. Skipped, loudly, when those models are not installed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PINNED: &str = "1.43.11";

/// botocore's `data` directory: `$GATEHOUSE_BOTOCORE_DATA`, else the installed botocore's.
fn models_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GATEHOUSE_BOTOCORE_DATA") {
        let dir = PathBuf::from(dir);
        return dir.is_dir().then_some(dir);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import botocore,os;print(os.path.dirname(botocore.__file__)+'/data')",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    dir.is_dir().then_some(dir)
}

/// Writes straight to stderr, past the test harness's capture, so a skip is always seen.
fn loud(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{message}");
}

fn version(models: &Path) -> Option<String> {
    let init = std::fs::read_to_string(models.parent()?.join("__init__.py")).ok()?;
    let line = init.lines().find(|l| l.starts_with("__version__"))?;
    Some(line.split(['\'', '"']).nth(1)?.to_owned())
}

fn files(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn generated_code_is_up_to_date() {
    let Some(models) = models_dir() else {
        loud(&format!(
            "\n!!! SKIPPED: botocore models not found (pip install botocore=={PINNED}, or set GATEHOUSE_BOTOCORE_DATA); the generated code was not checked\n"
        ));
        return;
    };
    match version(&models) {
        Some(v) if v == PINNED => {}
        other => {
            loud(&format!(
                "\n!!! SKIPPED: botocore models at {} are version {other:?}, not the pinned {PINNED}; the generated code was not checked\n",
                models.display()
            ));
            return;
        }
    }
    let rustfmt = Command::new("rustfmt").arg("--version").output();
    if !rustfmt.is_ok_and(|o| o.status.success()) {
        loud("\n!!! SKIPPED: rustfmt not found; the generated code was not checked\n");
        return;
    }
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wire/src/generated");
    let fresh = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_codegen"))
        .arg("--models")
        .arg(&models)
        .arg("--out")
        .arg(fresh.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the generator failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = files(fresh.path());
    let have = files(&committed);
    let mut stale = Vec::new();
    for (path, text) in &want {
        if have.get(path) != Some(text) {
            stale.push(path.display().to_string());
        }
    }
    for path in have.keys() {
        if !want.contains_key(path) {
            stale.push(format!("{} (not generated any more)", path.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "the generated code is out of date: {stale:?}\nrun: cargo run -p codegen -- --models {} --out crates/wire/src/generated",
        models.display()
    );
}
