//! Access to personal data (Thailand's PDPA): which households a user may see, what is masked,
//! and the audit log of every unmasked view; plus the account use cases shared by the CLI and web.
//!
//! The rules, in one place:
//!
//! | role | households | personal data |
//! | --- | --- | --- |
//! | admin | all | shown |
//! | analyst | none: household and member reads are refused (aggregates only) | — |
//! | area_manager | inside its provinces / districts | shown |
//! | surveyor | inside its subdistricts / villages | masked |
//! | agency_officer | none yet (referrals come later) | masked |
//!
//! The area filter itself is applied by the store ([`Scope`]), so a use case cannot forget it; a
//! household outside the scope is "not found", never "forbidden", so that ids cannot be probed.
//! Passwords and tokens are hashed by the caller: this crate sees only their digests.

use chrono::{DateTime, Utc};
use thanrak_core::household::Relation;
use thanrak_core::{AreaCode, AreaLevel, AreaRegistry, Household, HouseholdId, Member, RoundLabel};
use thanrak_store::{
    AgencyCode, ApiTokenInfo, AuditEntry, NewAuditEntry, NewUser, Role, Scope, Store, StoreError,
    User, UserName,
};

use crate::audit::AuditLog;
use crate::AppError;

/// The most items one page of a list may hold.
pub const MAX_PER_PAGE: u32 = 500;

/// The last page number a list accepts (a million pages of 500 is more than any list holds).
pub const MAX_PAGE: u32 = 1_000_000;
/// The page size when none is asked for.
pub const DEFAULT_PER_PAGE: u32 = 50;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// What went wrong in an access use case.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The user's role may not do this at all (as opposed to an item outside its areas, which
    /// is [`AppError::NotFound`]).
    #[error("{0}")]
    Forbidden(String),
    /// The user has done this too often lately; it may try again after `retry_after_secs`.
    #[error("{message}")]
    Throttled {
        /// Seconds until the user may try again.
        retry_after_secs: u64,
        /// What was refused and why, for the user.
        message: String,
    },
    /// Any other failure of a use case.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for AccessError {
    fn from(e: StoreError) -> Self {
        AccessError::App(AppError::Store(e))
    }
}

/// Which page of a list to return: `page` counts from 1, `per_page` is 1 to [`MAX_PER_PAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    page: u32,
    per_page: u32,
}

impl Paging {
    /// Checks the bounds; a missing value takes its default (page 1, [`DEFAULT_PER_PAGE`]).
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Result<Paging, AppError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 || page > MAX_PAGE {
            return Err(AppError::Invalid(format!(
                "page counts from 1 to {MAX_PAGE}"
            )));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(AppError::Invalid(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        Ok(Paging { page, per_page })
    }

    /// The page number, from 1.
    pub fn page(&self) -> u32 {
        self.page
    }

    /// The page size.
    pub fn per_page(&self) -> u32 {
        self.per_page
    }

    /// How many items come before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

/// One page of a list and the size of the whole list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u32,
    /// The page size asked for.
    pub per_page: u32,
    /// Items in the whole list.
    pub total: u64,
}

impl<T> Page<T> {
    /// The page of a list held whole in memory.
    pub fn of(all: Vec<T>, paging: Paging) -> Page<T> {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
            .take(paging.per_page as usize)
            .collect();
        Page {
            items,
            page: paging.page,
            per_page: paging.per_page,
            total,
        }
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }
}

pub use crate::policy::{household_scope, sees_personal_data};

/// A name as shown to a role that may not see it: its first letter and `***`.
pub fn mask_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(c) => format!("{c}***"),
        None => "***".into(),
    }
}

/// A household as a user may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdView {
    /// The record; when masked, the house number is `***` and the location is removed.
    pub household: Household,
    /// The head's name (first and last), masked for roles that may not see it.
    pub head_name: Option<String>,
    /// The number of members.
    pub members: usize,
    /// Whether personal fields were masked.
    pub masked: bool,
}

/// A member as a user may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberView {
    /// The record; when masked, the names are replaced by the masked name, and the national id
    /// and the birth date are removed.
    pub member: Member,
    /// The national id: its 13 digits, or the masked form that shows the last three.
    pub national_id: Option<String>,
    /// Age in completed years at the survey date.
    pub age: Option<i32>,
}

/// One household with its members, as a user may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdDetail {
    /// The household.
    pub household: HouseholdView,
    /// Its members, by number.
    pub members: Vec<MemberView>,
}

