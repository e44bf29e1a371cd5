//! The grassroots economy (`store.economy()`, migrations 0013 and 0015): the registry of
//! enterprises with their open positions, buy-from / sell-to links and supplier households,
//! written many in one transaction of multi-row upserts; pages of the registry by area, kind
//! and name; the positions open in an area for a match; match runs with their pairs, each
//! pair's state, and the workers left unplaced with their reason. Rows are read back
//! through `thanrak_core::economy`'s checks. Who may read or write is the app's policy.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use thanrak_core::economy::matching::Unplaced;
use thanrak_core::economy::{
    Enterprise, EnterpriseDraft, EnterpriseKind, HouseholdSupplier, Link, Position, Season,
};
use thanrak_core::household::Skills;
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};

use crate::area_filter::{range_condition, village_ranges};
use crate::{secs, with_pool, Scope, Store, StoreError};

/// Names the trigram index may offer before a name search reads every name instead (see
/// `Economy::page`).
const FTS_PROBE: i64 = 2_000;

/// Rows of one multi-row INSERT: at most 15 parameters each stays under both backends' limits
/// on bound values.
const ROWS_PER_INSERT: usize = 2_000;

const ENTERPRISE_COLUMNS: &str = "id, kind, name, village_code, lat, lon, employees, \
    local_employees, local_resource_pct, shares_income, registration_no, otop_stars";

type EnterpriseRow = (
    i64,
    String,
    String,
    String,
    Option<f64>,
    Option<f64>,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    Option<i64>,
);

fn enterprise(r: EnterpriseRow) -> Result<Enterprise, StoreError> {
    let bad =
        |what: &str, v: &str| StoreError::Corrupt(format!("enterprise {}: {what} {v:?}", r.0));
    let num = |what: &str, v: i64| u32::try_from(v).map_err(|_| bad(what, &v.to_string()));
    let draft = EnterpriseDraft {
        id: r.0,
        kind: EnterpriseKind::parse(&r.1).ok_or_else(|| bad("kind", &r.1))?,
        name: r.2.clone(),
        village: AreaCode::parse(&r.3).map_err(|_| bad("village", &r.3))?,
        location: r.4.zip(r.5),
        employees: num("employees", r.6)?,
        local_employees: num("local_employees", r.7)?,
        local_resource_pct: u8::try_from(r.8).map_err(|_| bad("share", &r.8.to_string()))?,
        shares_income: r.9 == 1,
        registration_no: r.10.clone(),
        otop_stars: r.11.and_then(|s| u8::try_from(s).ok()),
    };
    Enterprise::new(draft).map_err(|e| bad("fields", &format!("{e:?}")))
}

type PositionRow = (i64, i64, String, i64, String, i64, String);

fn position(r: PositionRow) -> Result<Position, StoreError> {
    let bad = |what: &str, v: &str| StoreError::Corrupt(format!("position {}: {what} {v:?}", r.0));
    Position::new(
        r.0,
        r.1,
        &r.2,
        u32::try_from(r.3).map_err(|_| bad("places", &r.3.to_string()))?,
        Skills::parse(&r.4).map_err(|_| bad("skills", &r.4))?,
        r.5,
        Season::parse(&r.6).map_err(|_| bad("season", &r.6))?,
    )
    .map_err(|e| bad("fields", &format!("{e:?}")))
}

/// A page of the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterprisePage {
    /// The enterprises of the page, by id.
    pub items: Vec<Enterprise>,
    /// How many match the filter in all.
    pub total: u64,
}

/// What a page of the registry is filtered by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnterpriseFilter {
    /// Only this kind.
    pub kind: Option<EnterpriseKind>,
    /// Only names containing this text.
    pub name: Option<String>,
}

/// A pair of a match run to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPair {
    /// The worker's household.
    pub household_id: HouseholdId,
    /// The worker's number in it.
    pub member_no: u16,
    /// The household's village.
    pub village_code: AreaCode,
    /// Whether the household is in hardship.
    pub hardship: bool,
    /// The position.
    pub position_id: i64,
    /// Its enterprise.
    pub enterprise_id: i64,
    /// The distance in metres, when measured.
    pub distance_m: Option<u32>,
    /// The skills the pair matched on.
    pub matched: Skills,
}

