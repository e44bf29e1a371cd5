//! The registry of the grassroots economy (issue 11): enterprises with their open positions and
//! buy-from / sell-to links, imported from a spreadsheet all or nothing with the row report of
//! a household import; pages of the registry; the chain around one enterprise (what it buys
//! and sells, from and to whom, its positions and the poor households placed with it).
//!
//! | role | registry | workers placed with an enterprise |
//! | --- | --- | --- |
//! | admin | reads, imports anywhere | every one |
//! | area_manager | reads, imports inside its areas | inside its areas |
//! | surveyor | reads | inside its areas |
//! | agency_officer, analyst | reads | none |

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::Utc;
use thanrak_core::economy::{
    Enterprise, EnterpriseDraft, EnterpriseKind, FieldProblem, GrassrootsScore, HouseholdSupplier,
    Link, Position, Season, ENTERPRISE_COLUMNS,
};
use thanrak_core::household::Skills;
use thanrak_core::identity::{Scope, User};
use thanrak_core::{AreaCode, AreaRegistry, Reason};
use thanrak_io::{Diagnostic, TextRow};
use thanrak_store::{EnterpriseFilter, PairRecord, Store, SupplierRecord};

use std::sync::Arc;

use crate::access::{AccessError, Page, Paging};
use crate::area_figures::FiguresCache;

/// What a cached page of the registry is kept under: area, kind, name, page, page size.
pub(crate) type RegistryPageKey = (Option<AreaCode>, Option<String>, Option<String>, u32, u32);
use crate::{audit_import, policy, AppError, Importer};

/// What a loaded spreadsheet of enterprises wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnterpriseImport {
    /// Enterprises written (new or updated).
    pub enterprises: usize,
    /// Positions written.
    pub positions: usize,
    /// Places they offer.
    pub places: u64,
    /// Links written.
    pub links: usize,
    /// Supplier households written.
    pub suppliers: usize,
}

/// The outcome of loading a spreadsheet of enterprises.
#[derive(Debug, Clone, PartialEq)]
pub enum EnterpriseImportOutcome {
    /// Every row was good and everything is written.
    Loaded(EnterpriseImport),
    /// Nothing was written; these are the problems, by file and row.
    Rejected(Vec<Diagnostic>),
}

/// One row, read.
struct ParsedRow {
    enterprise: Enterprise,
    position: Option<Position>,
    link: Option<Link>,
    supplier: Option<HouseholdSupplier>,
}

fn int<T: TryFrom<i64>>(text: &str) -> Result<T, Reason> {
    text.parse::<i64>()
        .ok()
        .and_then(|n| T::try_from(n).ok())
        .ok_or(Reason::NotWholeNumber)
}

