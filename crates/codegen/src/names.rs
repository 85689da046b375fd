//! Rust names for model names: snake_case fields and functions, UpperCamelCase types and
//! enum variants, lowerCamelCase validation paths.

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `MFADevices` → `mfa_devices`, `SAMLProviderArn` → `saml_provider_arn`, `Type` → `type_`.
pub fn field(name: &str) -> String {
    let mut out = snake(name);
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
    }
    if KEYWORDS.contains(&out.as_str()) {
        format!("{out}_")
    } else {
        out
    }
}

/// snake_case of a model name; anything not alphanumeric separates words.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars.get(i - 1).copied().unwrap_or('_');
            let next = chars.get(i + 1).copied().unwrap_or('_');
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next.is_ascii_lowercase());
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// A type name: the shape name with its first letter in upper case.
pub fn type_name(shape: &str) -> String {
    let mut chars = shape.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// An enum variant for a value: `AWS_SERVICE` → `AwsService`, `text/csv` → `TextCsv`.
pub fn variant(value: &str) -> String {
    let mut out = String::new();
    for word in snake(value).split('_').filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Unknown" || out == "Self" {
        out.push_str("Value");
    }
    out
}

/// The member path AWS quotes in validation messages: the name with a lower-case first
/// letter (`UserName` → `userName`).
pub fn path(member: &str) -> String {
    let mut chars = member.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The Rust module name of a botocore service directory (`service-quotas` → `service_quotas`).
pub fn module(service: &str) -> String {
    snake(service)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: fn(&str) -> String, input: &str, expected: &str) {
        assert_eq!(f(input), expected, "{input}");
    }

    #[test]
    fn fields() {
        check(field, "UserName", "user_name");
        check(field, "MFADevices", "mfa_devices");
        check(field, "SAMLProviderArn", "saml_provider_arn");
        check(
            field,
            "OpenIDConnectProviderArn",
            "open_id_connect_provider_arn",
        );
        check(field, "QRCodePNG", "qr_code_png");
        check(field, "Base32StringSeed", "base32_string_seed");
        check(field, "Type", "type_");
        check(field, "message", "message");
        check(field, "AWSServiceName", "aws_service_name");
    }

    #[test]
    fn variants() {
        check(variant, "AWS_SERVICE", "AwsService");
        check(variant, "Active", "Active");
        check(variant, "text/csv", "TextCsv");
        check(variant, "aws-managed", "AwsManaged");
        check(variant, "v1Token", "V1Token");
        check(variant, "AccountMFAEnabled", "AccountMfaEnabled");
        check(variant, "UNKNOWN", "UnknownValue");
        check(variant, "3DES", "V3Des");
    }

    #[test]
    fn paths() {
        check(path, "UserName", "userName");
        check(path, "SAMLMetadataDocument", "sAMLMetadataDocument");
        check(type_name, "summaryKeyType", "SummaryKeyType");
        check(module, "service-quotas", "service_quotas");
    }
}
