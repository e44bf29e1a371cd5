//! Area boundaries for the choropleth map: one GeoJSON geometry per area, stored as text. The
//! store does not read GeoJSON; `thanrak-app` checks it before it arrives here.

use sqlx::QueryBuilder;
use thanrak_core::{AreaCode, AreaLevel};

use crate::{with_pool, Store, StoreError};

/// The boundary of one area.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// The area; its level is the code's.
    pub code: AreaCode,
    /// A GeoJSON geometry object (Polygon or MultiPolygon), as text.
    pub geojson: String,
    /// Where it came from: the imported file's name, or `demo`.
    pub source: String,
    /// Generated for a demonstration, not a surveyed boundary.
    pub illustrative: bool,
}

type BoundaryRow = (String, String, String, bool);

/// The area boundaries, and the codes of the areas they may be given for: `store.boundaries()`.
#[derive(Debug, Clone, Copy)]
pub struct Boundaries<'s>(pub(crate) &'s Store);

impl Boundaries<'_> {
    /// Stores `boundaries` in one transaction, replacing the rows of the same areas. Every code
    /// must be an area the store knows (a foreign key), else nothing is written.
    pub async fn replace(self, boundaries: &[Boundary]) -> Result<u64, StoreError> {
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            for chunk in boundaries.chunks(500) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO boundaries (code, level, geojson, source, illustrative) ",
                );
                qb.push_values(chunk, |mut b, x| {
                    b.push_bind(x.code.to_string())
                        .push_bind(x.code.level().as_str())
                        .push_bind(x.geojson.clone())
                        .push_bind(x.source.clone())
                        .push_bind(x.illustrative);
                });
                qb.push(
                    " ON CONFLICT (code) DO UPDATE SET level = excluded.level, \
                     geojson = excluded.geojson, source = excluded.source, \
                     illustrative = excluded.illustrative",
                );
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(boundaries.len() as u64)
    }

    /// The boundaries of the areas at `level`, inside `parent` when given, by code.
    pub async fn list(
        self,
        level: AreaLevel,
        parent: Option<&AreaCode>,
    ) -> Result<Vec<Boundary>, StoreError> {
        let prefix = format!("{}%", parent.map(|p| p.to_string()).unwrap_or_default());
        let rows: Vec<BoundaryRow> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT code, geojson, source, illustrative FROM boundaries \
                 WHERE level = $1 AND code LIKE $2 ORDER BY code",
            )
            .bind(level.as_str())
            .bind(&prefix)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(code, geojson, source, illustrative)| {
                Ok(Boundary {
                    code: AreaCode::parse(&code)
                        .map_err(|e| StoreError::Corrupt(format!("boundary code {code}: {e}")))?,
                    geojson,
                    source,
                    illustrative,
                })
            })
            .collect()
    }

    /// The codes of every area the store knows at `level`, by code.
    pub async fn area_codes(self, level: AreaLevel) -> Result<Vec<AreaCode>, StoreError> {
        let rows: Vec<String> = with_pool!(self.0, pool => {
            sqlx::query_scalar("SELECT code FROM areas WHERE level = $1 ORDER BY code")
                .bind(level.as_str())
                .fetch_all(pool)
                .await?
        });
        rows.iter()
            .map(|c| {
                AreaCode::parse(c).map_err(|e| StoreError::Corrupt(format!("area code {c}: {e}")))
            })
            .collect()
    }
}
