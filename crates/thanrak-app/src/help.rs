//! The logbook of help given (issue 10): an episode of help recorded for one household
//! (`record_help`), or an agency's spreadsheet of them loaded all or nothing with a row report
//! (`import_help`); a household's episodes for its family profile (`help_for_household`); and
//! the logbook summed as the provincial system does (`help_summary`): episodes and budget by
//! agency, by dimension or capital, by kind and by area, households helped against households
//! in need.
//!
//! Who records and reads what is `policy::help_recorder`, `policy::help_reader` and
//! `policy::help_view`; a household the user may not record for is "not found", never
//! "forbidden". Help that names a referral case the agency has accepted (or is working on)
//! resolves the case (`cases::move_case`); a case still only sent must be accepted first.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{Duration, NaiveDate, Utc};
use thanrak_core::case::{self, CaseMove, CaseState};
use thanrak_core::date;
use thanrak_core::help::{parse_baht, Addresses, Help, HelpError, HelpKind, HELP_COLUMNS};
use thanrak_core::identity::{AgencyCode, NameError, Scope, User};
use thanrak_core::{AreaCode, AreaLevel, AreaRegistry, HouseholdId, Reason, RoundLabel};
use thanrak_io::{Diagnostic, Origin, TextRow};
use thanrak_store::{Case, HelpRecord, HelpTotals, NewHelp, RunKey, Store, StoreError};

use crate::access::{no_such_household, AccessError};
use crate::policy::{self, HelpReach};
use crate::{audit_import, AppError, Importer};

/// The day in Thailand (UTC+7) now: help given "today" is not in the future wherever the
/// server's clock is set.
pub fn thai_today() -> NaiveDate {
    (Utc::now() + Duration::hours(7)).date_naive()
}

/// An episode of help to record, its fields parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequest {
    /// The round the household is recorded in.
    pub round: RoundLabel,
    /// The household helped.
    pub household_id: HouseholdId,
    /// The agency that gave it.
    pub agency: AgencyCode,
    /// Its kind.
    pub kind: HelpKind,
    /// The dimension or capital it addresses.
    pub addresses: Addresses,
    /// What was given.
    pub what: String,
    /// Its value in satang.
    pub value_satang: i64,
    /// When it was given.
    pub given_on: NaiveDate,
    /// The referral case it answers.
    pub case_id: Option<i64>,
}

/// An episode recorded, and the case it resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The stored episode.
    pub record: HelpRecord,
    /// The case it closed (it was accepted or in progress), as it now is.
    pub resolved: Option<Case>,
}

/// Why one episode cannot be recorded: the field and its reason.
struct Refusal {
    column: &'static str,
    reason: Reason,
}

impl Refusal {
    fn new(column: &'static str, reason: Reason) -> Self {
        Refusal { column, reason }
    }
}

/// Where the checked episode goes: the household's village, and the case it resolves.
struct Target {
    village: AreaCode,
    resolve: Option<Case>,
}

/// What is looked up once per import rather than once per row.
#[derive(Default)]
struct Lookups {
    agencies: HashMap<AgencyCode, bool>,
    referred: HashMap<(AgencyCode, HouseholdId), bool>,
    households: HashMap<(RoundLabel, HouseholdId), Option<AreaCode>>,
}

