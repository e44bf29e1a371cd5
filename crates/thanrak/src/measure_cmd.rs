//! The measurement subcommands: `score`, `mpi` (stored rounds or any CSV), `groups`, `households`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Map, Value};
use thanrak_app::db::Store;
use thanrak_app::scoring::{self, Breakdown, FigureQuery, FigureRow, Figures, LoadedMethodology};
use thanrak_app::AppError;
use thanrak_core::measure::af::AfResult;
use thanrak_core::measure::Unit;
use thanrak_core::methodology::{Capital, Group, Ratio};
use thanrak_core::AreaCode;

use crate::{parse_round, progress_bar, safe};

/// Subcommands that measure poverty.
#[derive(Subcommand)]
pub enum MeasureCommand {
    /// Score every household of a round (deprivations, MPI, five capitals, group and reasons) and
    /// store the results with the methodology's id and version. Re-running replaces them.
    ///
    /// With --input and --out, scores files instead, without a database: a folder with
    /// households.csv and members.csv (members in the order of their households, as `thanrak
    /// export` and `thanrak demo --out` write them), or a folder of such folders, one per round.
    /// Each round gets OUT/ROUND/scores.csv (a row per household) and figures.csv (the country and
    /// each province). The files stream through in parts, so memory does not grow with them;
    /// every cell is checked as an import checks it, and files with problems write nothing.
    Score {
        /// The round to score.
        #[arg(long, required_unless_present = "input", conflicts_with = "input")]
        round: Option<String>,
        /// A methodology file (TOML); default: the shipped thanrak-default-1.
        #[arg(long)]
        methodology: Option<PathBuf>,
        /// Score the survey files in this folder instead of a stored round.
        #[arg(long, requires = "out")]
        input: Option<PathBuf>,
        /// Where to write the scores of --input.
        #[arg(long, requires = "input")]
        out: Option<PathBuf>,
    },
    /// The multidimensional poverty index (Alkire–Foster: H, A, M0, headcounts, contributions)
    /// of a scored round by area, group or sex of the head — or, with --deprivations, of any CSV
    /// of 0/1 indicator columns.
    Mpi(MpiArgs),
    /// Households and persons in each of the four groups, and mean capital scores, by area.
    Groups {
        /// The round (scored with `thanrak score`).
        #[arg(long)]
        round: String,
        /// province, district, subdistrict, village, group, head_sex or all.
        #[arg(long, default_value = "province")]
        by: String,
        /// Only households inside this area (a province, district or subdistrict code).
        #[arg(long)]
        area: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// The methodology the round was scored with (default: the shipped one).
        #[arg(long)]
        methodology: Option<PathBuf>,
    },
    /// One row per scored household: group, deprivation score, MPI-poor, TPMAP target-poor,
    /// the 16 indicator flags, the five capitals and the reasons.
    Households {
        /// The round (scored with `thanrak score`).
        #[arg(long)]
        round: String,
        /// Only households inside this area code.
        #[arg(long)]
        area: Option<String>,
        /// csv or json.
        #[arg(long, value_enum, default_value_t = RowFormat::Csv)]
        format: RowFormat,
        /// The methodology the round was scored with (default: the shipped one).
        #[arg(long)]
        methodology: Option<PathBuf>,
    },
}

/// Arguments of `thanrak mpi`.
#[derive(Args)]
pub struct MpiArgs {
    /// The round (scored with `thanrak score`).
    #[arg(
        long,
        required_unless_present = "deprivations",
        conflicts_with = "deprivations"
    )]
    round: Option<String>,
    /// province, district, subdistrict, village, group, head_sex or all.
    #[arg(long, default_value = "province")]
    by: String,
    /// Only households inside this area code.
    #[arg(long)]
    area: Option<String>,
    /// The poverty cut-off as a share of the total weight, e.g. 1/3 or 0.4 (default: the
    /// methodology's; required with --deprivations).
    #[arg(long)]
    k: Option<String>,
    /// Count persons (each member carries the household's deprivations) or households.
    #[arg(long, value_enum, default_value_t = UnitArg::Person)]
    unit: UnitArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// The methodology the round was scored with (default: the shipped one).
    #[arg(long)]
    methodology: Option<PathBuf>,
    /// Standalone: a CSV of 0/1 indicator columns (every column but the group and weight columns).
    #[arg(long)]
    deprivations: Option<PathBuf>,
    /// Standalone: indicator weights, comma-separated (fractions allowed), in column order;
    /// default equal. They are normalised to sum to 1.
    #[arg(long, requires = "deprivations")]
    weights: Option<String>,
    /// Standalone: the column that names each row's group (figures per group too).
    #[arg(long, requires = "deprivations")]
    group_column: Option<String>,
    /// Standalone: the column of sampling weights.
    #[arg(long, requires = "deprivations")]
    weight_column: Option<String>,
}

