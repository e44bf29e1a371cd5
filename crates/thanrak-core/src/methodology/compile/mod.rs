//! Typed compilation of rules into closure trees over compact household and member rows.
//!
//! A rule is parsed and type-checked once, when the methodology file is loaded; scoring then only
//! calls closures that read fixed slots of [`HouseholdRow`] and [`MemberRow`]. Comparisons of a
//! field with a constant, the most common shape, become a single closure.
//!
//! Here the entry point ([`compile_condition`]) and expressions; beside it the rows the closures
//! read (`rows`), the catalogue of names (`names`), atoms and boolean folding (`atoms`), calls and
//! member quantifiers (`call`), and comparisons (`cmp`).

mod atoms;
mod call;
mod cmp;
mod names;
mod rows;

use std::ops::Range;
use std::sync::Arc;

use super::expr::{ArOp, Ast, Node};
use atoms::{atom, combine, Atom, BoolC};
use call::compile_call;
pub(crate) use call::{member_rule, Quantifier};
use cmp::{compile_cmp, compile_in};
pub(crate) use names::Phase;
use names::{known_names, lookup, suggestion, EnumKind, Slot, FUNCTIONS};
use rows::NumFn;
pub(crate) use rows::{hflag, hnum, mflag, Env, HouseholdRow, MemberRow, Pred};

/// Why a rule does not compile, with the byte span of the offending text inside the rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompileError {
    pub span: Range<usize>,
    pub kind: CompileErrorKind,
    pub message: String,
}

/// The kinds of compile errors (mapped to public error kinds by the loader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompileErrorKind {
    UnknownField,
    UnknownValue,
    Type,
    Reference,
}

fn err<T>(
    span: &Range<usize>,
    kind: CompileErrorKind,
    message: impl Into<String>,
) -> Result<T, CompileError> {
    Err(CompileError {
        span: span.clone(),
        kind,
        message: message.into(),
    })
}

/// What a rule may refer to.
pub(crate) struct Scope<'a> {
    /// Whether the rule is evaluated for each member (member fields visible).
    pub member: bool,
    pub phase: Phase,
    /// Indicator ids, in order.
    pub indicators: &'a [String],
    /// How many of `indicators` the rule may use with `deprived(..)`.
    pub visible_indicators: usize,
    /// Capital ids, in the order of the result's capital array.
    pub capitals: &'a [&'static str],
    /// Dimension ids with the bits of their indicators, for `deprived_in(..)`.
    pub dimensions: &'a [(String, u64)],
    pub line: f64,
}

impl Scope<'_> {
    fn in_members(&self) -> Scope<'_> {
        Scope {
            member: true,
            ..*self
        }
    }
}

#[derive(Clone)]
enum NumC {
    Const(f64),
    Hh(usize),
    Mem(usize),
    Dyn(NumFn),
}

#[derive(Clone, Copy)]
enum EnumC {
    Const(u8),
    Hh(usize),
    Mem(usize),
}

enum Val {
    Num(NumC),
    Bool(BoolC),
    Enum(EnumKind, EnumC),
}

impl Val {
    fn type_name(&self) -> String {
        match self {
            Val::Num(_) => "a number".into(),
            Val::Bool(_) => "a condition (0/1)".into(),
            Val::Enum(k, _) => format!("a value of {}", k.name()),
        }
    }
}

impl NumC {
    fn into_fn(self) -> NumFn {
        match self {
            NumC::Const(c) => Arc::new(move |_, _| c),
            NumC::Hh(i) => Arc::new(move |e, _| e.hh.num[i]),
            NumC::Mem(i) => Arc::new(move |_, m| m.num[i]),
            NumC::Dyn(f) => f,
        }
    }
}

/// A compiled condition, and whether it is the constant `true` (an "otherwise" rule).
pub(crate) struct Compiled {
    pub cond: BoolC,
    pub always: bool,
}

/// Compiles a condition.
pub(crate) fn compile_condition(node: &Node, scope: &Scope) -> Result<Compiled, CompileError> {
    let cond = compile_bool(node, scope)?;
    let always = matches!(cond, BoolC::Const(true));
    Ok(Compiled { cond, always })
}

