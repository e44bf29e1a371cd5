//! Matching poor workers to the registry's open positions (methodology §7, issue 11): a run for
//! a round and an area reads the households scored with the default methodology and the
//! positions of the area's enterprises, solves the optimal assignment exactly
//! (`thanrak_core::economy::matching`), and stores the proposal; each pair is then accepted —
//! a referral case for the `job` need goes to the agency that meets it — and, once that agency
//! has accepted the case, the hire is written to the logbook of help, which resolves the case.
//!
//! Runs and acceptances: an admin anywhere, an area manager inside its areas
//! (`policy::may_match`). The pairs are read by admins, area managers and surveyors inside
//! their areas (`policy::match_scope`).

use std::collections::HashMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use thanrak_core::economy::matching::{
    assign, build_graph, is_job_seeker, MatchRules, Opening, Unplaced, Worker, MAX_REACH_M,
};
use thanrak_core::help::{Addresses, HelpKind};
use thanrak_core::identity::{AgencyCode, Scope, User};
use thanrak_core::methodology::Group;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_store::{
    Case, NewMatchRun, NewPair, NewUnplaced, PairRecord, PairState, RunKey, Store, UnplacedPage,
};

use crate::access::AccessError;
use crate::cases::{refer, ReferRequest};
use crate::economy::scope_holds;
use crate::help::{record_help, thai_today, HelpRequest, Recorded};
use crate::{blocking, policy, AppError, Progress};

/// The need a placement answers.
pub const JOB_NEED: &str = "job";

/// What to match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchParams {
    /// The round whose households are looked at.
    #[serde(with = "crate::jobs::round_text")]
    pub round: RoundLabel,
    /// The area (`None`: everywhere); the positions of its enterprises are offered.
    pub area: Option<String>,
    /// The reach in metres.
    pub max_m: u32,
    /// At most one worker per household.
    pub one_per_household: bool,
    /// The user's name; its rights are those it has when the job runs.
    pub user: String,
}

impl MatchParams {
    /// The area, parsed.
    pub fn area(&self) -> Result<Option<AreaCode>, AppError> {
        self.area
            .as_deref()
            .map(|a| AreaCode::parse(a).map_err(|e| AppError::Invalid(format!("area {a:?} {e}"))))
            .transpose()
    }

    fn check(&self) -> Result<(), AppError> {
        if self.max_m == 0 || self.max_m > MAX_REACH_M {
            return Err(AppError::Invalid(format!(
                "the reach must be between 1 m and {} km",
                MAX_REACH_M / 1000
            )));
        }
        self.area().map(|_| ())
    }
}

/// A pair proposed by a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairLine {
    /// The stored pair's id (to accept it).
    pub pair_id: i64,
    /// The worker's household.
    pub household_id: String,
    /// The worker's number in it.
    pub member_no: u16,
    /// The household's village.
    pub village_code: String,
    /// Whether the household is in hardship.
    pub hardship: bool,
    /// The position.
    pub position_id: i64,
    /// What the work is.
    pub position_title: String,
    /// The monthly wage in baht.
    pub wage_baht_month: i64,
    /// The enterprise.
    pub enterprise_id: i64,
    /// Its name.
    pub enterprise_name: String,
    /// The distance in metres (`None`: the same subdistrict, without coordinates).
    pub distance_m: Option<u32>,
    /// The skills matched (`;`-separated; empty when none was wanted).
    pub matched_skills: String,
    /// proposed, accepted or hired.
    pub state: String,
}

/// A worker left unplaced, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnplacedLine {
    /// The worker's household.
    pub household_id: String,
    /// The worker's number in it.
    pub member_no: u16,
    /// The household's village.
    pub village_code: String,
    /// Whether the household is in hardship.
    pub hardship: bool,
    /// The reason's code (`Unplaced`).
    pub reason: String,
}

/// The counts of one area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaLine {
    /// The area (the workers' district, or subdistrict when the run is for a district or
    /// smaller).
    pub area: String,
    /// Workers looked at.
    pub workers: u32,
    /// Of them in hardship households.
    pub hardship_workers: u32,
    /// Workers placed.
    pub placed: u32,
    /// Of them in hardship households.
    pub hardship_placed: u32,
}

