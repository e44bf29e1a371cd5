//! The official areas (and the villages the data named), for pickers and the areas API.

use thanrak_core::{Area, AreaCode};
use thanrak_store::Store;

use crate::AppError;

/// One official area (or a village the data named) by code.
pub async fn area(store: &Store, code: &AreaCode) -> Result<Area, AppError> {
    Ok(store.registry().area(code).await?)
}

/// The areas directly inside `parent` (the provinces without one); a parent that does not
/// exist is "not found".
pub async fn child_areas(store: &Store, parent: Option<&AreaCode>) -> Result<Vec<Area>, AppError> {
    if let Some(p) = parent {
        store.registry().area(p).await?;
    }
    Ok(store.registry().child_areas(parent).await?)
}
