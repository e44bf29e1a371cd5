//! The quality of a round's data by area (methodology §6's data quality): how many households
//! have every field of the survey present and when the latest was surveyed.

use chrono::NaiveDate;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};

use super::Registry;
use crate::area_filter::{range_condition, village_ranges};
use crate::{with_pool, Scope, StoreError};

/// The data of one area in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaQuality {
    /// The area.
    pub area: AreaCode,
    /// Its households.
    pub households: u64,
    /// Those with every field present: the required ones (always, once imported) and the
    /// optional ones field work needs to find and verify a household — house number,
    /// coordinates, and each member's national id.
    pub complete: u64,
    /// The latest survey date among them.
    pub latest_survey: Option<NaiveDate>,
}

impl Registry<'_> {
    /// The data quality of a round by area at `level`, inside `scope` narrowed to `area`: one
    /// grouped read of the households, each checked against its members by primary key.
    pub async fn quality_by_area(
        self,
        round: &RoundLabel,
        level: AreaLevel,
        scope: &Scope,
        area: Option<&AreaCode>,
    ) -> Result<Vec<AreaQuality>, StoreError> {
        let ranges = match village_ranges(scope, area) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let len = level.code_len();
        let mut sql = format!(
            "SELECT substr(h.village_code, 1, {len}) AS a, count(*), \
             sum(CASE WHEN h.house_no IS NOT NULL AND h.house_no <> '' AND h.lat IS NOT NULL \
             AND h.lon IS NOT NULL AND NOT EXISTS (SELECT 1 FROM members m WHERE \
             m.round = h.round AND m.household_id = h.household_id AND \
             (m.national_id IS NULL OR m.national_id = '')) THEN 1 ELSE 0 END), \
             CAST(max(h.survey_date) AS TEXT) FROM households h WHERE h.round = $1"
        );
        if !ranges.is_empty() {
            sql.push_str(&format!(
                " AND {}",
                range_condition("h.village_code", &ranges, 2)
            ));
        }
        sql.push_str(" GROUP BY substr(h.village_code, 1, ");
        sql.push_str(&len.to_string());
        sql.push_str(") ORDER BY a");
        // PostgreSQL sums as NUMERIC: cast so both backends give an i64.
        let sql = sql
            .replace("sum(CASE", "CAST(sum(CASE")
            .replace("ELSE 0 END)", "ELSE 0 END) AS BIGINT)");
        let rows: Vec<(String, i64, i64, Option<String>)> = with_pool!(self.0, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(round.as_str());
            for (lo, hi) in &ranges {
                q = q.bind(lo.clone()).bind(hi.clone());
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(a, n, complete, latest)| {
                let bad =
                    |what: &str, v: &str| StoreError::Corrupt(format!("quality: {what} {v:?}"));
                Ok(AreaQuality {
                    area: AreaCode::parse(&a).map_err(|_| bad("area", &a))?,
                    households: n.max(0) as u64,
                    complete: complete.max(0) as u64,
                    latest_survey: latest
                        .map(|d| {
                            NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| bad("date", &d))
                        })
                        .transpose()?,
                })
            })
            .collect()
    }
}
