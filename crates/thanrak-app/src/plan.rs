//! What the policy meeting plans and follows (issue 12, parts 2–4): partner universities (Area
//! Managers) and their areas, model areas with their development roadmap, and the meetings held
//! every two months with their action items, followed like referral cases.
//!
//! Who does what is `policy`'s: partners are registered by an admin; model areas, roadmaps and
//! meetings are written by an admin or an area manager inside its areas
//! ([`crate::policy::plan_writer`]); every role reads them inside [`crate::policy::plan_reader`];
//! an action item is moved by an admin, an area manager of its area, or an officer of its agency
//! ([`crate::policy::moves_action_item`]). Everything written is checked against the registry:
//! agencies in the catalogue, households of the latest round inside the model area, enterprises
//! of the registry, cases inside the meeting's province.

use chrono::{NaiveDate, Utc};
use thanrak_core::identity::AgencyCode;
use thanrak_core::plan::{ActionItem, Activity, Meeting, ModelArea, Partner, WorkState};
use thanrak_core::{AreaCode, AreaLevel, HouseholdId};
use thanrak_store::{
    ActivityRecord, ItemRecord, MeetingRecord, ModelAreaRecord, Scope, Store, StoreError, User,
};

use crate::access::AccessError;
use crate::scoring::area_names;
use crate::AppError;

fn store_err(e: StoreError) -> AccessError {
    AccessError::App(AppError::Store(e))
}

/// Refused unless `area` is inside the areas a writer may write in (`None`: anywhere).
fn inside(writes: &Option<Vec<AreaCode>>, area: &AreaCode) -> Result<(), AccessError> {
    match writes {
        None => Ok(()),
        Some(mine) if mine.iter().any(|m| area.is_within(m)) => Ok(()),
        Some(_) => Err(AccessError::Forbidden(format!(
            "{area} is outside your areas: an area manager plans inside its own areas"
        ))),
    }
}

/// The partner universities, by code: every signed-in role reads them.
pub async fn partners(store: &Store) -> Result<Vec<Partner>, AppError> {
    Ok(store.plan().partners().await?)
}

/// Registers or changes a partner university (admins only); its areas must be official.
pub async fn save_partner(store: &Store, user: &User, p: &Partner) -> Result<(), AccessError> {
    crate::policy::partner_writer(user)?;
    for a in &p.areas {
        if thanrak_core::AreaRegistry::official().get(a).is_none() {
            return Err(AppError::NotFound(format!(
                "area {a} is not an official province, district or subdistrict"
            ))
            .into());
        }
    }
    store.plan().save_partner(p).await.map_err(store_err)
}

/// Removes a partner university (admins only).
pub async fn remove_partner(
    store: &Store,
    user: &User,
    code: &AgencyCode,
) -> Result<(), AccessError> {
    crate::policy::partner_writer(user)?;
    if !store.plan().remove_partner(code).await.map_err(store_err)? {
        return Err(AppError::NotFound(format!("there is no partner {code}")).into());
    }
    Ok(())
}

/// A model area with its roadmap and how far it has come.
#[derive(Debug, Clone)]
pub struct ModelAreaView {
    /// The model area.
    pub record: ModelAreaRecord,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// The partner's names (Thai, English), when it has one registered.
    pub partner_name: Option<(String, String)>,
    /// Its activities.
    pub activities: Vec<ActivityRecord>,
    /// Activities by state, in the order of [`WorkState::ALL`].
    pub by_state: [usize; 4],
    /// The budget of its activities, in satang (dropped ones left out).
    pub budget_satang: i64,
    /// The share of its activities (not dropped) that are done.
    pub progress: f64,
}

/// Whether a user sees the household ids an activity concerns (else only their count).
pub fn sees_activity_households(user: &User) -> bool {
    crate::policy::household_scope(user).is_ok_and(|s| s != Scope::None)
}

/// The model areas a user reads, with their roadmaps, by code.
pub async fn model_areas(store: &Store, user: &User) -> Result<Vec<ModelAreaView>, AppError> {
    let within = crate::policy::plan_reader(user);
    let (areas, activities, partners) = tokio::try_join!(
        store.plan().model_areas(&within),
        store.plan().activities(&within),
        store.plan().partners(),
    )?;
    Ok(areas
        .into_iter()
        .map(|record| {
            let mine: Vec<ActivityRecord> = activities
                .iter()
                .filter(|a| a.area == record.model.area)
                .cloned()
                .collect();
            let mut by_state = [0usize; 4];
            for a in &mine {
                if let Some(i) = WorkState::ALL.iter().position(|s| *s == a.activity.state) {
                    by_state[i] += 1;
                }
            }
            let live: Vec<&ActivityRecord> = mine
                .iter()
                .filter(|a| a.activity.state != WorkState::Dropped)
                .collect();
            let done = live
                .iter()
                .filter(|a| a.activity.state == WorkState::Done)
                .count();
            let (name_th, name_en) = area_names(&record.model.area);
            let partner_name = record.model.partner.as_ref().and_then(|code| {
                partners
                    .iter()
                    .find(|p| &p.code == code)
                    .map(|p| (p.name_th.clone(), p.name_en.clone()))
            });
            ModelAreaView {
                budget_satang: live.iter().map(|a| a.activity.budget_satang).sum(),
                progress: if live.is_empty() {
                    0.0
                } else {
                    done as f64 / live.len() as f64
                },
                record,
                name_th,
                name_en,
                partner_name,
                activities: mine,
                by_state,
            }
        })
        .collect())
}

