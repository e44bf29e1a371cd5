//! The official areas (and the villages the data named), for pickers and the areas API.

use thanrak_core::identity::User;
use thanrak_core::{Area, AreaCode, AreaRegistry};
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

/// Whether a picker shows `area` to a user of `areas` (none: everywhere): an area inside one of
/// them, or one that leads to one of them (Lampang for a user of a district of Lampang).
pub fn concerns(area: &AreaCode, areas: &[AreaCode]) -> bool {
    areas.is_empty() || areas.iter().any(|u| area.is_within(u) || u.is_within(area))
}

/// [`child_areas`] as a picker shows them to `user`: only those that [`concerns`] its areas.
pub async fn child_areas_for(
    store: &Store,
    user: &User,
    parent: Option<&AreaCode>,
) -> Result<Vec<Area>, AppError> {
    let mut areas = child_areas(store, parent).await?;
    areas.retain(|a| concerns(&a.code, &user.areas));
    Ok(areas)
}

/// The most areas a name search gives.
pub const SEARCH_LIMIT: usize = 30;

/// The official areas (provinces, districts, subdistricts) whose Thai or English name holds
/// `text`, best first ([`AreaRegistry::search`]), inside `parent` when given, and when `mine`
/// only those that concern `user`'s areas.
pub fn search_areas(user: &User, text: &str, parent: Option<&AreaCode>, mine: bool) -> Vec<Area> {
    AreaRegistry::official()
        .search(text, SEARCH_LIMIT, |c| {
            parent.is_none_or(|p| c.is_within(p) && c != p) && (!mine || concerns(c, &user.areas))
        })
        .into_iter()
        .cloned()
        .collect()
}

/// The names of the areas enclosing `code`, nearest first, in Thai with their short prefixes
/// ("ต.บ้านเป้า อ.เมืองลำปาง จ.ลำปาง") and in English ("Ban Pao, Mueang Lampang, Lampang").
pub fn within_names(code: &AreaCode) -> (String, String) {
    let mut th = Vec::new();
    let mut en = Vec::new();
    for c in std::iter::successors(code.parent(), AreaCode::parent) {
        let (t, e) = crate::scoring::area_names(&c);
        let prefix = match c.level() {
            thanrak_core::AreaLevel::Province => "จ.",
            thanrak_core::AreaLevel::District => "อ.",
            thanrak_core::AreaLevel::Subdistrict => "ต.",
            thanrak_core::AreaLevel::Village => "",
        };
        th.push(format!("{prefix}{t}"));
        en.push(e);
    }
    (th.join(" "), en.join(", "))
}
