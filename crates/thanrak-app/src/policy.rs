//! The access policy: every question a role raises is answered here and nowhere else (a tidy
//! test fails when a role is matched outside this module).
//!
//! | role | households | personal data | small counts | imports into | exports | audit log |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | admin | all | shown | shown | anywhere | all | reads |
//! | analyst | none (aggregates only) | — | withheld | — | — | — |
//! | area_manager | its provinces/districts | shown | shown (it sees only its areas) | its areas | its areas | — |
//! | surveyor | its subdistricts/villages | masked | shown in its areas, withheld beyond | its areas | — | — |
//! | agency_officer | the households referred to its agency | shown while its case is accepted or in progress, else masked | withheld | — | — | — |
//!
//! Referral cases: an admin reads and moves every case; an area manager refers households of its
//! areas and reads their cases (the referring side); a surveyor reads the cases of its areas; an
//! agency officer reads and moves the cases sent to its agency (the agency's side); an analyst
//! reads none.

use thanrak_core::case::{CaseState, Party};
use thanrak_core::identity::{AgencyCode, Role, Scope, User};
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
        // An agency officer lists no households: it reads one at a time, those referred to its
        // agency ([`referral_agency`]).
        Role::AgencyOfficer => Ok(Scope::None),
    }
}

/// The agency whose referred households the user reads one by one (an agency officer's), in
/// addition to its household scope: a household with a case (in any state) at that agency.
pub fn referral_agency(user: &User) -> Option<&AgencyCode> {
    match user.role {
        Role::AgencyOfficer => user.agency.as_ref(),
        _ => None,
    }
}

/// Whether an agency officer sees the personal data of a household its agency has cases for
/// in these states: while the agency works on it (accepted or in progress), it needs to know
/// whom to visit; before it accepts, and once the case has ended, names stay masked.
pub fn referral_shows_personal_data(states: &[CaseState]) -> bool {
    states
        .iter()
        .any(|s| matches!(s, CaseState::Accepted | CaseState::InProgress))
}

/// Whether the role sees names, national ids, birth dates, house numbers and locations as they are.
pub fn sees_personal_data(role: Role) -> bool {
    matches!(role, Role::Admin | Role::AreaManager)
}

/// The households whose members `user` may see compared for likely duplicates (issue 13): the
/// households it lists (a surveyor sees the persons masked); analysts and agency officers none.
pub fn duplicate_reader(user: &User) -> Result<Scope, AccessError> {
    match user.role {
        Role::Admin | Role::AreaManager | Role::Surveyor => household_scope(user),
        Role::Analyst | Role::AgencyOfficer => Err(AccessError::Forbidden(
            "likely duplicates name persons: this role does not review them".into(),
        )),
    }
}

/// Whether `user` decides on likely duplicates (marks them, merges them) inside what it reads:
/// the roles that see personal data, since a merge cannot be decided on masked names.
pub fn reviews_duplicates(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::AreaManager)
}

