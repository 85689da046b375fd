//! Walks of botocore's service models: a python script, given the model's parsed JSON,
//! prints a minimal valid input for every operation, so a test can send each one. It
//! reads the installed botocore only; when python3 or botocore is missing it says so
//! loudly and the walk is skipped.

use std::collections::BTreeMap;
use std::process::Command;

/// Python run before every walk: it loads the newest `service-2.json` botocore ships for
/// the service named by `sys.argv[2]` into `spec` (and `shapes`), with the account id
/// from `sys.argv[1]` in `account`.
const LOAD_MODEL: &str = r#"
import glob, gzip, json, os, sys
import botocore
account = sys.argv[1]
model = sorted(glob.glob(os.path.join(os.path.dirname(botocore.__file__), "data", sys.argv[2], "*", "service-2.json*")))[-1]
opener = gzip.open if model.endswith(".gz") else open
spec = json.load(opener(model, "rt"))
shapes = spec["shapes"]
"#;

/// Runs the python `walk` over botocore's model of `service` (its directory name, such
/// as `iam`; `model` names it in messages), which prints one `Operation<TAB>body` line
/// per operation, and returns the bodies by operation. Prints a loud SKIPPED notice and
/// returns `None` when python3 or botocore is missing.
pub fn model_inputs(
    service: &str,
    model: &str,
    walk: &str,
    account: &str,
) -> Option<BTreeMap<String, String>> {
    let loud = |why: &str| {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED: {why}; the {model} model walk did not run\n"
        );
    };
    let script = format!("{LOAD_MODEL}{walk}");
    let Ok(out) = Command::new("python3")
        .args(["-c", &script, account, service])
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
