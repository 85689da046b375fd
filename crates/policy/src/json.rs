//! A small JSON reader that keeps where every value starts, and JSON text writing helpers.
//!
//! Policy validation reports problems by JSON pointer and line:column, and IAM keeps the
//! last of duplicated object keys, so this reader keeps members in order (duplicates
//! included) with their byte offsets. It must not interpret policy semantics.

use std::borrow::Cow;

/// Deepest nesting accepted; deeper input is a syntax error rather than a stack overflow.
const MAX_DEPTH: usize = 64;

/// One JSON value and the byte range it spans.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node<'a> {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) value: Value<'a>,
}

/// A JSON value; numbers keep their source text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<Member<'a>>),
    /// An array or object left unread (see [`parse_lazy`]); its span is the node's.
    Raw,
}

/// One `"key": value` member of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member<'a> {
    pub(crate) key: Cow<'a, str>,
    pub(crate) value: Node<'a>,
}

/// Why the text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub(crate) offset: usize,
    pub(crate) message: &'static str,
}

impl<'a> Value<'a> {
    /// The name of this value's JSON type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Raw => "unread value",
        }
    }

    /// The last member named `key` (IAM keeps the last duplicate).
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Value::Object(members) => members
                .iter()
                .rev()
                .find(|m| m.key == key)
                .map(|m| &m.value),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses a whole JSON text.
pub(crate) fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
    let (node, end) = parse_lazy(text, 0, usize::MAX)?;
    if end != text.len() {
        return Err(SyntaxError {
            offset: end,
            message: "unexpected text after the JSON value",
        });
    }
    Ok(node)
}

/// Parses the JSON value starting at byte `start` of `text`, leaving arrays and objects
/// nested `raw_depth` deep or deeper as [`Value::Raw`]: they are checked only for balanced
/// brackets and well-formed strings, and can be read later by calling this again at their
/// start. Offsets always refer to `text`. Also returns where trailing white space ends.
pub(crate) fn parse_lazy(
    text: &str,
    start: usize,
    raw_depth: usize,
) -> Result<(Node<'_>, usize), SyntaxError> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        pos: start,
        raw_depth,
    };
    reader.skip_ws();
    let node = reader.value(0)?;
    reader.skip_ws();
    Ok((node, reader.pos))
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    raw_depth: usize,
}

impl<'a> Reader<'a> {
    fn error(&self, message: &'static str) -> SyntaxError {
        SyntaxError {
            offset: self.pos,
            message,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<(), SyntaxError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{' | b'[') if depth >= self.raw_depth => self.skip_nested()?,
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => {
                self.expect_word("true")?;
                Value::Bool(true)
            }
            Some(b'f') => {
                self.expect_word("false")?;
                Value::Bool(false)
            }
            Some(b'n') => {
                self.expect_word("null")?;
                Value::Null
            }
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            Some(_) => return Err(self.error("expected a value")),
            None => return Err(self.error("unexpected end of text")),
        };
        Ok(Node {
            start,
            end: self.pos,
            value,
        })
    }

    /// Moves past an array or object without building it: one pass over the bytes,
    /// tracking only strings and brackets.
    fn skip_nested(&mut self) -> Result<Value<'a>, SyntaxError> {
        let bytes = self.bytes;
        // Open brackets as a bit stack: 1 for `{`, 0 for `[`.
        let mut stack: u64 = 0;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let mut i = self.pos;
        while let Some(&c) = bytes.get(i) {
            i += 1;
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == b'"' {
                    in_string = false;
                }
                continue;
            }
            match c {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    if depth >= MAX_DEPTH {
                        self.pos = i - 1;
                        return Err(self.error("nesting too deep"));
                    }
                    stack = (stack << 1) | u64::from(c == b'{');
                    depth += 1;
                }
                b'}' | b']' => {
                    if depth == 0 || (stack & 1 == 1) != (c == b'}') {
                        self.pos = i - 1;
                        return Err(self.error("unbalanced brackets"));
                    }
                    stack >>= 1;
                    depth -= 1;
                    if depth == 0 {
                        self.pos = i;
                        return Ok(Value::Raw);
                    }
                }
                _ => {}
            }
        }
        self.pos = bytes.len();
        Err(self.error("unexpected end of text"))
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, SyntaxError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member { key, value });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, SyntaxError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn number(&mut self) -> Result<&'a str, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            self.digits();
        }
        self.text
            .get(start..self.pos)
            .ok_or_else(|| self.error("invalid number"))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes, so the string borrows the input.
        loop {
            match self.peek() {
                Some(b'"') => {
                    let s = self
                        .text
                        .get(start..self.pos)
                        .ok_or_else(|| self.error("invalid string"))?;
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(0..=0x1f) => return Err(self.error("control character in string")),
                Some(_) => self.pos += 1,
                None => return Err(self.error("unterminated string")),
            }
        }
        let mut out = String::from(self.text.get(start..self.pos).unwrap_or_default());
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(0..=0x1f) => return Err(self.error("control character in string")),
                Some(_) => {
                    // Copy one whole UTF-8 character.
                    let rest = self.text.get(self.pos..).unwrap_or_default();
                    let c = rest
                        .chars()
                        .next()
                        .ok_or_else(|| self.error("invalid string"))?;
                    out.push(c);
                    self.pos += c.len_utf8();
                }
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("invalid unicode escape"))?;
        let n =
            u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid unicode escape"))?;
        self.pos += 4;
        Ok(n)
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err(self.error("unpaired surrogate"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("unpaired surrogate"));
            }
            let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
            return char::from_u32(code).ok_or_else(|| self.error("invalid unicode escape"));
        }
        char::from_u32(first).ok_or_else(|| self.error("unpaired surrogate"))
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut col = 1;
    for (i, c) in text.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON pointer (RFC 6901) as a chain of borrowed segments, written out only when a
/// message needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pointer<'p> {
    /// The whole document.
    Root,
    /// A member of an object.
    Key(&'p Pointer<'p>, &'p str),
    /// An element of an array.
    Index(&'p Pointer<'p>, usize),
}

impl Pointer<'_> {
    /// The pointer as text, e.g. `/Statement/0/Action`.
    pub(crate) fn render(&self) -> String {
        match self {
            Pointer::Root => String::new(),
            Pointer::Key(parent, key) => {
                let mut out = parent.render();
                push_pointer(&mut out, key);
                out
            }
            Pointer::Index(parent, i) => format!("{}/{i}", parent.render()),
        }
    }
}

/// Appends one segment of a JSON pointer (RFC 6901 escaping).
pub(crate) fn push_pointer(pointer: &mut String, segment: &str) {
    pointer.push('/');
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<&str, usize>) {
        match (parse(text), expected) {
            (Ok(node), Ok(kind)) => assert_eq!(node.value.type_name(), kind, "{text}"),
            (Err(e), Err(offset)) => assert_eq!(e.offset, offset, "{text}: {}", e.message),
            (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn values_and_errors() {
        check(
            r#"{"a": [1, 2.5e3, "x\u00e9\ud83d\ude00", true, null]}"#,
            Ok("object"),
        );
        check("  [ ] ", Ok("array"));
        check(r#""abc"#, Err(4));
        check("[1,]", Err(3));
        check("{} x", Err(3));
        check("01", Err(1));
        check(&"[".repeat(100), Err(65));
    }

    #[test]
    fn escapes_round_trip() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\n\u{1}é");
        let node = parse(&out).unwrap();
        assert_eq!(node.value.as_str(), Some("a\"b\\c\n\u{1}é"));
    }

    #[test]
    fn positions() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
