//! What a policy simulator reports about policies besides the decision: where each
//! statement sits in the policy's text, the condition keys a policy uses, and which of
//! them a request's context lacks. Pure, like the rest of the crate; it reads documents
//! and requests and decides nothing.

use crate::compile::CompiledPolicy;
use crate::document::PolicyDocument;
use crate::json;
use crate::request::Request;

/// A place in a policy's text: 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column within the line, from 1, counting characters.
    pub column: usize,
}

/// Where each statement of a policy's JSON text starts (its opening brace) and ends (its
/// closing brace), in document order. A `Statement` written as one object gives one span.
/// Empty when the text is not JSON or has no `Statement` (such text never compiles).
pub fn statement_positions(text: &str) -> Vec<(Position, Position)> {
    let Ok(root) = json::parse(text) else {
        return Vec::new();
    };
    let Some(statement) = root.value.get("Statement") else {
        return Vec::new();
    };
    let span = |node: &json::Node<'_>| {
        let at = |offset: usize| {
            let (line, column) = json::line_col(text, offset);
            Position { line, column }
        };
        (at(node.start), at(node.end.saturating_sub(1)))
    };
    match &statement.value {
        json::Value::Array(items) => items.iter().map(span).collect(),
        json::Value::Object(_) => vec![span(statement)],
        _ => Vec::new(),
    }
}

impl PolicyDocument {
    /// The context keys the statements use, each once (keys compare case-insensitively),
    /// spelled as first written, in document order: the policy variables of `Resource`
    /// (`${aws:username}`), then each condition key and the variables of its values.
    /// Variables count only in version 2012-10-17, where they are variables.
    pub fn context_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        let mut note = |key: &str| {
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                keys.push(key.to_owned());
            }
        };
        let variables = self.has_variables();
        for statement in self.statements() {
            if variables {
                for text in statement.resource.iter().flat_map(|r| r.values.iter()) {
                    variable_keys(text).for_each(&mut note);
                }
            }
            for block in statement.condition.iter().flatten() {
                for (key, values) in &block.entries {
                    note(key);
                    if variables {
                        for value in values.iter() {
                            variable_keys(value.as_text()).for_each(&mut note);
                        }
                    }
                }
            }
        }
        keys
    }
}

impl CompiledPolicy {
    /// The context keys this policy's statements need for the request but that its
    /// context does not hold, each once, as written: the condition keys of statements that
    /// match the request's action, resource and principal, and the policy variables
    /// (`${aws:username}`) of statements that match its action. These are the values a
    /// simulation would need to decide those statements.
    pub fn missing_context_keys(&self, request: &Request) -> Vec<String> {
        let mut missing: Vec<String> = Vec::new();
        let mut note = |key: &str| {
            if request.context().get(key).is_none()
                && !missing.iter().any(|k| k.eq_ignore_ascii_case(key))
            {
                missing.push(key.to_owned());
            }
        };
        let statements = self.document().statements();
        let variables = self.document().has_variables();
        for index in 0..self.len() {
            let Ok(position) = u32::try_from(index) else {
                break;
            };
            let (Some(compiled), Some(statement)) =
                (self.statement(position), statements.get(index))
            else {
                continue;
            };
            if !compiled.action_matches(request) {
                continue;
            }
            if variables {
                let resources = statement.resource.iter().flat_map(|r| r.values.iter());
                let values = statement
                    .condition
                    .iter()
                    .flatten()
                    .flat_map(|block| block.entries.iter())
                    .flat_map(|(_, values)| values.iter())
                    .map(crate::document::ConditionValue::as_text);
                for text in resources.map(String::as_str).chain(values) {
                    for key in variable_keys(text) {
                        note(key);
                    }
                }
            }
            if compiled.targets(request).is_none() {
                continue;
            }
            for block in statement.condition.iter().flatten() {
                for (key, _) in &block.entries {
                    note(key);
                }
            }
        }
        missing
    }
}

