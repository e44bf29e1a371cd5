//! Small-cell protection of published counts: which cells of the area hierarchy × the four
//! groups must be withheld from a user who may not see small counts, so that no withheld count
//! can be worked out from the totals and siblings that are shown.
//!
//! The table has, for every area (and the whole country), five cells: its households and its
//! households in each group. Its additive lines are each area's row (total = the sum of its
//! group cells) and each area's columns (a cell of an area = the sum of that cell over its
//! child areas). The rules, applied until none is broken:
//!
//! 1. **Primary**: a cell of 1 to `MIN_CELL - 1` households is withheld; an area whose total
//!    is withheld is withheld whole, with everything below it.
//! 2. **Complementary**: in every line whose total is shown, the withheld cells are none, or
//!    at least two that together hold at least `MIN_CELL` households; in every line whose total
//!    is withheld, at least one member is withheld too. A line that breaks this has its smallest
//!    shown non-zero member withheld (or its total, when no member can be).
//!
//! Areas the user may see in full (a surveyor's own villages) are never withheld and never
//! chosen as complements; the rules then protect the others from subtraction of those. Zero
//! cells are shown: a complement is always a cell that holds households.

use std::collections::HashMap;

use crate::AreaCode;

/// Counts below this (and above zero) are withheld.
pub const MIN_CELL: u64 = 5;

/// The cells of one area: households in all, then in each of the four groups.
pub type Cells = [u64; 5];

/// One node of the hierarchy: the whole country (`None`) or an area.
#[derive(Debug, Clone)]
struct Node {
    code: Option<AreaCode>,
    parent: Option<usize>,
    children: Vec<usize>,
    cells: Cells,
    /// The user sees this area's small counts: nothing of it is withheld.
    known: bool,
    hidden: [bool; 5],
}

/// What is withheld of every area for one user.
#[derive(Debug, Clone, Default)]
pub struct Protection {
    index: HashMap<Option<AreaCode>, usize>,
    nodes: Vec<Node>,
}

impl Protection {
    /// Works out the withheld cells from the group counts of every village (or any lowest
    /// areas), summed up the hierarchy; `known` says which areas the user sees in full.
    pub fn compute(
        villages: impl IntoIterator<Item = (AreaCode, [u64; 4])>,
        known: impl Fn(&AreaCode) -> bool,
    ) -> Protection {
        let mut p = Protection::default();
        p.node(None, &known);
        for (code, groups) in villages {
            let total: u64 = groups.iter().sum();
            let cells = [total, groups[0], groups[1], groups[2], groups[3]];
            let mut at = Some(code);
            while let Some(c) = at {
                let i = p.node(Some(c), &known);
                add(&mut p.nodes[i].cells, &cells);
                at = c.parent();
            }
            add(&mut p.nodes[0].cells, &cells);
        }
        p.protect();
        p
    }

    fn node(&mut self, code: Option<AreaCode>, known: &impl Fn(&AreaCode) -> bool) -> usize {
        if let Some(&i) = self.index.get(&code) {
            return i;
        }
        let parent = code.map(|c| {
            let parent = c.parent();
            self.node(parent, known)
        });
        let i = self.nodes.len();
        self.nodes.push(Node {
            code,
            parent,
            children: Vec::new(),
            cells: [0; 5],
            known: code.as_ref().is_some_and(known),
            hidden: [false; 5],
        });
        if let Some(p) = parent {
            self.nodes[p].children.push(i);
        }
        self.index.insert(code, i);
        i
    }

    /// An area made only of areas the user sees in full is seen in full too.
    fn mark_known_wholes(&mut self) {
        // Children are pushed after their parents, so a reverse walk sees children first.
        for i in (0..self.nodes.len()).rev() {
            let n = &self.nodes[i];
            if !n.known && !n.children.is_empty() && n.children.iter().all(|&k| self.nodes[k].known)
            {
                self.nodes[i].known = true;
            }
        }
    }

