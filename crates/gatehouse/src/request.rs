//! What is known about one request besides its typed input: who sent it (the
//! authenticated principal), from where, when, for which region and over what transport.
//! Built once by the entry point that received the request (the API pipeline today) and
//! read by authorization, the services and the audit record alike, so every decision of
//! one request sees the same facts.

use std::net::IpAddr;

use crate::app::App;
use crate::auth::authorize::Environment;
use crate::auth::Principal;

/// One of the AWS services behind the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Identity and Access Management (awsQuery).
    Iam,
    /// Security Token Service (awsQuery).
    Sts,
    /// Organizations (awsJson1.1).
    Organizations,
    /// Service Quotas (awsJson1.1).
    Quotas,
}

impl Service {
    /// The SigV4 signing name clients put in the credential scope.
    pub fn signing_name(self) -> &'static str {
        match self {
            Self::Iam => "iam",
            Self::Sts => "sts",
            Self::Organizations => "organizations",
            Self::Quotas => "servicequotas",
        }
    }
}

/// What is known of a request before, or without, authentication: where it came from,
/// when, for which region and over what transport. The unsigned STS operations (the
/// token is the proof) have only this.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The caller's address (`aws:SourceIp`).
    pub source_ip: IpAddr,
    /// Whether it came over TLS (`aws:SecureTransport`).
    pub secure_transport: bool,
    /// The region of the credential scope, or the one the endpoint serves.
    pub region: String,
    /// When the request arrived (`aws:CurrentTime`, `aws:EpochTime`).
    pub now: time::OffsetDateTime,
    /// The client's `User-Agent` (`aws:UserAgent`).
    pub user_agent: Option<String>,
}

impl Origin {
    /// The facts global condition keys are made of.
    pub fn environment<'a>(&'a self, app: &'a App) -> Environment<'a> {
        environment(
            app,
            (self.source_ip, self.secure_transport),
            (&self.region, self.user_agent.as_deref()),
            self.now,
        )
    }
}

/// The environment of a request from its facts and the deployment's settings.
fn environment<'a>(
    app: &'a App,
    (source_ip, secure_transport): (IpAddr, bool),
    (region, user_agent): (&'a str, Option<&'a str>),
    now: time::OffsetDateTime,
) -> Environment<'a> {
    Environment {
        source_ip,
        region,
        now,
        secure_transport,
        user_agent,
        management_account: app.management_account(),
        authorization_messages: app
            .config()
            .encode_authorization_messages
            .then(|| app.master_key()),
    }
}

impl RequestContext {
    /// The facts global condition keys are made of: the same for every decision of the
    /// request.
    pub fn environment<'a>(&'a self, app: &'a App) -> Environment<'a> {
        environment(
            app,
            (self.source_ip, self.secure_transport),
            (&self.region, self.user_agent.as_deref()),
            self.now,
        )
    }

    /// Where the request came from, without who sent it.
    pub fn origin(&self) -> Origin {
        Origin {
            source_ip: self.source_ip,
            secure_transport: self.secure_transport,
            region: self.region.clone(),
            now: self.now,
            user_agent: self.user_agent.clone(),
        }
    }

    /// Notes the operation in the log, with who asked and from where.
    pub fn trace(&self, operation: &str) {
        tracing::debug!(
            request_id = %self.request_id,
            operation,
            principal = %self.principal.arn(),
            region = %self.region,
            source_ip = %self.source_ip,
            "request"
        );
    }
}

/// What a handler knows about the request besides its typed input.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The id returned to the client and written to the log.
    pub request_id: String,
    /// The authenticated caller.
    pub principal: Principal,
    /// Region of the credential scope.
    pub region: String,
    /// The caller's address.
    pub source_ip: IpAddr,
    /// Whether the request came over TLS.
    pub secure_transport: bool,
    /// When the request arrived: every decision of the request sees this time.
    pub now: time::OffsetDateTime,
    /// The client's `User-Agent` (`aws:UserAgent`).
    pub user_agent: Option<String>,
}
