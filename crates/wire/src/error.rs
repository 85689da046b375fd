//! The one error type every service handler returns and every codec renders.

use std::borrow::Cow;

/// Who is at fault, as AWS reports it (`<Type>Sender</Type>` in awsQuery errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The caller sent something wrong (4xx).
    Sender,
    /// The service failed (5xx).
    Receiver,
}

/// An AWS-shaped error: code, message, HTTP status and fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ServiceError {
    /// The AWS error code, e.g. `NoSuchEntity`.
    pub code: Cow<'static, str>,
    /// The client-visible message, in AWS's wording.
    pub message: String,
    /// The HTTP status code.
    pub status: u16,
    /// Sender or Receiver.
    pub fault: Fault,
    /// Further members of the model's error shape (e.g. Organizations' `Reason`), as
    /// name and text, rendered after the message.
    pub members: Vec<(Cow<'static, str>, String)>,
}

impl ServiceError {
    /// An error with an explicit code, status and message; the fault follows the status.
    pub fn new(
        code: impl Into<Cow<'static, str>>,
        status: u16,
        message: impl Into<String>,
    ) -> Self {
        let fault = if status >= 500 {
            Fault::Receiver
        } else {
            Fault::Sender
        };
        Self {
            code: code.into(),
            message: message.into(),
            status,
            fault,
            members: Vec::new(),
        }
    }

    /// `ValidationError` (400), the code IAM, STS and Organizations use for bad parameters.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationError", 400, message)
    }

    /// `InvalidAction` (400): the action is not one the service has.
    pub fn invalid_action(action: &str) -> Self {
        Self::new(
            "InvalidAction",
            400,
            format!("Could not find operation {action} for version"),
        )
    }

    /// `NotImplemented` (501): the operation exists in AWS's model but Gatehouse does not serve it yet.
    pub fn not_implemented(operation: &str) -> Self {
        Self::new(
            "NotImplemented",
            501,
            format!("the operation `{operation}` is not implemented by Gatehouse yet"),
        )
    }

    /// `InternalFailure` (500): the detail stays in the server's log.
    pub fn internal() -> Self {
        Self::new(
            "InternalFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }

    /// An error with every part explicit, as the generated error constructors build them.
    pub fn with_fault(
        code: impl Into<Cow<'static, str>>,
        status: u16,
        fault: Fault,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status,
            fault,
            members: Vec::new(),
        }
    }

    /// `ValidationException` (400), the awsJson1.1 services' code for bad parameters.
    pub fn validation_exception(message: impl Into<String>) -> Self {
        Self::new("ValidationException", 400, message)
    }

    /// `MissingAction` (400): an awsQuery request without an `Action` parameter.
    pub fn missing_action(version: Option<&str>) -> Self {
        let version = version.unwrap_or("NO_VERSION_SPECIFIED");
        Self::new(
            "MissingAction",
            400,
            format!("Could not find operation  for version {version}"),
        )
    }

    /// `MalformedQueryString` (400): the form body or query string cannot be decoded.
    pub fn malformed_query_string() -> Self {
        Self::new(
            "MalformedQueryString",
            400,
            "The query string contains a syntax error.",
        )
    }

    /// `SerializationException` (400): an awsJson1.1 body that is not the JSON the model expects.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", 400, message)
    }

    /// `UnknownOperationException` (400): an `X-Amz-Target` naming no operation of the service.
    pub fn unknown_operation() -> Self {
        Self::new("UnknownOperationException", 400, "")
    }

    /// Adds a member of the error shape besides the message, e.g.
    /// `errors::constraint_violation_exception(msg).with_member("Reason", "ACCOUNT_NUMBER_LIMIT_EXCEEDED")`.
    pub fn with_member(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.members.push((name.into(), value.into()));
        self
    }
}
