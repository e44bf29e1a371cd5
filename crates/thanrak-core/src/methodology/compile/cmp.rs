//! Comparisons (`==`, `<`, …) and `in [...]` lists: of numbers, flags and enumeration codes,
//! turned into atoms wherever one side is a constant.

use std::ops::Range;
use std::sync::Arc;

use super::atoms::{atom, num_atom, Atom, BoolC};
use super::rows::EnumFn;
use super::{
    compile, compile_num, enum_code, err, is_code_like, CompileError, CompileErrorKind, EnumC,
    NumC, Scope, Val,
};
use crate::methodology::expr::{CmpOp, Node};

pub(super) fn compile_cmp(
    op: CmpOp,
    l: &Node,
    r: &Node,
    span: &Range<usize>,
    scope: &Scope,
) -> Result<Val, CompileError> {
    let (lv, rv) = match (is_code_like(l), is_code_like(r)) {
        (false, false) => (compile(l, scope)?, compile(r, scope)?),
        (false, true) => {
            let lv = compile(l, scope)?;
            let Val::Enum(k, _) = lv else {
                // A code compared with a number or a flag: report the unknown name.
                return Err(compile(r, scope)
                    .err()
                    .unwrap_or_else(|| unreachable_code(r)));
            };
            (lv, Val::Enum(k, EnumC::Const(enum_code(r, k)?)))
        }
        (true, false) => {
            let rv = compile(r, scope)?;
            let Val::Enum(k, _) = rv else {
                return Err(compile(l, scope)
                    .err()
                    .unwrap_or_else(|| unreachable_code(l)));
            };
            (Val::Enum(k, EnumC::Const(enum_code(l, k)?)), rv)
        }
        (true, true) => {
            return Err(compile(l, scope)
                .err()
                .unwrap_or_else(|| unreachable_code(l)))
        }
    };
    match (lv, rv) {
        (Val::Num(a), Val::Num(b)) => Ok(Val::Bool(num_cmp(op, a, b))),
        (Val::Bool(a), Val::Num(NumC::Const(c))) | (Val::Num(NumC::Const(c)), Val::Bool(a)) => {
            let want = flag_literal(c, span)?;
            bool_eq(op, a, BoolC::Const(want), span)
        }
        (Val::Bool(a), Val::Bool(b)) => bool_eq(op, a, b, span),
        (Val::Enum(ka, a), Val::Enum(kb, b)) if ka == kb => {
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) && !ka.ordered() {
                return err(
                    span,
                    CompileErrorKind::Type,
                    format!("{} has no order: use `==`, `!=` or `in [...]`", ka.name()),
                );
            }
            Ok(Val::Bool(enum_cmp(op, a, b)))
        }
        (a, b) => err(
            span,
            CompileErrorKind::Type,
            format!("cannot compare {} with {}", a.type_name(), b.type_name()),
        ),
    }
}

fn unreachable_code(node: &Node) -> CompileError {
    CompileError {
        span: node.span.clone(),
        kind: CompileErrorKind::Type,
        message: "a code can only be compared with a field of its kind".into(),
    }
}

fn flag_literal(c: f64, span: &Range<usize>) -> Result<bool, CompileError> {
    if c == 0.0 || c == 1.0 {
        Ok(c == 1.0)
    } else {
        err(
            span,
            CompileErrorKind::Type,
            format!("a flag is 0 or 1, not {c}"),
        )
    }
}

fn bool_eq(op: CmpOp, a: BoolC, b: BoolC, span: &Range<usize>) -> Result<Val, CompileError> {
    let eq = match op {
        CmpOp::Eq => true,
        CmpOp::Ne => false,
        _ => {
            return err(
                span,
                CompileErrorKind::Type,
                format!("flags compare with `==` or `!=`, not `{}`", op.symbol()),
            )
        }
    };
    Ok(Val::Bool(match (a, b) {
        (BoolC::Const(x), BoolC::Const(y)) => BoolC::Const((x == y) == eq),
        // `x == 1` is `x`; `x == 0` is `not x`.
        (x, BoolC::Const(v)) | (BoolC::Const(v), x) => {
            if v == eq {
                x
            } else {
                x.not()
            }
        }
        (a, b) => {
            let (a, b) = (a.into_pred(), b.into_pred());
            BoolC::Dyn(Arc::new(move |e, m| (a(e, m) == b(e, m)) == eq))
        }
    }))
}

