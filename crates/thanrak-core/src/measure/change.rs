//! Change between two survey rounds (issue 12): how households moved between the four groups,
//! who left poverty and who fell into it, and how the transition tables are protected when the
//! reader may not see small counts.
//!
//! A household is *poor* in a round when its group is hardship or struggling, or when it is
//! MPI-poor (the provincial system's "poor" for follow-up, which counts either measure). A household
//! found in one of the two rounds only is counted apart, in the row or column "not in this round",
//! and never as having left or fallen into poverty.

use crate::measure::disclosure::MIN_CELL;
use crate::methodology::Group;

/// Where a household stands in one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Its group (methodology §4).
    pub group: Group,
    /// Whether it is MPI-poor (methodology §2).
    pub mpi_poor: bool,
}

impl Standing {
    /// Hardship or struggling, or MPI-poor.
    pub fn is_poor(self) -> bool {
        self.mpi_poor || matches!(self.group, Group::Hardship | Group::Struggling)
    }
}

/// The rows and columns of a transition table: the four groups in the order of [`Group::ALL`],
/// then "not in this round".
pub const STATES: usize = 5;

/// The index of "not in this round" in a transition table.
pub const ABSENT: usize = 4;

/// The index of a standing (or of its absence) in a transition table.
pub fn state_index(s: Option<Standing>) -> usize {
    match s {
        Some(s) => Group::ALL
            .iter()
            .position(|g| *g == s.group)
            .unwrap_or(ABSENT),
        None => ABSENT,
    }
}

/// Households counted by their state in the earlier round (row) and the later one (column), with
/// those that left poverty and those that fell into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Transitions {
    /// `counts[from][to]`; `[ABSENT][ABSENT]` is always 0.
    pub counts: [[u64; STATES]; STATES],
    /// Poor in the earlier round, not poor in the later one.
    pub left_poverty: u64,
    /// Not poor in the earlier round, poor in the later one.
    pub fell_into_poverty: u64,
    /// Poor in both rounds.
    pub stayed_poor: u64,
}

impl Transitions {
    /// Counts one household; a household in neither round is not counted.
    pub fn add(&mut self, before: Option<Standing>, after: Option<Standing>) {
        if before.is_none() && after.is_none() {
            return;
        }
        self.counts[state_index(before)][state_index(after)] += 1;
        if let (Some(b), Some(a)) = (before, after) {
            match (b.is_poor(), a.is_poor()) {
                (true, false) => self.left_poverty += 1,
                (false, true) => self.fell_into_poverty += 1,
                (true, true) => self.stayed_poor += 1,
                (false, false) => {}
            }
        }
    }

    /// Adds another table's counts to this one.
    pub fn merge(&mut self, other: &Transitions) {
        for (row, o) in self.counts.iter_mut().zip(other.counts.iter()) {
            for (c, x) in row.iter_mut().zip(o.iter()) {
                *c += x;
            }
        }
        self.left_poverty += other.left_poverty;
        self.fell_into_poverty += other.fell_into_poverty;
        self.stayed_poor += other.stayed_poor;
    }

    /// Households in the earlier round (every row but "not in this round").
    pub fn before_total(&self) -> u64 {
        self.counts[..ABSENT].iter().flatten().sum()
    }

    /// Households in the later round.
    pub fn after_total(&self) -> u64 {
        self.counts
            .iter()
            .map(|r| r[..ABSENT].iter().sum::<u64>())
            .sum()
    }

    /// Households in both rounds.
    pub fn in_both(&self) -> u64 {
        self.counts[..ABSENT]
            .iter()
            .map(|r| r[..ABSENT].iter().sum::<u64>())
            .sum()
    }

    /// Households of the earlier round only.
    pub fn only_before(&self) -> u64 {
        self.counts[..ABSENT].iter().map(|r| r[ABSENT]).sum()
    }

    /// Households of the later round only.
    pub fn only_after(&self) -> u64 {
        self.counts[ABSENT][..ABSENT].iter().sum()
    }

    /// Households in both rounds whose group is better (a later group in [`Group::ALL`]),
    /// the same, and worse in the later round.
    pub fn better_same_worse(&self) -> (u64, u64, u64) {
        let (mut better, mut same, mut worse) = (0, 0, 0);
        for (i, row) in self.counts[..ABSENT].iter().enumerate() {
            for (j, c) in row[..ABSENT].iter().enumerate() {
                match j.cmp(&i) {
                    std::cmp::Ordering::Greater => better += c,
                    std::cmp::Ordering::Equal => same += c,
                    std::cmp::Ordering::Less => worse += c,
                }
            }
        }
        (better, same, worse)
    }
}

