//! Reading the methodology file's TOML: tables with their location, typed values, ids that must
//! be unique, and errors that name the line and column of what is wrong.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::{MethodologyError, MethodologyErrorKind, Ratio};

pub(super) type Res<T> = Result<T, MethodologyError>;
pub(super) type Kind = MethodologyErrorKind;

/// The file's text, to turn a byte offset into a line and column.
pub(super) struct Doc<'a> {
    pub(super) text: &'a str,
}

impl Doc<'_> {
    pub(super) fn error(
        &self,
        at: usize,
        kind: Kind,
        message: impl Into<String>,
    ) -> MethodologyError {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        MethodologyError {
            line,
            column: before[line_start..].chars().count() + 1,
            kind,
            message: message.into(),
        }
    }

    pub(super) fn line_of(&self, at: usize) -> usize {
        self.text[..at.min(self.text.len())].matches('\n').count() + 1
    }

    /// Where the text of a string value starts in the file, when it can be mapped character for
    /// character (no escapes); otherwise `None`.
    pub(super) fn string_base(&self, span: &Range<usize>, content: &str) -> Option<usize> {
        let raw = self.text.get(span.clone())?;
        for q in ["\"\"\"", "'''", "\"", "'"] {
            if let Some(mut rest) = raw.strip_prefix(q) {
                let mut base = span.start + q.len();
                if q.len() == 3 {
                    for nl in ["\r\n", "\n"] {
                        if let Some(r) = rest.strip_prefix(nl) {
                            rest = r;
                            base += nl.len();
                            break;
                        }
                    }
                }
                return rest.starts_with(content).then_some(base);
            }
        }
        None
    }
}

/// A value of the file with its byte range.
pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// A table of the file with its location and a description for messages.
pub(super) struct Tbl<'a, 'i> {
    pub(super) doc: &'a Doc<'a>,
    pub(super) t: &'a DeTable<'i>,
    pub(super) span: Range<usize>,
    pub(super) what: String,
}

/// How a value's type is named in messages.
pub(super) fn type_of(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Tbl<'a, 'i> {
    pub(super) fn err(
        &self,
        span: &Range<usize>,
        kind: Kind,
        message: impl Into<String>,
    ) -> MethodologyError {
        self.doc.error(span.start, kind, message)
    }

    pub(super) fn named(&self, what: String) -> Tbl<'a, 'i> {
        Tbl {
            doc: self.doc,
            t: self.t,
            span: self.span.clone(),
            what,
        }
    }

    pub(super) fn allow(&self, keys: &[&str]) -> Res<()> {
        for (k, _) in self.t.iter() {
            let name: &str = k.get_ref();
            if !keys.contains(&name) {
                return Err(self.err(
                    &k.span(),
                    Kind::UnknownKey,
                    format!(
                        "unknown key `{name}` in {}: one of {}",
                        self.what,
                        keys.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value<'i>> {
        self.t.get(key)
    }

    pub(super) fn missing(&self, key: &str) -> MethodologyError {
        self.err(
            &self.span,
            Kind::Missing,
            format!("{} has no `{key}`", self.what),
        )
    }

    pub(super) fn string(&self, key: &str) -> Res<Option<(&'a str, Range<usize>)>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Ok(Some((s.as_ref(), v.span()))),
                other => Err(self.err(
                    &v.span(),
                    Kind::Invalid,
                    format!("`{key}` must be text, not {}", type_of(other)),
                )),
            },
        }
    }

    pub(super) fn req_string(&self, key: &str) -> Res<(&'a str, Range<usize>)> {
        self.string(key)?.ok_or_else(|| self.missing(key))
    }

    /// An id usable inside rules: letters, digits and `_`, starting with a letter.
    pub(super) fn id(&self, key: &str) -> Res<(&'a str, Range<usize>)> {
        let (s, span) = self.req_string(key)?;
        let ok = s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !ok {
            return Err(self.err(
                &span,
                Kind::Invalid,
                format!("`{s}` is not a valid id: use lowercase letters, digits and `_`"),
            ));
        }
        Ok((s, span))
    }

    pub(super) fn label(&self, key: &str, default: &str) -> Res<String> {
        Ok(self.string(key)?.map_or(default, |(s, _)| s).to_string())
    }

    /// A rational: an integer, a decimal or a string such as `"1/3"`.
    pub(super) fn ratio(&self, key: &str) -> Res<Option<(Ratio, Range<usize>)>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let parsed = match v.get_ref() {
            DeValue::Integer(i) if i.radix() == 10 => Ratio::parse(i.as_str()),
            DeValue::Float(f) => Ratio::parse(f.as_str()),
            DeValue::String(s) => Ratio::parse(s),
            _ => None,
        };
        parsed.map(|r| Some((r, v.span()))).ok_or_else(|| {
            self.err(
                &v.span(),
                Kind::Invalid,
                format!("`{key}` must be a number or a fraction such as \"1/3\""),
            )
        })
    }

    pub(super) fn number(&self, key: &str) -> Res<Option<(f64, Range<usize>)>> {
        Ok(self.ratio(key)?.map(|(r, s)| (r.to_f64(), s)))
    }

    pub(super) fn table(&self, key: &str) -> Res<Option<Tbl<'a, 'i>>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => Ok(Some(Tbl {
                    doc: self.doc,
                    t,
                    span: v.span(),
                    what: format!("[{key}]"),
                })),
                other => Err(self.err(
                    &v.span(),
                    Kind::Invalid,
                    format!("`{key}` must be a table, not {}", type_of(other)),
                )),
            },
        }
    }

    pub(super) fn tables(&self, key: &str, what: &str) -> Res<Vec<Tbl<'a, 'i>>> {
        let Some(v) = self.get(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.err(
                &v.span(),
                Kind::Invalid,
                format!("`{key}` must be a list of tables ([[{key}]])"),
            ));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(t) => Ok(Tbl {
                    doc: self.doc,
                    t,
                    span: item.span(),
                    what: what.to_string(),
                }),
                other => Err(self.err(
                    &item.span(),
                    Kind::Invalid,
                    format!("each `{key}` must be a table, not {}", type_of(other)),
                )),
            })
            .collect()
    }
}

/// Remembers ids and refuses the second use of one.
pub(super) struct Ids<'d> {
    doc: &'d Doc<'d>,
    seen: HashMap<String, usize>,
    what: &'static str,
}

impl<'d> Ids<'d> {
    pub(super) fn new(doc: &'d Doc<'d>, what: &'static str) -> Self {
        Ids {
            doc,
            seen: HashMap::new(),
            what,
        }
    }

    pub(super) fn add(&mut self, id: &str, span: &Range<usize>) -> Res<()> {
        if let Some(first) = self.seen.get(id) {
            return Err(self.doc.error(
                span.start,
                Kind::Duplicate,
                format!(
                    "duplicate {} id `{id}` (first defined on line {})",
                    self.what,
                    self.doc.line_of(*first)
                ),
            ));
        }
        self.seen.insert(id.to_string(), span.start);
        Ok(())
    }
}
