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
    EffectivePolicyType, EffectivePolicyValidationError,
    ListAccountsWithInvalidEffectivePolicyRequest, ListAccountsWithInvalidEffectivePolicyResponse,
    ListEffectivePolicyValidationErrorsRequest, ListEffectivePolicyValidationErrorsResponse,
};
use wire::ServiceError;

use crate::store::{OrgPosition, Tx};

use super::{invalid_input, pagination, OrgScope};

const ASSIGN: &str = "@@assign";
const APPEND: &str = "@@append";
const REMOVE: &str = "@@remove";
const CHILD_CONTROL: &str = "@@operators_allowed_for_child_policies";

/// One node of the tree being merged.
#[derive(Debug, Default)]
struct Node {
    /// The value an operator set here, if any, and the policy that set it.
    value: Option<Value>,
    value_from: Option<String>,
    children: BTreeMap<String, Node>,
    /// Operators that policies below `control_level` may use here and below, and the
    /// policy that said so.
    control: Option<Control>,
}

#[derive(Debug, Clone)]
struct Control {
    allowed: Vec<String>,
    level: usize,
    policy: String,
}

/// Why a merged policy is not what its policies asked for: a policy used an operator a
/// policy higher in the tree forbids at that node (`OPERATOR_NOT_ALLOWED`; the operator
/// is ignored), or added to or removed from a value that is not a list
/// (`OPERATOR_REQUIRES_LIST`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub code: &'static str,
    pub message: String,
    /// The keys from the top of the document to the node, joined with `/`.
    pub path: String,
    /// The policies involved, the earlier (higher) one first.
    pub policies: Vec<String>,
}

/// Merges policy documents given level by level (root first); each level's documents in
/// attachment order. Documents were checked to be JSON objects when they were stored;
/// anything else is skipped.
#[cfg(test)]
pub fn merge(levels: &[Vec<Value>]) -> Option<Value> {
    let levels: Vec<Vec<(String, Value)>> = levels
        .iter()
        .map(|documents| {
            documents
                .iter()
                .map(|document| (String::new(), document.clone()))
                .collect()
        })
        .collect();
    merge_checked(&levels).0
}

/// [`merge`] over documents tagged with their policy ids, reporting every violation.
pub fn merge_checked(levels: &[Vec<(String, Value)>]) -> (Option<Value>, Vec<Violation>) {
    let mut root = Node::default();
    let mut violations = Vec::new();
    for (level, documents) in levels.iter().enumerate() {
        for (policy, document) in documents {
            if let Value::Object(object) = document {
                let mut merge = Merge {
                    level,
                    policy,
                    path: Vec::new(),
                    violations: &mut violations,
                };
                merge.apply(&mut root, object, &[]);
            }
        }
    }
    (render(&root), violations)
}

/// One document being merged into the tree.
struct Merge<'a> {
    level: usize,
    policy: &'a str,
    path: Vec<String>,
    violations: &'a mut Vec<Violation>,
}

