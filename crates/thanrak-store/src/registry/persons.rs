//! The persons of the registry as duplicate detection reads them (issue 13): every member of
//! every round inside a scope with its household's village, a few columns only, each row read as
//! one text so that a million members cost one decode each; and the reviews of likely duplicates
//! (migration 0019).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::Row;
use thanrak_core::{AreaCode, HouseholdId, NationalId, RoundLabel};

use super::Registry;
use crate::area_filter::{range_condition, village_ranges};
use crate::{with_pool, Scope, Store, StoreError};

/// One member as duplicate detection reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// The round.
    pub round: RoundLabel,
    /// The household.
    pub household_id: HouseholdId,
    /// The household's village.
    pub village_code: AreaCode,
    /// The member's number.
    pub member_no: u16,
    /// The national id, when recorded.
    pub national_id: Option<NationalId>,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Date of birth, when recorded.
    pub birth_date: Option<NaiveDate>,
}

/// A decision on a group of likely duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateReview {
    /// The group's key.
    pub key: String,
    /// `not_duplicates` or `merged`.
    pub decision: String,
    /// Why, in the reviewer's words.
    pub note: String,
    /// Who decided.
    pub decided_by: String,
    /// When.
    pub decided_at: DateTime<Utc>,
}

const SEP: char = '\u{1f}';

fn parse_person(text: &str) -> Result<PersonRow, StoreError> {
    let bad = || StoreError::Corrupt(format!("person row {text:?}"));
    let mut f = text.split(SEP);
    let mut next = || f.next().ok_or_else(bad);
    let round = RoundLabel::parse(next()?).map_err(|_| bad())?;
    let household_id = HouseholdId::parse(next()?).map_err(|_| bad())?;
    let village_code = AreaCode::parse(next()?).map_err(|_| bad())?;
    let member_no = next()?.parse().map_err(|_| bad())?;
    let national_id = match next()? {
        "" => None,
        s => Some(NationalId::parse(s).map_err(|_| bad())?),
    };
    let first_name = next()?.to_string();
    let last_name = next()?.to_string();
    let birth_date = match next()? {
        "" => None,
        s => Some(NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d").map_err(|_| bad())?),
    };
    Ok(PersonRow {
        round,
        household_id,
        village_code,
        member_no,
        national_id,
        first_name,
        last_name,
        birth_date,
    })
}

impl Registry<'_> {
    /// Every member of every round whose household lies inside `scope`, with the household's
    /// village.
    pub async fn persons(self, scope: &Scope) -> Result<Vec<PersonRow>, StoreError> {
        let ranges = match village_ranges(scope, None) {
            Some(r) if r.is_empty() => return Ok(Vec::new()),
            r => r.unwrap_or_default(),
        };
        let filter = if ranges.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", range_condition("h.village_code", &ranges, 1))
        };
        let (sep, text) = match self.0 {
            Store::Sqlite(_) => ("char(31)", ""),
            Store::Postgres(_) => ("chr(31)", "::text"),
        };
        let cols = [
            "m.round".to_string(),
            "m.household_id".into(),
            "h.village_code".into(),
            format!("m.member_no{text}"),
            "coalesce(m.national_id, '')".into(),
            "m.first_name".into(),
            "coalesce(m.last_name, '')".into(),
            format!("coalesce(m.birth_date{text}, '')"),
        ];
        let sql = format!(
            "SELECT {} FROM members m JOIN households h \
               ON h.round = m.round AND h.household_id = m.household_id{filter}",
            cols.join(&format!(" || {sep} || "))
        );
        let mut out = Vec::new();
        with_pool!(self.0, pool => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (lo, hi) in &ranges {
                q = q.bind(lo).bind(hi);
            }
            let mut rows = q.fetch(pool);
            while let Some(row) = rows.try_next().await? {
                let text: String = row.try_get(0)?;
                out.push(parse_person(&text)?);
            }
        });
        Ok(out)
    }

    /// The reviews of duplicate groups, by key.
    pub async fn duplicate_reviews(self) -> Result<HashMap<String, DuplicateReview>, StoreError> {
        let mut out = HashMap::new();
        with_pool!(self.0, pool => {
            let mut rows = sqlx::query(
                "SELECT group_key, decision, note, decided_by, decided_at FROM duplicate_reviews",
            )
            .fetch(pool);
            while let Some(row) = rows.try_next().await? {
                let t: i64 = row.try_get(4)?;
                let review = DuplicateReview {
                    key: row.try_get(0)?,
                    decision: row.try_get(1)?,
                    note: row.try_get(2)?,
                    decided_by: row.try_get(3)?,
                    decided_at: DateTime::from_timestamp(t, 0)
                        .ok_or_else(|| StoreError::Corrupt(format!("time {t}")))?,
                };
                out.insert(review.key.clone(), review);
            }
        });
        Ok(out)
    }

    /// Records a decision on a group; a group decided already is a [`StoreError::Conflict`].
    pub async fn review_duplicates(self, review: &DuplicateReview) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            sqlx::query(
                "INSERT INTO duplicate_reviews (group_key, decision, note, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&review.key)
            .bind(&review.decision)
            .bind(&review.note)
            .bind(&review.decided_by)
            .bind(review.decided_at.timestamp())
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