    fn protect(&mut self) {
        self.mark_known_wholes();
        // Primary suppression.
        for n in &mut self.nodes {
            if n.known {
                continue;
            }
            for c in 0..5 {
                n.hidden[c] = n.cells[c] > 0 && n.cells[c] < MIN_CELL;
            }
            if n.hidden[0] {
                n.hidden = [true; 5];
            }
        }
        loop {
            let mut changed = self.hide_below_hidden_areas();
            for i in 0..self.nodes.len() {
                // The row: total = the four groups.
                let row: Vec<(usize, usize)> = (1..5).map(|c| (i, c)).collect();
                changed |= self.fix_line((i, 0), &row);
                // The columns: each cell = the sum of the children's.
                if !self.nodes[i].children.is_empty() {
                    for c in 0..5 {
                        let members: Vec<(usize, usize)> =
                            self.nodes[i].children.iter().map(|&k| (k, c)).collect();
                        changed |= self.fix_line((i, c), &members);
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Withholds everything below an area whose total is withheld.
    fn hide_below_hidden_areas(&mut self) -> bool {
        let mut changed = false;
        for i in 0..self.nodes.len() {
            let whole = self.nodes[i].hidden[0]
                || self.nodes[i]
                    .parent
                    .is_some_and(|p| self.nodes[p].hidden[0] && !self.nodes[i].known);
            if whole && !self.nodes[i].known && self.nodes[i].hidden != [true; 5] {
                self.nodes[i].hidden = [true; 5];
                changed = true;
            }
        }
        changed
    }

    fn hidden(&self, (n, c): (usize, usize)) -> bool {
        self.nodes[n].hidden[c]
    }

    fn value(&self, (n, c): (usize, usize)) -> u64 {
        self.nodes[n].cells[c]
    }

    /// Makes one line safe; true when it withheld a cell.
    fn fix_line(&mut self, total: (usize, usize), members: &[(usize, usize)]) -> bool {
        let withheld: Vec<(usize, usize)> = members
            .iter()
            .copied()
            .filter(|&m| self.hidden(m))
            .collect();
        let safe = if self.hidden(total) {
            !withheld.is_empty() || members.iter().all(|&m| self.value(m) == 0)
        } else {
            let sum: u64 = withheld.iter().map(|&m| self.value(m)).sum();
            withheld.is_empty() || (withheld.len() >= 2 && sum >= MIN_CELL)
        };
        if safe {
            return false;
        }
        let complement = members
            .iter()
            .copied()
            .filter(|&(n, c)| {
                !self.hidden((n, c)) && !self.nodes[n].known && self.value((n, c)) > 0
            })
            .min_by_key(|&m| (self.value(m), m));
        match complement {
            Some((n, c)) => {
                self.hide((n, c));
                true
            }
            None if !self.hidden(total) && !self.nodes[total.0].known => {
                self.hide(total);
                true
            }
            // Every member is shown to this user already (its own areas) or empty: nothing
            // withheld here can be protected further, nor needs to be.
            None => false,
        }
    }

    fn hide(&mut self, (n, c): (usize, usize)) {
        if c == 0 {
            self.nodes[n].hidden = [true; 5];
        } else {
            self.nodes[n].hidden[c] = true;
        }
    }

    /// Whether the area (`None`: the whole country) is withheld whole.
    pub fn area_hidden(&self, area: Option<&AreaCode>) -> bool {
        self.index
            .get(&area.copied())
            .is_some_and(|&i| self.nodes[i].hidden[0])
    }

    /// Whether the user sees the area's small counts (its own areas, or areas made of them only).
    pub fn area_known(&self, area: Option<&AreaCode>) -> bool {
        self.index
            .get(&area.copied())
            .is_some_and(|&i| self.nodes[i].known)
    }

    /// Which of the area's four group counts are withheld.
    pub fn groups_hidden(&self, area: Option<&AreaCode>) -> [bool; 4] {
        match self.index.get(&area.copied()) {
            Some(&i) => {
                let h = self.nodes[i].hidden;
                [h[1], h[2], h[3], h[4]]
            }
            None => [false; 4],
        }
    }

    /// Every area of the table with its cells and which of them are withheld (for checks).
    pub fn cells(&self) -> impl Iterator<Item = (Option<AreaCode>, Cells, [bool; 5])> + '_ {
        self.nodes.iter().map(|n| (n.code, n.cells, n.hidden))
    }
}

fn add(to: &mut Cells, cells: &Cells) {
    for (t, c) in to.iter_mut().zip(cells) {
        *t += c;
    }
}

/// Withholds rows of one breakdown of an area that is not an area breakdown (the sex of the
/// head, say): `sizes` are the households of each row, which together make up the area; the
/// rows of fewer than [`MIN_CELL`] households are withheld, with complements so that at least
/// two rows holding at least [`MIN_CELL`] households are withheld whenever any is.
pub fn protect_rows(sizes: &[u64], area_hidden: bool) -> Vec<bool> {
    if area_hidden {
        return vec![true; sizes.len()];
    }
    let mut hidden: Vec<bool> = sizes.iter().map(|&s| s > 0 && s < MIN_CELL).collect();
    loop {
        let withheld: Vec<usize> = (0..sizes.len()).filter(|&i| hidden[i]).collect();
        let sum: u64 = withheld.iter().map(|&i| sizes[i]).sum();
        if withheld.is_empty() || (withheld.len() >= 2 && sum >= MIN_CELL) {
            return hidden;
        }
        match (0..sizes.len())
            .filter(|&i| !hidden[i] && sizes[i] > 0)
            .min_by_key(|&i| (sizes[i], i))
        {
            Some(i) => hidden[i] = true,
            // Every row is withheld already.
            None => return hidden,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    /// Tries every subtraction a reader of the shown cells can make: repeatedly, a line with
    /// exactly one unknown cell gives it away. Returns the withheld cells so recovered.
    fn recoverable(p: &Protection) -> Vec<(Option<AreaCode>, usize)> {
        let nodes = &p.nodes;
        let mut known: Vec<[bool; 5]> = nodes.iter().map(|n| n.hidden.map(|h| !h)).collect();
        type Line = ((usize, usize), Vec<(usize, usize)>);
        let mut lines: Vec<Line> = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            lines.push(((i, 0), (1..5).map(|c| (i, c)).collect()));
            if !n.children.is_empty() {
                for c in 0..5 {
                    lines.push(((i, c), n.children.iter().map(|&k| (k, c)).collect()));
                }
            }
        }
        loop {
            let mut progress = false;
            for (total, members) in &lines {
                let mut cells = members.clone();
                cells.push(*total);
                let unknown: Vec<&(usize, usize)> =
                    cells.iter().filter(|(n, c)| !known[*n][*c]).collect();
                if unknown.len() == 1 {
                    let (n, c) = *unknown[0];
                    known[n][c] = true;
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
        nodes
            .iter()
            .enumerate()
            .flat_map(|(i, n)| (0..5).map(move |c| (i, c, n)))
            .filter(|&(i, c, n)| n.hidden[c] && known[i][c])
            .map(|(_, c, n)| (n.code, c))
            .collect()
    }

    fn check(villages: &[(&str, [u64; 4])], known: &[&str]) -> Protection {
        let known: Vec<AreaCode> = known.iter().map(|k| code(k)).collect();
        let p = Protection::compute(villages.iter().map(|(c, g)| (code(c), *g)), |a| {
            known.iter().any(|k| a.is_within(k))
        });
        assert_eq!(recoverable(&p), vec![], "a withheld cell can be worked out");
        for n in &p.nodes {
            // Inside the user's own areas (or made only of them) everything is shown.
            let in_known = n.code.is_some_and(|a| known.iter().any(|k| a.is_within(k)));
            assert!(!in_known || n.known);
            assert!(!n.known || n.hidden == [false; 5]);
            for c in 0..5 {
                if n.cells[c] > 0 && n.cells[c] < MIN_CELL && !n.known {
                    assert!(n.hidden[c], "{:?} cell {c} = {} shown", n.code, n.cells[c]);
                }
            }
        }
        p
    }

    #[test]
    fn a_single_small_village_cannot_be_recovered_from_its_subdistrict() {
        // One village of 1 household beside two large ones.
        let p = check(
            &[
                ("52010101", [1, 0, 0, 0]),
                ("52010102", [3, 10, 20, 7]),
                ("52010103", [2, 12, 18, 9]),
            ],
            &[],
        );
        assert!(p.area_hidden(Some(&code("52010101"))));
        // A second village is withheld with it.
        assert!(p.area_hidden(Some(&code("52010102"))) || p.area_hidden(Some(&code("52010103"))));
        assert!(!p.area_hidden(Some(&code("520101"))));
    }

    #[test]
    fn small_groups_inside_a_shown_area_are_withheld_with_complements() {
        let p = check(
            &[("52010101", [1, 2, 3, 0]), ("52010102", [0, 6, 9, 20])],
            &[],
        );
        // The six-household village is shown as a whole, its small groups are not.
        assert!(!p.area_hidden(Some(&code("52010101"))));
        assert_eq!(
            p.groups_hidden(Some(&code("52010101"))),
            [true, true, true, false]
        );
    }

    #[test]
    fn areas_the_user_knows_are_shown_and_others_stay_protected() {
        // A surveyor of village 01 knows it; village 02 (2 households) is still withheld and
        // cannot be worked out from the subdistrict and village 01.
        let p = check(
            &[
                ("52010101", [1, 1, 2, 0]),
                ("52010102", [0, 1, 1, 0]),
                ("52010103", [4, 10, 6, 30]),
            ],
            &["52010101"],
        );
        assert!(!p.area_hidden(Some(&code("52010101"))));
        assert!(p.area_hidden(Some(&code("52010102"))));
    }

    #[test]
    fn random_hierarchies_leave_nothing_recoverable() {
        // A deterministic spread of villages over districts and subdistricts, sizes 1 to 40.
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for round in 0..40 {
            let mut villages = Vec::new();
            for d in 1..=(1 + next(3)) {
                for s in 1..=(1 + next(3)) {
                    for v in 1..=(1 + next(5)) {
                        let size = if next(3) == 0 {
                            1 + next(6)
                        } else {
                            1 + next(40)
                        };
                        let mut g = [0u64; 4];
                        for _ in 0..size {
                            g[next(4) as usize] += 1;
                        }
                        villages.push((format!("52{d:02}{s:02}{v:02}"), g));
                    }
                }
            }
            let refs: Vec<(&str, [u64; 4])> =
                villages.iter().map(|(c, g)| (c.as_str(), *g)).collect();
            let known: Vec<&str> = if round % 2 == 0 {
                vec![]
            } else {
                vec![refs[0].0]
            };
            check(&refs, &known);
        }
    }

    #[test]
    fn rows_of_other_breakdowns_get_complements() {
        assert_eq!(protect_rows(&[3, 40], false), vec![true, true]);
        assert_eq!(protect_rows(&[30, 40], false), vec![false, false]);
        assert_eq!(protect_rows(&[2, 2, 30], false), vec![true, true, true]);
        assert_eq!(protect_rows(&[2, 4, 30], false), vec![true, true, false]);
        assert_eq!(protect_rows(&[30, 40], true), vec![true, true]);
    }
}