/// Output formats of aggregate figures.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Aligned text for reading.
    Table,
    /// CSV with every figure.
    Csv,
    /// JSON with every figure.
    Json,
}

/// Output formats of household rows.
#[derive(Clone, Copy, ValueEnum)]
pub enum RowFormat {
    /// CSV.
    Csv,
    /// JSON (an array of objects).
    Json,
}

/// Unit of count.
#[derive(Clone, Copy, ValueEnum)]
pub enum UnitArg {
    /// Persons.
    Person,
    /// Households.
    Household,
}

fn parse_k(s: &str) -> Result<Ratio, AppError> {
    Ratio::parse(s)
        .filter(|k| k.numer() > 0 && k <= &Ratio::new(1, 1).expect("1/1"))
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "k = {s:?}: give a share of the total weight in (0, 1], such as 1/3 or 0.4"
            ))
        })
}

fn parse_area(s: Option<&str>) -> Result<Option<AreaCode>, AppError> {
    s.map(crate::parse_area).transpose()
}

/// Runs a measurement subcommand; the store is opened only when the command needs one.
pub async fn run(cmd: MeasureCommand, database_url: &str) -> Result<ExitCode, AppError> {
    let mut out = std::io::stdout().lock();
    match cmd {
        MeasureCommand::Mpi(args) if args.deprivations.is_some() => {
            standalone(&args, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        MeasureCommand::Score {
            methodology,
            input: Some(input),
            out: Some(to),
            ..
        } => return score_files(methodology.as_deref(), &input, &to, &mut out),
        _ => {}
    }
    let store = Store::connect(database_url).await?;
    match cmd {
        MeasureCommand::Score {
            round, methodology, ..
        } => {
            let round = round.expect("clap requires --round without --input");
            let m = scoring::load_methodology(methodology.as_deref())?;
            let started = Instant::now();
            // The same code as a scoring job of the server, run inline with a progress bar.
            let params = thanrak_app::jobs::ScoreParams {
                round: parse_round(&round)?,
                methodology_id: m.methodology.id().to_string(),
            };
            let s = thanrak_app::jobs::run_score(&store, &m, &params, &mut progress_bar()).await?;
            if s.methodology_changed {
                eprintln!(
                    "warning: {} {} was used before with a different file; its results are replaced. Give an edited methodology a new version.",
                    safe(&s.methodology.0),
                    safe(&s.methodology.1)
                );
            }
            let total: u64 = s.groups.iter().sum();
            writeln!(
                out,
                "scored {} households of round {} with {} {} in {:.1} s",
                s.households,
                s.round,
                s.methodology.0,
                s.methodology.1,
                started.elapsed().as_secs_f64()
            )
            .map_err(io)?;
            for (g, n) in Group::ALL.iter().zip(s.groups) {
                writeln!(
                    out,
                    "  {:<11} {:<9} {:>8}  {:>5.1}%",
                    g.as_str(),
                    g.label_th(),
                    n,
                    pct(n, total)
                )
                .map_err(io)?;
            }
            let af = &s.overall.af;
            eprintln!(
                "  time: read {:.2} s, score and aggregate {:.2} s, write {:.2} s",
                s.seconds[0], s.seconds[1], s.seconds[2]
            );
            writeln!(
                out,
                "  persons: H = {:.4}, A = {:.4}, M0 = {:.4}",
                af.h, af.a, af.m0
            )
            .map_err(io)?;
        }
        MeasureCommand::Mpi(args) => {
            let m = scoring::load_methodology(args.methodology.as_deref())?;
            let q = FigureQuery {
                unit: match args.unit {
                    UnitArg::Person => Unit::Person,
                    UnitArg::Household => Unit::Household,
                },
                by: Breakdown::parse(&args.by)?,
                within: parse_area(args.area.as_deref())?,
                k: args.k.as_deref().map(parse_k).transpose()?,
                round: parse_round(args.round.as_deref().unwrap_or_default())?,
            };
            let f = scoring::figures(&store, &m, &q).await?;
            print_mpi(&f, args.format, &mut out)?;
        }
        MeasureCommand::Groups {
            round,
            by,
            area,
            format,
            methodology,
        } => {
            let m = scoring::load_methodology(methodology.as_deref())?;
            let q = FigureQuery {
                unit: Unit::Household,
                by: Breakdown::parse(&by)?,
                within: parse_area(area.as_deref())?,
                k: None,
                round: parse_round(&round)?,
            };
            let f = scoring::figures(&store, &m, &q).await?;
            print_groups(&f, format, &mut out)?;
        }
        MeasureCommand::Households {
            round,
            area,
            format,
            methodology,
        } => {
            let m = scoring::load_methodology(methodology.as_deref())?;
            let area = parse_area(area.as_deref())?;
            let round = parse_round(&round)?;
            let rows = scoring::household_scores(&store, &m, &round, area.as_ref()).await?;
            print_households(&m, &rows, format, &mut out)?;
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

fn io(e: std::io::Error) -> AppError {
    // A reader that stops early (`| head`) is not an error: stop quietly, as Unix tools do.
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    AppError::Invalid(format!("cannot write the output: {e}"))
}

fn pct(n: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * n as f64 / total as f64
    }
}

fn per_indicator(names: &[String], values: &[f64]) -> Value {
    Value::Object(
        names
            .iter()
            .cloned()
            .zip(values.iter().map(|v| json!(v)))
            .collect::<Map<_, _>>(),
    )
}

fn af_json(names: &[String], af: &AfResult) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("n".into(), json!(af.n));
    o.insert("q".into(), json!(af.q));
    o.insert("h".into(), json!(af.h));
    o.insert("a".into(), json!(af.a));
    o.insert("m0".into(), json!(af.m0));
    o.insert("uncensored".into(), per_indicator(names, &af.uncensored));
    o.insert("censored".into(), per_indicator(names, &af.censored));
    o.insert(
        "contributions".into(),
        per_indicator(names, &af.contributions),
    );
    o
}

fn row_json(f: &Figures, r: &FigureRow) -> Value {
    let mut o = Map::new();
    o.insert("key".into(), json!(r.key));
    o.insert("name_th".into(), json!(r.name_th));
    o.insert("name_en".into(), json!(r.name_en));
    o.extend(af_json(&f.indicators, &r.summary.af));
    let groups = |counts: [u64; 4]| -> Value {
        Value::Object(
            Group::ALL
                .iter()
                .map(|g| g.as_str().to_string())
                .zip(counts.iter().map(|c| json!(c)))
                .collect(),
        )
    };
    o.insert("households_by_group".into(), groups(r.summary.households));
    o.insert("persons_by_group".into(), groups(r.summary.persons));
    o.insert(
        "mean_capitals".into(),
        Value::Object(
            Capital::ALL
                .iter()
                .map(|c| c.as_str().to_string())
                .zip(r.summary.mean_capitals.iter().map(|v| json!(v)))
                .collect(),
        ),
    );
    Value::Object(o)
}

fn figures_json(f: &Figures) -> Value {
    json!({
        "methodology": {"id": f.methodology.0, "version": f.methodology.1},
        "k": f.k.to_string(),
        "unit": thanrak_app::db::unit_str(f.unit),
        "indicators": f.indicators,
        "overall": row_json(f, &f.overall),
        "rows": f.rows.iter().map(|r| row_json(f, r)).collect::<Vec<_>>(),
    })
}

fn csv_cell(s: &str) -> String {
    let s = &safe(s);
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn print_mpi(f: &Figures, format: Format, out: &mut impl Write) -> Result<(), AppError> {
    let rows = std::iter::once(&f.overall).chain(&f.rows);
    match format {
        Format::Json => writeln!(out, "{:#}", figures_json(f)).map_err(io),
        Format::Csv => {
            let mut header = vec![
                "key".to_string(),
                "name_th".into(),
                "name_en".into(),
                "n".into(),
                "q".into(),
                "h".into(),
                "a".into(),
                "m0".into(),
            ];
            for prefix in ["h_", "hk_", "contrib_"] {
                header.extend(f.indicators.iter().map(|i| format!("{prefix}{i}")));
            }
            writeln!(out, "{}", header.join(",")).map_err(io)?;
            for r in rows {
                let af = &r.summary.af;
                let mut cells = vec![csv_cell(&r.key), csv_cell(&r.name_th), csv_cell(&r.name_en)];
                cells.extend([af.n, af.q, af.h, af.a, af.m0].iter().map(f64::to_string));
                for v in [&af.uncensored, &af.censored, &af.contributions] {
                    cells.extend(v.iter().map(f64::to_string));
                }
                writeln!(out, "{}", cells.join(",")).map_err(io)?;
            }
            Ok(())
        }
        Format::Table => {
            let unit = thanrak_app::db::unit_str(f.unit);
            writeln!(
                out,
                "{} {} · k = {} · unit: {unit}",
                f.methodology.0, f.methodology.1, f.k
            )
            .map_err(io)?;
            writeln!(
                out,
                "{:<10} {:<28} {:>10} {:>7} {:>7} {:>7}",
                "area", "name", unit, "H", "A", "M0"
            )
            .map_err(io)?;
            for r in rows {
                let af = &r.summary.af;
                writeln!(
                    out,
                    "{:<10} {:<28} {:>10} {:>7.4} {:>7.4} {:>7.4}",
                    r.key,
                    truncate(&r.name_th, 28),
                    af.n,
                    af.h,
                    af.a,
                    af.m0
                )
                .map_err(io)?;
            }
            let top: Vec<String> = {
                let c = &f.overall.summary.af.contributions;
                let mut idx: Vec<usize> = (0..c.len()).collect();
                idx.sort_by(|a, b| c[*b].total_cmp(&c[*a]));
                idx.iter()
                    .take(5)
                    .map(|i| format!("{} {:.1}%", f.indicators[*i], 100.0 * c[*i]))
                    .collect()
            };
            writeln!(out, "largest contributions to M0: {}", top.join(", ")).map_err(io)
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    safe(s).chars().take(n).collect()
}

fn print_groups(f: &Figures, format: Format, out: &mut impl Write) -> Result<(), AppError> {
    let rows = std::iter::once(&f.overall).chain(&f.rows);
    match format {
        Format::Json => writeln!(out, "{:#}", figures_json(f)).map_err(io),
        Format::Csv => {
            let mut header = vec!["key".to_string(), "name_th".into(), "name_en".into()];
            header.extend(
                Group::ALL
                    .iter()
                    .map(|g| format!("households_{}", g.as_str())),
            );
            header.extend(Group::ALL.iter().map(|g| format!("persons_{}", g.as_str())));
            header.extend(Capital::ALL.iter().map(|c| format!("mean_{}", c.as_str())));
            writeln!(out, "{}", header.join(",")).map_err(io)?;
            for r in rows {
                let mut cells = vec![csv_cell(&r.key), csv_cell(&r.name_th), csv_cell(&r.name_en)];
                cells.extend(r.summary.households.iter().map(u64::to_string));
                cells.extend(r.summary.persons.iter().map(u64::to_string));
                cells.extend(r.summary.mean_capitals.iter().map(f64::to_string));
                writeln!(out, "{}", cells.join(",")).map_err(io)?;
            }
            Ok(())
        }
        Format::Table => {
            write!(out, "{:<10} {:<24}", "area", "name").map_err(io)?;
            for g in Group::ALL {
                write!(out, " {:>16}", g.as_str()).map_err(io)?;
            }
            writeln!(out, " {:>8}", "total").map_err(io)?;
            for r in rows {
                let total: u64 = r.summary.households.iter().sum();
                write!(out, "{:<10} {:<24}", r.key, truncate(&r.name_th, 24)).map_err(io)?;
                for n in r.summary.households {
                    write!(out, " {:>8} ({:>4.1}%)", n, pct(n, total)).map_err(io)?;
                }
                writeln!(out, " {total:>8}").map_err(io)?;
            }
            Ok(())
        }
    }
}

/// A fraction or score for a person to read: at most `places` decimals, trailing zeros dropped
/// (1/15 is `0.0667`, 1 is `1`). JSON keeps the full value.
fn decimals(x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn print_households(
    m: &LoadedMethodology,
    rows: &[thanrak_app::db::StoredScore],
    format: RowFormat,
    out: &mut impl Write,
) -> Result<(), AppError> {
    let meth = &m.methodology;
    let indicators: Vec<&str> = meth.indicators().iter().map(|i| i.id.as_str()).collect();
    match format {
        RowFormat::Csv => {
            let mut header = vec![
                "household_id",
                "village_code",
                "group",
                "score",
                "mpi_poor",
                "target_poor",
            ];
            header.extend(&indicators);
            header.extend(Capital::ALL.iter().map(|c| c.as_str()));
            header.push("reasons");
            writeln!(out, "{}", header.join(",")).map_err(io)?;
            for r in rows {
                let s = &r.score;
                let mut cells = vec![
                    csv_cell(s.household_id.as_str()),
                    r.village_code.to_string(),
                    s.group.as_str().to_string(),
                    decimals(s.score, 4),
                    u8::from(s.mpi_poor).to_string(),
                    u8::from(s.target_poor).to_string(),
                ];
                cells.extend((0..indicators.len()).map(|i| u8::from(s.deprived(i)).to_string()));
                cells.extend(s.capitals.iter().map(|c| decimals(*c, 2)));
                let reasons: Vec<&str> = s.reasons(meth).iter().map(|r| r.code).collect();
                cells.push(reasons.join(";"));
                writeln!(out, "{}", cells.join(",")).map_err(io)?;
            }
            Ok(())
        }
        RowFormat::Json => {
            let items: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let s = &r.score;
                    let mut o = Map::new();
                    o.insert("household_id".into(), json!(s.household_id.as_str()));
                    o.insert("village_code".into(), json!(r.village_code.to_string()));
                    o.insert("group".into(), json!(s.group.as_str()));
                    o.insert("score".into(), json!(s.score));
                    o.insert("mpi_poor".into(), json!(s.mpi_poor));
                    o.insert("target_poor".into(), json!(s.target_poor));
                    o.insert(
                        "deprivations".into(),
                        Value::Object(
                            indicators
                                .iter()
                                .enumerate()
                                .map(|(i, id)| (id.to_string(), json!(u8::from(s.deprived(i)))))
                                .collect(),
                        ),
                    );
                    o.insert(
                        "capitals".into(),
                        Value::Object(
                            Capital::ALL
                                .iter()
                                .map(|c| (c.as_str().to_string(), json!(s.capital(*c))))
                                .collect(),
                        ),
                    );
                    o.insert("income_pc".into(), json!(s.income_pc));
                    o.insert(
                        "reasons".into(),
                        Value::Array(
                            s.reasons(meth)
                                .iter()
                                .map(
                                    |r| json!({"code": r.code, "th": r.label_th, "en": r.label_en}),
                                )
                                .collect(),
                        ),
                    );
                    Value::Object(o)
                })
                .collect();
            writeln!(out, "{:#}", Value::Array(items)).map_err(io)
        }
    }
}

/// `thanrak score --input DIR --out DIR`: files to files, no database.
fn score_files(
    methodology: Option<&std::path::Path>,
    input: &std::path::Path,
    to: &std::path::Path,
    out: &mut impl Write,
) -> Result<ExitCode, AppError> {
    use thanrak_app::national::{score_files, ScoreFilesOutcome};
    let m = scoring::load_methodology(methodology)?;
    let started = Instant::now();
    match score_files(&m.methodology, input, to, &mut progress_bar())? {
        ScoreFilesOutcome::Refused(diagnostics) => {
            crate::print_refused("scoring", &diagnostics);
            Ok(ExitCode::from(2))
        }
        ScoreFilesOutcome::Done(rounds) => {
            for r in &rounds {
                let af = &r.overall.af;
                writeln!(
                    out,
                    "round {}: {} households, {} members; H {:.4}, A {:.4}, M0 {:.4} (persons); {} and {}",
                    safe(&r.round),
                    r.households,
                    r.members,
                    af.h,
                    af.a,
                    af.m0,
                    safe(r.scores.display()),
                    safe(r.figures.display())
                )
                .map_err(io)?;
            }
            eprintln!("scored in {:.1} s", started.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn standalone(args: &MpiArgs, out: &mut impl Write) -> Result<(), AppError> {
    let path = args.deprivations.as_ref().expect("checked by the caller");
    let k = parse_k(
        args.k
            .as_deref()
            .ok_or_else(|| AppError::Invalid("--deprivations needs --k (such as 1/3)".into()))?,
    )?;
    let weights = args
        .weights
        .as_deref()
        .map(|w| {
            w.split(',')
                .map(|x| {
                    Ratio::parse(x.trim())
                        .filter(|r| r.numer() >= 0)
                        .ok_or_else(|| {
                            AppError::Invalid(format!(
                                "weight {x:?} is not a non-negative number or fraction"
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let r = scoring::standalone_mpi(
        path,
        k,
        weights,
        args.group_column.as_deref(),
        args.weight_column.as_deref(),
    )?;
    match args.format {
        Format::Json => {
            let mut top = af_json(&r.indicators, &r.overall);
            top.insert("k".into(), json!(r.k.to_string()));
            top.insert("rows".into(), json!(r.rows));
            top.insert("indicators".into(), json!(r.indicators));
            top.insert(
                "weights".into(),
                Value::Object(
                    r.indicators
                        .iter()
                        .cloned()
                        .zip(r.weights.iter().map(|w| json!(w.to_f64())))
                        .collect(),
                ),
            );
            top.insert(
                "groups".into(),
                Value::Object(
                    r.groups
                        .iter()
                        .map(|(g, af)| (g.clone(), Value::Object(af_json(&r.indicators, af))))
                        .collect(),
                ),
            );
            writeln!(out, "{:#}", Value::Object(top)).map_err(io)
        }
        Format::Csv => {
            let mut header = vec![
                "group".to_string(),
                "n".into(),
                "q".into(),
                "h".into(),
                "a".into(),
                "m0".into(),
            ];
            for prefix in ["h_", "hk_", "contrib_"] {
                header.extend(r.indicators.iter().map(|i| format!("{prefix}{i}")));
            }
            writeln!(out, "{}", header.join(",")).map_err(io)?;
            for (g, af) in std::iter::once(&(String::new(), r.overall.clone())).chain(&r.groups) {
                let mut cells = vec![csv_cell(g)];
                cells.extend([af.n, af.q, af.h, af.a, af.m0].iter().map(f64::to_string));
                for v in [&af.uncensored, &af.censored, &af.contributions] {
                    cells.extend(v.iter().map(f64::to_string));
                }
                writeln!(out, "{}", cells.join(",")).map_err(io)?;
            }
            Ok(())
        }
        Format::Table => {
            writeln!(
                out,
                "{} rows, {} indicators, k = {}",
                r.rows,
                r.indicators.len(),
                r.k
            )
            .map_err(io)?;
            writeln!(
                out,
                "{:<16} {:>12} {:>8} {:>8} {:>8}",
                "group", "n", "H", "A", "M0"
            )
            .map_err(io)?;
            for (g, af) in
                std::iter::once(&("(all)".to_string(), r.overall.clone())).chain(&r.groups)
            {
                writeln!(
                    out,
                    "{:<16} {:>12} {:>8.4} {:>8.4} {:>8.4}",
                    truncate(g, 16),
                    af.n,
                    af.h,
                    af.a,
                    af.m0
                )
                .map_err(io)?;
            }
            writeln!(
                out,
                "{:<24} {:>8} {:>8} {:>8}",
                "indicator", "h", "h(k)", "contrib"
            )
            .map_err(io)?;
            for (i, name) in r.indicators.iter().enumerate() {
                let af = &r.overall;
                writeln!(
                    out,
                    "{:<24} {:>8.4} {:>8.4} {:>8.4}",
                    truncate(name, 24),
                    af.uncensored[i],
                    af.censored[i],
                    af.contributions[i]
                )
                .map_err(io)?;
            }
            Ok(())
        }
    }
}
