//! `DescribeEffectivePolicy`: the policy of a management type (tag, backup, AI opt-out,
//! chatbot, declarative, …) in force for an account, merged from the root down the
//! account's OU path to the account itself, with AWS's inheritance operators:
//! `@@assign` (replace), `@@append` and `@@remove` (edit an inherited list), and
//! `@@operators_allowed_for_child_policies` (what policies lower in the tree may still do
//! at that node and below: `@@all`, `@@none` or a list of operators). The effective policy
//! is the merged tree with every operator taken out.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use wire::organizations::{
    errors, DescribeEffectivePolicyRequest, DescribeEffectivePolicyResponse, EffectivePolicy,
    EffectivePolicyType,
};
use wire::ServiceError;

use crate::store::Tx;

use super::{invalid_input, OrgScope};

const ASSIGN: &str = "@@assign";
const APPEND: &str = "@@append";
const REMOVE: &str = "@@remove";
const CHILD_CONTROL: &str = "@@operators_allowed_for_child_policies";

/// One node of the tree being merged.
#[derive(Debug, Default)]
struct Node {
    /// The value an operator set here, if any.
    value: Option<Value>,
    children: BTreeMap<String, Node>,
    /// Operators that policies below `control_level` may use here and below.
    control: Option<(Vec<String>, usize)>,
}

/// Merges policy documents given level by level (root first); each level's documents in
/// attachment order. Documents were checked to be JSON objects when they were stored;
/// anything else is skipped.
pub fn merge(levels: &[Vec<Value>]) -> Option<Value> {
    let mut root = Node::default();
    for (level, documents) in levels.iter().enumerate() {
        for document in documents {
            if let Value::Object(object) = document {
                apply(&mut root, object, level, &[]);
            }
        }
    }
    render(&root)
}

/// True when every restriction on the path (set at a higher level) lets `operator` through.
fn permitted(restrictions: &[&Vec<String>], operator: &str) -> bool {
    restrictions.iter().all(|allowed| {
        allowed.iter().any(|name| name == "@@all") || allowed.iter().any(|name| name == operator)
    })
}

fn apply(node: &mut Node, object: &Map<String, Value>, level: usize, inherited: &[&Vec<String>]) {
    // Restrictions in force for this level at this node: those above, and this node's own
    // when a higher level set it.
    let own = node
        .control
        .as_ref()
        .filter(|(_, set_at)| *set_at < level)
        .map(|(allowed, _)| allowed.clone());
    let mut restrictions: Vec<&Vec<String>> = inherited.to_vec();
    if let Some(allowed) = &own {
        restrictions.push(allowed);
    }
    for (key, value) in object {
        match key.as_str() {
            CHILD_CONTROL => {
                let allowed = match value {
                    Value::Object(inner) => inner.get(ASSIGN).cloned().unwrap_or(Value::Null),
                    other => other.clone(),
                };
                let allowed: Vec<String> = match allowed {
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_owned))
                        .collect(),
                    Value::String(one) => vec![one],
                    _ => continue,
                };
                if permitted(&restrictions, ASSIGN) {
                    node.control = Some((allowed, level));
                }
            }
            ASSIGN => {
                if permitted(&restrictions, ASSIGN) {
                    node.value = Some(value.clone());
                    node.children.clear();
                }
            }
            APPEND => {
                if permitted(&restrictions, APPEND) {
                    node.value = Some(appended(node.value.take(), value));
                }
            }
            REMOVE => {
                if permitted(&restrictions, REMOVE) {
                    node.value = removed(node.value.take(), value);
                }
            }
            _ if key.starts_with("@@") => {}
            _ => {
                let child = node.children.entry(key.clone()).or_default();
                match value {
                    Value::Object(inner) => apply(child, inner, level, &restrictions),
                    // A plain value is an assignment.
                    plain => {
                        if permitted(&restrictions, ASSIGN) {
                            child.value = Some(plain.clone());
                        }
                    }
                }
            }
        }
    }
}

