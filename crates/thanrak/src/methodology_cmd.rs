//! `thanrak methodology list | show ID|FILE | check FILE`: the shipped methodology files and
//! what a file says, without a database.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use thanrak_app::scoring::load_methodology;
use thanrak_app::AppError;
use thanrak_core::methodology::{Methodology, SHIPPED_FILES};

use crate::safe;

/// What to do with methodology files.
#[derive(Subcommand)]
pub(crate) enum MethodologyCommand {
    /// List the shipped methodologies: id, version, title.
    List,
    /// Show a methodology (a shipped id or a file): its line, k, target-poor rule, dimensions
    /// and indicators with weights, capital criteria, group rules and needs with their agencies.
    Show {
        /// A shipped id (`thanrak-default-1`, `tpmap-welfare-1`) or a file's path.
        methodology: PathBuf,
    },
    /// Check a methodology file: it is parsed, type-checked and compiled as `score` would; a
    /// wrong file is refused with its line and column (exit code 2).
    Check {
        /// The file's path.
        file: PathBuf,
    },
}

/// Runs a methodology subcommand.
pub(crate) fn run(command: MethodologyCommand) -> Result<ExitCode, AppError> {
    match command {
        MethodologyCommand::List => {
            println!("id\tversion\ttitle");
            for m in Methodology::shipped() {
                println!("{}\t{}\t{}", m.id(), m.version(), m.title().unwrap_or(""));
            }
        }
        MethodologyCommand::Show { methodology } => {
            let lm = load_methodology(Some(&methodology))?;
            show(&lm.methodology);
        }
        MethodologyCommand::Check { file } => {
            if !file.exists() && SHIPPED_FILES.iter().any(|(id, _)| file.as_os_str() == *id) {
                return Err(AppError::Invalid(format!(
                    "{} is a shipped methodology, not a file: `thanrak methodology show {}`",
                    file.display(),
                    file.display()
                )));
            }
            let lm = load_methodology(Some(&file))?;
            let m = &lm.methodology;
            println!(
                "ok: {} {} — {} dimensions, {} indicators, {} capital criteria, {} group rules, {} needs",
                safe(m.id()),
                safe(m.version()),
                m.dimensions().len(),
                m.indicators().len(),
                m.criteria().len(),
                m.group_rules().len(),
                m.needs().len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(m: &Methodology) {
    println!("id: {}", safe(m.id()));
    println!("version: {}", safe(m.version()));
    if let Some(t) = m.title() {
        println!("title: {}", safe(t));
    }
    println!("line: {} baht per person per year", m.line());
    println!("k: {}", m.k());
    println!("target poor: {}", safe(&m.target_poor_rule().when));
    println!("capable worker: {}", safe(&m.capable_worker().when));
    println!();
    println!("dimension\tindicator\tweight\tshort label (th)\tshort label (en)\twhen");
    for d in m.dimensions() {
        for &i in &d.indicators {
            let ind = &m.indicators()[i];
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}{}",
                safe(&d.id),
                safe(&ind.id),
                ind.weight,
                safe(&ind.short_th),
                safe(&ind.short_en),
                scope_prefix(ind.rule.scope.as_str()),
                safe(&ind.rule.when)
            );
        }
    }
    println!();
    println!("capital criterion\tlabel (en)\twhen");
    for c in m.criteria() {
        println!(
            "{}\t{}\t{}{}",
            safe(&c.code),
            safe(&c.label_en),
            scope_prefix(c.rule.scope.as_str()),
            safe(&c.rule.when)
        );
    }
    println!();
    println!("group rule\tgroup\twhen");
    for r in m.group_rules() {
        println!(
            "{}\t{}\t{}",
            safe(&r.id),
            r.group.as_str(),
            safe(&r.rule.when)
        );
    }
    println!();
    println!("need\tlabel (th)\tlabel (en)\tagencies\twhen");
    for n in m.needs() {
        println!(
            "{}\t{}\t{}\t{}\t{}{}",
            safe(&n.id),
            safe(&n.label_th),
            safe(&n.label_en),
            safe(n.agencies.join(",")),
            scope_prefix(n.rule.scope.as_str()),
            safe(n.rule.when.replace('\n', " "))
        );
    }
}

fn scope_prefix(scope: &str) -> String {
    if scope == "household" {
        String::new()
    } else {
        format!("[{scope}] ")
    }
}
