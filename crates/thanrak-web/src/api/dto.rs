//! The API's JSON shapes: the core's types know nothing of JSON, so they are converted here.

use serde::Serialize;
use thanrak_app::access::{HouseholdDetail, HouseholdView, MemberView, Page};
use thanrak_app::db::{AuditEntry, RoundSummary};
use thanrak_core::identity::User;
use thanrak_core::{Area, AreaCode};
use utoipa::ToSchema;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageDto<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The page, from 1.
    pub page: u32,
    /// Items per page asked for.
    pub per_page: u32,
    /// Items in the whole list.
    pub total: u64,
}

impl<T> PageDto<T> {
    /// Converts each item of an application page.
    pub fn from_page<U>(page: Page<U>, f: impl FnMut(U) -> T) -> PageDto<T> {
        let page = page.map(f);
        PageDto {
            items: page.items,
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        }
    }
}

/// An area: province (2 digits), district (4), subdistrict (6) or village (8).
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaDto {
    /// The code.
    #[schema(example = "52")]
    pub code: String,
    /// `province`, `district`, `subdistrict` or `village`.
    #[schema(example = "province")]
    pub level: &'static str,
    /// The enclosing area's code (none for a province).
    pub parent: Option<String>,
    /// Thai name.
    #[schema(example = "ลำปาง")]
    pub name_th: String,
    /// English name.
    #[schema(example = "Lampang")]
    pub name_en: String,
    /// Postal code (subdistricts).
    pub postcode: Option<String>,
    /// The enclosing areas' Thai names, nearest first (empty for a province).
    #[schema(example = "อ.เมืองลำปาง จ.ลำปาง")]
    pub within_th: String,
    /// The enclosing areas' English names, nearest first.
    #[schema(example = "Mueang Lampang, Lampang")]
    pub within_en: String,
}

impl From<Area> for AreaDto {
    fn from(a: Area) -> Self {
        let (within_th, within_en) = thanrak_app::areas::within_names(&a.code);
        AreaDto {
            within_th,
            within_en,
            code: a.code.to_string(),
            level: a.level().as_str(),
            parent: a.code.parent().as_ref().map(AreaCode::to_string),
            name_th: a.name_th,
            name_en: a.name_en,
            postcode: a.postcode,
        }
    }
}

/// A survey round with its size.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDto {
    /// The label.
    #[schema(example = "2568-1")]
    pub label: String,
    /// The earliest survey date (YYYY-MM-DD, Common Era).
    pub first_survey_date: Option<String>,
    /// The latest survey date.
    pub last_survey_date: Option<String>,
    /// Households in the round.
    pub households: i64,
    /// Members in the round.
    pub members: i64,
    /// When the round was last loaded (RFC 3339).
    pub last_loaded_at: String,
    /// `draft` (loaded, not yet checked and published by an admin) or `published`; pages and
    /// figures open on the latest published round.
    #[schema(example = "published")]
    pub state: &'static str,
    /// Who published it (absent for a draft; empty for rounds published before this was kept).
    pub published_by: Option<String>,
}

impl From<RoundSummary> for RoundDto {
    fn from(r: RoundSummary) -> Self {
        RoundDto {
            label: r.label.to_string(),
            first_survey_date: r.first_survey_date.map(|d| d.to_string()),
            last_survey_date: r.last_survey_date.map(|d| d.to_string()),
            households: r.households,
            members: r.members,
            last_loaded_at: r.last_loaded_at.to_rfc3339(),
            state: if r.published.is_some() {
                "published"
            } else {
                "draft"
            },
            published_by: r.published.map(|(by, _)| by),
        }
    }
}

