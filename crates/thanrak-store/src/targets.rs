//! Area-scoped reads of stored scores, for target lists: the caller's [`Scope`] is turned into
//! village-code prefixes and each is read with the indexed prefix query of [`Store::scores`], so
//! that a score outside the scope never leaves the database.

use thanrak_core::{AreaCode, RoundLabel};

use crate::{with_pool, RunKey, Scope, Store, StoreError, StoredScore};

/// The areas to read for `scope` narrowed to `area`: `None` means everything (or `area` alone),
/// an empty list means nothing. Nested areas of the scope are read once.
fn prefixes(scope: &Scope, area: Option<&AreaCode>) -> Option<Vec<AreaCode>> {
    let mut codes: Vec<AreaCode> = match (scope, area) {
        (Scope::None, _) => Vec::new(),
        (Scope::All, None) => return None,
        (Scope::All, Some(a)) => vec![*a],
        (Scope::Areas(scope), None) => scope.clone(),
        (Scope::Areas(scope), Some(a)) => scope
            .iter()
            .filter_map(|s| {
                if a.is_within(s) {
                    Some(*a)
                } else if s.is_within(a) {
                    Some(*s)
                } else {
                    None
                }
            })
            .collect(),
    };
    let all = codes.clone();
    codes.retain(|c| !all.iter().any(|o| o != c && c.is_within(o)));
    codes.sort();
    codes.dedup();
    Some(codes)
}

impl Store {
    /// The rounds scored under a methodology id and version, by label: one small read of
    /// `score_runs`, cheap enough for every page view.
    pub async fn scored_rounds(
        &self,
        methodology_id: &str,
        methodology_version: &str,
    ) -> Result<Vec<RoundLabel>, StoreError> {
        let labels: Vec<String> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT round FROM score_runs WHERE methodology_id = $1 \
                 AND methodology_version = $2 ORDER BY round",
            )
            .bind(methodology_id)
            .bind(methodology_version)
            .fetch_all(pool)
            .await?
        });
        labels
            .into_iter()
            .map(|l| {
                RoundLabel::parse(&l).map_err(|e| StoreError::Corrupt(format!("round {l:?} {e}")))
            })
            .collect()
    }

    /// The stored scores of a run for the households inside `scope` (and inside `area`, when
    /// given), ordered by household id.
    pub async fn scoped_scores(
        &self,
        key: &RunKey,
        scope: &Scope,
        area: Option<&AreaCode>,
    ) -> Result<Vec<StoredScore>, StoreError> {
        match prefixes(scope, area) {
            None => self.scores(key, None).await,
            Some(codes) => {
                let mut out = Vec::new();
                for c in &codes {
                    out.extend(self.scores(key, Some(c)).await?);
                }
                if codes.len() > 1 {
                    out.sort_by(|a, b| {
                        a.score
                            .household_id
                            .as_str()
                            .cmp(b.score.household_id.as_str())
                    });
                }
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    #[test]
    fn scopes_become_prefixes() {
        assert_eq!(prefixes(&Scope::All, None), None);
        assert_eq!(prefixes(&Scope::None, Some(&code("52"))), Some(vec![]));
        let s = Scope::Areas(vec![code("52"), code("5201"), code("45")]);
        assert_eq!(prefixes(&s, None), Some(vec![code("45"), code("52")]));
        assert_eq!(
            prefixes(&s, Some(&code("520101"))),
            Some(vec![code("520101")])
        );
        assert_eq!(prefixes(&s, Some(&code("30"))), Some(vec![]));
    }
}
