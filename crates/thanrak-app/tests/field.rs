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
use thanrak_io::field_write::{central_csv_zip, central_json, kobo_csv, kobo_xlsx, Filled};
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
    // pyxform from PyPI (the registry is reachable): installed here when missing, so that the
    // README's test command needs nothing more (.ci/run installs it first).
    let has = Command::new("python3")
        .args(["-c", "import pyxform"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        let _ = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "pyxform==4.5.0"])
            .status();
    }
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
        ("kobo-csv", "export.csv"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path()).await;
        let f = form(&s, &round).await;
        let path = dir.path().join(name);
        let mut paths = vec![path.clone()];
        match kind {
            "central-csv" => std::fs::write(&path, central_csv_zip(&f, &form_id(&round), &filled)),
            "central-json" => std::fs::write(&path, central_json(&f, &filled)),
            "kobo-xlsx" => std::fs::write(&path, kobo_xlsx(&f, &filled).unwrap()),
            _ => {
                // The members table given first: the importer reads the submissions first.
                let (main, members) = kobo_csv(&f, &filled);
                let m = dir.path().join("export-members.csv");
                std::fs::write(&m, members).unwrap();
                paths.insert(0, m);
                std::fs::write(&path, main)
            }
        }
        .unwrap();
        let ImportOutcome::Loaded(sum) = import(&s, &paths).await else {
            panic!("{kind}: not loaded: {:?}", import(&s, &paths).await);
        };
        assert_eq!(sum.households, 40, "{kind}");
        assert_eq!(sum.submissions, 40, "{kind}");
        assert_eq!(stored(&s, &round).await, source(&filled), "{kind}");
        // The same export again: nothing new.
        let ImportOutcome::Loaded(again) = import(&s, &paths).await else {
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
    // An edit that names another household than its earlier version is refused on its row,
    // without naming the earlier household.
    filled[4].version = "uuid:edited-0004".into();
    let moved = HouseholdId::parse("MOVED-4").unwrap();
    filled[4].household.household_id = moved.clone();
    for m in &mut filled[4].members {
        m.household_id = moved.clone();
        m.national_id = None;
    }
    std::fs::write(&path, central_csv_zip(&f, &form_id(&round), &filled)).unwrap();
    let ImportOutcome::Rejected(d) = import(&s, std::slice::from_ref(&path)).await else {
        panic!("an edit moving its household was loaded");
    };
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].reason, thanrak_core::Reason::FieldEditMovesHousehold);
    assert_eq!(d[0].column, "household_id");
    assert_eq!(d[0].row, 6);
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

mod common;

use thanrak_app::access::AccessError;
use thanrak_app::duplicates::{list_duplicates, mark_not_duplicates, merge, DuplicateQuery};
use thanrak_app::entry::{entry_of, save_household, Entry, Saved};
use thanrak_core::HouseholdId;

/// A store holding a demo round (Lampang) and the round as loaded.
async fn loaded(dir: &Path, households: usize) -> (Store, RoundLabel, Vec<Household>, Vec<Member>) {
    let s = store(dir).await;
    let config = DemoConfig {
        households,
        seed: 13,
        provinces: vec![AreaCode::parse("52").unwrap()],
    };
    let [round, _] = thanrak_demo::generate(&config, AreaRegistry::official()).unwrap();
    s.registry()
        .import(&round.households, &round.members, "test", &mut |_, _| {})
        .await
        .unwrap();
    (s, round.label, round.households, round.members)
}

fn all() -> DuplicateQuery {
    DuplicateQuery {
        page: 1,
        per_page: 100,
        ..DuplicateQuery::default()
    }
}

