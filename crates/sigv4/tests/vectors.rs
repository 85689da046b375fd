//! Runs the AWS SigV4 test suites in `tests/data/sigv4` (see the README there): for
//! every case, the canonical request, string to sign and signature must match the files,
//! and `verify` must accept the signed request at the vector's time.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test harness fails by panicking"
)]

use std::fs;
use std::path::{Path, PathBuf};

use sigv4::{
    canonical_request, derive_signing_key, parse, payload_hash, string_to_sign, verify,
    AuthLocation, PathStyle, Request, VerifyOptions,
};
use time::macros::datetime;
use time::OffsetDateTime;

const SECRET: &[u8] = b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const NOW: OffsetDateTime = datetime!(2015-08-30 12:36:00 UTC);

/// Legacy cases whose files disagree with each other (see the README); their `v4/`
/// versions are run instead.
const LEGACY_INCONSISTENT: [&str; 2] = [
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
];

fn testdata_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GATEHOUSE_SIGV4_TESTDATA") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sigv4")
}

/// An HTTP/1.1 request as the vector files write it.
struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl RawRequest {
    fn parse(text: &[u8]) -> RawRequest {
        let text = String::from_utf8(text.to_vec()).expect("vector files are UTF-8");
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let request_line = lines.next().expect("request line");
        let (method, rest) = request_line.split_once(' ').expect("method");
        let target = rest.rsplit_once(" HTTP/").expect("HTTP version").0;
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                // An obsolete line folding: the continuation joins the value with a space.
                let (_, value) = headers.last_mut().expect("folded line follows a header");
                value.push(b' ');
                value.extend_from_slice(line.trim_start().as_bytes());
                continue;
            }
            let (name, value) = line.split_once(':').expect("header line");
            headers.push((name.to_owned(), value.trim_start().as_bytes().to_vec()));
        }
        RawRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&Request) -> T) -> T {
        let headers: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        f(&Request {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &headers,
            body: &self.body,
        })
    }
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_text(path: &Path) -> String {
    String::from_utf8(read(path)).expect("UTF-8")
}

struct Expected {
    /// `None` where the vector's canonical request is known to be inconsistent.
    canonical_request: Option<String>,
    string_to_sign: String,
    signature: String,
}

/// Parses the signed request, checks every intermediate against `expected`, then verifies.
fn check_signed(
    name: &str,
    signed: &RawRequest,
    expected: &Expected,
    style: PathStyle,
    token: Option<&str>,
    omit_token_param: bool,
) {
    let regions = ["us-east-1".to_owned()];
    signed.with(|req| {
        let auth = parse(req).unwrap_or_else(|e| panic!("{name}: parse: {e}"));
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE", "{name}");
        assert_eq!(auth.timestamp, NOW, "{name}");
        assert_eq!(auth.session_token.as_deref(), token, "{name}");

        let key = derive_signing_key(
            SECRET,
            &auth.scope.date,
            &auth.scope.region,
            &auth.scope.service,
        );
        let hash = payload_hash(req, &auth).unwrap_or_else(|e| panic!("{name}: payload: {e}"));
        let creq = if omit_token_param {
            // The token was added after signing: check the request as it was signed.
            let query: Vec<&str> = req
                .query
                .split('&')
                .filter(|p| !p.starts_with("X-Amz-Security-Token="))
                .collect();
            let query = query.join("&");
            canonical_request(
                &Request {
                    query: &query,
                    ..*req
                },
                &auth,
                style,
                &hash,
            )
        } else {
            canonical_request(req, &auth, style, &hash)
        };
        if let Some(expected_creq) = &expected.canonical_request {
            assert_eq!(
                String::from_utf8_lossy(&creq),
                *expected_creq,
                "{name}: canonical request"
            );
        }
        let sts = string_to_sign(&auth, &creq);
        assert_eq!(sts, expected.string_to_sign, "{name}: string to sign");
        assert_eq!(
            hex::encode(key.sign(sts.as_bytes())),
            expected.signature,
            "{name}: signature"
        );
        assert_eq!(
            hex::encode(auth.signature),
            expected.signature,
            "{name}: sent signature"
        );

        let mut opts = VerifyOptions::new(NOW);
        opts.expected_service = Some("service");
        opts.allowed_regions = Some(&regions);
        opts.path_style = style;
        opts.allow_unsigned_token_param = omit_token_param;
        verify(req, &auth, &key, &opts).unwrap_or_else(|e| panic!("{name}: verify: {e}"));
        if omit_token_param {
            let strict = VerifyOptions {
                allow_unsigned_token_param: false,
                ..opts
            };
            assert!(
                verify(req, &auth, &key, &strict).is_err(),
                "{name}: unsigned token accepted"
            );
        }

        // The same request a little too late must fail.
        let late = VerifyOptions {
            now: NOW + time::Duration::hours(2),
            ..opts
        };
        assert!(
            verify(req, &auth, &key, &late).is_err(),
            "{name}: accepted when late"
        );
    });
}

