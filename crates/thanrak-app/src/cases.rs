//! Referral cases: an area manager (or an admin) refers one household's need to an agency of
//! the catalogue; the agency's officers and the referring side move the case through the
//! workflow of `thanrak_core::case`, each only the moves that are theirs (`policy::case_party`);
//! two changes made at once from one version: the second is refused (409) and nothing is lost.
//! A case outside what the user may read is "not found", never "forbidden".

use chrono::{NaiveDate, Utc};
use thanrak_core::case::{self, CaseError, CaseMove, CaseState};
use thanrak_core::identity::{AgencyCode, User};
use thanrak_core::{HouseholdId, RoundLabel};
use thanrak_store::{Case, CaseEvent, NewCase, Store, StoreError};

use crate::access::{no_such_household, AccessError, Page, Paging};
use crate::agencies::known_needs;
use crate::{policy, AppError};

/// A referral of one household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferRequest {
    /// The round the household was found in (scored with the default methodology).
    pub round: RoundLabel,
    /// The household.
    pub household_id: HouseholdId,
    /// The need referred (an id of the shipped methodologies' needs).
    pub need: String,
    /// The agency.
    pub agency: AgencyCode,
    /// What the agency should know.
    pub note: String,
    /// When it should be resolved.
    pub due_on: Option<NaiveDate>,
    /// Sent at once (else proposed, to be sent later).
    pub send: bool,
}

/// Refers a household: it must be one the user reads (else not found), of an area the user
/// refers from, scored in that round; the need known and the agency in the catalogue. The
/// case's priority comes from the household's group.
pub async fn refer(store: &Store, user: &User, req: &ReferRequest) -> Result<Case, AccessError> {
    let scope = policy::household_scope(user)?;
    let household = store
        .registry()
        .scoped_household(&scope, &req.round, &req.household_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => no_such_household(&req.round, req.household_id.as_str()),
            e => e.into(),
        })?;
    policy::may_refer(user, &household.village_code)?;
    if !known_needs().contains(&req.need) {
        return Err(AppError::Invalid(format!(
            "need {:?} is not a need of a shipped methodology: one of {}",
            req.need,
            known_needs().join(", ")
        ))
        .into());
    }
    if store.agencies().get(&req.agency).await?.is_none() {
        return Err(AppError::Invalid(format!(
            "agency {} is not in the catalogue (see /agencies)",
            req.agency
        ))
        .into());
    }
    let lm = crate::scoring::default_methodology();
    let m = &lm.methodology;
    let scores = store
        .scores()
        .household_scores(&scope, &req.household_id, m.id(), m.version())
        .await?;
    let Some((_, score)) = scores.iter().find(|(r, _)| *r == req.round) else {
        return Err(AppError::Invalid(format!(
            "round {} is not scored with {}: score it before referring its households",
            req.round,
            m.id()
        ))
        .into());
    };
    let new = NewCase {
        round: req.round.clone(),
        household_id: req.household_id.clone(),
        village_code: household.village_code,
        need: req.need.clone(),
        agency: req.agency.clone(),
        state: if req.send {
            CaseState::Sent
        } else {
            CaseState::Proposed
        },
        priority: case::priority(score.score.group),
        note: req.note.trim().to_string(),
        due_on: req.due_on,
        created_by: user.id,
        created_by_name: user.name.to_string(),
    };
    Ok(store.cases().open(&new, Utc::now()).await?)
}

/// The cases the user reads, newest first.
pub async fn list_cases(
    store: &Store,
    user: &User,
    paging: Paging,
) -> Result<Page<Case>, AccessError> {
    let (agency, scope) = policy::case_view(user)?;
    let (items, total) = store
        .cases()
        .list(
            agency.as_ref(),
            &scope,
            paging.offset(),
            u64::from(paging.per_page()),
        )
        .await?;
    Ok(Page {
        items,
        page: paging.page(),
        per_page: paging.per_page(),
        total,
    })
}

/// One case the user reads, with its history.
pub async fn get_case(
    store: &Store,
    user: &User,
    id: i64,
) -> Result<(Case, Vec<CaseEvent>), AccessError> {
    let (agency, scope) = policy::case_view(user)?;
    let not_found = || AppError::NotFound(format!("there is no case {id}"));
    let c = store.cases().get(id).await?.ok_or_else(not_found)?;
    let visible =
        agency.as_ref().is_none_or(|a| *a == c.new.agency) && scope.contains(&c.new.village_code);
    if !visible {
        return Err(not_found().into());
    }
    let events = store.cases().events(id).await?;
    Ok((c, events))
}

/// Makes `m` on case `id`, read by the user at `version`, with a note (a decline's reason).
pub async fn move_case(
    store: &Store,
    user: &User,
    id: i64,
    version: i64,
    m: CaseMove,
    note: &str,
) -> Result<Case, AccessError> {
    let (c, _) = get_case(store, user, id).await?;
    let party = policy::case_party(user, &c.new.agency, &c.new.village_code);
    let to = case::apply(c.state, m, party, Some(note)).map_err(|e| match e {
        CaseError::NotYours(..) => AccessError::Forbidden(e.to_string()),
        e => AppError::Invalid(e.to_string()).into(),
    })?;
    Ok(store
        .cases()
        .change_state(
            id,
            version,
            to,
            user.id,
            user.name.as_str(),
            note.trim(),
            Utc::now(),
        )
        .await?)
}
