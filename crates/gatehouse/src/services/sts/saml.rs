//! `AssumeRoleWithSAML`: a SAML 2.0 response from an IdP registered in the role's account
//! (`iam:CreateSAMLProvider`) buys a role session. The `federation` crate verifies the
//! response (signature with the provider's metadata certificates, issuer, AWS's recipient
//! and audience, validity); this module then
//! reads AWS's attributes (`Role`, `RoleSessionName`, `SessionDuration`, `PrincipalTag:*`,
//! `TransitiveTagKeys`, `SourceIdentity`) and lets the role's trust policy decide with the
//! provider as the federated principal and the `saml:*` condition keys. AWS serves this
//! call unsigned: the signed response is the proof of identity.

use base64::Engine;
use policy::{CompiledPolicy, ContextValue, PolicyKind};
use sha1::{Digest, Sha1};
use wire::sts::{errors, AssumeRoleWithSAMLRequest, AssumeRoleWithSAMLResponse, AssumedRoleUser};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize::{authorize_federated, Access};
use crate::auth::identity::organization_facts;
use crate::auth::session::Session;
use crate::auth::PrincipalKind;
use crate::model::{ids, AccessKeyId, AccountId};
use crate::services::iam::saml_metadata;

use super::{packed_size, sealed_credentials, session_policies};
use crate::request::Origin;

use federation::saml::{self, Assertion, Refusal};

/// Default session length, seconds.
const DEFAULT_DURATION: i64 = 3600;
const ATTRIBUTES: &str = "https://aws.amazon.com/SAML/Attributes/";
const NAME_ID_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:";

/// SAML attributes AWS exposes as `saml:` condition keys, by attribute name (OID).
const ATTRIBUTE_KEYS: &[(&str, &str)] = &[
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
        "saml:edupersonaffiliation",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.4",
        "saml:edupersonorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
        "saml:edupersonprimaryaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
        "saml:edupersonprincipalname",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
        "saml:edupersonentitlement",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
        "saml:edupersonprimaryorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
        "saml:edupersonscopedaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.10",
        "saml:edupersontargetedid",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.11",
        "saml:edupersonassurance",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.3",
        "saml:eduorgidentityauthnpolicyuri",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "saml:eduorglegalname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "saml:eduorgsuperioruri"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.6",
        "saml:eduorgwhitepagesuri",
    ),
    ("urn:oid:2.5.4.3", "saml:cn"),
    ("urn:oid:2.5.4.4", "saml:sn"),
    ("urn:oid:2.5.4.42", "saml:givenname"),
    ("urn:oid:2.16.840.1.113730.3.1.241", "saml:displayname"),
    ("urn:oid:0.9.2342.19200300.100.1.1", "saml:uid"),
    ("urn:oid:0.9.2342.19200300.100.1.3", "saml:mail"),
    (
        "urn:oid:1.3.6.1.4.1.25178.1.2.9",
        "saml:schachomeorganization",
    ),
];

/// A role session name: 2 to 64 of `[\w+=,.@-]`.
fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

fn refusal(refused: Refusal) -> ServiceError {
    match refused {
        Refusal::Invalid(message) => errors::invalid_identity_token(message),
        Refusal::Expired(message) => errors::expired_token_exception(message),
        Refusal::Rejected(message) => errors::idp_rejected_claim(message),
    }
}

fn denied() -> ServiceError {
    ServiceError::new(
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithSAML",
    )
}

/// Whether the `Role` attribute offers the pair: `role,provider` in either order.
fn offers_role(assertion: &Assertion, role_arn: &str, provider_arn: &str) -> bool {
    assertion
        .values(&format!("{ATTRIBUTES}Role"))
        .unwrap_or_default()
        .iter()
        .any(|value| {
            let mut parts = value.split(',').map(str::trim);
            match (parts.next(), parts.next(), parts.next()) {
                (Some(a), Some(b), None) => {
                    (a == role_arn && b == provider_arn) || (a == provider_arn && b == role_arn)
                }
                _ => false,
            }
        })
}

