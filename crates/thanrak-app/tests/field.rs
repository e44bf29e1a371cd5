//! Field data end to end (issue 13): the XLSForm validated by pyxform, and the form filled with
//! demo households, exported as ODK Central (CSV zip, JSON) and KoboToolbox (XLSX) export them,
//! imported: the same records as the source, nothing new on a second import, an edit replacing
//! its household with the earlier version kept, a rejected submission left out, and a bad row
//! reported by file, row, column and value with nothing written.

use std::path::{Path, PathBuf};
use std::process::Command;

use thanrak_app::field::Record;
use thanrak_app::{import_files, ImportMode, ImportOutcome, Importer};
use thanrak_core::field::form::{form_id, SKIPS};
use thanrak_core::{AreaCode, AreaRegistry, Household, Member, RoundLabel};
use thanrak_demo::DemoConfig;
use thanrak_io::field_write::{central_csv_zip, central_json, kobo_xlsx, Filled};
use thanrak_store::Store;

async fn store(dir: &Path) -> Store {
    Store::connect(&format!("sqlite://{}", dir.join("t.db").display()))
        .await
        .unwrap()
}

/// A small demo round (Lampang), as submissions of the form.
fn demo(households: usize) -> (RoundLabel, Vec<Filled>) {
    let config = DemoConfig {
        households,
        seed: 13,
        provinces: vec![AreaCode::parse("52").unwrap()],
    };
    let [round, _] = thanrak_demo::generate(&config, AreaRegistry::official()).unwrap();
    let filled = round
        .households
        .iter()
        .enumerate()
        .map(|(i, h)| Filled {
            key: format!("uuid:0000{i:04}-aaaa-4bbb-8ccc-{i:012}"),
            version: format!("uuid:0000{i:04}-aaaa-4bbb-8ccc-{i:012}"),
            submitted_at: "2025-06-03T09:12:44.512Z".into(),
            review: None,
            household: h.clone(),
            members: round
                .members
                .iter()
                .filter(|m| m.household_id == h.household_id)
                .cloned()
                .collect(),
        })
        .collect();
    (round.label, filled)
}

async fn form(store: &Store, round: &RoundLabel) -> thanrak_core::field::form::XlsForm {
    thanrak_app::field::xlsform(store, round, &[AreaCode::parse("52").unwrap()])
        .await
        .unwrap()
        .0
}

async fn import(store: &Store, paths: &[PathBuf]) -> ImportOutcome {
    import_files(
        store,
        &Importer::command_line(),
        paths,
        ImportMode::Whole,
        false,
        &mut |_, _, _| {},
    )
    .await
    .unwrap()
}

/// The round as stored, household by household, as records compare.
async fn stored(store: &Store, round: &RoundLabel) -> Vec<Record> {
    let households = store.registry().households(round).await.unwrap();
    let members = store.registry().members(round).await.unwrap();
    records(&households, &members)
}

/// Coordinates are kept to 6 decimals (0.1 m): compare them so.
fn rounded(mut r: Record) -> Record {
    for (k, v) in &mut r.household {
        if (k == "lat" || k == "lon") && !v.is_empty() {
            *v = format!("{:.6}", v.parse::<f64>().unwrap());
        }
    }
    r
}

fn records(households: &[Household], members: &[Member]) -> Vec<Record> {
    let mut out: Vec<Record> = households
        .iter()
        .map(|h| {
            let mut mine: Vec<Member> = members
                .iter()
                .filter(|m| m.household_id == h.household_id)
                .cloned()
                .collect();
            mine.sort_by_key(|m| m.member_no);
            Record::of(h, &mine)
        })
        .collect();
    out.sort_by(|a, b| a.household[0].1.cmp(&b.household[0].1));
    out.into_iter().map(rounded).collect()
}

