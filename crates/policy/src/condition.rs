//! Condition operators: their names, compiled operands and evaluation against a context.
//!
//! Semantics follow the IAM user guide: AND across operators and keys, OR across a key's
//! values; a missing key fails positive operators and passes negated ones; `IfExists`
//! passes when the key is missing; `ForAllValues:` passes on a missing or empty key and
//! `ForAnyValue:` fails on one; each request value of a negated operator passes when it
//! matches none of the policy values.

use std::net::IpAddr;

use crate::context::{Context, ContextValue, Key};
use crate::document::ConditionValue;
use crate::pattern::{ArnPattern, Pattern, Syntax, Unresolved};
use crate::values::{parse_binary, parse_bool, parse_date, parse_ip, parse_number, Cidr};

/// Which operator family (and so which value type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    String,
    StringIgnoreCase,
    StringLike,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// How a Numeric or Date operator compares the request value with the policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparison {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// `ForAnyValue:` / `ForAllValues:` qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

/// A parsed operator name such as `ForAnyValue:StringNotLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operator {
    pub(crate) family: Family,
    pub(crate) comparison: Comparison,
    pub(crate) negated: bool,
    pub(crate) if_exists: bool,
    pub(crate) set: SetQualifier,
}

impl Operator {
    /// Reads an operator name (case-sensitive, as IAM does); `None` if unknown.
    pub(crate) fn parse(name: &str) -> Option<Operator> {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (SetQualifier::ForAnyValue, r)
        } else if let Some(r) = name.strip_prefix("ForAllValues:") {
            (SetQualifier::ForAllValues, r)
        } else {
            (SetQualifier::None, name)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        use Comparison::*;
        use Family::*;
        let (family, comparison, negated) = match base {
            "StringEquals" => (String, Equal, false),
            "StringNotEquals" => (String, Equal, true),
            "StringEqualsIgnoreCase" => (StringIgnoreCase, Equal, false),
            "StringNotEqualsIgnoreCase" => (StringIgnoreCase, Equal, true),
            "StringLike" => (StringLike, Equal, false),
            "StringNotLike" => (StringLike, Equal, true),
            "NumericEquals" => (Numeric, Equal, false),
            "NumericNotEquals" => (Numeric, Equal, true),
            "NumericLessThan" => (Numeric, Less, false),
            "NumericLessThanEquals" => (Numeric, LessOrEqual, false),
            "NumericGreaterThan" => (Numeric, Greater, false),
            "NumericGreaterThanEquals" => (Numeric, GreaterOrEqual, false),
            "DateEquals" => (Date, Equal, false),
            "DateNotEquals" => (Date, Equal, true),
            "DateLessThan" => (Date, Less, false),
            "DateLessThanEquals" => (Date, LessOrEqual, false),
            "DateGreaterThan" => (Date, Greater, false),
            "DateGreaterThanEquals" => (Date, GreaterOrEqual, false),
            "Bool" => (Bool, Equal, false),
            "BinaryEquals" => (Binary, Equal, false),
            "IpAddress" => (Ip, Equal, false),
            "NotIpAddress" => (Ip, Equal, true),
            "ArnEquals" | "ArnLike" => (Arn, Equal, false),
            "ArnNotEquals" | "ArnNotLike" => (Arn, Equal, true),
            "Null" if !if_exists => (Null, Equal, false),
            _ => return None,
        };
        Some(Operator {
            family,
            comparison,
            negated,
            if_exists,
            set,
        })
    }

    /// Whether values must be dates (checked when the policy is parsed).
    pub(crate) fn is_date(self) -> bool {
        self.family == Family::Date
    }
}

/// A typed operand that may depend on policy variables.
#[derive(Debug, Clone, PartialEq)]
enum Operand<T> {
    /// Read when compiled; `None` if the text was not of the operator's type.
    Fixed(Option<T>),
    /// Has variables: substituted and read at evaluation.
    Dynamic(Pattern),
}

