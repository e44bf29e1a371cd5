//! `thanrak serve` (the web application) and `thanrak user …` (its accounts).

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand};
use thanrak_app::access::{self, UserRequest};
use thanrak_app::db::Store;
use thanrak_app::jobs::{self, ScoreParams, WorkerConfig};
use thanrak_app::AppError;
use thanrak_core::identity::{AgencyCode, Scope, User};
use thanrak_core::{AreaCode, RoundLabel};
use thanrak_demo::DemoConfig;
use thanrak_web::auth::credentials;
use thanrak_web::{AppState, WebConfig};

use crate::{progress_bar, safe};

/// Arguments of `thanrak serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// On an empty database: load the demo data, score it and create demo accounts, whose
    /// passwords are printed once.
    #[arg(long)]
    demo: bool,
    /// Households per round loaded by --demo.
    #[arg(long, default_value_t = 50_000, requires = "demo")]
    demo_households: usize,
    /// Mark cookies Secure even without `X-Forwarded-Proto: https` (behind an HTTPS proxy).
    #[arg(long)]
    secure_cookies: bool,
    /// A PostgreSQL hot standby of the database (streaming replication): figures, target
    /// lists, household lists and profiles are read there, every write goes to --database-url.
    #[arg(long, env = "THANRAK_READ_DATABASE_URL")]
    read_database_url: Option<String>,
    /// Queue and follow jobs but run none: for a further server on the same PostgreSQL
    /// database beside one that runs them (that one alone marks jobs left running as failed
    /// when it starts).
    #[arg(long, conflicts_with = "demo")]
    no_jobs: bool,
}

/// `thanrak user …`: accounts of the web application.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user. Without --password-stdin a password is generated and printed once.
    Add {
        /// The login name (letters a-z, digits and . _ - @).
        name: String,
        /// admin, analyst, area_manager, surveyor or agency_officer.
        #[arg(long)]
        role: String,
        /// An area of the user: province or district codes for an area_manager, subdistrict or
        /// village codes for a surveyor. Repeat for several.
        #[arg(long = "area", value_name = "CODE")]
        areas: Vec<String>,
        /// The agency of an agency_officer (such as codi, dasta, osmep, pmua).
        #[arg(long, value_name = "CODE")]
        agency: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the users: name, role, areas, agency, state, creation date.
    List,
    /// Enable a disabled user again.
    Enable {
        /// The login name.
        name: String,
    },
    /// Make a one-time code with which the user sets a new password (on the login page, "reset
    /// code"); it is printed once and good for 24 hours. Hand it over in person or by phone,
    /// never by e-mail.
    ResetPassword {
        /// The login name.
        name: String,
    },
    /// Disable a user: it can no longer log in, its sessions end, its API tokens are refused.
    Disable {
        /// The login name.
        name: String,
    },
    /// Create an API token for a user and print it once (send it as `Authorization: Bearer …`).
    Token {
        /// The login name.
        name: String,
    },
    /// List a user's API tokens: id, created, last used (never the tokens themselves).
    Tokens {
        /// The login name.
        name: String,
    },
    /// Revoke one API token by its id (from `user tokens`); its user and other tokens stay.
    /// A server refuses it within 2 seconds (at once when revoked through the server).
    RevokeToken {
        /// The token's id.
        id: i64,
    },
}

/// Hashes a password off the async threads (argon2 is slow on purpose).
async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || credentials::hash_password(&password))
        .await
        .map_err(|e| AppError::Invalid(format!("cannot hash the password: {e}")))?
        .map_err(|e| AppError::Invalid(e.to_string()))
}

fn scope_text(u: &User) -> String {
    let mut parts: Vec<String> = u.areas.iter().map(ToString::to_string).collect();
    if let Some(a) = &u.agency {
        parts.push(format!("agency {a}"));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(",")
    }
}