/// What a run found: kept as the job's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchResult {
    /// The stored run.
    pub run_id: i64,
    /// The round.
    pub round: String,
    /// The area (`None`: everywhere).
    pub area: Option<String>,
    /// The reach in metres.
    pub max_m: u32,
    /// Positions offered.
    pub positions: usize,
    /// Places they offer.
    pub places: u64,
    /// Allowed worker–position pairs.
    pub allowed_pairs: usize,
    /// Totals over the run.
    pub total: AreaLine,
    /// Totals by area, in code order.
    pub by_area: Vec<AreaLine>,
    /// The pairs, by village.
    pub pairs: Vec<PairLine>,
    /// The workers left unplaced, by household.
    pub unplaced: Vec<UnplacedLine>,
}

/// Runs a match as `user` and stores its proposal (see the module).
pub async fn run_match(
    store: &Store,
    user: &User,
    p: &MatchParams,
    progress: Progress<'_>,
) -> Result<MatchResult, AccessError> {
    p.check()?;
    let area = p.area()?;
    policy::may_match(user, area.as_ref())?;
    crate::ensure_round(store, &p.round).await?;
    progress("reading households", 0, 1);
    let lm = crate::scoring::default_methodology();
    let key = RunKey {
        round: p.round.clone(),
        methodology_id: lm.methodology.id().to_string(),
        methodology_version: lm.methodology.version().to_string(),
    };
    let scores = store
        .scores()
        .of_run(&key, area.as_ref())
        .await
        .map_err(AppError::from)?;
    if scores.is_empty()
        && store
            .scores()
            .run(&key)
            .await
            .map_err(AppError::from)?
            .is_none()
    {
        return Err(AppError::Invalid(format!(
            "round {} is not scored with {}: score it before matching its workers",
            p.round,
            lm.methodology.id()
        ))
        .into());
    }
    let groups: HashMap<String, Group> = scores
        .into_iter()
        .map(|s| (s.score.household_id.as_str().to_string(), s.score.group))
        .collect();
    let registry = store.registry();
    let households = registry
        .scoped_round_households(&Scope::All, area.as_ref(), &p.round)
        .await
        .map_err(AppError::from)?;
    let members = registry
        .scoped_round_members(&Scope::All, area.as_ref(), &p.round)
        .await
        .map_err(AppError::from)?;
    let openings_read = store
        .economy()
        .openings(&Scope::All, area.as_ref())
        .await
        .map_err(AppError::from)?;
    progress("matching", 0, 1);
    let by_id: HashMap<&str, &thanrak_core::Household> = households
        .iter()
        .map(|h| (h.household_id.as_str(), h))
        .collect();
    let workers: Vec<Worker> = members
        .iter()
        .filter_map(|m| {
            let h = by_id.get(m.household_id.as_str())?;
            let group = *groups.get(m.household_id.as_str())?;
            is_job_seeker(m, h.survey_date, group).then(|| Worker {
                household_id: m.household_id.clone(),
                member_no: m.member_no,
                village: h.village_code,
                location: h.location,
                skills: m.skills,
                hardship: group == Group::Hardship,
            })
        })
        .collect();
    let openings: Vec<Opening> = openings_read
        .iter()
        .map(|(pos, e)| Opening {
            position_id: pos.id,
            enterprise_id: e.id(),
            village: e.fields().village,
            location: e.fields().location,
            skills_wanted: pos.skills_wanted,
            places: pos.places,
        })
        .collect();
    let rules = MatchRules {
        max_m: p.max_m,
        one_per_household: p.one_per_household,
    };
    let assignment = blocking(|| {
        let graph = build_graph(&workers, &openings, rules);
        assign(&graph, &workers, &openings, &mut |done, all| {
            progress("matching", done as u64, all as u64)
        })
    });
    let pairs: Vec<NewPair> = assignment
        .pairs
        .iter()
        .map(|pair| {
            let w = &workers[pair.worker];
            let o = &openings[pair.opening];
            NewPair {
                household_id: w.household_id.clone(),
                member_no: w.member_no,
                village_code: w.village,
                hardship: w.hardship,
                position_id: o.position_id,
                enterprise_id: o.enterprise_id,
                distance_m: pair.distance_m,
                matched: pair.matched,
            }
        })
        .collect();
    progress("saving", 0, 1);
    let run_id = store
        .economy()
        .save_run(
            &NewMatchRun {
                round: p.round.clone(),
                area,
                max_m: p.max_m,
                workers: workers.len() as u32,
                created_by_id: user.id,
                created_by: user.name.to_string(),
                pairs,
                unplaced: assignment
                    .unplaced
                    .iter()
                    .map(|(w, reason)| {
                        let w = &workers[*w];
                        NewUnplaced {
                            household_id: w.household_id.clone(),
                            member_no: w.member_no,
                            village_code: w.village,
                            hardship: w.hardship,
                            reason: *reason,
                        }
                    })
                    .collect(),
            },
            Utc::now(),
        )
        .await
        .map_err(AppError::from)?;
    let level = match area.map(|a| a.level()) {
        None | Some(AreaLevel::Province) => AreaLevel::District,
        Some(_) => AreaLevel::Subdistrict,
    };
    let line = |a: String, t: thanrak_core::economy::matching::AreaTotals| AreaLine {
        area: a,
        workers: t.workers,
        hardship_workers: t.hardship_workers,
        placed: t.placed,
        hardship_placed: t.hardship_placed,
    };
    let by_area: Vec<AreaLine> = assignment
        .totals_by(&workers, level)
        .into_iter()
        .map(|(a, t)| line(a.to_string(), t))
        .collect();
    let mut total = line(String::new(), Default::default());
    for a in &by_area {
        total.workers += a.workers;
        total.hardship_workers += a.hardship_workers;
        total.placed += a.placed;
        total.hardship_placed += a.hardship_placed;
    }
    let stored = store
        .economy()
        .pairs(run_id, &Scope::All)
        .await
        .map_err(AppError::from)?;
    let info: HashMap<i64, (&str, i64, &str)> = openings_read
        .iter()
        .map(|(pos, e)| {
            (
                pos.id,
                (
                    pos.title.as_str(),
                    pos.wage_baht_month,
                    e.fields().name.as_str(),
                ),
            )
        })
        .collect();
    Ok(MatchResult {
        run_id,
        round: p.round.to_string(),
        area: area.map(|a| a.to_string()),
        max_m: p.max_m,
        positions: openings.len(),
        places: openings.iter().map(|o| u64::from(o.places)).sum(),
        allowed_pairs: assignment.allowed_pairs,
        total,
        by_area,
        pairs: stored.iter().map(|r| pair_line(r, &info)).collect(),
        unplaced: assignment
            .unplaced
            .iter()
            .map(|(w, reason)| {
                let w = &workers[*w];
                UnplacedLine {
                    household_id: w.household_id.to_string(),
                    member_no: w.member_no,
                    village_code: w.village.to_string(),
                    hardship: w.hardship,
                    reason: reason.as_str().to_string(),
                }
            })
            .collect(),
    })
}