fn as_list(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

fn appended(existing: Option<Value>, added: &Value) -> Value {
    let mut items = existing.map(as_list).unwrap_or_default();
    for item in as_list(added.clone()) {
        if !items.contains(&item) {
            items.push(item);
        }
    }
    Value::Array(items)
}

fn removed(existing: Option<Value>, taken: &Value) -> Option<Value> {
    let taken = as_list(taken.clone());
    match existing? {
        Value::Array(items) => Some(Value::Array(
            items
                .into_iter()
                .filter(|item| !taken.contains(item))
                .collect(),
        )),
        one if taken.contains(&one) => None,
        one => Some(one),
    }
}

fn render(node: &Node) -> Option<Value> {
    if !node.children.is_empty() {
        let object: Map<String, Value> = node
            .children
            .iter()
            .filter_map(|(key, child)| render(child).map(|value| (key.clone(), value)))
            .collect();
        return (!object.is_empty()).then_some(Value::Object(object));
    }
    node.value.clone()
}

pub(super) async fn handle_describe_effective_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DescribeEffectivePolicyRequest,
) -> Result<DescribeEffectivePolicyResponse, ServiceError> {
    if let EffectivePolicyType::Unknown(name) = &input.policy_type {
        return Err(invalid_input(
            "INVALID_ENUM_POLICY_TYPE",
            &format!("You specified an invalid policy type string: {name}."),
        ));
    }
    let policy_type = input.policy_type.as_str().to_owned();
    let caller = scope.context.principal.account.to_string();
    let target = input.target_id.clone().unwrap_or_else(|| caller.clone());
    if target.starts_with("r-") || target.starts_with("ou-") {
        return Err(invalid_input(
            "TARGET_NOT_SUPPORTED",
            "You can't specify an organization root or organizational unit (OU) as the target.",
        ));
    }
    // A member account may ask about itself only.
    if target != caller && caller != scope.management() {
        return Err(super::access_denied());
    }
    let not_found = || {
        errors::target_not_found_exception(
            "We can't find a root, OU, account, or email that you specified.",
        )
    };
    let position = tx
        .org_position(&target)
        .await
        .map_err(|err| scope.internal(err))?
        .filter(|position| position.org_id == scope.org_id())
        .ok_or_else(not_found)?;
    let enabled = tx
        .enabled_policy_types(scope.org_id())
        .await
        .map_err(|err| scope.internal(err))?;
    let missing = || {
        errors::effective_policy_not_found_exception(
            "We can't find an effective policy for the specified target and policy type.",
        )
    };
    if !enabled.contains(&policy_type) {
        return Err(missing());
    }
    let along = tx
        .policies_along(&position, &target, Some(&policy_type))
        .await
        .map_err(|err| scope.internal(err))?;
    let mut levels = Vec::with_capacity(along.len());
    let mut updated = 0;
    for (_, attached) in along {
        let mut documents = Vec::with_capacity(attached.len());
        for record in attached {
            updated = updated.max(record.created_at);
            // Stored documents were checked to be JSON; one that is not contributes nothing.
            if let Ok(document) = serde_json::from_str::<Value>(&record.content) {
                documents.push(document);
            }
        }
        levels.push(documents);
    }
    let effective = merge(&levels).ok_or_else(missing)?;
    Ok(DescribeEffectivePolicyResponse {
        effective_policy: Some(EffectivePolicy {
            policy_content: Some(effective.to_string()),
            last_updated_timestamp: Some(crate::store::from_millis(updated)),
            target_id: Some(target),
            policy_type: Some(input.policy_type),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn children_replace_append_and_remove_what_they_inherit() {
        let root = json!({"tags": {"costcenter": {
            "tag_key": {"@@assign": "CostCenter"},
            "tag_value": {"@@assign": ["100", "200"]},
            "enforced_for": {"@@assign": ["ec2:instance"]}}}});
        let ou = json!({"tags": {"costcenter": {
            "tag_value": {"@@append": ["300"]},
            "enforced_for": {"@@remove": ["ec2:instance"]}}}});
        let account = json!({"tags": {"project": {"tag_key": {"@@assign": "Project"}}}});
        let merged = merge(&[vec![root], vec![ou], vec![account]]).unwrap();
        assert_eq!(
            merged,
            json!({"tags": {
                "costcenter": {"enforced_for": [], "tag_key": "CostCenter", "tag_value": ["100", "200", "300"]},
                "project": {"tag_key": "Project"}}})
        );
    }

    #[test]
    fn child_control_operators_bind_lower_levels_only() {
        let root = json!({"tags": {"costcenter": {
            "tag_key": {"@@assign": "CostCenter", "@@operators_allowed_for_child_policies": ["@@none"]},
            "tag_value": {"@@assign": ["100"], "@@operators_allowed_for_child_policies": ["@@append"]}}}});
        let same_level = json!({"tags": {"costcenter": {"tag_key": {"@@assign": "costcenter"}}}});
        let ou = json!({"tags": {"costcenter": {
            "tag_key": {"@@assign": "COSTCENTER"},
            "tag_value": {"@@append": ["200"], "@@remove": ["100"]}}}});
        let merged = merge(&[vec![root, same_level], vec![ou]]).unwrap();
        // The same level may still change the key; the OU may not; the OU may append to
        // the values but not remove from them.
        assert_eq!(
            merged,
            json!({"tags": {"costcenter": {"tag_key": "costcenter", "tag_value": ["100", "200"]}}})
        );
    }

    #[test]
    fn nothing_in_force_is_no_policy() {
        assert_eq!(merge(&[vec![], vec![]]), None);
        assert_eq!(merge(&[vec![json!({})]]), None);
        assert_eq!(
            merge(&[vec![json!({"optOut": {"@@assign": "optOut"}})]]),
            Some(json!({"optOut": "optOut"}))
        );
    }
}
