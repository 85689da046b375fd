//! Compiled text patterns: literals, `*`/`?` wildcards and policy variables, and their
//! matching against request values, whole or ARN field by field.
//!
//! Matching borrows everything and allocates nothing; variables are looked up through
//! [`Resolve`] while matching. Patterns never match across a missing variable: the caller
//! learns about it through [`Unresolved`] and treats the statement as not applying.

use crate::context::Key;

/// A variable in a pattern had no value and no default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unresolved;

/// Looks up the value a policy variable stands for (`${aws:username}` → `bob`).
pub(crate) trait Resolve {
    /// The single value of the context key, if present and single-valued.
    fn resolve(&self, key: &Key) -> Option<&str>;
}

/// A `${key}` or `${key, 'default'}` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variable {
    /// The context key.
    key: Key,
    default: Option<Box<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(Box<str>),
    Star,
    One,
    Var(Variable),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `*`: matches anything.
    Any,
    /// No wildcard, no variable: the first piece (if any) is the whole literal.
    Exact,
    /// A literal followed by one final `*`: the first piece is the literal.
    Prefix,
    /// Anything else.
    General,
}

/// How to read pattern text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards.
    pub(crate) wildcards: bool,
    /// `${...}` are policy variables (version 2012-10-17).
    pub(crate) variables: bool,
    /// Compare ignoring case; literals are stored lower-case.
    pub(crate) ignore_case: bool,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    pieces: Box<[Piece]>,
    shape: Shape,
    ignore_case: bool,
    has_vars: bool,
    /// [`tail_word`] of the leading literal: rejects most non-matching text in one load.
    tail: u64,
}

impl Pattern {
    /// Compiles `text` under `syntax`.
    pub(crate) fn new(text: &str, syntax: Syntax) -> Pattern {
        // Fast paths for the common shapes: plain text, and plain text then one `*`.
        let (body, star) = match text.strip_suffix('*') {
            Some(body) if syntax.wildcards => (body, true),
            _ => (text, false),
        };
        if is_plain(body, syntax) {
            let literal: Box<str> = if syntax.ignore_case {
                body.to_lowercase().into()
            } else {
                body.into()
            };
            let mut pieces =
                Vec::with_capacity(usize::from(!literal.is_empty()) + usize::from(star));
            if !literal.is_empty() {
                pieces.push(Piece::Literal(literal));
            }
            if star {
                pieces.push(Piece::Star);
            }
            return Pattern::from_pieces(pieces, syntax);
        }
        let mut pieces: Vec<Piece> = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if syntax.variables && rest.starts_with("${") {
                if let Some(end) = rest.find('}') {
                    let inner = rest.get(2..end).unwrap_or_default();
                    rest = rest.get(end + 1..).unwrap_or_default();
                    match inner {
                        "*" | "?" | "$" => literal.push_str(inner),
                        _ => {
                            flush(&mut pieces, &mut literal, syntax.ignore_case);
                            pieces.push(Piece::Var(variable(inner)));
                        }
                    }
                    continue;
                }
            }
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
            match c {
                '*' if syntax.wildcards => {
                    flush(&mut pieces, &mut literal, syntax.ignore_case);
                    // Consecutive stars are one star.
                    if pieces.last() != Some(&Piece::Star) {
                        pieces.push(Piece::Star);
                    }
                }
                '?' if syntax.wildcards => {
                    flush(&mut pieces, &mut literal, syntax.ignore_case);
                    pieces.push(Piece::One);
                }
                c => literal.push(c),
            }
        }
        flush(&mut pieces, &mut literal, syntax.ignore_case);
        Pattern::from_pieces(pieces, syntax)
    }

    fn from_pieces(pieces: Vec<Piece>, syntax: Syntax) -> Pattern {
        let has_vars = pieces.iter().any(|p| matches!(p, Piece::Var(_)));
        let shape = match pieces.as_slice() {
            [Piece::Star] => Shape::Any,
            [] | [Piece::Literal(_)] => Shape::Exact,
            [Piece::Literal(_), Piece::Star] => Shape::Prefix,
            _ => Shape::General,
        };
        let tail = match pieces.first() {
            Some(Piece::Literal(l)) => tail_word(l.as_bytes()),
            _ => 0,
        };
        Pattern {
            pieces: pieces.into_boxed_slice(),
            shape,
            ignore_case: syntax.ignore_case,
            has_vars,
            tail,
        }
    }

    /// Whether `text` matches; a variable without a value matches nothing.
    #[inline]
    pub(crate) fn matches<R: Resolve + ?Sized>(&self, text: &str, vars: &R) -> bool {
        match &self.shape {
            Shape::Any => true,
            Shape::Exact if !self.ignore_case => {
                let lit = self.first_literal();
                text.len() == lit.len() && starts_with(text, lit, self.tail)
            }
            Shape::Prefix if !self.ignore_case => {
                starts_with(text, self.first_literal(), self.tail)
            }
            _ => glob(&self.pieces, text, self.ignore_case, vars),
        }
    }

    /// Like [`Pattern::matches`], but `Err` when any variable has no value: negated uses
    /// (`NotResource`, `StringNotLike`, ...) must not turn a missing value into a match.
    pub(crate) fn matches_strict<R: Resolve + ?Sized>(
        &self,
        text: &str,
        vars: &R,
    ) -> Result<bool, Unresolved> {
        if self.has_vars {
            for p in self.pieces.iter() {
                if let Piece::Var(v) = p {
                    resolve(v, vars)?;
                }
            }
        }
        Ok(self.matches(text, vars))
    }

    fn first_literal(&self) -> &str {
        match self.pieces.first() {
            Some(Piece::Literal(l)) => l,
            _ => "",
        }
    }

    /// The literal text the pattern starts with.
    fn leading_literal(&self) -> &str {
        match self.pieces.first() {
            Some(Piece::Literal(l)) if !self.ignore_case => l,
            _ => "",
        }
    }

    /// The text this pattern stands for with variables substituted (for typed operands).
    pub(crate) fn render<R: Resolve + ?Sized>(&self, vars: &R) -> Result<String, Unresolved> {
        let mut out = String::new();
        for p in self.pieces.iter() {
            match p {
                Piece::Literal(l) => out.push_str(l),
                Piece::Star => out.push('*'),
                Piece::One => out.push('?'),
                Piece::Var(v) => out.push_str(resolve(v, vars)?),
            }
        }
        Ok(out)
    }

    /// Whether this pattern has policy variables.
    pub(crate) fn has_vars(&self) -> bool {
        self.has_vars
    }

    /// The literal text when the pattern has no wildcard and no variable.
    pub(crate) fn as_literal(&self) -> Option<&str> {
        match &self.shape {
            Shape::Exact => Some(self.first_literal()),
            _ => None,
        }
    }
}