/// Runs `thanrak user …`.
pub async fn user(cmd: UserCommand, database_url: &str) -> Result<ExitCode, AppError> {
    let store = Store::connect(database_url).await?;
    match cmd {
        UserCommand::Add {
            name,
            role,
            areas,
            agency,
            password_stdin,
        } => {
            let spec = access::check_user(&UserRequest {
                name,
                role,
                areas,
                agency,
            })?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .map_err(|e| AppError::Invalid(format!("cannot read the password: {e}")))?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (credentials::random_password(), true)
            };
            access::check_password(&password)?;
            let user = access::add_user(&store, spec, hash(password.clone()).await?).await?;
            eprintln!(
                "created user {} ({}, {})",
                user.name,
                user.role,
                scope_text(&user)
            );
            if generated {
                println!("{password}");
                eprintln!("that is the password: it is shown only now");
            }
        }
        UserCommand::List => {
            for u in access::list_users(&store).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    safe(&u.name),
                    u.role,
                    safe(scope_text(&u)),
                    if u.disabled { "disabled" } else { "active" },
                    u.created_at.format("%Y-%m-%d")
                );
            }
        }
        UserCommand::Enable { name } => {
            let u = access::enable_user(&store, &name).await?;
            eprintln!("enabled user {}", u.name);
        }
        UserCommand::ResetPassword { name } => {
            let code = credentials::reset_code();
            let (u, expires) =
                access::set_password_reset(&store, &name, &credentials::digest(&code)).await?;
            println!("{code}");
            eprintln!(
                "that is {}'s one-time reset code, good until {} UTC: it is shown only now; \
                 the user enters it on the login page (\"reset code\") with a new password",
                u.name,
                expires.format("%Y-%m-%d %H:%M")
            );
        }
        UserCommand::Disable { name } => {
            let u = access::disable_user(&store, &name).await?;
            eprintln!("disabled user {}: its sessions have ended", u.name);
        }
        UserCommand::Token { name } => {
            let (token, digest) = credentials::new_api_token();
            let u = access::add_api_token(&store, &name, &digest).await?;
            println!("{token}");
            eprintln!(
                "a new API token for {}: it is shown only now; send it as `Authorization: Bearer TOKEN`",
                u.name
            );
        }
        UserCommand::Tokens { name } => {
            for t in access::list_api_tokens(&store, Some(&name)).await? {
                println!(
                    "{}\t{}\t{}",
                    t.id,
                    t.created_at.format("%Y-%m-%d %H:%M"),
                    t.last_used_at
                        .map(|u| u.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".into())
                );
            }
        }
        UserCommand::RevokeToken { id } => {
            access::revoke_api_token(&store, id).await?;
            eprintln!("revoked API token {id}");
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Runs `thanrak serve` until Ctrl-C.
pub async fn serve(args: ServeArgs, database_url: &str) -> Result<ExitCode, AppError> {
    // A second initialisation (in tests that call this twice) is harmless; ignore it.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_max_level(tracing::Level::INFO)
        .try_init();
    let store = Store::connect(database_url).await?;
    let replica = match &args.read_database_url {
        Some(url) => Some(Store::connect_replica(url).await?),
        None => None,
    };
    // The jobs this server's last run left running were stopped with it; nothing they wrote was
    // committed. A server that runs no jobs leaves them to the one that does.
    if !args.no_jobs {
        let interrupted = store.jobs().fail_interrupted(chrono::Utc::now()).await?;
        if interrupted > 0 {
            eprintln!(
                "{interrupted} job(s) were running when the server last stopped: marked failed"
            );
        }
    }
    if args.demo {
        prepare_demo(&store, args.demo_households).await?;
    }
    if access::list_users(&store).await?.is_empty() {
        eprintln!("there are no users yet: create one with `thanrak user add NAME --role admin`");
    }
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .map_err(|e| AppError::Invalid(format!("cannot listen on {}: {e}", args.bind)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::Invalid(format!("cannot listen on {}: {e}", args.bind)))?;
    println!("listening on http://{addr}/ (API documentation at http://{addr}/api/docs/)");
    let config = WebConfig {
        secure_cookies: args.secure_cookies,
        jobs: WorkerConfig {
            // A test hook only (see `WorkerConfig::hold_at_stage`): the kill test sets it.
            hold_at_stage: std::env::var("THANRAK_TEST_HOLD_JOBS_AT").ok(),
            queue_only: args.no_jobs,
        },
        ..WebConfig::default()
    };
    let state = AppState::with_replica(store.clone(), replica.clone(), config);
    thanrak_web::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| AppError::Invalid(format!("the server stopped: {e}")))?;
    eprintln!("stopped");
    store.close().await;
    if let Some(r) = replica {
        r.close().await;
    }
    Ok(ExitCode::SUCCESS)
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (how service managers stop a server), so that
/// requests under way finish and SQLite checkpoints its log before the process ends.
async fn shutdown_signal() {
    let ctrl_c = async {
        // Without a signal handler the server runs until the process is killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
/// Loads and scores the demo rounds on an empty database, and creates demo accounts if there
/// are no users.
async fn prepare_demo(store: &Store, households: usize) -> Result<(), AppError> {
    if thanrak_app::rounds(store).await?.is_empty() {
        let started = Instant::now();
        let config = DemoConfig {
            households,
            ..DemoConfig::default()
        };
        let summary = thanrak_app::load_demo(store, &config, &mut progress_bar()).await?;
        // The registry before the scoring: its CBT groups decide the tourism need.
        let round = crate::parse_round(thanrak_demo::ROUND_2)?;
        let (e, p, l) = thanrak_app::economy::load_demo_economy(store, &round, 1).await?;
        eprintln!("demo grassroots economy: {e} enterprises, {p} open positions, {l} links");
        let what = thanrak_app::field::load_demo_field(store).await?;
        eprintln!("demo field data: {what}");
        // Every shipped methodology, so that the dashboard shows a round under both and lets
        // the user pick (the default first: pages show its run unless asked otherwise).
        for (id, _) in thanrak_core::methodology::SHIPPED_FILES {
            let methodology =
                thanrak_app::scoring::load_methodology(Some(std::path::Path::new(id)))?;
            for r in summary.rounds.iter().flat_map(|s| s.rounds.iter()) {
                let params = ScoreParams {
                    round: r.clone(),
                    methodology_id: methodology.methodology.id().to_string(),
                };
                jobs::run_score(store, &methodology, &params, &mut progress_bar()).await?;
            }
        }
        eprintln!(
            "demo data: {} households per round in Lampang (52) and Roi Et (45), loaded and scored in {:.1} s",
            households,
            started.elapsed().as_secs_f64()
        );
    } else {
        eprintln!("the database holds data already: the demo data is not loaded again");
    }
    let provinces = DemoConfig::default().provinces;
    if store
        .boundaries()
        .list(thanrak_core::AreaLevel::Province, None)
        .await?
        .is_empty()
    {
        let n = thanrak_app::boundaries::load_demo_boundaries(store, &provinces).await?;
        eprintln!("demo map: {n} illustrative area boundaries generated");
    }
    demo_economy(store).await?;
    if !access::list_users(store).await?.is_empty() {
        eprintln!(
            "the demo accounts exist already (admin, analyst, lampang, surveyor, codi): their \
             passwords were shown when they were made; to get one back, run \
             `thanrak user reset-password NAME` and enter the code on the login page"
        );
        return Ok(());
    }
    let surveyed = demo_subdistrict(store).await?;
    let mut accounts: Vec<(&str, &str, Vec<String>, Option<&str>)> = vec![
        ("admin", "admin", vec![], None),
        ("analyst", "analyst", vec![], None),
        ("lampang", "area_manager", vec!["52".into()], None),
        ("codi", "agency_officer", vec![], Some("codi")),
    ];
    if let Some(sub) = surveyed {
        accounts.insert(3, ("surveyor", "surveyor", vec![sub.to_string()], None));
    }
    // Scripts that drive the demo (the browser tests, the load benchmark) choose the password;
    // otherwise each account gets its own random one.
    let chosen = std::env::var("THANRAK_DEMO_PASSWORD").ok();
    if let Some(p) = &chosen {
        access::check_password(p)?;
    }
    println!("demo accounts (the passwords are shown only now):");
    for (name, role, areas, agency) in accounts {
        let spec = access::check_user(&UserRequest {
            name: name.into(),
            role: role.into(),
            areas,
            agency: agency.map(str::to_string),
        })?;
        let password = chosen.clone().unwrap_or_else(credentials::random_password);
        let user = access::add_user(store, spec, hash(password.clone()).await?).await?;
        println!(
            "  {:<10} {:<15} {:<12} {password}",
            user.name.as_str(),
            user.role.as_str(),
            scope_text(&user)
        );
    }
    let n = demo_cases(store).await?;
    eprintln!("demo referrals: {n} cases of Lampang households, in every state of the workflow");
    let n = demo_help(store).await?;
    eprintln!("demo help given: {n} episodes for Lampang households, one resolving its case");
    if let Some(what) = crate::demo_followup::load(store).await? {
        eprintln!("demo follow-up: {what}");
    }
    Ok(())
}

/// The demo's first match, when none has been run: Lampang's workers of the latest round
/// (run as the command line's admin) matched to the demo registry's open positions, so that
/// `/matching` shows pairs on first start.
async fn demo_economy(store: &Store) -> Result<(), AppError> {
    let admin = thanrak_app::policy::command_line_user();
    let runs = thanrak_app::matching::list_runs(store, &admin, 1)
        .await
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    if !runs.is_empty() {
        return Ok(());
    }
    let params = thanrak_app::matching::MatchParams {
        round: crate::parse_round(thanrak_demo::ROUND_2)?,
        area: Some("52".into()),
        max_m: thanrak_core::economy::matching::DEFAULT_MAX_M,
        one_per_household: true,
        user: admin.name.to_string(),
    };
    let r = thanrak_app::matching::run_match(store, &admin, &params, &mut progress_bar())
        .await
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    eprintln!(
        "demo match: {} of Lampang's {} workers placed ({} of {} in hardship)",
        r.total.placed, r.total.workers, r.total.hardship_placed, r.total.hardship_workers
    );
    Ok(())
}

/// The logbook of help for the demo: CODI's help resolves its in-progress occupation case, and
/// Lampang's area manager records twenty episodes for households of the province, across
/// agencies, kinds and the dimensions and capitals they address, so that `/help` and the family
/// profiles show help on first start. The same every time (no randomness, dates before today).
async fn demo_help(store: &Store) -> Result<usize, AppError> {
    use thanrak_app::access::Paging;
    use thanrak_app::cases::list_cases;
    use thanrak_app::help::{record_help, HelpRequest};
    use thanrak_core::case::CaseState;
    use thanrak_core::help::{Addresses, HelpKind};
    let users = access::list_users(store).await?;
    let user = |name: &str| users.iter().find(|u| u.name.as_str() == name).cloned();
    let (Some(lampang), Some(codi)) = (user("lampang"), user("codi")) else {
        return Ok(0);
    };
    let Some(round) = thanrak_app::rounds(store).await?.into_iter().last() else {
        return Ok(0);
    };
    let round: RoundLabel = round.label;
    let today = chrono::Utc::now().date_naive();
    let mut recorded = 0;
    let paging = Paging::new(Some(1), Some(100))?;
    let in_progress = thanrak_app::cases::CaseQuery {
        state: Some(CaseState::InProgress),
        ..Default::default()
    };
    let cache = thanrak_app::area_figures::FiguresCache::new();
    let inbox = list_cases(store, &cache, &codi, &in_progress, paging)
        .await
        .map_err(demo_error)?;
    if let Some(c) = inbox
        .items
        .iter()
        .find(|c| c.state == CaseState::InProgress && c.new.need == "occupation")
    {
        let req = HelpRequest {
            round: c.new.round.clone(),
            household_id: c.new.household_id.clone(),
            agency: c.new.agency.clone(),
            kind: HelpKind::Training,
            addresses: Addresses::Capital(thanrak_core::methodology::Capital::Human),
            what: "อบรมทอผ้าและชุดกี่ทอผ้า".into(),
            value_satang: 850_000,
            given_on: today - chrono::Duration::days(3),
            case_id: Some(c.id),
        };
        record_help(store, &codi, &req).await.map_err(demo_error)?;
        recorded += 1;
    }
    let province = AreaCode::parse("52").expect("a valid province code");
    let (households, _) = store
        .registry()
        .scoped_households(&Scope::Areas(vec![province]), &round, None, 8, 20)
        .await?;
    // agency, kind, addresses, what, baht
    let plan: [(&str, HelpKind, &str, &str, i64); 10] = [
        (
            "codi",
            HelpKind::Housing,
            "physical",
            "ซ่อมแซมบ้านตามโครงการบ้านพอเพียง",
            25_000,
        ),
        (
            "local_government",
            HelpKind::Cash,
            "income",
            "เงินสงเคราะห์ผู้มีรายได้น้อย",
            3_000,
        ),
        (
            "osmep",
            HelpKind::Training,
            "financial",
            "อบรมการทำบัญชีครัวเรือนและการตลาดออนไลน์",
            4_500,
        ),
        (
            "dasta",
            HelpKind::Job,
            "income",
            "จ้างงานมัคคุเทศก์ท้องถิ่นในวิสาหกิจท่องเที่ยวชุมชน",
            12_000,
        ),
        (
            "health_office",
            HelpKind::Health,
            "health",
            "เยี่ยมบ้านและอุปกรณ์ดูแลผู้ป่วยติดเตียง",
            6_800,
        ),
        (
            "education_office",
            HelpKind::Education,
            "education",
            "ทุนการศึกษาต่อชั้นมัธยมปลาย",
            10_000,
        ),
        (
            "agriculture_office",
            HelpKind::InKind,
            "natural",
            "พันธุ์ไม้ผลและปุ๋ยอินทรีย์",
            2_400,
        ),
        (
            "social_development",
            HelpKind::InKind,
            "living",
            "ถุงยังชีพและเครื่องนอน",
            1_500,
        ),
        (
            "employment_office",
            HelpKind::Job,
            "human",
            "จับคู่งานในโรงงานเซรามิกลำปาง",
            0,
        ),
        ("pmua", HelpKind::Other, "social", "ตั้งกลุ่มออมทรัพย์ชุมชน", 5_000),
    ];
    for (i, h) in households.iter().enumerate() {
        let (agency, kind, addresses, what, baht) = plan[i % plan.len()];
        let req = HelpRequest {
            round: round.clone(),
            household_id: h.household_id.clone(),
            agency: AgencyCode::parse(agency).expect("a catalogue agency"),
            kind,
            addresses: Addresses::parse(addresses).expect("a dimension or capital"),
            what: what.to_string(),
            // The second time round the plan, a little more help: figures that differ.
            value_satang: baht * 100 * (1 + (i / plan.len()) as i64),
            given_on: today - chrono::Duration::days(7 * (i as i64 + 1)),
            case_id: None,
        };
        record_help(store, &lampang, &req)
            .await
            .map_err(demo_error)?;
        recorded += 1;
    }
    Ok(recorded)
}

/// Referral cases for the demo: households of Lampang referred by its area manager to CODI (and
/// one to DASTA), moved so that every state of the workflow shows, one of them overdue, with
/// comments; and a whole target group (the province's households in hardship needing welfare)
/// referred at once to the social development office.
async fn demo_cases(store: &Store) -> Result<usize, AppError> {
    use thanrak_app::cases::{
        comment_case, move_case, refer, refer_group, GroupReferral, ReferRequest,
    };
    use thanrak_app::targeting::TargetQuery;
    use thanrak_core::case::{CaseMove, CaseState};
    let users = access::list_users(store).await?;
    let user = |name: &str| users.iter().find(|u| u.name.as_str() == name).cloned();
    let (Some(lampang), Some(codi)) = (user("lampang"), user("codi")) else {
        return Ok(0);
    };
    let Some(round) = thanrak_app::rounds(store).await?.into_iter().last() else {
        return Ok(0);
    };
    let round: RoundLabel = round.label;
    let province = AreaCode::parse("52").expect("a valid province code");
    let (households, _) = store
        .registry()
        .scoped_households(&Scope::Areas(vec![province]), &round, None, 0, 8)
        .await?;
    let today = chrono::Utc::now().date_naive();
    // need, agency, sent at once, due in days, the moves after it, note
    type Planned<'a> = (&'a str, &'a str, bool, i64, &'a [CaseMove], &'a str);
    let plan: [Planned; 8] = [
        ("housing", "codi", true, 30, &[], "หลังคารั่ว ฝนตกน้ำเข้าบ้าน"),
        ("housing", "codi", true, -14, &[], "บ้านทรุดโทรม ผู้สูงอายุอยู่ลำพัง"),
        (
            "occupation",
            "codi",
            true,
            60,
            &[CaseMove::Accept],
            "ต้องการทุนเลี้ยงไก่ไข่",
        ),
        (
            "housing",
            "codi",
            true,
            45,
            &[CaseMove::Accept, CaseMove::Start],
            "ซ่อมห้องน้ำ",
        ),
        (
            "occupation",
            "codi",
            true,
            20,
            // Resolved by the help recorded for it (`demo_help`).
            &[CaseMove::Accept, CaseMove::Start],
            "ฝึกอาชีพทอผ้า",
        ),
        (
            "housing",
            "codi",
            true,
            30,
            &[CaseMove::Decline],
            "อยู่นอกพื้นที่โครงการบ้านมั่นคงปีนี้",
        ),
        (
            "occupation",
            "codi",
            true,
            30,
            &[CaseMove::Cancel],
            "ครัวเรือนย้ายออกจากพื้นที่",
        ),
        (
            "tourism",
            "dasta",
            false,
            90,
            &[],
            "ชุมชนมีแหล่งท่องเที่ยว เสนอให้ร่วมวิสาหกิจท่องเที่ยวชุมชน",
        ),
    ];
    let mut opened = 0;
    for (h, (need, agency, send, due, moves, note)) in households.iter().zip(plan) {
        let req = ReferRequest {
            round: round.clone(),
            household_id: h.household_id.clone(),
            need: need.to_string(),
            agency: AgencyCode::parse(agency).expect("a catalogue agency"),
            note: note.to_string(),
            due_on: today.checked_add_signed(chrono::Duration::days(due)),
            send,
        };
        let mut case = refer(store, &lampang, &req).await.map_err(demo_error)?;
        opened += 1;
        for m in moves {
            // Cancelling is the referring side's move; the others are the agency's.
            let (by, why) = match m {
                CaseMove::Cancel => (&lampang, note),
                CaseMove::Decline => (&codi, note),
                _ => (&codi, ""),
            };
            case = move_case(store, by, case.id, case.version, *m, why)
                .await
                .map_err(demo_error)?;
        }
        // Updates on the way: the agency on the case it works on, the referring side on the
        // one that is late.
        let comment = match (case.state, case.new.due_on) {
            (CaseState::InProgress, _) => Some((&codi, "นัดช่างเข้าดูหน้างานแล้ว รอวัสดุ")),
            (CaseState::Sent, Some(d)) if d < today => {
                Some((&lampang, "เลยกำหนดแล้ว ขอให้หน่วยงานพิจารณาโดยเร็ว"))
            }
            _ => None,
        };
        if let Some((by, note)) = comment {
            comment_case(store, by, case.id, note)
                .await
                .map_err(demo_error)?;
        }
    }
    // A target group referred at once: the province's households in hardship that need
    // welfare, to the provincial social development office.
    let group = GroupReferral {
        query: TargetQuery {
            round: round.clone(),
            area: Some(province),
            group: Some("hardship".into()),
            indicator: None,
            need: Some("welfare".into()),
            persistent: None,
        },
        need: "welfare".into(),
        agency: AgencyCode::parse("social_development").expect("a catalogue agency"),
        note: "กลุ่มอยู่ลำบากที่ยังเข้าไม่ถึงสวัสดิการ ส่งต่อทั้งกลุ่มจากการประชุมจังหวัด".into(),
        due_on: today.checked_add_signed(chrono::Duration::days(60)),
        send: true,
    };
    let r = refer_group(store, &lampang, &group, &mut |_: &str, _: u64, _: u64| {})
        .await
        .map_err(demo_error)?;
    Ok(opened + r.opened)
}

fn demo_error(e: thanrak_app::access::AccessError) -> AppError {
    match e {
        thanrak_app::access::AccessError::App(e) => e,
        other => AppError::Invalid(format!("demo referrals: {other}")),
    }
}

/// A Lampang subdistrict that holds demo households, for the demo surveyor.
async fn demo_subdistrict(store: &Store) -> Result<Option<AreaCode>, AppError> {
    let Some(round) = thanrak_app::rounds(store).await?.into_iter().next() else {
        return Ok(None);
    };
    let lampang = AreaCode::parse("52").expect("a valid province code");
    let round: RoundLabel = round.label;
    let (first, _) = store
        .registry()
        .scoped_households(&Scope::Areas(vec![lampang]), &round, None, 0, 1)
        .await?;
    Ok(first.first().and_then(|h| h.village_code.parent()))
}
