//! Follow-up across rounds (issue 12): `thanrak change --from R1 --to R2 --by LEVEL [--area
//! CODE]` prints what changed between two rounds scored with the default methodology — the
//! transition table of the four groups, who left poverty and who fell into it, H, A, M0 and every
//! indicator's headcount in both rounds — for the area and for each area of the level inside it.

use std::process::ExitCode;

use clap::Args;
use thanrak_app::access::AccessError;
use thanrak_app::area_figures::{FiguresCache, ScopedRow};
use thanrak_app::change::{change, AreaChange, ChangeQuery, ShownTransitions};
use thanrak_app::db::Store;
use thanrak_app::scoring::default_methodology;
use thanrak_app::AppError;
use thanrak_core::measure::change::{ABSENT, STATES};
use thanrak_core::measure::Unit;
use thanrak_core::methodology::Group;
use thanrak_core::AreaLevel;

use crate::{parse_round, safe};

/// How one measure is read from a row of figures.
type Measure = fn(&ScopedRow) -> f64;

/// What `thanrak change` compares.
#[derive(Args)]
pub(crate) struct ChangeArgs {
    /// The earlier round.
    #[arg(long)]
    from: String,
    /// The later round.
    #[arg(long)]
    to: String,
    /// The level of the rows: province, district, subdistrict or village (default: the level
    /// below the area).
    #[arg(long)]
    by: Option<String>,
    /// Inside this area (default: the whole country).
    #[arg(long)]
    area: Option<String>,
    /// H, A, M0 and headcounts over persons rather than households.
    #[arg(long)]
    persons: bool,
}

/// The command line's error for a refusal: a user error (exit code 2), with its words.
pub(crate) fn access_error(e: AccessError) -> AppError {
    match e {
        AccessError::App(e) => e,
        AccessError::Forbidden(m) | AccessError::Throttled { message: m, .. } => {
            AppError::Invalid(m)
        }
    }
}

fn state_label(i: usize) -> &'static str {
    Group::ALL.get(i).map_or("not in round", |g| g.label_en())
}

fn count(t: &ShownTransitions, i: usize, j: usize) -> String {
    t.cell(i, j).map_or("—".into(), |n| n.to_string())
}

fn print_table(title: &str, t: &ShownTransitions) {
    println!("\n{title} (rows: earlier round, columns: later round; households)");
    let head: Vec<&str> = (0..STATES).map(state_label).collect();
    println!("\t{}", head.join("\t"));
    for i in 0..STATES {
        let cells: Vec<String> = (0..STATES)
            .map(|j| {
                if i == ABSENT && j == ABSENT {
                    String::new()
                } else {
                    count(t, i, j)
                }
            })
            .collect();
        println!("{}\t{}", state_label(i), cells.join("\t"));
    }
    let c = &t.counts;
    let shown = |n: u64, hidden: bool| if hidden { "—".into() } else { n.to_string() };
    println!(
        "left poverty\t{}\tfell into poverty\t{}\tpoor in both\t{}",
        shown(c.left_poverty, t.poverty_hidden[0]),
        shown(c.fell_into_poverty, t.poverty_hidden[1]),
        shown(c.stayed_poor, t.poverty_hidden[2]),
    );
}

fn rate(r: Option<&ScopedRow>, f: impl Fn(&ScopedRow) -> f64) -> String {
    match r {
        Some(r) if !r.suppressed => format!("{:.4}", f(r)),
        _ => "—".into(),
    }
}

fn diff(a: Option<&ScopedRow>, b: Option<&ScopedRow>, f: impl Fn(&ScopedRow) -> f64) -> String {
    match (a, b) {
        (Some(a), Some(b)) if !a.suppressed && !b.suppressed => format!("{:+.4}", f(b) - f(a)),
        _ => "—".into(),
    }
}

