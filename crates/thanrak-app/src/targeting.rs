//! Precise targeting (ชี้เป้า, methodology §5): which kinds of help fit a household, and the
//! ranked list of the households a user may see.
//!
//! The needs are rules of the methodology file (`[[need]]`), computed when a round is scored and
//! stored with the scores as bits in the file's order; a list filtered by a need is filtered,
//! ordered, counted and paged in the database.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::Utc;
use futures_util::stream::{self, StreamExt};
use thanrak_core::household::Relation;
use thanrak_core::measure::{Bits, HouseholdScore};
use thanrak_core::methodology::{Group, Methodology};
use thanrak_core::{AreaCode, HouseholdId, Member, RoundLabel};
use thanrak_store::{RunKey, Scope, Store, StoredScore, TargetFilter};

use std::sync::{Arc, OnceLock};

use crate::access::{self, AccessError, Page, Paging};
use crate::area_figures::FiguresCache;
use crate::audit::AuditLog;
use crate::exports::{ExportBody, ExportFile};
use crate::scoring::{area_names, LoadedMethodology};
use crate::{blocking, AppError};

/// A coded value with its Thai and English labels, as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The stable code (an indicator or need id).
    pub id: String,
    /// Thai label.
    pub th: String,
    /// English label.
    pub en: String,
}

impl Label {
    /// The label in Thai or English.
    pub fn text(&self, thai: bool) -> &str {
        if thai {
            &self.th
        } else {
            &self.en
        }
    }
}

/// The needs of §5 set in `bits`, with their labels, in the methodology's order.
pub fn need_labels(m: &Methodology, bits: Bits) -> Vec<Label> {
    bits.ones()
        .filter_map(|i| m.needs().get(i))
        .map(|n| Label {
            id: n.id.clone(),
            th: n.label_th.clone(),
            en: n.label_en.clone(),
        })
        .collect()
}

/// The indicators set in `bits`, with their short labels, in the methodology's order.
pub fn indicator_labels(m: &Methodology, bits: Bits) -> Vec<Label> {
    bits.ones()
        .filter_map(|i| m.indicators().get(i))
        .map(|x| Label {
            id: x.id.clone(),
            th: x.short_th.clone(),
            en: x.short_en.clone(),
        })
        .collect()
}

/// The order of target lists (§5): group (hardship first), deprivation score (high first),
/// income per person (low first), then household id so that the order is total.
pub fn target_order(a: &HouseholdScore, b: &HouseholdScore) -> Ordering {
    (a.group as usize)
        .cmp(&(b.group as usize))
        .then(b.c.num.cmp(&a.c.num))
        .then(a.income_pc.total_cmp(&b.income_pc))
        .then_with(|| a.household_id.as_str().cmp(b.household_id.as_str()))
}

/// Which households to list; every filter is optional and they combine.
#[derive(Debug, Clone)]
pub struct TargetQuery {
    /// The round.
    pub round: RoundLabel,
    /// Only inside this area (it narrows, never widens, the user's areas).
    pub area: Option<AreaCode>,
    /// Only this group (code).
    pub group: Option<String>,
    /// Only households deprived in this indicator (id).
    pub indicator: Option<String>,
    /// Only households with this need (code).
    pub need: Option<String>,
    /// Only the persistent poor: households poor (hardship or struggling, or MPI-poor) in each
    /// of the last this many rounds scored with the methodology, up to and including `round`.
    pub persistent: Option<u32>,
}

/// One household of a target list.
#[derive(Debug, Clone)]
pub struct Target {
    /// The household.
    pub household_id: HouseholdId,
    /// Its village.
    pub village_code: AreaCode,
    /// The village's Thai name.
    pub village_name: String,
    /// The head's name, masked for roles that may not see it.
    pub head_name: Option<String>,
    /// Its scores.
    pub score: HouseholdScore,
    /// The indicators it is deprived in (short labels), in methodology order.
    pub deprived: Vec<Label>,
    /// The kinds of help that fit (methodology §5), in methodology order.
    pub needs: Vec<Label>,
}

