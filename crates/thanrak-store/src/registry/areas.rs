//! The area table: the official provinces, districts and subdistricts the store seeds on first
//! connect, and the villages that imports add.

use thanrak_core::{Area, AreaCode, AreaLevel};

use super::Registry;
use crate::{with_pool, StoreError};

impl Registry<'_> {
    /// One area by code.
    pub async fn area(self, code: &AreaCode) -> Result<Area, StoreError> {
        self.areas_where("code = $1", &code.to_string())
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("area {code}")))
    }

    /// The areas directly inside `parent` (provinces when `parent` is `None`), by code.
    pub async fn child_areas(self, parent: Option<&AreaCode>) -> Result<Vec<Area>, StoreError> {
        match parent {
            Some(p) => self.areas_where("parent_code = $1", &p.to_string()).await,
            None => {
                self.areas_where("level = $1", AreaLevel::Province.as_str())
                    .await
            }
        }
    }

    /// Every area of a level (every village the registry knows, say), by code.
    pub async fn areas_of_level(self, level: AreaLevel) -> Result<Vec<Area>, StoreError> {
        self.areas_where("level = $1", level.as_str()).await
    }

    /// The number of areas at each level.
    pub async fn area_counts(self) -> Result<Vec<(AreaLevel, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = with_pool!(self.0, pool => {
            sqlx::query_as("SELECT level, count(*) FROM areas GROUP BY level")
                .fetch_all(pool)
                .await?
        });
        let mut out: Vec<(AreaLevel, i64)> = rows
            .into_iter()
            .filter_map(|(l, n)| AreaLevel::parse(&l).map(|l| (l, n)))
            .collect();
        out.sort();
        Ok(out)
    }

    async fn areas_where(self, filter: &str, arg: &str) -> Result<Vec<Area>, StoreError> {
        let sql = format!(
            "SELECT code, name_th, name_en, postcode FROM areas WHERE {filter} ORDER BY code"
        );
        let rows: Vec<(String, String, String, Option<String>)> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(arg).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(code, name_th, name_en, postcode)| {
                Ok(Area {
                    code: AreaCode::parse(&code)
                        .map_err(|e| StoreError::Corrupt(format!("area code {code}: {e}")))?,
                    name_th,
                    name_en,
                    postcode,
                })
            })
            .collect()
    }
}
