//! Text from files and requests made safe to print on a terminal or in a log line.
//!
//! A value read from a file can hold control characters: ESC starts sequences that retitle the
//! window, clear the screen or rewrite what was printed before; a line break or tab in a value
//! forges lines and columns of a report; bidirectional overrides make text read backwards.
//! Everything the command line echoes and every log line that carries a user's value goes
//! through [`escape_for_terminal`].

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal as it is: C0 controls (tab and line breaks
/// included: inside a value they forge rows and columns), DEL, C1 controls, the line and
/// paragraph separators, and the bidirectional embeddings, overrides and isolates.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `text` with each character that a terminal would act on written as a Rust escape
/// (`\u{1b}`); text without such characters is returned as it is, without copying.
pub fn escape_for_terminal(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(needs_escape) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped() {
        assert_eq!(
            escape_for_terminal("\u{1b}]0;owned\u{7}\u{1b}[2J"),
            "\\u{1b}]0;owned\\u{7}\\u{1b}[2J"
        );
        assert_eq!(escape_for_terminal("a\tb\nc\r"), "a\\u{9}b\\u{a}c\\u{d}");
        assert_eq!(
            escape_for_terminal("\u{7f}\u{85}\u{9b}"),
            "\\u{7f}\\u{85}\\u{9b}"
        );
        assert_eq!(
            escape_for_terminal("abc\u{202e}fed\u{2066}x\u{2069}"),
            "abc\\u{202e}fed\\u{2066}x\\u{2069}"
        );
    }

    #[test]
    fn ordinary_text_is_kept_as_it_is() {
        for s in ["", "มาลี ใจดี", "households.csv, row 3", "naïve – “quoted”"]
        {
            assert!(matches!(escape_for_terminal(s), Cow::Borrowed(t) if t == s));
        }
        // Thai combining marks and the zero-width joiner are text, not controls.
        assert_eq!(escape_for_terminal("น้ำ\u{200d}"), "น้ำ\u{200d}");
    }
}