/// Checks that `user` may record `help`: its agency (an officer's own, one of the catalogue),
/// the household (one the user records for, in that round), and the case it names.
async fn check_target(
    store: &Store,
    user: &User,
    reach: &HelpReach,
    help: &Help,
    seen: &mut Lookups,
) -> Result<Result<Target, Refusal>, AccessError> {
    if let HelpReach::Agency(own) = reach {
        if help.agency != *own {
            return Ok(Err(Refusal::new(
                "agency",
                Reason::NotYourAgency {
                    agency: own.to_string(),
                },
            )));
        }
    }
    let known = match seen.agencies.get(&help.agency) {
        Some(k) => *k,
        None => {
            let k = store.agencies().get(&help.agency).await?.is_some();
            seen.agencies.insert(help.agency.clone(), k);
            k
        }
    };
    if !known {
        return Ok(Err(Refusal::new("agency", Reason::UnknownAgency)));
    }
    let scope = match reach {
        HelpReach::Everywhere => Scope::All,
        HelpReach::Areas(areas) => Scope::Areas(areas.clone()),
        HelpReach::Agency(own) => {
            let key = (own.clone(), help.household_id.clone());
            let referred = match seen.referred.get(&key) {
                Some(r) => *r,
                None => {
                    let r = store
                        .cases()
                        .agency_has_household(own, &help.household_id)
                        .await?;
                    seen.referred.insert(key, r);
                    r
                }
            };
            if referred {
                Scope::All
            } else {
                Scope::None
            }
        }
    };
    let key = (help.round.clone(), help.household_id.clone());
    let village = match seen.households.get(&key) {
        Some(v) => *v,
        None => {
            let v = match store
                .registry()
                .scoped_household(&scope, &help.round, &help.household_id)
                .await
            {
                Ok(h) => Some(h.village_code),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            };
            seen.households.insert(key, v);
            v
        }
    };
    let Some(village) = village else {
        return Ok(Err(Refusal::new(
            "household_id",
            Reason::NoHouseholdToHelp {
                round: help.round.to_string(),
            },
        )));
    };
    let Some(case_id) = help.case_id else {
        return Ok(Ok(Target {
            village,
            resolve: None,
        }));
    };
    let c = match crate::cases::get_case(store, user, case_id).await {
        Ok((c, _)) => c,
        Err(AccessError::App(AppError::NotFound(_)) | AccessError::Forbidden(_)) => {
            return Ok(Err(Refusal::new("case_id", Reason::NoSuchCase)))
        }
        Err(e) => return Err(e),
    };
    if c.new.household_id != help.household_id || c.new.agency != help.agency {
        return Ok(Err(Refusal::new(
            "case_id",
            Reason::CaseMismatch {
                household: c.new.household_id.to_string(),
                agency: c.new.agency.to_string(),
            },
        )));
    }
    let resolve = match c.state {
        CaseState::Resolved => None,
        CaseState::Accepted | CaseState::InProgress => {
            let party = policy::case_party(user, &c.new.agency, &c.new.village_code);
            if case::apply(c.state, CaseMove::Resolve, party, None).is_err() {
                return Ok(Err(Refusal::new(
                    "case_id",
                    Reason::NotYourAgency {
                        agency: c.new.agency.to_string(),
                    },
                )));
            }
            Some(c)
        }
        other => {
            return Ok(Err(Refusal::new(
                "case_id",
                Reason::CaseNotOpen {
                    state: other.as_str().to_string(),
                },
            )))
        }
    };
    Ok(Ok(Target { village, resolve }))
}

/// The error of a refused episode recorded one at a time.
fn refusal_error(help: &Help, r: Refusal) -> AccessError {
    match r.reason {
        Reason::NoHouseholdToHelp { .. } => {
            no_such_household(&help.round, help.household_id.as_str()).into()
        }
        Reason::NotYourAgency { .. } => AccessError::Forbidden(r.reason.to_string()),
        Reason::NoSuchCase => AppError::NotFound(format!(
            "there is no case {}",
            help.case_id.unwrap_or_default()
        ))
        .into(),
        Reason::UnknownAgency => AppError::NotFound(format!("{} {}", r.column, r.reason)).into(),
        reason => AppError::Rule(format!("{} {reason}", r.column)).into(),
    }
}

/// An episode refused by the rules of the logbook (a date after today, a value out of range): a
/// well-formed request that breaks a rule.
fn invalid(errors: Vec<HelpError>) -> AccessError {
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    AppError::Rule(text.join("; ")).into()
}

/// The note a case resolved by help gets in its history: kept as written, so in Thai, the
/// language of the people who read a case's history.
fn resolve_note(help: &Help) -> String {
    format!(
        "ให้ความช่วยเหลือเมื่อ {}: {} ({} บาท)",
        date::format_thai(help.given_on()),
        help.what(),
        thanrak_core::help::format_baht(help.value_satang())
    )
}

/// Records one episode of help as `user`. A case it names that is accepted or in progress is
/// resolved with it; if the case cannot be resolved (someone changed it meanwhile), the episode
/// is taken back and the error returned, so that the two stay together.
pub async fn record_help(
    store: &Store,
    user: &User,
    req: &HelpRequest,
) -> Result<Recorded, AccessError> {
    let reach = policy::help_recorder(user)?;
    let help = Help::new(
        req.round.clone(),
        req.household_id.clone(),
        req.agency.clone(),
        req.kind,
        req.addresses.clone(),
        &req.what,
        req.value_satang,
        req.given_on,
        req.case_id,
        thai_today(),
    )
    .map_err(invalid)?;
    let target = match check_target(store, user, &reach, &help, &mut Lookups::default()).await? {
        Ok(t) => t,
        Err(r) => return Err(refusal_error(&help, r)),
    };
    let note = resolve_note(&help);
    let new = NewHelp {
        help,
        village_code: target.village,
        recorded_by_id: user.id,
        recorded_by: user.name.to_string(),
    };
    let record = store.help().record(&new, Utc::now()).await?;
    let resolved = match target.resolve {
        None => None,
        Some(c) => {
            match crate::cases::move_case(store, user, c.id, c.version, CaseMove::Resolve, &note)
                .await
            {
                Ok(c) => Some(c),
                Err(e) => {
                    store.help().remove(record.id).await?;
                    return Err(e);
                }
            }
        }
    };
    Ok(Recorded { record, resolved })
}

