//! The one path every AWS request takes: read the body (bounded), find the service,
//! authenticate, decode the typed operation, hand it to the service (which authorizes,
//! then runs the handler), and encode the output or the AWS error with a request id.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use wire::ServiceError;

use crate::auth::authenticate;
use crate::request::{Origin, RequestContext, Service};
use crate::services;

use crate::app::App;
use crate::audit;

/// The wire protocol a request speaks, which decides how errors are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// awsQuery: form body, XML responses (IAM, STS).
    Query(Service),
    /// awsJson1.1: `X-Amz-Target`, JSON both ways (Organizations, Service Quotas).
    Json,
}

impl Protocol {
    fn of(headers: &HeaderMap) -> Self {
        if headers.contains_key("x-amz-target") {
            Self::Json
        } else {
            Self::Query(Service::Iam)
        }
    }
}

/// What the connection a request came on tells about it.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    /// Whether the connection is TLS (`aws:SecureTransport`).
    pub secure: bool,
}

/// Axum handler for every path not claimed by the admin routes.
pub async fn handle(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    connection: Option<Extension<Connection>>,
    request: Request,
) -> Response {
    let started = Instant::now();
    // A v7 UUID: the time in milliseconds, then 74 bits from the thread's CSPRNG (no
    // system call per request). Ids that grow with time are appended at the end of the
    // audit table's key index instead of dirtying a random page of it for each event.
    // The same instant is the audit event's time.
    let arrived = crate::store::now_millis();
    let millis = u64::try_from(arrived).unwrap_or(0);
    let request_id = uuid::Builder::from_unix_timestamp_millis(millis, &rand::random())
        .into_uuid()
        .to_string();
    let connection = connection.map(|Extension(c)| c);
    let (parts, body) = request.into_parts();
    let mut protocol = Protocol::of(&parts.headers);
    let config = app.config();
    let (result, outcome) = audit::scoped(arrived, async {
        let agent = user_agent(&parts);
        audit::note(|outcome| outcome.user_agent = agent);
        let _server_slot = match Slot::take(app.in_flight(), config.max_concurrent_requests) {
            Some(slot) => slot,
            None => return Err(throttled()),
        };
        let header_bytes: usize = parts
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum();
        if header_bytes > config.max_header() {
            return Err(ServiceError::new(
                "RequestHeaderSectionTooLarge",
                413,
                format!(
                    "Request headers must be at most {} bytes",
                    config.max_header()
                ),
            ));
        }
        let secure = connection.as_ref().is_some_and(|c| c.secure);
        let work = async {
            let limit = config.max_body();
            let declared = parts
                .headers
                .get(header::CONTENT_LENGTH)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.parse::<usize>().ok());
            let body = match declared {
                Some(length) if length > limit => Err(()),
                _ => axum::body::to_bytes(body, limit).await.map_err(|_| ()),
            };
            match body {
                Ok(body) => {
                    run(
                        &app,
                        &parts,
                        &body,
                        peer,
                        secure,
                        &request_id,
                        &mut protocol,
                    )
                    .await
                }
                Err(()) => Err(ServiceError::new(
                    "RequestEntityTooLarge",
                    413,
                    format!("Request body must be at most {limit} bytes"),
                )),
            }
        };
        match tokio::time::timeout(config.request_timeout(), work).await {
            Ok(result) => result,
            Err(_) => Err(ServiceError::new(
                "RequestTimeout",
                400,
                "Your socket connection to the server was not read from or written to within the timeout period.",
            )),
        }
    })
    .await;
    let (response, status, error_code) = match result {
        Ok(response) => {
            let status = response.status().as_u16();
            (response, status, None)
        }
        Err(error) => {
            let response = encode_error(protocol, &error, &request_id);
            (response, error.status, Some(error.code))
        }
    };
    finish(
        &app,
        &outcome,
        &request_id,
        peer,
        status,
        error_code.as_deref(),
        started,
    );
    response
}