fn mask_household(mut h: Household, masked: bool) -> Household {
    if masked {
        if !h.house_no.is_empty() {
            h.house_no = "***".into();
        }
        h.location = None;
    }
    h
}

fn member_view(mut m: Member, survey_date: chrono::NaiveDate, masked: bool) -> MemberView {
    let age = m.age_at(survey_date);
    let national_id = m
        .national_id
        .map(|id| if masked { id.masked() } else { id.digits() });
    if masked {
        m.first_name = mask_name(&m.first_name);
        m.last_name = String::new();
        m.national_id = None;
        m.birth_date = None;
    }
    MemberView {
        member: m,
        national_id,
        age,
    }
}

fn full_name(m: &Member) -> String {
    join_name(&m.first_name, &m.last_name)
}

fn join_name(first: &str, last: &str) -> String {
    if last.is_empty() {
        first.to_string()
    } else {
        format!("{first} {last}")
    }
}

fn household_view(h: Household, members: &[Member], masked: bool) -> HouseholdView {
    let head = members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(members.first());
    HouseholdView {
        head_name: head.map(|m| {
            if masked {
                mask_name(&m.first_name)
            } else {
                full_name(m)
            }
        }),
        members: members.len(),
        household: mask_household(h, masked),
        masked,
    }
}

/// The answer for a household of `round` that does not exist, that the user may not see, or
/// whose id `id` cannot exist: the same words for the three, so that guessing ids tells nothing.
/// The edges answer a malformed id with it before they call [`household_detail`].
pub fn no_such_household(round: &RoundLabel, id: &str) -> AppError {
    AppError::NotFound(format!("there is no household {id} in round {round}"))
}

/// Writes a view of the personal data of households `ids` of `round` by `user` to the audit log.
pub(crate) async fn audit(
    log: &AuditLog,
    user: &User,
    action: &str,
    round: &str,
    ids: Vec<String>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    log.append(NewAuditEntry {
        at: now,
        user_id: user.id,
        user_name: user.name.to_string(),
        action: action.to_string(),
        round: Some(round.to_string()),
        household_ids: ids,
    })
    .await
}

/// A page of the households of `round` that `user` may see, inside `area` when given, by
/// village then household id. A page that shows personal data unmasked is written to the audit
/// log under `action` (what was asked, such as the request line) before it is returned; if the
/// log cannot be written, nothing is returned.
pub async fn list_households(
    store: &Store,
    log: &AuditLog,
    user: &User,
    round: &RoundLabel,
    area: Option<&AreaCode>,
    paging: Paging,
    action: &str,
) -> Result<Page<HouseholdView>, AccessError> {
    let scope = household_scope(user)?;
    let (listed, total) = store
        .registry()
        .scoped_household_list(
            &scope,
            round,
            area,
            paging.offset(),
            u64::from(paging.per_page),
        )
        .await?;
    if listed.is_empty() {
        // Nothing listed: say so if it is because the round does not exist.
        crate::ensure_round(store, round).await?;
    }
    let masked = !sees_personal_data(user.role);
    if !masked && !listed.is_empty() {
        let ids = listed
            .iter()
            .map(|l| l.household.household_id.to_string())
            .collect();
        audit(log, user, action, round.as_str(), ids, Utc::now()).await?;
    }
    let items = listed
        .into_iter()
        .map(|l| HouseholdView {
            head_name: (l.members > 0).then(|| {
                if masked {
                    mask_name(&l.head_first_name)
                } else {
                    join_name(&l.head_first_name, &l.head_last_name)
                }
            }),
            members: l.members,
            household: mask_household(l.household, masked),
            masked,
        })
        .collect();
    Ok(Page {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    })
}

/// The scope in which `user` reads household `id`, and whether its personal data is masked: the
/// user's household scope and role; for an agency officer, the household alone when its agency
/// has a case for it (unmasked while the case is accepted or in progress), else nothing.
pub(crate) async fn household_reading(
    store: &Store,
    user: &User,
    id: &HouseholdId,
) -> Result<(Scope, bool), AccessError> {
    let scope = household_scope(user)?;
    let masked = !sees_personal_data(user.role);
    let Some(agency) = crate::policy::referral_agency(user) else {
        return Ok((scope, masked));
    };
    let states: Vec<_> = store
        .cases()
        .of_household(id)
        .await?
        .into_iter()
        .filter(|c| c.new.agency == *agency)
        .map(|c| c.state)
        .collect();
    if states.is_empty() {
        return Ok((scope, masked));
    }
    Ok((
        Scope::All,
        !crate::policy::referral_shows_personal_data(&states),
    ))
}