/// A household in one round. For roles that may not see personal data, `house_no` is `***`,
/// `location` is absent and `head_name` is the initial of the head's first name.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdDto {
    /// Stable id across rounds.
    pub household_id: String,
    /// The survey round.
    pub round: String,
    /// Day of the interview (YYYY-MM-DD).
    pub survey_date: String,
    /// The village (8 digits).
    pub village_code: String,
    /// House number.
    pub house_no: String,
    /// Latitude and longitude (WGS84).
    pub location: Option<LocationDto>,
    /// The head's name.
    pub head_name: Option<String>,
    /// Number of members.
    pub members: usize,
    /// Whether personal fields are masked.
    pub masked: bool,
    /// `own`, `rent`, `rent_free`, `public_land` or `none`.
    pub housing_tenure: &'static str,
    /// `stable`, `needs_repair`, `dilapidated` or `temporary`.
    pub housing_condition: &'static str,
    /// Enough safe drinking water all year.
    pub drinking_water_ok: bool,
    /// Enough water for use all year.
    pub water_use_ok: bool,
    /// Has electricity.
    pub electricity: bool,
    /// Has a sanitary toilet.
    pub sanitary_toilet: bool,
    /// Farm land, rai.
    pub farm_land_rai: f64,
    /// `own`, `rent` or `none`.
    pub land_tenure: &'static str,
    /// Uses natural resources for a living.
    pub natural_resource_use: bool,
    /// Lives in a disaster-risk area.
    pub disaster_risk: bool,
    /// Savings, baht.
    pub savings_thb: f64,
    /// Debt to banks, cooperatives and funds, baht.
    pub debt_formal_thb: f64,
    /// Debt to moneylenders and others, baht.
    pub debt_informal_thb: f64,
    /// Transfers received per year, baht.
    pub transfers_thb_year: f64,
    /// Community groups the household belongs to.
    pub group_memberships: u32,
    /// Receives help from the community.
    pub receives_community_help: bool,
}

/// A point in WGS84.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationDto {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

impl From<HouseholdView> for HouseholdDto {
    fn from(v: HouseholdView) -> Self {
        let h = v.household;
        HouseholdDto {
            household_id: h.household_id.to_string(),
            round: h.round.to_string(),
            survey_date: h.survey_date.to_string(),
            village_code: h.village_code.to_string(),
            house_no: h.house_no,
            location: h.location.map(|(lat, lon)| LocationDto { lat, lon }),
            head_name: v.head_name,
            members: v.members,
            masked: v.masked,
            housing_tenure: h.housing_tenure.as_str(),
            housing_condition: h.housing_condition.as_str(),
            drinking_water_ok: h.drinking_water_ok,
            water_use_ok: h.water_use_ok,
            electricity: h.electricity,
            sanitary_toilet: h.sanitary_toilet,
            farm_land_rai: h.farm_land_rai,
            land_tenure: h.land_tenure.as_str(),
            natural_resource_use: h.natural_resource_use,
            disaster_risk: h.disaster_risk,
            savings_thb: h.savings_thb,
            debt_formal_thb: h.debt_formal_thb,
            debt_informal_thb: h.debt_informal_thb,
            transfers_thb_year: h.transfers_thb_year,
            group_memberships: h.group_memberships,
            receives_community_help: h.receives_community_help,
        }
    }
}

/// A member of a household. For roles that may not see personal data, `first_name` is the
/// initial and `***`, `last_name` and `birth_date` are absent, and `national_id` shows only its
/// last three digits.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// Number within the household, from 1.
    pub member_no: u16,
    /// The 13-digit national id, or its masked form `x-xxxx-xxxxx-12-3`.
    pub national_id: Option<String>,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: Option<String>,
    /// `M` or `F`.
    pub sex: &'static str,
    /// Date of birth (YYYY-MM-DD).
    pub birth_date: Option<String>,
    /// Age in completed years at the survey date.
    pub age: Option<i32>,
    /// Relation to the head: `head`, `spouse`, `child`, `parent`, `relative`, `other`.
    pub relation: &'static str,
    /// Highest education completed.
    pub education: &'static str,
    /// Attends school now.
    pub in_school: bool,
    /// Can read and write.
    pub literate: bool,
    /// Main occupation.
    pub occupation: &'static str,
    /// Own income per year, baht.
    pub income_thb_year: f64,
    /// Has a disability.
    pub disability: bool,
    /// Has a chronic illness.
    pub chronic_illness: bool,
    /// Bedridden or needs daily care.
    pub dependent: bool,
    /// Receives the care needed.
    pub receives_care: bool,
    /// Holds a state welfare card.
    pub welfare_card: bool,
    /// Has health insurance.
    pub health_insurance: bool,
    /// Work skills.
    pub skills: Vec<&'static str>,
    /// Able to work.
    pub can_work: bool,
    /// Wants (more) work.
    pub wants_work: bool,
}

