//! Runs every case in `tests/corpus/*.json` through the JSON-lines entry point.
//!
//! A corpus file is a JSON array of cases: `{"name": …, "request": <request line object>,
//! "expect": {"decision": …, "policy_type"?: …, "message"?: …, "matched"?: [[policy, statement], …]}}`.

use std::fs;
use std::path::Path;

use serde_json::Value;

#[test]
fn corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut count = 0;
    let mut failures = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
    {
        let cases: Vec<Value> = serde_json::from_str(&fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in cases {
            count += 1;
            let name = case["name"].as_str().unwrap_or("?").to_owned();
            let line = serde_json::to_string(&case["request"]).unwrap();
            let out: Value = match policy::offline::evaluate_json(&line) {
                Ok(out) => serde_json::from_str(&out).unwrap(),
                Err(e) => {
                    failures.push(format!("{}: {name}: {e}", file.display()));
                    continue;
                }
            };
            let expect = &case["expect"];
            for field in ["decision", "policy_type", "message"] {
                if let Some(want) = expect.get(field) {
                    if &out[field] != want {
                        failures.push(format!(
                            "{}: {name}: {field} is {}, want {want}",
                            file.display(),
                            out[field]
                        ));
                    }
                }
            }
            if let Some(want) = expect.get("matched") {
                let got: Vec<Value> = out["matched"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| serde_json::json!([m["policy"], m["statement"]]))
                    .collect();
                if &Value::Array(got.clone()) != want {
                    failures.push(format!(
                        "{}: {name}: matched {got:?}, want {want}",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(count >= 20, "only {count} corpus cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
