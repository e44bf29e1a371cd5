//! Importing field submissions (issue 13): 100,000 submissions of the household form as ODK
//! Central exports them (the CSV zip), against the same households as the import format's two
//! CSV files through the same importer (the baseline of the run), then the same export again
//! (every submission already loaded, nothing written).
//!
//! `THANRAK_BENCH_HOUSEHOLDS=100000 THANRAK_BENCH_DB_DIR=bench/out cargo bench -p thanrak-app --bench field`
//! (bench/field.sh runs it, with sqlite3's own `.import` of the same two CSV tables beside it).

use std::path::PathBuf;
use std::time::Instant;

use thanrak_app::{import_files, ImportMode, ImportOutcome, Importer};
use thanrak_core::field::form::form_id;
use thanrak_core::{AreaCode, AreaRegistry};
use thanrak_demo::DemoConfig;
use thanrak_io::field_write::{central_csv_zip, Filled};
use thanrak_store::Store;

fn main() {
    let n: usize = std::env::var("THANRAK_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir =
        PathBuf::from(std::env::var("THANRAK_BENCH_DB_DIR").unwrap_or_else(|_| "bench/out".into()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = DemoConfig {
        households: n,
        seed: 1,
        provinces: vec![
            AreaCode::parse("52").unwrap(),
            AreaCode::parse("45").unwrap(),
        ],
    };
    let [round, round2] = thanrak_demo::generate(&config, AreaRegistry::official()).unwrap();
    let mut by_household: std::collections::HashMap<_, Vec<_>> = std::collections::HashMap::new();
    for m in &round.members {
        by_household
            .entry(m.household_id.clone())
            .or_default()
            .push(m.clone());
    }
    let filled: Vec<Filled> = round
        .households
        .iter()
        .enumerate()
        .map(|(i, h)| Filled {
            key: format!("uuid:{i:08x}-5e1f-4c1a-9d7b-000000000000"),
            version: format!("uuid:{i:08x}-5e1f-4c1a-9d7b-000000000000"),
            submitted_at: "2025-06-03T09:12:44.512Z".into(),
            review: None,
            household: h.clone(),
            members: by_household.remove(&h.household_id).unwrap_or_default(),
        })
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = |name: &str| {
            let p = dir.join(name);
            let _ = std::fs::remove_file(&p);
            format!("sqlite://{}", p.display())
        };
        let form_store = Store::connect(&url("field-form.db")).await.unwrap();
        let form = thanrak_app::field::xlsform(&form_store, &round.label, &config.provinces)
            .await
            .unwrap()
            .0;
        let zip = dir.join("field-export.zip");
        std::fs::write(
            &zip,
            central_csv_zip(&form, &form_id(&round.label), &filled),
        )
        .unwrap();
        let csv_dir = dir.join("field-baseline");
        let csv =
            thanrak_io::write_csv_tables(&csv_dir, &round.households, &round.members).unwrap();
        println!(
            "{} submissions, {} members; zip {:.1} MB",
            filled.len(),
            round.members.len(),
            std::fs::metadata(&zip).unwrap().len() as f64 / 1e6
        );
        let run = |store: Store, paths: Vec<PathBuf>| async move {
            let t = Instant::now();
            let out = import_files(
                &store,
                &Importer::command_line(),
                &paths,
                ImportMode::Whole,
                false,
                &mut |_, _, _| {},
            )
            .await
            .unwrap();
            let secs = t.elapsed().as_secs_f64();
            let ImportOutcome::Loaded(s) = out else {
                panic!("refused: {out:?}");
            };
            (secs, s.households, store)
        };
        let (base, hh, _) = run(Store::connect(&url("field-csv.db")).await.unwrap(), csv).await;
        println!("import format (2 CSV files):   {base:6.2} s  ({hh} households)");
        let (field, hh, store) = run(
            Store::connect(&url("field-zip.db")).await.unwrap(),
            vec![zip.clone()],
        )
        .await;
        println!(
            "ODK Central CSV zip:           {field:6.2} s  ({hh} households)  ratio {:.2}",
            field / base
        );
        let (again, hh, store) = run(store, vec![zip]).await;
        println!("the same export again:         {again:6.2} s  ({hh} households written)");

        // Duplicate detection over both rounds (the second round loaded too), with one person in
        // every hundredth household copied into another household of its subdistrict.
        let mut extra_h = Vec::new();
        let mut extra_m = Vec::new();
        for (i, h) in round2.households.iter().enumerate().step_by(100) {
            let mut copy = h.clone();
            copy.household_id = thanrak_core::HouseholdId::parse(&format!("COPY-{i}")).unwrap();
            if let Some(m) = round2
                .members
                .iter()
                .find(|m| m.household_id == h.household_id)
            {
                let mut m = m.clone();
                m.household_id = copy.household_id.clone();
                m.member_no = 1;
                extra_m.push(m);
                extra_h.push(copy);
            }
        }
        let mut households = round2.households.clone();
        households.extend(extra_h);
        let mut members = round2.members.clone();
        members.extend(extra_m);
        store
            .registry()
            .import(&households, &members, "bench", &mut |_, _| {})
            .await
            .unwrap();
        let user = thanrak_app::policy::command_line_user();
        let t = Instant::now();
        let list = thanrak_app::duplicates::list_duplicates(
            &store,
            &user,
            &thanrak_app::duplicates::DuplicateQuery {
                page: 1,
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let ours = t.elapsed().as_secs_f64();
        println!(
            "duplicates over {} members: {ours:6.2} s  ({} groups)",
            list.persons, list.total
        );
        // Reading the members from the store, which the detection starts with.
        let t = Instant::now();
        let n = store
            .registry()
            .persons(&thanrak_store::Scope::All)
            .await
            .unwrap()
            .len();
        let read = t.elapsed().as_secs_f64();
        println!("  of which reading the {n} members:   {read:6.2} s");
    });
}
