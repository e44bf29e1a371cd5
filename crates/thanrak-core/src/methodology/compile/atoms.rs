//! Atoms, the comparisons read straight from a row, and boolean folding: conditions stay
//! structured ([`BoolC`]) so that constants fold, flag tests merge and conjunctions of atoms run
//! without a dynamic call each.

use std::sync::Arc;

use super::rows::{Env, MemberRow, Pred};
use crate::methodology::expr::CmpOp;

/// A simple comparison read straight from a row: the leaves that most rules are made of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Atom {
    /// A member's number `<`, `<=`, `>`, `>=`, `==`, `!=` a constant (one variant per
    /// operator, so that evaluating an atom is a single dispatch).
    MemLt(u8, f64),
    MemLe(u8, f64),
    MemGt(u8, f64),
    MemGe(u8, f64),
    MemEq(u8, f64),
    MemNe(u8, f64),
    /// A household number compared with a constant.
    HhLt(u8, f64),
    HhLe(u8, f64),
    HhGt(u8, f64),
    HhGe(u8, f64),
    HhEq(u8, f64),
    HhNe(u8, f64),
    /// `member.flags & mask == want`.
    MemFlags(u32, u32),
    /// `household.flags & mask == want`.
    HhFlags(u32, u32),
    /// A member's enumeration value is in a set (bit per value).
    MemEnum(u8, u32),
    /// A household's enumeration value is in a set.
    HhEnum(u8, u32),
    /// Whether an indicator (bit) is deprived.
    Deprived(u64, bool),
}

/// The atom comparing a member's (or the household's) number slot `i` with `c`.
pub(super) fn num_atom(member: bool, i: usize, op: CmpOp, c: f64) -> Atom {
    let i = i as u8;
    match (member, op) {
        (true, CmpOp::Lt) => Atom::MemLt(i, c),
        (true, CmpOp::Le) => Atom::MemLe(i, c),
        (true, CmpOp::Gt) => Atom::MemGt(i, c),
        (true, CmpOp::Ge) => Atom::MemGe(i, c),
        (true, CmpOp::Eq) => Atom::MemEq(i, c),
        (true, CmpOp::Ne) => Atom::MemNe(i, c),
        (false, CmpOp::Lt) => Atom::HhLt(i, c),
        (false, CmpOp::Le) => Atom::HhLe(i, c),
        (false, CmpOp::Gt) => Atom::HhGt(i, c),
        (false, CmpOp::Ge) => Atom::HhGe(i, c),
        (false, CmpOp::Eq) => Atom::HhEq(i, c),
        (false, CmpOp::Ne) => Atom::HhNe(i, c),
    }
}

impl Atom {
    #[inline(always)]
    pub(super) fn eval(self, e: &Env, m: &MemberRow) -> bool {
        match self {
            Atom::MemLt(i, c) => m.num[i as usize] < c,
            Atom::MemLe(i, c) => m.num[i as usize] <= c,
            Atom::MemGt(i, c) => m.num[i as usize] > c,
            Atom::MemGe(i, c) => m.num[i as usize] >= c,
            Atom::MemEq(i, c) => m.num[i as usize] == c,
            Atom::MemNe(i, c) => m.num[i as usize] != c,
            Atom::HhLt(i, c) => e.hh.num[i as usize] < c,
            Atom::HhLe(i, c) => e.hh.num[i as usize] <= c,
            Atom::HhGt(i, c) => e.hh.num[i as usize] > c,
            Atom::HhGe(i, c) => e.hh.num[i as usize] >= c,
            Atom::HhEq(i, c) => e.hh.num[i as usize] == c,
            Atom::HhNe(i, c) => e.hh.num[i as usize] != c,
            Atom::MemFlags(mask, want) => m.flags & mask == want,
            Atom::HhFlags(mask, want) => e.hh.flags & mask == want,
            Atom::MemEnum(i, set) => set >> m.enums[i as usize] & 1 != 0,
            Atom::HhEnum(i, set) => set >> e.hh.enums[i as usize] & 1 != 0,
            Atom::Deprived(mask, want) => (e.deprived & mask != 0) == want,
        }
    }

    /// The opposite condition, when it is itself an atom. Comparisons of numbers are not
    /// negated: with an unknown age (NaN) both `age < 6` and `age >= 6` are false.
    fn negate(self) -> Option<Atom> {
        match self {
            Atom::MemFlags(mask, want) if mask.count_ones() == 1 => {
                Some(Atom::MemFlags(mask, want ^ mask))
            }
            Atom::HhFlags(mask, want) if mask.count_ones() == 1 => {
                Some(Atom::HhFlags(mask, want ^ mask))
            }
            Atom::MemEnum(i, set) => Some(Atom::MemEnum(i, !set)),
            Atom::HhEnum(i, set) => Some(Atom::HhEnum(i, !set)),
            Atom::Deprived(mask, want) => Some(Atom::Deprived(mask, !want)),
            _ => None,
        }
    }
}

#[inline(always)]
pub(super) fn all_atoms(atoms: &[Atom], e: &Env, m: &MemberRow) -> bool {
    atoms.iter().all(|a| a.eval(e, m))
}

#[inline(always)]
pub(super) fn any_atom(atoms: &[Atom], e: &Env, m: &MemberRow) -> bool {
    atoms.iter().any(|a| a.eval(e, m))
}

/// A compiled condition, kept structured until it is turned into a closure so that
/// conjunctions of atoms and quantifiers over them evaluate without dynamic calls.
#[derive(Clone)]
pub(crate) enum BoolC {
    Const(bool),
    /// All (`all`) or any of the atoms.
    Atoms {
        all: bool,
        atoms: Vec<Atom>,
    },
    Dyn(Pred),
}

