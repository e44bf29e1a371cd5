//! The logbook of help given (`store.help()`, migration 0012): episodes of help recorded one at
//! a time or many in one transaction, a household's episodes, and their sums by agency, by
//! what they address, by kind and by village inside a reader's scope. Who may record or read
//! help is the app's policy; the store keeps the rows, reads them back through
//! `thanrak_core::help::Help::new`, and sums money in whole satang.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use thanrak_core::help::{Addresses, Help, HelpKind};
use thanrak_core::identity::AgencyCode;
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};

use crate::area_filter::{range_condition, village_ranges};
use crate::{secs, with_pool, Scope, Store, StoreError};

/// An episode of help to write, with where the household lives and who records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHelp {
    /// The checked episode.
    pub help: Help,
    /// The household's village (help is kept inside readers' areas by it).
    pub village_code: AreaCode,
    /// The id of the user who records it (0 for the command line).
    pub recorded_by_id: i64,
    /// Their name, as the logbook shows it.
    pub recorded_by: String,
}

/// A stored episode of help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRecord {
    /// Its id.
    pub id: i64,
    /// What was written.
    pub new: NewHelp,
    /// When it was written.
    pub recorded_at: DateTime<Utc>,
}

/// Episodes, their value and the households they reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HelpTotals {
    /// Episodes of help.
    pub episodes: u64,
    /// Their value in satang.
    pub value_satang: i64,
    /// Distinct households helped.
    pub households: u64,
}

/// Sums of the logbook: in all, and by agency, what is addressed, kind and village, each
/// ordered by its code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpSums {
    /// Everything inside the filter.
    pub total: HelpTotals,
    /// By agency.
    pub by_agency: Vec<(AgencyCode, HelpTotals)>,
    /// By the dimension or capital addressed.
    pub by_addresses: Vec<(Addresses, HelpTotals)>,
    /// By kind.
    pub by_kind: Vec<(HelpKind, HelpTotals)>,
    /// By the household's village (a household counts once in each village it was helped in).
    pub by_village: Vec<(AreaCode, HelpTotals)>,
}

type HelpRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<i64>,
    i64,
    String,
    i64,
);

const HELP_COLUMNS: &str = "id, round, household_id, village_code, agency, kind, addresses, what, \
    value_satang, given_on, case_id, recorded_by_id, recorded_by, recorded_at";

/// Rows of one multi-row INSERT: 14 parameters each keeps a statement under SQLite's and
/// PostgreSQL's limits on bound values.
const ROWS_PER_INSERT: usize = 1_000;

fn record(r: HelpRow) -> Result<HelpRecord, StoreError> {
    let bad = |what: &str, v: &str| StoreError::Corrupt(format!("help {}: {what} {v:?}", r.0));
    let given_on =
        NaiveDate::parse_from_str(&r.9, "%Y-%m-%d").map_err(|_| bad("given_on", &r.9))?;
    // Read back through the same check as on the way in; a stored date is in the past of
    // whenever it is read, so `today` does not narrow here.
    let help = Help::new(
        RoundLabel::parse(&r.1).map_err(|_| bad("round", &r.1))?,
        HouseholdId::parse(&r.2).map_err(|_| bad("household", &r.2))?,
        AgencyCode::parse(&r.4).map_err(|_| bad("agency", &r.4))?,
        HelpKind::parse(&r.5).ok_or_else(|| bad("kind", &r.5))?,
        Addresses::parse(&r.6).map_err(|_| bad("addresses", &r.6))?,
        &r.7,
        r.8,
        given_on,
        r.10,
        NaiveDate::MAX,
    )
    .map_err(|e| bad("fields", &format!("{e:?}")))?;
    Ok(HelpRecord {
        id: r.0,
        new: NewHelp {
            help,
            village_code: AreaCode::parse(&r.3).map_err(|_| bad("village", &r.3))?,
            recorded_by_id: r.11,
            recorded_by: r.12,
        },
        recorded_at: DateTime::from_timestamp(r.13, 0)
            .ok_or_else(|| bad("recorded_at", &r.13.to_string()))?,
    })
}

/// The logbook of help given: `store.help()`.
#[derive(Debug, Clone, Copy)]
pub struct Helps<'s>(pub(crate) &'s Store);