/// Reads the cells of one row, or reports why not.
fn parse_row(row: &TextRow, report: &mut dyn FnMut(&str, &str, Reason)) -> Option<ParsedRow> {
    let cell = |name: &str| -> &str {
        ENTERPRISE_COLUMNS
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| row.cells.get(i))
            .map_or("", String::as_str)
    };
    let mut ok = true;
    let mut field = |name: &str, reason: Reason| {
        ok = false;
        if !row.reported.contains(&name) {
            report(name, cell(name), reason);
        }
    };
    for c in ENTERPRISE_COLUMNS {
        if c.required && cell(c.name).is_empty() {
            field(c.name, Reason::Required);
        }
    }
    let nonempty = |name: &str| !cell(name).is_empty();
    let mut number = |name: &str| -> Option<i64> {
        if !nonempty(name) {
            return None;
        }
        match int::<i64>(cell(name)) {
            Ok(n) => Some(n),
            Err(r) => {
                field(name, r);
                None
            }
        }
    };
    let id = number("enterprise_id");
    let employees = number("employees");
    let local = number("local_employees");
    let share = number("local_resource_pct");
    let stars = number("otop_stars");
    let position_id = number("position_id");
    let places = number("position_places");
    let wage = number("position_wage_baht");
    let sells_to = number("sells_to_id");
    let kind = EnterpriseKind::parse(cell("kind"));
    if nonempty("kind") && kind.is_none() {
        field(
            "kind",
            Reason::OneOf {
                codes: EnterpriseKind::CODES
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
            },
        );
    }
    let village = AreaRegistry::official().village(cell("village_code"));
    if nonempty("village_code") {
        if let Err(e) = &village {
            field("village_code", Reason::from(e.clone()));
        }
    }
    let coordinate = |name: &str| cell(name).parse::<f64>().ok().filter(|x| x.is_finite());
    let location = match (nonempty("lat"), nonempty("lon")) {
        (false, false) => None,
        (true, true) => match (coordinate("lat"), coordinate("lon")) {
            (Some(a), Some(b)) => Some((a, b)),
            (a, _) => {
                field(if a.is_none() { "lat" } else { "lon" }, Reason::NotNumber);
                None
            }
        },
        _ => {
            field("lat", Reason::LatLonTogether);
            None
        }
    };
    let shares = match cell("shares_income") {
        "1" => Some(true),
        "0" => Some(false),
        "" => None,
        _ => {
            field("shares_income", Reason::NotFlag);
            None
        }
    };
    let skills = Skills::parse(cell("position_skills"));
    if let Err(value) = &skills {
        field(
            "position_skills",
            Reason::NotASkill {
                value: value.clone(),
                skills: thanrak_core::household::Skill::CODES
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
            },
        );
    }
    let season = Season::parse(cell("position_season"));
    if let Err(r) = &season {
        field("position_season", r.clone());
    }
    let wants_position = ["position_id", "position_title", "position_places"]
        .iter()
        .any(|c| nonempty(c));
    if wants_position {
        for c in ["position_id", "position_title", "position_places"] {
            if !nonempty(c) {
                field(c, Reason::Required);
            }
        }
    }
    if nonempty("buys_from_household") != nonempty("buys_what") {
        field(
            if nonempty("buys_from_household") {
                "buys_what"
            } else {
                "buys_from_household"
            },
            Reason::Required,
        );
    }
    if nonempty("sells_to_id") != nonempty("sells_what") {
        field(
            if nonempty("sells_to_id") {
                "sells_what"
            } else {
                "sells_to_id"
            },
            Reason::Required,
        );
    }
    if !ok {
        return None;
    }
    let (
        Some(id),
        Some(kind),
        Ok(village),
        Some(employees),
        Some(local),
        Some(share),
        Some(shares),
    ) = (id, kind, village, employees, local, share, shares)
    else {
        return None;
    };
    let mut problems: Vec<FieldProblem> = Vec::new();
    let enterprise = Enterprise::new(EnterpriseDraft {
        id,
        kind,
        name: cell("name").to_string(),
        village,
        location,
        employees: u32::try_from(employees).unwrap_or(u32::MAX),
        local_employees: u32::try_from(local).unwrap_or(u32::MAX),
        local_resource_pct: u8::try_from(share).unwrap_or(u8::MAX),
        shares_income: shares,
        registration_no: Some(cell("registration_no").to_string()),
        otop_stars: stars.map(|s| u8::try_from(s).unwrap_or(u8::MAX)),
    })
    .map_err(|e| problems.extend(e))
    .ok();
    let position = if wants_position {
        Position::new(
            position_id.unwrap_or(0),
            id,
            cell("position_title"),
            places.and_then(|p| u32::try_from(p).ok()).unwrap_or(0),
            skills.unwrap_or_default(),
            wage.unwrap_or(0),
            season.unwrap_or_default(),
        )
        .map_err(|e| problems.extend(e))
        .ok()
    } else {
        None
    };
    let link = match sells_to {
        Some(buyer) => Link::new(id, buyer, cell("sells_what"))
            .map_err(|e| problems.extend(e))
            .ok(),
        None => None,
    };
    let supplier = if nonempty("buys_from_household") && nonempty("buys_what") {
        HouseholdSupplier::new(id, cell("buys_from_household"), cell("buys_what"))
            .map_err(|e| {
                // Named after the row's columns here, since "what" is also the link's.
                problems.extend(e.into_iter().map(|mut p| {
                    p.field = match p.field {
                        "what" => "buys_what",
                        "household_id" => "buys_from_household",
                        f => f,
                    };
                    p
                }))
            })
            .ok()
    } else {
        None
    };
    for p in problems {
        // The core's names for the position's fields are the columns' without the prefix.
        let column = match p.field {
            "title" => "position_title",
            "places" => "position_places",
            "wage_baht_month" => "position_wage_baht",
            "buyer_id" => "sells_to_id",
            "what" => "sells_what",
            "lat" | "lon" => p.field,
            f => f,
        };
        if !row.reported.contains(&column) {
            report(column, cell(column), p.reason);
        }
        ok = false;
    }
    if !ok {
        return None;
    }
    Some(ParsedRow {
        enterprise: enterprise?,
        position,
        link,
        supplier,
    })
}

