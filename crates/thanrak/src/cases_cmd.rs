//! `thanrak refer …` and `thanrak cases …`: referral between agencies from the command line,
//! acting as a stored user (`--as NAME`) with that user's rights, as its agency's own system
//! would through the API. Whoever runs the command line administers the machine (as with
//! `thanrak user`), so no password is asked.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use thanrak_app::access::{AccessError, Paging};
use thanrak_app::cases::{self, CaseQuery, GroupReferral, ReferRequest};
use thanrak_app::db::Store;
use thanrak_app::targeting::TargetQuery;
use thanrak_app::AppError;
use thanrak_core::case::{CaseMove, CaseState};
use thanrak_core::identity::AgencyCode;
use thanrak_core::identity::{User, UserName};
use thanrak_core::HouseholdId;

use crate::{parse_round, progress_bar, safe};

/// A referral: one household, or every household of a target list.
#[derive(Args)]
pub(crate) struct ReferArgs {
    /// The user who refers (an admin, or the area manager of the households' area).
    #[arg(long = "as", value_name = "USER")]
    user: String,
    /// The round the households were found in (scored with the default methodology).
    #[arg(long)]
    round: String,
    /// One household; without it, every household of the list the filters below give.
    #[arg(long)]
    household: Option<String>,
    /// The list: only households inside this area.
    #[arg(long, conflicts_with = "household")]
    area: Option<String>,
    /// The list: only households of this group (hardship, struggling, getting_by, doing_well).
    #[arg(long, conflicts_with = "household")]
    group: Option<String>,
    /// The list: only households deprived in this indicator.
    #[arg(long, conflicts_with = "household")]
    indicator: Option<String>,
    /// The list: only the persistent poor, poor in each of the last N scored rounds.
    #[arg(long, value_name = "N")]
    persistent: Option<u32>,
    /// The need referred (a list is the households that have it).
    #[arg(long)]
    need: String,
    /// The agency's code (`thanrak agencies list`).
    #[arg(long)]
    agency: String,
    /// What the agency should know.
    #[arg(long, default_value = "")]
    note: String,
    /// When the cases should be resolved (YYYY-MM-DD, or a Buddhist-Era date).
    #[arg(long)]
    due: Option<String>,
    /// Keep the cases proposed rather than send them at once.
    #[arg(long)]
    proposed: bool,
}

