//! Requests no SDK sends: signed awsQuery and JSON requests built by hand (any service,
//! action, body, key and signing time), plain unsigned GET and POST, and reading the XML
//! errors that come back. Signing goes through `aws-sigv4`, never through the server's
//! own code.

use std::time::SystemTime;

use super::clients::sdk_credentials;
use super::credentials::Keys;

/// A signed request the SDKs would never send: any service, action and body.
pub struct RawRequest<'a> {
    pub service: &'a str,
    pub target: Option<&'a str>,
    pub body: Vec<u8>,
    pub keys: Option<&'a Keys>,
    pub time: SystemTime,
}

impl<'a> RawRequest<'a> {
    /// A form-encoded awsQuery request.
    pub fn query(service: &'a str, body: &str, keys: &'a Keys) -> Self {
        Self {
            service,
            target: None,
            body: body.as_bytes().to_vec(),
            keys: Some(keys),
            time: SystemTime::now(),
        }
    }

    /// An awsJson1.1 request for `target` (`Service_Version.Operation`).
    pub fn json(service: &'a str, target: &'a str, body: &str, keys: &'a Keys) -> Self {
        Self {
            service,
            target: Some(target),
            body: body.as_bytes().to_vec(),
            keys: Some(keys),
            time: SystemTime::now(),
        }
    }

    /// The headers to send, signed when the request has keys (`host` included).
    fn signed_headers(&self, endpoint: &str) -> Vec<(String, String)> {
        let content_type = if self.target.is_some() {
            "application/x-amz-json-1.1"
        } else {
            "application/x-www-form-urlencoded; charset=utf-8"
        };
        let host = endpoint.trim_start_matches("http://").to_owned();
        let mut headers = vec![
            ("host".to_owned(), host),
            ("content-type".to_owned(), content_type.to_owned()),
        ];
        if let Some(target) = self.target {
            headers.push(("x-amz-target".to_owned(), target.to_owned()));
        }
        if let Some(keys) = self.keys {
            use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
            let identity = sdk_credentials(keys, None).into();
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("us-east-1")
                .name(self.service)
                .time(self.time)
                .settings(SigningSettings::default())
                .build()
                .unwrap()
                .into();
            let signable = SignableRequest::new(
                "POST",
                format!("{endpoint}/"),
                headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                SignableBody::Bytes(&self.body),
            )
            .unwrap();
            let (instructions, _) = sign(signable, &params).unwrap().into_parts();
            for (name, value) in instructions.headers() {
                headers.push((name.to_owned(), value.to_owned()));
            }
        }
        headers
    }

    /// The request as an HTTP/2-style request: the host as the URI's authority (the
    /// `:authority` pseudo-header), not a header.
    pub fn to_http(&self, endpoint: &str) -> http::Request<Vec<u8>> {
        let mut request = http::Request::post(format!("{endpoint}/"));
        for (name, value) in self.signed_headers(endpoint) {
            if name != "host" {
                request = request.header(name, value);
            }
        }
        request.body(self.body.clone()).unwrap()
    }

    /// Sends it and returns the status and body text.
    pub async fn send(&self, endpoint: &str) -> (u16, String) {
        let request = reqwest::Request::try_from(self.to_http(endpoint)).unwrap();
        let response = reqwest::Client::new().execute(request).await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

/// The text of `<Code>` in an XML error.
pub fn xml_code(body: &str) -> String {
    between(body, "<Code>", "</Code>")
}

/// The text between two markers.
pub fn between(body: &str, start: &str, end: &str) -> String {
    let from = body
        .find(start)
        .map(|i| i + start.len())
        .unwrap_or_else(|| panic!("no {start} in {body}"));
    let to = body[from..].find(end).map(|i| i + from).unwrap();
    body[from..to].to_owned()
}

/// GETs `url` without signing; the status and body text.
pub async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// POSTs `body` to `url` without signing; the status and body text.
pub async fn post(url: &str, body: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