/// The help a household was given, in every round, newest first, as far as `user` may read it:
/// an admin all of it; an area manager or a surveyor what was given while the household lived
/// in its areas; an agency officer all of it when the household was referred to its agency
/// (else nothing). For the family profile.
pub async fn help_for_household(
    store: &Store,
    user: &User,
    household_id: &HouseholdId,
) -> Result<Vec<HelpRecord>, AccessError> {
    let reach = policy::help_reader(user)?;
    let mut records = store.help().for_household(household_id).await?;
    match reach {
        HelpReach::Everywhere => {}
        HelpReach::Areas(areas) => {
            let scope = Scope::Areas(areas);
            records.retain(|r| scope.contains(&r.new.village_code));
        }
        HelpReach::Agency(own) => {
            if !store
                .cases()
                .agency_has_household(&own, household_id)
                .await?
            {
                records.clear();
            }
        }
    }
    Ok(records)
}

/// One line of a breakdown of the logbook: its code, labels and totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    /// The agency code, dimension or capital id (empty: not specified), or kind code.
    pub code: String,
    /// Thai label.
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// Episodes, value and households.
    pub totals: HelpTotals,
}

/// The help given in one area, against its households in need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaHelp {
    /// The area.
    pub code: AreaCode,
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// Episodes, value and households helped (a household helped in two villages of the area
    /// counts in each).
    pub totals: HelpTotals,
    /// Households of the area with at least one need in the latest scored round (`None` when
    /// the user is not shown them).
    pub in_need: Option<u64>,
}

/// The logbook summed for a reader: inside an area (its child areas listed), by agency,
/// dimension or capital, kind and area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpSummary {
    /// The area summed (`None`: every area the user reads; the provinces are listed).
    pub area: Option<AreaCode>,
    /// Its Thai name (ทั้งหมด for every area).
    pub area_name_th: String,
    /// Its English name.
    pub area_name_en: String,
    /// Only this agency's help (an agency officer's).
    pub agency: Option<AgencyCode>,
    /// Everything summed.
    pub total: HelpTotals,
    /// Households in need in the whole area (`None` when not shown).
    pub in_need: Option<u64>,
    /// The round those households in need are counted in (the latest scored with the default
    /// methodology), if any.
    pub in_need_round: Option<RoundLabel>,
    /// By agency, largest budget first.
    pub by_agency: Vec<HelpLine>,
    /// By dimension or capital, largest budget first.
    pub by_addresses: Vec<HelpLine>,
    /// By kind, largest budget first.
    pub by_kind: Vec<HelpLine>,
    /// By the child areas of the area, by code.
    pub by_area: Vec<AreaHelp>,
}

fn add(a: &mut HelpTotals, b: &HelpTotals) {
    a.episodes += b.episodes;
    a.value_satang += b.value_satang;
    a.households += b.households;
}

fn by_budget(lines: &mut [HelpLine]) {
    lines.sort_by(|a, b| {
        b.totals
            .value_satang
            .cmp(&a.totals.value_satang)
            .then(b.totals.episodes.cmp(&a.totals.episodes))
            .then_with(|| a.code.cmp(&b.code))
    });
}

/// The level listed under `area`: provinces under everything, villages under a village.
fn child_level(area: Option<&AreaCode>) -> AreaLevel {
    match area.map(AreaCode::level) {
        None => AreaLevel::Province,
        Some(AreaLevel::Province) => AreaLevel::District,
        Some(AreaLevel::District) => AreaLevel::Subdistrict,
        Some(AreaLevel::Subdistrict | AreaLevel::Village) => AreaLevel::Village,
    }
}