/// The last eight bytes of `b` (fewer, zero-padded, when shorter) as one word. Text that
/// shares a long head and differs near the end of a literal (ARNs of one account, actions of
/// one service) is told apart by comparing this word before any byte-wise comparison.
pub(crate) fn tail_word(b: &[u8]) -> u64 {
    if let Some(last8) = b.len().checked_sub(8).and_then(|start| b.get(start..)) {
        return <[u8; 8]>::try_from(last8).map_or(0, u64::from_le_bytes);
    }
    // Shifts, not a copy into an array: the compiler would call memcpy for that.
    b.iter()
        .rev()
        .fold(0u64, |word, &byte| (word << 8) | u64::from(byte))
}

/// Whether `text` starts with `lit`, whose [`tail_word`] is `tail`.
pub(crate) fn starts_with(text: &str, lit: &str, tail: u64) -> bool {
    match text.as_bytes().get(..lit.len()) {
        Some(head) => tail_word(head) == tail && head == lit.as_bytes(),
        None => false,
    }
}

/// Whether `text` has no wildcard and no variable under `syntax`.
fn is_plain(text: &str, syntax: Syntax) -> bool {
    let wild = syntax.wildcards && text.contains(['*', '?']);
    let vars = syntax.variables && text.contains("${");
    !wild && !vars
}

fn flush(pieces: &mut Vec<Piece>, literal: &mut String, ignore_case: bool) {
    if literal.is_empty() {
        return;
    }
    let text = if ignore_case {
        literal.to_lowercase()
    } else {
        std::mem::take(literal)
    };
    literal.clear();
    pieces.push(Piece::Literal(text.into_boxed_str()));
}

/// Reads `key` or `key, 'default'` from inside `${...}`.
fn variable(inner: &str) -> Variable {
    let (key, default) = match inner.split_once(',') {
        Some((k, d)) => {
            let d = d.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .unwrap_or(d);
            (k.trim(), Some(d.into()))
        }
        None => (inner.trim(), None),
    };
    Variable {
        key: Key::new(key),
        default,
    }
}