fn pair_line(r: &PairRecord, info: &HashMap<i64, (&str, i64, &str)>) -> PairLine {
    let (title, wage, name) = info
        .get(&r.pair.position_id)
        .copied()
        .unwrap_or(("", 0, ""));
    PairLine {
        pair_id: r.id,
        household_id: r.pair.household_id.to_string(),
        member_no: r.pair.member_no,
        village_code: r.pair.village_code.to_string(),
        hardship: r.pair.hardship,
        position_id: r.pair.position_id,
        position_title: title.to_string(),
        wage_baht_month: wage,
        enterprise_id: r.pair.enterprise_id,
        enterprise_name: name.to_string(),
        distance_m: r.pair.distance_m,
        matched_skills: r.pair.matched.to_text(),
        state: r.state.as_str().to_string(),
    }
}

/// The latest runs (at most `limit`, newest first) for a user who reads matched workers.
pub async fn list_runs(
    store: &Store,
    user: &User,
    limit: u32,
) -> Result<Vec<thanrak_store::MatchRunRecord>, AccessError> {
    policy::match_scope(user)?;
    Ok(store.economy().runs(limit).await.map_err(AppError::from)?)
}

/// The pairs of a stored run as `user` may read them (`policy::match_scope`), with the state
/// each is in now.
pub async fn run_pairs(
    store: &Store,
    user: &User,
    run_id: i64,
) -> Result<Vec<PairLine>, AccessError> {
    let scope = policy::match_scope(user)?;
    let economy = store.economy();
    economy
        .run(run_id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound(format!("there is no match run {run_id}")))?;
    let pairs = economy
        .pairs(run_id, &scope)
        .await
        .map_err(AppError::from)?;
    let mut info_rows: HashMap<i64, (String, i64, String)> = HashMap::new();
    let mut ids: Vec<i64> = pairs.iter().map(|p| p.pair.enterprise_id).collect();
    ids.sort_unstable();
    ids.dedup();
    for e in economy.get_many(&ids).await.map_err(AppError::from)? {
        for pos in economy.positions_of(e.id()).await.map_err(AppError::from)? {
            info_rows.insert(
                pos.id,
                (
                    pos.title.clone(),
                    pos.wage_baht_month,
                    e.fields().name.clone(),
                ),
            );
        }
    }
    let info: HashMap<i64, (&str, i64, &str)> = info_rows
        .iter()
        .map(|(k, (t, w, n))| (*k, (t.as_str(), *w, n.as_str())))
        .collect();
    Ok(pairs.iter().map(|r| pair_line(r, &info)).collect())
}