/// The logbook summed for `user` inside `area` (by default where its figures start): an area
/// manager asking for an area outside its own, or an unknown area, is "not found".
pub async fn help_summary(
    store: &Store,
    user: &User,
    area: Option<AreaCode>,
) -> Result<HelpSummary, AccessError> {
    let view = policy::help_view(user)?;
    let area = policy::figure_area(user, area)?;
    if let Some(a) = &area {
        let official = a.level() == AreaLevel::Village || AreaRegistry::official().get(a).is_some();
        let inside = view.scope.narrowed(Some(a)).is_none_or(|c| !c.is_empty());
        if !official || !inside {
            return Err(AppError::NotFound(format!("there is no area {a} among yours")).into());
        }
    }
    let sums = store
        .help()
        .summary(view.agency.as_ref(), &view.scope, area.as_ref())
        .await?;
    let level = child_level(area.as_ref());
    let mut areas: BTreeMap<AreaCode, (HelpTotals, u64)> = BTreeMap::new();
    for (village, t) in &sums.by_village {
        let key = village.ancestor(level).unwrap_or(*village);
        add(&mut areas.entry(key).or_default().0, t);
    }
    let (mut in_need, mut in_need_round) = (None, None);
    if view.in_need {
        let lm = crate::scoring::default_methodology();
        let m = &lm.methodology;
        if let Some(round) = crate::area_figures::default_round(store, &lm).await? {
            let key = RunKey {
                round: round.clone(),
                methodology_id: m.id().to_string(),
                methodology_version: m.version().to_string(),
            };
            let rows = store
                .scores()
                .in_need_by_village(&key, &view.scope, area.as_ref())
                .await?;
            let mut all = 0;
            for (village, n) in rows {
                let key = village.ancestor(level).unwrap_or(village);
                areas.entry(key).or_default().1 += n;
                all += n;
            }
            in_need = Some(all);
            in_need_round = Some(round);
        } else {
            in_need = Some(0);
        }
    }
    let names: HashMap<AgencyCode, (String, String)> = store
        .agencies()
        .list()
        .await?
        .into_iter()
        .map(|a| (a.code, (a.name_th, a.name_en)))
        .collect();
    let mut by_agency: Vec<HelpLine> = sums
        .by_agency
        .iter()
        .map(|(code, totals)| {
            let (th, en) = names
                .get(code)
                .cloned()
                .unwrap_or_else(|| (code.to_string(), code.to_string()));
            HelpLine {
                code: code.to_string(),
                label_th: th,
                label_en: en,
                totals: *totals,
            }
        })
        .collect();
    let mut by_addresses: Vec<HelpLine> = sums
        .by_addresses
        .iter()
        .map(|(a, totals)| HelpLine {
            code: a.as_str().to_string(),
            label_th: a.label(thanrak_core::Lang::Th),
            label_en: a.label(thanrak_core::Lang::En),
            totals: *totals,
        })
        .collect();
    let mut by_kind: Vec<HelpLine> = sums
        .by_kind
        .iter()
        .map(|(k, totals)| HelpLine {
            code: k.as_str().to_string(),
            label_th: k.label_th().to_string(),
            label_en: k.label_en().to_string(),
            totals: *totals,
        })
        .collect();
    by_budget(&mut by_agency);
    by_budget(&mut by_addresses);
    by_budget(&mut by_kind);
    let by_area = areas
        .into_iter()
        .map(|(code, (totals, need))| {
            let (name_th, name_en) = crate::scoring::area_names(&code);
            AreaHelp {
                code,
                name_th,
                name_en,
                totals,
                in_need: view.in_need.then_some(need),
            }
        })
        .collect();
    let (area_name_th, area_name_en) = match &area {
        Some(a) => crate::scoring::area_names(a),
        None => ("ทั้งหมด".into(), "All areas".into()),
    };
    Ok(HelpSummary {
        area,
        area_name_th,
        area_name_en,
        agency: view.agency,
        total: sums.total,
        in_need,
        in_need_round,
        by_agency,
        by_addresses,
        by_kind,
        by_area,
    })
}

/// What a loaded spreadsheet of help wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HelpImport {
    /// Episodes written.
    pub episodes: usize,
    /// Their value in satang.
    pub value_satang: i64,
    /// Households they reached.
    pub households: usize,
    /// Cases resolved by the help (they were accepted or in progress).
    pub resolved_cases: Vec<i64>,
    /// Cases the help names that could not be resolved after the load (changed meanwhile),
    /// with why: the episodes are written, the case is left for a person to close.
    pub unresolved_cases: Vec<(i64, String)>,
}