impl From<MemberView> for MemberDto {
    fn from(v: MemberView) -> Self {
        let m = v.member;
        MemberDto {
            member_no: m.member_no,
            national_id: v.national_id,
            first_name: m.first_name,
            last_name: (!m.last_name.is_empty()).then_some(m.last_name),
            sex: m.sex.as_str(),
            birth_date: m.birth_date.map(|d| d.to_string()),
            age: v.age,
            relation: m.relation.as_str(),
            education: m.education.as_str(),
            in_school: m.in_school,
            literate: m.literate,
            occupation: m.occupation.as_str(),
            income_thb_year: m.income_thb_year,
            disability: m.disability,
            chronic_illness: m.chronic_illness,
            dependent: m.dependent,
            receives_care: m.receives_care,
            welfare_card: m.welfare_card,
            health_insurance: m.health_insurance,
            skills: m.skills.iter().map(|s| s.as_str()).collect(),
            can_work: m.can_work,
            wants_work: m.wants_work,
        }
    }
}

/// A household with its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdDetailDto {
    /// The household.
    pub household: HouseholdDto,
    /// Its members, by number.
    pub members: Vec<MemberDto>,
}

impl From<HouseholdDetail> for HouseholdDetailDto {
    fn from(d: HouseholdDetail) -> Self {
        HouseholdDetailDto {
            household: d.household.into(),
            members: d.members.into_iter().map(Into::into).collect(),
        }
    }
}

/// A view of personal data, as the audit log recorded it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    /// The line's id.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// The user's id.
    pub user_id: i64,
    /// The user's name.
    pub user_name: String,
    /// What was asked for: method, path and query.
    pub action: String,
    /// The round viewed.
    pub round: Option<String>,
    /// The households whose personal data was shown.
    pub household_ids: Vec<String>,
}

impl From<AuditEntry> for AuditDto {
    fn from(a: AuditEntry) -> Self {
        let e = a.entry;
        AuditDto {
            id: a.id,
            at: e.at.to_rfc3339(),
            user_id: e.user_id,
            user_name: e.user_name,
            action: e.action,
            round: e.round,
            household_ids: e.household_ids,
        }
    }
}

/// The caller's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    /// The login name.
    pub name: String,
    /// `admin`, `analyst`, `area_manager`, `surveyor` or `agency_officer`.
    pub role: &'static str,
    /// The areas the user is scoped to.
    pub areas: Vec<String>,
    /// The agency of an agency officer.
    pub agency: Option<String>,
    /// Whether the role sees names and national ids unmasked.
    pub sees_personal_data: bool,
}

impl From<&User> for MeDto {
    fn from(u: &User) -> Self {
        MeDto {
            name: u.name.to_string(),
            role: u.role.as_str(),
            areas: u.areas.iter().map(ToString::to_string).collect(),
            agency: u.agency.as_ref().map(ToString::to_string),
            sees_personal_data: thanrak_app::access::sees_personal_data(u.role),
        }
    }
}

/// An API token as an admin sees it: never the token itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    /// The token's id (to revoke it).
    pub id: i64,
    /// Its owner's login name.
    pub user_name: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was last used, to the hour (RFC 3339); null if never.
    pub last_used_at: Option<String>,
}

impl From<thanrak_app::db::ApiTokenInfo> for TokenDto {
    fn from(t: thanrak_app::db::ApiTokenInfo) -> Self {
        TokenDto {
            id: t.id,
            user_name: t.user_name,
            created_at: t.created_at.to_rfc3339(),
            last_used_at: t.last_used_at.map(|t| t.to_rfc3339()),
        }
    }
}
