//! The `thanrak` command line: import, export, demo data, measurement and listings over a store
//! chosen by URL.

#![forbid(unsafe_code)]

mod agencies_cmd;
mod backup_cmd;
mod boundaries_cmd;
mod cases_cmd;
mod demo_followup;
mod economy_cmd;
mod field_cmd;
mod followup_cmd;
mod help_cmd;
mod measure_cmd;
mod methodology_cmd;
mod plan_cmd;
mod web_cmd;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use thanrak_app::db::{Store, DEFAULT_DATABASE_URL};
use thanrak_app::{AppError, ExportFormat, ImportMode, ImportOutcome, Importer};
use thanrak_core::{escape_for_terminal, RoundLabel};
use thanrak_demo::DemoConfig;

/// thanrak (ฐานราก): household survey data for precise, area-based poverty alleviation.
#[derive(Parser)]
// `help` is a command of its own (the logbook of help given): `thanrak --help` and
// `thanrak COMMAND --help` still print the help text.
#[command(name = "thanrak", version, about, long_about = None, disable_help_subcommand = true)]
struct Cli {
    /// Database: sqlite://PATH (embedded, the default) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "THANRAK_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

/// What to do with a round.
#[derive(Subcommand)]
enum RoundsCommand {
    /// Publish a round after checking it: pages and figures open on the latest published round.
    Publish {
        /// The round's label.
        round: String,
    },
    /// Take a round back to a draft.
    Draft {
        /// The round's label.
        round: String,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Import survey data: households.csv + members.csv, or an .xlsx with sheets households and members,
    /// or the submissions of the field form (`thanrak form xlsform`) as ODK Central exports them (the
    /// CSV .zip or the OData .json) or KoboToolbox (.xlsx, or its two .csv tables).
    ///
    /// Every row is checked first. If any row has a problem nothing is written, each problem is
    /// printed with its file, row, column, value and reason, and the exit code is 2. Loading the
    /// same data again changes nothing.
    Import {
        /// The files to load (CSV, XLSX, or a field export: .zip, .json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also write the problems as CSV to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Update fields of stored households only, keeping their members: for a households
        /// table without a members table (which is otherwise refused, since loading it would
        /// remove the members of its households).
        #[arg(long)]
        households_only: bool,
        /// Confirm that stored members which the files no longer list are removed (without it,
        /// an import that would remove members lists them and writes nothing).
        #[arg(long, conflicts_with = "households_only")]
        remove_members: bool,
    },
    /// Export one round's households and members in the import format.
    Export {
        /// The round's label, as listed by `thanrak rounds`.
        #[arg(long)]
        round: String,
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// csv (households.csv + members.csv) or xlsx (one workbook, a sheet per table).
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
    /// Generate and load a deterministic synthetic population (two survey rounds a year apart).
    Demo {
        /// Households per round.
        #[arg(long, default_value_t = 50_000)]
        households: usize,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Province codes, comma-separated (default Lampang 52 and Roi Et 45), or `all` for the
        /// 77 provinces (households spread by their number of subdistricts).
        #[arg(long, default_value = "52,45")]
        provinces: String,
        /// Write the rounds as files into this folder (ROUND/households.csv and members.csv, the
        /// import format) instead of loading them: no database is opened, and memory holds one
        /// province at a time, so a national population of 22 million households fits.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the survey rounds, oldest first, after a header line: label, last survey date,
    /// households, members, state (draft or published); or publish one.
    Rounds {
        #[command(subcommand)]
        command: Option<RoundsCommand>,
    },
    #[command(flatten)]
    Measure(measure_cmd::MeasureCommand),
    /// Run the web application: JSON API (documented at /api/docs) and pages.
    Serve(web_cmd::ServeArgs),
    /// Manage the accounts of the web application: add, list, disable, token, tokens, revoke-token.
    User {
        #[command(subcommand)]
        command: web_cmd::UserCommand,
    },
    /// The catalogue of cooperating agencies: list it, add or change an agency.
    Agencies {
        #[command(subcommand)]
        command: agencies_cmd::AgenciesCommand,
    },
    /// Refer a household, or every household of a target list, to an agency for a need.
    Refer(cases_cmd::ReferArgs),
    /// Referral cases: list the ones a user reads, show one, move it, comment on it.
    Cases {
        #[command(subcommand)]
        command: cases_cmd::CasesCommand,
    },
    /// Methodology files: list the shipped ones, show one, check a file.
    Methodology {
        #[command(subcommand)]
        command: methodology_cmd::MethodologyCommand,
    },
    /// Write the user's guide as Markdown into a folder: each shipped methodology (every
    /// indicator, capital, group rule and need, in Thai and English) and the import format
    /// (every column, its Thai header and coded values). `docs/` in the project is this output.
    Docs {
        /// The folder (created if missing).
        #[arg(long, default_value = "docs")]
        out: PathBuf,
    },
    /// Write the import template: an XLSX workbook with the sheets households and members
    /// (Thai headers, drop-down lists for coded values) and a guide sheet.
    Template {
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// The household survey for ODK Collect and KoboToolbox, as an XLSForm.
    Form {
        #[command(subcommand)]
        command: field_cmd::FormCommand,
    },
    /// Likely duplicate persons and households: list them, mark them, merge them.
    Duplicates {
        #[command(subcommand)]
        command: field_cmd::DuplicatesCommand,
    },
    /// Area boundaries for the web application's map: import a GeoJSON file of one level.
    Boundaries {
        #[command(subcommand)]
        command: boundaries_cmd::BoundariesCommand,
    },
    /// The logbook of help given: import an agency's spreadsheet, or print the summary.
    Help {
        #[command(subcommand)]
        command: help_cmd::HelpCommand,
    },
    /// The registry of the grassroots economy: import enterprises, list them with their score.
    Enterprises {
        #[command(subcommand)]
        command: economy_cmd::EnterprisesCommand,
    },
    /// Match the poor workers of a round to the registry's open positions (methodology §7).
    Match(economy_cmd::MatchArgs),
    /// What changed between two scored rounds: groups, poverty, H, A, M0 and indicators.
    Change(followup_cmd::ChangeArgs),
    /// Areas: rank candidate areas for strategic selection (methodology §6).
    Areas {
        #[command(subcommand)]
        command: plan_cmd::AreasCommand,
    },
    /// Partner universities acting as Area Managers: list, add, remove.
    Partners {
        #[command(subcommand)]
        command: plan_cmd::PartnersCommand,
    },
    /// Model areas and their development roadmaps.
    ModelAreas {
        #[command(subcommand)]
        command: plan_cmd::ModelAreasCommand,
    },
    /// Policy meetings with their decisions and action items.
    Meetings {
        #[command(subcommand)]
        command: plan_cmd::MeetingsCommand,
    },
    /// The policy-meeting report of an area, in Thai, as PDF or XLSX.
    Report(plan_cmd::ReportArgs),
    /// Back up the whole database into one file, while servers keep using it: SQLite's online
    /// copy (VACUUM INTO), or pg_dump's custom format for PostgreSQL (its client tools needed).
    /// An existing file is replaced only once the new backup is complete.
    Backup {
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the whole database with a backup made by `thanrak backup`. The backup is checked
    /// first (a thanrak database, whole, brought up to this version); a SQLite database replaced
    /// is kept beside it as FILE.before-restore. Stop the servers that use the database first.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Confirm that the database is to be replaced.
        #[arg(long)]
        yes: bool,
    },
    /// Check that the database is whole: the backend's integrity check, and the counts kept
    /// across tables (households per village, scores per scoring run). Prints `ok`, or each
    /// problem with exit code 1.
    Check,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Xlsx,
}

/// mimalloc rather than the C library's allocator: a loaded server allocates on one thread and
/// frees on another all the time, which glibc's malloc handles with locks and consolidation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", safe(&e));
            ExitCode::from(if e.is_user_error() { 2 } else { 1 })
        }
    }
}

fn write_docs(out: &std::path::Path) -> Result<ExitCode, AppError> {
    let fail =
        |e: std::io::Error| AppError::Invalid(format!("cannot write {}: {e}", safe(out.display())));
    std::fs::create_dir_all(out).map_err(fail)?;
    for (name, text) in thanrak_app::guide::files() {
        std::fs::write(out.join(&name), text).map_err(fail)?;
        eprintln!("wrote {}", safe(out.join(&name).display()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `--provinces`: codes, or `all`.
fn demo_provinces(list: &str) -> Result<Vec<thanrak_core::AreaCode>, AppError> {
    if list.trim().eq_ignore_ascii_case("all") {
        return Ok(thanrak_app::national::all_provinces());
    }
    thanrak_app::parse_provinces(list)
}

/// `thanrak demo --out DIR`: the population as files, no database.
fn demo_files(
    households: usize,
    seed: u64,
    provinces: &str,
    out: &Path,
) -> Result<ExitCode, AppError> {
    let config = DemoConfig {
        households,
        seed,
        provinces: demo_provinces(provinces)?,
    };
    let started = Instant::now();
    let s = thanrak_app::national::write_demo(&config, out, &mut progress_bar())?;
    for (label, dir) in &s.rounds {
        println!("{label}\t{}", safe(dir.display()));
    }
    eprintln!(
        "wrote {} provinces, {} households and {} members per round in {:.1} s",
        s.provinces,
        s.households,
        s.members,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// A round label given on the command line: the use cases take it parsed.
pub(crate) fn parse_round(s: &str) -> Result<RoundLabel, AppError> {
    RoundLabel::parse(s).map_err(|e| AppError::Invalid(format!("round label {s:?} {e}")))
}

/// An area given on the command line: a code of the official table or the name of a province,
/// district or subdistrict (`AreaRegistry::known`); an unknown one is the user's mistake.
pub(crate) fn parse_area(s: &str) -> Result<thanrak_core::AreaCode, AppError> {
    thanrak_core::AreaRegistry::official()
        .known(s)
        .map_err(|e| AppError::Invalid(format!("area {:?} {e}", safe(s))))
}

/// Text from files, the database or arguments made safe to print: control characters and
/// bidirectional overrides are shown as escapes (`\u{1b}`) rather than acted on by the terminal.
pub(crate) fn safe(text: impl std::fmt::Display) -> String {
    escape_for_terminal(&text.to_string()).into_owned()
}

/// Prints the problems that made `what` refuse its files (at most 200, then how many more), a
/// tab-separated line each: file, row, column, value, reason.
fn print_refused(what: &str, diags: &[thanrak_app::upload::Diagnostic]) {
    eprintln!(
        "{what} refused: {} problem(s), nothing was written",
        diags.len()
    );
    eprintln!("file\trow\tcolumn\tvalue\treason");
    for d in diags.iter().take(200) {
        eprintln!(
            "{}\t{}\t{}\t{}\t{}",
            safe(&d.file),
            d.row,
            safe(&d.column),
            safe(&d.value),
            safe(&d.reason)
        );
    }
    if diags.len() > 200 {
        eprintln!("… and {} more", diags.len() - 200);
    }
}

/// A progress bar on stderr that shows itself only on a terminal.
pub(crate) fn progress_bar() -> impl FnMut(&str, u64, u64) + Send {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    move |phase: &str, done: u64, total: u64| {
        if bar.message() != phase {
            bar.set_message(phase.to_string());
            bar.reset();
        }
        bar.set_length(total);
        bar.set_position(done);
        if done >= total {
            bar.finish_and_clear();
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, AppError> {
    let command = match cli.command {
        Command::Measure(m) => return measure_cmd::run(m, &cli.database_url).await,
        Command::Serve(args) => return web_cmd::serve(args, &cli.database_url).await,
        Command::User { command } => return web_cmd::user(command, &cli.database_url).await,
        Command::Boundaries { command } => {
            return boundaries_cmd::run(command, &cli.database_url).await
        }
        Command::Methodology { command } => return methodology_cmd::run(command),
        Command::Demo {
            households,
            seed,
            provinces,
            out: Some(out),
        } => return demo_files(households, seed, &provinces, &out),
        Command::Restore { file, yes } => {
            return backup_cmd::restore(&cli.database_url, &file, yes).await
        }
        Command::Docs { out } => return write_docs(&out),
        Command::Template { out } => {
            let bytes = thanrak_app::guide::import_template()?;
            std::fs::write(&out, bytes).map_err(|e| {
                AppError::Invalid(format!("cannot write {}: {e}", safe(out.display())))
            })?;
            eprintln!("the import template is in {}", safe(out.display()));
            return Ok(ExitCode::SUCCESS);
        }
        other => other,
    };
    let store = Store::connect(&cli.database_url).await?;
    let code = match command {
        Command::Agencies { command } => agencies_cmd::run(command, &store).await?,
        Command::Form { command } => field_cmd::run(command, &store).await?,
        Command::Duplicates { command } => field_cmd::duplicates(command, &store).await?,
        Command::Refer(args) => cases_cmd::refer(args, &store).await?,
        Command::Cases { command } => cases_cmd::run(command, &store).await?,
        Command::Help { command } => help_cmd::run(command, &store).await?,
        Command::Enterprises { command } => economy_cmd::enterprises(command, &store).await?,
        Command::Match(args) => economy_cmd::run(args, &store).await?,
        Command::Change(args) => followup_cmd::run(args, &store).await?,
        Command::Areas { command } => plan_cmd::areas(command, &store).await?,
        Command::Partners { command } => plan_cmd::partners(command, &store).await?,
        Command::ModelAreas { command } => plan_cmd::model_areas(command, &store).await?,
        Command::Meetings { command } => plan_cmd::meetings(command, &store).await?,
        Command::Report(args) => plan_cmd::report(args, &store).await?,
        Command::Backup { out } => backup_cmd::backup(&store, &cli.database_url, &out).await?,
        Command::Check => backup_cmd::check(&store).await?,
        Command::Import {
            paths,
            report,
            households_only,
            remove_members,
        } => {
            let started = Instant::now();
            let mut writing_from = None;
            let mut bar = progress_bar();
            let mut progress = |phase: &str, done: u64, total: u64| {
                if phase == "write" && writing_from.is_none() {
                    writing_from = Some(started.elapsed().as_secs_f64());
                }
                bar(phase, done, total)
            };
            let mode = if households_only {
                ImportMode::HouseholdsOnly
            } else {
                ImportMode::Whole
            };
            let outcome = thanrak_app::import_files(
                &store,
                &Importer::command_line(),
                &paths,
                mode,
                remove_members,
                &mut progress,
            )
            .await?;
            match outcome {
                ImportOutcome::Loaded(s) => {
                    let rounds: Vec<String> = s.rounds.iter().map(ToString::to_string).collect();
                    let total = started.elapsed().as_secs_f64();
                    let read = writing_from.unwrap_or(total);
                    println!(
                        "loaded {} households and {} members into round {} in {total:.1} s \
                         (read and checked {read:.1} s, written {:.1} s)",
                        s.households,
                        s.members,
                        rounds.join(", "),
                        total - read
                    );
                    if s.submissions > 0 {
                        println!(
                            "{} field submissions recorded; {} earlier versions kept in the \
                             households' history",
                            s.submissions, s.versions
                        );
                    }
                    ExitCode::SUCCESS
                }
                ImportOutcome::Rejected(diags) => {
                    crate::print_refused("import", &diags);
                    if let Some(path) = report {
                        thanrak_app::write_report(&path, &diags)?;
                        eprintln!("the full report is in {}", safe(path.display()));
                    }
                    ExitCode::from(2)
                }
                ImportOutcome::RemovesMembers(r) => {
                    eprintln!(
                        "import not loaded: it would remove {} stored member(s) from {} \
                         household(s) that the files no longer list; nothing was written",
                        r.members(),
                        r.households.len()
                    );
                    eprintln!("round\thousehold_id\tmember_no removed");
                    for (round, hh, nos) in r.households.iter().take(200) {
                        let nos: Vec<String> = nos.iter().map(ToString::to_string).collect();
                        eprintln!("{round}\t{hh}\t{}", nos.join(","));
                    }
                    if r.households.len() > 200 {
                        eprintln!("… and {} more households", r.households.len() - 200);
                    }
                    eprintln!("run again with --remove-members to load it and remove them");
                    ExitCode::from(2)
                }
            }
        }
        Command::Export { round, out, format } => {
            let format = match format {
                Format::Csv => ExportFormat::Csv,
                Format::Xlsx => ExportFormat::Xlsx,
            };
            let round = parse_round(&round)?;
            let started = Instant::now();
            let s = thanrak_app::export_round(&store, &round, &out, format).await?;
            for f in &s.files {
                println!("{}", safe(f.display()));
            }
            eprintln!(
                "exported {} households and {} members in {:.1} s",
                s.households,
                s.members,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Command::Demo {
            households,
            seed,
            provinces,
            out: None,
        } => {
            let config = DemoConfig {
                households,
                seed,
                provinces: demo_provinces(&provinces)?,
            };
            let started = Instant::now();
            let s = thanrak_app::load_demo(&store, &config, &mut progress_bar()).await?;
            let (e, p, _) = thanrak_app::economy::load_demo_economy(
                &store,
                &parse_round(thanrak_demo::ROUND_2)?,
                seed,
            )
            .await?;
            println!("grassroots economy: {e} enterprises, {p} open positions");
            for r in &s.rounds {
                let labels: Vec<String> = r.rounds.iter().map(ToString::to_string).collect();
                println!(
                    "round {}: {} households, {} members, {} villages",
                    labels.join(", "),
                    r.households,
                    r.members,
                    r.new_villages
                );
            }
            eprintln!(
                "demo data loaded in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            print_rounds(&store).await?;
            ExitCode::SUCCESS
        }
        Command::Rounds { command: None } => {
            print_rounds(&store).await?;
            ExitCode::SUCCESS
        }
        Command::Rounds { command: Some(c) } => {
            let (label, publish) = match &c {
                RoundsCommand::Publish { round } => (round, true),
                RoundsCommand::Draft { round } => (round, false),
            };
            let round = parse_round(label)?;
            let (user, _) = thanrak_app::help::acting_user(&store, None).await?;
            thanrak_app::publish_round(&store, &user, &round, publish)
                .await
                .map_err(|e| match e {
                    thanrak_app::access::AccessError::App(e) => e,
                    other => AppError::Invalid(other.to_string()),
                })?;
            println!(
                "round {round} is {}",
                if publish { "published" } else { "a draft" }
            );
            ExitCode::SUCCESS
        }
        Command::Measure(_)
        | Command::Serve(_)
        | Command::User { .. }
        | Command::Boundaries { .. }
        | Command::Docs { .. }
        | Command::Template { .. }
        | Command::Methodology { .. }
        | Command::Restore { .. }
        | Command::Demo { out: Some(_), .. } => {
            unreachable!("handled before the store is opened")
        }
    };
    store.close().await;
    Ok(code)
}

async fn print_rounds(store: &Store) -> Result<(), AppError> {
    let rounds = thanrak_app::rounds(store).await?;
    println!("round\tlast_survey_date\thouseholds\tmembers\tstate");
    if rounds.is_empty() {
        eprintln!("no survey rounds yet: load one with `thanrak import` or `thanrak demo`");
    }
    for r in rounds {
        let date = r
            .last_survey_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "-".into());
        println!(
            "{}\t{}\t{}\t{}\t{}",
            safe(&r.label),
            date,
            r.households,
            r.members,
            if r.published.is_some() {
                "published"
            } else {
                "draft"
            }
        );
    }
    Ok(())
}
