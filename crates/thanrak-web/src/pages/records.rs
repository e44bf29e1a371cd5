//! Households entered and corrected on the web, and likely duplicates (issue 13):
//! `/households/new` and `/households/{round}/{id}/edit` (a form of every field of the import
//! format, checked as an import is, with the reasons in the reader's language; a member is added
//! or removed by posting the form again), and `/duplicates` (the groups with their evidence, marked
//! as not duplicates or merged by the roles that decide).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;
use thanrak_app::access::AccessError;
use thanrak_app::duplicates::{
    list_duplicates, mark_not_duplicates, merge, merge_plan, DuplicateQuery,
};
use thanrak_app::entry::{cell, entry_of, save_household, Entry, Saved};
use thanrak_app::upload::Diagnostic;
use thanrak_core::field::form::label_en;
use thanrak_core::schema::{coded_values, Column, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::RoundLabel;

use crate::auth::{CsrfForm, PageUser};
use crate::error::{ApiError, Path, Query};
use crate::i18n::{Lang, LangChoice};
use crate::AppState;

use super::dashboard::{account, area_name, error_page};
use super::render;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/households/new", get(new_form).post(save_new))
        .route("/households/fix", get(fix_form))
        .route(
            "/households/{round}/{id}/edit",
            get(edit_form).post(save_edit),
        )
        .route("/duplicates", get(duplicates_page))
        .route("/duplicates/{key}/not-duplicates", post(not_duplicates))
        .route(
            "/duplicates/{key}/merge",
            get(merge_confirm).post(merge_group),
        )
}

/// A column's label in the reader's language.
pub(super) fn column_label(column: &str, l: Lang) -> String {
    HOUSEHOLD_COLUMNS
        .iter()
        .chain(MEMBER_COLUMNS)
        .find(|c| c.name == column)
        .map_or_else(
            || column.to_string(),
            |c| {
                if l == Lang::Th {
                    c.thai.to_string()
                } else {
                    label_en(column).to_string()
                }
            },
        )
}

/// A cell as a person reads it: a coded value by its label, a flag as yes or no, money with
/// thousands separators, a date in the Buddhist Era for Thai; anything else (or a masked
/// value) as it is.
pub(super) fn cell_display(column: &str, value: &str, l: Lang) -> String {
    let th = l == Lang::Th;
    let Some(c) = HOUSEHOLD_COLUMNS
        .iter()
        .chain(MEMBER_COLUMNS)
        .find(|c| c.name == column)
    else {
        return value.to_string();
    };
    if value.is_empty() || value.contains('*') {
        return value.to_string();
    }
    match c.kind {
        Kind::Flag => match value {
            "1" => (if th { "ใช่" } else { "yes" }).into(),
            "0" => (if th { "ไม่ใช่" } else { "no" }).into(),
            v => v.into(),
        },
        Kind::Date => match thanrak_core::date::parse_date(value) {
            Ok(d) if th => thanrak_core::date::format_thai(d),
            _ => value.into(),
        },
        Kind::Real(..) if column.ends_with("_thb") || column.ends_with("_thb_year") => {
            match value.parse::<f64>() {
                Ok(v) if v.fract() == 0.0 && (0.0..1e15).contains(&v) => {
                    thanrak_core::help::format_count(v as u64)
                }
                _ => value.into(),
            }
        }
        Kind::Text => match coded_values(column) {
            Some(values) => value
                .split(';')
                .map(|code| {
                    values
                        .iter()
                        .find(|(c, _, _)| *c == code)
                        .map_or(code, |(_, t, e)| if th { t } else { e })
                })
                .collect::<Vec<_>>()
                .join(", "),
            None => value.into(),
        },
        _ => value.into(),
    }
}