/// A target list page and whether names are masked in it.
#[derive(Debug, Clone)]
pub struct TargetList {
    /// The page.
    pub page: Page<Target>,
    /// Whether personal data is masked.
    pub masked: bool,
    /// The page as the API sent it, kept with the page for as long as the page is cached, so that
    /// every reader of the same page gets the same bytes without the page being serialised
    /// again (serialising and copying it was most of a cached page's cost). The app only keeps
    /// the bytes; the web writes them.
    pub sent: OnceLock<Vec<u8>>,
}

pub(crate) fn run_key(round: &RoundLabel, m: &Methodology) -> RunKey {
    RunKey {
        round: round.clone(),
        methodology_id: m.id().to_string(),
        methodology_version: m.version().to_string(),
    }
}

/// Checks that the round exists and is scored; returns its run and the round's runs (read once a
/// second at most, through `cache`).
pub(crate) async fn scored_run(
    store: &Store,
    cache: &FiguresCache,
    m: &Methodology,
    round: &RoundLabel,
) -> Result<(RunKey, Arc<crate::scoring::RoundRuns>), AppError> {
    let runs = crate::scoring::round_runs(store, cache, round).await?;
    let key = run_key(round, m);
    if !runs.runs.iter().any(|r| r.key == key) {
        crate::ensure_round(store, round).await?;
        return Err(AppError::NotFound(format!(
            "round {round} has not been scored yet"
        )));
    }
    Ok((key, runs))
}

/// A cached target-list page: the methodology file's hash, the run, the reader's scope, the
/// filters (area, group, indicator, need), page, page size and masking.
pub(crate) type PageKey = (
    String,
    RunKey,
    Scope,
    Option<AreaCode>,
    Option<Group>,
    Option<usize>,
    Option<usize>,
    Option<Vec<RoundLabel>>,
    (u32, u32),
    bool,
);

/// The rounds a list of the persistent poor over `n` rounds looks at: the last `n` rounds
/// scored with `m` up to and including `round` (none when `n` is not given).
async fn persistent_rounds(
    store: &Store,
    m: &Methodology,
    round: &RoundLabel,
    n: Option<u32>,
) -> Result<Option<Vec<RoundLabel>>, AppError> {
    let Some(n) = n else { return Ok(None) };
    if !(2..=20).contains(&n) {
        return Err(AppError::Invalid(format!(
            "persistent poverty is counted over 2 to 20 rounds, not {n}"
        )));
    }
    let scored = store.scores().scored_rounds(m.id(), m.version()).await?;
    let upto = scored.iter().position(|r| r == round).map_or(0, |i| i + 1);
    let n = n as usize;
    if upto < n {
        return Err(AppError::Rule(format!(
            "persistent poverty over {n} rounds needs {n} rounds scored up to {round}; there {}",
            match upto {
                0 => "are none".to_string(),
                1 => "is 1".to_string(),
                k => format!("are {k}"),
            }
        )));
    }
    Ok(Some(scored[upto - n..upto].to_vec()))
}

/// Members of these households, by household, read inside `scope`.
async fn members_by_household(
    store: &Store,
    scope: &Scope,
    round: &RoundLabel,
    ids: &[HouseholdId],
) -> Result<HashMap<HouseholdId, Vec<Member>>, AppError> {
    let mut out: HashMap<HouseholdId, Vec<Member>> = HashMap::new();
    for m in store.registry().scoped_members(scope, round, ids).await? {
        out.entry(m.household_id.clone()).or_default().push(m);
    }
    Ok(out)
}

fn head_name(members: &[Member], masked: bool) -> Option<String> {
    let head = members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(members.first())?;
    Some(if masked {
        access::mask_name(&head.first_name)
    } else if head.last_name.is_empty() {
        head.first_name.clone()
    } else {
        format!("{} {}", head.first_name, head.last_name)
    })
}