/// Whether `user` corrects households on the web (issue 13): an admin anywhere, an area manager
/// or a surveyor in its areas, as they import (`import_areas`).
pub fn household_editor(user: &User) -> Result<Option<Vec<AreaCode>>, AccessError> {
    import_areas(user)
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

/// Who publishes a round (or takes it back to a draft): an admin, after checking it.
pub fn publishes_rounds(user: &User) -> Result<(), AccessError> {
    admin_only(
        user,
        "only an admin publishes a round or takes it back to a draft",
    )
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

/// The cases a user may read: those of one agency (`Some`) or of every agency, inside a scope.
pub fn case_view(user: &User) -> Result<(Option<AgencyCode>, Scope), AccessError> {
    match user.role {
        Role::Admin => Ok((None, Scope::All)),
        Role::AreaManager | Role::Surveyor => Ok((None, Scope::Areas(user.areas.clone()))),
        Role::AgencyOfficer => match &user.agency {
            Some(a) => Ok((Some(a.clone()), Scope::All)),
            None => Ok((None, Scope::None)),
        },
        Role::Analyst => Err(AccessError::Forbidden(
            "analysts see aggregates only, not referral cases".into(),
        )),
    }
}

/// The part a user plays in a case of `agency` about a household of `village`.
pub fn case_party(user: &User, agency: &AgencyCode, village: &AreaCode) -> Party {
    match user.role {
        Role::Admin => Party::Admin,
        Role::AreaManager if user.areas.iter().any(|a| village.is_within(a)) => Party::Referrer,
        Role::AgencyOfficer if user.agency.as_ref() == Some(agency) => Party::Agency,
        _ => Party::Other,
    }
}

/// Refused unless the user may refer households at all (an admin, an area manager).
pub fn refers(user: &User) -> Result<(), AccessError> {
    match user.role {
        Role::Admin | Role::AreaManager => Ok(()),
        _ => Err(AccessError::Forbidden(
            "only an admin or an area manager refers households to agencies".into(),
        )),
    }
}

/// Refused unless the user may refer households of `village` (an admin, or an area manager of
/// the village's area).
pub fn may_refer(user: &User, village: &AreaCode) -> Result<(), AccessError> {
    match user.role {
        Role::Admin => Ok(()),
        Role::AreaManager if user.areas.iter().any(|a| village.is_within(a)) => Ok(()),
        _ => Err(AccessError::Forbidden(
            "only an admin or the area manager of the household's area refers it".into(),
        )),
    }
}

/// Which households a user records help for, or reads the help of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpReach {
    /// Every household (an admin).
    Everywhere,
    /// The households inside these areas (an area manager's, a surveyor's).
    Areas(Vec<AreaCode>),
    /// The households referred to this agency (a case in any state), and only its own help
    /// (an agency officer).
    Agency(AgencyCode),
}

/// The households whose help a user may record, or why it may record none: an admin anywhere,
/// an area manager in its areas, an agency officer for the households referred to its agency
/// and in its agency's name. Surveyors and analysts record no help.
pub fn help_recorder(user: &User) -> Result<HelpReach, AccessError> {
    match (user.role, &user.agency) {
        (Role::Admin, _) => Ok(HelpReach::Everywhere),
        (Role::AreaManager, _) => Ok(HelpReach::Areas(user.areas.clone())),
        (Role::AgencyOfficer, Some(a)) => Ok(HelpReach::Agency(a.clone())),
        _ => Err(AccessError::Forbidden(
            "help given is recorded by an admin, an area manager or an officer of the agency \
             that gave it"
                .into(),
        )),
    }
}

/// The households whose help a user may read on the family profile: an admin every one, an
/// area manager or a surveyor those of its areas, an agency officer those referred to its
/// agency; an analyst none.
pub fn help_reader(user: &User) -> Result<HelpReach, AccessError> {
    match (user.role, &user.agency) {
        (Role::Admin, _) => Ok(HelpReach::Everywhere),
        (Role::AreaManager | Role::Surveyor, _) => Ok(HelpReach::Areas(user.areas.clone())),
        (Role::AgencyOfficer, Some(a)) => Ok(HelpReach::Agency(a.clone())),
        (Role::AgencyOfficer, None) => Ok(HelpReach::Areas(Vec::new())),
        (Role::Analyst, _) => Err(AccessError::Forbidden(
            "analysts see aggregates only, not a household's help".into(),
        )),
    }
}

/// What of the summed logbook of help a user reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpView {
    /// Only this agency's help (`None`: every agency's).
    pub agency: Option<AgencyCode>,
    /// Only help to households inside this scope.
    pub scope: Scope,
    /// Whether the households in need of each area are shown beside those helped (counts of
    /// households, small ones included).
    pub in_need: bool,
}

/// The summed logbook a user reads: an admin everything; an area manager or a surveyor inside
/// its areas, with the households in need; an agency officer its agency's help everywhere,
/// without the households in need (counts it may not see small); an analyst nothing yet
/// (aggregates with small cells withheld come later).
pub fn help_view(user: &User) -> Result<HelpView, AccessError> {
    match (user.role, &user.agency) {
        (Role::Admin, _) => Ok(HelpView {
            agency: None,
            scope: Scope::All,
            in_need: true,
        }),
        (Role::AreaManager | Role::Surveyor, _) => Ok(HelpView {
            agency: None,
            scope: Scope::Areas(user.areas.clone()),
            in_need: true,
        }),
        (Role::AgencyOfficer, Some(a)) => Ok(HelpView {
            agency: Some(a.clone()),
            scope: Scope::All,
            in_need: false,
        }),
        (Role::AgencyOfficer, None) => Ok(HelpView {
            agency: None,
            scope: Scope::None,
            in_need: false,
        }),
        (Role::Analyst, _) => Err(AccessError::Forbidden(
            "analysts will read the logbook of help with small counts withheld; that comes later"
                .into(),
        )),
    }
}

/// The user the command line acts as when it is not told to act as a stored one: whoever runs
/// it administers the machine (as for `thanrak import` and `thanrak user`), so an admin; id 0
/// and the name `cli`, neither of which a stored user has.
pub fn command_line_user() -> User {
    User {
        id: 0,
        name: thanrak_core::identity::UserName::parse("cli").expect("a valid user name"),
        role: Role::Admin,
        areas: Vec::new(),
        agency: None,
        disabled: false,
        created_at: chrono::DateTime::UNIX_EPOCH,
    }
}

/// The areas in which a user writes the registry of enterprises (issue 11): an admin anywhere
/// (`None`), an area manager inside its areas; no other role.
pub fn economy_writer(user: &User) -> Result<Option<Vec<AreaCode>>, AccessError> {
    match user.role {
        Role::Admin => Ok(None),
        Role::AreaManager => Ok(Some(user.areas.clone())),
        _ => Err(AccessError::Forbidden(
            "the registry of enterprises is written by an admin or an area manager".into(),
        )),
    }
}