#[derive(Debug, Clone, PartialEq)]
enum Operands {
    Text(Vec<Pattern>),
    Numbers(Vec<Operand<f64>>),
    Dates(Vec<Operand<i128>>),
    Bools(Vec<Option<bool>>),
    Binary(Vec<(Box<str>, Option<Vec<u8>>)>),
    Ips(Vec<Operand<Cidr>>),
    Arns(Vec<ArnPattern>),
}

/// One compiled `operator: {key: values}` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompiledCondition {
    op: Operator,
    key: Key,
    operands: Operands,
}

fn operand<T>(text: &str, variables: bool, read: impl Fn(&str) -> Option<T>) -> Operand<T> {
    let syntax = Syntax {
        wildcards: false,
        variables,
        ignore_case: false,
    };
    if variables && text.contains("${") {
        let p = Pattern::new(text, syntax);
        if p.has_vars() {
            return Operand::Dynamic(p);
        }
        return Operand::Fixed(p.as_literal().and_then(&read));
    }
    Operand::Fixed(read(text))
}

impl CompiledCondition {
    /// Compiles one key's entry of an operator block.
    pub(crate) fn new(
        op: Operator,
        key: &str,
        values: &[ConditionValue],
        variables: bool,
    ) -> CompiledCondition {
        let texts = values.iter().map(ConditionValue::as_text);
        let operands = match op.family {
            Family::String | Family::StringIgnoreCase | Family::StringLike => {
                let syntax = Syntax {
                    wildcards: op.family == Family::StringLike,
                    variables,
                    ignore_case: op.family == Family::StringIgnoreCase,
                };
                Operands::Text(texts.map(|t| Pattern::new(t, syntax)).collect())
            }
            Family::Numeric => {
                Operands::Numbers(texts.map(|t| operand(t, variables, parse_number)).collect())
            }
            Family::Date => {
                Operands::Dates(texts.map(|t| operand(t, variables, parse_date)).collect())
            }
            Family::Bool | Family::Null => Operands::Bools(texts.map(parse_bool).collect()),
            Family::Binary => {
                Operands::Binary(texts.map(|t| (t.into(), parse_binary(t))).collect())
            }
            Family::Ip => {
                Operands::Ips(texts.map(|t| operand(t, variables, Cidr::parse)).collect())
            }
            Family::Arn => {
                let syntax = Syntax {
                    wildcards: true,
                    variables,
                    ignore_case: false,
                };
                Operands::Arns(texts.map(|t| ArnPattern::new(t, syntax)).collect())
            }
        };
        CompiledCondition {
            op,
            key: Key::new(key),
            operands,
        }
    }