#[tokio::test]
async fn duplicates_are_found_marked_and_merged_with_the_history_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (s, round, households, members) = loaded(dir.path(), 30).await;
    let admin = common::user(&s, "admin1", "admin", &[]).await;
    assert_eq!(list_duplicates(&s, &admin, &all()).await.unwrap().total, 0);
    // A second household holding a person of household 0 (the same national id) and a person
    // of household 1's subdistrict by name and birth date, spelt with a space.
    let a = &households[0];
    let by_id = members
        .iter()
        .find(|m| m.household_id == a.household_id && m.national_id.is_some())
        .unwrap()
        .clone();
    let b = households
        .iter()
        .find(|h| h.village_code.parent() != a.village_code.parent())
        .unwrap();
    let mut by_name = members
        .iter()
        .find(|m| m.household_id == b.household_id && m.birth_date.is_some())
        .unwrap()
        .clone();
    let mut dup = a.clone();
    dup.household_id = HouseholdId::parse("DUP-1").unwrap();
    let mut m1 = by_id.clone();
    m1.household_id = dup.household_id.clone();
    m1.member_no = 1;
    let mut m2 = members
        .iter()
        .find(|m| m.household_id == a.household_id && m.member_no != by_id.member_no)
        .unwrap()
        .clone();
    m2.household_id = dup.household_id.clone();
    m2.member_no = 2;
    m2.national_id = None;
    m2.first_name = format!("{}x", m2.first_name);
    let mut dup2 = b.clone();
    dup2.household_id = HouseholdId::parse("DUP-2").unwrap();
    by_name.household_id = dup2.household_id.clone();
    by_name.national_id = None;
    by_name.first_name = by_name.first_name.chars().flat_map(|c| [c, ' ']).collect();
    by_name.member_no = 1;
    // The national id clash is refused by the import's checks; the registry may still hold one
    // (rounds loaded before, merged data): write it straight to the store.
    s.registry()
        .import(
            &[dup.clone(), dup2.clone()],
            &[m1, m2, by_name],
            "test",
            &mut |_, _| {},
        )
        .await
        .unwrap();
    let list = list_duplicates(&s, &admin, &all()).await.unwrap();
    let evidence: Vec<&str> = list.groups.iter().map(|g| g.evidence).collect();
    assert!(evidence.contains(&"national_id"), "{evidence:?}");
    assert!(evidence.contains(&"name_birth"), "{evidence:?}");
    assert!(!list.masked);
    // A surveyor of household 0's subdistrict sees the persons masked; an analyst none.
    let sub = a.village_code.parent().unwrap().to_string();
    let surveyor = common::user(&s, "surv1", "surveyor", &[&sub]).await;
    let seen = list_duplicates(&s, &surveyor, &all()).await.unwrap();
    assert!(seen.masked && !seen.may_review);
    assert!(seen
        .groups
        .iter()
        .all(|g| g.persons.iter().all(|p| p.name.ends_with("***"))));
    let analyst = common::user(&s, "an1", "analyst", &[]).await;
    assert!(matches!(
        list_duplicates(&s, &analyst, &all()).await,
        Err(AccessError::Forbidden(_))
    ));
    // Not duplicates: the name group leaves the open list, and is decided once only.
    let name_group = list
        .groups
        .iter()
        .find(|g| g.evidence == "name_birth")
        .unwrap();
    mark_not_duplicates(&s, &admin, &name_group.key, "twins of one name")
        .await
        .unwrap();
    assert!(mark_not_duplicates(&s, &admin, &name_group.key, "")
        .await
        .is_err());
    let open = list_duplicates(&s, &admin, &all()).await.unwrap();
    assert!(open.groups.iter().all(|g| g.key != name_group.key));
    // Merge the national id group: DUP-1 goes into household 0, which takes its other member.
    let id_group = open
        .groups
        .iter()
        .find(|g| g.evidence == "national_id")
        .unwrap();
    let before_members = members
        .iter()
        .filter(|m| m.household_id == a.household_id)
        .count();
    let done = merge(&s, &admin, &id_group.key).await.unwrap();
    assert_eq!(done.household_id, a.household_id);
    assert_eq!(done.members_removed, 1);
    let stored = s.registry().households(&round).await.unwrap();
    assert!(stored.iter().all(|h| h.household_id.as_str() != "DUP-1"));
    let now = s.registry().members(&round).await.unwrap();
    assert_eq!(
        now.iter()
            .filter(|m| m.household_id == a.household_id)
            .count(),
        before_members + 1
    );
    for id in [&a.household_id, &dup.household_id] {
        let v = s.registry().versions(&round, id).await.unwrap();
        assert_eq!(v.len(), 1, "{id}");
        assert!(v[0].source.contains("merge"), "{}", v[0].source);
    }
    let after = list_duplicates(&s, &admin, &all()).await.unwrap();
    assert!(after.groups.iter().all(|g| g.evidence != "national_id"));
}

fn cells_of(h: &Household, ms: &[Member]) -> Entry {
    let r = Record::of(h, ms);
    Entry {
        household: r.household,
        members: r.members,
        version: None,
    }
}

fn set(cells: &mut [(String, String)], column: &str, value: &str) {
    cells.iter_mut().find(|(k, _)| k == column).unwrap().1 = value.to_string();
}