/// The context keys a text's policy variables name: `${aws:username}`, or
/// `${aws:PrincipalTag/team, 'none'}` (the key before a default value); never the
/// special `${*}`, `${?}` and `${$}`.
fn variable_keys(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|rest| {
        let inner = rest.split_once('}')?.0;
        let key = inner.split_once(',').map_or(inner, |(key, _)| key).trim();
        (!key.is_empty() && !matches!(key, "*" | "?" | "$")).then_some(key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::PolicyKind;
    use crate::request::{Principal, PrincipalKind};

    /// A statement's (line, column) of its start and of its end.
    type Span = ((usize, usize), (usize, usize));

    fn check_positions(text: &str, expected: &[Span]) {
        let found: Vec<Span> = statement_positions(text)
            .into_iter()
            .map(|(s, e)| ((s.line, s.column), (e.line, e.column)))
            .collect();
        assert_eq!(found, expected, "{text}");
    }

    #[test]
    fn statement_positions_point_at_the_braces() {
        check_positions(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            &[((1, 37), (1, 82))],
        );
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:Delete*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
        check_positions(text, &[((4, 5), (4, 58)), ((5, 5), (9, 5))]);
        // Columns count characters, not bytes.
        check_positions(
            r#"{"Id":"é","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            &[((1, 24), (1, 69))],
        );
        check_positions("not json", &[]);
        check_positions(r#"{"Version":"2012-10-17"}"#, &[]);
    }

    #[test]
    fn context_keys_are_listed_once_as_written() {
        let doc = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
               "Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"},
                            "IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
              {"Effect":"Deny","Action":"*","Resource":"*",
               "Condition":{"StringNotEquals":{"IAM:passedtoservice":"x"},
                            "ForAnyValue:StringLike":{"aws:TagKeys":"team*"}}},
              {"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        assert_eq!(
            doc.context_keys(),
            vec!["iam:PassedToService", "aws:SourceIp", "aws:TagKeys"]
        );
        // Variables in resources and condition values count, before and after the keys.
        let doc = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",
              "Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",
              "Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"},
                           "StringEquals":{"aws:RequestTag/owner":"${aws:userid}"}}}}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        assert_eq!(
            doc.context_keys(),
            vec![
                "aws:username",
                "aws:CurrentTime",
                "aws:RequestTag/owner",
                "aws:userid"
            ]
        );
    }

    #[test]
    fn missing_keys_come_from_statements_that_match_the_request() {
        let policy = CompiledPolicy::parse(
            "p",
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
               "Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com",
                                            "aws:RequestedRegion":"us-east-1"}}},
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
               "Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        let bob = Principal::new(
            PrincipalKind::User,
            "arn:aws:iam::123456789012:user/bob",
            "123456789012",
        );
        let pass = Request::new(
            bob.clone(),
            "iam:PassRole",
            "arn:aws:iam::123456789012:role/r",
        )
        .with_context("aws:RequestedRegion", "us-east-1");
        assert_eq!(
            policy.missing_context_keys(&pass),
            vec!["iam:PassedToService"]
        );
        let given = pass.with_context("iam:PassedToService", "ec2.amazonaws.com");
        assert!(policy.missing_context_keys(&given).is_empty());
        let other = Request::new(bob, "iam:GetUser", "*");
        assert!(policy.missing_context_keys(&other).is_empty());
    }

    #[test]
    fn missing_keys_include_policy_variables_of_statements_for_the_action() {
        let policy = CompiledPolicy::parse(
            "p",
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::*:user/${aws:username}",
               "Condition":{"StringEquals":{"aws:RequestTag/team":"${aws:PrincipalTag/team, 'none'}"}}},
              {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:userid}/${*}"}]}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        let nobody = Principal::new(PrincipalKind::User, "", "123456789012");
        let mut request = Request::new(nobody, "iam:CreateAccessKey", "*");
        request.context_mut().remove("aws:username");
        assert_eq!(
            policy.missing_context_keys(&request),
            vec!["aws:username", "aws:PrincipalTag/team"]
        );
        let bob = Principal::new(
            PrincipalKind::User,
            "arn:aws:iam::123456789012:user/bob",
            "123456789012",
        );
        let request = Request::new(
            bob,
            "iam:CreateAccessKey",
            "arn:aws:iam::123456789012:user/bob",
        );
        assert_eq!(
            policy.missing_context_keys(&request),
            vec!["aws:PrincipalTag/team", "aws:RequestTag/team"]
        );
        assert_eq!(variable_keys("a${*}b${?}${$}").count(), 0);
    }
}

