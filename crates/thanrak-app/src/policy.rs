//! The access policy: every question a role raises is answered here and nowhere else (a tidy
//! test fails when a role is matched outside this module).
//!
//! | role | households | personal data | small counts | imports into | exports | audit log |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | admin | all | shown | shown | anywhere | all | reads |
//! | analyst | none (aggregates only) | — | withheld | — | — | — |
//! | area_manager | its provinces/districts | shown | shown (it sees only its areas) | its areas | its areas | — |
//! | surveyor | its subdistricts/villages | masked | shown in its areas, withheld beyond | its areas | — | — |
//! | agency_officer | the households referred to its agency | masked | withheld | — | — | — |

use thanrak_core::identity::{Role, Scope, User};
use thanrak_core::{AreaCode, AreaLevel};

use crate::access::AccessError;

/// The households a user may read, or why it may read none.
pub fn household_scope(user: &User) -> Result<Scope, AccessError> {
    match user.role {
        Role::Admin => Ok(Scope::All),
        Role::Analyst => Err(AccessError::Forbidden(
            "analysts see aggregates only, not households or members".into(),
        )),
        Role::AreaManager | Role::Surveyor if !user.areas.is_empty() => {
            Ok(Scope::Areas(user.areas.clone()))
        }
        Role::AreaManager | Role::Surveyor => Ok(Scope::None),
        Role::AgencyOfficer => Ok(referred_households(user)),
    }
}

/// The households referred to the user's agency: an agency officer's whole view of households.
/// Nothing until referrals between agencies are recorded (the referral issue fills this in from
/// the agency's open cases); every other role has no referral view.
pub fn referred_households(_user: &User) -> Scope {
    Scope::None
}

/// Whether the role sees names, national ids, birth dates, house numbers and locations as they are.
pub fn sees_personal_data(role: Role) -> bool {
    matches!(role, Role::Admin | Role::AreaManager)
}

/// The areas whose small counts `user` sees, when it may not see them everywhere it may look:
/// `None` for roles that see every count they can reach.
pub fn small_counts_seen_in(user: &User) -> Option<Vec<AreaCode>> {
    match user.role {
        Role::Admin | Role::AreaManager => None,
        Role::Surveyor => Some(user.areas.clone()),
        Role::Analyst | Role::AgencyOfficer => Some(Vec::new()),
    }
}

/// The areas a user's figures are kept inside (an area manager's own; empty: no limit).
pub fn figure_home(user: &User) -> Vec<AreaCode> {
    match user.role {
        Role::AreaManager => user.areas.clone(),
        _ => Vec::new(),
    }
}

/// The area whose figures a user sees when it asks for `asked`: an area manager stays inside
/// its areas (another area is "not found") and starts at its first; a surveyor starts at its
/// own area but may look beyond it (small counts withheld there); others see what they ask.
pub fn figure_area(user: &User, asked: Option<AreaCode>) -> Result<Option<AreaCode>, AccessError> {
    let home = figure_home(user);
    Ok(match (user.role, asked) {
        (Role::AreaManager, None) => Some(
            *home
                .first()
                .ok_or_else(|| AccessError::Forbidden("this area manager has no areas".into()))?,
        ),
        (Role::AreaManager, Some(a)) if !home.iter().any(|h| a.is_within(h)) => {
            return Err(
                crate::AppError::NotFound(format!("there is no area {a} among yours")).into(),
            )
        }
        (Role::Surveyor, None) => user.areas.first().copied(),
        (_, a) => a,
    })
}

/// The areas `user` may import into (`None`: anywhere), or why it may not import.
pub fn import_areas(user: &User) -> Result<Option<Vec<AreaCode>>, AccessError> {
    match user.role {
        Role::Admin => Ok(None),
        Role::AreaManager | Role::Surveyor => Ok(Some(user.areas.clone())),
        Role::Analyst | Role::AgencyOfficer => Err(AccessError::Forbidden(
            "only admins, area managers and surveyors import data".into(),
        )),
    }
}

/// The households whose personal data `user` may download, or why it may download none.
pub fn export_scope(user: &User) -> Result<Scope, AccessError> {
    if !sees_personal_data(user.role) {
        return Err(AccessError::Forbidden(
            "an export holds names and national ids: this role may not download one".into(),
        ));
    }
    household_scope(user)
}

/// Whether the user administers the system (users, tokens, the audit log).
pub fn is_admin(user: &User) -> bool {
    user.role == Role::Admin
}

/// Whether the user sees every user's jobs (others see their own).
pub fn sees_every_job(user: &User) -> bool {
    is_admin(user)
}

/// Refused with `message` unless the user is an admin.
pub fn admin_only(user: &User, message: &str) -> Result<(), AccessError> {
    if is_admin(user) {
        Ok(())
    } else {
        Err(AccessError::Forbidden(message.into()))
    }
}

/// Whether an area of this level may be given to a user of `role`, or why not.
pub fn area_fits_role(role: Role, code: &AreaCode) -> Result<(), String> {
    match role {
        Role::AreaManager if matches!(code.level(), AreaLevel::Province | AreaLevel::District) => {
            Ok(())
        }
        Role::Surveyor if matches!(code.level(), AreaLevel::Subdistrict | AreaLevel::Village) => {
            Ok(())
        }
        Role::AreaManager => Err(format!(
            "an area manager is given provinces or districts; {code} is a {}",
            code.level()
        )),
        Role::Surveyor => Err(format!(
            "a surveyor is given subdistricts or villages; {code} is a {}",
            code.level()
        )),
        r => Err(format!("a user with role {r} has no areas")),
    }
}

/// Whether a role needs areas, and whether it has an agency, fit; or why not.
pub fn role_fits(role: Role, has_areas: bool, has_agency: bool) -> Result<(), String> {
    if matches!(role, Role::AreaManager | Role::Surveyor) && !has_areas {
        return Err(format!(
            "a user with role {role} needs at least one area (--area CODE)"
        ));
    }
    match (role, has_agency) {
        (Role::AgencyOfficer, false) => {
            Err("an agency officer needs an agency (--agency CODE)".into())
        }
        (Role::AgencyOfficer, true) | (_, false) => Ok(()),
        (r, true) => Err(format!(
            "only an agency officer has an agency, not a user with role {r}"
        )),
    }
}