#[tokio::test]
async fn households_are_entered_and_corrected_on_the_web_with_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let (s, round, households, members) = loaded(dir.path(), 10).await;
    let h = &households[0];
    let ms: Vec<Member> = members
        .iter()
        .filter(|m| m.household_id == h.household_id)
        .cloned()
        .collect();
    let sub = h.village_code.parent().unwrap().to_string();
    let surveyor = common::user(&s, "surv1", "surveyor", &[&sub]).await;
    let manager = common::user(&s, "mgr1", "area_manager", &["52"]).await;
    // A new household in the surveyor's subdistrict.
    let mut new = cells_of(h, &ms);
    for m in &mut new.members {
        set(m, "national_id", "");
    }
    let saved = save_household(&s, &surveyor, &round, "WEB-1", &new)
        .await
        .unwrap();
    assert!(
        matches!(saved, Saved::Saved { version: 1, .. }),
        "{saved:?}"
    );
    // The same id again is refused; a bad value is reported with its Thai reason.
    assert!(save_household(&s, &surveyor, &round, "WEB-1", &new)
        .await
        .is_err());
    let mut bad = new.clone();
    set(&mut bad.members[0], "sex", "X");
    let Saved::Rejected(problems) = save_household(&s, &surveyor, &round, "WEB-2", &bad)
        .await
        .unwrap()
    else {
        panic!("a sex of X was saved");
    };
    assert_eq!(problems[0].file, "member 1");
    assert_eq!(problems[0].column, "sex");
    assert!(problems[0]
        .reason
        .thai()
        .chars()
        .any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)));
    // Outside the surveyor's areas.
    let other = households
        .iter()
        .find(|x| x.village_code.parent() != h.village_code.parent())
        .unwrap();
    let mut outside = new.clone();
    set(
        &mut outside.household,
        "village_code",
        &other.village_code.to_string(),
    );
    let Saved::Rejected(p) = save_household(&s, &surveyor, &round, "WEB-3", &outside)
        .await
        .unwrap()
    else {
        panic!("saved outside the surveyor's areas");
    };
    assert_eq!(p[0].column, "village_code");
    // The area manager corrects household 0: savings and one member's occupation.
    let (mut entry, masked) = entry_of(&s, &manager, &round, &h.household_id)
        .await
        .unwrap();
    assert!(!masked);
    assert_eq!(entry.version, Some(0));
    set(&mut entry.household, "savings_thb", "4321");
    set(&mut entry.members[0], "occupation", "daily_wage");
    let id = h.household_id.as_str();
    let saved = save_household(&s, &manager, &round, id, &entry)
        .await
        .unwrap();
    assert!(
        matches!(saved, Saved::Saved { version: 1, .. }),
        "{saved:?}"
    );
    // The same form again is stale.
    assert!(save_household(&s, &manager, &round, id, &entry)
        .await
        .is_err());
    // The surveyor corrects with the names masked: left as shown, they are kept.
    let (mut masked_entry, masked) = entry_of(&s, &surveyor, &round, &h.household_id)
        .await
        .unwrap();
    assert!(masked);
    assert!(
        masked_entry.members[0][4].1.ends_with("***"),
        "{:?}",
        masked_entry.members[0][4]
    );
    set(&mut masked_entry.household, "electricity", "0");
    let saved = save_household(&s, &surveyor, &round, id, &masked_entry)
        .await
        .unwrap();
    assert!(
        matches!(saved, Saved::Saved { version: 2, .. }),
        "{saved:?}"
    );
    let stored = s.registry().members(&round).await.unwrap();
    let first = stored
        .iter()
        .find(|m| m.household_id == h.household_id && m.member_no == 1)
        .unwrap();
    assert_eq!(first.first_name, ms[0].first_name);
    assert_eq!(first.national_id, ms[0].national_id);
    // A masked editor removes the first member: the others keep their own stored names, not
    // the names of the members they moved up to.
    if ms.len() > 1 {
        let (mut e, _) = entry_of(&s, &surveyor, &round, &h.household_id)
            .await
            .unwrap();
        e.members.remove(0);
        let saved = save_household(&s, &surveyor, &round, id, &e).await.unwrap();
        assert!(
            matches!(saved, Saved::Saved { version: 3, .. }),
            "{saved:?}"
        );
        let now = s.registry().members(&round).await.unwrap();
        let mine: Vec<&Member> = now
            .iter()
            .filter(|m| m.household_id == h.household_id)
            .collect();
        assert_eq!(mine.len(), ms.len() - 1);
        assert_eq!(mine[0].first_name, ms[1].first_name);
        assert_eq!(mine[0].national_id, ms[1].national_id);
        assert!(mine.iter().all(|m| !m.first_name.contains('*')));
    }
    // The history: two changes, newest first, old → new.
    let hh = s
        .registry()
        .households(&round)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.household_id == h.household_id)
        .unwrap();
    let now: Vec<Member> = s
        .registry()
        .members(&round)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.household_id == h.household_id)
        .collect();
    let history = thanrak_app::entry::history(&s, &round, &hh, &now, false)
        .await
        .unwrap();
    let expected = if ms.len() > 1 { 3 } else { 2 };
    assert_eq!(history.version, expected);
    assert_eq!(history.changes.len(), expected as usize);
    let first_change = history.changes.last().unwrap();
    assert_eq!(first_change.by, "mgr1");
    let savings = first_change
        .fields
        .iter()
        .find(|f| f.column == "savings_thb")
        .unwrap();
    assert_eq!(savings.new, "4321");
    assert!(first_change
        .fields
        .iter()
        .any(|f| f.record == "member 1" && f.column == "occupation" && f.new == "daily_wage"));
    // The surveyor's correction changed one field; its removal of a member changed members.
    let second = &history.changes[history.changes.len() - 2];
    assert_eq!(second.fields.len(), 1, "{second:?}");
    assert!(history.changes[0]
        .fields
        .iter()
        .all(|f| f.record.starts_with("member")));
}

