//! A request signed for one thing must never run as another (issue 16): the body is
//! always covered by the signature for IAM, STS, Organizations and Service Quotas, the
//! headers that decide the request are signed, signatures are spelled as SigV4 writes
//! them, and only the protocols' methods are dispatched. Requests are signed with the
//! independent `aws-sigv4` crate, then altered the way an attacker would.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};

use super::support::clients::sdk_credentials;
use super::support::credentials::Keys;
use super::support::requests::xml_code;
use super::support::server::Server;

const GET_USER: &str = "Action=GetUser&Version=2010-05-08";
const CREATE_USER: &str = "Action=CreateUser&UserName=intruder&Version=2010-05-08";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// How to sign a request.
struct Signing<'a> {
    method: &'a str,
    /// The path and query after the endpoint, e.g. `/?Action=…`.
    target: &'a str,
    /// The body the signature covers.
    body: &'a str,
    /// The payload as signed: the body's hash, or `UNSIGNED-PAYLOAD`.
    unsigned_payload: bool,
    /// Send `x-amz-content-sha256` with the payload hash.
    content_sha256_header: bool,
    /// Presigned (signature in the query) instead of an `Authorization` header.
    presigned: bool,
}

impl Signing<'_> {
    fn post(body: &str) -> Signing<'_> {
        Signing {
            method: "POST",
            target: "/",
            body,
            unsigned_payload: false,
            content_sha256_header: false,
            presigned: false,
        }
    }
}

/// The URL and the headers of a request signed for IAM as `signing` says.
fn signed(endpoint: &str, keys: &Keys, signing: &Signing<'_>) -> (String, Vec<(String, String)>) {
    let host = endpoint.trim_start_matches("http://").to_owned();
    let mut headers = vec![("host".to_owned(), host)];
    if signing.method == "POST" {
        headers.push(("content-type".to_owned(), FORM.to_owned()));
    }
    let identity = sdk_credentials(keys, None).into();
    let mut settings = SigningSettings::default();
    if signing.content_sha256_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if signing.presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(300));
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("iam")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let body = if signing.unsigned_payload {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(signing.body.as_bytes())
    };
    let url = format!("{endpoint}{}", signing.target);
    let signable = SignableRequest::new(
        signing.method,
        url.clone(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut url = reqwest::Url::parse(&url).unwrap();
    for (name, value) in instructions.params() {
        url.query_pairs_mut().append_pair(name, value);
    }
    for (name, value) in instructions.headers() {
        headers.push((name.to_owned(), value.to_owned()));
    }
    (url.to_string(), headers)
}

/// Sends `body` (whatever was signed) with `headers`; the status and body text.
async fn send(method: &str, url: &str, headers: &[(String, String)], body: &str) -> (u16, String) {
    let client = reqwest::Client::new();
    let mut request = client.request(method.parse().unwrap(), url);
    for (name, value) in headers {
        if name != "host" {
            request = request.header(name, value);
        }
    }
    let response = request.body(body.to_owned()).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Whether the user `intruder` exists.
async fn intruder_exists(server: &Server) -> bool {
    server
        .iam(&server.root_keys())
        .get_user()
        .user_name("intruder")
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn a_body_swapped_after_signing_never_runs() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let endpoint = &server.endpoint;

    // Signed for GetUser, sent with CreateUser.
    let (url, headers) = signed(endpoint, &root, &Signing::post(GET_USER));
    let (status, text) = send("POST", &url, &headers, CREATE_USER).await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "SignatureDoesNotMatch"),
        "{text}"
    );

    // The same with the body's hash in x-amz-content-sha256: the header names the signed
    // body, and the body sent is another.
    let with_hash = Signing {
        content_sha256_header: true,
        ..Signing::post(GET_USER)
    };
    let (url, headers) = signed(endpoint, &root, &with_hash);
    let (status, text) = send("POST", &url, &headers, CREATE_USER).await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (400, "XAmzContentSHA256Mismatch"),
        "{text}"
    );

    // Signed with UNSIGNED-PAYLOAD, which would leave any body unprotected.
    let unsigned = Signing {
        unsigned_payload: true,
        content_sha256_header: true,
        ..Signing::post(CREATE_USER)
    };
    let (url, headers) = signed(endpoint, &root, &unsigned);
    assert!(headers
        .iter()
        .any(|(n, v)| n == "x-amz-content-sha256" && v == "UNSIGNED-PAYLOAD"));
    let (status, text) = send("POST", &url, &headers, CREATE_USER).await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "SignatureDoesNotMatch"),
        "{text}"
    );

    // A presigned GET (as botocore presigns: UNSIGNED-PAYLOAD) with a body added.
    let presigned = Signing {
        method: "GET",
        target: "/?Action=GetUser&Version=2010-05-08",
        body: "",
        unsigned_payload: true,
        content_sha256_header: false,
        presigned: true,
    };
    let (url, headers) = signed(endpoint, &root, &presigned);
    let mut with_form = headers.clone();
    with_form.push(("content-type".to_owned(), FORM.to_owned()));
    let (status, text) = send("GET", &url, &with_form, CREATE_USER).await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "SignatureDoesNotMatch"),
        "{text}"
    );
    // Without the body it is a good request: the parameters are in the signed query.
    let (status, text) = send("GET", &url, &headers, "").await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("<GetUserResult>"), "{text}");

    // None of them created anything; the same body, signed, does.
    assert!(!intruder_exists(&server).await);
    let (url, headers) = signed(endpoint, &root, &Signing::post(CREATE_USER));
    let (status, text) = send("POST", &url, &headers, CREATE_USER).await;
    assert_eq!(status, 200, "{text}");
    assert!(intruder_exists(&server).await);
}