/// How a change was made, in the reader's language.
pub(super) fn source_label(source: &str, l: Lang) -> String {
    let th = l == Lang::Th;
    if source == "corrected on the web" {
        (if th {
            "แก้ไขบนหน้าเว็บ"
        } else {
            "corrected on the web"
        })
        .into()
    } else if source == "entered on the web" {
        (if th {
            "บันทึกบนหน้าเว็บ"
        } else {
            "entered on the web"
        })
        .into()
    } else if let Some(key) = source.strip_prefix("edited submission ") {
        if th {
            format!("แบบสำรวจภาคสนามที่แก้ไข ({key})")
        } else {
            source.into()
        }
    } else if let Some(rest) = source.strip_prefix("merge of duplicates ") {
        if th {
            format!("รวมรายการซ้ำ ({rest})")
        } else {
            source.into()
        }
    } else {
        source.into()
    }
}

/// Columns the form does not ask (the keys come from the form's own fields).
const KEYS: &[&str] = &["household_id", "round", "member_no"];

/// The fields of one record for the template: name, label, kind, options, value, problem.
fn fields(
    columns: &[Column],
    prefix: &str,
    cells: &[(String, String)],
    problems: &[(String, String)],
    masked: bool,
    l: Lang,
) -> Vec<Value> {
    columns
        .iter()
        .filter(|c| !KEYS.contains(&c.name))
        .map(|c| {
            let value = cell(cells, c.name);
            let options: Vec<Value> = match (c.kind, coded_values(c.name)) {
                (Kind::Flag, _) => vec![
                    context! { code => "1", label => if l == Lang::Th { "ใช่" } else { "Yes" } },
                    context! { code => "0", label => if l == Lang::Th { "ไม่ใช่" } else { "No" } },
                ],
                (Kind::Text, Some(values)) if c.name != "skills" => values
                    .into_iter()
                    .map(|(code, th, en)| context! { code, label => if l == Lang::Th { th } else { en } })
                    .collect(),
                _ => Vec::new(),
            };
            let personal = matches!(
                c.name,
                "first_name" | "last_name" | "national_id" | "birth_date" | "house_no" | "lat" | "lon"
            );
            let kind = match c.kind {
                _ if !options.is_empty() => "select",
                Kind::Date if !(masked && personal) => "date",
                Kind::Int(..) | Kind::Real(..) if !(masked && personal) => "number",
                _ => "text",
            };
            context! {
                name => format!("{prefix}{}", c.name),
                column => c.name,
                label => if l == Lang::Th { c.thai } else { label_en(c.name) },
                hint => if c.name == "skills" { "; " } else { "" },
                kind,
                step => if matches!(c.kind, Kind::Real(..)) { "any" } else { "1" },
                options,
                value,
                required => c.required,
                problem => problems.iter().find(|(col, _)| col == c.name).map(|(_, r)| r.clone()),
            }
        })
        .collect()
}

/// The form's fields as an [`Entry`]: `h.COLUMN`, `mN.COLUMN` for member N (from 0), `mN.remove`,
/// `members` (how many), `version`, and `add_member` to ask for one more empty member.
fn entry_from(form: &[(String, String)]) -> (Entry, bool) {
    let get = |k: &str| cell(form, k);
    let count: usize = get("members").parse().unwrap_or(0).min(99);
    let household = HOUSEHOLD_COLUMNS
        .iter()
        .filter(|c| !KEYS.contains(&c.name))
        .map(|c| {
            (
                c.name.to_string(),
                get(&format!("h.{}", c.name)).trim().to_string(),
            )
        })
        .collect();
    let mut members: Vec<Vec<(String, String)>> = (0..count)
        .filter(|i| get(&format!("m{i}.remove")) != "1")
        .map(|i| {
            // The number the member was read with (empty for one added on the form).
            let read_as = (
                "member_no".to_string(),
                get(&format!("m{i}.no")).trim().to_string(),
            );
            MEMBER_COLUMNS
                .iter()
                .filter(|c| !KEYS.contains(&c.name))
                .map(|c| {
                    let v = if c.name == "skills" {
                        form.iter()
                            .filter(|(k, _)| *k == format!("m{i}.skills"))
                            .map(|(_, v)| v.trim())
                            .filter(|v| !v.is_empty())
                            .collect::<Vec<_>>()
                            .join(";")
                    } else {
                        get(&format!("m{i}.{}", c.name)).trim().to_string()
                    };
                    (c.name.to_string(), v)
                })
                .chain(std::iter::once(read_as))
                .collect()
        })
        .collect();
    let add = get("add_member") == "1";
    if add {
        members.push(Vec::new());
    }
    let version = match get("version") {
        "" => None,
        v => v.parse().ok(),
    };
    (
        Entry {
            household,
            members,
            version,
        },
        add,
    )
}