/// The outcome of loading a spreadsheet of help.
#[derive(Debug, Clone, PartialEq)]
pub enum HelpImportOutcome {
    /// Every row was good and every episode is written.
    Loaded(HelpImport),
    /// Nothing was written; these are the problems, by file and row.
    Rejected(Vec<Diagnostic>),
}

fn name_reason(e: NameError) -> Reason {
    match e {
        NameError::Empty => Reason::Required,
        NameError::TooLong(max) => Reason::TooLong { max },
        NameError::BadChar(ch) => Reason::BadChar { ch },
    }
}

/// Reads the cells of one row as an episode, or reports why not.
fn parse_row(
    row: &TextRow,
    today: NaiveDate,
    report: &mut dyn FnMut(&str, &str, Reason),
) -> Option<Help> {
    let cell = |name: &str| -> &str {
        HELP_COLUMNS
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| row.cells.get(i))
            .map_or("", String::as_str)
    };
    let mut ok = true;
    // Each column once: a required one empty, or its value refused.
    let mut field = |name: &'static str, reason: Option<Reason>| {
        if let Some(reason) = reason {
            ok = false;
            if !row.reported.contains(&name) {
                report(name, cell(name), reason);
            }
        }
    };
    for c in HELP_COLUMNS {
        if c.required && cell(c.name).is_empty() {
            field(c.name, Some(Reason::Required));
        }
    }
    let nonempty = |name: &str| !cell(name).is_empty();
    let round = RoundLabel::parse(cell("round"));
    if nonempty("round") {
        field(
            "round",
            round.as_ref().err().map(|e| Reason::from(e.clone())),
        );
    }
    let household = HouseholdId::parse(cell("household_id"));
    if nonempty("household_id") {
        field(
            "household_id",
            household.as_ref().err().map(|e| Reason::from(e.clone())),
        );
    }
    let agency = AgencyCode::parse(cell("agency"));
    if nonempty("agency") {
        field(
            "agency",
            agency.as_ref().err().map(|e| name_reason(e.clone())),
        );
    }
    let kind = HelpKind::parse(cell("kind"));
    if nonempty("kind") && kind.is_none() {
        field(
            "kind",
            Some(Reason::OneOf {
                codes: HelpKind::CODES.iter().map(|c| c.to_string()).collect(),
            }),
        );
    }
    let addresses = Addresses::parse(cell("addresses"));
    field("addresses", addresses.as_ref().err().cloned());
    let value = parse_baht(cell("value_baht"));
    if nonempty("value_baht") {
        field("value_baht", value.as_ref().err().cloned());
    }
    let given_on = date::parse_date(cell("given_on"));
    if nonempty("given_on") {
        field(
            "given_on",
            given_on.as_ref().err().map(|e| Reason::from(e.clone())),
        );
    }
    let case_id = match cell("case_id") {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or(Reason::NotWholeNumber),
    };
    field("case_id", case_id.as_ref().err().cloned());
    if !ok {
        return None;
    }
    let (
        Ok(round),
        Ok(household),
        Ok(agency),
        Some(kind),
        Ok(addresses),
        Ok(value),
        Ok(given_on),
        Ok(case_id),
    ) = (
        round, household, agency, kind, addresses, value, given_on, case_id,
    )
    else {
        return None;
    };
    match Help::new(
        round,
        household,
        agency,
        kind,
        addresses,
        cell("what"),
        value,
        given_on,
        case_id,
        today,
    ) {
        Ok(h) => Some(h),
        Err(errors) => {
            for e in errors {
                if !row.reported.contains(&e.field) {
                    report(e.field, cell(e.field), e.reason);
                }
            }
            None
        }
    }
}

