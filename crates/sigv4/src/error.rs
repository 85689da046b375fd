//! The one error type of this crate: every way a request can fail SigV4 verification.
//!
//! `Display` is the client-visible message, in AWS's wording where AWS has one; `code` and
//! `status` are the AWS error code and HTTP status to send with it. Nothing here may carry
//! secret material: messages echo only what the client itself sent.

/// Why a request failed to authenticate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Neither an `Authorization` header nor presigned `X-Amz-*` query parameters.
    #[error("Request is missing Authentication Token")]
    MissingAuthentication,

    /// The `Authorization` header or the presigned query parameters are malformed or
    /// incomplete; the message says what is wrong, in AWS's words.
    #[error("{0}")]
    IncompleteSignature(String),

    /// A SigV4 algorithm other than `AWS4-HMAC-SHA256` (for example SigV4a).
    #[error("Unsupported AWS 'algorithm': '{0}'")]
    UnsupportedAlgorithm(String),

    /// The credential is not `keyid/date/region/service/aws4_request`.
    #[error(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{0}'"
    )]
    MalformedCredential(String),

    /// The request timestamp is not in ISO 8601 basic format (or, for `Date`, RFC 1123).
    #[error("Date must be in ISO-8601 'basic format'. Got '{0}'. See http://en.wikipedia.org/wiki/ISO_8601")]
    MalformedDate(String),

    /// The signature does not match the one we computed.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )]
    SignatureDoesNotMatch,

    /// The request time is further in the past than the allowed clock skew.
    #[error(
        "Signature expired: {request} is now earlier than {earliest} ({now} - {skew_minutes} min.)"
    )]
    SignatureExpired {
        /// The request time, `yyyymmddThhmmssZ`.
        request: String,
        /// The earliest accepted time.
        earliest: String,
        /// The server's time.
        now: String,
        /// The allowed skew in whole minutes.
        skew_minutes: i64,
    },

    /// The request time is further in the future than the allowed clock skew.
    #[error("Signature not yet current: {request} is still later than {latest} ({now} + {skew_minutes} min.)")]
    SignatureNotYetCurrent {
        /// The request time, `yyyymmddThhmmssZ`.
        request: String,
        /// The latest accepted time.
        latest: String,
        /// The server's time.
        now: String,
        /// The allowed skew in whole minutes.
        skew_minutes: i64,
    },

    /// A presigned request used after `X-Amz-Date + X-Amz-Expires`.
    #[error("Request has expired.")]
    RequestExpired,

    /// The date in the credential scope is not the date of the request timestamp.
    #[error(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{request_date}', from '{request_timestamp}'."
    )]
    CredentialDateMismatch {
        /// The date in the credential scope, as sent.
        scope_date: String,
        /// `yyyymmdd` of the request timestamp.
        request_date: String,
        /// The request timestamp, `yyyymmddThhmmssZ`.
        request_timestamp: String,
    },

    /// The credential scope names a region this server does not serve.
    #[error("Credential should be scoped to a valid region, not '{0}'. ")]
    InvalidRegion(String),

    /// The credential scope names another service than the one addressed.
    #[error("Credential should be scoped to correct service: '{expected}'. ")]
    InvalidService {
        /// The service this request was sent to.
        expected: String,
    },

    /// The credential scope does not end in `aws4_request`.
    #[error("Credential should be scoped with a valid terminator: 'aws4_request', not '{0}'. ")]
    InvalidTerminator(String),

    /// `host` is not among the signed headers.
    #[error("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")]
    HostNotSigned,

    /// A header that decides the request (its time, its session token) is sent but not
    /// signed.
    #[error("'{0}' must be a 'SignedHeader' in the AWS Authorization.")]
    HeaderNotSigned(&'static str),

    /// The body is not covered by the signature (`UNSIGNED-PAYLOAD`) where the service
    /// requires it to be.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )]
    UnsignedPayload,

    /// `X-Amz-Content-Sha256` is a SHA-256 that is not the body's.
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    PayloadHashMismatch,
}

impl Error {
    /// The AWS error code to send with this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingAuthentication => "MissingAuthenticationToken",
            Error::IncompleteSignature(_)
            | Error::UnsupportedAlgorithm(_)
            | Error::MalformedCredential(_)
            | Error::MalformedDate(_) => "IncompleteSignature",
            Error::SignatureDoesNotMatch
            | Error::SignatureExpired { .. }
            | Error::SignatureNotYetCurrent { .. }
            | Error::CredentialDateMismatch { .. }
            | Error::InvalidRegion(_)
            | Error::InvalidService { .. }
            | Error::InvalidTerminator(_)
            | Error::HostNotSigned
            | Error::HeaderNotSigned(_)
            | Error::UnsignedPayload => "SignatureDoesNotMatch",
            Error::RequestExpired => "RequestExpired",
            Error::PayloadHashMismatch => "XAmzContentSHA256Mismatch",
        }
    }

    /// The HTTP status to send with this error.
    pub fn status(&self) -> u16 {
        match self {
            Error::MissingAuthentication
            | Error::SignatureDoesNotMatch
            | Error::SignatureExpired { .. }
            | Error::SignatureNotYetCurrent { .. }
            | Error::CredentialDateMismatch { .. }
            | Error::InvalidRegion(_)
            | Error::InvalidService { .. }
            | Error::InvalidTerminator(_)
            | Error::HostNotSigned
            | Error::HeaderNotSigned(_)
            | Error::UnsignedPayload => 403,
            Error::IncompleteSignature(_)
            | Error::UnsupportedAlgorithm(_)
            | Error::MalformedCredential(_)
            | Error::MalformedDate(_)
            | Error::RequestExpired
            | Error::PayloadHashMismatch => 400,
        }
    }
}