/// Records a finished request: metrics, the request's log event, and its audit event
/// unless the mutation's transaction already wrote it.
fn finish(
    app: &App,
    outcome: &audit::Outcome,
    request_id: &str,
    peer: SocketAddr,
    status: u16,
    error_code: Option<&str>,
    started: Instant,
) {
    let took = started.elapsed();
    let service = outcome.service.unwrap_or("unknown");
    let operation = outcome.operation.unwrap_or("unknown");
    crate::metrics::request(service, operation, status, took);
    if app.config().request_log {
        let (principal, account) = match &outcome.principal {
            Some((arn, account)) => (arn.as_str(), Some(*account)),
            None => ("-", None),
        };
        tracing::info!(
            target: crate::log_writer::REQUEST_TARGET,
            request_id,
            service,
            operation,
            principal,
            account = account.map(tracing::field::display),
            action = outcome.access.as_ref().map(|(action, _)| *action),
            resource = outcome.access.as_ref().map(|(_, resource)| resource.as_str()),
            decision = outcome.decision.map(policy::DecisionEffect::as_str),
            decided_by = outcome.decided_by,
            status,
            error = error_code,
            source_ip = %peer.ip(),
            latency_us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            "request"
        );
    }
    if app.audit().enabled() {
        outcome.with_event(request_id, peer.ip(), status, error_code, |event| {
            app.audit().push(event, outcome.written);
        });
    }
}

/// A place among the requests being served, given back when dropped.
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    fn take(counter: &'a AtomicUsize, max: u64) -> Option<Self> {
        let before = counter.fetch_add(1, Ordering::AcqRel);
        if u64::try_from(before).unwrap_or(u64::MAX) >= max {
            counter.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Self(counter))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn throttled() -> ServiceError {
    ServiceError::new("Throttling", 400, "Rate exceeded")
}

async fn run(
    app: &App,
    parts: &Parts,
    body: &Bytes,
    peer: SocketAddr,
    secure: bool,
    request_id: &str,
    protocol: &mut Protocol,
) -> Result<Response, ServiceError> {
    let mut headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    // HTTP/2 carries the host as the `:authority` pseudo-header, which SigV4 signs as
    // `host` (RFC 9113 §8.3.1).
    if !parts.headers.contains_key(header::HOST) {
        if let Some(authority) = parts.uri.authority() {
            headers.push(("host", authority.as_str().as_bytes()));
        }
    }
    let signed = sigv4::Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body,
    };

    // awsQuery takes GET and POST, awsJson1.1 POST only; nothing else is dispatched.
    let json = parts.headers.contains_key("x-amz-target");
    let method = &parts.method;
    let allowed =
        method == axum::http::Method::POST || (!json && method == axum::http::Method::GET);
    if !allowed {
        return Err(ServiceError::new(
            "MethodNotAllowed",
            405,
            format!(
                "the HTTP method `{method}` is not allowed: {}",
                if json {
                    "JSON-protocol services take POST"
                } else {
                    "query-protocol services take GET or POST"
                }
            ),
        ));
    }
    let target = parts
        .headers
        .get("x-amz-target")
        .map(|value| value.to_str().map_err(|_| unknown_operation("")))
        .transpose()?;
    let route = match target {
        Some(target) => Route::json(target)?,
        None => Route::query(parts, body)?,
    };
    if let Route::Query { service, .. } = &route {
        *protocol = Protocol::Query(*service);
    }
    let service = route.service();
    let claimed = route.operation_name();
    audit::note(|outcome| {
        outcome.service = Some(service.signing_name());
        outcome.operation = claimed.map(|(name, _)| name);
        outcome.read_only = claimed.is_some_and(|(_, read_only)| read_only);
    });
    // AssumeRoleWithWebIdentity carries its own proof of identity: AWS serves it unsigned.
    if let Route::Query {
        service: Service::Sts,
        params,
    } = &route
    {
        let unsigned = !parts.headers.contains_key(header::AUTHORIZATION)
            && !parts.uri.query().unwrap_or("").contains("X-Amz-Signature=");
        if unsigned && services::sts::serves_unsigned(params.get("Action").unwrap_or_default()) {
            let operation = wire::sts::Operation::from_query(params)?;
            audit::note_operation(operation.name(), operation.is_read_only());
            let caller = Origin {
                source_ip: peer.ip(),
                secure_transport: secure,
                region: app.config().region.clone(),
                now: time::OffsetDateTime::now_utc(),
                user_agent: user_agent(parts),
            };
            let output = services::sts::call_unsigned(app, &caller, operation).await?;
            return Ok(xml_response(output.to_query_xml(request_id), request_id));
        }
    }
    let parsed = sigv4::parse(&signed)
        .map_err(crate::auth::authenticate::sigv4_error)
        .inspect_err(authentication_failed)?;
    let access_key_id = parsed.access_key_id.clone().into_owned();
    audit::note(|outcome| outcome.access_key_id = Some(access_key_id));
    let who = authenticate(
        &app.authenticator(),
        &signed,
        parsed,
        service.signing_name(),
    )
    .await
    .inspect_err(authentication_failed)?;
    let principal_arn = who.principal.arn();
    let account = who.principal.account;
    let region = who.region.clone();
    audit::note(|outcome| {
        outcome.principal = Some((principal_arn, account));
        outcome.region = Some(region);
    });
    let context = RequestContext {
        request_id: request_id.to_owned(),
        principal: who.principal,
        region: who.region,
        source_ip: peer.ip(),
        secure_transport: secure,
        now: time::OffsetDateTime::now_utc(),
        user_agent: user_agent(parts),
    };
    match route {
        Route::Query {
            service: Service::Sts,
            params,
        } => {
            let operation = wire::sts::Operation::from_query(&params)?;
            audit::note_operation(operation.name(), operation.is_read_only());
            let output = services::sts::call(app, &context, operation).await?;
            Ok(xml_response(output.to_query_xml(request_id), request_id))
        }
        Route::Query { params, .. } => {
            let operation = wire::iam::Operation::from_query(&params)?;
            audit::note_operation(operation.name(), operation.is_read_only());
            let output = services::iam::call(app, &context, operation).await?;
            Ok(xml_response(output.to_query_xml(request_id), request_id))
        }
        Route::Json {
            service: Service::Organizations,
            operation,
        } => {
            let operation = wire::organizations::Operation::from_json(&operation, body)?;
            audit::note_operation(operation.name(), operation.is_read_only());
            let output = services::organizations::call(app, &context, operation).await?;
            Ok(json_response(output.to_json(), request_id))
        }
        Route::Json { operation, .. } => {
            let operation = wire::service_quotas::Operation::from_json(&operation, body)?;
            audit::note_operation(operation.name(), operation.is_read_only());
            let output = services::quotas::call(app, &context, operation).await?;
            Ok(json_response(output.to_json(), request_id))
        }
    }
}