fn area_line(r: &AreaChange) -> String {
    let t = &r.transitions;
    let c = &t.counts;
    let hidden = |h: bool, n: u64| if h { "—".into() } else { n.to_string() };
    let all_hidden = t.hidden.iter().flatten().all(|h| *h);
    let (b, a) = (r.before.as_ref(), r.after.as_ref());
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        r.area.map_or(String::new(), |a| a.to_string()),
        safe(&r.name_en),
        hidden(all_hidden, c.before_total()),
        hidden(all_hidden, c.after_total()),
        hidden(t.poverty_hidden[0], c.left_poverty),
        hidden(t.poverty_hidden[1], c.fell_into_poverty),
        rate(b, |r| r.row.summary.af.h),
        rate(a, |r| r.row.summary.af.h),
        diff(b, a, |r| r.row.summary.af.h),
    )
}

/// Runs `thanrak change`, as an admin.
pub(crate) async fn run(a: ChangeArgs, store: &Store) -> Result<ExitCode, AppError> {
    let by =
        a.by.as_deref()
            .map(|s| {
                AreaLevel::parse(s).ok_or_else(|| {
                    AppError::Invalid(format!(
                        "--by {s:?}: one of province, district, subdistrict, village"
                    ))
                })
            })
            .transpose()?;
    let area = a.area.as_deref().map(crate::parse_area).transpose()?;
    let q = ChangeQuery {
        from: parse_round(&a.from)?,
        to: parse_round(&a.to)?,
        area,
        by,
        unit: if a.persons {
            Unit::Person
        } else {
            Unit::Household
        },
    };
    let user = thanrak_app::policy::command_line_user();
    let lm = default_methodology();
    let c = change(store, &FiguresCache::new(), &lm, &user, &q)
        .await
        .map_err(access_error)?;
    let unit = if a.persons { "persons" } else { "households" };
    println!(
        "Change from {} to {} in {} ({}), {} methodology {}",
        c.from,
        c.to,
        safe(&c.overall.name_en),
        c.area.map_or("all".into(), |a| a.to_string()),
        unit,
        lm.methodology.id()
    );
    let t = &c.overall.transitions.counts;
    println!(
        "households: {} in {}, {} in {}; in both {}; only in {}: {}; only in {}: {}",
        t.before_total(),
        c.from,
        t.after_total(),
        c.to,
        t.in_both(),
        c.from,
        t.only_before(),
        c.to,
        t.only_after()
    );
    let (b, af) = (c.overall.before.as_ref(), c.overall.after.as_ref());
    println!("\nmeasure\t{}\t{}\tdifference", c.from, c.to);
    let measures: [(&str, Measure); 3] = [
        ("H", |r| r.row.summary.af.h),
        ("A", |r| r.row.summary.af.a),
        ("M0", |r| r.row.summary.af.m0),
    ];
    for (name, f) in measures {
        println!(
            "{name}\t{}\t{}\t{}",
            rate(b, f),
            rate(af, f),
            diff(b, af, f)
        );
    }
    for (i, (id, _, en)) in c.indicators.iter().enumerate() {
        let f = |r: &ScopedRow| r.row.summary.af.uncensored.get(i).copied().unwrap_or(0.0);
        println!(
            "{} ({id})\t{}\t{}\t{}",
            safe(en),
            rate(b, f),
            rate(af, f),
            diff(b, af, f)
        );
    }
    print_table("Groups", &c.overall.transitions);
    print_table(
        "Helped (help recorded against the earlier round)",
        &c.helped,
    );
    print_table("Not helped", &c.not_helped);
    if let Some(level) = c.by {
        println!(
            "\n{}\tname\thouseholds {}\thouseholds {}\tleft poverty\tfell into poverty\tH {}\tH {}\tH difference",
            level.as_str(),
            c.from,
            c.to,
            c.from,
            c.to
        );
        for r in &c.rows {
            println!("{}", area_line(r));
        }
    }
    Ok(ExitCode::SUCCESS)
}