#[allow(clippy::too_many_arguments)]
fn show_form(
    state: &AppState,
    lang: &LangChoice,
    page: &PageUser,
    status: StatusCode,
    round: &str,
    household_id: &str,
    entry: &Entry,
    masked: bool,
    problems: &[Diagnostic],
    notice: Option<String>,
) -> Response {
    let l = lang.lang;
    let text = |d: &Diagnostic| d.reason.text(l);
    let on = |file: &str| -> Vec<(String, String)> {
        problems
            .iter()
            .filter(|d| d.file == file)
            .map(|d| (d.column.clone(), text(d)))
            .collect()
    };
    let household = fields(
        HOUSEHOLD_COLUMNS,
        "h.",
        &entry.household,
        &on("household"),
        masked,
        l,
    );
    let members: Vec<Value> = entry
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let skills = cell(m, "skills").to_string();
            context! {
                index => i,
                no => i + 1,
                read_as => cell(m, "member_no"),
                fields => fields(MEMBER_COLUMNS, &format!("m{i}."), m, &on(&format!("member {}", i + 1)), masked, l),
                skills => coded_values("skills").unwrap_or_default().into_iter().map(|(code, th, en)| context! {
                    code, label => if l == Lang::Th { th } else { en },
                    on => skills.split(';').any(|s| s == code),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let listed: Vec<Value> = problems
        .iter()
        .map(|d| {
            let record = match d.file.strip_prefix("member ") {
                Some(n) => format!(
                    "{} {n}",
                    if l == Lang::Th {
                        "สมาชิกคนที่"
                    } else {
                        "Member"
                    }
                ),
                None => (if l == Lang::Th {
                    "ครัวเรือน"
                } else {
                    "Household"
                })
                .to_string(),
            };
            context! {
                record,
                column => column_label(&d.column, l),
                value => &d.value,
                reason => text(d),
            }
        })
        .collect();
    let editing = entry.version.is_some();
    render(
        state,
        lang,
        status,
        "household_form.html",
        context! {
            account => account(page, l),
            csrf => &page.csrf_token,
            round,
            household_id,
            editing,
            version => entry.version,
            masked,
            household,
            members,
            member_count => entry.members.len(),
            problems => listed,
            notice,
            action => if editing { format!("/households/{round}/{household_id}/edit") } else { "/households/new".to_string() },
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct NewQuery {
    round: Option<String>,
}

/// An empty form (one member), in the round asked for or the default one.
async fn new_form(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<NewQuery>,
) -> Response {
    if let Err(e) = thanrak_app::policy::household_editor(&page.user) {
        return error_page(&state, &lang, e.into());
    }
    let round = match q.round.as_deref() {
        Some(r) => match crate::parse::round(r) {
            Ok(r) => r.to_string(),
            Err(e) => return error_page(&state, &lang, e),
        },
        None => thanrak_app::rounds(state.store())
            .await
            .ok()
            .and_then(|r| r.last().map(|r| r.label.to_string()))
            .unwrap_or_default(),
    };
    let entry = Entry {
        members: vec![Vec::new()],
        ..Entry::default()
    };
    show_form(
        &state,
        &lang,
        &page,
        StatusCode::OK,
        &round,
        "",
        &entry,
        false,
        &[],
        None,
    )
}

/// Saves a form: a refusal of the whole (not yours, stale) is the error page; problems with
/// fields come back on the form.
#[allow(clippy::too_many_arguments)]
async fn save(
    state: &AppState,
    lang: &LangChoice,
    page: &PageUser,
    round: &str,
    household_id: &str,
    form: &[(String, String)],
    masked: bool,
) -> Response {
    let (entry, add) = entry_from(form);
    let Ok(label) = RoundLabel::parse(round) else {
        return error_page(
            state,
            lang,
            ApiError::invalid(format!("round {round:?} is not a round label")),
        );
    };
    if add {
        return show_form(
            state,
            lang,
            page,
            StatusCode::OK,
            round,
            household_id,
            &entry,
            masked,
            &[],
            None,
        );
    }
    match save_household(state.store(), &page.user, &label, household_id, &entry).await {
        Ok(Saved::Saved { household_id, .. }) => {
            state.data_changed();
            let _ = thanrak_app::jobs::queue_rescoring(
                state.jobs(),
                &page.user,
                std::slice::from_ref(&label),
            )
            .await;
            Redirect::to(&format!("/households/{label}/{household_id}?saved=1")).into_response()
        }
        Ok(Saved::Rejected(problems)) => show_form(
            state,
            lang,
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
            round,
            household_id,
            &entry,
            masked,
            &problems,
            None,
        ),
        Err(AccessError::App(thanrak_app::AppError::Rule(m))) => show_form(
            state,
            lang,
            page,
            StatusCode::CONFLICT,
            round,
            household_id,
            &entry,
            masked,
            &[],
            Some(m),
        ),
        Err(e) => error_page(state, lang, e.into()),
    }
}

async fn save_new(
    State(state): State<AppState>,
    lang: LangChoice,
    f: CsrfForm<Vec<(String, String)>>,
) -> Response {
    let round = cell(&f.form, "round").trim().to_string();
    let id = cell(&f.form, "household_id").trim().to_string();
    save(&state, &lang, &f.user, &round, &id, &f.form, false).await
}

async fn edit_form(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Path((round, id)): Path<(String, String)>,
) -> Response {
    let parsed = crate::parse::round(&round)
        .and_then(|r| crate::parse::household_id(&r, &id).map(|id| (r, id)));
    let (round, id) = match parsed {
        Ok(x) => x,
        Err(e) => return error_page(&state, &lang, e),
    };
    match entry_of(state.store(), &page.user, &round, &id).await {
        Ok((entry, masked)) => show_form(
            &state,
            &lang,
            &page,
            StatusCode::OK,
            round.as_str(),
            id.as_str(),
            &entry,
            masked,
            &[],
            None,
        ),
        Err(e) => error_page(&state, &lang, e.into()),
    }
}

async fn save_edit(
    State(state): State<AppState>,
    lang: LangChoice,
    Path((round, id)): Path<(String, String)>,
    f: CsrfForm<Vec<(String, String)>>,
) -> Response {
    let masked = !thanrak_app::policy::sees_personal_data(f.user.user.role);
    save(&state, &lang, &f.user, &round, &id, &f.form, masked).await
}

#[derive(Debug, Default, Deserialize)]
struct DuplicatesQuery {
    area: Option<String>,
    evidence: Option<String>,
    decided: Option<String>,
    page: Option<usize>,
    done: Option<String>,
}

async fn duplicates_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<DuplicatesQuery>,
) -> Response {
    let l = lang.lang;
    let area = match crate::parse::area_or_none(q.area.as_deref()) {
        Ok(a) => a,
        Err(e) => return error_page(&state, &lang, e),
    };
    if let Some(e) = q
        .evidence
        .as_deref()
        .filter(|e| !["national_id", "name_birth"].contains(e))
    {
        return error_page(
            &state,
            &lang,
            ApiError::invalid(format!("evidence {e:?}: national_id or name_birth")),
        );
    }
    let query = DuplicateQuery {
        area,
        evidence: q.evidence.clone(),
        decided: q.decided.as_deref() == Some("1"),
        page: q.page.unwrap_or(1).clamp(1, 1_000_000),
        per_page: 50,
    };
    let list = match list_duplicates(state.store(), &page.user, &query).await {
        Ok(list) => list,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let th = l == Lang::Th;
    let date = |d: chrono::NaiveDate| {
        if th {
            thanrak_core::date::format_thai(d)
        } else {
            d.to_string()
        }
    };
    let groups: Vec<Value> = list
        .groups
        .iter()
        .map(|g| {
            context! {
                key => &g.key,
                evidence => g.evidence,
                households => g.households,
                review => g.review.as_ref().map(|r| context! {
                    decision => &r.decision,
                    by => &r.decided_by,
                    note => &r.note,
                    at => date(r.decided_at.date_naive()),
                }),
                persons => g.persons.iter().map(|p| context! {
                    round => p.round.as_str(),
                    household => p.household_id.as_str(),
                    href => format!("/households/{}/{}", p.round, p.household_id),
                    member_no => p.member_no,
                    name => &p.name,
                    national_id => &p.national_id,
                    born => p.birth_date.map(date),
                    village => format!("{} · {}", area_name(&p.village_code, l), p.village_code.parent().map(|s| area_name(&s, l)).unwrap_or_default()),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let pages = list.total.div_ceil(50).max(1);
    let link = |p: usize| {
        let mut s = format!("/duplicates?page={p}");
        if let Some(a) = &q.area {
            s.push_str(&format!("&area={}", urlencoding(a)));
        }
        if let Some(e) = &q.evidence {
            s.push_str(&format!("&evidence={e}"));
        }
        if query.decided {
            s.push_str("&decided=1");
        }
        s
    };
    render(
        &state,
        &lang,
        StatusCode::OK,
        "duplicates.html",
        context! {
            account => account(&page, l),
            csrf => &page.csrf_token,
            groups,
            total => list.total,
            persons => thanrak_core::help::format_count(list.persons as u64),
            open => list.open_by_evidence.iter().map(|(e, n)| context! { evidence => *e, n }).collect::<Vec<_>>(),
            masked => list.masked,
            may_review => list.may_review,
            area => q.area.clone().unwrap_or_default(),
            evidence => q.evidence.clone().unwrap_or_default(),
            decided => query.decided,
            page => query.page,
            pages,
            prev => (query.page > 1).then(|| link(query.page - 1)),
            next => (query.page < pages).then(|| link(query.page + 1)),
            done => q.done.clone(),
        },
    )
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

fn key_of(key: &str) -> Result<&str, ApiError> {
    if key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(key)
    } else {
        Err(ApiError::not_found("no such group of likely duplicates"))
    }
}

async fn not_duplicates(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(key): Path<String>,
    f: CsrfForm<NoteForm>,
) -> Response {
    let key = match key_of(&key) {
        Ok(k) => k,
        Err(e) => return error_page(&state, &lang, e),
    };
    match mark_not_duplicates(state.store(), &f.user.user, key, &f.form.note).await {
        Ok(()) => Redirect::to("/duplicates?done=marked").into_response(),
        Err(e) => error_page(&state, &lang, e.into()),
    }
}

/// What merging a group will do, with the button that does it: the household that is kept (per
/// round, under one id), the households removed and the members removed as the same person.
async fn merge_confirm(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Path(key): Path<String>,
) -> Response {
    let key = match key_of(&key) {
        Ok(k) => k,
        Err(e) => return error_page(&state, &lang, e),
    };
    let plan = match merge_plan(state.store(), &page.user, key).await {
        Ok(p) => p,
        Err(e) => return error_page(&state, &lang, e.into()),
    };
    let target = plan.outcome.household_id.to_string();
    let rounds: Vec<Value> = plan
        .outcome
        .rounds
        .iter()
        .map(|r| {
            context! {
                round => r.as_str(),
                kept => format!("/households/{r}/{target}"),
                removed => plan.removed.iter().filter(|(rr, _)| rr == r).map(|(_, id)| id.to_string()).collect::<Vec<_>>(),
            }
        })
        .collect();
    render(
        &state,
        &lang,
        StatusCode::OK,
        "duplicates_merge.html",
        context! {
            account => account(&page, lang.lang),
            csrf => &page.csrf_token,
            key,
            target,
            rounds,
            members_removed => plan.outcome.members_removed,
        },
    )
}

async fn merge_group(
    State(state): State<AppState>,
    lang: LangChoice,
    Path(key): Path<String>,
    f: CsrfForm<NoteForm>,
) -> Response {
    let key = match key_of(&key) {
        Ok(k) => k,
        Err(e) => return error_page(&state, &lang, e),
    };
    match merge(state.store(), &f.user.user, key).await {
        Ok(m) => {
            state.data_changed();
            let _ = thanrak_app::jobs::queue_rescoring(state.jobs(), &f.user.user, &m.rounds).await;
            let round = m.rounds.last().map(ToString::to_string).unwrap_or_default();
            Redirect::to(&format!("/households/{round}/{}?merged=1", m.household_id))
                .into_response()
        }
        Err(e) => error_page(&state, &lang, e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct FixQuery {
    check: Option<String>,
    n: Option<usize>,
}

/// `/households/fix?check=ID&n=N`: household N of a refused upload (the user's own check job),
/// as its rows were read, on the entry form with each problem on its field; saved, it is
/// entered (or corrected, when stored and the user's) like any household.
async fn fix_form(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<FixQuery>,
) -> Response {
    use thanrak_app::jobs::{self, CheckResult, JobKind};
    if let Err(e) = thanrak_app::policy::household_editor(&page.user) {
        return error_page(&state, &lang, e.into());
    }
    let not_found = || {
        error_page(
            &state,
            &lang,
            ApiError::not_found("no such household to correct"),
        )
    };
    let (Some(Ok(id)), Some(n)) = (q.check.as_deref().map(str::parse::<i64>), q.n) else {
        return not_found();
    };
    let job = match jobs::get_job(state.jobs(), &page.user, id).await {
        Ok(j) if j.new.kind == JobKind::Check.as_str() => j,
        Ok(_) => return not_found(),
        Err(e) => return error_page(&state, &lang, ApiError::from(e)),
    };
    let Some(r) = jobs::result_of::<CheckResult>(&job) else {
        return not_found();
    };
    let Some(f) = r.fixable.get(n) else {
        return not_found();
    };
    let (Ok(round), Ok(hid)) = (
        RoundLabel::parse(&f.round),
        thanrak_core::HouseholdId::parse(&f.household_id),
    ) else {
        return not_found();
    };
    let version =
        match thanrak_app::entry::current_version(state.store(), &page.user, &round, &hid).await {
            Ok(v) => v,
            Err(e) => return error_page(&state, &lang, e.into()),
        };
    let strip = |cells: &[(String, String)]| -> Vec<(String, String)> {
        cells
            .iter()
            .filter(|(k, _)| !KEYS.contains(&k.as_str()))
            .cloned()
            .collect()
    };
    let entry = Entry {
        household: strip(&f.household),
        members: f.members.iter().map(|m| strip(m)).collect(),
        version,
    };
    let problems: Vec<Diagnostic> = r
        .problems
        .iter()
        .filter_map(|p| {
            let at = (p.file.clone(), p.row);
            let file = if f.household_origin.as_ref() == Some(&at) {
                "household".to_string()
            } else if let Some(k) = f.member_origins.iter().position(|o| *o == at) {
                format!("member {}", k + 1)
            } else {
                return None;
            };
            Some(Diagnostic {
                file,
                row: 0,
                column: p.column.clone(),
                value: p.value.clone(),
                reason: p.reason.clone(),
            })
        })
        .collect();
    show_form(
        &state,
        &lang,
        &page,
        StatusCode::OK,
        round.as_str(),
        hid.as_str(),
        &entry,
        false,
        &problems,
        None,
    )
}
