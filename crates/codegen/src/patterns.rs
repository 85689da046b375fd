//! Model patterns (Java regular expressions) translated for the `regex` crate: ASCII
//! meanings for `\w`, `\d`, `\s` as Java has them, explicit `\x{…}` for `\uXXXX`, and the
//! whole anchored as a full match, as AWS applies them.

/// The anchored `regex` form of a model pattern, or why it cannot be used.
pub fn translate(pattern: &str) -> Result<String, String> {
    let mut out = String::from("^(?:");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err("trailing backslash".to_owned());
                };
                match e {
                    'w' | 'd' | 's' | 'W' | 'D' | 'S' => {
                        let set = match e.to_ascii_lowercase() {
                            'w' => "0-9A-Za-z_",
                            'd' => "0-9",
                            _ => "\\t\\n\\x0B\\x0C\\r ",
                        };
                        // The regex crate nests classes, so the same bracketed set works
                        // inside a class and out of it.
                        out.push_str(if e.is_ascii_uppercase() { "[^" } else { "[" });
                        out.push_str(set);
                        out.push(']');
                    }
                    'u' => {
                        let mut hex = String::new();
                        for _ in 0..4 {
                            match chars.next() {
                                Some(h) if h.is_ascii_hexdigit() => hex.push(h),
                                _ => return Err("bad \\u escape".to_owned()),
                            }
                        }
                        out.push_str("\\x{");
                        out.push_str(&hex);
                        out.push('}');
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out.push_str(")$");
    regex::Regex::new(&out).map_err(|e| {
        e.to_string()
            .lines()
            .last()
            .unwrap_or("does not compile")
            .to_owned()
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, matches: &[&str], rejects: &[&str]) {
        let re = regex::Regex::new(&translate(pattern).unwrap()).unwrap();
        for m in matches {
            assert!(re.is_match(m), "{pattern} should match {m:?}");
        }
        for r in rejects {
            assert!(!re.is_match(r), "{pattern} should reject {r:?}");
        }
    }

    #[test]
    fn translates_model_patterns() {
        check(r"[\w+=,.@-]+", &["bob", "a.b@c"], &["", "b ob", "\u{e9}"]);
        check(
            r"\d{12}",
            &["123456789012"],
            &["12345678901", "1234567890123"],
        );
        check(
            r"[\u0009\u000A\u000D\u0020-\u00FF]+",
            &["{}\n", "caf\u{e9}"],
            &["\u{100}"],
        );
        check(r"^o-[a-z0-9]{10,32}$", &["o-abcdefghij"], &["o-abc"]);
        check(
            r"^(r-[0-9a-z]{4,32})|(\d{12})$",
            &["r-abcd", "123456789012"],
            &["r-ab", "x123456789012", "r-abcd 123456789012"],
        );
        check(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", &["", "k\u{e9} 1"], &["!"]);
        check(r"[\s\S]*", &["", "any\nthing"], &[]);
    }

    #[test]
    fn reports_unsupported() {
        assert!(translate(r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$").is_err());
    }
}