/// The client's `User-Agent`, when it is text.
fn user_agent(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// Counts an authentication failure by the error code answered.
fn authentication_failed(error: &ServiceError) {
    let reason = match &error.code {
        std::borrow::Cow::Borrowed(code) => code,
        std::borrow::Cow::Owned(_) => "other",
    };
    crate::metrics::authentication_failure(reason);
}

/// Where a request goes, decided before authentication.
enum Route {
    Query {
        service: Service,
        params: wire::query::QueryParams,
    },
    Json {
        service: Service,
        operation: String,
    },
}

impl Route {
    fn service(&self) -> Service {
        match self {
            Self::Query { service, .. } | Self::Json { service, .. } => *service,
        }
    }

    /// The operation the request names, if the service has one of that name (known
    /// before authentication, so that refused requests are recorded with it).
    /// With it, whether that operation only reads.
    fn operation_name(&self) -> Option<(&'static str, bool)> {
        let (names, read_only, wanted): (&[&'static str], fn(&str) -> bool, &str) = match self {
            Self::Query { service, params } => {
                let action = params.get("Action")?;
                if *service == Service::Sts {
                    (
                        wire::sts::OPERATION_NAMES,
                        wire::sts::is_read_only_name,
                        action,
                    )
                } else {
                    (
                        wire::iam::OPERATION_NAMES,
                        wire::iam::is_read_only_name,
                        action,
                    )
                }
            }
            Self::Json { service, operation } => {
                if *service == Service::Organizations {
                    (
                        wire::organizations::OPERATION_NAMES,
                        wire::organizations::is_read_only_name,
                        operation,
                    )
                } else {
                    (
                        wire::service_quotas::OPERATION_NAMES,
                        wire::service_quotas::is_read_only_name,
                        operation,
                    )
                }
            }
        };
        let name = names.iter().find(|name| **name == wanted).copied()?;
        Some((name, read_only(name)))
    }

    /// `X-Amz-Target: <TargetPrefix>.<Operation>`.
    fn json(target: &str) -> Result<Self, ServiceError> {
        let (prefix, operation) = target
            .split_once('.')
            .ok_or_else(|| unknown_operation(target))?;
        let service = if prefix == wire::organizations::TARGET_PREFIX {
            Service::Organizations
        } else if prefix == wire::service_quotas::TARGET_PREFIX {
            Service::Quotas
        } else {
            return Err(unknown_operation(target));
        };
        Ok(Self::Json {
            service,
            operation: operation.to_owned(),
        })
    }

    /// Parameters from the URL and, for form posts, the body. The service is the one
    /// the credential scope names when that is IAM or STS, else the one owning `Action`.
    fn query(parts: &Parts, body: &Bytes) -> Result<Self, ServiceError> {
        let mut params =
            wire::query::QueryParams::parse(parts.uri.query().unwrap_or("").as_bytes())?;
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        if is_form || (!body.is_empty() && parts.headers.get(header::CONTENT_TYPE).is_none()) {
            params.merge(wire::query::QueryParams::parse(body)?);
        }
        let service = match scope_service(parts) {
            Some("sts") => Service::Sts,
            Some("iam") => Service::Iam,
            _ => {
                let action = params.get("Action").unwrap_or_default();
                if wire::sts::OPERATION_NAMES.contains(&action) {
                    Service::Sts
                } else {
                    Service::Iam
                }
            }
        };
        Ok(Self::Query { service, params })
    }
}

/// The service named in the SigV4 credential scope, read without verifying anything.
fn scope_service(parts: &Parts) -> Option<&str> {
    let credential = match parts.headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let text = value.to_str().ok()?;
            let start = text.find("Credential=")? + "Credential=".len();
            let rest = text.get(start..)?;
            rest.split([',', ' ']).next()?
        }
        None => parts
            .uri
            .query()?
            .split('&')
            .find_map(|pair| pair.strip_prefix("X-Amz-Credential="))?,
    };
    // The scope ends `…/<region>/<service>/aws4_request`; presigned URLs encode `/` as %2F.
    if credential.contains("%2F") {
        return credential.rsplit("%2F").nth(1);
    }
    credential.rsplit('/').nth(1)
}

