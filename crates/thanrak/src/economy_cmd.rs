//! `thanrak enterprises import FILE | list` and `thanrak match`: the registry of the grassroots
//! economy and the matching of poor workers to its open positions (issue 11). Both act as an
//! admin unless `--as USER` names a stored user whose rights then apply.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use thanrak_app::access::{AccessError, Paging};
use thanrak_app::db::{EnterpriseFilter, Store};
use thanrak_app::economy::{import_enterprises, list_enterprises, EnterpriseImportOutcome};
use thanrak_app::help::acting_user;
use thanrak_app::matching::{run_match, MatchParams};
use thanrak_app::AppError;
use thanrak_core::economy::matching::Unplaced;
use thanrak_core::economy::EnterpriseKind;
use thanrak_core::AreaCode;

use crate::{parse_round, progress_bar, safe};

/// What to do with the registry of enterprises.
#[derive(Subcommand)]
pub(crate) enum EnterprisesCommand {
    /// Load a spreadsheet of enterprises (CSV, or XLSX with a sheet `enterprises`), all or
    /// nothing.
    ///
    /// Columns: enterprise_id, kind (community_enterprise, otop, sme, cbt, cooperative), name,
    /// village_code, lat, lon, employees, local_employees, local_resource_pct (0-100),
    /// shares_income (0/1), registration_no (community enterprises), otop_stars (OTOP, 1-5);
    /// optionally one open position per row (position_id, position_title, position_places,
    /// position_skills, position_wage_baht, position_season such as 11-3) and one buyer
    /// (sells_to_id, sells_what) and one supplier household of the registry in your areas
    /// (buys_from_household, buys_what). Repeat an enterprise's fields on more rows for more
    /// positions, buyers or suppliers. If any row has a problem nothing is written, each problem is printed with its
    /// file, row, column, value and reason, and the exit code is 2.
    Import {
        /// The file to load.
        path: PathBuf,
        /// Act as this stored user; default: an admin named after the operating-system user.
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
        /// Also write the problems as CSV to this file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Show one enterprise and the chain around it: positions, the enterprises it buys from
    /// and sells to, and the households (inside your areas) placed with it or supplying it.
    Show {
        /// The enterprise's id.
        id: i64,
        /// Act as this stored user; default: an admin.
        #[arg(long = "as", value_name = "USER")]
        user: Option<String>,
    },
    /// List the registry with each enterprise's grassroots score and its three traits.
    List {
        /// Inside this province, district, subdistrict or village.
        #[arg(long)]
        area: Option<String>,
        /// Only this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only names containing this text.
        #[arg(long)]
        name: Option<String>,
        /// At most this many lines.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

/// `thanrak match`: match the poor workers of a round to the open positions.
#[derive(Args)]
pub(crate) struct MatchArgs {
    /// The survey round (scored with the default methodology).
    #[arg(long)]
    round: String,
    /// Inside this province, district or subdistrict (workers and positions).
    #[arg(long)]
    area: Option<String>,
    /// The reach in kilometres.
    #[arg(long, default_value_t = 30)]
    max_km: u32,
    /// Let more than one worker of a household be placed.
    #[arg(long)]
    several_per_household: bool,
    /// Act as this stored user; default: an admin.
    #[arg(long = "as", value_name = "USER")]
    user: Option<String>,
    /// Write the pairs (tab-separated) to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write the workers left unplaced, with the reason, (tab-separated) to this file.
    #[arg(long)]
    unplaced: Option<PathBuf>,
}

fn access_error(e: AccessError) -> AppError {
    match e {
        AccessError::App(e) => e,
        AccessError::Forbidden(m) | AccessError::Throttled { message: m, .. } => {
            AppError::Invalid(m)
        }
    }
}

fn area(a: Option<String>) -> Result<Option<AreaCode>, AppError> {
    a.map(|a| crate::parse_area(&a)).transpose()
}

/// Runs an enterprises subcommand.
pub(crate) async fn enterprises(
    command: EnterprisesCommand,
    store: &Store,
) -> Result<ExitCode, AppError> {
    match command {
        EnterprisesCommand::Import { path, user, report } => {
            let (user, who) = acting_user(store, user.as_deref()).await?;
            match import_enterprises(store, &user, &who, &path)
                .await
                .map_err(access_error)?
            {
                EnterpriseImportOutcome::Loaded(s) => {
                    println!(
                        "loaded {} enterprises, {} positions ({} places), {} links, {} supplier households",
                        s.enterprises, s.positions, s.places, s.links, s.suppliers
                    );
                    Ok(ExitCode::SUCCESS)
                }
                EnterpriseImportOutcome::Rejected(diags) => {
                    crate::print_refused("enterprises import", &diags);
                    if let Some(path) = report {
                        thanrak_app::write_report(&path, &diags)?;
                        eprintln!("the full report is in {}", safe(path.display()));
                    }
                    Ok(ExitCode::from(2))
                }
            }
        }
        EnterprisesCommand::Show { id, user } => {
            let (user, _) = acting_user(store, user.as_deref()).await?;
            let c = thanrak_app::economy::enterprise_chain(store, &user, id)
                .await
                .map_err(access_error)?;
            let f = c.line.enterprise.fields();
            println!(
                "{}	{}	{}	grassroots {}/3",
                f.id,
                f.kind,
                safe(&f.name),
                c.line.score.points()
            );
            println!("village	{}", f.village);
            for p in &c.positions {
                println!(
                    "position	{}	{}	{} places	{} baht a month",
                    p.id,
                    safe(&p.title),
                    p.places,
                    p.wage_baht_month
                );
            }
            for (l, e) in &c.buys_from {
                let name = e
                    .as_ref()
                    .map(|e| e.fields().name.clone())
                    .unwrap_or_default();
                println!(
                    "buys from	{}	{}	{}",
                    l.supplier_id,
                    safe(&name),
                    safe(&l.what)
                );
            }
            for (l, e) in &c.sells_to {
                let name = e
                    .as_ref()
                    .map(|e| e.fields().name.clone())
                    .unwrap_or_default();
                println!("sells to	{}	{}	{}", l.buyer_id, safe(&name), safe(&l.what));
            }
            for s in c.suppliers.iter().flatten() {
                println!(
                    "supplier household	{}	{}	{}",
                    safe(s.supplier.household_id.as_str()),
                    s.village,
                    safe(&s.supplier.what)
                );
            }
            for w in c.workers.iter().flatten() {
                println!(
                    "worker	{}	{}	{}	{}",
                    safe(w.pair.household_id.as_str()),
                    w.pair.member_no,
                    w.pair.village_code,
                    w.state.as_str()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        EnterprisesCommand::List {
            area: a,
            kind,
            name,
            limit,
        } => {
            let kind = kind
                .map(|k| {
                    EnterpriseKind::parse(&k).ok_or_else(|| {
                        AppError::Invalid(format!(
                            "kind {:?}: one of {}",
                            safe(&k),
                            EnterpriseKind::CODES.join(", ")
                        ))
                    })
                })
                .transpose()?;
            let (user, _) = acting_user(store, None).await?;
            let filter = EnterpriseFilter { kind, name };
            let paging = Paging::new(Some(1), Some(limit.clamp(1, 500)))?;
            let cache = thanrak_app::area_figures::FiguresCache::new();
            let page = list_enterprises(store, &cache, &user, area(a)?.as_ref(), &filter, paging)
                .await
                .map_err(access_error)?;
            println!(
                "id\tkind\tname\tvillage\tscore\tlocal_employment\tlocal_resources\tshares_income"
            );
            for line in &page.items {
                let f = line.enterprise.fields();
                let s = line.score;
                let yes = |b: bool| if b { "yes" } else { "no" };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    f.id,
                    f.kind,
                    safe(&f.name),
                    f.village,
                    s.points(),
                    yes(s.local_employment),
                    yes(s.local_resources),
                    yes(s.shares_income)
                );
            }
            eprintln!("{} of {} enterprises", page.items.len(), page.total);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `thanrak match`.
pub(crate) async fn run(args: MatchArgs, store: &Store) -> Result<ExitCode, AppError> {
    let round = parse_round(&args.round)?;
    let area_code = area(args.area)?;
    let (user, _) = acting_user(store, args.user.as_deref()).await?;
    let params = MatchParams {
        round,
        area: area_code.map(|a| a.to_string()),
        max_m: args.max_km.saturating_mul(1000),
        one_per_household: !args.several_per_household,
        user: user.name.to_string(),
    };
    let mut bar = progress_bar();
    let r = run_match(store, &user, &params, &mut bar)
        .await
        .map_err(access_error)?;
    let t = &r.total;
    eprintln!(
        "run {}: {} workers ({} in hardship), {} placed ({} in hardship) in {} positions of {} places; {} allowed pairs",
        r.run_id, t.workers, t.hardship_workers, t.placed, t.hardship_placed, r.positions, r.places, r.allowed_pairs
    );
    for reason in Unplaced::ALL {
        let n = r
            .unplaced
            .iter()
            .filter(|u| u.reason == reason.as_str())
            .count();
        if n > 0 {
            eprintln!("unplaced, {}: {n}", reason.label_en().to_lowercase());
        }
    }
    eprintln!("area\tworkers\thardship\tplaced\thardship_placed");
    for a in &r.by_area {
        eprintln!(
            "{}\t{}\t{}\t{}\t{}",
            a.area, a.workers, a.hardship_workers, a.placed, a.hardship_placed
        );
    }
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| {
                AppError::Invalid(format!("cannot write {}: {e}", safe(path.display())))
            })?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let write = |out: &mut Box<dyn Write>, line: String| {
        out.write_all(line.as_bytes())
            .map_err(|e| AppError::Invalid(format!("cannot write the pairs: {e}")))
    };
    write(
        &mut out,
        "pair_id\thousehold_id\tmember_no\tvillage_code\thardship\tposition_id\tposition\tenterprise_id\tenterprise\tdistance_m\tmatched_skills\twage_baht_month\n".into(),
    )?;
    for p in &r.pairs {
        write(
            &mut out,
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                p.pair_id,
                safe(&p.household_id),
                p.member_no,
                p.village_code,
                u8::from(p.hardship),
                p.position_id,
                safe(&p.position_title),
                p.enterprise_id,
                safe(&p.enterprise_name),
                p.distance_m.map(|d| d.to_string()).unwrap_or_default(),
                p.matched_skills,
                p.wage_baht_month
            ),
        )?;
    }
    out.flush()
        .map_err(|e| AppError::Invalid(format!("cannot write the pairs: {e}")))?;
    if let Some(path) = &args.unplaced {
        let fail = |e: std::io::Error| {
            AppError::Invalid(format!("cannot write {}: {e}", safe(path.display())))
        };
        let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
        writeln!(w, "household_id\tmember_no\tvillage_code\thardship\treason").map_err(fail)?;
        for u in &r.unplaced {
            writeln!(
                w,
                "{}\t{}\t{}\t{}\t{}",
                safe(&u.household_id),
                u.member_no,
                u.village_code,
                u8::from(u.hardship),
                u.reason
            )
            .map_err(fail)?;
        }
        w.flush().map_err(fail)?;
        eprintln!(
            "{} unplaced workers written to {}",
            r.unplaced.len(),
            safe(path.display())
        );
    }
    Ok(ExitCode::SUCCESS)
}
