//! The policy meeting's plans on the command line (issue 12): `areas rank` (strategic area
//! selection, methodology §6), `partners` (universities acting as Area Managers), `model-areas`
//! (model areas and their roadmaps) and `meetings` (policy meetings and their action items).
//! Writes act as an admin unless `--as USER` names a stored user whose rights then apply.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;
use thanrak_app::area_figures::FiguresCache;
use thanrak_app::db::Store;
use thanrak_app::help::acting_user;
use thanrak_app::plan;
use thanrak_app::scoring::default_methodology;
use thanrak_app::strategy::{rank_areas, ranking_file, RankQuery};
use thanrak_app::{AppError, ExportFormat};
use thanrak_core::date::{format_iso, parse_date};
use thanrak_core::help::{format_baht, parse_baht};
use thanrak_core::identity::AgencyCode;
use thanrak_core::plan::{ActionItem, Activity, Heading, Meeting, ModelArea, Partner, WorkState};
use thanrak_core::strategy::Weights;
use thanrak_core::{AreaCode, AreaLevel};

use crate::followup_cmd::access_error;
use crate::{parse_round, safe};

/// `thanrak areas …`.
#[derive(Subcommand)]
pub(crate) enum AreasCommand {
    /// Rank candidate areas for strategic selection (methodology §6), every component beside
    /// the score.
    Rank {
        /// The level of the candidates: province, district, subdistrict or village.
        #[arg(long, default_value = "subdistrict")]
        level: String,
        /// Only the first N.
        #[arg(long)]
        top: Option<usize>,
        /// The round (default: the latest scored round).
        #[arg(long)]
        round: Option<String>,
        /// Inside this area (default: the whole country).
        #[arg(long)]
        area: Option<String>,
        /// The weights of concentration, Area Manager and data quality, comma-separated.
        #[arg(long, default_value = "0.5,0.25,0.25")]
        weights: String,
        /// The date data freshness is counted from (default: today).
        #[arg(long)]
        reference: Option<String>,
        /// Also write the ranking to this file (.csv or .xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `thanrak partners …`.
#[derive(Subcommand)]
pub(crate) enum PartnersCommand {
    /// List the partner universities with their areas.
    List,
    /// Register a partner university (or change one) with the areas it manages.
    Add {
        /// Its code (letters, digits, `._-`), such as `lpru`.
        code: String,
        /// Thai name.
        #[arg(long)]
        name_th: String,
        /// English name.
        #[arg(long)]
        name_en: String,
        /// Provinces, districts or subdistricts, comma-separated.
        #[arg(long)]
        areas: String,
        /// Whom to call.
        #[arg(long, default_value = "")]
        contact: String,
    },
    /// Remove a partner university.
    Remove {
        /// Its code.
        code: String,
    },
}

/// `thanrak model-areas …`.
#[derive(Subcommand)]
pub(crate) enum ModelAreasCommand {
    /// List the model areas with their roadmaps.
    List,
    /// Choose an area as a model area (or change its partner and note).
    Choose {
        /// The district, subdistrict or village.
        area: String,
        /// The partner university that accompanies it.
        #[arg(long)]
        partner: Option<String>,
        /// Why, and what the analysis of its households found.
        #[arg(long, default_value = "")]
        note: String,
        /// When it was chosen (default: today).
        #[arg(long)]
        chosen_on: Option<String>,
        /// Act as this stored user.
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
    /// Add an activity to a model area's roadmap.
    AddActivity {
        /// The model area.
        area: String,
        /// community_process, marketing, basic_improvements, processing or tourism.
        #[arg(long)]
        heading: String,
        /// What is done.
        #[arg(long)]
        title: String,
        /// The lead agency's code.
        #[arg(long)]
        agency: String,
        /// The budget in baht.
        #[arg(long, default_value = "0")]
        budget: String,
        /// When it starts.
        #[arg(long)]
        starts: Option<String>,
        /// When it ends.
        #[arg(long)]
        ends: Option<String>,
        /// planned, under_way, done or dropped.
        #[arg(long, default_value = "planned")]
        state: String,
        /// Household ids it concerns, comma-separated.
        #[arg(long, default_value = "")]
        households: String,
        /// Enterprise numbers it concerns, comma-separated.
        #[arg(long, default_value = "")]
        enterprises: String,
        /// Act as this stored user.
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
    /// Set the state of a roadmap activity.
    SetState {
        /// The activity's number.
        id: i64,
        /// planned, under_way, done or dropped.
        state: String,
        /// Act as this stored user.
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
}

/// `thanrak meetings …`.
#[derive(Subcommand)]
pub(crate) enum MeetingsCommand {
    /// List the meetings with their action items and how each stands.
    List,
    /// Record a meeting with its decisions and action items.
    Add {
        /// The province.
        #[arg(long)]
        province: String,
        /// When it was held.
        #[arg(long)]
        date: String,
        /// Its title.
        #[arg(long)]
        title: String,
        /// The agencies present, comma-separated codes.
        #[arg(long)]
        agencies: String,
        /// What was decided.
        #[arg(long, default_value = "")]
        decisions: String,
        /// An action item as `WHAT|AGENCY|AREA|DUE|CASES` (due and cases may be empty; cases
        /// space-separated); repeat for more.
        #[arg(long = "item")]
        items: Vec<String>,
        /// Act as this stored user.
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
    /// Move an action item: under_way, done, dropped (with a note why).
    Move {
        /// The item's number.
        id: i64,
        /// The state to move to.
        #[arg(long)]
        to: String,
        /// What was done, or why it is dropped.
        #[arg(long, default_value = "")]
        note: String,
        /// Act as this stored user.
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
}

fn invalid(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(e.to_string())
}

fn area(s: &str) -> Result<AreaCode, AppError> {
    crate::parse_area(s)
}

fn day(what: &str, s: &str) -> Result<NaiveDate, AppError> {
    parse_date(s.trim()).map_err(|e| invalid(format!("{what} {s:?}: {e}")))
}

fn list(s: &str) -> Vec<&str> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect()
}

fn state(s: &str) -> Result<WorkState, AppError> {
    WorkState::parse(s).ok_or_else(|| {
        invalid(format!(
            "state {s:?}: one of {}",
            WorkState::CODES.join(", ")
        ))
    })
}

fn today() -> NaiveDate {
    thanrak_app::help::thai_today()
}

/// Runs `thanrak areas …`.
pub(crate) async fn areas(c: AreasCommand, store: &Store) -> Result<ExitCode, AppError> {
    let AreasCommand::Rank {
        level,
        top,
        round,
        area: within,
        weights,
        reference,
        out,
    } = c;
    let level = AreaLevel::parse(&level).ok_or_else(|| {
        invalid(format!(
            "--level {level:?}: one of province, district, subdistrict, village"
        ))
    })?;
    let w: Vec<f64> = weights
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            invalid(format!(
                "--weights {weights:?}: three numbers, such as 0.5,0.25,0.25"
            ))
        })?;
    let [c, m, q] = w[..] else {
        return Err(invalid(format!(
            "--weights {weights:?}: three numbers, such as 0.5,0.25,0.25"
        )));
    };
    let format = match &out {
        Some(p) => Some(match p.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => ExportFormat::Csv,
            Some(e) if e.eq_ignore_ascii_case("xlsx") => ExportFormat::Xlsx,
            _ => {
                return Err(invalid(format!(
                    "--out {}: a .csv or .xlsx file",
                    p.display()
                )))
            }
        }),
        None => None,
    };
    let q = RankQuery {
        round: round.as_deref().map(parse_round).transpose()?,
        level,
        area: within.as_deref().map(area).transpose()?,
        weights: Weights::new(c, m, q).map_err(invalid)?,
        reference: match reference {
            Some(r) => day("--reference", &r)?,
            None => today(),
        },
        top,
    };
    let user = thanrak_app::policy::command_line_user();
    let r = rank_areas(
        store,
        &FiguresCache::new(),
        &default_methodology(),
        &user,
        &q,
    )
    .await
    .map_err(access_error)?;
    println!(
        "Strategic areas: {} ranked at {} level in {}, round {}, weights {} / {} / {}, reference {}",
        r.ranked,
        r.level.as_str(),
        r.area.map_or("the whole country".into(), |a| a.to_string()),
        r.round,
        r.weights.concentration,
        r.weights.area_manager,
        r.weights.data_quality,
        format_iso(r.reference)
    );
    println!("rank\tarea\tname\thouseholds\tpoor\tpoor share\tconcentration\tarea manager\tcompleteness\tfreshness\tdata quality\tscore");
    for row in &r.rows {
        let x = &row.ranked;
        println!(
            "{}\t{}\t{}\t{}\t{}\t{:.4}\t{:.4}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}",
            x.rank,
            x.candidate.area,
            safe(&row.name_en),
            x.candidate.households,
            x.candidate.poor,
            x.poor_share,
            x.concentration,
            if row.partners.is_empty() {
                "0".to_string()
            } else {
                format!("1 ({})", row.partners.join(" "))
            },
            x.completeness,
            x.freshness,
            x.data_quality,
            x.score
        );
    }
    if let (Some(path), Some(format)) = (out, format) {
        let bytes = ranking_file(&r, format)?;
        std::fs::write(&path, bytes)
            .map_err(|e| invalid(format!("cannot write {}: {e}", path.display())))?;
        eprintln!("written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `thanrak partners …`.
pub(crate) async fn partners(c: PartnersCommand, store: &Store) -> Result<ExitCode, AppError> {
    let user = thanrak_app::policy::command_line_user();
    match c {
        PartnersCommand::List => {
            println!("code\tname\tareas\tcontact");
            for p in plan::partners(store).await? {
                let areas: Vec<String> = p.areas.iter().map(ToString::to_string).collect();
                println!(
                    "{}\t{} ({})\t{}\t{}",
                    p.code,
                    safe(&p.name_th),
                    safe(&p.name_en),
                    areas.join(","),
                    safe(&p.contact)
                );
            }
        }
        PartnersCommand::Add {
            code,
            name_th,
            name_en,
            areas,
            contact,
        } => {
            let p = Partner::new(&code, &name_th, &name_en, &contact, &list(&areas))
                .map_err(invalid)?;
            plan::save_partner(store, &user, &p)
                .await
                .map_err(access_error)?;
            println!("partner {} saved with {} areas", p.code, p.areas.len());
        }
        PartnersCommand::Remove { code } => {
            let code =
                AgencyCode::parse(&code).map_err(|e| invalid(format!("code {code:?} {e}")))?;
            plan::remove_partner(store, &user, &code)
                .await
                .map_err(access_error)?;
            println!("partner {code} removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `thanrak model-areas …`.
pub(crate) async fn model_areas(c: ModelAreasCommand, store: &Store) -> Result<ExitCode, AppError> {
    match c {
        ModelAreasCommand::List => {
            let user = thanrak_app::policy::command_line_user();
            for m in plan::model_areas(store, &user).await? {
                println!(
                    "\n{} {} ({}) partner {} · chosen {} · {} activities, {:.0}% done, budget {} baht",
                    m.record.model.area,
                    safe(&m.name_th),
                    safe(&m.name_en),
                    m.record
                        .model
                        .partner
                        .as_ref()
                        .map_or("none".into(), ToString::to_string),
                    format_iso(m.record.model.chosen_on),
                    m.activities.len(),
                    m.progress * 100.0,
                    format_baht(m.budget_satang)
                );
                for a in &m.activities {
                    let x = &a.activity;
                    println!(
                        "  #{}\t{}\t{}\t{}\t{} baht\t{}–{}\t{}\t{} households, {} enterprises",
                        a.id,
                        x.heading.as_str(),
                        safe(&x.title),
                        x.lead_agency,
                        format_baht(x.budget_satang),
                        x.starts_on.map(format_iso).unwrap_or_default(),
                        x.ends_on.map(format_iso).unwrap_or_default(),
                        x.state.as_str(),
                        x.households.len(),
                        x.enterprises.len()
                    );
                }
            }
        }
        ModelAreasCommand::Choose {
            area: a,
            partner,
            note,
            chosen_on,
            user,
        } => {
            let (user, _) = acting_user(store, user.as_deref()).await?;
            let on = match chosen_on {
                Some(d) => day("--chosen-on", &d)?,
                None => today(),
            };
            let m = ModelArea::new(&a, partner.as_deref(), on, &note).map_err(invalid)?;
            plan::choose_model_area(store, &user, &m)
                .await
                .map_err(access_error)?;
            println!("{} is a model area", m.area);
        }
        ModelAreasCommand::AddActivity {
            area: a,
            heading,
            title,
            agency,
            budget,
            starts,
            ends,
            state: s,
            households,
            enterprises,
            user,
        } => {
            let (user, _) = acting_user(store, user.as_deref()).await?;
            let heading = Heading::parse(&heading).ok_or_else(|| {
                invalid(format!(
                    "--heading {heading:?}: one of {}",
                    Heading::CODES.join(", ")
                ))
            })?;
            let budget =
                parse_baht(&budget).map_err(|r| invalid(format!("--budget {budget:?}: {r}")))?;
            let activity = Activity::new(
                heading,
                &title,
                &agency,
                budget,
                starts.as_deref().map(|d| day("--starts", d)).transpose()?,
                ends.as_deref().map(|d| day("--ends", d)).transpose()?,
                state(&s)?,
                &list(&households),
                &list(&enterprises),
            )
            .map_err(invalid)?;
            let id = plan::add_activity(store, &user, &area(&a)?, &activity)
                .await
                .map_err(access_error)?;
            println!("activity #{id} added to {a}");
        }
        ModelAreasCommand::SetState { id, state: s, user } => {
            let (user, _) = acting_user(store, user.as_deref()).await?;
            plan::set_activity_state(store, &user, id, state(&s)?)
                .await
                .map_err(access_error)?;
            println!("activity #{id} is {s}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads `WHAT|AGENCY|AREA|DUE|CASES`.
fn item(province: &AreaCode, s: &str) -> Result<ActionItem, AppError> {
    let parts: Vec<&str> = s.split('|').collect();
    if parts.len() < 3 || parts.len() > 5 {
        return Err(invalid(format!(
            "--item {s:?}: WHAT|AGENCY|AREA|DUE|CASES (due and cases may be left out)"
        )));
    }
    let due = parts
        .get(3)
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
        .map(|d| day("due date", d))
        .transpose()?;
    let cases: Vec<i64> = parts
        .get(4)
        .map(|c| {
            c.split_whitespace()
                .map(|x| x.trim_start_matches('#').parse::<i64>())
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
        .map_err(|_| invalid(format!("--item {s:?}: cases are numbers")))?
        .unwrap_or_default();
    ActionItem::new(province, parts[0], parts[1], parts[2], due, &cases).map_err(invalid)
}

/// Runs `thanrak meetings …`.
pub(crate) async fn meetings(c: MeetingsCommand, store: &Store) -> Result<ExitCode, AppError> {
    match c {
        MeetingsCommand::List => {
            let user = thanrak_app::policy::command_line_user();
            let today = today();
            for m in plan::meetings(store, &user).await? {
                let x = &m.meeting;
                let present: Vec<String> = x.agencies.iter().map(ToString::to_string).collect();
                println!(
                    "\nmeeting #{}\t{}\tprovince {}\t{}\tpresent: {}",
                    m.id,
                    format_iso(x.held_on),
                    x.province,
                    safe(&x.title),
                    present.join(", ")
                );
                if !x.decisions.is_empty() {
                    println!("  decisions: {}", safe(&x.decisions));
                }
                for i in &m.items {
                    println!(
                        "  item #{}\t{}\t{}\t{}\tdue {}\t{}{}\tcases {:?}",
                        i.id,
                        safe(&i.item.what),
                        i.item.agency,
                        i.item.area,
                        i.item.due_on.map(format_iso).unwrap_or_else(|| "—".into()),
                        i.state.as_str(),
                        if plan::item_overdue(i, today) {
                            " (overdue)"
                        } else {
                            ""
                        },
                        i.item.cases
                    );
                }
            }
        }
        MeetingsCommand::Add {
            province,
            date,
            title,
            agencies,
            decisions,
            items,
            user,
        } => {
            let (user, _) = acting_user(store, user.as_deref()).await?;
            let m = Meeting::new(
                &province,
                day("--date", &date)?,
                &title,
                &list(&agencies),
                &decisions,
            )
            .map_err(invalid)?;
            let items: Vec<ActionItem> = items
                .iter()
                .map(|s| item(&m.province, s))
                .collect::<Result<_, _>>()?;
            let id = plan::record_meeting(store, &user, &m, &items)
                .await
                .map_err(access_error)?;
            println!("meeting #{id} recorded with {} action items", items.len());
        }
        MeetingsCommand::Move { id, to, note, user } => {
            let (user, _) = acting_user(store, user.as_deref()).await?;
            let to = state(&to)?;
            let current = thanrak_app::plan::meetings(store, &user)
                .await?
                .into_iter()
                .flat_map(|m| m.items)
                .find(|i| i.id == id)
                .ok_or_else(|| AppError::NotFound(format!("there is no action item {id}")))?;
            let i = plan::move_action_item(store, &user, id, current.version, to, &note)
                .await
                .map_err(access_error)?;
            println!("action item #{} is {}", i.id, i.state.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `thanrak report` makes.
#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    /// The province or district (or subdistrict).
    #[arg(long)]
    area: String,
    /// The round (default: the latest scored).
    #[arg(long)]
    round: Option<String>,
    /// Compare with this round (default: the one before).
    #[arg(long, conflicts_with = "since_meeting")]
    since: Option<String>,
    /// Follow the action items of this meeting (default: the latest before today).
    #[arg(long)]
    since_meeting: Option<i64>,
    /// The file to write: .pdf or .xlsx.
    #[arg(long)]
    out: PathBuf,
    /// Act as this stored user.
    #[arg(long = "as", value_name = "USER")]
    user: Option<String>,
}

/// Runs `thanrak report`.
pub(crate) async fn report(a: ReportArgs, store: &Store) -> Result<ExitCode, AppError> {
    let (user, _) = acting_user(store, a.user.as_deref()).await?;
    let ext = a
        .out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let format = thanrak_app::report::ReportFormat::parse(ext)
        .map_err(|_| invalid(format!("--out {}: a .pdf or .xlsx file", a.out.display())))?;
    let params = thanrak_app::report::ReportParams {
        area: a.area,
        round: a.round,
        since_round: a.since,
        since_meeting: a.since_meeting,
        format,
        user: user.name.to_string(),
    };
    let started = std::time::Instant::now();
    let made = thanrak_app::report::make_report(store, &user, &params, &mut crate::progress_bar())
        .await
        .map_err(access_error)?;
    std::fs::write(&a.out, &made.bytes)
        .map_err(|e| invalid(format!("cannot write {}: {e}", a.out.display())))?;
    println!(
        "{} written: {} KB in {:.1} s",
        a.out.display(),
        made.bytes.len() / 1024,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
