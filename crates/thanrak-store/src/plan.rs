//! What the policy meeting plans and follows (`store.plan()`, migration 0014): partner
//! universities and their areas, model areas with their roadmap, policy meetings with their
//! agencies and action items. Rows are read back through the core's checks
//! (`thanrak_core::plan`); an action item is moved only from the version read, else
//! [`StoreError::Conflict`], as a referral case is.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use thanrak_core::identity::AgencyCode;
use thanrak_core::plan::{ActionItem, Activity, Heading, Meeting, ModelArea, Partner, WorkState};
use thanrak_core::AreaCode;

use crate::{secs, with_pool, Store, StoreError};

/// A stored model area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelAreaRecord {
    /// What was written.
    pub model: ModelArea,
    /// Who chose it.
    pub created_by: String,
}

/// A stored roadmap activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    /// Its id.
    pub id: i64,
    /// Its model area.
    pub area: AreaCode,
    /// The activity.
    pub activity: Activity,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A stored meeting with its action items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRecord {
    /// Its id.
    pub id: i64,
    /// The meeting.
    pub meeting: Meeting,
    /// Who recorded it.
    pub created_by: String,
    /// Its action items, by id.
    pub items: Vec<ItemRecord>,
}

/// A stored action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    /// Its id.
    pub id: i64,
    /// The meeting that decided it.
    pub meeting_id: i64,
    /// The item.
    pub item: ActionItem,
    /// Where it stands.
    pub state: WorkState,
    /// Its version: a move names the version it read.
    pub version: i64,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// What happened to it, oldest first.
    pub events: Vec<ItemEvent>,
}

/// A move of an action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
    /// The state it moved to (the first event: the state it was decided in).
    pub state: WorkState,
    /// What was said.
    pub note: String,
}

/// The plans of the policy meeting: `store.plan()`.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'s>(pub(crate) &'s Store);

fn corrupt(what: &str, v: impl std::fmt::Debug) -> StoreError {
    StoreError::Corrupt(format!("plan: {what} {v:?}"))
}

fn date(what: &str, s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt(what, s))
}

fn opt_date(what: &str, s: Option<String>) -> Result<Option<NaiveDate>, StoreError> {
    s.map(|s| date(what, &s)).transpose()
}

fn time(what: &str, t: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(t, 0).ok_or_else(|| corrupt(what, t))
}

fn iso(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

type ActivityRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    String,
    i64,
);

type ItemRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    i64,
);

