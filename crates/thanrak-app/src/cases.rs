//! Referral cases: an area manager (or an admin) refers one household's need to an agency of
//! the catalogue; the agency's officers and the referring side move the case through the
//! workflow of `thanrak_core::case`, each only the moves that are theirs (`policy::case_party`);
//! two changes made at once from one version: the second is refused (409) and nothing is lost.
//! A case outside what the user may read is "not found", never "forbidden".

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thanrak_core::agency::Agency;
use thanrak_core::case::{self, CaseError, CaseMove, CaseState, Party};
use thanrak_core::identity::{AgencyCode, Scope, User};
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};
use thanrak_store::{Case, CaseEvent, CaseFilter, NewCase, Store, StoreError};

use std::sync::Arc;

use crate::access::{no_such_household, AccessError, Page, Paging};
use crate::agencies::known_needs;
use crate::area_figures::FiguresCache;
use crate::targeting::TargetQuery;
use crate::{policy, AppError, Progress};

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
        return Err(AppError::NotFound(format!(
            "need {:?} is not a need of a shipped methodology: one of {}",
            req.need,
            known_needs().join(", ")
        ))
        .into());
    }
    let agency = catalogued(store, &req.agency, &req.need).await?;
    if !agency.works_in(&household.village_code) {
        return Err(AppError::Invalid(format!(
            "{} does not work in the area of household {} (village {}): see its areas at \
             /agencies",
            req.agency, req.household_id, household.village_code
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

/// The agency of the catalogue with this code, if it meets `need` (households are referred to
/// an agency by its mission), or why not.
async fn catalogued(store: &Store, code: &AgencyCode, need: &str) -> Result<Agency, AccessError> {
    let agency = store.agencies().get(code).await?.ok_or_else(|| {
        AppError::NotFound(format!(
            "agency {code} is not in the catalogue (see /agencies)"
        ))
    })?;
    if !agency.needs.iter().any(|n| n == need) {
        return Err(AppError::Rule(format!(
            "{code} does not meet the need {need:?} (its needs: {}): refer it to an agency \
             that does, or add the need to the agency at /agencies",
            agency.needs.join(", ")
        ))
        .into());
    }
    Ok(agency)
}

/// A bulk referral: every household of a target list (its round and filters, as the target
/// list page shows them) with the need referred, to one agency.
#[derive(Debug, Clone)]
pub struct GroupReferral {
    /// The target list: round, area, group, indicator. Its need, when set, must be the need
    /// referred; when not set, it is: a group is referred for a need its households have.
    pub query: TargetQuery,
    /// The need referred.
    pub need: String,
    /// The agency.
    pub agency: AgencyCode,
    /// What the agency should know (the same for every case).
    pub note: String,
    /// When the cases should be resolved.
    pub due_on: Option<NaiveDate>,
    /// Sent at once (else proposed).
    pub send: bool,
}

/// What a bulk referral did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupReferralResult {
    /// Households in the target list.
    pub households: usize,
    /// Cases opened.
    pub opened: usize,
    /// Households skipped: an open case for this need at this agency already.
    pub already_open: usize,
    /// Households skipped: outside the areas the agency works in.
    pub outside_agency_areas: usize,
}

/// Refers every household of a target list to an agency for a need, as one transaction: a
/// household that already has an open case for the need at the agency, or lies outside the
/// agency's areas, is skipped and counted; the rest are opened, with priorities from their
/// groups. Run twice, it opens nothing new.
pub async fn refer_group(
    store: &Store,
    user: &User,
    req: &GroupReferral,
    progress: Progress<'_>,
) -> Result<GroupReferralResult, AccessError> {
    policy::refers(user)?;
    if !known_needs().contains(&req.need) {
        return Err(AppError::NotFound(format!(
            "need {:?} is not a need of a shipped methodology: one of {}",
            req.need,
            known_needs().join(", ")
        ))
        .into());
    }
    let mut query = req.query.clone();
    match &query.need {
        Some(n) if *n != req.need => {
            return Err(AppError::Invalid(format!(
                "the list is filtered by the need {n:?} but the referral is for {:?}: refer a \
                 list for the need it is filtered by",
                req.need
            ))
            .into())
        }
        _ => query.need = Some(req.need.clone()),
    }
    let agency = catalogued(store, &req.agency, &req.need).await?;
    progress("reading the target list", 0, 1);
    let lm = crate::scoring::default_methodology();
    let listed = crate::targeting::target_households(store, &lm, user, &query).await?;
    let households = listed.len();
    let mut outside = 0;
    let mut cases = Vec::with_capacity(households);
    for (household_id, village_code, group) in listed {
        if !agency.works_in(&village_code) {
            outside += 1;
            continue;
        }
        policy::may_refer(user, &village_code)?;
        cases.push(NewCase {
            round: query.round.clone(),
            household_id,
            village_code,
            need: req.need.clone(),
            agency: req.agency.clone(),
            state: if req.send {
                CaseState::Sent
            } else {
                CaseState::Proposed
            },
            priority: case::priority(group),
            note: req.note.trim().to_string(),
            due_on: req.due_on,
            created_by: user.id,
            created_by_name: user.name.to_string(),
        });
    }
    progress("opening cases", 0, cases.len() as u64);
    let opened = store.cases().open_many(&cases, Utc::now()).await?;
    progress("opening cases", cases.len() as u64, cases.len() as u64);
    Ok(GroupReferralResult {
        households,
        opened: opened.opened.len(),
        already_open: opened.already_open.len(),
        outside_agency_areas: outside,
    })
}

/// Which of the cases a user reads a list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    /// Only cases in this state.
    pub state: Option<CaseState>,
    /// Only overdue cases (not ended, past their due date today).
    pub overdue: bool,
    /// Only the cases of this agency (inside what the user reads).
    pub agency: Option<AgencyCode>,
}

/// The most cases a download holds.
pub const DOWNLOAD_MAX: u32 = 200_000;

/// The cases the user reads, newest first, every one of them (up to [`DOWNLOAD_MAX`]): a
/// downloaded inbox.
pub async fn all_cases(
    store: &Store,
    user: &User,
    q: &CaseQuery,
) -> Result<Vec<Case>, AccessError> {
    Ok(list_in(store, None, user, q, 0, u64::from(DOWNLOAD_MAX))
        .await?
        .0)
}

/// The cases the user reads, newest first: a page, its rows and total read at most once per
/// `CASES_TTL`
/// (a server forgets them when a case changes through it: `FiguresCache::cases_changed`).
pub async fn list_cases(
    store: &Store,
    cache: &FiguresCache,
    user: &User,
    q: &CaseQuery,
    paging: Paging,
) -> Result<Page<Case>, AccessError> {
    let (items, total) = list_in(
        store,
        Some(cache),
        user,
        q,
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

async fn list_in(
    store: &Store,
    cache: Option<&FiguresCache>,
    user: &User,
    q: &CaseQuery,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Case>, u64), AccessError> {
    let (agency, scope) = policy::case_view(user)?;
    // An agency officer's own agency always; another's asked for: an empty list.
    let agency = match (agency, &q.agency) {
        (Some(own), Some(asked)) if own != *asked => return Ok((Vec::new(), 0)),
        (Some(own), _) => Some(own),
        (None, asked) => asked.clone(),
    };
    let filter = CaseFilter {
        agency: agency.as_ref(),
        state: q.state,
        overdue_on: q.overdue.then(|| Utc::now().date_naive()),
    };
    match cache {
        // A page: its rows and its total read at most once per `CASES_TTL`.
        Some(cache) => {
            let key: TotalKey = (agency.clone(), q.state, filter.overdue_on, scope.clone());
            let cell = cache.case_totals.get_or_insert_with(key, Default::default);
            let total = *cell
                .get_or_try_init(|| async { store.cases().count(filter, &scope).await })
                .await?;
            let key: PageKey = (
                agency.clone(),
                q.state,
                filter.overdue_on,
                scope.clone(),
                offset,
                limit,
            );
            let cell = cache.case_pages.get_or_insert_with(key, Default::default);
            let items = cell
                .get_or_try_init(|| async {
                    store
                        .cases()
                        .page(filter, &scope, offset, limit)
                        .await
                        .map(Arc::new)
                })
                .await?;
            Ok((items.as_ref().clone(), total))
        }
        None => Ok(store.cases().list(filter, &scope, offset, limit).await?),
    }
}

/// What a cached count of cases is kept under: agency, state, overdue on a day, scope.
pub(crate) type TotalKey = (
    Option<AgencyCode>,
    Option<CaseState>,
    Option<NaiveDate>,
    Scope,
);
/// What a cached page of cases is kept under: a [`TotalKey`]'s parts, offset and limit.
pub(crate) type PageKey = (
    Option<AgencyCode>,
    Option<CaseState>,
    Option<NaiveDate>,
    Scope,
    u64,
    u64,
);
/// What a cached referral status is kept under: agency, scope, day.
pub(crate) type StatusKey = (Option<AgencyCode>, Scope, NaiveDate);

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
        e => AppError::Rule(e.to_string()).into(),
    })?;
    // The agency's officer who first takes the case on owns it.
    let owner =
        (party == Party::Agency && !matches!(m, CaseMove::Decline)).then_some(user.name.as_str());
    Ok(store
        .cases()
        .change_state(
            id,
            version,
            to,
            user.id,
            user.name.as_str(),
            note.trim(),
            owner,
            Utc::now(),
        )
        .await?)
}

/// The longest comment kept.
const COMMENT_MAX_CHARS: usize = 1_000;

/// Writes a comment on case `id`, for a user who plays a part in it (the referring side, the
/// agency, an admin); the case's state and version stay as they are.
pub async fn comment_case(
    store: &Store,
    user: &User,
    id: i64,
    note: &str,
) -> Result<(), AccessError> {
    let (c, _) = get_case(store, user, id).await?;
    if policy::case_party(user, &c.new.agency, &c.new.village_code) == Party::Other {
        return Err(AccessError::Forbidden(
            "only the referring side, the case's agency or an admin comments on a case".into(),
        ));
    }
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::Invalid("a comment needs some text".into()).into());
    }
    if note.chars().count() > COMMENT_MAX_CHARS {
        return Err(AppError::Invalid(format!(
            "a comment is at most {COMMENT_MAX_CHARS} characters"
        ))
        .into());
    }
    Ok(store
        .cases()
        .comment(id, user.id, user.name.as_str(), note, Utc::now())
        .await?)
}