/// A page of the workers run `run_id` left unplaced, as `user` may read them
/// (`policy::match_scope`): for one reason or all, by village, household and member, with the
/// count of each reason inside the user's areas.
pub async fn run_unplaced(
    store: &Store,
    user: &User,
    run_id: i64,
    reason: Option<Unplaced>,
    paging: crate::access::Paging,
) -> Result<UnplacedPage, AccessError> {
    let scope = policy::match_scope(user)?;
    let economy = store.economy();
    economy
        .run(run_id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound(format!("there is no match run {run_id}")))?;
    Ok(economy
        .unplaced(run_id, &scope, reason, paging.page(), paging.per_page())
        .await
        .map_err(AppError::from)?)
}

/// The pair `id` if `user` may act on it (an admin, the area manager of its village).
async fn actionable_pair(store: &Store, user: &User, id: i64) -> Result<PairRecord, AccessError> {
    let not_found = || AppError::NotFound(format!("there is no pair {id}"));
    let pair = store
        .economy()
        .pair(id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(not_found)?;
    // A pair outside the user's areas is not found, never forbidden.
    if let Ok(scope) = policy::match_scope(user) {
        if !scope_holds(&scope, &pair.pair.village_code) {
            return Err(not_found().into());
        }
    }
    policy::may_match(user, Some(&pair.pair.village_code))?;
    Ok(pair)
}

/// The agency a placement is referred to: of the agencies of the catalogue that meet the job
/// need and work in the village, the first the default methodology names for the need (OSMEP
/// in the shipped file), else the first by code.
async fn job_agency(store: &Store, village: &AreaCode) -> Result<AgencyCode, AccessError> {
    let agencies = store.agencies().list().await.map_err(AppError::from)?;
    let lm = crate::scoring::default_methodology();
    let preferred: Vec<&str> = lm
        .methodology
        .needs()
        .iter()
        .filter(|n| n.id == JOB_NEED)
        .flat_map(|n| n.agencies.iter().map(String::as_str))
        .collect();
    let mut fit: Vec<&thanrak_core::agency::Agency> = agencies
        .iter()
        .filter(|a| a.needs.iter().any(|n| n == JOB_NEED) && a.works_in(village))
        .collect();
    fit.sort_by_key(|a| {
        (
            preferred
                .iter()
                .position(|p| *p == a.code.as_str())
                .unwrap_or(usize::MAX),
            a.code.as_str().to_string(),
        )
    });
    fit.first().map(|a| a.code.clone()).ok_or_else(|| {
        AppError::Rule(format!(
            "no agency of the catalogue meets the job need in village {village}"
        ))
        .into()
    })
}

/// Accepts a proposed pair: refers the worker's household for the job need to the agency that
/// meets it, with a note naming the enterprise and the position, and marks the pair accepted
/// with its case. Returns the case.
pub async fn accept_pair(store: &Store, user: &User, id: i64) -> Result<Case, AccessError> {
    policy::runs_matches(user)?;
    let pair = actionable_pair(store, user, id).await?;
    if pair.state != PairState::Proposed {
        return Err(AppError::Rule(format!("pair {id} is already {}", pair.state.as_str())).into());
    }
    let run = store
        .economy()
        .run(pair.run_id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound(format!("there is no match run {}", pair.run_id)))?;
    let e = store
        .economy()
        .get(pair.pair.enterprise_id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "there is no enterprise {}",
                pair.pair.enterprise_id
            ))
        })?;
    let position = store
        .economy()
        .positions_of(e.id())
        .await
        .map_err(AppError::from)?
        .into_iter()
        .find(|p| p.id == pair.pair.position_id);
    let agency = job_agency(store, &pair.pair.village_code).await?;
    let note = format!(
        "matched (run {}) to {} at {} (enterprise {}), {}; member {}",
        run.id,
        position.as_ref().map_or("a position", |p| p.title.as_str()),
        e.fields().name,
        e.id(),
        pair.pair
            .distance_m
            .map_or("same subdistrict".to_string(), |d| format!(
                "{:.1} km",
                f64::from(d) / 1000.0
            )),
        pair.pair.member_no
    );
    let case = refer(
        store,
        user,
        &ReferRequest {
            round: run.round.clone(),
            household_id: pair.pair.household_id.clone(),
            need: JOB_NEED.to_string(),
            agency,
            note,
            due_on: None,
            send: true,
        },
    )
    .await?;
    store
        .economy()
        .move_pair(
            id,
            PairState::Proposed,
            PairState::Accepted,
            Some(case.id),
            None,
        )
        .await
        .map_err(AppError::from)?;
    Ok(case)
}