/// What to do with referral cases.
#[derive(Subcommand)]
pub(crate) enum CasesCommand {
    /// List the cases the user reads, newest first (tab-separated).
    List {
        /// The user whose cases to list (an agency officer: its agency's inbox).
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// Only cases in this state.
        #[arg(long)]
        state: Option<String>,
        /// Only the cases of this agency.
        #[arg(long)]
        agency: Option<String>,
        /// Only overdue cases.
        #[arg(long)]
        overdue: bool,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show one case with its history.
    Show {
        /// The case's id.
        id: i64,
        /// The user who reads it.
        #[arg(long = "as", value_name = "USER")]
        user: String,
    },
    /// Move a case: send, accept, start, resolve, decline (with --note, the reason) or cancel.
    Move {
        /// The case's id.
        id: i64,
        /// The move.
        action: String,
        /// The user who makes it.
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// A note (a decline's reason is required).
        #[arg(long, default_value = "")]
        note: String,
        /// The version read (the move is refused if the case changed since); the current one
        /// when not given.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Write a comment on a case.
    Comment {
        /// The case's id.
        id: i64,
        /// The user who writes it.
        #[arg(long = "as", value_name = "USER")]
        user: String,
        /// The comment.
        #[arg(long)]
        note: String,
    },
}

async fn acting(store: &Store, name: &str) -> Result<User, AppError> {
    let name = UserName::parse(name).map_err(|e| AppError::Invalid(format!("user {e}")))?;
    let user = store.accounts().user(&name).await?;
    if user.disabled {
        return Err(AppError::Invalid(format!("user {} is disabled", user.name)));
    }
    Ok(user)
}

fn app(e: AccessError) -> AppError {
    match e {
        AccessError::App(e) => e,
        other => AppError::Invalid(format!("refused: {other}")),
    }
}

fn agency(s: &str) -> Result<AgencyCode, AppError> {
    AgencyCode::parse(s).map_err(|e| AppError::Invalid(format!("agency {s:?} {e}")))
}

fn due(s: Option<&str>) -> Result<Option<chrono::NaiveDate>, AppError> {
    s.map(|d| {
        thanrak_core::date::parse_date(d)
            .map_err(|e| AppError::Invalid(format!("due date {d:?}: {e}")))
    })
    .transpose()
}

/// Runs `thanrak refer`.
pub(crate) async fn refer(a: ReferArgs, store: &Store) -> Result<ExitCode, AppError> {
    let user = acting(store, &a.user).await?;
    let round = parse_round(&a.round)?;
    let due_on = due(a.due.as_deref())?;
    let agency = agency(&a.agency)?;
    if let Some(h) = &a.household {
        let household_id =
            HouseholdId::parse(h).map_err(|e| AppError::Invalid(format!("household {h:?} {e}")))?;
        let req = ReferRequest {
            round,
            household_id,
            need: a.need,
            agency,
            note: a.note,
            due_on,
            send: !a.proposed,
        };
        let c = cases::refer(store, &user, &req).await.map_err(app)?;
        println!(
            "case {} opened: household {} · {} → {} ({})",
            c.id, c.new.household_id, c.new.need, c.new.agency, c.state
        );
        return Ok(ExitCode::SUCCESS);
    }
    let area = a.area.as_deref().map(crate::parse_area).transpose()?;
    let req = GroupReferral {
        query: TargetQuery {
            round,
            area,
            group: a.group,
            indicator: a.indicator,
            need: Some(a.need.clone()),
            persistent: a.persistent,
        },
        need: a.need,
        agency,
        note: a.note,
        due_on,
        send: !a.proposed,
    };
    let mut bar = progress_bar();
    let r = cases::refer_group(store, &user, &req, &mut bar)
        .await
        .map_err(app)?;
    println!(
        "{} households in the list: {} cases opened, {} skipped (an open case already), {} \
         skipped (outside the agency's areas)",
        r.households, r.opened, r.already_open, r.outside_agency_areas
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs a `thanrak cases` subcommand.
pub(crate) async fn run(command: CasesCommand, store: &Store) -> Result<ExitCode, AppError> {
    match command {
        CasesCommand::List {
            user,
            state,
            agency: a,
            overdue,
            limit,
        } => {
            let user = acting(store, &user).await?;
            let state = state
                .as_deref()
                .map(|s| {
                    CaseState::parse(s).ok_or_else(|| {
                        AppError::Invalid(format!(
                            "state {s:?}: one of {}",
                            CaseState::CODES.join(", ")
                        ))
                    })
                })
                .transpose()?;
            let q = CaseQuery {
                state,
                overdue,
                agency: a.as_deref().map(agency).transpose()?,
            };
            let cache = thanrak_app::area_figures::FiguresCache::new();
            let list =
                cases::list_cases(store, &cache, &user, &q, Paging::new(Some(1), Some(limit))?)
                    .await
                    .map_err(app)?;
            println!("case\thousehold\tround\tvillage\tneed\tagency\tstate\tpriority\tdue\towner");
            for c in &list.items {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    c.id,
                    c.new.household_id,
                    c.new.round,
                    c.new.village_code,
                    c.new.need,
                    c.new.agency,
                    c.state,
                    c.new.priority,
                    c.new.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    safe(c.owner.as_deref().unwrap_or(""))
                );
            }
            eprintln!("{} of {} cases", list.items.len(), list.total);
        }
        CasesCommand::Show { id, user } => {
            let user = acting(store, &user).await?;
            let (c, events) = cases::get_case(store, &user, id).await.map_err(app)?;
            println!(
                "case {}: household {} (round {}, village {}) · {} → {} · {} · version {}",
                c.id,
                c.new.household_id,
                c.new.round,
                c.new.village_code,
                c.new.need,
                c.new.agency,
                c.state,
                c.version
            );
            for e in events {
                let what = match e.from {
                    _ if e.is_comment() => "comment".to_string(),
                    Some(f) => format!("{f} → {}", e.to),
                    None => format!("opened {}", e.to),
                };
                println!(
                    "  {} {} {what}{}",
                    e.at.format("%Y-%m-%d %H:%M"),
                    safe(&e.user_name),
                    if e.note.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", safe(&e.note))
                    }
                );
            }
        }
        CasesCommand::Move {
            id,
            action,
            user,
            note,
            version,
        } => {
            let user = acting(store, &user).await?;
            let m = CaseMove::parse(&action).ok_or_else(|| {
                AppError::Invalid(format!(
                    "move {action:?}: one of {}",
                    CaseMove::CODES.join(", ")
                ))
            })?;
            let version = match version {
                Some(v) => v,
                None => {
                    cases::get_case(store, &user, id)
                        .await
                        .map_err(app)?
                        .0
                        .version
                }
            };
            let c = cases::move_case(store, &user, id, version, m, &note)
                .await
                .map_err(app)?;
            println!("case {} is now {} (version {})", c.id, c.state, c.version);
        }
        CasesCommand::Comment { id, user, note } => {
            let user = acting(store, &user).await?;
            cases::comment_case(store, &user, id, &note)
                .await
                .map_err(app)?;
            println!("comment written on case {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