/// Chooses (or changes) a model area; its partner, when named, must be registered.
pub async fn choose_model_area(
    store: &Store,
    user: &User,
    m: &ModelArea,
) -> Result<(), AccessError> {
    let writes = crate::policy::plan_writer(user)?;
    inside(&writes, &m.area)?;
    if thanrak_core::AreaRegistry::official()
        .get(&m.area)
        .is_none()
        && m.area.level() != AreaLevel::Village
    {
        return Err(AppError::NotFound(format!("{} is not an official area", m.area)).into());
    }
    if let Some(p) = &m.partner {
        let known = store.plan().partners().await.map_err(store_err)?;
        if !known.iter().any(|k| &k.code == p) {
            return Err(AppError::NotFound(format!(
                "partner {p} is not registered: register it first (thanrak partners add)"
            ))
            .into());
        }
    }
    store
        .plan()
        .save_model_area(m, user.name.as_str(), Utc::now())
        .await
        .map_err(store_err)
}

/// Adds an activity to a model area's roadmap, once its agency, households and enterprises are
/// found: households in the latest round inside the model area, enterprises in the registry.
pub async fn add_activity(
    store: &Store,
    user: &User,
    area: &AreaCode,
    a: &Activity,
) -> Result<i64, AccessError> {
    let writes = crate::policy::plan_writer(user)?;
    inside(&writes, area)?;
    let models = store
        .plan()
        .model_areas(&[*area])
        .await
        .map_err(store_err)?;
    if !models.iter().any(|m| m.model.area == *area) {
        return Err(AppError::NotFound(format!(
            "{area} is not a model area: choose it as one first"
        ))
        .into());
    }
    if store
        .agencies()
        .get(&a.lead_agency)
        .await
        .map_err(store_err)?
        .is_none()
    {
        return Err(AppError::NotFound(format!(
            "agency {} is not in the catalogue",
            a.lead_agency
        ))
        .into());
    }
    if !a.households.is_empty() {
        let round = store
            .registry()
            .rounds()
            .await
            .map_err(store_err)?
            .pop()
            .ok_or_else(|| {
                AppError::Invalid("no round is loaded: households cannot be named".into())
            })?
            .label;
        let scope = Scope::Areas(vec![*area]);
        for h in &a.households {
            let id = HouseholdId::parse(h)
                .map_err(|_| AppError::Invalid(format!("household {h:?} is not a household id")))?;
            match store.registry().scoped_household(&scope, &round, &id).await {
                Ok(_) => {}
                Err(StoreError::NotFound(_)) => {
                    return Err(AppError::Invalid(format!(
                        "household {h} is not in round {round} inside {area}"
                    ))
                    .into())
                }
                Err(e) => return Err(store_err(e)),
            }
        }
    }
    if !a.enterprises.is_empty() {
        let ids: Vec<i64> = a
            .enterprises
            .iter()
            .map(|e| {
                e.parse::<i64>().map_err(|_| {
                    AppError::Invalid(format!("enterprise {e:?} is not an enterprise number"))
                })
            })
            .collect::<Result<_, _>>()?;
        let known = store.economy().known_ids(&ids).await.map_err(store_err)?;
        if let Some(missing) = ids.iter().find(|i| !known.contains(i)) {
            return Err(
                AppError::Invalid(format!("enterprise {missing} is not in the registry")).into(),
            );
        }
    }
    store
        .plan()
        .add_activity(area, a, Utc::now())
        .await
        .map_err(store_err)
}

/// Sets the state of a roadmap activity.
pub async fn set_activity_state(
    store: &Store,
    user: &User,
    id: i64,
    state: WorkState,
) -> Result<(), AccessError> {
    let writes = crate::policy::plan_writer(user)?;
    let all = store.plan().activities(&[]).await.map_err(store_err)?;
    let not_found = || AppError::NotFound(format!("there is no activity {id}"));
    let a = all.iter().find(|a| a.id == id).ok_or_else(not_found)?;
    if inside(&writes, &a.area).is_err() {
        return Err(not_found().into());
    }
    store
        .plan()
        .set_activity_state(id, state, Utc::now())
        .await
        .map_err(store_err)?;
    Ok(())
}