/// What the form can record of the source: a question the form asks only where it applies
/// holds, where it does not, the value its skip stands for (the demo sets `receives_care` for
/// members who need no care, which no methodology reads).
fn source(filled: &[Filled]) -> Vec<Record> {
    let households: Vec<Household> = filled.iter().map(|f| f.household.clone()).collect();
    let members: Vec<Member> = filled.iter().flat_map(|f| f.members.clone()).collect();
    let mut out = records(&households, &members);
    for (r, h) in out.iter_mut().zip({
        let mut hs = households.clone();
        hs.sort_by(|a, b| a.household_id.as_str().cmp(b.household_id.as_str()));
        hs
    }) {
        for (cells, m) in r.members.iter_mut().zip({
            let mut ms: Vec<&Member> = members
                .iter()
                .filter(|m| m.household_id == h.household_id)
                .collect();
            ms.sort_by_key(|m| m.member_no);
            ms
        }) {
            let age = m.age_at(h.survey_date);
            let snapshot = cells.clone();
            let cell = |n: &str| {
                snapshot
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            for (name, skip, value) in SKIPS {
                if !skip.asked(age, &cell) {
                    if let Some(c) = cells.iter_mut().find(|(k, _)| k == name) {
                        c.1 = (*value).to_string();
                    }
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn the_form_is_a_valid_xlsform_for_pyxform() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let round = RoundLabel::parse("2568").unwrap();
    let (_, bytes) = thanrak_app::field::xlsform(&s, &round, &[AreaCode::parse("52").unwrap()])
        .await
        .unwrap();
    let xlsx = dir.path().join("household.xlsx");
    std::fs::write(&xlsx, bytes).unwrap();
    let xml = dir.path().join("household.xml");
    let out = Command::new("python3")
        .args(["-m", "pyxform.xls2xform", "--json"])
        .arg(&xlsx)
        .arg(&xml)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named pyxform"),
        "pyxform is missing: pip install pyxform (as .ci/run does)"
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // The JSON outcome goes to stdout or stderr depending on the version.
    let said = format!("{stdout}{stderr}");
    assert!(said.contains("\"code\": 100"), "pyxform: {said}");
    assert!(said.contains("\"warnings\": []"), "pyxform warns: {said}");
    let xform = std::fs::read_to_string(&xml).unwrap();
    // Members repeat, the check digit, skip logic, cascading selects, Thai and English.
    for needle in [
        "id=\"thanrak_household_2568\"",
        "<repeat nodeset=\"/data/members\">",
        "nodeset=\"/data/members/national_id\"",
        "mod 11",
        "nodeset=\"/data/members/in_school\" type=\"string\" required=\"true()\" relevant=",
        "nodeset=\"/data/members/receives_care\" type=\"string\" required=\"true()\" relevant=",
        "item[province =  /data/location/province ]",
        "<translation lang=\"Thai (th)\"",
        "<translation lang=\"English (en)\">",
        "nodeset=\"/data/location/geopoint\" type=\"geopoint\"",
    ] {
        assert!(xform.contains(needle), "the XForm lacks {needle}");
    }
}

#[tokio::test]
async fn exports_of_both_tools_load_the_same_records() {
    let (round, filled) = demo(40);
    for (kind, name) in [
        ("central-csv", "export.zip"),
        ("central-json", "export.json"),
        ("kobo-xlsx", "export.xlsx"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path()).await;
        let f = form(&s, &round).await;
        let bytes = match kind {
            "central-csv" => central_csv_zip(&f, &form_id(&round), &filled),
            "central-json" => central_json(&f, &filled),
            _ => kobo_xlsx(&f, &filled).unwrap(),
        };
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let ImportOutcome::Loaded(sum) = import(&s, std::slice::from_ref(&path)).await else {
            panic!("{kind}: not loaded: {:?}", import(&s, &[path]).await);
        };
        assert_eq!(sum.households, 40, "{kind}");
        assert_eq!(sum.submissions, 40, "{kind}");
        assert_eq!(stored(&s, &round).await, source(&filled), "{kind}");
        // The same export again: nothing new.
        let ImportOutcome::Loaded(again) = import(&s, std::slice::from_ref(&path)).await else {
            panic!("{kind}: second import refused");
        };
        assert_eq!((again.households, again.submissions), (0, 0), "{kind}");
    }
}

#[tokio::test]
async fn an_edit_replaces_its_household_and_keeps_the_earlier_version() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let (round, mut filled) = demo(20);
    let f = form(&s, &round).await;
    let path = dir.path().join("export.zip");
    std::fs::write(&path, central_csv_zip(&f, &form_id(&round), &filled)).unwrap();
    assert!(matches!(
        import(&s, std::slice::from_ref(&path)).await,
        ImportOutcome::Loaded(_)
    ));
    let before = stored(&s, &round).await;
    // The newer export: submission 3 edited (a new instance id, one member fewer, savings
    // changed), submission 5 rejected by the reviewer, and one new submission.
    let edited_id = filled[3].household.household_id.clone();
    filled[3].version = "uuid:edited-0003".into();
    filled[3].household.savings_thb = 12_345.0;
    let dropped = filled[3].members.pop().is_some();
    filled[5].review = Some("rejected".into());
    let mut extra = filled[0].clone();
    extra.key = "uuid:new-submission".into();
    extra.version = extra.key.clone();
    extra.household.household_id = thanrak_core::HouseholdId::parse("NEW-1").unwrap();
    for m in &mut extra.members {
        m.household_id = extra.household.household_id.clone();
        m.national_id = None;
    }
    filled.push(extra);
    std::fs::write(&path, central_csv_zip(&f, &form_id(&round), &filled)).unwrap();
    let ImportOutcome::Loaded(sum) = import(&s, std::slice::from_ref(&path)).await else {
        panic!(
            "the newer export was refused: {:?}",
            import(&s, &[path]).await
        );
    };
    assert_eq!((sum.households, sum.submissions, sum.versions), (2, 2, 1));
    let after = stored(&s, &round).await;
    assert_eq!(after.len(), before.len() + 1);
    let versions = s.registry().versions(&round, &edited_id).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, 1);
    assert!(
        versions[0].source.contains("uuid:0000"),
        "{}",
        versions[0].source
    );
    let kept = Record::decode(&versions[0].record).unwrap();
    let was = before
        .iter()
        .find(|r| r.household[0].1 == edited_id.as_str())
        .unwrap();
    assert_eq!(&rounded(kept), was);
    let now = after
        .iter()
        .find(|r| r.household[0].1 == edited_id.as_str())
        .unwrap();
    assert_ne!(now, was);
    assert_eq!(now.members.len() + usize::from(dropped), was.members.len());
}

#[tokio::test]
async fn a_bad_row_is_reported_where_it_is_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path()).await;
    let (round, mut filled) = demo(10);
    let f = form(&s, &round).await;
    filled[2].members[0].first_name = String::new();
    let path = dir.path().join("kobo.xlsx");
    std::fs::write(&path, kobo_xlsx(&f, &filled).unwrap()).unwrap();
    let ImportOutcome::Rejected(d) = import(&s, std::slice::from_ref(&path)).await else {
        panic!("a member without a name was loaded");
    };
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].file.ends_with("kobo.xlsx [members]"), "{}", d[0].file);
    assert_eq!(d[0].column, "first_name");
    let first_row_of_third = 2 + filled[..2].iter().map(|f| f.members.len()).sum::<usize>();
    assert_eq!(d[0].row as usize, first_row_of_third);
    assert!(s.registry().households(&round).await.unwrap().is_empty());
}