fn resolve<'v, R: Resolve + ?Sized>(v: &'v Variable, vars: &'v R) -> Result<&'v str, Unresolved> {
    vars.resolve(&v.key)
        .or(v.default.as_deref())
        .ok_or(Unresolved)
}

/// Length in `text` of a prefix equal to `lit` (ignoring case if asked), if any.
fn prefix_len(text: &str, lit: &str, ignore_case: bool) -> Option<usize> {
    if !ignore_case {
        return text.starts_with(lit).then_some(lit.len());
    }
    let mut used = 0;
    let mut chars = text.chars();
    for want in lit.chars() {
        let got = chars.next()?;
        if got != want && !got.to_lowercase().eq(want.to_lowercase()) {
            return None;
        }
        used += got.len_utf8();
    }
    Some(used)
}

/// Glob matching with backtracking to the last `*` only (enough for `*` and `?`).
fn glob<R: Resolve + ?Sized>(pieces: &[Piece], text: &str, ignore_case: bool, vars: &R) -> bool {
    let mut pi = 0;
    let mut ti = 0;
    let mut star: Option<(usize, usize)> = None;
    loop {
        let rest = text.get(ti..).unwrap_or_default();
        let step = match pieces.get(pi) {
            // A final `*` takes whatever is left.
            Some(Piece::Star) if pi + 1 == pieces.len() => return true,
            Some(Piece::Star) => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some(Piece::One) => rest.chars().next().map(char::len_utf8),
            Some(Piece::Literal(l)) => prefix_len(rest, l, ignore_case),
            Some(Piece::Var(v)) => match resolve(v, vars) {
                Ok(value) => prefix_len(rest, value, ignore_case),
                Err(Unresolved) => return false,
            },
            None if rest.is_empty() => return true,
            None => None,
        };
        if let Some(n) = step {
            ti += n;
            pi += 1;
            continue;
        }
        let Some((star_pi, star_ti)) = star else {
            return false;
        };
        let Some(c) = text.get(star_ti..).and_then(|r| r.chars().next()) else {
            return false;
        };
        let next = star_ti + c.len_utf8();
        star = Some((star_pi, next));
        pi = star_pi + 1;
        ti = next;
    }
}