/// One household of `round` with its members, if `user` may see it. A household outside the
/// user's areas is [`AppError::NotFound`], like one that does not exist ([`no_such_household`]).
/// An unmasked view is written to the audit log under `action` first; if the log cannot be
/// written, nothing is shown.
pub async fn household_detail(
    store: &Store,
    log: &AuditLog,
    user: &User,
    round: &RoundLabel,
    id: &HouseholdId,
    action: &str,
) -> Result<HouseholdDetail, AccessError> {
    let (scope, masked) = household_reading(store, user, id).await?;
    crate::ensure_round(store, round).await?;
    let household = match store.registry().scoped_household(&scope, round, id).await {
        Ok(h) => h,
        Err(StoreError::NotFound(_)) => return Err(no_such_household(round, id.as_str()).into()),
        Err(e) => return Err(e.into()),
    };
    let members = store
        .registry()
        .scoped_members(&scope, round, std::slice::from_ref(id))
        .await?;
    if !masked {
        audit(
            log,
            user,
            action,
            round.as_str(),
            vec![id.to_string()],
            Utc::now(),
        )
        .await?;
    }
    let survey_date = household.survey_date;
    Ok(HouseholdDetail {
        household: household_view(household, &members, masked),
        members: members
            .into_iter()
            .map(|m| member_view(m, survey_date, masked))
            .collect(),
    })
}

/// A page of the audit log, newest first: for admins only.
pub async fn audit_log(
    store: &Store,
    user: &User,
    paging: Paging,
) -> Result<Page<AuditEntry>, AccessError> {
    crate::policy::admin_only(user, "only an admin may read the audit log")?;
    let (items, total) = store
        .audit()
        .entries(paging.offset(), u64::from(paging.per_page))
        .await?;
    Ok(Page {
        items,
        page: paging.page,
        per_page: paging.per_page,
        total,
    })
}

/// A user to create, as typed on the command line or in a form.
#[derive(Debug, Clone, Default)]
pub struct UserRequest {
    /// The login name.
    pub name: String,
    /// The role code (`admin`, `analyst`, `area_manager`, `surveyor`, `agency_officer`).
    pub role: String,
    /// Area codes: provinces or districts of an area manager, subdistricts or villages of a
    /// surveyor.
    pub areas: Vec<String>,
    /// The agency code of an agency officer.
    pub agency: Option<String>,
}

/// A checked user request: everything but the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    /// The login name.
    pub name: UserName,
    /// The role.
    pub role: Role,
    /// The areas.
    pub areas: Vec<AreaCode>,
    /// The agency.
    pub agency: Option<AgencyCode>,
}

/// Checks that a request's name, role, areas and agency are valid and fit together.
pub fn check_user(req: &UserRequest) -> Result<UserSpec, AppError> {
    let name = UserName::parse(&req.name)
        .map_err(|e| AppError::Invalid(format!("user name {:?} {e}", req.name)))?;
    let role = Role::parse(&req.role).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        AppError::Invalid(format!(
            "unknown role {:?}: use one of {}",
            req.role,
            roles.join(", ")
        ))
    })?;
    let registry = AreaRegistry::official();
    let mut areas = Vec::new();
    for a in &req.areas {
        let code = AreaCode::parse(a).map_err(|e| AppError::Invalid(format!("area {a:?} {e}")))?;
        let known = match code.level() {
            AreaLevel::Village => registry.village(a).is_ok(),
            _ => registry.get(&code).is_some(),
        };
        if !known {
            return Err(AppError::Invalid(format!("{a} is not a known area code")));
        }
        crate::policy::area_fits_role(role, &code).map_err(AppError::Invalid)?;
        areas.push(code);
    }
    let agency = req
        .agency
        .as_deref()
        .map(|a| AgencyCode::parse(a).map_err(|e| AppError::Invalid(format!("agency {a:?} {e}"))))
        .transpose()?;
    crate::policy::role_fits(role, !areas.is_empty(), agency.is_some())
        .map_err(AppError::Invalid)?;
    Ok(UserSpec {
        name,
        role,
        areas,
        agency,
    })
}