/// Which cells of a transition table a reader who may not see small counts is shown: a count of
/// 1 to [`MIN_CELL`] − 1 households is withheld, and so are complementary cells, so that every
/// row and every column of the table with its margins (the rounds' group counts, published on the
/// dashboard) holds no withheld cell or at least two whose sum is at least [`MIN_CELL`]. Each
/// complement is the smallest non-zero count left in the line (ties by position), so the result
/// is a function of the counts alone.
pub fn protect_transitions(t: &Transitions) -> [[bool; STATES]; STATES] {
    let c = &t.counts;
    let mut hidden = [[false; STATES]; STATES];
    for (i, row) in c.iter().enumerate() {
        for (j, &n) in row.iter().enumerate() {
            hidden[i][j] = n > 0 && n < MIN_CELL;
        }
    }
    // Lines: each row, each column.
    let lines: Vec<Vec<(usize, usize)>> = (0..STATES)
        .map(|i| (0..STATES).map(|j| (i, j)).collect())
        .chain((0..STATES).map(|j| (0..STATES).map(|i| (i, j)).collect()))
        .collect();
    loop {
        let mut changed = false;
        for line in &lines {
            let withheld: Vec<&(usize, usize)> =
                line.iter().filter(|(i, j)| hidden[*i][*j]).collect();
            let sum: u64 = withheld.iter().map(|(i, j)| c[*i][*j]).sum();
            if withheld.is_empty() || (withheld.len() >= 2 && sum >= MIN_CELL) {
                continue;
            }
            if let Some(&(i, j)) = line
                .iter()
                .filter(|(i, j)| !hidden[*i][*j] && c[*i][*j] > 0)
                .min_by_key(|(i, j)| (c[*i][*j], *i, *j))
            {
                hidden[i][j] = true;
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

/// Whether a count of households that is not part of a table (households that left poverty, say)
/// is withheld from a reader who may not see small counts.
pub fn withhold_count(n: u64) -> bool {
    n > 0 && n < MIN_CELL
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(group: Group, mpi_poor: bool) -> Option<Standing> {
        Some(Standing { group, mpi_poor })
    }

    #[test]
    fn counts_moves_and_poverty() {
        let mut t = Transitions::default();
        t.add(s(Group::Hardship, true), s(Group::GettingBy, false));
        t.add(s(Group::DoingWell, false), s(Group::DoingWell, true));
        t.add(s(Group::Struggling, false), s(Group::Hardship, false));
        t.add(s(Group::GettingBy, false), None);
        t.add(None, s(Group::Hardship, false));
        t.add(None, None);
        assert_eq!(t.counts[0][2], 1);
        assert_eq!(t.counts[3][3], 1);
        assert_eq!(t.counts[1][0], 1);
        assert_eq!(t.counts[2][ABSENT], 1);
        assert_eq!(t.counts[ABSENT][0], 1);
        assert_eq!(t.counts[ABSENT][ABSENT], 0);
        assert_eq!(t.left_poverty, 1);
        assert_eq!(
            t.fell_into_poverty, 1,
            "MPI-poor in the later round counts as poor"
        );
        assert_eq!(t.stayed_poor, 1);
        assert_eq!((t.before_total(), t.after_total(), t.in_both()), (4, 4, 3));
        assert_eq!((t.only_before(), t.only_after()), (1, 1));
        assert_eq!(t.better_same_worse(), (1, 1, 1));
        let mut u = t;
        u.merge(&t);
        assert_eq!(u.counts[0][2], 2);
        assert_eq!(u.left_poverty, 2);
    }

    /// Every line (row or column) has no withheld cell, or at least two summing to MIN_CELL or
    /// more; and no count of 1–4 is shown.
    #[allow(clippy::needless_range_loop)]
    fn check(t: &Transitions) {
        let h = protect_transitions(t);
        for i in 0..STATES {
            for j in 0..STATES {
                let n = t.counts[i][j];
                if n > 0 && n < MIN_CELL {
                    assert!(h[i][j], "small cell {i},{j} shown");
                }
            }
            for line in [
                (0..STATES).map(|j| (i, j)).collect::<Vec<_>>(),
                (0..STATES).map(|k| (k, i)).collect(),
            ] {
                let w: Vec<u64> = line
                    .iter()
                    .filter(|(a, b)| h[*a][*b])
                    .map(|(a, b)| t.counts[*a][*b])
                    .collect();
                let nonzero_left = line.iter().any(|(a, b)| !h[*a][*b] && t.counts[*a][*b] > 0);
                if w.len() == 1 || (!w.is_empty() && w.iter().sum::<u64>() < MIN_CELL) {
                    assert!(!nonzero_left, "line {line:?} gives away a withheld cell");
                }
            }
        }
    }

    #[test]
    fn small_cells_and_their_complements_are_withheld() {
        let t = Transitions {
            counts: [
                [50, 3, 20, 0, 7],
                [2, 40, 30, 9, 0],
                [0, 0, 100, 60, 12],
                [0, 0, 8, 200, 1],
                [6, 0, 0, 0, 0],
            ],
            ..Default::default()
        };
        check(&t);
        let h = protect_transitions(&t);
        assert!(h[0][1] && h[1][0] && h[3][4]);
        // Large cells that need not be withheld stay shown.
        assert!(!h[3][3] && !h[2][2]);
        // Random tables.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut t = Transitions::default();
            for row in t.counts.iter_mut() {
                for c in row.iter_mut() {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    *c = match x % 4 {
                        0 => 0,
                        1 => x % 5,
                        _ => x % 40,
                    };
                }
            }
            t.counts[ABSENT][ABSENT] = 0;
            check(&t);
        }
    }
}