fn unknown_operation(target: &str) -> ServiceError {
    ServiceError::new(
        "UnknownOperationException",
        400,
        format!("unknown operation `{target}`"),
    )
}

fn xml_response(body: String, request_id: &str) -> Response {
    with_request_id(
        (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], body).into_response(),
        request_id,
    )
}

fn json_response(body: Vec<u8>, request_id: &str) -> Response {
    with_request_id(
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
            body,
        )
            .into_response(),
        request_id,
    )
}

fn with_request_id(mut response: Response, request_id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-amzn-requestid", value);
    }
    response
}

/// Renders an error in the request's protocol.
fn encode_error(protocol: Protocol, error: &ServiceError, request_id: &str) -> Response {
    if error.status >= 500 {
        tracing::warn!(code = %error.code, request_id, "request failed");
    }
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let response = match protocol {
        Protocol::Query(service) => {
            let body = match service {
                Service::Sts => wire::sts::query_error_xml(error, request_id),
                _ => wire::iam::query_error_xml(error, request_id),
            };
            (status, [(header::CONTENT_TYPE, "text/xml")], body).into_response()
        }
        Protocol::Json => {
            let body = Body::from(wire::json::json_error_body(error));
            (
                status,
                [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
                body,
            )
                .into_response()
        }
    };
    with_request_id(response, request_id)
}
