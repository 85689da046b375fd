//! Walks of botocore's service models: a python script prints a minimal valid input for
//! every operation, so a test can send each one. It reads the installed botocore only;
//! when python3 or botocore is missing it says so loudly and the walk is skipped.

use std::collections::BTreeMap;
use std::process::Command;

/// Runs a python `script` that prints one `Operation<TAB>body` line per operation of
/// botocore's `model` (given the account id), and returns the bodies by operation. Prints
/// a loud SKIPPED notice and returns `None` when python3 or botocore is missing.
pub fn model_inputs(script: &str, account: &str, model: &str) -> Option<BTreeMap<String, String>> {
    let loud = |why: &str| {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED: {why}; the {model} model walk did not run\n"
        );
    };
    let Ok(out) = Command::new("python3")
        .args(["-c", script, account])
        .output()
    else {
        loud("python3 not found");
        return None;
    };
    if !out.status.success() {
        loud(&format!(
            "botocore's {model} model could not be read ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
        return None;
    }
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(op, body)| (op.to_owned(), body.to_owned()))
            .collect(),
    )
}