/// Loads a spreadsheet of enterprises (CSV, or the sheet `enterprises` / กิจการ — else the first
/// — of an XLSX workbook; columns [`ENTERPRISE_COLUMNS`], by their names or Thai headers) as
/// `user` (`policy::economy_writer`: an admin anywhere, an area manager inside its areas):
/// every row is checked — its cells, the village, an enterprise repeated with other fields, a
/// position twice, a buyer neither in the file nor stored, an enterprise outside the user's
/// areas — and every problem reported with file, row, column, value and reason; only when
/// there is none is everything written, in one transaction. The attempt is audited under `who`.
pub async fn import_enterprises(
    store: &Store,
    user: &User,
    who: &Importer,
    path: &Path,
) -> Result<EnterpriseImportOutcome, AccessError> {
    let areas = policy::economy_writer(user)?;
    let table = thanrak_io::read_text_table(path, "enterprises", "กิจการ", ENTERPRISE_COLUMNS)
        .map_err(AppError::from)?;
    let mut diagnostics = table.diagnostics;
    let mut enterprises: BTreeMap<i64, Enterprise> = BTreeMap::new();
    let mut positions: BTreeMap<i64, Position> = BTreeMap::new();
    let mut links: Vec<(Link, thanrak_io::Origin)> = Vec::new();
    let mut suppliers: Vec<(HouseholdSupplier, thanrak_io::Origin)> = Vec::new();
    for row in &table.rows {
        let origin = &row.origin;
        let mut report = |column: &str, value: &str, reason: Reason| {
            diagnostics.push(Diagnostic {
                file: origin.file.clone(),
                row: origin.row,
                column: column.to_string(),
                value: value.to_string(),
                reason,
            });
        };
        let Some(parsed) = parse_row(row, &mut report) else {
            continue;
        };
        let e = parsed.enterprise;
        let village = e.fields().village;
        if let Some(areas) = &areas {
            if !areas.iter().any(|a| village.is_within(a)) {
                report(
                    "village_code",
                    &village.to_string(),
                    Reason::OutsideYourAreas {
                        areas: areas.iter().map(ToString::to_string).collect(),
                    },
                );
                continue;
            }
        }
        match enterprises.get(&e.id()) {
            Some(seen) if *seen != e => {
                report(
                    "enterprise_id",
                    &e.id().to_string(),
                    Reason::EnterpriseRepeated { id: e.id() },
                );
                continue;
            }
            _ => {}
        }
        if let Some(p) = parsed.position {
            if positions.contains_key(&p.id) {
                report("position_id", &p.id.to_string(), Reason::PositionRepeated);
                continue;
            }
            positions.insert(p.id, p);
        }
        if let Some(l) = parsed.link {
            links.push((l, origin.clone()));
        }
        if let Some(h) = parsed.supplier {
            suppliers.push((h, origin.clone()));
        }
        enterprises.insert(e.id(), e);
    }
    // Supplier households must be in the registry inside the user's areas; one reason for
    // "not there" and "not yours", so the import tells nothing of other areas.
    let scope = match &areas {
        Some(a) => Scope::Areas(a.clone()),
        None => Scope::All,
    };
    let wanted: Vec<thanrak_core::HouseholdId> = suppliers
        .iter()
        .map(|(h, _)| h.household_id.clone())
        .collect();
    let villages: BTreeMap<String, AreaCode> = store
        .registry()
        .latest_villages(&scope, &wanted)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|(h, v)| (h.as_str().to_string(), v))
        .collect();
    let mut supplier_records = Vec::new();
    for (h, origin) in suppliers {
        match villages.get(h.household_id.as_str()) {
            Some(v) => supplier_records.push(SupplierRecord {
                village: *v,
                supplier: h,
            }),
            None => diagnostics.push(Diagnostic {
                file: origin.file.clone(),
                row: origin.row,
                column: "buys_from_household".into(),
                value: h.household_id.to_string(),
                reason: Reason::NoSupplierHousehold,
            }),
        }
    }
    // Buyers named must be in the file or stored.
    let outside: Vec<i64> = links
        .iter()
        .map(|(l, _)| l.buyer_id)
        .filter(|b| !enterprises.contains_key(b))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let stored: BTreeSet<i64> = store
        .economy()
        .known_ids(&outside)
        .await?
        .into_iter()
        .collect();
    for (l, origin) in &links {
        if !enterprises.contains_key(&l.buyer_id) && !stored.contains(&l.buyer_id) {
            diagnostics.push(Diagnostic {
                file: origin.file.clone(),
                row: origin.row,
                column: "sells_to_id".into(),
                value: l.buyer_id.to_string(),
                reason: Reason::NoSuchEnterprise,
            });
        }
    }
    let line = format!(
        "enterprises import: file {}; {} rows; ",
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
        return Ok(EnterpriseImportOutcome::Rejected(diagnostics));
    }
    let enterprises: Vec<Enterprise> = enterprises.into_values().collect();
    let positions: Vec<Position> = positions.into_values().collect();
    let links: Vec<Link> = links.into_iter().map(|(l, _)| l).collect();
    if let Err(e) = store
        .economy()
        .save(
            &enterprises,
            &positions,
            &links,
            &supplier_records,
            Utc::now(),
        )
        .await
    {
        let _ = audit_import(store, who, format!("{line}failed ({e})")).await;
        return Err(AppError::from(e).into());
    }
    let summary = EnterpriseImport {
        enterprises: enterprises.len(),
        positions: positions.len(),
        places: positions.iter().map(|p| u64::from(p.places)).sum(),
        links: links.len(),
        suppliers: supplier_records.len(),
    };
    audit_import(
        store,
        who,
        format!(
            "{line}loaded ({} enterprises, {} positions, {} links, {} supplier households)",
            summary.enterprises, summary.positions, summary.links, summary.suppliers
        ),
    )
    .await?;
    Ok(EnterpriseImportOutcome::Loaded(summary))
}