/// Refused unless the user reads the registry of enterprises: every role does (it holds no
/// personal data); the workers matched to them are [`match_scope`]'s.
pub fn registry_reader(user: &User) -> Result<(), AccessError> {
    match user.role {
        Role::Admin | Role::AreaManager | Role::Surveyor | Role::AgencyOfficer | Role::Analyst => {
            Ok(())
        }
    }
}

/// Refused unless the user may run a match or accept its pairs in `area` (`None`: everywhere):
/// an admin anywhere, an area manager inside its areas.
pub fn may_match(user: &User, area: Option<&AreaCode>) -> Result<(), AccessError> {
    match (user.role, area) {
        (Role::Admin, _) => Ok(()),
        (Role::AreaManager, Some(a)) if user.areas.iter().any(|m| a.is_within(m)) => Ok(()),
        (Role::AreaManager, _) => Err(AccessError::Forbidden(
            "an area manager matches workers inside its own areas: choose one of them".into(),
        )),
        _ => Err(AccessError::Forbidden(
            "matches are run and accepted by an admin or an area manager".into(),
        )),
    }
}

/// The workers of match runs (households) a user reads: an admin every one, an area manager
/// or a surveyor those of its areas; agency officers and analysts read the registry only.
pub fn match_scope(user: &User) -> Result<Scope, AccessError> {
    match user.role {
        Role::Admin => Ok(Scope::All),
        Role::AreaManager | Role::Surveyor => Ok(Scope::Areas(user.areas.clone())),
        Role::AgencyOfficer | Role::Analyst => Err(AccessError::Forbidden(
            "matched workers are read by an admin, an area manager or a surveyor".into(),
        )),
    }
}

/// Refused unless the user's role runs matches at all (an admin, an area manager): told before
/// anything it sent is read.
pub fn runs_matches(user: &User) -> Result<(), AccessError> {
    match user.role {
        Role::Admin | Role::AreaManager => Ok(()),
        _ => Err(AccessError::Forbidden(
            "matches are run and accepted by an admin or an area manager".into(),
        )),
    }
}

/// Whether the user may record the hire of an accepted job match: the hire resolves the job
/// case, which is the agency's move (or an admin's), not the referring area manager's.
pub fn records_hires(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::AgencyOfficer)
}

/// Where a user writes the plans of the policy meeting — model areas and their roadmaps,
/// meetings and their action items (issue 12): an admin anywhere (`None`), an area manager (the
/// partner university) inside its areas; no other role.
pub fn plan_writer(user: &User) -> Result<Option<Vec<AreaCode>>, AccessError> {
    match user.role {
        Role::Admin => Ok(None),
        Role::AreaManager => Ok(Some(user.areas.clone())),
        _ => Err(AccessError::Forbidden(
            "model areas and meetings are recorded by an admin or an area manager".into(),
        )),
    }
}

/// The areas whose plans a user reads (empty: everywhere): area managers and surveyors their own;
/// analysts and agency officers every one (plans hold no personal data; the households an
/// activity concerns are counted, and listed only for [`household_scope`]).
pub fn plan_reader(user: &User) -> Vec<AreaCode> {
    match user.role {
        Role::AreaManager | Role::Surveyor => user.areas.clone(),
        Role::Admin | Role::Analyst | Role::AgencyOfficer => Vec::new(),
    }
}

/// Whether a user may move an action item owned by `agency` in `area`: an admin, an area
/// manager inside its areas, or an officer of the owning agency.
pub fn moves_action_item(user: &User, agency: &AgencyCode, area: &AreaCode) -> bool {
    match user.role {
        Role::Admin => true,
        Role::AreaManager => user.areas.iter().any(|a| area.is_within(a)),
        Role::AgencyOfficer => user.agency.as_ref() == Some(agency),
        Role::Analyst | Role::Surveyor => false,
    }
}

/// Refused unless the user registers partner universities: admins only.
pub fn partner_writer(user: &User) -> Result<(), AccessError> {
    admin_only(user, "partner universities are registered by an admin")
}

/// Refused unless the user's role moves action items at all (an admin, an area manager, an
/// agency officer): told before anything it sent is read.
pub fn moves_action_items(user: &User) -> Result<(), AccessError> {
    match user.role {
        Role::Admin | Role::AreaManager | Role::AgencyOfficer => Ok(()),
        Role::Analyst | Role::Surveyor => Err(AccessError::Forbidden(
            "action items are moved by their agency, an area manager or an admin".into(),
        )),
    }
}

/// Refused unless the user makes the policy-meeting report of `area`: an admin anywhere, an
/// area manager inside its areas — roles that see every count there, so the report withholds
/// nothing.
pub fn report_maker(user: &User, area: &AreaCode) -> Result<(), AccessError> {
    match user.role {
        Role::Admin => Ok(()),
        Role::AreaManager if user.areas.iter().any(|a| area.is_within(a)) => Ok(()),
        Role::AreaManager => Err(AccessError::Forbidden(format!(
            "{area} is outside your areas: an area manager reports on its own areas"
        ))),
        _ => Err(AccessError::Forbidden(
            "the policy-meeting report is made by an admin or an area manager".into(),
        )),
    }
}