fn compile_bool(node: &Node, scope: &Scope) -> Result<BoolC, CompileError> {
    match compile(node, scope)? {
        Val::Bool(b) => Ok(b),
        other => err(
            &node.span,
            CompileErrorKind::Type,
            format!(
                "a condition is needed here, but this is {}{}",
                other.type_name(),
                match other {
                    Val::Num(_) => ": compare it, such as `x > 0`",
                    _ => ": compare it with `==` or `in [...]`",
                }
            ),
        ),
    }
}

fn compile_num(node: &Node, scope: &Scope) -> Result<NumC, CompileError> {
    match compile(node, scope)? {
        Val::Num(n) => Ok(n),
        other => err(
            &node.span,
            CompileErrorKind::Type,
            format!("a number is needed here, but this is {}", other.type_name()),
        ),
    }
}

/// Whether a node is a name that is not a field or derived value (an enumeration code, or unknown).
fn is_code_like(node: &Node) -> bool {
    match &node.ast {
        Ast::Name(n) => lookup(n).is_none(),
        Ast::Str(_) => true,
        _ => false,
    }
}

fn compile(node: &Node, scope: &Scope) -> Result<Val, CompileError> {
    let span = &node.span;
    match &node.ast {
        Ast::Num(v) => Ok(Val::Num(NumC::Const(*v))),
        Ast::Bool(b) => Ok(Val::Bool(BoolC::Const(*b))),
        Ast::Str(s) => err(
            span,
            CompileErrorKind::Type,
            format!("\"{s}\" is a code: compare a field with it, such as `occupation == \"{s}\"`"),
        ),
        Ast::Name(n) => compile_name(n, span, scope),
        Ast::Call(f, args) => compile_call(f, args, span, scope),
        Ast::Not(inner) => Ok(Val::Bool(compile_bool(inner, scope)?.not())),
        Ast::And(items) | Ast::Or(items) => {
            let is_and = matches!(node.ast, Ast::And(_));
            let items = items
                .iter()
                .map(|i| compile_bool(i, scope))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Val::Bool(combine(is_and, items)))
        }
        Ast::Cmp(op, l, r) => compile_cmp(*op, l, r, span, scope),
        Ast::In {
            expr,
            items,
            negated,
        } => compile_in(expr, items, *negated, scope),
        Ast::Arith(op, l, r) => {
            let (a, b) = (compile_num(l, scope)?, compile_num(r, scope)?);
            let f = |x: f64, y: f64| match op {
                ArOp::Add => x + y,
                ArOp::Sub => x - y,
                ArOp::Mul => x * y,
                ArOp::Div => x / y,
            };
            if let (NumC::Const(x), NumC::Const(y)) = (&a, &b) {
                return Ok(Val::Num(NumC::Const(f(*x, *y))));
            }
            let (a, b) = (a.into_fn(), b.into_fn());
            Ok(Val::Num(NumC::Dyn(match op {
                ArOp::Add => Arc::new(move |e, m| a(e, m) + b(e, m)),
                ArOp::Sub => Arc::new(move |e, m| a(e, m) - b(e, m)),
                ArOp::Mul => Arc::new(move |e, m| a(e, m) * b(e, m)),
                ArOp::Div => Arc::new(move |e, m| a(e, m) / b(e, m)),
            })))
        }
        Ast::Neg(inner) => Ok(Val::Num(match compile_num(inner, scope)? {
            NumC::Const(c) => NumC::Const(-c),
            other => {
                let f = other.into_fn();
                NumC::Dyn(Arc::new(move |e, m| -f(e, m)))
            }
        })),
    }
}

