//! What the use-case test files share.

use thanrak_app::access::{self, UserRequest};
use thanrak_store::{Store, User};

/// Adds a user with `role` over `areas` (its password is never used).
pub async fn user(store: &Store, name: &str, role: &str, areas: &[&str]) -> User {
    officer(store, name, role, areas, None).await
}

/// Adds a user with `role` over `areas`, of `agency` when given.
pub async fn officer(
    store: &Store,
    name: &str,
    role: &str,
    areas: &[&str],
    agency: Option<&str>,
) -> User {
    let spec = access::check_user(&UserRequest {
        name: name.into(),
        role: role.into(),
        areas: areas.iter().map(|a| a.to_string()).collect(),
        agency: agency.map(str::to_string),
    })
    .unwrap();
    access::add_user(store, spec, "$argon2id$not-used".into())
        .await
        .unwrap()
}