impl Plan<'_> {
    /// Adds or replaces a partner university with its areas, in one transaction.
    pub async fn save_partner(self, p: &Partner) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO partners (code, name_th, name_en, contact) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET name_th = excluded.name_th, \
                 name_en = excluded.name_en, contact = excluded.contact",
            )
            .bind(p.code.as_str())
            .bind(&p.name_th)
            .bind(&p.name_en)
            .bind(&p.contact)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM partner_areas WHERE partner = $1")
                .bind(p.code.as_str())
                .execute(&mut *tx)
                .await?;
            for a in &p.areas {
                sqlx::query("INSERT INTO partner_areas (partner, area_code) VALUES ($1, $2)")
                    .bind(p.code.as_str())
                    .bind(a.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every partner university with its areas, by code.
    pub async fn partners(self) -> Result<Vec<Partner>, StoreError> {
        let rows: Vec<(String, String, String, String)> = with_pool!(self.0, pool => {
            sqlx::query_as("SELECT code, name_th, name_en, contact FROM partners ORDER BY code")
                .fetch_all(pool)
                .await?
        });
        let areas: Vec<(String, String)> = with_pool!(self.0, pool => {
            sqlx::query_as("SELECT partner, area_code FROM partner_areas ORDER BY partner, area_code")
                .fetch_all(pool)
                .await?
        });
        let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (p, a) in areas {
            by.entry(p).or_default().push(a);
        }
        rows.into_iter()
            .map(|(code, th, en, contact)| {
                let a: Vec<&str> = by
                    .get(&code)
                    .map(|v| v.iter().map(String::as_str).collect())
                    .unwrap_or_default();
                Partner::new(&code, &th, &en, &contact, &a).map_err(|e| corrupt("partner", e))
            })
            .collect()
    }

    /// Removes a partner; `false` when there was none. A partner named by a model area is kept
    /// there as none.
    pub async fn remove_partner(self, code: &AgencyCode) -> Result<bool, StoreError> {
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE model_areas SET partner = NULL WHERE partner = $1")
                .bind(code.as_str())
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query("DELETE FROM partners WHERE code = $1")
                .bind(code.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(n == 1)
        })
    }

    /// Adds or replaces a model area (its roadmap stays).
    pub async fn save_model_area(
        self,
        m: &ModelArea,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self.0, pool => {
            sqlx::query(
                "INSERT INTO model_areas (area_code, partner, chosen_on, note, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (area_code) DO UPDATE SET \
                 partner = excluded.partner, chosen_on = excluded.chosen_on, note = excluded.note",
            )
            .bind(m.area.to_string())
            .bind(m.partner.as_ref().map(|p| p.as_str().to_string()))
            .bind(m.chosen_on.format("%Y-%m-%d").to_string())
            .bind(&m.note)
            .bind(by)
            .bind(secs(at).timestamp())
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The model areas inside `within` (every one when empty), by code.
    pub async fn model_areas(
        self,
        within: &[AreaCode],
    ) -> Result<Vec<ModelAreaRecord>, StoreError> {
        let rows: Vec<(String, Option<String>, String, String, String)> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT area_code, partner, chosen_on, note, created_by FROM model_areas \
                 ORDER BY area_code",
            )
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::new();
        for (area, partner, chosen, note, by) in rows {
            let model = ModelArea::new(
                &area,
                partner.as_deref(),
                date("chosen_on", &chosen)?,
                &note,
            )
            .map_err(|e| corrupt("model area", e))?;
            if within.is_empty() || within.iter().any(|w| model.area.is_within(w)) {
                out.push(ModelAreaRecord {
                    model,
                    created_by: by,
                });
            }
        }
        Ok(out)
    }

    /// Adds an activity to a model area's roadmap with the households and enterprises it
    /// concerns, in one transaction; its id.
    pub async fn add_activity(
        self,
        area: &AreaCode,
        a: &Activity,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO roadmap_activities (area_code, heading, title, lead_agency, \
                 budget_satang, starts_on, ends_on, state, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(area.to_string())
            .bind(a.heading.as_str())
            .bind(&a.title)
            .bind(a.lead_agency.as_str())
            .bind(a.budget_satang)
            .bind(iso(a.starts_on))
            .bind(iso(a.ends_on))
            .bind(a.state.as_str())
            .bind(secs(at).timestamp())
            .fetch_one(&mut *tx)
            .await?;
            for h in &a.households {
                sqlx::query("INSERT INTO activity_households (activity_id, household_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(h)
                    .execute(&mut *tx)
                    .await?;
            }
            for e in &a.enterprises {
                sqlx::query("INSERT INTO activity_enterprises (activity_id, enterprise_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(e)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Sets an activity's state; `false` when there is no such activity.
    pub async fn set_activity_state(
        self,
        id: i64,
        state: WorkState,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = with_pool!(self.0, pool => {
            sqlx::query("UPDATE roadmap_activities SET state = $1, updated_at = $2 WHERE id = $3")
                .bind(state.as_str())
                .bind(secs(at).timestamp())
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// The activities of the model areas inside `within` (every one when empty), by area, heading
    /// and id.
    pub async fn activities(self, within: &[AreaCode]) -> Result<Vec<ActivityRecord>, StoreError> {
        let rows: Vec<ActivityRow> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT id, area_code, heading, title, lead_agency, budget_satang, starts_on, \
                 ends_on, state, updated_at FROM roadmap_activities ORDER BY area_code, id",
            )
            .fetch_all(pool)
            .await?
        });
        let links = |table: &str, column: &str| {
            format!("SELECT activity_id, {column} FROM {table} ORDER BY activity_id, {column}")
        };
        let households: Vec<(i64, String)> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(links("activity_households", "household_id")))
                .fetch_all(pool)
                .await?
        });
        let enterprises: Vec<(i64, String)> = with_pool!(self.0, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(links("activity_enterprises", "enterprise_id")))
                .fetch_all(pool)
                .await?
        });
        let group = |v: Vec<(i64, String)>| {
            let mut m: BTreeMap<i64, Vec<String>> = BTreeMap::new();
            for (id, x) in v {
                m.entry(id).or_default().push(x);
            }
            m
        };
        let (hh, en) = (group(households), group(enterprises));
        let mut out = Vec::new();
        for r in rows {
            let area = AreaCode::parse(&r.1).map_err(|_| corrupt("activity area", &r.1))?;
            if !(within.is_empty() || within.iter().any(|w| area.is_within(w))) {
                continue;
            }
            let strs = |m: &BTreeMap<i64, Vec<String>>| -> Vec<String> {
                m.get(&r.0).cloned().unwrap_or_default()
            };
            let (h, e) = (strs(&hh), strs(&en));
            let activity = Activity::new(
                Heading::parse(&r.2).ok_or_else(|| corrupt("heading", &r.2))?,
                &r.3,
                &r.4,
                r.5,
                opt_date("starts_on", r.6)?,
                opt_date("ends_on", r.7)?,
                WorkState::parse(&r.8).ok_or_else(|| corrupt("state", &r.8))?,
                &h.iter().map(String::as_str).collect::<Vec<_>>(),
                &e.iter().map(String::as_str).collect::<Vec<_>>(),
            )
            .map_err(|e| corrupt("activity", e))?;
            out.push(ActivityRecord {
                id: r.0,
                area,
                activity,
                updated_at: time("updated_at", r.9)?,
            });
        }
        Ok(out)
    }

    /// Records a meeting with its agencies and action items in one transaction (each item
    /// starts as planned, with a first event); its id.
    pub async fn add_meeting(
        self,
        m: &Meeting,
        items: &[ActionItem],
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let at_s = secs(at).timestamp();
        with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO meetings (province, held_on, title, decisions, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(m.province.to_string())
            .bind(m.held_on.format("%Y-%m-%d").to_string())
            .bind(&m.title)
            .bind(&m.decisions)
            .bind(by)
            .bind(at_s)
            .fetch_one(&mut *tx)
            .await?;
            for a in &m.agencies {
                sqlx::query("INSERT INTO meeting_agencies (meeting_id, agency) VALUES ($1, $2)")
                    .bind(id)
                    .bind(a.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            for item in items {
                let item_id: i64 = sqlx::query_scalar(
                    "INSERT INTO action_items (meeting_id, what, agency, area_code, due_on, state, \
                     version, updated_at) VALUES ($1, $2, $3, $4, $5, 'planned', 1, $6) RETURNING id",
                )
                .bind(id)
                .bind(&item.what)
                .bind(item.agency.as_str())
                .bind(item.area.to_string())
                .bind(iso(item.due_on))
                .bind(at_s)
                .fetch_one(&mut *tx)
                .await?;
                for c in &item.cases {
                    sqlx::query("INSERT INTO action_item_cases (item_id, case_id) VALUES ($1, $2)")
                        .bind(item_id)
                        .bind(c)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "INSERT INTO action_item_events (item_id, at, by_name, state, note) \
                     VALUES ($1, $2, $3, 'planned', '')",
                )
                .bind(item_id)
                .bind(at_s)
                .bind(by)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The meetings of the provinces in `provinces` (every one when empty), newest first, with
    /// their items.
    pub async fn meetings(self, provinces: &[AreaCode]) -> Result<Vec<MeetingRecord>, StoreError> {
        let rows: Vec<(i64, String, String, String, String, String)> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT id, province, held_on, title, decisions, created_by FROM meetings \
                 ORDER BY held_on DESC, id DESC",
            )
            .fetch_all(pool)
            .await?
        });
        let agencies: Vec<(i64, String)> = with_pool!(self.0, pool => {
            sqlx::query_as("SELECT meeting_id, agency FROM meeting_agencies ORDER BY meeting_id, agency")
                .fetch_all(pool)
                .await?
        });
        let mut present: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (m, a) in agencies {
            present.entry(m).or_default().push(a);
        }
        let mut items = self.items(None).await?;
        let mut out = Vec::new();
        for (id, province, held, title, decisions, by) in rows {
            let a: Vec<&str> = present
                .get(&id)
                .map(|v| v.iter().map(String::as_str).collect())
                .unwrap_or_default();
            let meeting = Meeting::new(&province, date("held_on", &held)?, &title, &a, &decisions)
                .map_err(|e| corrupt("meeting", e))?;
            if !(provinces.is_empty() || provinces.contains(&meeting.province)) {
                continue;
            }
            out.push(MeetingRecord {
                id,
                meeting,
                created_by: by,
                items: items.remove(&id).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// The action items of one meeting (of every meeting when `None`), by meeting, each with its
    /// cases and events.
    async fn items(
        self,
        meeting: Option<i64>,
    ) -> Result<BTreeMap<i64, Vec<ItemRecord>>, StoreError> {
        let cond = if meeting.is_some() {
            "WHERE meeting_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id, meeting_id, what, agency, area_code, due_on, state, version, updated_at \
             FROM action_items {cond} ORDER BY meeting_id, id"
        );
        let rows: Vec<ItemRow> = with_pool!(self.0, pool => {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            let q = match meeting {
                Some(m) => q.bind(m),
                None => q,
            };
            q.fetch_all(pool).await?
        });
        let cases: Vec<(i64, i64)> = with_pool!(self.0, pool => {
            sqlx::query_as("SELECT item_id, case_id FROM action_item_cases ORDER BY item_id, case_id")
                .fetch_all(pool)
                .await?
        });
        let events: Vec<(i64, i64, String, String, String)> = with_pool!(self.0, pool => {
            sqlx::query_as(
                "SELECT item_id, at, by_name, state, note FROM action_item_events ORDER BY item_id, at, id",
            )
            .fetch_all(pool)
            .await?
        });
        let mut case_ids: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (i, c) in cases {
            case_ids.entry(i).or_default().push(c);
        }
        let mut history: BTreeMap<i64, Vec<ItemEvent>> = BTreeMap::new();
        for (i, at, by, state, note) in events {
            history.entry(i).or_default().push(ItemEvent {
                at: time("event at", at)?,
                by,
                state: WorkState::parse(&state).ok_or_else(|| corrupt("event state", &state))?,
                note,
            });
        }
        let mut out: BTreeMap<i64, Vec<ItemRecord>> = BTreeMap::new();
        for r in rows {
            let area = AreaCode::parse(&r.4).map_err(|_| corrupt("item area", &r.4))?;
            let province = area
                .ancestor(thanrak_core::AreaLevel::Province)
                .unwrap_or(area);
            let item = ActionItem::new(
                &province,
                &r.2,
                &r.3,
                &r.4,
                opt_date("due_on", r.5)?,
                case_ids.get(&r.0).map(Vec::as_slice).unwrap_or_default(),
            )
            .map_err(|e| corrupt("action item", e))?;
            out.entry(r.1).or_default().push(ItemRecord {
                id: r.0,
                meeting_id: r.1,
                item,
                state: WorkState::parse(&r.6).ok_or_else(|| corrupt("item state", &r.6))?,
                version: r.7,
                updated_at: time("updated_at", r.8)?,
                events: history.remove(&r.0).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// One action item with its meeting's province, or `None`.
    pub async fn item(self, id: i64) -> Result<Option<ItemRecord>, StoreError> {
        let meeting: Option<i64> = with_pool!(self.0, pool => {
            sqlx::query_scalar("SELECT meeting_id FROM action_items WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let Some(m) = meeting else { return Ok(None) };
        Ok(self
            .items(Some(m))
            .await?
            .remove(&m)
            .and_then(|v| v.into_iter().find(|i| i.id == id)))
    }

    /// Moves an action item to `to` from the version read, with an event; a
    /// [`StoreError::Conflict`] when it changed since, [`StoreError::NotFound`] when there is
    /// none. Whether the move is allowed is the caller's to decide.
    pub async fn move_item(
        self,
        id: i64,
        version: i64,
        to: WorkState,
        by: &str,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<ItemRecord, StoreError> {
        let at_s = secs(at).timestamp();
        let updated = with_pool!(self.0, pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE action_items SET state = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND version = $4",
            )
            .bind(to.as_str())
            .bind(at_s)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                sqlx::query(
                    "INSERT INTO action_item_events (item_id, at, by_name, state, note) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(at_s)
                .bind(by)
                .bind(to.as_str())
                .bind(note)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            n == 1
        });
        match self.item(id).await? {
            None => Err(StoreError::NotFound(format!("action item {id}"))),
            Some(i) if updated => Ok(i),
            Some(i) => Err(StoreError::Conflict(format!(
                "action item {id} changed since it was read (version {version}, now {}): read it again",
                i.version
            ))),
        }
    }
}