/// Refuses a password that is too short to resist guessing.
pub fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// Creates a user from a checked spec and the argon2 PHC string of its password.
pub async fn add_user(
    store: &Store,
    spec: UserSpec,
    password_hash: String,
) -> Result<User, AppError> {
    let new = NewUser {
        name: spec.name,
        password_hash,
        role: spec.role,
        areas: spec.areas,
        agency: spec.agency,
    };
    store
        .accounts()
        .create_user(&new, Utc::now())
        .await
        .map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Invalid(m),
            e => AppError::Store(e),
        })
}

/// Every user, by name.
pub async fn list_users(store: &Store) -> Result<Vec<User>, AppError> {
    Ok(store.accounts().users().await?)
}

fn parse_user_name(name: &str) -> Result<UserName, AppError> {
    UserName::parse(name).map_err(|e| AppError::Invalid(format!("user name {name:?} {e}")))
}

/// Disables a user: it can no longer log in, its sessions end and its API tokens are refused.
pub async fn disable_user(store: &Store, name: &str) -> Result<User, AppError> {
    let name = parse_user_name(name)?;
    match store.accounts().set_user_disabled(&name, true).await {
        Err(StoreError::NotFound(_)) => Err(AppError::NotFound(format!("there is no user {name}"))),
        r => Ok(r?),
    }
}

/// Enables a disabled user again.
pub async fn enable_user(store: &Store, name: &str) -> Result<User, AppError> {
    let name = parse_user_name(name)?;
    match store.accounts().set_user_disabled(&name, false).await {
        Err(StoreError::NotFound(_)) => Err(AppError::NotFound(format!("there is no user {name}"))),
        r => Ok(r?),
    }
}

/// Gives a user other areas and agency, checked against its role like a new user's
/// ([`check_user`]); its sessions end so that the new scope applies at once.
pub async fn set_user_scope(
    store: &Store,
    name: &str,
    areas: Vec<String>,
    agency: Option<String>,
) -> Result<User, AppError> {
    let user_name = parse_user_name(name)?;
    let user = match store.accounts().user(&user_name).await {
        Err(StoreError::NotFound(_)) => {
            return Err(AppError::NotFound(format!("there is no user {user_name}")))
        }
        r => r?,
    };
    let spec = check_user(&UserRequest {
        name: name.to_string(),
        role: user.role.as_str().to_string(),
        areas,
        agency,
    })?;
    Ok(store
        .accounts()
        .set_user_scope(&spec.name, &spec.areas, spec.agency.as_ref())
        .await?)
}

/// How long a password-reset code stays good.
pub const RESET_CODE_HOURS: i64 = 24;

/// Keeps the digest of a one-time password-reset code for `name` (the caller makes the code
/// and hands it over — never by e-mail); it is good for [`RESET_CODE_HOURS`]. Returns the user
/// and when the code expires.
pub async fn set_password_reset(
    store: &Store,
    name: &str,
    code_hash: &str,
) -> Result<(User, chrono::DateTime<Utc>), AppError> {
    let name = parse_user_name(name)?;
    let expires = Utc::now() + chrono::Duration::hours(RESET_CODE_HOURS);
    match store
        .accounts()
        .set_password_reset(&name, code_hash, expires)
        .await
    {
        Err(StoreError::NotFound(_)) => Err(AppError::NotFound(format!("there is no user {name}"))),
        r => Ok((r?, expires)),
    }
}

/// Sets a new password with a reset code: refused (one message for every reason, so that it
/// tells nothing of the accounts) unless `name` has a live code with this digest.
pub async fn use_password_reset(
    store: &Store,
    name: &str,
    code_hash: &str,
    password_hash: &str,
) -> Result<(), AppError> {
    let refused =
        || AppError::Invalid("the name or the reset code is wrong, or the code has expired".into());
    let Ok(name) = UserName::parse(name) else {
        return Err(refused());
    };
    if store
        .accounts()
        .use_password_reset(&name, code_hash, password_hash, Utc::now())
        .await?
    {
        Ok(())
    } else {
        Err(refused())
    }
}

/// Stores a new API token (by its digest) for an enabled user; returns the user.
pub async fn add_api_token(store: &Store, name: &str, token_hash: &str) -> Result<User, AppError> {
    let name = parse_user_name(name)?;
    let user = match store.accounts().user(&name).await {
        Err(StoreError::NotFound(_)) => {
            return Err(AppError::NotFound(format!("there is no user {name}")))
        }
        r => r?,
    };
    if user.disabled {
        return Err(AppError::Invalid(format!("user {name} is disabled")));
    }
    store
        .accounts()
        .create_api_token(user.id, token_hash, Utc::now())
        .await?;
    Ok(user)
}

