//! The family profile: one household of one round with its members (masked by role), its scores
//! (the 16 indicators, the five capitals, its group and the reasons), the help that fits, and its
//! group and score in every scored round where it appears.

use thanrak_core::measure::HouseholdScore;
use thanrak_core::methodology::Group;
use thanrak_core::{HouseholdId, RoundLabel};
use thanrak_store::{Scope, Store, StoreError, User};

use crate::access::{household_detail, household_scope, AccessError, HouseholdDetail};
use crate::area_figures::scored_rounds;
use crate::audit::AuditLog;
use crate::scoring::LoadedMethodology;
use crate::targeting::{needs, run_key, Need};

/// The household in one scored round.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The round.
    pub round: RoundLabel,
    /// Its group then.
    pub group: Group,
    /// Its deprivation score then.
    pub score: f64,
}

/// Everything the profile page shows.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The household and its members, masked by role.
    pub detail: HouseholdDetail,
    /// Its scores in this round, when the round is scored.
    pub score: Option<HouseholdScore>,
    /// The help that fits (methodology §5), when scored.
    pub needs: Vec<Need>,
    /// Its group and score in each scored round where it appears, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// The stored score of one household of `round` inside `scope`, if the round is scored.
async fn score_in(
    store: &Store,
    lm: &LoadedMethodology,
    scope: &Scope,
    round: &RoundLabel,
    id: &HouseholdId,
) -> Result<Option<HouseholdScore>, StoreError> {
    let household = match store.scoped_household(scope, round, id).await {
        Ok(h) => h,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let key = run_key(round, &lm.methodology);
    if store.score_run(&key).await?.is_none() {
        return Ok(None);
    }
    Ok(store
        .scoped_scores(&key, scope, Some(&household.village_code))
        .await?
        .into_iter()
        .find(|s| &s.score.household_id == id)
        .map(|s| s.score))
}

/// The profile of household `household_id` of `round`, if `user` may see it: outside the
/// user's areas it is "not found", like a household that does not exist. The view is audited
/// (when unmasked) by [`household_detail`] before anything is returned.
pub async fn household_profile(
    store: &Store,
    log: &AuditLog,
    lm: &LoadedMethodology,
    user: &User,
    round: &str,
    household_id: &str,
    action: &str,
) -> Result<Profile, AccessError> {
    let detail = household_detail(store, log, user, round, household_id, action).await?;
    let scope = household_scope(user)?;
    let h = &detail.household.household;
    let (round, id) = (h.round.clone(), h.household_id.clone());
    let score = score_in(store, lm, &scope, &round, &id).await?;
    let fits = match &score {
        Some(s) => {
            // The members as recorded (not masked): the job need reads their ages.
            let members = store
                .scoped_members(&scope, &round, std::slice::from_ref(&id))
                .await?;
            needs(&lm.methodology, h, &members, s)
        }
        None => Vec::new(),
    };
    let mut history = Vec::new();
    for r in scored_rounds(store, lm).await? {
        if let Some(s) = score_in(store, lm, &scope, &r, &id).await? {
            history.push(HistoryEntry {
                round: r,
                group: s.group,
                score: s.score,
            });
        }
    }
    Ok(Profile {
        detail,
        score,
        needs: fits,
        history,
    })
}