#[tokio::test]
async fn a_refused_row_is_offered_for_correction_and_saved_from_the_page() {
    use thanrak_app::upload::{check_upload, UploadCheck};
    let dir = tempfile::tempdir().unwrap();
    let (s, round, households, members) = loaded(dir.path(), 5).await;
    let admin = common::user(&s, "admin1", "admin", &[]).await;
    // A new household whose second member's sex is "X", as the import format's two CSV files.
    let mut h = households[0].clone();
    h.household_id = HouseholdId::parse("NEW-9").unwrap();
    let mut ms: Vec<Member> = members
        .iter()
        .filter(|m| m.household_id == households[0].household_id)
        .cloned()
        .collect();
    for m in &mut ms {
        m.household_id = h.household_id.clone();
        m.national_id = None;
    }
    let files = dir.path().join("upload");
    let paths = thanrak_io::write_csv_tables(&files, &[h], &ms).unwrap();
    let members_csv = std::fs::read_to_string(&paths[1]).unwrap();
    let bad = members_csv
        .replacen(",M,", ",X,", 1)
        .replacen(",F,", ",X,", 1);
    std::fs::write(&paths[1], bad).unwrap();
    let UploadCheck::Rejected(problems, fixable) = check_upload(
        &s,
        &admin,
        &paths,
        thanrak_app::ImportMode::Whole,
        &mut |_, _, _| {},
    )
    .await
    .unwrap() else {
        panic!("a sex of X passed the check");
    };
    assert!(problems.iter().all(|p| p.column == "sex"), "{problems:?}");
    assert_eq!(fixable.len(), 1);
    let f = &fixable[0];
    assert_eq!(f.household_id, "NEW-9");
    assert_eq!(f.members.len(), ms.len());
    assert!(f.household_origin.is_some());
    // Corrected on the page: the sex set right, the rest as read.
    let keys = ["household_id", "round", "member_no"];
    let strip = |c: &Vec<(String, String)>| -> Vec<(String, String)> {
        c.iter()
            .filter(|(k, _)| !keys.contains(&k.as_str()))
            .cloned()
            .collect()
    };
    let mut entry = Entry {
        household: strip(&f.household),
        members: f.members.iter().map(strip).collect(),
        version: None,
    };
    for m in &mut entry.members {
        if cell_of(m, "sex") == "X" {
            set(m, "sex", "F");
        }
    }
    let saved = save_household(&s, &admin, &round, "NEW-9", &entry)
        .await
        .unwrap();
    assert!(matches!(saved, Saved::Saved { .. }), "{saved:?}");
    let stored = s.registry().members(&round).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .filter(|m| m.household_id.as_str() == "NEW-9")
            .count(),
        ms.len()
    );
}

fn cell_of<'a>(cells: &'a [(String, String)], column: &str) -> &'a str {
    cells
        .iter()
        .find(|(k, _)| k == column)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
