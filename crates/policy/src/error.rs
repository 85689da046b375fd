//! The crate's error type and the validation problems reported for a policy document.
//!
//! `ValidationError::message` carries IAM's own wording so the server can return it as is;
//! `detail` is our explanation for people running `gatehouse policy validate`.

use std::fmt;

/// Errors from this crate's fallible entry points.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A policy document failed validation.
    #[error("invalid policy document: {0}")]
    Invalid(ValidationErrors),
    /// An offline evaluation request line is not what the format expects.
    #[error("invalid request at `{pointer}`: {message}")]
    Request {
        /// JSON pointer into the request line.
        pointer: String,
        /// What is wrong there.
        message: String,
    },
    /// A `--kind` name is not one of the policy kinds.
    #[error("unknown policy kind `{0}`")]
    UnknownKind(String),
}

/// The AWS error code a validation problem maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `MalformedPolicyDocument` (IAM) / `MalformedPolicyDocumentException` (Organizations).
    MalformedPolicyDocument,
    /// `LimitExceeded`: the document is larger than its kind allows.
    LimitExceeded,
}

impl ErrorCode {
    /// IAM's spelling of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedPolicyDocument => "MalformedPolicyDocument",
            ErrorCode::LimitExceeded => "LimitExceeded",
        }
    }
}

/// One problem found in a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The AWS error code.
    pub code: ErrorCode,
    /// IAM's message, e.g. `Policy document should not specify a principal.`
    pub message: String,
    /// Our explanation, lowercase, user input in backticks.
    pub detail: String,
    /// JSON pointer to the offending value (`""` for the whole document).
    pub pointer: String,
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column (in characters) of the offending value.
    pub column: usize,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} ({})",
            self.line, self.column, self.message, self.detail
        )
    }
}

/// Every problem found in one document, in document order; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// The message IAM would return: that of the first problem.
    pub fn aws_message(&self) -> &str {
        self.0
            .first()
            .map_or("Syntax errors in policy.", |e| e.message.as_str())
    }

    /// The AWS error code of the first problem.
    pub fn code(&self) -> ErrorCode {
        self.0
            .first()
            .map_or(ErrorCode::MalformedPolicyDocument, |e| e.code)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}