/// Records the hire of an accepted pair whose case the agency has accepted: an episode of help
/// of kind job (its value one month's wage) in the logbook, in the name of the case's agency,
/// which resolves the case; the pair becomes hired. Recorded by an officer of that agency or an
/// admin; a user who cannot read the case finds no pair.
pub async fn hire_pair(store: &Store, user: &User, id: i64) -> Result<Recorded, AccessError> {
    // Who may record the hire is who may record help and resolve the case (its agency's
    // officers, an admin): the case's reader and `record_help` decide.
    policy::help_recorder(user)?;
    let pair = store
        .economy()
        .pair(id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound(format!("there is no pair {id}")))?;
    let (PairState::Accepted, Some(case_id)) = (pair.state, pair.case_id) else {
        return Err(AppError::Rule(format!(
            "pair {id} is {}: accept it first",
            pair.state.as_str()
        ))
        .into());
    };
    let (mut case, _) = crate::cases::get_case(store, user, case_id).await?;
    // A hire is the agency taking the case on: a case still only sent is accepted first, by
    // whoever records the hire (the agency's officer or an admin; anyone else is refused).
    if case.state == thanrak_core::case::CaseState::Sent {
        case = crate::cases::move_case(
            store,
            user,
            case_id,
            case.version,
            thanrak_core::case::CaseMove::Accept,
            "",
        )
        .await?;
    }
    let run = store
        .economy()
        .run(pair.run_id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound(format!("there is no match run {}", pair.run_id)))?;
    let e = store
        .economy()
        .get(pair.pair.enterprise_id)
        .await
        .map_err(AppError::from)?;
    let position = store
        .economy()
        .positions_of(pair.pair.enterprise_id)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .find(|p| p.id == pair.pair.position_id);
    // Kept as written, in Thai, like the other notes of a case's history.
    let what = format!(
        "จ้างงานเป็น{} ที่{}",
        position.as_ref().map_or("แรงงาน", |p| p.title.as_str()),
        e.as_ref().map_or("กิจการในทะเบียน", |e| e
            .fields()
            .name
            .as_str())
    );
    let recorded = record_help(
        store,
        user,
        &HelpRequest {
            round: run.round,
            household_id: pair.pair.household_id.clone(),
            agency: case.new.agency.clone(),
            kind: HelpKind::Job,
            addresses: Addresses::Dimension("income".into()),
            what,
            value_satang: position.map_or(0, |p| p.wage_baht_month * 100),
            given_on: thai_today(),
            case_id: Some(case_id),
        },
    )
    .await?;
    store
        .economy()
        .move_pair(
            id,
            PairState::Accepted,
            PairState::Hired,
            None,
            Some(recorded.record.id),
        )
        .await
        .map_err(AppError::from)?;
    Ok(recorded)
}

/// Why a worker was not placed, labelled (for pages and the CLI).
pub fn unplaced_reason(code: &str) -> Option<Unplaced> {
    Unplaced::parse(code)
}