#[tokio::test]
async fn deciding_headers_are_signed_and_signatures_are_lower_case_hex() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let endpoint = &server.endpoint;
    let (url, headers) = signed(endpoint, &root, &Signing::post(GET_USER));

    // X-Amz-Date left out of SignedHeaders (the signature then covers no time).
    let unsigned_date: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            if name == "authorization" {
                (name.clone(), value.replace(";x-amz-date", ""))
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect();
    let (status, text) = send("POST", &url, &unsigned_date, GET_USER).await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "SignatureDoesNotMatch"),
        "{text}"
    );
    assert!(
        text.contains("'x-amz-date' must be a 'SignedHeader' in the AWS Authorization."),
        "{text}"
    );

    // The right signature in upper case is not SigV4's spelling of it.
    let upper: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            if name == "authorization" {
                let (head, signature) = value.rsplit_once("Signature=").unwrap();
                (
                    name.clone(),
                    format!("{head}Signature={}", signature.to_uppercase()),
                )
            } else {
                (name.clone(), value.clone())
            }
        })
        .collect();
    let (status, text) = send("POST", &url, &upper, GET_USER).await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "SignatureDoesNotMatch"),
        "{text}"
    );

    // A real session's token header added to a request signed without it: the token
    // opens, and the signature does not cover it.
    let session = server.sts(&root).get_session_token().send().await.unwrap();
    let credentials = session.credentials().unwrap();
    let session_keys = Keys::from(credentials);
    let (session_url, mut with_token) = signed(endpoint, &session_keys, &Signing::post(GET_USER));
    with_token.push((
        "x-amz-security-token".to_owned(),
        credentials.session_token().to_owned(),
    ));
    let (status, text) = send("POST", &session_url, &with_token, GET_USER).await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "SignatureDoesNotMatch"),
        "{text}"
    );
    assert!(
        text.contains("'x-amz-security-token' must be a 'SignedHeader' in the AWS Authorization."),
        "{text}"
    );

    // The untouched request passes, so each refusal above is the alteration's.
    let (status, text) = send("POST", &url, &headers, GET_USER).await;
    assert_eq!(status, 200, "{text}");
}

#[tokio::test]
async fn only_the_protocols_methods_are_dispatched() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let endpoint = &server.endpoint;
    for method in ["PUT", "DELETE", "PATCH"] {
        let signing = Signing {
            method,
            ..Signing::post(CREATE_USER)
        };
        let (url, headers) = signed(endpoint, &root, &signing);
        let (status, text) = send(method, &url, &headers, CREATE_USER).await;
        assert_eq!(
            (status, xml_code(&text).as_str()),
            (405, "MethodNotAllowed"),
            "{text}"
        );
    }
    // awsJson1.1 takes POST only: a GET with X-Amz-Target is refused before anything.
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{endpoint}/"))
        .header(
            "x-amz-target",
            "AWSOrganizationsV20161128.DescribeOrganization",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let text = response.text().await.unwrap();
    assert!(text.contains("MethodNotAllowed"), "{text}");
    assert!(!intruder_exists(&server).await);
}
