//! The rule language of the methodology file: lexing and parsing into a syntax tree.
//!
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | cmp
//! cmp     := sum (("==" | "=" | "!=" | "<" | "<=" | ">" | ">=") sum | "not"? "in" "[" items "]")?
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/") unary)*
//! unary   := "-" unary | primary
//! primary := number | string | "true" | "false" | name | name "(" args ")" | "(" expr ")"
//! ```
//!
//! Positions are byte offsets into the rule's text; the file loader turns them into lines and
//! columns of the methodology file.

use std::ops::Range;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Applies the operator to anything ordered.
    pub(crate) fn apply<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// A node of the syntax tree with the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub ast: Ast,
    pub span: Range<usize>,
}

/// The syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ast {
    Num(f64),
    Bool(bool),
    /// A field, a derived value or an enumeration code, resolved when compiled.
    Name(String),
    /// A quoted enumeration code.
    Str(String),
    Call(String, Vec<Node>),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Cmp(CmpOp, Box<Node>, Box<Node>),
    In {
        expr: Box<Node>,
        items: Vec<Node>,
        negated: bool,
    },
    Arith(ArOp, Box<Node>, Box<Node>),
    Neg(Box<Node>),
}

/// A syntax error at a byte offset of the rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub at: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Str(String),
    Sym(&'static str),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    span: Range<usize>,
}

const SYMBOLS: &[&str] = &[
    "==", "!=", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "(", ")", "[", "]", ",",
];

fn lex(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let tok = if b.is_ascii_digit()
            || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            while i < bytes.len()
                && (bytes[i].is_ascii_digit() || bytes[i] == b'_' || bytes[i] == b'.')
            {
                i += 1;
            }
            let digits: String = text[start..i].chars().filter(|&c| c != '_').collect();
            let value = digits.parse::<f64>().map_err(|_| SyntaxError {
                at: start,
                message: format!("`{}` is not a number", &text[start..i]),
            })?;
            if i < bytes.len() && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
                return Err(SyntaxError {
                    at: i,
                    message: "a number runs into a name: put a space or an operator between them"
                        .into(),
                });
            }
            Tok::Num(value)
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            Tok::Name(text[start..i].to_string())
        } else if b == b'"' || b == b'\'' {
            let close = text[i + 1..].find(b as char).ok_or_else(|| SyntaxError {
                at: start,
                message: "a quoted value is not closed".into(),
            })?;
            i += close + 2;
            Tok::Str(text[start + 1..i - 1].to_string())
        } else if let Some(sym) = SYMBOLS.iter().find(|s| text[i..].starts_with(**s)) {
            i += sym.len();
            Tok::Sym(sym)
        } else {
            let c = text[i..].chars().next().unwrap_or('?');
            return Err(SyntaxError {
                at: start,
                message: format!("unexpected character `{c}`"),
            });
        };
        tokens.push(Token {
            tok,
            span: start..i,
        });
    }
    tokens.push(Token {
        tok: Tok::End,
        span: text.len()..text.len(),
    });
    Ok(tokens)
}