fn run_v4(dir: &Path) -> (usize, usize) {
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .expect("v4 dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let (mut header, mut query) = (0, 0);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let context: serde_json::Value =
            serde_json::from_slice(&read(&case.join("context.json"))).expect("context.json");
        let normalize = context["normalize"].as_bool().unwrap_or(true);
        let omit_token = context["omit_session_token"].as_bool().unwrap_or(false);
        let token = context["credentials"]["token"].as_str();
        assert_eq!(context["timestamp"], "2015-08-30T12:36:00Z", "{name}");
        // normalize=false cases are S3-style: the path is signed as sent.
        let style = if normalize {
            PathStyle::Normalized
        } else {
            PathStyle::S3
        };

        for (variant, counter) in [("header", &mut header), ("query", &mut query)] {
            let signed_path = case.join(format!("{variant}-signed-request.txt"));
            if !signed_path.exists() {
                continue;
            }
            let signed = RawRequest::parse(&read(&signed_path));
            let expected = Expected {
                canonical_request: Some(read_text(
                    &case.join(format!("{variant}-canonical-request.txt")),
                )),
                string_to_sign: read_text(&case.join(format!("{variant}-string-to-sign.txt"))),
                signature: read_text(&case.join(format!("{variant}-signature.txt")))
                    .trim()
                    .to_owned(),
            };
            // With omit_session_token the header variant leaves the token header unsigned;
            // the query variant needs the token parameter left out of the canonical query.
            check_signed(
                &format!("v4/{name} ({variant})"),
                &signed,
                &expected,
                style,
                token,
                omit_token,
            );
            signed.with(|req| {
                let auth = parse(req).unwrap();
                match variant {
                    "header" => assert_eq!(auth.location, AuthLocation::Header),
                    _ => assert_eq!(auth.location, AuthLocation::Query { expires_secs: 3600 }),
                }
            });
            *counter += 1;
        }
    }
    (header, query)
}

fn run_legacy(dir: &Path, skipped: &mut Vec<String>, notes: &mut Vec<String>) -> usize {
    let mut sreqs = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "sreq") {
                sreqs.push(path);
            }
        }
    }
    sreqs.sort();
    let mut passed = 0;
    for sreq in sreqs {
        let name = sreq.file_stem().unwrap().to_string_lossy().into_owned();
        if LEGACY_INCONSISTENT.contains(&name.as_str()) {
            skipped.push(format!(
                "aws-sig-v4-test-suite/{name}: its .sts and signature do not follow from its .creq (the README's import check fails it too); v4/{name} runs instead"
            ));
            continue;
        }
        let with_ext = |ext: &str| sreq.with_extension(ext);
        let mut signed = RawRequest::parse(&read(&sreq));
        // The .authz file is authoritative: get-vanilla-with-session-token's .sreq carries
        // get-vanilla's signature by mistake.
        let authz = read_text(&with_ext("authz"));
        for (header, value) in &mut signed.headers {
            if header.eq_ignore_ascii_case("authorization") && *value != authz.as_bytes() {
                notes.push(format!("aws-sig-v4-test-suite/{name}: .sreq Authorization differs from .authz; used .authz"));
                *value = authz.as_bytes().to_vec();
            }
        }
        let expected = Expected {
            canonical_request: Some(read_text(&with_ext("creq"))),
            string_to_sign: read_text(&with_ext("sts")),
            signature: read_text(&with_ext("authz"))
                .rsplit_once("Signature=")
                .expect("authz has a signature")
                .1
                .trim()
                .to_owned(),
        };
        let token = signed
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
            .map(|(_, v)| String::from_utf8(v.clone()).unwrap());
        check_signed(
            &format!("aws-sig-v4-test-suite/{name}"),
            &signed,
            &expected,
            PathStyle::Normalized,
            token.as_deref(),
            // `post-sts-header-after`: the token header was added after signing.
            name.ends_with("-after"),
        );
        passed += 1;
    }
    passed
}

/// Writes past the test harness's output capture, so the line shows in every run.
fn loud(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[test]
fn aws_sigv4_test_vectors() {
    let dir = testdata_dir();
    // The vectors live in the repository: missing ones are a broken checkout, not a
    // reason to skip.
    assert!(
        dir.join("v4").is_dir() && dir.join("aws-sig-v4-test-suite").is_dir(),
        "sigv4 test vectors not found at {}",
        dir.display()
    );
    let (header, query) = run_v4(&dir.join("v4"));
    let mut skipped = Vec::new();
    let mut notes = Vec::new();
    let legacy = run_legacy(&dir.join("aws-sig-v4-test-suite"), &mut skipped, &mut notes);
    loud(&format!(
        "sigv4 vectors: v4 {header} header + {query} query variants, legacy {legacy} cases passed"
    ));
    for reason in &skipped {
        loud(&format!("sigv4 vectors: skipped {reason}"));
    }
    for note in &notes {
        loud(&format!("sigv4 vectors: note {note}"));
    }
    assert_eq!((header, query), (38, 38));
    assert_eq!(legacy + skipped.len(), 33);
}
