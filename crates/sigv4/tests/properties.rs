//! Property tests: requests signed by an independent implementation (the AWS SDK's
//! `aws-sigv4` crate) always verify, any single mutation of a signed request never
//! verifies, and parsing never panics on arbitrary input.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test harness fails by panicking"
)]

use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_smithy_runtime_api::client::identity::Identity;
use proptest::prelude::*;
use sigv4::{derive_signing_key, parse, verify, Error, Request, SigningKeyCache, VerifyOptions};
use time::OffsetDateTime;

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "iam.amazonaws.com";

/// How the body's hash reaches the canonical request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Payload {
    /// SHA-256 of the body, no header.
    Hashed,
    /// SHA-256 of the body, also sent as `x-amz-content-sha256`.
    HashedWithHeader,
    /// `UNSIGNED-PAYLOAD` (header auth sends it as `x-amz-content-sha256`).
    Unsigned,
}

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    payload: Payload,
    token: Option<String>,
    presigned: Option<u64>,
    signed_at: u64,
    now_offset: i64,
}

/// A request as the server receives it after the client signed it.
#[derive(Debug, Clone)]
struct Wire {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Wire {
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

fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Signs `case` with the `aws-sigv4` crate and returns what goes on the wire.
fn sign_with_sdk(case: &Case, secret: &str) -> Wire {
    let credentials = Credentials::new(ACCESS_KEY, secret, case.token.clone(), None, "test");
    let identity: Identity = credentials.into();
    let mut settings = SigningSettings::default();
    if let Some(expires) = case.presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(expires));
    }
    let header_auth = case.presigned.is_none();
    settings.payload_checksum_kind = match case.payload {
        Payload::HashedWithHeader => PayloadChecksumKind::XAmzSha256,
        Payload::Unsigned if header_auth => PayloadChecksumKind::XAmzSha256,
        _ => PayloadChecksumKind::NoHeader,
    };
    let time = UNIX_EPOCH + Duration::from_secs(case.signed_at);
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("iam")
        .time(time)
        .settings(settings)
        .build()
        .expect("signing params")
        .into();
    let body = match case.payload {
        Payload::Unsigned => SignableBody::UnsignedPayload,
        _ => SignableBody::Bytes(&case.body),
    };
    let uri = if case.query.is_empty() {
        format!("https://{HOST}{}", case.path)
    } else {
        format!("https://{HOST}{}?{}", case.path, case.query)
    };
    let mut headers: Vec<(&str, &str)> = vec![("host", HOST)];
    headers.extend(case.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let signable = SignableRequest::new(case.method, uri, headers.into_iter(), body)
        .expect("signable request");
    let (instructions, _signature) = sign(signable, &params).expect("signing").into_parts();
    let (added_headers, added_params) = instructions.into_parts();

    let mut wire_headers: Vec<(String, Vec<u8>)> = vec![("Host".into(), HOST.into())];
    wire_headers.extend(
        case.headers
            .iter()
            .map(|(n, v)| (n.clone(), v.as_bytes().to_vec())),
    );
    for header in &added_headers {
        wire_headers.push((header.name().to_owned(), header.value().as_bytes().to_vec()));
    }
    let mut query = case.query.clone();
    for (name, value) in &added_params {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(name);
        query.push('=');
        query.push_str(&encode(value));
    }
    Wire {
        method: case.method.to_owned(),
        path: case.path.clone(),
        query,
        headers: wire_headers,
        body: case.body.clone(),
    }
}

fn options(case: &Case) -> VerifyOptions<'static> {
    let now = OffsetDateTime::from_unix_timestamp(case.signed_at as i64 + case.now_offset).unwrap();
    let mut opts = VerifyOptions::new(now);
    opts.expected_service = Some("iam");
    // The cases include unsigned payloads, as SDKs send them to S3; the refusal of
    // unsigned bodies by default is tested in `verify.rs`.
    opts.allow_unsigned_payload = true;
    opts
}

fn check(wire: &Wire, secret: &str, opts: &VerifyOptions) -> Result<(), Error> {
    wire.with(|req| {
        let auth = parse(req)?;
        let key = derive_signing_key(
            secret.as_bytes(),
            &auth.scope.date,
            &auth.scope.region,
            &auth.scope.service,
        );
        verify(req, &auth, &key, opts)
    })
}