/// Splits pattern text at `:` into at most `n` fields, not splitting inside `${...}`.
fn split_fields(text: &str, n: usize, variables: bool) -> Vec<&str> {
    let mut fields = Vec::with_capacity(n);
    let mut start = 0;
    let mut depth = false;
    for (i, c) in text.char_indices() {
        if fields.len() + 1 == n {
            break;
        }
        match c {
            '$' if variables && text.get(i + 1..).is_some_and(|r| r.starts_with('{')) => {
                depth = true
            }
            '}' if depth => depth = false,
            ':' if !depth => {
                fields.push(text.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(text.get(start..).unwrap_or_default());
    fields
}

/// A resource or ARN pattern, matched field by field so wildcards never cross the `:`
/// between ARN fields (the last field takes the rest of the ARN, colons included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArnPattern {
    /// `*`, text that is not an ARN, or an ARN without wildcards or variables: matched whole.
    Whole(Pattern),
    /// `arn:...` with wildcards or variables.
    Fields {
        /// The leading plain-text fields (each with its `:`) and the plain text the next
        /// field starts with: a fast first check.
        quick: Box<str>,
        /// [`tail_word`] of `quick`.
        quick_tail: u64,
        /// Length of the plain-text fields in `quick`; field matching starts there.
        skip: usize,
        /// One pattern per remaining field; the last takes the rest of the ARN.
        fields: Box<[Pattern]>,
        /// Some field has policy variables.
        has_vars: bool,
    },
}

impl ArnPattern {
    /// Compiles resource or ARN pattern text.
    pub(crate) fn new(text: &str, syntax: Syntax) -> ArnPattern {
        if !text.starts_with("arn:") || is_plain(text, syntax) {
            return ArnPattern::Whole(Pattern::new(text, syntax));
        }
        let parts = split_fields(text, 6, syntax.variables);
        // Leading plain fields become one prefix compared as text (never the last field,
        // which must match the rest of the ARN).
        let literal = parts
            .iter()
            .take_while(|f| is_plain(f, syntax))
            .count()
            .min(parts.len().saturating_sub(1));
        let skip: usize = parts.iter().take(literal).map(|f| f.len() + 1).sum();
        let fields: Vec<Pattern> = parts
            .iter()
            .skip(literal)
            .map(|f| Pattern::new(f, syntax))
            .collect();
        if fields.iter().all(|f| f.as_literal().is_some()) {
            return ArnPattern::Whole(Pattern::new(text, syntax));
        }
        let leading = fields.first().map_or("", Pattern::leading_literal);
        let mut prefix = String::with_capacity(skip + leading.len());
        prefix.push_str(text.get(..skip).unwrap_or_default());
        prefix.push_str(leading);
        let has_vars = fields.iter().any(Pattern::has_vars);
        ArnPattern::Fields {
            quick_tail: tail_word(prefix.as_bytes()),
            quick: prefix.into_boxed_str(),
            skip,
            fields: fields.into_boxed_slice(),
            has_vars,
        }
    }

    /// Whether `arn` matches; a variable without a value matches nothing.
    #[inline]
    pub(crate) fn matches<R: Resolve + ?Sized>(&self, arn: &str, vars: &R) -> bool {
        let (quick, quick_tail, skip, fields) = match self {
            ArnPattern::Whole(p) => return p.matches(arn, vars),
            ArnPattern::Fields {
                quick,
                quick_tail,
                skip,
                fields,
                ..
            } => (quick, *quick_tail, *skip, fields),
        };
        if !starts_with(arn, quick, quick_tail) {
            return false;
        }
        let mut rest = arn.get(skip..).unwrap_or_default();
        let last = fields.len().saturating_sub(1);
        for (i, field) in fields.iter().enumerate() {
            // Every field but the last ends at the next `:`; the last takes the rest.
            let part = if i < last {
                let Some(at) = rest.as_bytes().iter().position(|&b| b == b':') else {
                    return false;
                };
                let part = rest.get(..at).unwrap_or_default();
                rest = rest.get(at + 1..).unwrap_or_default();
                part
            } else {
                rest
            };
            if !field.matches(part, vars) {
                return false;
            }
        }
        true
    }

    /// The literal text every ARN this pattern matches starts with ("" when it starts
    /// with a wildcard or variable, or compares ignoring case).
    pub(crate) fn literal_head(&self) -> &str {
        match self {
            ArnPattern::Whole(p) => p.leading_literal(),
            ArnPattern::Fields { quick, .. } => quick,
        }
    }

    /// Like [`ArnPattern::matches`], but `Err` when any variable has no value.
    pub(crate) fn matches_strict<R: Resolve + ?Sized>(
        &self,
        arn: &str,
        vars: &R,
    ) -> Result<bool, Unresolved> {
        match self {
            ArnPattern::Whole(p) => p.matches_strict(arn, vars),
            ArnPattern::Fields {
                fields, has_vars, ..
            } => {
                if *has_vars {
                    for f in fields.iter() {
                        f.matches_strict("", vars)?;
                    }
                }
                Ok(self.matches(arn, vars))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vars(&'static [(&'static str, &'static str)]);

    impl Resolve for Vars {
        fn resolve(&self, key: &Key) -> Option<&str> {
            self.0
                .iter()
                .find(|(k, _)| *k == key.name())
                .map(|(_, v)| *v)
        }
    }

    const VARS: Vars = Vars(&[("aws:username", "bob"), ("aws:principaltag/team", "red")]);
    const PLAIN: Syntax = Syntax {
        wildcards: true,
        variables: true,
        ignore_case: false,
    };

    fn check(pattern: &str, text: &str, expected: Result<bool, Unresolved>) {
        assert_eq!(
            Pattern::new(pattern, PLAIN).matches_strict(text, &VARS),
            expected,
            "{pattern} vs {text}"
        );
    }

    fn check_arn(pattern: &str, arn: &str, expected: Result<bool, Unresolved>) {
        assert_eq!(
            ArnPattern::new(pattern, PLAIN).matches_strict(arn, &VARS),
            expected,
            "{pattern} vs {arn}"
        );
    }

    #[test]
    fn wildcards() {
        check("*", "", Ok(true));
        check("a*c", "abbbc", Ok(true));
        check("a*c", "abbb", Ok(false));
        check("a?c", "abc", Ok(true));
        check("a?c", "ac", Ok(false));
        check("*a*b*", "xxaxxbxx", Ok(true));
        check("a**", "a", Ok(true));
        check("é?", "éü", Ok(true));
        check("a*b*c", "aXbYbZc", Ok(true));
        check("Abc", "abc", Ok(false));
    }

    #[test]
    fn variables() {
        check("home/${aws:username}/*", "home/bob/x", Ok(true));
        check("home/${aws:username}/*", "home/alice/x", Ok(false));
        check("home/${aws:userid}/*", "home/bob/x", Err(Unresolved));
        check("home/${aws:userid, 'anon'}/*", "home/anon/x", Ok(true));
        check("a${*}b", "a*b", Ok(true));
        check("a${*}b", "axb", Ok(false));
        check("${?}${$}", "?$", Ok(true));
        check("${aws:PrincipalTag/Team}", "red", Ok(true));
        let literal = Syntax {
            wildcards: true,
            variables: false,
            ignore_case: false,
        };
        assert!(Pattern::new("${aws:username}", literal).matches("${aws:username}", &VARS));
    }

    #[test]
    fn ignore_case() {
        let ci = Syntax {
            wildcards: true,
            variables: false,
            ignore_case: true,
        };
        assert!(Pattern::new("IAM:Create*", ci).matches("iam:createuser", &VARS));
        assert!(Pattern::new("iam:Get?ser", ci).matches("IAM:GETUSER", &VARS));
    }

    #[test]
    fn arn_fields() {
        check_arn(
            "arn:aws:iam::*:user/*",
            "arn:aws:iam::123456789012:user/bob",
            Ok(true),
        );
        check_arn(
            "arn:aws:iam::*",
            "arn:aws:iam::123456789012:user/bob",
            Ok(true),
        );
        check_arn("arn:aws:*", "arn:aws:s3:::b/k", Ok(true));
        // A wildcard does not cross the `:` between the service and region fields.
        check_arn("arn:aws:s3*::b", "arn:aws:s3:x::b", Ok(false));
        check_arn("arn:aws:s3:::b/*", "arn:aws:s3:::b/a:b", Ok(true));
        check_arn(
            "arn:aws:s3:::b/${aws:username}/*",
            "arn:aws:s3:::b/bob/x",
            Ok(true),
        );
        check_arn(
            "arn:aws:s3:::b/${aws:nothing}/*",
            "arn:aws:s4:::b/bob/x",
            Err(Unresolved),
        );
        check_arn("arn:aws:iam::1:user/a", "arn:aws:iam::1", Ok(false));
        check_arn("*", "anything", Ok(true));
    }

    /// Reference glob: plain recursion over characters.
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
        }
    }

    /// Reference ARN matching: split both at `:` into at most six fields, the last taking
    /// the rest, and glob each field.
    fn reference_arn(p: &str, t: &str) -> bool {
        let pf: Vec<&str> = p.splitn(6, ':').collect();
        let tf: Vec<&str> = t.splitn(pf.len(), ':').collect();
        tf.len() == pf.len()
            && pf.iter().zip(&tf).all(|(p, t)| {
                reference(
                    &p.chars().collect::<Vec<_>>(),
                    &t.chars().collect::<Vec<_>>(),
                )
            })
    }

    proptest::proptest! {
        #[test]
        fn tail_word_prefix_check_agrees_with_starts_with(lit in "[ab:é]{0,12}", text in "[ab:é]{0,14}") {
            let tail = tail_word(lit.as_bytes());
            proptest::prop_assert_eq!(starts_with(&text, &lit, tail), text.starts_with(&lit));
            let joined = format!("{lit}{text}");
            proptest::prop_assert!(starts_with(&joined, &lit, tail));
        }

        #[test]
        fn glob_agrees_with_reference(p in "[ab*?é]{0,8}", t in "[abé]{0,10}") {
            let pattern = Pattern::new(&p, PLAIN);
            let chars: Vec<char> = p.chars().collect();
            let text: Vec<char> = t.chars().collect();
            proptest::prop_assert_eq!(pattern.matches(&t, &VARS), reference(&chars, &text));
        }

        #[test]
        fn arn_matching_agrees_with_reference(p in "[ab:*?]{0,12}", t in "[ab:]{0,14}") {
            let (p, t) = (format!("arn:{p}"), format!("arn:{t}"));
            let pattern = ArnPattern::new(&p, PLAIN);
            proptest::prop_assert_eq!(pattern.matches(&t, &VARS), reference_arn(&p, &t), "{} vs {}", p, t);
        }
    }
}