/// Whether a policy's `Allow` statements grant some action of the service `namespace`
/// (`iam`, `sts`, …), as `ListPoliciesGrantingServiceAccess` asks: an `Action` pattern
/// whose service part matches it, or a `NotAction` that does not leave out the whole
/// service. Conditions and resources are not weighed, as AWS does not weigh them here.
pub fn grants_service(document: &PolicyDocument, namespace: &str) -> bool {
    document.statements().iter().any(|statement| {
        if statement.effect != crate::document::Effect::Allow {
            return false;
        }
        let Some(actions) = &statement.action else {
            return false;
        };
        let covers = |pattern: &str, whole_service: bool| {
            if pattern == "*" {
                return true;
            }
            let Some((service, action)) = pattern.split_once(':') else {
                return false;
            };
            glob_ignore_case(service.as_bytes(), namespace.as_bytes())
                && (!whole_service || action == "*")
        };
        if actions.negated {
            !actions
                .values
                .as_slice()
                .iter()
                .any(|pattern| covers(pattern, true))
        } else {
            actions
                .values
                .as_slice()
                .iter()
                .any(|pattern| covers(pattern, false))
        }
    })
}

/// `*` and `?` wildcards, ASCII case-insensitive (service names are ASCII).
fn glob_ignore_case(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| {
            text.get(skip..)
                .is_some_and(|tail| glob_ignore_case(rest, tail))
        }),
        Some((first, rest)) => match text.split_first() {
            Some((head, tail)) if *first == b'?' || first.eq_ignore_ascii_case(head) => {
                glob_ignore_case(rest, tail)
            }
            _ => false,
        },
    }
}

/// The service namespaces an `Allow` statement's `Action` names without a wildcard in
/// the service part (`s3:Get*` names `s3`; `*` and `s?s:*` name none), lower-cased and
/// each once. With [`grants_service`] this lists the services of a policy beyond a
/// known set, as the service last accessed reports do.
pub fn named_services(document: &PolicyDocument) -> Vec<String> {
    let mut named: Vec<String> = Vec::new();
    for statement in document.statements() {
        if statement.effect != crate::document::Effect::Allow {
            continue;
        }
        let Some(actions) = &statement.action else {
            continue;
        };
        if actions.negated {
            continue;
        }
        for pattern in actions.values.as_slice() {
            let Some((service, _)) = pattern.split_once(':') else {
                continue;
            };
            if service.is_empty() || service.contains(['*', '?']) {
                continue;
            }
            let service = service.to_ascii_lowercase();
            if !named.contains(&service) {
                named.push(service);
            }
        }
    }
    named
}

#[cfg(test)]
mod service_tests {
    use super::*;
    use crate::kind::PolicyKind;

    fn doc(statements: &str) -> PolicyDocument {
        PolicyDocument::parse(
            &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
            PolicyKind::Identity,
        )
        .unwrap()
    }

    #[test]
    fn allow_statements_grant_the_services_their_actions_name() {
        let policy = doc(
            r#"{"Effect":"Allow","Action":["iam:Get*","SQ?:Send*"],"Resource":"*"},
               {"Effect":"Deny","Action":"organizations:*","Resource":"*"}"#,
        );
        assert!(grants_service(&policy, "iam"));
        assert!(grants_service(&policy, "sqs"));
        assert!(!grants_service(&policy, "sns"));
        assert!(!grants_service(&policy, "organizations"));
        assert!(!grants_service(&policy, "sts"));
        assert!(grants_service(
            &doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
            "sts"
        ));
    }

    #[test]
    fn not_action_grants_every_service_it_does_not_leave_out_whole() {
        let policy =
            doc(r#"{"Effect":"Allow","NotAction":["iam:*","sts:AssumeRole"],"Resource":"*"}"#);
        assert!(!grants_service(&policy, "iam"));
        assert!(grants_service(&policy, "sts"));
        assert!(grants_service(&policy, "organizations"));
    }

    #[test]
    fn named_services_are_the_literal_service_parts_of_allowed_actions() {
        let policy = doc(
            r#"{"Effect":"Allow","Action":["S3:Get*","iam:ListUsers","s?s:*","*"],"Resource":"*"},
               {"Effect":"Deny","Action":"ec2:*","Resource":"*"},
               {"Effect":"Allow","NotAction":"kms:*","Resource":"*"},
               {"Effect":"Allow","Action":"s3:Put*","Resource":"*"}"#,
        );
        assert_eq!(named_services(&policy), vec!["s3", "iam"]);
    }
}