impl Merge<'_> {
    /// Whether every restriction on the path (set at a higher level) lets `operator`
    /// through; records the violation when one does not.
    fn permitted(&mut self, restrictions: &[Control], operator: &str) -> bool {
        let denied = restrictions.iter().find(|control| {
            !control
                .allowed
                .iter()
                .any(|name| name == "@@all" || name == operator)
        });
        let Some(control) = denied else {
            return true;
        };
        self.violations.push(Violation {
            code: "OPERATOR_NOT_ALLOWED",
            message: format!(
                "the operator `{operator}` is not allowed here: a policy higher in the organization limits child policies to {}",
                control.allowed.join(", ")
            ),
            path: self.path.join("/"),
            policies: vec![control.policy.clone(), self.policy.to_owned()],
        });
        false
    }

    /// Records an `@@append` or `@@remove` on a value that is not a list.
    fn check_list(&mut self, node: &Node, operator: &str) {
        let scalar = matches!(
            node.value,
            Some(Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Object(_))
        );
        if scalar {
            let mut policies: Vec<String> = node.value_from.iter().cloned().collect();
            policies.push(self.policy.to_owned());
            self.violations.push(Violation {
                code: "OPERATOR_REQUIRES_LIST",
                message: format!(
                    "the operator `{operator}` applies to a list, and this value is not one"
                ),
                path: self.path.join("/"),
                policies,
            });
        }
    }

    fn apply(&mut self, node: &mut Node, object: &Map<String, Value>, inherited: &[Control]) {
        // Restrictions in force for this level at this node: those above, and this
        // node's own when a higher level set it.
        let mut restrictions: Vec<Control> = inherited.to_vec();
        if let Some(control) = node.control.as_ref().filter(|c| c.level < self.level) {
            restrictions.push(control.clone());
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
                    if self.permitted(&restrictions, ASSIGN) {
                        node.control = Some(Control {
                            allowed,
                            level: self.level,
                            policy: self.policy.to_owned(),
                        });
                    }
                }
                ASSIGN => {
                    if self.permitted(&restrictions, ASSIGN) {
                        node.value = Some(value.clone());
                        node.value_from = Some(self.policy.to_owned());
                        node.children.clear();
                    }
                }
                APPEND => {
                    if self.permitted(&restrictions, APPEND) {
                        self.check_list(node, APPEND);
                        node.value = Some(appended(node.value.take(), value));
                    }
                }
                REMOVE => {
                    if self.permitted(&restrictions, REMOVE) {
                        self.check_list(node, REMOVE);
                        node.value = removed(node.value.take(), value);
                    }
                }
                _ if key.starts_with("@@") => {}
                _ => {
                    let child = node.children.entry(key.clone()).or_default();
                    self.path.push(key.clone());
                    match value {
                        Value::Object(inner) => self.apply(child, inner, &restrictions),
                        // A plain value is an assignment, bound by the node's own
                        // restriction as `@@assign` would be.
                        plain => {
                            let mut bound = restrictions.clone();
                            if let Some(control) =
                                child.control.as_ref().filter(|c| c.level < self.level)
                            {
                                bound.push(control.clone());
                            }
                            if self.permitted(&bound, ASSIGN) {
                                child.value = Some(plain.clone());
                                child.value_from = Some(self.policy.to_owned());
                            }
                        }
                    }
                    self.path.pop();
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
        .await?
        .filter(|position| position.org_id == scope.org_id())
        .ok_or_else(not_found)?;
    let enabled = tx.enabled_policy_types(scope.org_id()).await?;
    let missing = || {
        errors::effective_policy_not_found_exception(
            "We can't find an effective policy for the specified target and policy type.",
        )
    };
    if !enabled.contains(&policy_type) {
        return Err(missing());
    }
    let (effective, _, updated) = evaluate(scope, tx, &position, &target, &policy_type).await?;
    let effective = effective.ok_or_else(missing)?;
    Ok(DescribeEffectivePolicyResponse {
        effective_policy: Some(EffectivePolicy {
            policy_content: Some(effective.to_string()),
            last_updated_timestamp: Some(crate::store::from_millis(updated)),
            target_id: Some(target),
            policy_type: Some(input.policy_type),
        }),
    })
}

/// Merges the policies of one type along an account's OU path: the effective policy,
/// its violations, and when its newest policy was written.
async fn evaluate(
    _scope: &OrgScope<'_>,
    tx: &mut Tx,
    position: &OrgPosition,
    account: &str,
    policy_type: &str,
) -> Result<(Option<Value>, Vec<Violation>, i64), ServiceError> {
    let along = tx
        .policies_along(position, account, Some(policy_type))
        .await?;
    let mut levels = Vec::with_capacity(along.len());
    let mut updated = 0;
    for (_, attached) in along {
        let mut documents = Vec::with_capacity(attached.len());
        for record in attached {
            updated = updated.max(record.created_at);
            // Stored documents were checked to be JSON; one that is not contributes nothing.
            if let Ok(document) = serde_json::from_str::<Value>(&record.content) {
                documents.push((record.policy_id, document));
            }
        }
        levels.push(documents);
    }
    let (effective, violations) = merge_checked(&levels);
    Ok((effective, violations, updated))
}

/// The policy type of a request: known, and enabled in the organization (else AWS's
/// `EffectivePolicyNotFoundException`).
async fn enabled_type(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    policy_type: &EffectivePolicyType,
) -> Result<String, ServiceError> {
    if let EffectivePolicyType::Unknown(name) = policy_type {
        return Err(invalid_input(
            "INVALID_ENUM_POLICY_TYPE",
            &format!("You specified an invalid policy type string: {name}."),
        ));
    }
    let enabled = tx.enabled_policy_types(scope.org_id()).await?;
    if !enabled.iter().any(|name| name == policy_type.as_str()) {
        return Err(errors::effective_policy_not_found_exception(
            "We can't find an effective policy for the specified target and policy type.",
        ));
    }
    Ok(policy_type.as_str().to_owned())
}

pub(super) async fn handle_list_accounts_with_invalid_effective_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListAccountsWithInvalidEffectivePolicyRequest,
) -> Result<ListAccountsWithInvalidEffectivePolicyResponse, ServiceError> {
    let policy_type = enabled_type(scope, tx, &input.policy_type).await?;
    let members = tx.members(scope.org_id(), None).await?;
    let mut invalid = Vec::new();
    for (member, account) in members {
        let Some(position) = tx
            .org_position(&member.account_id)
            .await?
            .filter(|position| position.org_id == scope.org_id())
        else {
            continue;
        };
        let (_, violations, _) =
            evaluate(scope, tx, &position, &member.account_id, &policy_type).await?;
        if !violations.is_empty() {
            invalid.push((member, account));
        }
    }
    let (page, next_token) =
        pagination::page(invalid, input.next_token.as_deref(), input.max_results)?;
    let mut accounts = Vec::with_capacity(page.len());
    for (member, account) in &page {
        accounts.push(super::accounts::account_to_wire(scope, member, account));
    }
    Ok(ListAccountsWithInvalidEffectivePolicyResponse {
        accounts: Some(accounts),
        policy_type: Some(input.policy_type),
        next_token,
    })
}