impl Helps<'_> {
    /// The households inside `scope` narrowed to `area` that received help recorded against
    /// `round` (help given after that round's survey, on its data), by id in byte order: the
    /// "helped" side of the change between that round and the next.
    pub async fn helped_households(
        self,
        round: &RoundLabel,
        scope: &Scope,
        area: Option<&AreaCode>,
    ) -> Result<Vec<String>, StoreError> {
        let ranges = match village_ranges(scope, area) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let mut sql =
            String::from("SELECT DISTINCT household_id FROM help_records WHERE round = $1");
        if !ranges.is_empty() {
            sql.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 2)
            ));
        }
        let mut ids: Vec<String> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(round.as_str());
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            q.fetch_all(pool).await?
        });
        ids.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        Ok(ids)
    }

    /// Writes one episode and returns it as stored.
    pub async fn record(self, new: &NewHelp, at: DateTime<Utc>) -> Result<HelpRecord, StoreError> {
        let mut ids = self.record_many(std::slice::from_ref(new), at).await?;
        let id = ids
            .pop()
            .ok_or_else(|| StoreError::Other("an insert returned no id".into()))?;
        self.get(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("help {id}")))
    }

    /// Writes every episode in one transaction (multi-row inserts), or none; returns their ids
    /// in the order given.
    pub async fn record_many(
        self,
        news: &[NewHelp],
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        let at_s = secs(at).timestamp();
        let mut ids = Vec::with_capacity(news.len());
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            for chunk in news.chunks(ROWS_PER_INSERT) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO help_records (round, household_id, village_code, agency, kind, \
                     addresses, what, value_satang, given_on, case_id, recorded_by_id, \
                     recorded_by, recorded_at) ",
                );
                qb.push_values(chunk, |mut b, n| {
                    let h = &n.help;
                    b.push_bind(h.round.as_str().to_string())
                        .push_bind(h.household_id.as_str().to_string())
                        .push_bind(n.village_code.to_string())
                        .push_bind(h.agency.as_str().to_string())
                        .push_bind(h.kind.as_str())
                        .push_bind(h.addresses.as_str().to_string())
                        .push_bind(h.what().to_string())
                        .push_bind(h.value_satang())
                        .push_bind(h.given_on().format("%Y-%m-%d").to_string())
                        .push_bind(h.case_id)
                        .push_bind(n.recorded_by_id)
                        .push_bind(n.recorded_by.clone())
                        .push_bind(at_s);
                });
                // Both backends return the rows of a multi-row insert in the order of VALUES.
                qb.push(" RETURNING id");
                let got: Vec<i64> = qb.build_query_scalar().fetch_all(&mut *tx).await?;
                ids.extend(got);
            }
            tx.commit().await?;
        });
        Ok(ids)
    }

    /// One episode.
    pub async fn get(self, id: i64) -> Result<Option<HelpRecord>, StoreError> {
        let sql = format!("SELECT {HELP_COLUMNS} FROM help_records WHERE id = $1");
        let row: Option<HelpRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(pool).await?
        });
        row.map(record).transpose()
    }

    /// Removes one episode (a recording whose case could not be closed is taken back).
    pub async fn remove(self, id: i64) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            sqlx::query("DELETE FROM help_records WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The episodes of one household in every round, newest first.
    pub async fn for_household(
        self,
        household_id: &HouseholdId,
    ) -> Result<Vec<HelpRecord>, StoreError> {
        let sql = format!(
            "SELECT {HELP_COLUMNS} FROM help_records WHERE household_id = $1 \
             ORDER BY given_on DESC, id DESC"
        );
        let rows: Vec<HelpRow> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(household_id.as_str())
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(record).collect()
    }

    /// The sums of the episodes of `agency` (every agency when `None`) inside `scope` narrowed
    /// to `area`.
    pub async fn summary(
        self,
        agency: Option<&AgencyCode>,
        scope: &Scope,
        area: Option<&AreaCode>,
    ) -> Result<HelpSums, StoreError> {
        let ranges = match village_ranges(scope, area) {
            Some(r) if r.is_empty() => return Ok(HelpSums::default()),
            r => r.unwrap_or_default(),
        };
        let mut filter = String::from("($1 IS NULL OR agency = $1)");
        if !ranges.is_empty() {
            filter.push_str(&format!(
                " AND {}",
                range_condition("village_code", &ranges, 2)
            ));
        }
        let agency = agency.map(|a| a.as_str().to_string());
        let mut grouped = Vec::with_capacity(5);
        for key in [
            None,
            Some("agency"),
            Some("addresses"),
            Some("kind"),
            Some("village_code"),
        ] {
            let (select, group) = match key {
                None => ("CAST('' AS TEXT)".to_string(), String::new()),
                Some(k) => (k.to_string(), format!(" GROUP BY {k} ORDER BY {k}")),
            };
            // PostgreSQL sums a BIGINT as NUMERIC: cast back so both backends return an i64.
            let sql = format!(
                "SELECT {select}, count(*), CAST(COALESCE(sum(value_satang), 0) AS BIGINT), \
                 count(DISTINCT household_id) FROM help_records WHERE {filter}{group}"
            );
            let rows: Vec<(String, i64, i64, i64)> = with_pool!(self.0, pool => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(agency.clone());
                for (lo, hi) in &ranges {
                    q = q.bind(lo.clone()).bind(hi.clone());
                }
                q.fetch_all(pool).await?
            });
            grouped.push(rows);
        }
        let totals = |(_, n, v, h): &(String, i64, i64, i64)| HelpTotals {
            episodes: u64::try_from(*n).unwrap_or(0),
            value_satang: *v,
            households: u64::try_from(*h).unwrap_or(0),
        };
        let bad = |what: &str, v: &str| StoreError::Corrupt(format!("help: {what} {v:?}"));
        let mut sums = HelpSums {
            total: grouped[0].first().map(totals).unwrap_or_default(),
            ..HelpSums::default()
        };
        for r in &grouped[1] {
            let a = AgencyCode::parse(&r.0).map_err(|_| bad("agency", &r.0))?;
            sums.by_agency.push((a, totals(r)));
        }
        for r in &grouped[2] {
            let a = Addresses::parse(&r.0).map_err(|_| bad("addresses", &r.0))?;
            sums.by_addresses.push((a, totals(r)));
        }
        for r in &grouped[3] {
            let k = HelpKind::parse(&r.0).ok_or_else(|| bad("kind", &r.0))?;
            sums.by_kind.push((k, totals(r)));
        }
        for r in &grouped[4] {
            let v = AreaCode::parse(&r.0).map_err(|_| bad("village", &r.0))?;
            sums.by_village.push((v, totals(r)));
        }
        Ok(sums)
    }
}