const KEYWORDS: &[&str] = &["and", "or", "not", "in", "true", "false"];

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos]
    }

    fn bump(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(&self.peek().tok, Tok::Sym(x) if *x == s)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.peek().tok, Tok::Name(x) if x == w)
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            at: self.peek().span.start,
            message: message.into(),
        }
    }

    fn found(&self) -> String {
        match &self.peek().tok {
            Tok::End => "the end of the rule".into(),
            Tok::Num(_) => "a number".into(),
            Tok::Name(n) => format!("`{n}`"),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Sym(s) => format!("`{s}`"),
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<Token, SyntaxError> {
        if self.is_sym(s) {
            Ok(self.bump())
        } else {
            Err(self.error(format!("expected `{s}`, found {}", self.found())))
        }
    }

    fn or(&mut self) -> Result<Node, SyntaxError> {
        self.chain("or", Self::and, Ast::Or)
    }

    fn and(&mut self) -> Result<Node, SyntaxError> {
        self.chain("and", Self::not, Ast::And)
    }

    fn chain(
        &mut self,
        word: &str,
        next: fn(&mut Self) -> Result<Node, SyntaxError>,
        make: fn(Vec<Node>) -> Ast,
    ) -> Result<Node, SyntaxError> {
        let first = next(self)?;
        if !self.is_word(word) {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.is_word(word) {
            self.bump();
            items.push(next(self)?);
        }
        let span = items[0].span.start..items[items.len() - 1].span.end;
        Ok(Node {
            ast: make(items),
            span,
        })
    }

    fn not(&mut self) -> Result<Node, SyntaxError> {
        if self.is_word("not") {
            let start = self.bump().span.start;
            let inner = self.not()?;
            let span = start..inner.span.end;
            return Ok(Node {
                ast: Ast::Not(Box::new(inner)),
                span,
            });
        }
        self.cmp()
    }

    fn cmp_op(&self) -> Option<CmpOp> {
        match &self.peek().tok {
            Tok::Sym("==" | "=") => Some(CmpOp::Eq),
            Tok::Sym("!=") => Some(CmpOp::Ne),
            Tok::Sym("<") => Some(CmpOp::Lt),
            Tok::Sym("<=") => Some(CmpOp::Le),
            Tok::Sym(">") => Some(CmpOp::Gt),
            Tok::Sym(">=") => Some(CmpOp::Ge),
            _ => None,
        }
    }

    fn cmp(&mut self) -> Result<Node, SyntaxError> {
        let left = self.sum()?;
        let node = if let Some(op) = self.cmp_op() {
            self.bump();
            let right = self.sum()?;
            let span = left.span.start..right.span.end;
            Node {
                ast: Ast::Cmp(op, Box::new(left), Box::new(right)),
                span,
            }
        } else if self.is_word("in")
            || (self.is_word("not")
                && matches!(&self.tokens[self.pos + 1].tok, Tok::Name(w) if w == "in"))
        {
            let negated = self.is_word("not");
            if negated {
                self.bump();
            }
            self.bump();
            self.expect_sym("[")?;
            let mut items = Vec::new();
            while !self.is_sym("]") {
                items.push(self.unary()?);
                if !self.is_sym("]") {
                    self.expect_sym(",")?;
                }
            }
            let end = self.bump().span.end;
            if items.is_empty() {
                return Err(SyntaxError {
                    at: end - 1,
                    message: "an `in [...]` list needs at least one value".into(),
                });
            }
            let span = left.span.start..end;
            Node {
                ast: Ast::In {
                    expr: Box::new(left),
                    items,
                    negated,
                },
                span,
            }
        } else {
            return Ok(left);
        };
        if self.cmp_op().is_some() {
            return Err(self.error(
                "comparisons do not chain: write `a <= b and b <= c` instead of `a <= b <= c`",
            ));
        }
        Ok(node)
    }

    fn sum(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.product()?;
        loop {
            let op = match &self.peek().tok {
                Tok::Sym("+") => ArOp::Add,
                Tok::Sym("-") => ArOp::Sub,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.product()?;
            let span = left.span.start..right.span.end;
            left = Node {
                ast: Ast::Arith(op, Box::new(left), Box::new(right)),
                span,
            };
        }
    }

    fn product(&mut self) -> Result<Node, SyntaxError> {
        let mut left = self.unary()?;
        loop {
            let op = match &self.peek().tok {
                Tok::Sym("*") => ArOp::Mul,
                Tok::Sym("/") => ArOp::Div,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.unary()?;
            let span = left.span.start..right.span.end;
            left = Node {
                ast: Ast::Arith(op, Box::new(left), Box::new(right)),
                span,
            };
        }
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        if self.is_sym("-") {
            let start = self.bump().span.start;
            let inner = self.unary()?;
            let span = start..inner.span.end;
            return Ok(Node {
                ast: Ast::Neg(Box::new(inner)),
                span,
            });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, SyntaxError> {
        let t = self.peek().clone();
        let ast = match t.tok {
            Tok::Num(v) => {
                self.bump();
                Ast::Num(v)
            }
            Tok::Str(s) => {
                self.bump();
                Ast::Str(s)
            }
            Tok::Sym("(") => {
                self.bump();
                let inner = self.or()?;
                let end = self.expect_sym(")")?.span.end;
                return Ok(Node {
                    ast: inner.ast,
                    span: t.span.start..end,
                });
            }
            Tok::Name(ref n) if n == "true" || n == "false" => {
                self.bump();
                Ast::Bool(n == "true")
            }
            Tok::Name(ref n) if KEYWORDS.contains(&n.as_str()) => {
                return Err(self.error(format!("expected a value, found the keyword `{n}`")));
            }
            Tok::Name(n) => {
                self.bump();
                if self.is_sym("(") {
                    self.bump();
                    let mut args = Vec::new();
                    while !self.is_sym(")") {
                        args.push(self.or()?);
                        if !self.is_sym(")") {
                            self.expect_sym(",")?;
                        }
                    }
                    let end = self.bump().span.end;
                    return Ok(Node {
                        ast: Ast::Call(n, args),
                        span: t.span.start..end,
                    });
                }
                Ast::Name(n)
            }
            _ => return Err(self.error(format!("expected a value, found {}", self.found()))),
        };
        Ok(Node { ast, span: t.span })
    }
}

/// Parses a rule.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let tokens = lex(text)?;
    let mut p = Parser { tokens, pos: 0 };
    if matches!(p.peek().tok, Tok::End) {
        return Err(p.error("the rule is empty"));
    }
    let node = p.or()?;
    if !matches!(p.peek().tok, Tok::End) {
        return Err(p.error(format!(
            "expected `and`, `or` or the end of the rule, found {}",
            p.found()
        )));
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(n: &Node) -> String {
        match &n.ast {
            Ast::Num(v) => v.to_string(),
            Ast::Bool(b) => b.to_string(),
            Ast::Name(s) => s.clone(),
            Ast::Str(s) => format!("{s:?}"),
            Ast::Call(f, a) => format!(
                "{f}({})",
                a.iter().map(shape).collect::<Vec<_>>().join(", ")
            ),
            Ast::Not(x) => format!("(not {})", shape(x)),
            Ast::And(v) => format!(
                "({})",
                v.iter().map(shape).collect::<Vec<_>>().join(" and ")
            ),
            Ast::Or(v) => format!("({})", v.iter().map(shape).collect::<Vec<_>>().join(" or ")),
            Ast::Cmp(op, a, b) => format!("({} {} {})", shape(a), op.symbol(), shape(b)),
            Ast::In {
                expr,
                items,
                negated,
            } => format!(
                "({} {}in [{}])",
                shape(expr),
                if *negated { "not " } else { "" },
                items.iter().map(shape).collect::<Vec<_>>().join(", ")
            ),
            Ast::Arith(op, a, b) => format!("({} {:?} {})", shape(a), op, shape(b)),
            Ast::Neg(x) => format!("(-{})", shape(x)),
        }
    }

    #[test]
    fn precedence_and_forms() {
        let p = |s: &str| shape(&parse(s).unwrap());
        assert_eq!(
            p("a == 1 or b < 2 and not c"),
            "((a == 1) or ((b < 2) and (not c)))"
        );
        assert_eq!(p("x in [a, 'b', 3]"), "(x in [a, \"b\", 3])");
        assert_eq!(p("x not in [a]"), "(x not in [a])");
        assert_eq!(p("d + e <= n * f - 1"), "((d Add e) <= ((n Mul f) Sub 1))");
        assert_eq!(p("f(g) and (x = 1_000.5)"), "(f(g) and (x == 1000.5))");
        assert_eq!(p("-x > -1"), "((-x) > (-1))");
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        let e = |s: &str| parse(s).unwrap_err();
        assert_eq!(e("age >= ").at, 7);
        assert_eq!(e("age >= 3 and").at, 12);
        assert_eq!(e("3 <= age <= 5").at, 9);
        assert_eq!(e("(a == 1").at, 7);
        assert_eq!(e("a == 1 b").at, 7);
        assert_eq!(e("a # b").at, 2);
        assert_eq!(e("x in []").at, 6);
        assert_eq!(e("").at, 0);
        assert_eq!(e("a == 'x").at, 5);
        assert_eq!(e("3age").at, 1);
    }
}