/// The provinces whose meetings a user reads (empty: every province).
fn meeting_provinces(user: &User) -> Vec<AreaCode> {
    let mut out: Vec<AreaCode> = crate::policy::plan_reader(user)
        .iter()
        .filter_map(|a| a.ancestor(AreaLevel::Province))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The meetings a user reads, newest first, with their action items.
pub async fn meetings(store: &Store, user: &User) -> Result<Vec<MeetingRecord>, AppError> {
    let provinces = meeting_provinces(user);
    Ok(store.plan().meetings(&provinces).await?)
}

/// One meeting, or "not found" (also when outside the user's provinces).
pub async fn meeting(store: &Store, user: &User, id: i64) -> Result<MeetingRecord, AppError> {
    meetings(store, user)
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| AppError::NotFound(format!("there is no meeting {id}")))
}

/// Records a meeting with its action items, once its agencies are in the catalogue and the
/// cases its items name are inside its province.
pub async fn record_meeting(
    store: &Store,
    user: &User,
    m: &Meeting,
    items: &[ActionItem],
) -> Result<i64, AccessError> {
    let writes = crate::policy::plan_writer(user)?;
    // An area manager records the meetings of the provinces it works in.
    if let Some(mine) = &writes {
        if !mine.iter().any(|a| a.is_within(&m.province)) {
            return Err(AccessError::Forbidden(format!(
                "province {} is not one you work in",
                m.province
            )));
        }
    }
    let catalogue = store.agencies().list().await.map_err(store_err)?;
    let known = |a: &AgencyCode| catalogue.iter().any(|c| &c.code == a);
    if let Some(a) = m.agencies.iter().find(|a| !known(a)) {
        return Err(AppError::NotFound(format!("agency {a} is not in the catalogue")).into());
    }
    for (n, item) in items.iter().enumerate() {
        if !known(&item.agency) {
            return Err(AppError::NotFound(format!(
                "action item {}: agency {} is not in the catalogue",
                n + 1,
                item.agency
            ))
            .into());
        }
        for c in &item.cases {
            let case = store.cases().get(*c).await.map_err(store_err)?;
            if !case.is_some_and(|c| c.new.village_code.is_within(&m.province)) {
                return Err(AppError::Invalid(format!(
                    "action item {}: there is no case {c} in province {}",
                    n + 1,
                    m.province
                ))
                .into());
            }
        }
    }
    store
        .plan()
        .add_meeting(m, items, user.name.as_str(), Utc::now())
        .await
        .map_err(store_err)
}

/// Moves an action item from the version read (a stale version is a conflict).
pub async fn move_action_item(
    store: &Store,
    user: &User,
    id: i64,
    version: i64,
    to: WorkState,
    note: &str,
) -> Result<ItemRecord, AccessError> {
    let not_found = || AppError::NotFound(format!("there is no action item {id}"));
    let item = store
        .plan()
        .item(id)
        .await
        .map_err(store_err)?
        .ok_or_else(not_found)?;
    // An item of a province the user does not read is "not found".
    let provinces = meeting_provinces(user);
    if !provinces.is_empty() && !provinces.iter().any(|p| item.item.area.is_within(p)) {
        return Err(not_found().into());
    }
    if !crate::policy::moves_action_item(user, &item.item.agency, &item.item.area) {
        return Err(AccessError::Forbidden(format!(
            "action item {id} is moved by its agency ({}), an area manager of its area or an admin",
            item.item.agency
        )));
    }
    if !item.state.may_become(to) {
        return Err(AppError::Rule(format!(
            "action item {id} is {}: it cannot become {}",
            item.state.label_en(),
            to.label_en()
        ))
        .into());
    }
    if to == WorkState::Dropped && note.trim().is_empty() {
        return Err(AppError::Rule("say why the item is dropped".into()).into());
    }
    let note = note.trim();
    if note.chars().count() > thanrak_core::plan::MAX_TEXT_CHARS {
        return Err(AppError::Invalid(format!(
            "a note is at most {} characters",
            thanrak_core::plan::MAX_TEXT_CHARS
        ))
        .into());
    }
    store
        .plan()
        .move_item(id, version, to, user.name.as_str(), note, Utc::now())
        .await
        .map_err(store_err)
}

/// Whether an action item is overdue today (Bangkok's date).
pub fn item_overdue(item: &ItemRecord, today: NaiveDate) -> bool {
    ActionItem::is_overdue(item.item.due_on, item.state, today)
}