/// A stored unplaced worker: household, member, village, hardship, reason.
type UnplacedRow = (String, i64, String, i64, String);

/// A worker a run left unplaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnplaced {
    /// The worker's household.
    pub household_id: HouseholdId,
    /// The worker's number in it.
    pub member_no: u16,
    /// The household's village.
    pub village_code: AreaCode,
    /// Whether the household is in hardship.
    pub hardship: bool,
    /// Why.
    pub reason: Unplaced,
}

/// A page of a run's unplaced workers, with the count of each reason over the whole run
/// inside the reader's scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnplacedPage {
    /// The workers of the page, by village, household and member.
    pub items: Vec<NewUnplaced>,
    /// How many match the filter.
    pub total: u64,
    /// Each reason with its count (reasons with none left out), in `Unplaced::ALL`'s order.
    pub by_reason: Vec<(Unplaced, u64)>,
}

/// A household that supplies an enterprise, with its village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierRecord {
    /// The link.
    pub supplier: HouseholdSupplier,
    /// The household's village when the link was written.
    pub village: AreaCode,
}

/// A match run to write, with its pairs and the workers it left unplaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMatchRun {
    /// The survey round its workers are from.
    pub round: RoundLabel,
    /// The area it was run for (`None`: everywhere).
    pub area: Option<AreaCode>,
    /// The reach in metres.
    pub max_m: u32,
    /// Workers looked at.
    pub workers: u32,
    /// The id of the user who ran it (0 for the command line).
    pub created_by_id: i64,
    /// Their name.
    pub created_by: String,
    /// The pairs proposed.
    pub pairs: Vec<NewPair>,
    /// The workers left unplaced.
    pub unplaced: Vec<NewUnplaced>,
}

/// A stored match run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRunRecord {
    /// Its id.
    pub id: i64,
    /// The round.
    pub round: RoundLabel,
    /// The area (`None`: everywhere).
    pub area: Option<AreaCode>,
    /// The reach in metres.
    pub max_m: u32,
    /// Workers looked at.
    pub workers: u32,
    /// Workers placed.
    pub placed: u32,
    /// Who ran it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The state of a proposed pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairState {
    /// Proposed by the run.
    Proposed,
    /// Accepted: a referral case for the job need is open.
    Accepted,
    /// Hired: the help is in the logbook.
    Hired,
}

impl PairState {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            PairState::Proposed => "proposed",
            PairState::Accepted => "accepted",
            PairState::Hired => "hired",
        }
    }

    fn parse(s: &str) -> Option<PairState> {
        [PairState::Proposed, PairState::Accepted, PairState::Hired]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// A stored pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairRecord {
    /// Its id.
    pub id: i64,
    /// Its run.
    pub run_id: i64,
    /// What was proposed.
    pub pair: NewPair,
    /// Where it stands.
    pub state: PairState,
    /// The referral case opened when it was accepted.
    pub case_id: Option<i64>,
    /// The logbook entry written when the worker was hired.
    pub help_id: Option<i64>,
}

type RunRow = (i64, String, String, i64, i64, i64, String, i64);

type PairRow = (
    i64,
    i64,
    String,
    i64,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    String,
    String,
    Option<i64>,
    Option<i64>,
);

const PAIR_COLUMNS: &str = "id, run_id, household_id, member_no, village_code, hardship, \
    position_id, enterprise_id, distance_m, matched_skills, state, case_id, help_id";

fn pair(r: PairRow) -> Result<PairRecord, StoreError> {
    let bad = |what: &str, v: &str| StoreError::Corrupt(format!("pair {}: {what} {v:?}", r.0));
    Ok(PairRecord {
        id: r.0,
        run_id: r.1,
        pair: NewPair {
            household_id: HouseholdId::parse(&r.2).map_err(|_| bad("household", &r.2))?,
            member_no: u16::try_from(r.3).map_err(|_| bad("member", &r.3.to_string()))?,
            village_code: AreaCode::parse(&r.4).map_err(|_| bad("village", &r.4))?,
            hardship: r.5 == 1,
            position_id: r.6,
            enterprise_id: r.7,
            distance_m: r.8.and_then(|d| u32::try_from(d).ok()),
            matched: Skills::parse(&r.9).map_err(|_| bad("skills", &r.9))?,
        },
        state: PairState::parse(&r.10).ok_or_else(|| bad("state", &r.10))?,
        case_id: r.11,
        help_id: r.12,
    })
}