/// A line of the registry: an enterprise and its grassroots score.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseLine {
    /// The enterprise.
    pub enterprise: Enterprise,
    /// Its grassroots score with the three traits.
    pub score: GrassrootsScore,
}

/// A page of the registry inside `area` (every role reads it whole), by id.
pub async fn list_enterprises(
    store: &Store,
    cache: &FiguresCache,
    user: &User,
    area: Option<&AreaCode>,
    filter: &EnterpriseFilter,
    paging: Paging,
) -> Result<Page<EnterpriseLine>, AccessError> {
    policy::registry_reader(user)?;
    // A page of the registry is read at most once per `CASES_TTL` (a server forgets its pages
    // when anything is written through it): counting 200,000 enterprises by kind or name costs
    // what a loaded list cannot pay on every request.
    let key: RegistryPageKey = (
        area.copied(),
        filter.kind.map(|k| k.as_str().to_string()),
        filter.name.clone(),
        paging.page(),
        paging.per_page(),
    );
    let cell = cache
        .registry_pages
        .get_or_insert_with(key, Default::default);
    let page = cell
        .get_or_try_init(|| async {
            store
                .economy()
                .page(&Scope::All, area, filter, paging.page(), paging.per_page())
                .await
                .map(Arc::new)
        })
        .await
        .map_err(AppError::from)?;
    Ok(Page {
        items: page
            .items
            .iter()
            .cloned()
            .map(|e| EnterpriseLine {
                score: e.grassroots(),
                enterprise: e,
            })
            .collect(),
        page: paging.page(),
        per_page: paging.per_page(),
        total: page.total,
    })
}