fn compile_name(name: &str, span: &Range<usize>, scope: &Scope) -> Result<Val, CompileError> {
    let Some(d) = lookup(name) else {
        let hint = if FUNCTIONS.contains(&name) {
            format!(" (`{name}` is a function: write `{name}(...)`)")
        } else {
            suggestion(name, known_names())
        };
        return err(
            span,
            CompileErrorKind::UnknownField,
            format!("unknown field `{name}`{hint}"),
        );
    };
    let member_only = matches!(
        d.slot,
        Slot::MemNum(_) | Slot::MemFlag(_) | Slot::MemEnum(..)
    );
    if member_only && !scope.member {
        return err(
            span,
            CompileErrorKind::Reference,
            format!(
                "`{name}` is a member field: use it with scope = \"any_member\" (or \
                 every_member, no_member), or inside any_member(...)"
            ),
        );
    }
    if scope.phase < d.from {
        return err(
            span,
            CompileErrorKind::Reference,
            format!(
                "`{name}` is not known yet at this stage of scoring ({:?})",
                scope.phase
            ),
        );
    }
    Ok(match d.slot {
        Slot::HhNum(i) => Val::Num(NumC::Hh(i)),
        Slot::HhFlag(mask) => Val::Bool(atom(Atom::HhFlags(mask, mask))),
        Slot::HhEnum(i, k) => Val::Enum(k, EnumC::Hh(i)),
        Slot::MemNum(i) => Val::Num(NumC::Mem(i)),
        Slot::MemFlag(mask) => Val::Bool(atom(Atom::MemFlags(mask, mask))),
        Slot::MemEnum(i, k) => Val::Enum(k, EnumC::Mem(i)),
        Slot::Line => Val::Num(NumC::Const(scope.line)),
        Slot::Score => Val::Num(NumC::Dyn(Arc::new(|e, _| e.score))),
        Slot::MpiPoor => Val::Bool(BoolC::Dyn(Arc::new(|e, _| e.mpi_poor))),
    })
}

/// An enumeration code for `kind`, from a bare name or a quoted string.
fn enum_code(node: &Node, kind: EnumKind) -> Result<u8, CompileError> {
    let text = match &node.ast {
        Ast::Name(s) | Ast::Str(s) => s,
        _ => {
            return err(
                &node.span,
                CompileErrorKind::Type,
                format!("expected a value of {}", kind.name()),
            )
        }
    };
    kind.code(text).ok_or_else(|| CompileError {
        span: node.span.clone(),
        kind: CompileErrorKind::UnknownValue,
        message: format!(
            "unknown value `{text}` of {}: one of {}{}",
            kind.name(),
            kind.codes().join(", "),
            suggestion(text, kind.codes().iter().copied())
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::rows::mnum;
    use super::*;
    use crate::methodology::expr;

    fn env_eval(rule: &str, hh: HouseholdRow, members: &[MemberRow]) -> bool {
        let scope = Scope {
            member: false,
            phase: Phase::Groups,
            indicators: &[],
            visible_indicators: 0,
            capitals: &["human", "physical", "financial", "natural", "social"],
            dimensions: &[],
            line: 38000.0,
        };
        let c = compile_condition(&expr::parse(rule).unwrap(), &scope).unwrap();
        let env = Env {
            hh: &hh,
            members,
            deprived: 0,
            met: 0,
            capitals: [0.5; 5],
            score: 0.0,
            mpi_poor: false,
        };
        (c.cond.into_pred())(&env, &MemberRow::default())
    }

    #[test]
    fn atoms_keep_the_meaning_of_the_rule() {
        let hh = HouseholdRow {
            flags: hflag::ELECTRICITY,
            enums: [4, 2, 0, 0],
            ..Default::default()
        };
        let mut child = MemberRow::default();
        child.num[mnum::AGE] = 7.0;
        let mut unknown = MemberRow::default();
        unknown.num[mnum::AGE] = f64::NAN;
        let cases = [
            ("electricity == 1 and sanitary_toilet == 0", true),
            ("electricity == 1 and electricity == 0", false),
            ("not (electricity == 1 and sanitary_toilet == 1)", true),
            (
                "housing_tenure == none or housing_condition in [dilapidated]",
                true,
            ),
            ("housing_tenure not in [none, own]", false),
            ("housing_condition != dilapidated", false),
            ("any_member(not (education < primary))", false),
            (
                "any_member(education <= none and education != primary)",
                true,
            ),
            ("capital(human) >= 0.5 and electricity == 1", true),
            (
                "any_member(age >= 6 and age <= 14 and in_school == 0)",
                true,
            ),
            ("every_member(in_school == 1)", false),
            ("no_member(age > 100)", true),
            ("count_members(age < 10) == 1", true),
        ];
        for (rule, want) in cases {
            assert_eq!(env_eval(rule, hh, &[child]), want, "{rule}");
        }
        // An unknown age fails every comparison, and its negation holds.
        assert!(!env_eval("any_member(age < 200)", hh, &[unknown]));
        assert!(env_eval("any_member(not (age < 200))", hh, &[unknown]));
        assert!(!env_eval("any_member(age >= 0)", hh, &[unknown]));
        assert!(env_eval("every_member(in_school == 1)", hh, &[]));
    }
}