/// `$1, $2, …, $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The grassroots economy: `store.economy()`.
#[derive(Debug, Clone, Copy)]
pub struct Economy<'s>(pub(crate) &'s Store);

impl Economy<'_> {
    /// Writes enterprises, their positions and links in one transaction (multi-row upserts by
    /// id), or nothing. A position or link naming an enterprise that is neither given nor
    /// stored fails the whole write.
    pub async fn save(
        self,
        enterprises: &[Enterprise],
        positions: &[Position],
        links: &[Link],
        suppliers: &[SupplierRecord],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at_s = secs(at).timestamp();
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            for chunk in enterprises.chunks(ROWS_PER_INSERT) {
                let mut qb = QueryBuilder::new(format!(
                    "INSERT INTO enterprises ({ENTERPRISE_COLUMNS}, grassroots, updated_at) "
                ));
                qb.push_values(chunk, |mut b, e| {
                    let d = e.fields();
                    b.push_bind(d.id)
                        .push_bind(d.kind.as_str())
                        .push_bind(d.name.clone())
                        .push_bind(d.village.to_string())
                        .push_bind(d.location.map(|l| l.0))
                        .push_bind(d.location.map(|l| l.1))
                        .push_bind(i64::from(d.employees))
                        .push_bind(i64::from(d.local_employees))
                        .push_bind(i64::from(d.local_resource_pct))
                        .push_bind(i64::from(d.shares_income))
                        .push_bind(d.registration_no.clone())
                        .push_bind(d.otop_stars.map(i64::from))
                        .push_bind(i64::from(e.grassroots().points()))
                        .push_bind(at_s);
                });
                qb.push(
                    " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
                     village_code = excluded.village_code, lat = excluded.lat, lon = excluded.lon, \
                     employees = excluded.employees, local_employees = excluded.local_employees, \
                     local_resource_pct = excluded.local_resource_pct, \
                     shares_income = excluded.shares_income, \
                     registration_no = excluded.registration_no, otop_stars = excluded.otop_stars, \
                     grassroots = excluded.grassroots, updated_at = excluded.updated_at",
                );
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in positions.chunks(ROWS_PER_INSERT) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO positions (id, enterprise_id, title, places, skills, \
                     wage_baht_month, season) ",
                );
                qb.push_values(chunk, |mut b, p| {
                    b.push_bind(p.id)
                        .push_bind(p.enterprise_id)
                        .push_bind(p.title.clone())
                        .push_bind(i64::from(p.places))
                        .push_bind(p.skills_wanted.to_text())
                        .push_bind(p.wage_baht_month)
                        .push_bind(p.season.to_string());
                });
                qb.push(
                    " ON CONFLICT (id) DO UPDATE SET enterprise_id = excluded.enterprise_id, \
                     title = excluded.title, places = excluded.places, skills = excluded.skills, \
                     wage_baht_month = excluded.wage_baht_month, season = excluded.season",
                );
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in links.chunks(ROWS_PER_INSERT) {
                let mut qb =
                    QueryBuilder::new("INSERT INTO enterprise_links (supplier_id, buyer_id, what) ");
                qb.push_values(chunk, |mut b, l| {
                    b.push_bind(l.supplier_id)
                        .push_bind(l.buyer_id)
                        .push_bind(l.what.clone());
                });
                qb.push(" ON CONFLICT DO NOTHING");
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in suppliers.chunks(ROWS_PER_INSERT) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO enterprise_suppliers (enterprise_id, household_id, village_code, \
                     what) ",
                );
                qb.push_values(chunk, |mut b, s| {
                    b.push_bind(s.supplier.enterprise_id)
                        .push_bind(s.supplier.household_id.as_str().to_string())
                        .push_bind(s.village.to_string())
                        .push_bind(s.supplier.what.clone());
                });
                qb.push(
                    " ON CONFLICT (enterprise_id, household_id, what) DO UPDATE SET \
                     village_code = excluded.village_code",
                );
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The households that supply enterprise `id` inside `scope`, by village and household.
    pub async fn suppliers_of(
        self,
        enterprise_id: i64,
        scope: &Scope,
    ) -> Result<Vec<SupplierRecord>, StoreError> {
        let ranges = match village_ranges(scope, None) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let mut cond = String::from("enterprise_id = $1");
        if !ranges.is_empty() {
            cond.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 2)
            ));
        }
        let sql = format!(
            "SELECT enterprise_id, household_id, village_code, what FROM enterprise_suppliers \
             WHERE {cond} ORDER BY village_code, household_id, what"
        );
        let rows: Vec<(i64, String, String, String)> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(enterprise_id);
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(e, h, v, w)| {
                let bad = || StoreError::Corrupt(format!("supplier {h} of enterprise {e}"));
                Ok(SupplierRecord {
                    supplier: HouseholdSupplier::new(e, &h, &w).map_err(|_| bad())?,
                    village: AreaCode::parse(&v).map_err(|_| bad())?,
                })
            })
            .collect()
    }

    /// The ids among `ids` that are stored, in order.
    pub async fn known_ids(self, ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut known = Vec::new();
        for chunk in ids.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "SELECT id FROM enterprises WHERE id IN ({}) ORDER BY id",
                placeholders(chunk.len())
            );
            let got: Vec<i64> = with_pool!(self.0, pool => {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(pool).await?
            });
            known.extend(got);
        }
        Ok(known)
    }

    /// One enterprise.
    pub async fn get(self, id: i64) -> Result<Option<Enterprise>, StoreError> {
        Ok(self.get_many(&[id]).await?.pop())
    }

    /// Enterprises by id, in id order.
    pub async fn get_many(self, ids: &[i64]) -> Result<Vec<Enterprise>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE id IN ({}) ORDER BY id",
                placeholders(chunk.len())
            );
            let rows: Vec<EnterpriseRow> = with_pool!(self.0, pool => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(pool).await?
            });
            for r in rows {
                out.push(enterprise(r)?);
            }
        }
        Ok(out)
    }

    /// How many names the trigram index offers for `pattern`, counted up to [`FTS_PROBE`] (SQLite).
    async fn name_candidates(self, pattern: &str) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM (SELECT rowid FROM enterprise_names WHERE name LIKE $1 LIMIT {FTS_PROBE})"
        );
        Ok(with_pool!(self.0, pool => {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(pattern)
                .fetch_one(pool)
                .await?
        }))
    }

    /// A page of the enterprises inside `scope` narrowed to `area`, by id.
    pub async fn page(
        self,
        scope: &Scope,
        area: Option<&AreaCode>,
        filter: &EnterpriseFilter,
        page: u32,
        per_page: u32,
    ) -> Result<EnterprisePage, StoreError> {
        let ranges = match village_ranges(scope, area) {
            Some(r) if r.is_empty() => {
                return Ok(EnterprisePage {
                    items: Vec::new(),
                    total: 0,
                })
            }
            r => r.unwrap_or_default(),
        };
        // `$1` and `$2` are bound either way; a filter not given is written as a constant, so
        // that a kind's list is read through its index (`$1 IS NULL OR kind = $1` scans every
        // enterprise).
        // The name's letters without LIKE's wildcards (a user types text, not patterns).
        let letters = filter.name.as_ref().map(|n| {
            n.chars()
                .filter(|c| !matches!(c, '%' | '_'))
                .collect::<String>()
        });
        let pattern = letters.as_ref().map(|l| format!("%{l}%"));
        let name_cond = match (&letters, self.0.backend()) {
            // FTS5's trigram index (migration 0018) answers a LIKE of three characters or more:
            // in milliseconds when few names hold the text; when many do (a common word such as
            // "ผ้าไหม"), checking each candidate costs more than reading every name once, so a
            // probe of at most FTS_PROBE candidates decides.
            (Some(n), crate::Backend::Sqlite)
                if n.chars().count() >= 3
                    && self
                        .name_candidates(pattern.as_deref().unwrap_or(""))
                        .await?
                        < FTS_PROBE =>
            {
                "id IN (SELECT rowid FROM enterprise_names WHERE name LIKE $2)"
            }
            // On PostgreSQL the trigram GIN index serves the LIKE itself; shorter text scans.
            (Some(_), _) => "name LIKE $2",
            (None, _) => "CAST($2 AS TEXT) IS NULL",
        };
        let mut cond = format!(
            "{} AND {name_cond}",
            if filter.kind.is_some() {
                "kind = $1"
            } else {
                "CAST($1 AS TEXT) IS NULL"
            },
        );
        if !ranges.is_empty() {
            cond.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 3)
            ));
        }
        let kind = filter.kind.map(|k| k.as_str().to_string());
        let name = pattern;
        let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
        let list_sql = format!(
            "SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE {cond} ORDER BY id LIMIT {} OFFSET {}",
            per_page, offset
        );
        let count_sql = format!("SELECT count(*) FROM enterprises WHERE {cond}");
        let (rows, total): (Vec<EnterpriseRow>, i64) = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone()))
                .bind(kind.clone())
                .bind(name.clone());
            let mut c = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql.clone()))
                .bind(kind.clone())
                .bind(name.clone());
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
                c = c.bind(lo.clone()).bind(hi.clone());
            }
            (q.fetch_all(pool).await?, c.fetch_one(pool).await?)
        });
        Ok(EnterprisePage {
            items: rows.into_iter().map(enterprise).collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    /// The subdistricts with a community-based tourism group, in code order (the tourism need
    /// of methodology §5).
    pub async fn cbt_subdistricts(self) -> Result<Vec<AreaCode>, StoreError> {
        let rows: Vec<String> = with_pool!(self.0, pool => {
            sqlx::query_scalar(
                "SELECT DISTINCT substr(village_code, 1, 6) AS s FROM enterprises \
                 WHERE kind = 'cbt' ORDER BY s",
            )
            .fetch_all(pool)
            .await?
        });
        rows.iter()
            .map(|r| {
                AreaCode::parse(r).map_err(|_| StoreError::Corrupt(format!("subdistrict {r:?}")))
            })
            .collect()
    }

    /// The open positions of one enterprise, by id.
    pub async fn positions_of(self, enterprise_id: i64) -> Result<Vec<Position>, StoreError> {
        let rows: Vec<PositionRow> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT id, enterprise_id, title, places, skills, wage_baht_month, season \
                 FROM positions WHERE enterprise_id = $1 ORDER BY id",
            )
            .bind(enterprise_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(position).collect()
    }

    /// The positions of the enterprises inside `scope` narrowed to `area`, with their
    /// enterprises, by position id: what a match is run on.
    pub async fn openings(
        self,
        scope: &Scope,
        area: Option<&AreaCode>,
    ) -> Result<Vec<(Position, Enterprise)>, StoreError> {
        let ranges = match village_ranges(scope, area) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let mut cond = String::new();
        if !ranges.is_empty() {
            cond = format!(
                " WHERE enterprise_id IN (SELECT id FROM enterprises WHERE {})",
                range_condition("village_code", &ranges, 1)
            );
        }
        let sql = format!(
            "SELECT id, enterprise_id, title, places, skills, wage_baht_month, season \
             FROM positions{cond} ORDER BY id"
        );
        let rows: Vec<PositionRow> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            q.fetch_all(pool).await?
        });
        let positions: Vec<Position> = rows.into_iter().map(position).collect::<Result<_, _>>()?;
        let mut ids: Vec<i64> = positions.iter().map(|p| p.enterprise_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let enterprises = self.get_many(&ids).await?;
        positions
            .into_iter()
            .map(|p| {
                let at = enterprises
                    .binary_search_by_key(&p.enterprise_id, Enterprise::id)
                    .map_err(|_| {
                        StoreError::Corrupt(format!("position {} without its enterprise", p.id))
                    })?;
                Ok((p, enterprises[at].clone()))
            })
            .collect()
    }

    /// The links in which the enterprise sells or buys, by supplier, buyer and what.
    pub async fn links_of(self, enterprise_id: i64) -> Result<Vec<Link>, StoreError> {
        let rows: Vec<(i64, i64, String)> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT supplier_id, buyer_id, what FROM enterprise_links \
                 WHERE supplier_id = $1 OR buyer_id = $1 ORDER BY supplier_id, buyer_id, what",
            )
            .bind(enterprise_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(s, b, w)| {
                Link::new(s, b, &w)
                    .map_err(|e| StoreError::Corrupt(format!("link {s}->{b}: {e:?}")))
            })
            .collect()
    }

    /// Writes a run and its pairs in one transaction; returns the run's id.
    pub async fn save_run(self, run: &NewMatchRun, at: DateTime<Utc>) -> Result<i64, StoreError> {
        let at_s = secs(at).timestamp();
        let area = run.area.map(|a| a.to_string()).unwrap_or_default();
        let id = with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO match_runs (round, area, max_m, workers, placed, created_by_id, \
                 created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(run.round.as_str())
            .bind(area.clone())
            .bind(i64::from(run.max_m))
            .bind(i64::from(run.workers))
            .bind(run.pairs.len() as i64)
            .bind(run.created_by_id)
            .bind(run.created_by.clone())
            .bind(at_s)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in run.pairs.chunks(ROWS_PER_INSERT) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO match_pairs (run_id, household_id, member_no, village_code, \
                     hardship, position_id, enterprise_id, distance_m, matched_skills) ",
                );
                qb.push_values(chunk, |mut b, p| {
                    b.push_bind(id)
                        .push_bind(p.household_id.as_str().to_string())
                        .push_bind(i64::from(p.member_no))
                        .push_bind(p.village_code.to_string())
                        .push_bind(i64::from(p.hardship))
                        .push_bind(p.position_id)
                        .push_bind(p.enterprise_id)
                        .push_bind(p.distance_m.map(i64::from))
                        .push_bind(p.matched.to_text());
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in run.unplaced.chunks(ROWS_PER_INSERT) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO match_unplaced (run_id, household_id, member_no, village_code, \
                     hardship, reason) ",
                );
                qb.push_values(chunk, |mut b, u| {
                    b.push_bind(id)
                        .push_bind(u.household_id.as_str().to_string())
                        .push_bind(i64::from(u.member_no))
                        .push_bind(u.village_code.to_string())
                        .push_bind(i64::from(u.hardship))
                        .push_bind(u.reason.as_str());
                });
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// A page of the workers run `run_id` left unplaced inside `scope`, for one reason or all,
    /// by village, household and member; with the counts by reason.
    pub async fn unplaced(
        self,
        run_id: i64,
        scope: &Scope,
        reason: Option<Unplaced>,
        page: u32,
        per_page: u32,
    ) -> Result<UnplacedPage, StoreError> {
        let ranges = match village_ranges(scope, None) {
            Some(r) if r.is_empty() => return Ok(UnplacedPage::default()),
            r => r.unwrap_or_default(),
        };
        let mut cond = String::from("run_id = $1");
        if !ranges.is_empty() {
            cond.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 2)
            ));
        }
        let counts_sql =
            format!("SELECT reason, count(*) FROM match_unplaced WHERE {cond} GROUP BY reason");
        let next = 2 + 2 * ranges.len();
        let list_sql = format!(
            "SELECT household_id, member_no, village_code, hardship, reason FROM match_unplaced \
             WHERE {cond} AND (CAST(${next} AS TEXT) IS NULL OR reason = ${next}) \
             ORDER BY village_code, household_id, member_no LIMIT {per_page} OFFSET {}",
            i64::from(page.saturating_sub(1)) * i64::from(per_page)
        );
        let reason_text = reason.map(|r| r.as_str().to_string());
        let (counts, rows): (Vec<(String, i64)>, Vec<UnplacedRow>) = with_pool!(self.0, pool => {
            let mut c = sqlx::query_as(sqlx::AssertSqlSafe(counts_sql.clone())).bind(run_id);
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone())).bind(run_id);
            for (lo, hi) in &ranges {
                c = c.bind(lo.clone()).bind(hi.clone());
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            q = q.bind(reason_text.clone());
            (c.fetch_all(pool).await?, q.fetch_all(pool).await?)
        });
        let by_reason: Vec<(Unplaced, u64)> = Unplaced::ALL
            .iter()
            .filter_map(|u| {
                let n = counts.iter().find(|(r, _)| r == u.as_str())?.1;
                Some((*u, u64::try_from(n).unwrap_or(0)))
            })
            .collect();
        let total = match reason {
            Some(r) => by_reason
                .iter()
                .find(|(u, _)| *u == r)
                .map_or(0, |(_, n)| *n),
            None => by_reason.iter().map(|(_, n)| n).sum(),
        };
        let items = rows
            .into_iter()
            .map(|(h, m, v, hard, r)| {
                let bad = |what: &str| StoreError::Corrupt(format!("unplaced {h}/{m}: {what}"));
                Ok(NewUnplaced {
                    household_id: HouseholdId::parse(&h).map_err(|_| bad("household"))?,
                    member_no: u16::try_from(m).map_err(|_| bad("member"))?,
                    village_code: AreaCode::parse(&v).map_err(|_| bad("village"))?,
                    hardship: hard == 1,
                    reason: Unplaced::parse(&r).ok_or_else(|| bad("reason"))?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(UnplacedPage {
            items,
            total,
            by_reason,
        })
    }

    /// The latest runs, newest first.
    pub async fn runs(self, limit: u32) -> Result<Vec<MatchRunRecord>, StoreError> {
        let ids: Vec<i64> = with_pool!(self.0, pool => {
            sqlx::query_scalar("SELECT id FROM match_runs ORDER BY id DESC LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.run(id).await?);
        }
        Ok(out)
    }

    /// One run.
    pub async fn run(self, id: i64) -> Result<Option<MatchRunRecord>, StoreError> {
        let row: Option<RunRow> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT id, round, area, max_m, workers, placed, created_by, created_at \
                 FROM match_runs WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| {
            let bad =
                |what: &str, v: &str| StoreError::Corrupt(format!("run {}: {what} {v:?}", r.0));
            Ok(MatchRunRecord {
                id: r.0,
                round: RoundLabel::parse(&r.1).map_err(|_| bad("round", &r.1))?,
                area: if r.2.is_empty() {
                    None
                } else {
                    Some(AreaCode::parse(&r.2).map_err(|_| bad("area", &r.2))?)
                },
                max_m: u32::try_from(r.3).unwrap_or(0),
                workers: u32::try_from(r.4).unwrap_or(0),
                placed: u32::try_from(r.5).unwrap_or(0),
                created_by: r.6.clone(),
                created_at: DateTime::from_timestamp(r.7, 0)
                    .ok_or_else(|| bad("created_at", &r.7.to_string()))?,
            })
        })
        .transpose()
    }

    /// The pairs of a run inside `scope`, by village and id.
    pub async fn pairs(self, run_id: i64, scope: &Scope) -> Result<Vec<PairRecord>, StoreError> {
        let ranges = match village_ranges(scope, None) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let mut cond = String::from("run_id = $1");
        if !ranges.is_empty() {
            cond.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 2)
            ));
        }
        let sql = format!(
            "SELECT {PAIR_COLUMNS} FROM match_pairs WHERE {cond} ORDER BY village_code, id"
        );
        let rows: Vec<PairRow> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(run_id);
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter().map(pair).collect()
    }

    /// One pair.
    pub async fn pair(self, id: i64) -> Result<Option<PairRecord>, StoreError> {
        let sql = format!("SELECT {PAIR_COLUMNS} FROM match_pairs WHERE id = $1");
        let row: Option<PairRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(pool).await?
        });
        row.map(pair).transpose()
    }

    /// The accepted and hired pairs of an enterprise (the poor households linked to it as
    /// workers), by id.
    pub async fn workers_of(self, enterprise_id: i64) -> Result<Vec<PairRecord>, StoreError> {
        let sql = format!(
            "SELECT {PAIR_COLUMNS} FROM match_pairs WHERE enterprise_id = $1 \
             AND state IN ('accepted', 'hired') ORDER BY id"
        );
        let rows: Vec<PairRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(enterprise_id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(pair).collect()
    }

    /// Moves a pair from `from` to `to`, keeping the case or logbook entry that goes with it;
    /// a pair no longer in `from` is a `Conflict`.
    pub async fn move_pair(
        self,
        id: i64,
        from: PairState,
        to: PairState,
        case_id: Option<i64>,
        help_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let done = with_pool!(self.0, pool => {
            sqlx::query(
                "UPDATE match_pairs SET state = $1, case_id = COALESCE($2, case_id), \
                 help_id = COALESCE($3, help_id) WHERE id = $4 AND state = $5",
            )
            .bind(to.as_str())
            .bind(case_id)
            .bind(help_id)
            .bind(id)
            .bind(from.as_str())
            .execute(pool)
            .await?
            .rows_affected()
        });
        if done == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "pair {id} is no longer {}",
                from.as_str()
            )))
        }
    }
}