fn path_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9._~!$'()*,;=:@+-]{1,8}",
        1 => Just(String::new()),
        1 => Just(".".to_owned()),
        1 => Just("..".to_owned()),
        1 => "%[0-9A-Fa-f]{2}[a-z]{0,3}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    (prop::collection::vec(path_segment(), 0..5), any::<bool>()).prop_map(|(segments, trailing)| {
        let mut path = format!("/{}", segments.join("/"));
        if trailing && !path.ends_with('/') {
            path.push('/');
        }
        path
    })
}

fn query_part() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9._~!$'()*,;:@/?-]{0,8}",
        1 => "%[0-9A-Fa-f]{2}",
        1 => Just("+".to_owned()),
        1 => Just("%E1%88%B4".to_owned()),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let param = (
        "[a-z][a-z0-9]{0,4}",
        prop::collection::vec(query_part(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(key, value, with_eq)| {
            let value = value.concat();
            if with_eq || !value.is_empty() {
                format!("{key}={value}")
            } else {
                key
            }
        });
    prop::collection::vec(param, 0..5).prop_map(|params| params.join("&"))
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        "[Xx]-[a-zA-Z]{1,6}",
        Just("Content-Type".to_owned()),
        Just("x-amz-target".to_owned()),
    ];
    let value = "[ -~]{0,12}";
    prop::collection::vec((name, value), 0..4)
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
        path(),
        query(),
        headers(),
        prop::collection::vec(any::<u8>(), 0..64),
        prop::sample::select(vec![
            Payload::Hashed,
            Payload::HashedWithHeader,
            Payload::Unsigned,
        ]),
        prop::option::of("[A-Za-z0-9+/=]{16,48}"),
        prop::option::of(1u64..=604_800),
        1_420_070_400u64..1_893_456_000,
        -840i64..=840,
    )
        .prop_map(
            |(method, path, query, headers, body, payload, token, presigned, signed_at, offset)| {
                let now_offset = match presigned {
                    // Presigned: no later than the expiry, no earlier than 14 minutes before.
                    Some(expires) => offset.min(expires as i64),
                    None => offset,
                };
                Case {
                    method,
                    path,
                    query,
                    headers,
                    body,
                    payload,
                    token,
                    presigned,
                    signed_at,
                    now_offset,
                }
            },
        )
}

#[derive(Debug, Clone, Copy)]
enum Mutation {
    Method,
    Path,
    Query,
    SignedHeader,
    Body,
    Date,
    Secret,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop::sample::select(vec![
        Mutation::Method,
        Mutation::Path,
        Mutation::Query,
        Mutation::SignedHeader,
        Mutation::Body,
        Mutation::Date,
        Mutation::Secret,
    ])
}

/// Moves a `yyyymmddThhmmssZ` timestamp one second on.
fn next_second(value: &str) -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let at = time::PrimitiveDateTime::parse(value, format).expect("amz date");
    (at + time::Duration::seconds(1)).format(format).unwrap()
}