/// The cases of one household that the user reads (the family profile), newest first.
pub async fn household_cases(
    store: &Store,
    user: &User,
    household_id: &HouseholdId,
) -> Result<Vec<Case>, AccessError> {
    let Ok((agency, scope)) = policy::case_view(user) else {
        return Ok(Vec::new());
    };
    Ok(store
        .cases()
        .of_household(household_id)
        .await?
        .into_iter()
        .filter(|c| {
            agency.as_ref().is_none_or(|a| *a == c.new.agency)
                && scope.contains(&c.new.village_code)
        })
        .collect())
}

/// One agency's cases in each state inside what the user reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyStatus {
    /// The agency.
    pub agency: Agency,
    /// Cases by state, in `CaseState::ALL` order.
    pub by_state: Vec<u64>,
    /// Cases not ended and past their due date.
    pub overdue: u64,
    /// Every case.
    pub total: u64,
}

/// The referral status by agency (the dashboard's): how many cases inside what the user reads
/// (narrowed to `area` when given) each agency has in each state, and how many are overdue;
/// agencies without cases are left out. Analysts, who read no cases, get nothing.
pub async fn referral_status(
    store: &Store,
    cache: &FiguresCache,
    user: &User,
    area: Option<&AreaCode>,
) -> Result<Vec<AgencyStatus>, AccessError> {
    let Ok((agency, scope)) = policy::case_view(user) else {
        return Ok(Vec::new());
    };
    let scope = match scope.narrowed(area) {
        None => Scope::All,
        Some(codes) if codes.is_empty() => Scope::None,
        Some(codes) => Scope::Areas(codes),
    };
    let today = Utc::now().date_naive();
    let cell = cache
        .case_status
        .get_or_insert_with((agency.clone(), scope.clone(), today), Default::default);
    let counts = cell
        .get_or_try_init(|| async {
            store
                .cases()
                .status(agency.as_ref(), &scope, today)
                .await
                .map(Arc::new)
        })
        .await?
        .clone();
    let mut out: Vec<AgencyStatus> = Vec::new();
    for a in crate::agencies::cached_agencies(store, cache)
        .await?
        .iter()
        .cloned()
    {
        let mine: Vec<_> = counts.iter().filter(|c| c.agency == a.code).collect();
        if mine.is_empty() {
            continue;
        }
        let by_state: Vec<u64> = CaseState::ALL
            .iter()
            .map(|s| mine.iter().filter(|c| c.state == *s).map(|c| c.cases).sum())
            .collect();
        out.push(AgencyStatus {
            total: by_state.iter().sum(),
            overdue: mine.iter().map(|c| c.overdue).sum(),
            by_state,
            agency: a,
        });
    }
    Ok(out)
}
