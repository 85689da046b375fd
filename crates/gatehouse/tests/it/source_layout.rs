//! Rules about the server crate's source that the compiler does not enforce: imports
//! point down the layers (so no circle can form through them), and one module alone
//! calls the policy engine. Both read the files under `src/`; comments are ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The server crate's top-level modules, lowest layer first. A module may import the
/// modules of lower layers only; one of the same layer or above is a wrong-way import.
/// A new top-level module must be placed here.
const LAYERS: &[&[&str]] = &[
    // Pure building blocks: ids and ARNs, sealing, counters, the log sink.
    &["model", "secrets", "metrics", "log_writer"],
    // Settings, the request log's format, the database.
    &["config", "log_format", "store"],
    // The audit record of a request.
    &["audit"],
    // Authentication and authorization.
    &["auth"],
    // The shared state.
    &["app"],
    // One request's facts.
    &["request"],
    // The services' domain rules and the pipeline step that runs them.
    &["services"],
    // The entry points: HTTP, first start, the operator's commands.
    &["server", "bootstrap", "cli"],
    // The binary's wiring.
    &["main"],
];

fn source_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path
                .strip_prefix(source_root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            found.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The code of a file without its comments (line comments and doc comments), so that
/// prose naming a module is not taken for an import. String literals stay.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| {
            // A `//` inside a string literal (a URL) is no comment: the comment starts at
            // the first `//` preceded by an even number of quotes.
            let start = line
                .match_indices("//")
                .map(|(at, _)| at)
                .find(|at| line[..*at].matches('"').count() % 2 == 0);
            match start {
                Some(at) => &line[..at],
                None => line,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a file's code names through `crate::` paths, grouped
/// `crate::{a, b::c}` imports included.
fn crate_references(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        // `foo_crate::` or `$crate::` are other paths.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file belongs to: `services/iam/users.rs` is `services`.
fn top_module(file: &str) -> String {
    let first = file.split('/').next().unwrap_or(file);
    first.trim_end_matches(".rs").to_owned()
}

#[test]
fn imports_point_down_the_layers() {
    let mut files = Vec::new();
    sources(&source_root(), &mut files);
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut wrong = Vec::new();
    let mut graph: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &files {
        let module = top_module(file);
        let Some(layer) = layer_of(&module) else {
            wrong.push(format!(
                "{file}: its module `{module}` has no layer in LAYERS"
            ));
            continue;
        };
        for name in crate_references(&code_of(text)) {
            if name == module {
                continue;
            }
            graph
                .entry(module.clone())
                .or_default()
                .insert(name.clone());
            match layer_of(&name) {
                Some(other) if other < layer => {}
                Some(_) => wrong.push(format!(
                    "{file} imports crate::{name}, which is not below `{module}`"
                )),
                None => wrong.push(format!(
                    "{file} imports crate::{name}, which has no layer in LAYERS"
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that go the wrong way:\n{}",
        wrong.join("\n")
    );
    // The rule has teeth: the layers above the foundation do import what is below them.
    assert!(graph["services"].contains("auth"), "{graph:?}");
    assert!(graph["server"].contains("services"), "{graph:?}");
    // Nothing but the binary's wiring names the HTTP server.
    let importers: Vec<&String> = graph
        .iter()
        .filter(|(_, names)| names.contains("server"))
        .map(|(module, _)| module)
        .collect();
    assert!(
        importers.is_empty(),
        "crate::server imported by {importers:?}"
    );
}

#[test]
fn the_layer_check_sees_wrong_way_imports() {
    let code = code_of(
        "use crate::{app::App, server};\n// crate::services in a comment\nlet x = crate::store::now();",
    );
    assert_eq!(crate_references(&code), ["app", "server", "store"]);
    assert_eq!(
        crate_references("$crate::x; my_crate::y"),
        Vec::<String>::new()
    );
    assert_eq!(top_module("services/iam/users.rs"), "services");
    assert_eq!(top_module("app.rs"), "app");
    assert!(layer_of("server") > layer_of("services"));
    assert_eq!(
        code_of(r#"let url = "http://x"; // note"#),
        r#"let url = "http://x"; "#
    );
    assert!(imports_evaluate(
        "use policy::{\n    evaluate,\n    Request,\n};"
    ));
    assert!(!imports_evaluate("use policy::{EvaluationInput, Request};"));
}

/// Whether a `use policy::…` declaration (grouped over several lines or not) brings in
/// `evaluate`.
fn imports_evaluate(code: &str) -> bool {
    code.match_indices("use policy::").any(|(at, _)| {
        let declaration = code[at..].split(';').next().unwrap_or_default();
        declaration
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == "evaluate")
    })
}

#[test]
fn only_the_authorizer_calls_the_policy_engine() {
    let mut files = Vec::new();
    sources(&source_root(), &mut files);
    let callers: Vec<&String> = files
        .iter()
        .filter(|(_, text)| {
            let code = code_of(text);
            code.contains("policy::evaluate") || imports_evaluate(&code)
        })
        .map(|(file, _)| file)
        .collect();
    assert_eq!(
        callers,
        ["auth/authorize.rs"],
        "every decision goes through auth::authorize"
    );
}