/// The API tokens of the user named `name`, or of every user (never the tokens themselves).
pub async fn list_api_tokens(
    store: &Store,
    name: Option<&str>,
) -> Result<Vec<ApiTokenInfo>, AppError> {
    if let Some(name) = name {
        let name = parse_user_name(name)?;
        if let Err(StoreError::NotFound(_)) = store.accounts().user(&name).await {
            return Err(AppError::NotFound(format!("there is no user {name}")));
        }
        return Ok(store.accounts().api_tokens(Some(name.as_str())).await?);
    }
    Ok(store.accounts().api_tokens(None).await?)
}

/// Revokes one API token (its user and other tokens stay); returns its digest, for a server to
/// forget it at once.
pub async fn revoke_api_token(store: &Store, id: i64) -> Result<String, AppError> {
    match store.accounts().delete_api_token(id).await {
        Err(StoreError::NotFound(_)) => {
            Err(AppError::NotFound(format!("there is no API token {id}")))
        }
        r => Ok(r?),
    }
}

/// [`list_api_tokens`] of every user, for an admin.
pub async fn api_tokens_for(store: &Store, user: &User) -> Result<Vec<ApiTokenInfo>, AccessError> {
    crate::policy::admin_only(user, "only an admin may see API tokens")?;
    Ok(list_api_tokens(store, None).await?)
}

/// [`revoke_api_token`], for an admin.
pub async fn revoke_api_token_for(
    store: &Store,
    user: &User,
    id: i64,
) -> Result<String, AccessError> {
    crate::policy::admin_only(user, "only an admin may revoke API tokens")?;
    Ok(revoke_api_token(store, id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, role: &str, areas: &[&str], agency: Option<&str>) -> UserRequest {
        UserRequest {
            name: name.into(),
            role: role.into(),
            areas: areas.iter().map(|a| a.to_string()).collect(),
            agency: agency.map(str::to_string),
        }
    }

    #[test]
    fn paging_bounds() {
        assert!(Paging::new(Some(0), None).is_err());
        assert!(Paging::new(None, Some(0)).is_err());
        assert!(Paging::new(None, Some(501)).is_err());
        let p = Paging::new(Some(3), Some(500)).unwrap();
        assert_eq!(p.offset(), 1000);
        let d = Paging::new(None, None).unwrap();
        assert_eq!(
            (d.page(), d.per_page(), d.offset()),
            (1, DEFAULT_PER_PAGE, 0)
        );
        let page = Page::of(
            (0..7).collect::<Vec<_>>(),
            Paging::new(Some(2), Some(3)).unwrap(),
        );
        assert_eq!((page.items, page.total), (vec![3, 4, 5], 7));
        let past = Page::of(
            (0..7).collect::<Vec<_>>(),
            Paging::new(Some(9), Some(3)).unwrap(),
        );
        assert!(past.items.is_empty());
    }

    #[test]
    fn names_are_masked_to_their_initial() {
        assert_eq!(mask_name("สมชาย"), "ส***");
        assert_eq!(mask_name(" Malee"), "M***");
        assert_eq!(mask_name(""), "***");
    }

    #[test]
    fn roles_areas_and_agencies_must_fit() {
        assert!(check_user(&req("a", "admin", &[], None)).is_ok());
        let m = check_user(&req("Lampang", "area-manager", &["52", "4501"], None)).unwrap();
        assert_eq!(m.name.as_str(), "lampang");
        assert_eq!(m.role, Role::AreaManager);
        assert!(check_user(&req("s", "surveyor", &["520101", "52010102"], None)).is_ok());
        assert!(check_user(&req("o", "agency_officer", &[], Some("codi"))).is_ok());
        for bad in [
            req("m", "area_manager", &[], None),
            req("m", "area_manager", &["520101"], None),
            req("m", "area_manager", &["99"], None),
            req("s", "surveyor", &["52"], None),
            req("s", "surveyor", &["99999901"], None),
            req("a", "analyst", &["52"], None),
            req("o", "agency_officer", &[], None),
            req("a", "admin", &[], Some("codi")),
            req("a b", "admin", &[], None),
            req("a", "king", &[], None),
        ] {
            assert!(check_user(&bad).is_err(), "{bad:?}");
        }
        assert!(check_password("short").is_err());
        assert!(check_password("long enough pw").is_ok());
    }
}
