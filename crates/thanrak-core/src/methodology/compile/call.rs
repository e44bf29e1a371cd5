//! Calls: the member quantifiers (`any_member`, `every_member`, `no_member`, `count_members`),
//! `deprived`, `deprived_in`, `capital` and `has_skill`, and the lifting of a member rule to the
//! household.

use std::ops::Range;
use std::sync::Arc;

use super::atoms::{all_atoms, any_atom, atom, combine, Atom, BoolC};
use super::names::{suggestion, Phase, FUNCTIONS};
use super::rows::Pred;
use super::{compile_bool, err, CompileError, CompileErrorKind, NumC, Scope, Val};
use crate::household::Skill;
use crate::methodology::expr::{Ast, Node};

fn name_arg<'n>(
    f: &str,
    args: &'n [Node],
    span: &Range<usize>,
) -> Result<(&'n str, &'n Node), CompileError> {
    match args {
        [a] => match &a.ast {
            Ast::Name(s) | Ast::Str(s) => Ok((s, a)),
            _ => err(
                &a.span,
                CompileErrorKind::Type,
                format!("{f}(...) takes a name"),
            ),
        },
        _ => err(
            span,
            CompileErrorKind::Type,
            format!("{f}(...) takes one name"),
        ),
    }
}

pub(super) fn compile_call(
    f: &str,
    args: &[Node],
    span: &Range<usize>,
    scope: &Scope,
) -> Result<Val, CompileError> {
    match f {
        "any_member" | "every_member" | "no_member" | "count_members" => {
            if scope.member {
                return err(
                    span,
                    CompileErrorKind::Reference,
                    format!("{f}(...) cannot be used in a rule that is already about each member"),
                );
            }
            let [arg] = args else {
                return err(
                    span,
                    CompileErrorKind::Type,
                    format!("{f}(...) takes one condition"),
                );
            };
            let c = compile_bool(arg, &scope.in_members())?;
            Ok(match f {
                "any_member" => Val::Bool(BoolC::Dyn(member_rule(Quantifier::Any, None, c))),
                "every_member" => Val::Bool(BoolC::Dyn(member_rule(Quantifier::Every, None, c))),
                "no_member" => Val::Bool(BoolC::Dyn(member_rule(Quantifier::No, None, c))),
                _ => {
                    let p = c.into_pred();
                    Val::Num(NumC::Dyn(Arc::new(move |e, _| {
                        e.members.iter().filter(|m| p(e, m)).count() as f64
                    })))
                }
            })
        }
        "deprived" => {
            let (id, node) = name_arg(f, args, span)?;
            let Some(i) = scope.indicators.iter().position(|x| x == id) else {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    format!(
                        "unknown indicator `{id}`{}",
                        suggestion(id, scope.indicators.iter().map(String::as_str))
                    ),
                );
            };
            if scope.phase < Phase::Indicators || i >= scope.visible_indicators {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    format!(
                        "deprived({id}) can only be used after indicator `{id}` (list it earlier)"
                    ),
                );
            }
            Ok(Val::Bool(atom(Atom::Deprived(1u64 << i, true))))
        }
        "deprived_in" => {
            let (id, node) = name_arg(f, args, span)?;
            let Some((_, mask)) = scope.dimensions.iter().find(|(d, _)| d == id) else {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    format!(
                        "unknown dimension `{id}`{}",
                        suggestion(id, scope.dimensions.iter().map(|(d, _)| d.as_str()))
                    ),
                );
            };
            if scope.phase < Phase::Criteria {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    "deprived_in(...) needs every indicator: use it in criteria, group rules, \
                     the target-poor rule or needs",
                );
            }
            Ok(Val::Bool(atom(Atom::Deprived(*mask, true))))
        }
        "capital" => {
            let (id, node) = name_arg(f, args, span)?;
            let Some(i) = scope.capitals.iter().position(|x| *x == id) else {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    format!(
                        "unknown capital `{id}`: one of {}",
                        scope.capitals.join(", ")
                    ),
                );
            };
            if scope.phase < Phase::Groups {
                return err(
                    &node.span,
                    CompileErrorKind::Reference,
                    "capital(...) can only be used in group rules",
                );
            }
            Ok(Val::Num(NumC::Dyn(Arc::new(move |e, _| e.capitals[i]))))
        }
        "has_skill" => {
            let (id, node) = name_arg(f, args, span)?;
            if !scope.member {
                return err(
                    span,
                    CompileErrorKind::Reference,
                    "has_skill(...) is about a member: use it inside a member rule",
                );
            }
            let Some(skill) = Skill::parse(id).filter(|s| s.as_str() == id) else {
                return err(
                    &node.span,
                    CompileErrorKind::UnknownValue,
                    format!(
                        "unknown value `{id}` of skills: one of {}",
                        Skill::CODES.join(", ")
                    ),
                );
            };
            let mask = 1u16 << (skill as u16);
            Ok(Val::Bool(BoolC::Dyn(Arc::new(move |_, m| {
                m.skills & mask != 0
            }))))
        }
        _ => err(
            span,
            CompileErrorKind::UnknownField,
            format!(
                "unknown function `{f}`: one of {}{}",
                FUNCTIONS.join(", "),
                suggestion(f, FUNCTIONS.iter().copied())
            ),
        ),
    }
}

/// How a member rule becomes a household condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantifier {
    Any,
    Every,
    No,
}

/// Lifts a member condition `when`, about the members that `among` selects (all when `None`),
/// to the household: whether it holds for any, every or no such member. Flat lists of atoms are
/// evaluated in place, without a dynamic call per member.
pub(crate) fn member_rule(q: Quantifier, among: Option<BoolC>, when: BoolC) -> Pred {
    match q {
        Quantifier::Any | Quantifier::No => {
            let cond = match among {
                Some(a) => combine(true, vec![a, when]),
                None => when,
            };
            let any: Pred = match cond {
                BoolC::Const(c) => Arc::new(move |e, _| c && !e.members.is_empty()),
                BoolC::Atoms { atoms, .. } if atoms.len() == 1 => {
                    let a = atoms[0];
                    Arc::new(move |e, _| e.members.iter().any(|m| a.eval(e, m)))
                }
                BoolC::Atoms { all: true, atoms } => {
                    Arc::new(move |e, _| e.members.iter().any(|m| all_atoms(&atoms, e, m)))
                }
                other => {
                    let p = other.into_pred();
                    Arc::new(move |e, _| e.members.iter().any(|m| p(e, m)))
                }
            };
            if q == Quantifier::Any {
                any
            } else {
                Arc::new(move |e, m| !any(e, m))
            }
        }
        Quantifier::Every => match (among, when) {
            (None, when) => {
                let p = when.into_pred();
                Arc::new(move |e, _| e.members.iter().all(|m| p(e, m)))
            }
            (
                Some(BoolC::Atoms {
                    all: true,
                    atoms: a,
                }),
                BoolC::Atoms { all, atoms: w },
            ) => Arc::new(move |e, _| {
                e.members.iter().all(|m| {
                    !all_atoms(&a, e, m)
                        || if all {
                            all_atoms(&w, e, m)
                        } else {
                            any_atom(&w, e, m)
                        }
                })
            }),
            (Some(among), when) => {
                let (a, w) = (among.into_pred(), when.into_pred());
                Arc::new(move |e, _| e.members.iter().all(|m| !a(e, m) || w(e, m)))
            }
        },
    }
}
