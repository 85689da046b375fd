//! The policy document model: a faithful picture of the JSON as written.
//!
//! It keeps string-versus-list, element spelling (`Action` vs `NotAction`), condition
//! operators as written and the order of entries, so a document prints back to JSON that
//! parses to the same model. It holds no compiled matching state; see `compile`.

mod parse;
mod print;

use crate::error::ValidationErrors;
use crate::kind::PolicyKind;

pub(crate) use parse::parse_node;

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2008-10-17`: policy variables are not recognised.
    V2008_10_17,
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
}

impl Version {
    /// The version string as written in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2008_10_17 => "2008-10-17",
            Version::V2012_10_17 => "2012-10-17",
        }
    }
}

/// A value AWS lets authors write either alone or as a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OneOrMany<T> {
    /// Written as a single value.
    One(T),
    /// Written as a JSON array.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values, whichever way they were written.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v),
            OneOrMany::Many(v) => v,
        }
    }

    /// Iterates over the values.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.as_slice().iter()
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

impl Effect {
    /// The spelling used in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A whole policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    /// `Version`, if written (absent means 2008-10-17 semantics).
    pub version: Option<Version>,
    /// `Id`, if written.
    pub id: Option<String>,
    /// `Statement`, as an object or an array.
    pub statement: OneOrMany<Statement>,
}

/// The keys of a `Principal` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// `AWS`: account ids, IAM/STS ARNs, or `*`.
    Aws,
    /// `Service`: service principals such as `ec2.amazonaws.com`.
    Service,
    /// `Federated`: identity providers (SAML/OIDC ARNs or web identity domains).
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalType {
    /// The key as written in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// The value of `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principals {
    /// `"*"`: everyone.
    Wildcard,
    /// `{"AWS": ..., "Service": ...}` in written order.
    Map(Vec<(PrincipalType, OneOrMany<String>)>),
}

/// `Principal` (or `NotPrincipal` when `negated`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalElement {
    /// Written as `NotPrincipal`.
    pub negated: bool,
    /// The principals named.
    pub principals: Principals,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListElement {
    /// Written as the `Not…` form.
    pub negated: bool,
    /// The patterns.
    pub values: OneOrMany<String>,
}

/// A condition value as written: JSON strings, numbers and booleans are all allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionValue {
    /// A JSON string.
    String(String),
    /// A JSON number, kept as its source text.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
}

impl ConditionValue {
    /// The value as the text conditions compare.
    pub fn as_text(&self) -> &str {
        match self {
            ConditionValue::String(s) | ConditionValue::Number(s) => s,
            ConditionValue::Bool(true) => "true",
            ConditionValue::Bool(false) => "false",
        }
    }
}

/// One operator block of `Condition`: `"StringEquals": {"aws:username": "bob"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: String,
    /// Keys (as written) and their values, in written order.
    pub entries: Vec<(String, OneOrMany<ConditionValue>)>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid`, if written.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`.
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction`.
    pub action: Option<ListElement>,
    /// `Resource` or `NotResource`.
    pub resource: Option<ListElement>,
    /// `Condition` blocks, if written.
    pub condition: Option<Vec<Condition>>,
}

impl PolicyDocument {
    /// Parses and validates `text` as a policy of `kind`, with IAM's messages.
    pub fn parse(text: &str, kind: PolicyKind) -> Result<PolicyDocument, ValidationErrors> {
        parse::parse_text(text, kind)
    }

    /// The statements, whichever way `Statement` was written.
    pub fn statements(&self) -> &[Statement] {
        self.statement.as_slice()
    }

    /// Whether policy variables are recognised (version 2012-10-17).
    pub fn has_variables(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }

    /// Prints the document as compact JSON that parses back to an equal document.
    pub fn to_json(&self) -> String {
        print::document(self)
    }
}

#[cfg(test)]
mod tests;