    /// Whether the condition holds for `context`; `Err` when a policy variable is missing.
    pub(crate) fn evaluate(&self, context: &Context) -> Result<bool, Unresolved> {
        let value = context.get_key(&self.key);
        if self.op.family == Family::Null {
            let present = value.is_some_and(|v| !v.values().is_empty());
            let Operands::Bools(wanted) = &self.operands else {
                return Ok(false);
            };
            return Ok(wanted.contains(&Some(!present)));
        }
        let values = match value {
            Some(ContextValue::Single(v)) => std::slice::from_ref(v),
            Some(ContextValue::Multi(v)) if !v.is_empty() || self.op.set != SetQualifier::None => {
                v.as_slice()
            }
            _ => &[],
        };
        let missing = value.is_none() || (values.is_empty() && self.op.set == SetQualifier::None);
        if missing {
            if self.op.if_exists {
                return Ok(true);
            }
            return Ok(match self.op.set {
                SetQualifier::None => self.op.negated,
                SetQualifier::ForAnyValue => false,
                SetQualifier::ForAllValues => true,
            });
        }
        let negated = self.op.negated;
        match self.op.set {
            SetQualifier::None | SetQualifier::ForAllValues if negated => {
                for v in values {
                    if self.any_operand_matches(v, context)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            SetQualifier::None | SetQualifier::ForAnyValue if !negated => {
                for v in values {
                    if self.any_operand_matches(v, context)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            SetQualifier::ForAllValues => {
                for v in values {
                    if !self.any_operand_matches(v, context)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            _ => {
                // ForAnyValue with a negated operator: some request value matches no operand.
                for v in values {
                    if !self.any_operand_matches(v, context)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    /// Whether request value `v` matches at least one policy value (ignoring negation).
    fn any_operand_matches(&self, v: &str, context: &Context) -> Result<bool, Unresolved> {
        let cmp = self.op.comparison;
        Ok(match &self.operands {
            Operands::Text(patterns) => {
                let mut hit = false;
                for p in patterns {
                    if matches_text(p, v, context, self.op.negated)? {
                        hit = true;
                        break;
                    }
                }
                hit
            }
            Operands::Numbers(ns) => {
                let Some(x) = parse_number(v) else {
                    return typed_unresolved(ns, context, parse_number).map(|_| false);
                };
                let mut hit = false;
                for n in ns {
                    if let Some(p) = fixed_or_render(n, context, parse_number)? {
                        hit |= compare(x.partial_cmp(&p), cmp);
                    }
                }
                hit
            }
            Operands::Dates(ds) => {
                let Some(x) = parse_date(v) else {
                    return typed_unresolved(ds, context, parse_date).map(|_| false);
                };
                let mut hit = false;
                for d in ds {
                    if let Some(p) = fixed_or_render(d, context, parse_date)? {
                        hit |= compare(Some(x.cmp(&p)), cmp);
                    }
                }
                hit
            }
            Operands::Bools(bs) => parse_bool(v).is_some_and(|x| bs.contains(&Some(x))),
            Operands::Binary(bs) => {
                let v = v.trim();
                bs.iter().any(|(text, _)| &**text == v) || {
                    let decoded = parse_binary(v);
                    decoded.is_some() && bs.iter().any(|(_, b)| *b == decoded)
                }
            }
            Operands::Ips(cidrs) => {
                let ip: Option<IpAddr> = parse_ip(v);
                let mut hit = false;
                for c in cidrs {
                    if let Some(c) = fixed_or_render(c, context, Cidr::parse)? {
                        hit |= ip.is_some_and(|ip| c.contains(ip));
                    }
                }
                hit
            }
            Operands::Arns(patterns) => {
                let mut hit = false;
                for p in patterns {
                    if matches_arn(p, v, context, self.op.negated)? {
                        hit = true;
                        break;
                    }
                }
                hit
            }
        })
    }
}

fn matches_text(p: &Pattern, v: &str, context: &Context, strict: bool) -> Result<bool, Unresolved> {
    if strict {
        p.matches_strict(v, context)
    } else {
        Ok(p.matches(v, context))
    }
}

fn matches_arn(
    p: &ArnPattern,
    v: &str,
    context: &Context,
    strict: bool,
) -> Result<bool, Unresolved> {
    if strict {
        p.matches_strict(v, context)
    } else {
        Ok(p.matches(v, context))
    }
}

/// Checks that every variable in typed operands resolves (a missing one voids the statement).
fn typed_unresolved<T: Copy>(
    ops: &[Operand<T>],
    context: &Context,
    read: impl Fn(&str) -> Option<T>,
) -> Result<(), Unresolved> {
    for o in ops {
        fixed_or_render(o, context, &read)?;
    }
    Ok(())
}

fn fixed_or_render<T: Copy>(
    o: &Operand<T>,
    context: &Context,
    read: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, Unresolved> {
    match o {
        Operand::Fixed(v) => Ok(*v),
        Operand::Dynamic(p) => Ok(read(&p.render(context)?)),
    }
}

fn compare(order: Option<std::cmp::Ordering>, cmp: Comparison) -> bool {
    use std::cmp::Ordering::*;
    matches!(
        (order, cmp),
        (
            Some(Equal),
            Comparison::Equal | Comparison::LessOrEqual | Comparison::GreaterOrEqual
        ) | (Some(Less), Comparison::Less | Comparison::LessOrEqual)
            | (
                Some(Greater),
                Comparison::Greater | Comparison::GreaterOrEqual
            )
    )
}

#[cfg(test)]
mod tests;
