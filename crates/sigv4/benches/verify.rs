//! Cost of verifying a typical STS `GetCallerIdentity` POST: parse + verify with a signing
//! key already derived, the same with the cache lookup, the whole sequence the server runs
//! (parse, scope and time check, cache lookup, verify), and key derivation for comparison.
#![expect(
    clippy::expect_used,
    reason = "a benchmark fails by panicking on bad setup"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sigv4::{
    canonical_request, check_scope_and_time, derive_signing_key, parse, payload_hash,
    string_to_sign, verify, Request, SigningKeyCache, VerifyOptions,
};
use time::macros::datetime;

const SECRET: &[u8] = b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const BODY: &[u8] = b"Action=GetCallerIdentity&Version=2011-06-15";

fn unsigned_headers() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("Host", b"sts.us-east-1.amazonaws.com".to_vec()),
        ("Content-Type", b"application/x-www-form-urlencoded; charset=utf-8".to_vec()),
        ("Content-Length", b"43".to_vec()),
        ("User-Agent", b"aws-cli/2.15.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.6".to_vec()),
        ("X-Amz-Date", b"20150830T123600Z".to_vec()),
    ]
}

/// The request with a valid `Authorization` header, signed by this crate.
fn signed_headers() -> Vec<(&'static str, Vec<u8>)> {
    let mut headers = unsigned_headers();
    let placeholder = format!(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={}",
        "0".repeat(64)
    );
    headers.push(("Authorization", placeholder.clone().into_bytes()));
    let signature = with_request(&headers, |req| {
        let auth = parse(req).expect("parse");
        let hash = payload_hash(req, &auth).expect("payload hash");
        let creq = canonical_request(req, &auth, sigv4::PathStyle::Normalized, &hash);
        let sts = string_to_sign(&auth, &creq);
        let key = derive_signing_key(SECRET, "20150830", "us-east-1", "sts");
        hex::encode(key.sign(sts.as_bytes()))
    });
    if let Some((_, value)) = headers.last_mut() {
        *value = placeholder
            .replace(&"0".repeat(64), &signature)
            .into_bytes();
    }
    headers
}

fn with_request<T>(headers: &[(&'static str, Vec<u8>)], f: impl FnOnce(&Request) -> T) -> T {
    let headers: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    f(&Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: BODY,
    })
}

fn bench(c: &mut Criterion) {
    let headers = signed_headers();
    let regions = ["us-east-1".to_owned()];
    let mut opts = VerifyOptions::new(datetime!(2015-08-30 12:40:00 UTC));
    opts.expected_service = Some("sts");
    opts.allowed_regions = Some(&regions);
    let cache = SigningKeyCache::default();

    with_request(&headers, |req| {
        let auth = parse(req).expect("parse");
        let key = cache.get_or_derive(&auth.access_key_id, &auth.scope, SECRET);
        verify(req, &auth, &key, &opts).expect("the benchmark request verifies");

        c.bench_function("parse+verify sts post (key in hand)", |b| {
            b.iter(|| {
                let auth = parse(black_box(req)).expect("parse");
                verify(req, &auth, &key, &opts).expect("verify");
            })
        });
        c.bench_function("parse+cache lookup+verify sts post", |b| {
            b.iter(|| {
                let auth = parse(black_box(req)).expect("parse");
                let key = cache.get_or_derive(&auth.access_key_id, &auth.scope, SECRET);
                verify(req, &auth, &key, &opts).expect("verify");
            })
        });
        // What the gatehouse server does per request, with the secret already looked up.
        c.bench_function("server sequence: parse, check, cache, verify", |b| {
            b.iter(|| {
                let auth = parse(black_box(req)).expect("parse");
                check_scope_and_time(&auth, &opts).expect("scope and time");
                let key = cache.get_or_derive(&auth.access_key_id, &auth.scope, SECRET);
                verify(req, &auth, &key, &opts).expect("verify");
            })
        });
        c.bench_function("cache lookup only", |b| {
            let auth = parse(req).expect("parse");
            b.iter(|| cache.get_or_derive(black_box(&auth.access_key_id), &auth.scope, SECRET))
        });
        let parsed = parse(req).expect("parse");
        c.bench_function("verify only (parsed, key in hand)", |b| {
            b.iter(|| verify(black_box(req), &parsed, &key, &opts).expect("verify"))
        });
        c.bench_function("parse only", |b| {
            b.iter(|| parse(black_box(req)).expect("parse"))
        });
    });
    let block = vec![0u8; 4096];
    c.bench_function("sha256 4KiB (throughput check)", |b| {
        b.iter(|| <sha2::Sha256 as sha2::Digest>::digest(black_box(&block)))
    });
    c.bench_function("derive_signing_key", |b| {
        b.iter(|| derive_signing_key(black_box(SECRET), "20150830", "us-east-1", "sts"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