pub(super) fn atom(a: Atom) -> BoolC {
    BoolC::Atoms {
        all: true,
        atoms: vec![a],
    }
}

impl BoolC {
    /// The closure.
    pub(crate) fn into_pred(self) -> Pred {
        match self {
            BoolC::Const(c) => Arc::new(move |_, _| c),
            BoolC::Atoms { atoms, .. } if atoms.len() == 1 => {
                let a = atoms[0];
                Arc::new(move |e, m| a.eval(e, m))
            }
            BoolC::Atoms { all: true, atoms } => Arc::new(move |e, m| all_atoms(&atoms, e, m)),
            BoolC::Atoms { all: false, atoms } => Arc::new(move |e, m| any_atom(&atoms, e, m)),
            BoolC::Dyn(f) => f,
        }
    }

    /// The atoms of a conjunction (a single atom counts as one).
    fn conjunction(&self) -> Option<&[Atom]> {
        match self {
            BoolC::Atoms { all, atoms } if *all || atoms.len() == 1 => Some(atoms),
            _ => None,
        }
    }

    /// The atoms of a disjunction (a single atom counts as one).
    fn disjunction(&self) -> Option<&[Atom]> {
        match self {
            BoolC::Atoms { all, atoms } if !*all || atoms.len() == 1 => Some(atoms),
            _ => None,
        }
    }

    pub(super) fn not(self) -> BoolC {
        match self {
            BoolC::Const(c) => BoolC::Const(!c),
            BoolC::Atoms { all, atoms } => {
                match atoms.iter().map(|a| a.negate()).collect::<Option<Vec<_>>>() {
                    // De Morgan: not (a and b) = not a or not b.
                    Some(negated) => BoolC::Atoms {
                        all: !all,
                        atoms: negated,
                    },
                    None => {
                        let p = BoolC::Atoms { all, atoms }.into_pred();
                        BoolC::Dyn(Arc::new(move |e, m| !p(e, m)))
                    }
                }
            }
            BoolC::Dyn(f) => BoolC::Dyn(Arc::new(move |e, m| !f(e, m))),
        }
    }
}

/// Merges flag atoms of a conjunction that test disjoint bits into one; `None` when two of
/// them contradict each other (the conjunction is false).
fn merge_flags(atoms: Vec<Atom>) -> Option<Vec<Atom>> {
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    for a in atoms {
        let merged = out.iter_mut().find_map(|b| match (a, *b) {
            (Atom::MemFlags(m1, w1), Atom::MemFlags(m2, w2)) => Some((b, m1, w1, m2, w2, true)),
            (Atom::HhFlags(m1, w1), Atom::HhFlags(m2, w2)) => Some((b, m1, w1, m2, w2, false)),
            _ => None,
        });
        match merged {
            Some((b, m1, w1, m2, w2, member)) => {
                let overlap = m1 & m2;
                if w1 & overlap != w2 & overlap {
                    return None;
                }
                *b = if member {
                    Atom::MemFlags(m1 | m2, w1 | w2)
                } else {
                    Atom::HhFlags(m1 | m2, w1 | w2)
                };
            }
            None => out.push(a),
        }
    }
    Some(out)
}

/// `a and b and …` (or `a or b or …`): constants fold, atoms gather into one flat list that is
/// tried first, and the remaining conditions follow in order.
pub(crate) fn combine(is_and: bool, items: Vec<BoolC>) -> BoolC {
    let mut atoms: Vec<Atom> = Vec::new();
    let mut preds: Vec<Pred> = Vec::new();
    for item in items {
        match item {
            // `true and x` is `x`; `false or x` is `x`; the other constants decide.
            BoolC::Const(c) if c == is_and => {}
            BoolC::Const(c) => return BoolC::Const(c),
            b => {
                let flat = if is_and {
                    b.conjunction()
                } else {
                    b.disjunction()
                };
                match flat {
                    Some(a) => atoms.extend_from_slice(a),
                    None => preds.push(b.into_pred()),
                }
            }
        }
    }
    if is_and {
        match merge_flags(atoms) {
            Some(merged) => atoms = merged,
            None => return BoolC::Const(false),
        }
    }
    if !atoms.is_empty() {
        let flat = BoolC::Atoms { all: is_and, atoms };
        if preds.is_empty() {
            return flat;
        }
        preds.insert(0, flat.into_pred());
    }
    match preds.len() {
        0 => BoolC::Const(is_and),
        1 => BoolC::Dyn(preds.pop().expect("one item")),
        2 => {
            let (a, b) = (preds[0].clone(), preds[1].clone());
            if is_and {
                BoolC::Dyn(Arc::new(move |e, m| a(e, m) && b(e, m)))
            } else {
                BoolC::Dyn(Arc::new(move |e, m| a(e, m) || b(e, m)))
            }
        }
        _ if is_and => BoolC::Dyn(Arc::new(move |e, m| preds.iter().all(|p| p(e, m)))),
        _ => BoolC::Dyn(Arc::new(move |e, m| preds.iter().any(|p| p(e, m)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contradicting_flags_fold_to_false() {
        assert_eq!(
            merge_flags(vec![
                Atom::MemFlags(1, 1),
                Atom::MemFlags(2, 0),
                Atom::HhFlags(1, 0)
            ]),
            Some(vec![Atom::MemFlags(3, 1), Atom::HhFlags(1, 0)])
        );
        assert_eq!(
            merge_flags(vec![Atom::MemFlags(1, 1), Atom::MemFlags(1, 0)]),
            None
        );
    }
}