/// 192 cases unless `PROPTEST_CASES` says otherwise (for a longer soak).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(192)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn sdk_signed_requests_verify(case in case()) {
        let wire = sign_with_sdk(&case, SECRET);
        let result = check(&wire, SECRET, &options(&case));
        prop_assert_eq!(result, Ok(()), "{:#?}", wire);

        // And through the cache, twice.
        let cache = SigningKeyCache::new(4);
        for _ in 0..2 {
            let ok = wire.with(|req| {
                let auth = parse(req)?;
                let key = cache.get_or_derive(&auth.access_key_id, &auth.scope, SECRET.as_bytes());
                verify(req, &auth, &key, &options(&case))
            });
            prop_assert_eq!(ok, Ok(()));
        }
    }

    #[test]
    fn mutated_requests_never_verify(case in case(), mutation in mutation(), pick in any::<prop::sample::Index>()) {
        let mut wire = sign_with_sdk(&case, SECRET);
        let mut secret = SECRET.to_owned();
        match mutation {
            Mutation::Method => {
                wire.method = if wire.method == "GET" { "POST".into() } else { "GET".into() };
            }
            Mutation::Path => wire.path.push('z'),
            Mutation::Query => {
                // Change one parameter's value, or add one.
                let mut params: Vec<String> = wire.query.split('&').map(str::to_owned).collect();
                let editable: Vec<usize> = params
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| !p.is_empty() && !p.starts_with("X-Amz-"))
                    .map(|(i, _)| i)
                    .collect();
                if editable.is_empty() {
                    params.push("zz=1".into());
                } else {
                    let i = editable[pick.index(editable.len())];
                    params[i].push('Q');
                }
                wire.query = params.join("&");
            }
            Mutation::SignedHeader => {
                // Host is always signed; other generated headers are signed too.
                let candidates: Vec<usize> = wire
                    .headers
                    .iter()
                    .enumerate()
                    .filter(|(_, (n, _))| {
                        let n = n.to_ascii_lowercase();
                        n == "host" || case.headers.iter().any(|(h, _)| h.to_ascii_lowercase() == n)
                    })
                    .map(|(i, _)| i)
                    .collect();
                let i = candidates[pick.index(candidates.len())];
                wire.headers[i].1.extend_from_slice(b"Q");
            }
            Mutation::Body => {
                // Only a signed payload protects the body: UNSIGNED-PAYLOAD does not, and a
                // presigned request without x-amz-content-sha256 may be signed either way.
                let body_signed = !matches!(
                    (case.payload, case.presigned),
                    (Payload::Unsigned, _) | (Payload::Hashed, Some(_))
                );
                prop_assume!(body_signed);
                wire.body.push(b'!');
            }
            Mutation::Date => {
                if case.presigned.is_some() {
                    let pieces: Vec<String> = wire
                        .query
                        .split('&')
                        .map(|p| match p.strip_prefix("X-Amz-Date=") {
                            Some(date) => format!("X-Amz-Date={}", next_second(date)),
                            None => p.to_owned(),
                        })
                        .collect();
                    wire.query = pieces.join("&");
                } else {
                    for (name, value) in &mut wire.headers {
                        if name.eq_ignore_ascii_case("x-amz-date") {
                            *value = next_second(std::str::from_utf8(value).unwrap()).into_bytes();
                        }
                    }
                }
            }
            Mutation::Secret => secret.push('x'),
        }
        // Moving the date by one second may cross midnight (a scope mismatch) or the
        // expiry: errors all the same.
        let result = check(&wire, &secret, &options(&case));
        prop_assert!(result.is_err(), "{:?} verified: {:#?}", mutation, wire);
    }

    #[test]
    fn parse_never_panics(
        method in "\\PC{0,6}",
        path in "\\PC{0,20}",
        query in prop_oneof![
            "\\PC{0,60}",
            "(X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Security-Token)=[^&]{0,30}&?){0,8}",
        ],
        headers in prop::collection::vec(
            (
                prop_oneof![
                    Just("Authorization".to_owned()),
                    Just("X-Amz-Date".to_owned()),
                    Just("Date".to_owned()),
                    Just("Host".to_owned()),
                    Just("X-Amz-Security-Token".to_owned()),
                    Just("x-amz-content-sha256".to_owned()),
                    "\\PC{0,10}",
                ],
                prop_oneof![
                    "AWS4-HMAC-SHA256 (Credential|SignedHeaders|Signature)=[^ ]{0,40}[, ]{0,2}(Credential|SignedHeaders|Signature)=\\PC{0,40}",
                    "AWS4-HMAC-SHA256 Credential=AKID/2015083[0-9]/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{0,64}",
                    "2015083[0-9]T1236[0-9]{2}Z",
                    "\\PC{0,40}",
                    prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
                ],
            ),
            0..6,
        ),
        body in prop::collection::vec(any::<u8>(), 0..32),
        raw_bytes in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut headers: Vec<(String, Vec<u8>)> =
            headers.into_iter().map(|(n, v)| (n, v.into_bytes())).collect();
        headers.push(("X-Raw".into(), raw_bytes));
        let wire = Wire { method, path, query, headers, body };
        let opts = VerifyOptions::new(time::macros::datetime!(2015-08-30 12:36:00 UTC));
        wire.with(|req| {
            if let Ok(auth) = parse(req) {
                let key = derive_signing_key(b"secret", &auth.scope.date, &auth.scope.region, &auth.scope.service);
                let _ = verify(req, &auth, &key, &opts);
                let _ = sigv4::payload_hash(req, &auth);
            }
        });
    }
}

#[test]
fn sdk_vector_sanity() {
    // A fixed case, so a failure of the generator setup shows up plainly.
    let case = Case {
        method: "POST",
        path: "/".into(),
        query: String::new(),
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded; charset=utf-8".into(),
        )],
        body: b"Action=GetCallerIdentity&Version=2011-06-15".to_vec(),
        payload: Payload::Hashed,
        token: None,
        presigned: None,
        signed_at: 1_440_938_160,
        now_offset: 0,
    };
    let wire = sign_with_sdk(&case, SECRET);
    assert_eq!(check(&wire, SECRET, &options(&case)), Ok(()));
}