pub(super) async fn handle_list_effective_policy_validation_errors(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListEffectivePolicyValidationErrorsRequest,
) -> Result<ListEffectivePolicyValidationErrorsResponse, ServiceError> {
    let position = tx
        .org_position(&input.account_id)
        .await?
        .filter(|position| position.org_id == scope.org_id())
        .ok_or_else(|| {
            errors::account_not_found_exception(
                "We can't find an AWS account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.",
            )
        })?;
    let policy_type = enabled_type(scope, tx, &input.policy_type).await?;
    let (effective, violations, updated) =
        evaluate(scope, tx, &position, &input.account_id, &policy_type).await?;
    if effective.is_none() && violations.is_empty() {
        return Err(errors::effective_policy_not_found_exception(
            "We can't find an effective policy for the specified target and policy type.",
        ));
    }
    let (page, next_token) =
        pagination::page(violations, input.next_token.as_deref(), input.max_results)?;
    Ok(ListEffectivePolicyValidationErrorsResponse {
        account_id: Some(input.account_id.clone()),
        policy_type: Some(input.policy_type),
        path: Some(format!("{}{}/", position.path(), input.account_id)),
        evaluation_timestamp: Some(crate::store::from_millis(updated)),
        next_token,
        effective_policy_validation_errors: Some(
            page.into_iter()
                .map(|violation| EffectivePolicyValidationError {
                    error_code: Some(violation.code.to_owned()),
                    error_message: Some(violation.message),
                    path_to_error: Some(violation.path),
                    contributing_policies: Some(violation.policies),
                })
                .collect(),
        ),
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

    /// A violation as the tests compare it: code, path, policies.
    type Found = (&'static str, String, Vec<String>);

    fn check(levels: &[Vec<(&str, Value)>]) -> (Option<Value>, Vec<Found>) {
        let levels: Vec<Vec<(String, Value)>> = levels
            .iter()
            .map(|docs| {
                docs.iter()
                    .map(|(id, doc)| ((*id).to_owned(), doc.clone()))
                    .collect()
            })
            .collect();
        let (merged, violations) = merge_checked(&levels);
        let violations = violations
            .into_iter()
            .map(|v| (v.code, v.path, v.policies))
            .collect();
        (merged, violations)
    }

    #[test]
    fn forbidden_operators_are_reported_with_both_policies() {
        let root = json!({"tags": {"costcenter": {
            "tag_key": {"@@assign": "CostCenter", "@@operators_allowed_for_child_policies": ["@@none"]},
            "tag_value": {"@@assign": ["100"], "@@operators_allowed_for_child_policies": ["@@append"]}}}});
        let ou = json!({"tags": {"costcenter": {
            "tag_key": "costcenter",
            "tag_value": {"@@append": ["200"], "@@remove": ["100"]}}}});
        let (merged, violations) = check(&[vec![("p-root0000", root)], vec![("p-ou000000", ou)]]);
        assert_eq!(
            merged,
            Some(
                json!({"tags": {"costcenter": {"tag_key": "CostCenter", "tag_value": ["100", "200"]}}})
            )
        );
        let both = vec!["p-root0000".to_owned(), "p-ou000000".to_owned()];
        assert_eq!(
            violations,
            vec![
                (
                    "OPERATOR_NOT_ALLOWED",
                    "tags/costcenter/tag_key".to_owned(),
                    both.clone()
                ),
                (
                    "OPERATOR_NOT_ALLOWED",
                    "tags/costcenter/tag_value".to_owned(),
                    both
                ),
            ]
        );
    }

    #[test]
    fn list_operators_on_a_single_value_are_reported() {
        let root = json!({"optOut": {"@@assign": "optOut"}});
        let ou = json!({"optOut": {"@@append": ["optIn"]}});
        let (_, violations) = check(&[vec![("p-root0000", root)], vec![("p-ou000000", ou)]]);
        assert_eq!(
            violations,
            vec![(
                "OPERATOR_REQUIRES_LIST",
                "optOut".to_owned(),
                vec!["p-root0000".to_owned(), "p-ou000000".to_owned()]
            )]
        );
        // Lists and values nobody set yet are fine.
        let (_, violations) = check(&[
            vec![("p-root0000", json!({"a": {"@@assign": ["x"]}}))],
            vec![(
                "p-ou000000",
                json!({"a": {"@@append": ["y"]}, "b": {"@@append": ["z"]}}),
            )],
        ]);
        assert!(violations.is_empty(), "{violations:?}");
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