/// The chain around one enterprise.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The enterprise with its score.
    pub line: EnterpriseLine,
    /// Its open positions.
    pub positions: Vec<Position>,
    /// Whom it buys from: the link and the supplier (when registered).
    pub buys_from: Vec<(Link, Option<Enterprise>)>,
    /// Whom it sells to: the link and the buyer.
    pub sells_to: Vec<(Link, Option<Enterprise>)>,
    /// The poor households placed with it (accepted or hired pairs) that the user may see;
    /// `None` when its role sees no workers.
    pub workers: Option<Vec<PairRecord>>,
    /// The households that supply it, inside the same scope as the workers; `None` likewise.
    pub suppliers: Option<Vec<SupplierRecord>>,
}

/// The chain around enterprise `id`: its positions, its suppliers and buyers, and the workers
/// placed with it inside what `policy::match_scope` lets the user read.
pub async fn enterprise_chain(store: &Store, user: &User, id: i64) -> Result<Chain, AccessError> {
    policy::registry_reader(user)?;
    let economy = store.economy();
    let e = economy
        .get(id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound(format!("there is no enterprise {id}")))?;
    let positions = economy.positions_of(id).await.map_err(AppError::from)?;
    let links = economy.links_of(id).await.map_err(AppError::from)?;
    let mut others: Vec<i64> = links
        .iter()
        .map(|l| {
            if l.buyer_id == id {
                l.supplier_id
            } else {
                l.buyer_id
            }
        })
        .collect();
    others.sort_unstable();
    others.dedup();
    let known = economy.get_many(&others).await.map_err(AppError::from)?;
    let find = |x: i64| known.iter().find(|e| e.id() == x).cloned();
    let (mut buys_from, mut sells_to) = (Vec::new(), Vec::new());
    for l in links {
        if l.buyer_id == id {
            let s = find(l.supplier_id);
            buys_from.push((l, s));
        } else {
            let b = find(l.buyer_id);
            sells_to.push((l, b));
        }
    }
    let (workers, suppliers) = match policy::match_scope(user) {
        Ok(scope) => {
            let all = economy.workers_of(id).await.map_err(AppError::from)?;
            let suppliers = economy
                .suppliers_of(id, &scope)
                .await
                .map_err(AppError::from)?;
            (
                Some(
                    all.into_iter()
                        .filter(|p| scope_holds(&scope, &p.pair.village_code))
                        .collect(),
                ),
                Some(suppliers),
            )
        }
        Err(_) => (None, None),
    };
    Ok(Chain {
        line: EnterpriseLine {
            score: e.grassroots(),
            enterprise: e,
        },
        positions,
        buys_from,
        sells_to,
        workers,
        suppliers,
    })
}

/// Whether `scope` holds `village`.
pub(crate) fn scope_holds(scope: &Scope, village: &AreaCode) -> bool {
    match scope {
        Scope::All => true,
        Scope::Areas(areas) => areas.iter().any(|a| village.is_within(a)),
        Scope::None => false,
    }
}

/// Loads the demo's registry of enterprises (`thanrak_demo::economy`) for the households of
/// `round`: deterministic, written in one transaction. Returns (enterprises, positions, links).
pub async fn load_demo_economy(
    store: &Store,
    round: &thanrak_core::RoundLabel,
    seed: u64,
) -> Result<(usize, usize, usize), AppError> {
    let households = store.registry().households(round).await?;
    let demo = crate::blocking(|| thanrak_demo::economy::economy(&households, seed));
    store
        .economy()
        .save(
            &demo.enterprises,
            &demo.positions,
            &demo.links,
            &demo
                .suppliers
                .iter()
                .map(|(s, v)| SupplierRecord {
                    supplier: s.clone(),
                    village: *v,
                })
                .collect::<Vec<_>>(),
            Utc::now(),
        )
        .await?;
    Ok((
        demo.enterprises.len(),
        demo.positions.len(),
        demo.links.len(),
    ))
}