/// `SubjectType`: the NameID format without SAML's prefix; `unspecified` when absent.
fn subject_type(assertion: &Assertion) -> String {
    match &assertion.subject_format {
        Some(format) => format
            .strip_prefix(NAME_ID_FORMAT)
            .unwrap_or(format)
            .to_owned(),
        None => "unspecified".to_owned(),
    }
}

/// `NameQualifier`: base64(SHA-1(issuer + account id + "/" + provider name)).
fn name_qualifier(issuer: &str, account: &str, provider_name: &str) -> String {
    let digest = Sha1::digest(format!("{issuer}{account}/{provider_name}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// Session tags from `PrincipalTag:<key>` attributes and the transitive keys among them.
#[allow(clippy::type_complexity)]
fn assertion_tags(
    assertion: &Assertion,
) -> Result<(Vec<(String, String)>, Vec<String>), ServiceError> {
    let mut tags: Vec<(String, String)> = Vec::new();
    for (name, values) in &assertion.attributes {
        let Some(key) = name
            .strip_prefix(ATTRIBUTES)
            .and_then(|rest| rest.strip_prefix("PrincipalTag:"))
        else {
            continue;
        };
        let [value] = values.as_slice() else {
            return Err(errors::invalid_identity_token(format!(
                "the session tag attribute `{key}` must have exactly one value"
            )));
        };
        if tags
            .iter()
            .any(|(known, _)| known.eq_ignore_ascii_case(key))
        {
            return Err(errors::invalid_identity_token(format!(
                "the session tag `{key}` is set more than once"
            )));
        }
        tags.push((key.to_owned(), value.clone()));
    }
    if tags.len() > 50 {
        return Err(errors::invalid_identity_token(
            "a session may carry at most 50 session tags",
        ));
    }
    let mut transitive = Vec::new();
    for key in assertion
        .values(&format!("{ATTRIBUTES}TransitiveTagKeys"))
        .unwrap_or_default()
    {
        if !tags.iter().any(|(tag, _)| tag.eq_ignore_ascii_case(key)) {
            return Err(errors::invalid_identity_token(format!(
                "the transitive tag key `{key}` is not among the session tags of the assertion"
            )));
        }
        transitive.push(key.clone());
    }
    Ok((tags, transitive))
}

/// The one value of an AWS attribute, if present.
fn single<'a>(assertion: &'a Assertion, name: &str) -> Result<Option<&'a str>, ServiceError> {
    match assertion.values(&format!("{ATTRIBUTES}{name}")) {
        None => Ok(None),
        Some([value]) => Ok(Some(value.as_str())),
        Some(_) => Err(errors::invalid_identity_token(format!(
            "the {name} attribute must have exactly one value"
        ))),
    }
}

pub(super) async fn handle_assume_role_with_saml(
    app: &App,
    caller: &Origin,
    input: AssumeRoleWithSAMLRequest,
) -> Result<AssumeRoleWithSAMLResponse, ServiceError> {
    let (account, path, name) = crate::model::arn::parse_iam_resource(&input.role_arn, "role")
        .and_then(|(account, path, name)| Some((AccountId::parse(account)?, path, name)))
        .ok_or_else(|| ServiceError::validation(format!("{} is invalid", input.role_arn)))?;
    let account_id = account.to_string();
    let partition = input.role_arn.split(':').nth(1).unwrap_or("aws").to_owned();
    // The provider must live in the role's account.
    let provider_name = input
        .principal_arn
        .strip_prefix(&format!("arn:{partition}:iam::{account_id}:saml-provider/"))
        .filter(|name| !name.is_empty() && !name.contains('/'))
        .ok_or_else(|| errors::invalid_identity_token("Specified provider doesn't exist"))?;

    let mut tx = app.store().begin().await?;
    let provider = tx
        .saml_provider(&account_id, provider_name)
        .await?
        .ok_or_else(|| errors::invalid_identity_token("Specified provider doesn't exist"))?;
    let now = time::OffsetDateTime::now_utc();
    if provider.valid_until <= now.unix_timestamp() * 1000 {
        return Err(errors::invalid_identity_token(
            "the SAML provider's metadata is no longer valid; update it with UpdateSAMLProvider",
        ));
    }
    let metadata = saml_metadata::parse(&provider.metadata).map_err(|err| {
        crate::app::internal(format!(
            "stored metadata of {} does not parse: {err}",
            input.principal_arn
        ))
    })?;
    let assertion = saml::read(
        &input.saml_assertion,
        &metadata.entity_id,
        &provider.certificates,
        now,
    )
    .map_err(refusal)?;
    if !offers_role(&assertion, &input.role_arn, &input.principal_arn) {
        return Err(denied());
    }
    let session_name = single(&assertion, "RoleSessionName")?
        .ok_or_else(|| {
            errors::invalid_identity_token(
                "the SAML assertion has no https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute",
            )
        })?
        .to_owned();
    if !valid_session_name(&session_name) {
        return Err(errors::invalid_identity_token(format!(
            "RoleSessionName `{session_name}` must be 2 to 64 of the characters [\\w+=,.@-]"
        )));
    }
    if let Some(duration) = single(&assertion, "SessionDuration")? {
        // It bounds console sessions only; AWS refuses a value outside 900..=43200.
        if !duration
            .parse::<i64>()
            .is_ok_and(|seconds| (900..=43200).contains(&seconds))
        {
            return Err(errors::invalid_identity_token(format!(
                "SessionDuration `{duration}` must be a number of seconds from 900 to 43200"
            )));
        }
    }
    let source_identity = single(&assertion, "SourceIdentity")?.map(str::to_owned);
    if let Some(source) = &source_identity {
        if !valid_session_name(source) || source.starts_with("aws:") {
            return Err(errors::invalid_identity_token(format!(
                "SourceIdentity `{source}` must be 2 to 64 of the characters [\\w+=,.@-] and may not start with aws:"
            )));
        }
    }
    let (tags, transitive_tag_keys) = assertion_tags(&assertion)?;

    let role = tx
        .role(&account_id, name)
        .await?
        .filter(|role| role.path == path);
    let policies = session_policies(
        &mut tx,
        &account_id,
        input.policy.as_deref(),
        input.policy_arns.as_deref(),
    )
    .await?;
    // The role's account's RCPs govern its roles for federated callers too.
    let rcps = std::sync::Arc::new(organization_facts(&mut tx, account).await?.rcp_levels);
    drop(tx);
    let role = role.ok_or_else(denied)?;

    // The trust policy decides, with the provider as the federated principal.
    let trust = CompiledPolicy::parse(
        input.role_arn.clone(),
        &role.trust_policy,
        PolicyKind::Trust,
    )
    .map_err(|_| denied())?;
    let qualifier = name_qualifier(&assertion.issuer, &account_id, provider_name);
    let sub_type = subject_type(&assertion);
    let environment = caller.environment(app);
    let decide = |action: &'static str| {
        let mut access = Access::new(action, input.role_arn.clone());
        let mut key =
            |name: &str, value: ContextValue| access.context.push((name.to_owned(), value));
        key(
            "aws:FederatedProvider",
            ContextValue::from(input.principal_arn.as_str()),
        );
        key("saml:aud", ContextValue::from(assertion.recipient.as_str()));
        key("saml:iss", ContextValue::from(assertion.issuer.as_str()));
        key("saml:sub", ContextValue::from(assertion.subject.as_str()));
        key("saml:sub_type", ContextValue::from(sub_type.as_str()));
        key("saml:namequalifier", ContextValue::from(qualifier.as_str()));
        key(
            "saml:doc",
            ContextValue::from(format!("{account_id}/{provider_name}").as_str()),
        );
        for (attribute, name) in ATTRIBUTE_KEYS {
            if let Some(values) = assertion.values(attribute) {
                key(name, ContextValue::multi(values.to_vec()));
            }
        }
        key(
            "sts:RoleSessionName",
            ContextValue::from(session_name.as_str()),
        );
        if let Some(source) = &source_identity {
            key("sts:SourceIdentity", ContextValue::from(source.as_str()));
        }
        if !transitive_tag_keys.is_empty() {
            key(
                "sts:TransitiveTagKeys",
                ContextValue::multi(transitive_tag_keys.clone()),
            );
        }
        let mut access = access.with_request_tags(&tags);
        access.resource_rcps = Some(rcps.clone());
        authorize_federated(&input.principal_arn, &access, &environment, &trust)
    };
    // Session tags need sts:TagSession, a source identity sts:SetSourceIdentity, as AWS
    // asks of every role assumption that carries them.
    if !decide("sts:AssumeRoleWithSAML")
        || (!tags.is_empty() && !decide("sts:TagSession"))
        || (source_identity.is_some() && !decide("sts:SetSourceIdentity"))
    {
        return Err(denied());
    }

    let duration = input.duration_seconds.map_or(DEFAULT_DURATION, i64::from);
    if duration > role.max_session_duration {
        return Err(ServiceError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    // The session ends with the IdP's session, when that is sooner.
    let expires = assertion
        .session_not_on_or_after
        .map_or(now.unix_timestamp() + duration, |end| {
            end.unix_timestamp().min(now.unix_timestamp() + duration)
        });
    let session = Session {
        compiled_policies: Default::default(),
        access_key_id: AccessKeyId::generate(account, true).to_string(),
        secret: ids::secret_access_key(),
        account: account_id.clone(),
        holder: PrincipalKind::AssumedRole {
            role_name: role.role_name.clone(),
            role_id: role.role_id.clone(),
            role_path: role.path.clone(),
            session_name: session_name.clone(),
        },
        issued: now.unix_timestamp(),
        expires,
        policies,
        tags,
        transitive_tag_keys,
        source_identity: source_identity.clone(),
        chained: false,
        mfa_at: None,
        root_task: None,
        delegation: None,
    };
    Ok(AssumeRoleWithSAMLResponse {
        credentials: Some(sealed_credentials(app, &session)),
        assumed_role_user: Some(AssumedRoleUser {
            assumed_role_id: format!("{}:{session_name}", role.role_id),
            arn: format!(
                "arn:{partition}:sts::{account_id}:assumed-role/{}/{session_name}",
                role.role_name
            ),
        }),
        packed_policy_size: packed_size(input.policy.as_deref()),
        subject_type: Some(sub_type.clone()),
        subject: Some(assertion.subject.clone()),
        issuer: Some(assertion.issuer.clone()),
        audience: Some(assertion.recipient.clone()),
        name_qualifier: Some(qualifier.clone()),
        source_identity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_qualifier_follows_aws_pseudocode() {
        // BASE64(SHA1("https://example.com/saml" + "123456789012" + "/MySAMLIdP")).
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha1::digest(
            b"https://example.com/saml123456789012/MySAMLIdP",
        ));
        assert_eq!(
            name_qualifier("https://example.com/saml", "123456789012", "MySAMLIdP"),
            expected
        );
        assert_eq!(expected.len(), 28);
    }

    #[test]
    fn role_pairs_are_read_in_either_order() {
        let assertion = Assertion {
            issuer: "i".into(),
            subject: "s".into(),
            subject_format: None,
            recipient: "r".into(),
            session_not_on_or_after: None,
            attributes: vec![(
                format!("{ATTRIBUTES}Role"),
                vec!["arn:p,arn:r".into(), "arn:r2, arn:p".into(), "x".into()],
            )],
        };
        assert!(offers_role(&assertion, "arn:r", "arn:p"));
        assert!(offers_role(&assertion, "arn:r2", "arn:p"));
        assert!(!offers_role(&assertion, "arn:r3", "arn:p"));
        assert!(!offers_role(&assertion, "arn:r", "arn:other"));
        assert_eq!(subject_type(&assertion), "unspecified");
    }
}