fn num_cmp(op: CmpOp, a: NumC, b: NumC) -> BoolC {
    match (a, b) {
        (NumC::Const(x), NumC::Const(y)) => BoolC::Const(op.apply(x, y)),
        (NumC::Mem(i), NumC::Const(c)) => atom(num_atom(true, i, op, c)),
        (NumC::Const(c), NumC::Mem(i)) => atom(num_atom(true, i, flip(op), c)),
        (NumC::Hh(i), NumC::Const(c)) => atom(num_atom(false, i, op, c)),
        (NumC::Const(c), NumC::Hh(i)) => atom(num_atom(false, i, flip(op), c)),
        (a, b) => {
            let (a, b) = (a.into_fn(), b.into_fn());
            BoolC::Dyn(Arc::new(move |e, m| op.apply(a(e, m), b(e, m))))
        }
    }
}

/// The operator seen from the other side: `c < x` is `x > c`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// The set of enumeration values `v` with `v op c`, as bits.
fn enum_set(op: CmpOp, c: u8) -> u32 {
    let below = (1u32 << c) - 1;
    let at = 1u32 << c;
    match op {
        CmpOp::Eq => at,
        CmpOp::Ne => !at,
        CmpOp::Lt => below,
        CmpOp::Le => below | at,
        CmpOp::Gt => !(below | at),
        CmpOp::Ge => !below,
    }
}

fn enum_cmp(op: CmpOp, a: EnumC, b: EnumC) -> BoolC {
    match (a, b) {
        (EnumC::Const(x), EnumC::Const(y)) => BoolC::Const(op.apply(x, y)),
        (EnumC::Mem(i), EnumC::Const(c)) => atom(Atom::MemEnum(i as u8, enum_set(op, c))),
        (EnumC::Const(c), EnumC::Mem(i)) => atom(Atom::MemEnum(i as u8, enum_set(flip(op), c))),
        (EnumC::Hh(i), EnumC::Const(c)) => atom(Atom::HhEnum(i as u8, enum_set(op, c))),
        (EnumC::Const(c), EnumC::Hh(i)) => atom(Atom::HhEnum(i as u8, enum_set(flip(op), c))),
        (a, b) => {
            let get = |x: EnumC| -> EnumFn {
                match x {
                    EnumC::Const(c) => Arc::new(move |_, _| c),
                    EnumC::Hh(i) => Arc::new(move |e, _| e.hh.enums[i]),
                    EnumC::Mem(i) => Arc::new(move |_, m| m.enums[i]),
                }
            };
            let (a, b) = (get(a), get(b));
            BoolC::Dyn(Arc::new(move |e, m| op.apply(a(e, m), b(e, m))))
        }
    }
}

pub(super) fn compile_in(
    expr: &Node,
    items: &[Node],
    negated: bool,
    scope: &Scope,
) -> Result<Val, CompileError> {
    let v = compile(expr, scope)?;
    let b = match v {
        Val::Enum(k, e) => {
            let mut set = 0u32;
            for item in items {
                set |= 1 << enum_code(item, k)?;
            }
            match e {
                EnumC::Const(c) => BoolC::Const(set & (1 << c) != 0),
                EnumC::Hh(i) => atom(Atom::HhEnum(i as u8, set)),
                EnumC::Mem(i) => atom(Atom::MemEnum(i as u8, set)),
            }
        }
        Val::Num(n) => {
            let mut values = Vec::new();
            for item in items {
                match compile_num(item, scope)? {
                    NumC::Const(c) => values.push(c),
                    _ => {
                        return err(
                            &item.span,
                            CompileErrorKind::Type,
                            "an `in [...]` list holds constants",
                        )
                    }
                }
            }
            let f = n.into_fn();
            BoolC::Dyn(Arc::new(move |e, m| values.contains(&f(e, m))))
        }
        Val::Bool(_) => {
            return err(
                &expr.span,
                CompileErrorKind::Type,
                "`in [...]` is for numbers and codes; compare a flag with `== 0` or `== 1`",
            )
        }
    };
    Ok(Val::Bool(if negated { b.not() } else { b }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_sets_by_order() {
        assert_eq!(enum_set(CmpOp::Lt, 3) & 0b1111_1111, 0b0000_0111);
        assert_eq!(enum_set(CmpOp::Ge, 3) & 0b1111_1111, 0b1111_1000);
        assert_eq!(enum_set(CmpOp::Gt, 3) & 0b1111_1111, 0b1111_0000);
        assert_eq!(enum_set(CmpOp::Le, 0) & 0b1111_1111, 0b0000_0001);
    }
}