/// Loads a spreadsheet of help given (CSV, or the sheet `help` / ความช่วยเหลือ — else the first
/// — of an XLSX workbook; columns [`HELP_COLUMNS`], by their names or Thai headers) as `user`:
/// every row is checked — its cells, then the household (in that round, one `user` records
/// for), the agency and the case it names — and every problem reported with file, row, column,
/// value and reason; only when there is none are all episodes written, in one transaction. The
/// cases named that are accepted or in progress are then resolved. The attempt is written to
/// the audit log under `who`, whatever its outcome.
pub async fn import_help(
    store: &Store,
    user: &User,
    who: &Importer,
    path: &Path,
) -> Result<HelpImportOutcome, AccessError> {
    let reach = policy::help_recorder(user)?;
    let table = thanrak_io::read_text_table(path, "help", "ความช่วยเหลือ", HELP_COLUMNS)
        .map_err(AppError::from)?;
    let mut diagnostics = table.diagnostics;
    let today = thai_today();
    let mut lookups = Lookups::default();
    let mut news: Vec<NewHelp> = Vec::with_capacity(table.rows.len());
    let mut resolve: BTreeMap<i64, Case> = BTreeMap::new();
    for row in &table.rows {
        let origin: &Origin = &row.origin;
        let mut report = |column: &str, value: &str, reason: Reason| {
            diagnostics.push(Diagnostic {
                file: origin.file.clone(),
                row: origin.row,
                column: column.to_string(),
                value: value.to_string(),
                reason,
            });
        };
        let Some(help) = parse_row(row, today, &mut report) else {
            continue;
        };
        match check_target(store, user, &reach, &help, &mut lookups).await? {
            Err(r) => {
                let value = match r.column {
                    "agency" => help.agency.to_string(),
                    "household_id" => help.household_id.to_string(),
                    _ => help.case_id.map(|c| c.to_string()).unwrap_or_default(),
                };
                report(r.column, &value, r.reason);
            }
            Ok(t) => {
                if let Some(c) = t.resolve {
                    resolve.insert(c.id, c);
                }
                news.push(NewHelp {
                    help,
                    village_code: t.village,
                    recorded_by_id: who.user_id,
                    recorded_by: who.user_name.clone(),
                });
            }
        }
    }
    let line = format!(
        "help import: file {}; {} rows; ",
        path.display(),
        table.rows.len()
    );
    if table.rows.is_empty() && diagnostics.is_empty() {
        diagnostics.push(Diagnostic {
            file: path.display().to_string(),
            row: 0,
            column: String::new(),
            value: String::new(),
            reason: Reason::FileEmpty,
        });
    }
    if !diagnostics.is_empty() {
        diagnostics.sort_by(|a, b| (&a.file, a.row).cmp(&(&b.file, b.row)));
        audit_import(
            store,
            who,
            format!("{line}rejected ({} problems)", diagnostics.len()),
        )
        .await?;
        return Ok(HelpImportOutcome::Rejected(diagnostics));
    }
    if let Err(e) = store.help().record_many(&news, Utc::now()).await {
        let _ = audit_import(store, who, format!("{line}failed ({e})")).await;
        return Err(e.into());
    }
    let households: BTreeSet<&HouseholdId> = news.iter().map(|n| &n.help.household_id).collect();
    let mut summary = HelpImport {
        episodes: news.len(),
        value_satang: news.iter().map(|n| n.help.value_satang()).sum(),
        households: households.len(),
        ..HelpImport::default()
    };
    for (id, c) in resolve {
        let note = news
            .iter()
            .find(|n| n.help.case_id == Some(id))
            .map(|n| resolve_note(&n.help))
            .unwrap_or_default();
        match crate::cases::move_case(store, user, id, c.version, CaseMove::Resolve, &note).await {
            Ok(_) => summary.resolved_cases.push(id),
            Err(e) => summary.unresolved_cases.push((id, e.to_string())),
        }
    }
    audit_import(
        store,
        who,
        format!(
            "{line}loaded ({} episodes, {} households, {} baht; cases resolved: {})",
            summary.episodes,
            summary.households,
            thanrak_core::help::format_baht(summary.value_satang),
            summary.resolved_cases.len()
        ),
    )
    .await?;
    Ok(HelpImportOutcome::Loaded(summary))
}

/// Who the command line records help as: the stored user `name` (its rights and its name in
/// the logbook), or by default an admin named after the operating-system user
/// ([`policy::command_line_user`], [`Importer::command_line`]).
pub async fn acting_user(store: &Store, name: Option<&str>) -> Result<(User, Importer), AppError> {
    let Some(name) = name else {
        return Ok((policy::command_line_user(), Importer::command_line()));
    };
    let parsed = thanrak_core::identity::UserName::parse(name)
        .map_err(|e| AppError::Invalid(format!("user name {name:?} {e}")))?;
    let user = match store.accounts().user(&parsed).await {
        Ok(u) => u,
        Err(StoreError::NotFound(_)) => {
            return Err(AppError::NotFound(format!("there is no user {parsed}")))
        }
        Err(e) => return Err(e.into()),
    };
    if user.disabled {
        return Err(AppError::Invalid(format!("user {parsed} is disabled")));
    }
    let who = Importer {
        user_id: user.id,
        user_name: user.name.to_string(),
    };
    Ok((user, who))
}
