//! The family profile: one household of one round with its members (masked by role), its scores
//! (the 16 indicators, the five capitals, its group and the reasons), the help that fits, and its
//! group and score in every scored round where it appears, its referral cases and the help it
//! was given.

use thanrak_core::measure::HouseholdScore;
use thanrak_core::methodology::Group;
use thanrak_core::{HouseholdId, RoundLabel};
use thanrak_store::{Case, HelpRecord, Store, User};

use crate::access::{household_detail, household_reading, AccessError, HouseholdDetail};
use crate::audit::AuditLog;
use crate::scoring::LoadedMethodology;
use crate::targeting::{need_labels, Label};

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
    pub needs: Vec<Label>,
    /// Its group and score in each scored round where it appears, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Its referral cases that the user reads, newest first.
    pub cases: Vec<Case>,
    /// The help it was given that the user reads (the logbook), newest first.
    pub help: Vec<HelpRecord>,
    /// The history of its record in this round: its field submission and every change.
    pub changes: crate::entry::History,
    /// Whether the user may correct it on the web.
    pub may_edit: bool,
}

/// The profile of household `household_id` of `round`, if `user` may see it: outside the
/// user's areas it is "not found", like a household that does not exist. The view is audited
/// (when unmasked) by [`household_detail`] before anything is returned.
pub async fn household_profile(
    store: &Store,
    log: &AuditLog,
    lm: &LoadedMethodology,
    user: &User,
    round: &RoundLabel,
    household_id: &HouseholdId,
    action: &str,
) -> Result<Profile, AccessError> {
    let detail = household_detail(store, log, user, round, household_id, action).await?;
    let (scope, _) = household_reading(store, user, household_id).await?;
    let h = &detail.household.household;
    let (round, id) = (h.round.clone(), h.household_id.clone());
    let m = &lm.methodology;
    let mut score = None;
    let mut history = Vec::new();
    for (r, s) in store
        .scores()
        .household_scores(&scope, &id, m.id(), m.version())
        .await?
    {
        history.push(HistoryEntry {
            round: r.clone(),
            group: s.score.group,
            score: s.score.score,
        });
        if r == round {
            score = Some(s.score);
        }
    }
    let fits = score
        .as_ref()
        .map(|s| need_labels(m, s.needs))
        .unwrap_or_default();
    let cases = crate::cases::household_cases(store, user, &id).await?;
    // A role that reads no help (it read the household through another right) sees none.
    let help = match crate::help::help_for_household(store, user, &id).await {
        Ok(h) => h,
        Err(AccessError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let raw = store
        .registry()
        .scoped_household(&scope, &round, &id)
        .await?;
    let raw_members = store
        .registry()
        .scoped_members(&scope, &round, std::slice::from_ref(&id))
        .await?;
    let changes =
        crate::entry::history(store, &round, &raw, &raw_members, detail.household.masked).await?;
    let may_edit = match crate::policy::household_editor(user) {
        Ok(None) => true,
        Ok(Some(areas)) => areas.iter().any(|a| raw.village_code.is_within(a)),
        Err(_) => false,
    };
    Ok(Profile {
        detail,
        score,
        needs: fits,
        history,
        cases,
        help,
        changes,
        may_edit,
    })
}
