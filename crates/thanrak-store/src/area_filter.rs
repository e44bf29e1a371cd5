//! A reader's [`Scope`] as SQL: each area it may see becomes a range of 8-digit village codes
//! (`52` becomes `52000000` ..= `52999999`). Village codes are digits of one length, so every
//! collation orders them alike and the `(round, village_code)` indexes serve the filter on both
//! backends. Which areas a scope holds, narrowed to an area asked for, is decided in core
//! ([`Scope::narrowed`]); this module only writes it down.

use thanrak_core::{AreaCode, AreaLevel};

use crate::Scope;

/// An inclusive range of village codes, as text.
pub(crate) type VillageRange = (String, String);

/// The village-code ranges of `scope` narrowed to `area`: `None` when nothing narrows (all
/// households), `Some(empty)` when nothing can match.
pub(crate) fn village_ranges(scope: &Scope, area: Option<&AreaCode>) -> Option<Vec<VillageRange>> {
    scope
        .narrowed(area)
        .map(|codes| codes.iter().map(village_range).collect())
}

fn village_range(code: &AreaCode) -> VillageRange {
    let prefix = code.to_string();
    let pad = AreaLevel::Village.code_len() - prefix.len();
    (
        format!("{prefix}{}", "0".repeat(pad)),
        format!("{prefix}{}", "9".repeat(pad)),
    )
}

/// The SQL condition on `column` for `ranges`, with placeholders numbered from `first`.
pub(crate) fn range_condition(column: &str, ranges: &[VillageRange], first: usize) -> String {
    let parts: Vec<String> = (0..ranges.len())
        .map(|i| {
            format!(
                "{column} BETWEEN ${} AND ${}",
                first + 2 * i,
                first + 2 * i + 1
            )
        })
        .collect();
    format!("({})", parts.join(" OR "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    #[test]
    fn scopes_become_village_ranges() {
        let r = |lo: &str, hi: &str| (lo.to_string(), hi.to_string());
        assert_eq!(village_ranges(&Scope::All, None), None);
        assert_eq!(village_ranges(&Scope::None, None), Some(vec![]));
        assert_eq!(
            village_ranges(&Scope::All, Some(&code("5201"))),
            Some(vec![r("52010000", "52019999")])
        );
        let lampang = Scope::Areas(vec![code("52")]);
        assert_eq!(
            village_ranges(&lampang, None),
            Some(vec![r("52000000", "52999999")])
        );
        // Narrowing inside the scope, and asking for an area outside it.
        assert_eq!(
            village_ranges(&lampang, Some(&code("520101"))),
            Some(vec![r("52010100", "52010199")])
        );
        assert_eq!(village_ranges(&lampang, Some(&code("45"))), Some(vec![]));
        // Asking for a wider area than the scope keeps the scope.
        let sub = Scope::Areas(vec![code("520101"), code("45010102")]);
        assert_eq!(
            village_ranges(&sub, Some(&code("52"))),
            Some(vec![r("52010100", "52010199")])
        );
        assert_eq!(
            village_ranges(&sub, None),
            Some(vec![r("52010100", "52010199"), r("45010102", "45010102")])
        );
        assert!(sub.contains(&code("52010105")));
        assert!(!sub.contains(&code("52010201")));
        assert!(!Scope::None.contains(&code("52010105")));
    }
}
