//! The catalogue of cooperating agencies (`store.agencies()`). Rows are read back through
//! [`Agency::new`], so a stored agency is validated again. The default catalogue of
//! `thanrak-core` is written when the table is empty.

use chrono::{DateTime, Utc};
use thanrak_core::agency::{default_catalogue, Agency};
use thanrak_core::identity::AgencyCode;

use crate::{secs, with_pool, Store, StoreError};

type AgencyRow = (String, String, String, String, String, String, String);

fn agency(row: AgencyRow) -> Result<Agency, StoreError> {
    let (code, th, en, mission, needs, areas, contact) = row;
    let needs: Vec<&str> = needs.split(',').collect();
    let areas: Vec<&str> = areas.split(',').collect();
    Agency::new(&code, &th, &en, &mission, &needs, &areas, &contact)
        .map_err(|e| StoreError::Corrupt(format!("agency {code:?}: {e}")))
}

/// The agencies of the catalogue: `store.agencies()`.
#[derive(Debug, Clone, Copy)]
pub struct Agencies<'s>(pub(crate) &'s Store);

impl Agencies<'_> {
    /// Every agency, by code.
    pub async fn list(self) -> Result<Vec<Agency>, StoreError> {
        let rows: Vec<AgencyRow> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT code, name_th, name_en, mission, needs, areas, contact FROM agencies \
                 ORDER BY code",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(agency).collect()
    }

    /// One agency.
    pub async fn get(self, code: &AgencyCode) -> Result<Option<Agency>, StoreError> {
        let row: Option<AgencyRow> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT code, name_th, name_en, mission, needs, areas, contact FROM agencies \
                 WHERE code = $1",
            )
            .bind(code.as_str())
            .fetch_optional(pool)
            .await?
        });
        row.map(agency).transpose()
    }

    /// Adds the agency or replaces the one of the same code; whether it was added.
    pub async fn save(self, a: &Agency, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let needs = a.needs.join(",");
        let areas = a
            .areas
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let at = secs(at).timestamp();
        let existed = self.get(&a.code).await?.is_some();
        with_pool!(self.0, pool => {
            sqlx::query(
                "INSERT INTO agencies (code, name_th, name_en, mission, needs, areas, contact, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (code) DO UPDATE SET name_th = excluded.name_th, \
                 name_en = excluded.name_en, mission = excluded.mission, needs = excluded.needs, \
                 areas = excluded.areas, contact = excluded.contact, \
                 updated_at = excluded.updated_at",
            )
            .bind(a.code.as_str())
            .bind(&a.name_th)
            .bind(&a.name_en)
            .bind(&a.mission)
            .bind(&needs)
            .bind(&areas)
            .bind(&a.contact)
            .bind(at)
            .execute(pool)
            .await?;
        });
        Ok(!existed)
    }

    /// Writes the default catalogue if the table holds no agency yet.
    pub(crate) async fn seed(self) -> Result<(), StoreError> {
        let present: i64 = with_pool!(self.0, pool => {
            sqlx::query_scalar("SELECT count(*) FROM agencies").fetch_one(pool).await?
        });
        if present == 0 {
            let now = Utc::now();
            for a in default_catalogue() {
                self.save(&a, now).await?;
            }
        }
        Ok(())
    }
}