/// The filters of a target query as the store takes them: group, indicator index, need index.
type Filters = (Option<Group>, Option<usize>, Option<usize>);

fn filters(m: &Methodology, q: &TargetQuery) -> Result<Filters, AppError> {
    let group = q
        .group
        .as_deref()
        .map(|g| Group::parse(g).ok_or_else(|| AppError::Invalid(format!("unknown group {g:?}"))))
        .transpose()?;
    let indicator = q
        .indicator
        .as_deref()
        .map(|i| {
            m.indicator_index(i)
                .ok_or_else(|| AppError::NotFound(format!("unknown indicator {i:?}")))
        })
        .transpose()?;
    let need = q
        .need
        .as_deref()
        .map(|n| {
            m.need_index(n).ok_or_else(|| {
                AppError::NotFound(format!(
                    "unknown need {n:?}: one of {}",
                    m.needs()
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
        })
        .transpose()?;
    Ok((group, indicator, need))
}

/// Refused when a list is filtered by need on a round scored before needs were stored.
fn needs_stored(
    key: &RunKey,
    need: Option<usize>,
    runs: &crate::scoring::RoundRuns,
) -> Result<(), AppError> {
    if need.is_some()
        && runs
            .runs
            .iter()
            .any(|r| r.key == *key && r.methodology_text.is_none())
    {
        return Err(AppError::Invalid(format!(
            "round {} was scored before needs were stored: score it again \
             (`thanrak score --round {}`)",
            key.round, key.round
        )));
    }
    Ok(())
}

/// Every household of a target list that `user` may see — its id, village and group, in no
/// order, without names (a bulk referral's households): filtered in the database.
pub async fn target_households(
    store: &Store,
    lm: &LoadedMethodology,
    user: &thanrak_store::User,
    q: &TargetQuery,
) -> Result<Vec<(HouseholdId, AreaCode, Group)>, AccessError> {
    let m = &lm.methodology;
    let scope = access::household_scope(user)?;
    let (group, indicator, need) = filters(m, q)?;
    let key = run_key(&q.round, m);
    if !store
        .scores()
        .scored_rounds(m.id(), m.version())
        .await?
        .contains(&q.round)
    {
        crate::ensure_round(store, &q.round).await?;
        return Err(
            AppError::NotFound(format!("round {} has not been scored yet", q.round)).into(),
        );
    }
    let poor_in = persistent_rounds(store, m, &q.round, q.persistent).await?;
    // A run scored before needs were stored holds none: a list by need of it is empty.
    let filter = TargetFilter {
        area: q.area.as_ref(),
        group,
        deprived_in: indicator,
        need,
        poor_in: poor_in.as_deref(),
    };
    Ok(store
        .scores()
        .target_households(&key, &scope, filter)
        .await?)
}

/// Every score of a run inside `scope` and `area` that passes the filters, in the order of §5.
async fn every_target(
    store: &Store,
    key: &RunKey,
    scope: &Scope,
    area: Option<&AreaCode>,
    (group, indicator, need): Filters,
) -> Result<Vec<StoredScore>, AppError> {
    let mut scores: Vec<StoredScore> = store
        .scores()
        .scoped(key, scope, area)
        .await?
        .into_iter()
        .filter(|s| group.is_none_or(|g| s.score.group == g))
        .filter(|s| indicator.is_none_or(|i| s.score.deprived(i)))
        .filter(|s| need.is_none_or(|i| s.score.needs.get(i)))
        .collect();
    scores.sort_by(|a, b| target_order(&a.score, &b.score));
    Ok(scores)
}

/// The target list of a scored round: the households `user` may see, filtered and ordered as
/// §5 says; one page of it, or all of it (for downloads) when `paging` is `None`. Analysts are
/// refused (aggregates only). A page that shows names unmasked is written to the audit log under
/// `action` first.
#[allow(clippy::too_many_arguments)]
pub async fn target_list(
    store: &Store,
    log: &AuditLog,
    cache: &FiguresCache,
    lm: &LoadedMethodology,
    user: &thanrak_store::User,
    q: &TargetQuery,
    paging: Option<Paging>,
    action: &str,
) -> Result<Arc<TargetList>, AccessError> {
    let m = &lm.methodology;
    let listing = Listing::of(store, cache, m, user, q).await?;
    let (scope, key, poor_in) = (&listing.scope, &listing.key, &listing.poor_in);
    let area = q.area;
    let (group, indicator, need) = listing.filters;
    let round = key.round.clone();
    let filter = listing.filter(q);
    let masked = !access::sees_personal_data(user.role);
    let list = match paging {
        // A page: ordered, counted and cut in the database, and kept for a second for every
        // reader of the same scope (a province's first pages are asked for again and again).
        Some(p) => {
            let page_key: PageKey = (
                lm.hash.clone(),
                key.clone(),
                scope.clone(),
                area,
                group,
                indicator,
                need,
                poor_in.clone(),
                (p.page(), p.per_page()),
                masked,
            );
            let cell = cache.targets.get_or_insert_with(page_key, Default::default);
            let list = cell
                .get_or_try_init(|| async {
                    let (items, total) = store
                        .scores()
                        .scoped_target_page(key, scope, filter, p.offset(), u64::from(p.per_page()))
                        .await?;
                    let page = Page {
                        items,
                        page: p.page(),
                        per_page: p.per_page(),
                        total,
                    };
                    targets_of(store, m, &round, scope, page, masked)
                        .await
                        .map(Arc::new)
                })
                .await?;
            Arc::clone(list)
        }
        // Every row, ordered here (or, for the persistent poor, in the database).
        None => {
            let scores =
                ordered_scores(store, key, scope, filter, (group, indicator, need)).await?;
            let page = Page {
                page: 1,
                per_page: u32::try_from(scores.len()).unwrap_or(u32::MAX),
                total: scores.len() as u64,
                items: scores,
            };
            Arc::new(targets_of(store, m, &round, scope, page, masked).await?)
        }
    };
    // Every view that shows names unmasked is audited, cached or not, before it is returned.
    if !list.masked && !list.page.items.is_empty() {
        let ids = list
            .page
            .items
            .iter()
            .map(|t| t.household_id.to_string())
            .collect();
        access::audit(log, user, action, round.as_str(), ids, Utc::now())
            .await
            .map_err(AppError::Store)?;
    }
    Ok(list)
}

/// What a target list reads, checked once for a page or a file: the reader's scope, the run
/// (with the needs stored when a need is asked for), the filters and the rounds of persistent
/// poverty.
struct Listing {
    scope: Scope,
    key: RunKey,
    filters: Filters,
    poor_in: Option<Vec<RoundLabel>>,
}

impl Listing {
    async fn of(
        store: &Store,
        cache: &FiguresCache,
        m: &Methodology,
        user: &thanrak_store::User,
        q: &TargetQuery,
    ) -> Result<Listing, AccessError> {
        let scope = access::household_scope(user)?;
        let filters = filters(m, q)?;
        let (key, runs) = scored_run(store, cache, m, &q.round).await?;
        needs_stored(&key, filters.2, &runs)?;
        let poor_in = persistent_rounds(store, m, &q.round, q.persistent).await?;
        Ok(Listing {
            scope,
            key,
            filters,
            poor_in,
        })
    }

    /// The store's filter of `q`.
    fn filter<'a>(&'a self, q: &'a TargetQuery) -> TargetFilter<'a> {
        let (group, deprived_in, need) = self.filters;
        TargetFilter {
            area: q.area.as_ref(),
            group,
            deprived_in,
            need,
            poor_in: self.poor_in.as_deref(),
        }
    }
}

/// Every score of a target list, in the list's order: ordered here, or for the persistent poor
/// in the database.
async fn ordered_scores(
    store: &Store,
    key: &RunKey,
    scope: &Scope,
    filter: TargetFilter<'_>,
    filters: Filters,
) -> Result<Vec<StoredScore>, AppError> {
    Ok(match filter.poor_in {
        Some(_) => {
            store
                .scores()
                .scoped_target_page(key, scope, filter, 0, u64::MAX)
                .await?
                .0
        }
        None => every_target(store, key, scope, filter.area, filters).await?,
    })
}

/// Rows in one part of a streamed target download.
pub const TARGET_PART: usize = 2_000;

/// A whole target list as a file, named after its filters ([`file_stem`]), in the columns of
/// [`TABLE_HEADER`]. The scores are ordered first (a few bytes each); the heads' names are then
/// read, audited and written `part` rows at a time: a CSV is sent part by part as it is read, a
/// workbook is built part by part in constant memory and sent whole. Analysts are refused, as
/// for the list.
#[allow(clippy::too_many_arguments)]
pub async fn target_file(
    store: &Store,
    log: &AuditLog,
    cache: &FiguresCache,
    lm: &LoadedMethodology,
    user: &thanrak_store::User,
    q: &TargetQuery,
    action: &str,
    format: crate::ExportFormat,
    part: usize,
) -> Result<ExportFile, AccessError> {
    let m = &lm.methodology;
    let listing = Listing::of(store, cache, m, user, q).await?;
    let scores = ordered_scores(
        store,
        &listing.key,
        &listing.scope,
        listing.filter(q),
        listing.filters,
    )
    .await?;
    let mut parts = TargetParts {
        store: store.clone(),
        log: log.clone(),
        user: user.clone(),
        methodology: m.clone(),
        round: listing.key.round.clone(),
        scope: listing.scope.clone(),
        masked: !access::sees_personal_data(user.role),
        action: action.to_string(),
        rest: scores,
        done: 0,
        part: part.max(1),
    };
    let stem = file_stem(q);
    match format {
        crate::ExportFormat::Csv => {
            let body = stream::try_unfold(parts, |mut p| async move {
                if p.done > 0 && p.rest.is_empty() {
                    return Ok(None);
                }
                let first = p.done == 0;
                let rows = p.next_rows().await?;
                let bytes = thanrak_io::table_csv_part(first, &TABLE_HEADER, &rows)
                    .map_err(|e| AppError::Invalid(format!("cannot write the CSV: {e}")))?;
                Ok(Some((bytes, p)))
            })
            .boxed();
            Ok(ExportFile {
                name: format!("{stem}.csv"),
                content_type: "text/csv; charset=utf-8",
                body: ExportBody::Parts(body),
            })
        }
        crate::ExportFormat::Xlsx => {
            if parts.rest.len() > thanrak_io::XLSX_MAX_ROWS {
                return Err(AppError::Invalid(format!(
                    "{} rows do not fit in one sheet ({} at most): download CSV or narrow the list",
                    parts.rest.len(),
                    thanrak_io::XLSX_MAX_ROWS
                ))
                .into());
            }
            let mut sheet = thanrak_io::TextSheet::new("targets", &TABLE_HEADER).map_err(failed)?;
            while !parts.rest.is_empty() {
                let rows = parts.next_rows().await?;
                blocking(|| sheet.push(&rows)).map_err(failed)?;
            }
            let bytes = blocking(|| sheet.finish()).map_err(failed)?;
            Ok(ExportFile {
                name: format!("{stem}.xlsx"),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body: ExportBody::Whole(bytes),
            })
        }
    }
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("cannot write the XLSX: {e}"))
}

/// Where a target download has got to: everything a part needs, owned, so that parts can be
/// read after the request's handler has returned the response.
struct TargetParts {
    store: Store,
    log: AuditLog,
    user: thanrak_store::User,
    methodology: Methodology,
    round: RoundLabel,
    scope: Scope,
    masked: bool,
    action: String,
    /// The scores not written yet, in order.
    rest: Vec<StoredScore>,
    /// Rows written so far.
    done: usize,
    part: usize,
}

impl TargetParts {
    /// The next part's rows: heads read, audited when names are shown unmasked.
    async fn next_rows(&mut self) -> Result<Vec<Vec<String>>, AccessError> {
        let n = self.part.min(self.rest.len());
        let rest = self.rest.split_off(n);
        let items = std::mem::replace(&mut self.rest, rest);
        let page = Page {
            page: 1,
            per_page: u32::try_from(n).unwrap_or(u32::MAX),
            total: n as u64,
            items,
        };
        let list = targets_of(
            &self.store,
            &self.methodology,
            &self.round,
            &self.scope,
            page,
            self.masked,
        )
        .await?;
        if !self.masked && !list.page.items.is_empty() {
            let ids = list
                .page
                .items
                .iter()
                .map(|t| t.household_id.to_string())
                .collect();
            access::audit(
                &self.log,
                &self.user,
                &self.action,
                self.round.as_str(),
                ids,
                Utc::now(),
            )
            .await
            .map_err(AppError::Store)?;
        }
        let rows = table_rows(&list.page.items, self.done as u64 + 1);
        self.done += n.max(1);
        Ok(rows)
    }
}

/// A download's file name (without extension) after its filters:
/// `targets-2569-1-52-hardship-job`, so that files saved side by side say what each holds. Only
/// letters, digits, `-` and `_` are kept, so the name needs no quoting beyond its quotes.
pub fn file_stem(q: &TargetQuery) -> String {
    let mut parts = vec!["targets".to_string(), q.round.to_string()];
    parts.extend(q.area.map(|a| a.to_string()));
    parts.extend(q.group.clone());
    parts.extend(q.indicator.clone());
    parts.extend(q.need.clone());
    parts.extend(q.persistent.map(|n| format!("poor-{n}-rounds")));
    parts
        .join("-")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

/// The targets of a page of scores: heads read for that page only, masked when `masked`.
async fn targets_of(
    store: &Store,
    m: &Methodology,
    round: &RoundLabel,
    scope: &Scope,
    page: Page<StoredScore>,
    masked: bool,
) -> Result<TargetList, AppError> {
    let ids: Vec<HouseholdId> = page
        .items
        .iter()
        .map(|s| s.score.household_id.clone())
        .collect();
    let members = members_by_household(store, scope, round, &ids).await?;
    let page = page.map(|s| {
        let id = &s.score.household_id;
        let ms = members.get(id).map_or(&[][..], Vec::as_slice);
        Target {
            household_id: id.clone(),
            village_code: s.village_code,
            village_name: area_names(&s.village_code).0,
            head_name: head_name(ms, masked),
            deprived: indicator_labels(m, s.score.deprivations),
            needs: need_labels(m, s.score.needs),
            score: s.score,
        }
    });
    Ok(TargetList {
        page,
        masked,
        sent: OnceLock::new(),
    })
}

/// The columns of a downloaded target list.
pub const TABLE_HEADER: [&str; 11] = [
    "rank",
    "household_id",
    "village_code",
    "village",
    "head_name",
    "group",
    "group_th",
    "score",
    "income_pc",
    "lacks",
    "needs",
];

/// The rows of a downloaded target list (ranks counted from `first_rank`), in
/// [`TABLE_HEADER`] order; lacks and needs are Thai labels joined by `; `.
pub fn table_rows(targets: &[Target], first_rank: u64) -> Vec<Vec<String>> {
    targets
        .iter()
        .zip(first_rank..)
        .map(|(t, rank)| {
            let lacks: Vec<&str> = t.deprived.iter().map(|l| l.th.as_str()).collect();
            let needs: Vec<&str> = t.needs.iter().map(|n| n.th.as_str()).collect();
            vec![
                rank.to_string(),
                t.household_id.to_string(),
                t.village_code.to_string(),
                t.village_name.clone(),
                t.head_name.clone().unwrap_or_default(),
                t.score.group.as_str().to_string(),
                t.score.group.label_th().to_string(),
                format!("{:.4}", t.score.score),
                format!("{:.0}", t.score.income_pc),
                lacks.join("; "),
                needs.join("; "),
            ]
        })
        .collect()
}

/// A table as CSV (UTF-8 with a byte-order mark, formulas neutralised).
pub fn table_csv(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    thanrak_io::table_csv(header, rows)
        .map_err(|e| AppError::Invalid(format!("cannot write the CSV: {e}")))
}

/// A table as an XLSX workbook of one sheet, every cell as text (never a formula).
pub fn table_xlsx(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    thanrak_io::table_xlsx(sheet, header, rows)
        .map_err(|e| AppError::Invalid(format!("cannot write the XLSX: {e}")))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use thanrak_core::measure::score_round;
    use thanrak_core::AreaRegistry;

    use super::*;

    /// The worked example of the core's fixtures, checked by hand against methodology §5
    /// (indicator flags and capitals from its expected.csv; ages from members.csv).
    #[test]
    fn needs_of_the_worked_example() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../thanrak-core/tests/fixtures/example-round");
        let batch = thanrak_io::read_batch(
            &[dir.join("households.csv"), dir.join("members.csv")],
            AreaRegistry::official(),
            &mut |_, _| {},
        )
        .unwrap();
        assert!(batch.diagnostics.is_empty());
        let m = Methodology::thanrak_default();
        let scores = score_round(m, &batch.households, &batch.members);
        let of = |id: &str| -> Vec<String> {
            let i = batch
                .households
                .iter()
                .position(|h| h.household_id.as_str() == id)
                .unwrap();
            need_labels(m, scores[i].needs)
                .into_iter()
                .map(|l| l.id)
                .collect()
        };
        // Hardship: welfare; housing and literacy deprived; nobody who can work wants work.
        assert_eq!(of("EX001"), ["welfare", "housing", "education"]);
        // Struggling with financial 0.75: only health coverage.
        assert_eq!(of("EX002"), ["health"]);
        // Getting by: elderly care (welfare), housing, upper secondary.
        assert_eq!(of("EX007"), ["welfare", "housing", "education"]);
        // Getting by: a job seeker does not count outside hardship and struggling.
        assert_eq!(of("EX009"), ["welfare", "health"]);
        // Struggling, head aged 58 without occupation who wants work; chronic care deprived.
        assert_eq!(of("EX013"), ["job", "health"]);
        assert!(of("EX015").is_empty());
        // Struggling with financial 0.25: occupation; welfare access and literacy deprived.
        assert_eq!(of("EX024"), ["welfare", "occupation", "education"]);
    }

    #[test]
    fn target_order_is_group_then_score_then_income() {
        let m = Methodology::thanrak_default();
        let base = |id: &str, group: Group, num: u64, income: f64| HouseholdScore {
            household_id: HouseholdId::parse(id).unwrap(),
            deprivations: thanrak_core::measure::Bits(0),
            c: thanrak_core::measure::ExactScore {
                num,
                den: m.denominator(),
            },
            score: num as f64 / m.denominator() as f64,
            mpi_poor: false,
            target_poor: num > 0,
            capitals: [1.0; 5],
            criteria_met: thanrak_core::measure::Bits(0),
            group,
            rule: 0,
            needs: thanrak_core::measure::Bits(0),
            income_pc: income,
            n_members: 1,
            capable_workers: 1,
            head_sex: None,
        };
        let mut v = [
            base("D", Group::Struggling, 9, 1000.0),
            base("C", Group::Hardship, 3, 500.0),
            base("B", Group::Hardship, 3, 100.0),
            base("A", Group::Hardship, 5, 900.0),
            base("E", Group::DoingWell, 0, 0.0),
        ];
        v.sort_by(target_order);
        let ids: Vec<&str> = v.iter().map(|s| s.household_id.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C", "D", "E"]);
    }
}
