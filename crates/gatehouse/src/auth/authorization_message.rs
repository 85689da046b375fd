//! Encoded authorization failure messages: with `--encode-authorization-messages`, an
//! `AccessDenied` carries the details of the decision (AWS's decoded-message JSON:
//! `allowed`, `explicitDeny`, `matchedStatements`, `failures`, `context`) sealed with
//! AES-256-GCM under the master key; `sts:DecodeAuthorizationMessage` opens them. The
//! denied principal's account is the seal's associated data, so a message opens only for
//! callers of that account: it never tells another account about this one.

use base64::Engine;
use policy::{Decision, DecisionEffect, Request};
use serde_json::{json, Value};

use super::Principal;
use crate::secrets::MasterKey;

/// Associated data prefix: the purpose and version of the sealed message.
const SEAL_CONTEXT: &str = "gatehouse authorization message v1 account ";

fn items(values: impl IntoIterator<Item = Value>) -> Value {
    json!({ "items": values.into_iter().collect::<Vec<_>>() })
}

/// AWS's decoded form of a denial.
fn document(principal: &Principal, decision: &Decision<'_>, request: &Request) -> Value {
    let statements = decision.statements.iter().map(|statement| {
        json!({
            "statementId": statement.sid().unwrap_or_default(),
            "effect": match statement.effect {
                policy::Effect::Allow => "ALLOW",
                policy::Effect::Deny => "DENY",
            },
            "policyType": statement.policy_type.name(),
        })
    });
    let conditions = request.context().iter().map(|(key, value)| {
        json!({
            "key": key,
            "values": items(value.values().iter().map(|value| json!({ "value": value }))),
        })
    });
    json!({
        "allowed": decision.effect == DecisionEffect::Allow,
        "explicitDeny": decision.effect == DecisionEffect::ExplicitDeny,
        "matchedStatements": items(statements),
        "failures": items([]),
        "context": {
            "principal": { "id": principal.user_id(), "arn": principal.arn() },
            "action": request.action(),
            "resource": request.resource(),
            "conditions": items(conditions),
        },
    })
}

/// The encoded message of a denial.
pub fn encode(
    key: &MasterKey,
    principal: &Principal,
    decision: &Decision<'_>,
    request: &Request,
) -> String {
    let text = document(principal, decision, request).to_string();
    let context = format!("{SEAL_CONTEXT}{}", principal.account);
    let sealed = key.seal(context.as_bytes(), text.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed)
}

/// The JSON of an encoded message, when it is one this server sealed for `account`.
pub fn decode(key: &MasterKey, account: &str, encoded: &str) -> Option<String> {
    let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.trim())
        .ok()?;
    let context = format!("{SEAL_CONTEXT}{account}");
    let opened = key.open(context.as_bytes(), &sealed).ok()?;
    String::from_utf8(opened.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::PrincipalKind;
    use crate::model::{AccountId, Partition};

    fn key() -> MasterKey {
        MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
            .unwrap()
    }

    #[test]
    fn messages_open_for_their_account_only_and_never_when_altered() {
        let account = AccountId::parse("123456789012").unwrap();
        let principal = Principal {
            account,
            partition: Partition::AWS,
            kind: PrincipalKind::Root,
            access_key_id: "AKIAEXAMPLE".to_owned(),
            session: None,
        };
        let request = Request::new(
            policy::Principal::new(policy::PrincipalKind::Root, principal.arn(), "123456789012"),
            "iam:CreateUser",
            "arn:aws:iam::123456789012:user/x",
        )
        .with_context("aws:username", "bob");
        let decision = Decision {
            effect: DecisionEffect::ImplicitDeny,
            policy_type: None,
            statements: Vec::new(),
        };
        let encoded = encode(&key(), &principal, &decision, &request);
        let decoded: Value =
            serde_json::from_str(&decode(&key(), "123456789012", &encoded).unwrap()).unwrap();
        assert_eq!(decoded["allowed"], json!(false));
        assert_eq!(decoded["explicitDeny"], json!(false));
        assert_eq!(decoded["context"]["action"], json!("iam:CreateUser"));
        let conditions = decoded["context"]["conditions"]["items"]
            .as_array()
            .unwrap();
        assert!(conditions
            .contains(&json!({"key": "aws:username", "values": {"items": [{"value": "bob"}]}})));
        assert!(decode(&key(), "210987654321", &encoded).is_none());
        let mut altered = encoded.clone();
        altered.replace_range(10..11, if &encoded[10..11] == "A" { "B" } else { "A" });
        assert!(decode(&key(), "123456789012", &altered).is_none());
        assert!(decode(&key(), "123456789012", "garbage!").is_none());
    }
}
