//! Times the writers and readers on a generated round of realistic size.
//!
//! `cargo run --release -p thanrak-io --example io_speed -- [HOUSEHOLDS] [--xlsx]`
//! (default 235,704 households, about a million members; `--xlsx` also times the workbook).

use std::time::Instant;

use thanrak_core::AreaRegistry;
use thanrak_demo::{generate, DemoConfig};
use thanrak_io::{read_batch, write_csv_tables, write_xlsx_tables};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let households = args.iter().find_map(|a| a.parse().ok()).unwrap_or(235_704);
    let xlsx = args.iter().any(|a| a == "--xlsx");
    let areas = AreaRegistry::official();
    let t = Instant::now();
    let config = DemoConfig {
        households,
        ..DemoConfig::default()
    };
    let [round, _] = generate(&config, areas).expect("a valid demo config");
    println!(
        "generated {} households, {} members in {:.2?}",
        round.households.len(),
        round.members.len(),
        t.elapsed()
    );
    let dir = tempfile::tempdir().expect("a temporary directory");

    let t = Instant::now();
    let files = write_csv_tables(&dir.path().join("csv"), &round.households, &round.members)
        .expect("CSV written");
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    println!("CSV write: {:.2?} ({} MB)", t.elapsed(), bytes / 1_000_000);

    let t = Instant::now();
    let batch = read_batch(&files, areas, &mut |_, _| {}).expect("CSV read");
    println!(
        "CSV read: {:.2?} ({} households, {} members, {} diagnostics)",
        t.elapsed(),
        batch.households.len(),
        batch.members.len(),
        batch.diagnostics.len()
    );
    assert!(batch.households == round.households && batch.members == round.members);

    if xlsx {
        let path = dir.path().join("export.xlsx");
        let t = Instant::now();
        write_xlsx_tables(&path, &round.households, &round.members).expect("XLSX written");
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!("XLSX write: {:.2?} ({} MB)", t.elapsed(), size / 1_000_000);
        let t = Instant::now();
        let batch = read_batch(&[path], areas, &mut |_, _| {}).expect("XLSX read");
        println!(
            "XLSX read: {:.2?} ({} households, {} members, {} diagnostics)",
            t.elapsed(),
            batch.households.len(),
            batch.members.len(),
            batch.diagnostics.len()
        );
        assert!(batch.households == round.households && batch.members == round.members);
    }
}
