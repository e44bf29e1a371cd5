//! The catalogue of cooperating agencies: read by every signed-in user (who the agencies are,
//! what they meet, where they work), edited by admins through the web and by the command line.
//! An agency's needs must be needs of a shipped methodology; its areas, official areas.

use chrono::Utc;
use serde::Deserialize;
use thanrak_core::agency::Agency;
use thanrak_core::identity::AgencyCode;
use thanrak_core::identity::User;
use thanrak_core::methodology::Methodology;
use thanrak_core::{AreaCode, AreaRegistry};
use thanrak_store::Store;

use crate::access::AccessError;
use crate::{policy, AppError};

/// An agency as a user writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AgencyRequest {
    /// Its code (lower case letters, digits, `.`, `_`, `-`).
    pub code: String,
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// What it is there to do.
    #[serde(default)]
    pub mission: String,
    /// The ids of the needs it meets.
    #[serde(default)]
    pub needs: Vec<String>,
    /// The codes of the areas it works in (none: the whole country).
    #[serde(default)]
    pub areas: Vec<String>,
    /// How to reach it.
    #[serde(default)]
    pub contact: String,
}

/// The ids of the needs of every shipped methodology, in order, once each.
pub fn known_needs() -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for m in Methodology::shipped() {
        for n in m.needs() {
            if !ids.contains(&n.id) {
                ids.push(n.id.clone());
            }
        }
    }
    ids
}

/// The agency a request describes, checked: fields, needs known, areas official.
pub fn agency_of(req: &AgencyRequest) -> Result<Agency, AppError> {
    let needs: Vec<&str> = req.needs.iter().map(String::as_str).collect();
    let areas: Vec<&str> = req.areas.iter().map(String::as_str).collect();
    let a = Agency::new(
        &req.code,
        &req.name_th,
        &req.name_en,
        &req.mission,
        &needs,
        &areas,
        &req.contact,
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    let known = known_needs();
    if let Some(n) = a.needs.iter().find(|n| !known.contains(n)) {
        return Err(AppError::NotFound(format!(
            "needs {n:?} is not a need of a shipped methodology: one of {}",
            known.join(", ")
        )));
    }
    let official = AreaRegistry::official();
    if let Some(c) = a.areas.iter().find(|c| !is_official(official, c)) {
        return Err(AppError::NotFound(format!(
            "areas {c} is not an official province, district or subdistrict"
        )));
    }
    Ok(a)
}

fn is_official(registry: &AreaRegistry, code: &AreaCode) -> bool {
    registry.areas().iter().any(|a| a.code == *code)
}

/// Every agency of the catalogue, by code.
pub async fn list_agencies(store: &Store) -> Result<Vec<Agency>, AppError> {
    Ok(store.agencies().list().await?)
}

/// One agency.
pub async fn agency(store: &Store, code: &AgencyCode) -> Result<Agency, AppError> {
    store
        .agencies()
        .get(code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no agency {code}")))
}

/// Adds or replaces an agency (the command line: whoever runs it administers the machine);
/// whether it was added.
pub async fn save_agency(store: &Store, req: &AgencyRequest) -> Result<(Agency, bool), AppError> {
    let a = agency_of(req)?;
    let added = store.agencies().save(&a, Utc::now()).await?;
    Ok((a, added))
}

/// Adds or replaces an agency as `user`: admins only.
pub async fn save_agency_as(
    store: &Store,
    user: &User,
    req: &AgencyRequest,
) -> Result<(Agency, bool), AccessError> {
    policy::admin_only(user, "only an administrator edits the agency catalogue")?;
    Ok(save_agency(store, req).await?)
}

/// The catalogue, read at most once per `CASES_TTL` (a server forgets it when something is written
/// through it: `FiguresCache::cases_changed`): what referral pages name agencies from.
pub async fn cached_agencies(
    store: &Store,
    cache: &crate::area_figures::FiguresCache,
) -> Result<std::sync::Arc<Vec<Agency>>, AppError> {
    if let Some(a) = cache.agencies.get(&()) {
        return Ok(a);
    }
    let a = std::sync::Arc::new(store.agencies().list().await?);
    cache.agencies.insert((), a.clone());
    Ok(a)
}
