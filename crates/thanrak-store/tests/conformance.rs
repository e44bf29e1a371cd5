//! One conformance suite for both backends: every check runs on SQLite in a temporary directory,
//! and on PostgreSQL when `THANRAK_TEST_DATABASE_URL` is set (each test in a schema of its own).

mod common;

use std::path::Path;

use chrono::TimeZone;
use chrono::Utc;
use thanrak_core::schema::{parse_cells, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{AreaCode, AreaLevel, AreaRegistry, Household, Member, RoundLabel};
use thanrak_store::{
    JobEnd, JobState, NewJob, Scope, Store, StoreError, TargetFilter, INTERRUPTED,
};

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../thanrak-core/tests/fixtures/example-round")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

/// The example round (its CSV has no quoted fields, so a plain split reads it).
fn example_round() -> (Vec<Household>, Vec<Member>) {
    let reg = AreaRegistry::official();
    let rows = |text: String| -> Vec<Vec<String>> {
        text.lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    };
    let households = rows(fixture("households.csv"))
        .iter()
        .map(|r| {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            let (v, e) = parse_cells(HOUSEHOLD_COLUMNS, &cells);
            assert!(e.is_empty(), "{e:?}");
            Household::from_values(&v, reg).unwrap()
        })
        .collect();
    let members = rows(fixture("members.csv"))
        .iter()
        .map(|r| {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            let (v, e) = parse_cells(MEMBER_COLUMNS, &cells);
            assert!(e.is_empty(), "{e:?}");
            Member::from_values(&v).unwrap()
        })
        .collect();
    (households, members)
}

fn relabel((hh, mm): &(Vec<Household>, Vec<Member>), round: &str) -> (Vec<Household>, Vec<Member>) {
    let r = RoundLabel::parse(round).unwrap();
    let hh = hh
        .iter()
        .map(|h| Household {
            round: r.clone(),
            ..h.clone()
        })
        .collect();
    let mm = mm
        .iter()
        .map(|m| Member {
            round: r.clone(),
            ..m.clone()
        })
        .collect();
    (hh, mm)
}

async fn import(store: &Store, hh: &[Household], mm: &[Member]) -> Result<(), StoreError> {
    store
        .registry()
        .import(hh, mm, "test", &mut |_, _| {})
        .await
        .map(|_| ())
}

fn sorted(mut hh: Vec<Household>, mut mm: Vec<Member>) -> (Vec<Household>, Vec<Member>) {
    hh.sort_by(|a, b| a.household_id.cmp(&b.household_id));
    mm.sort_by(|a, b| (&a.household_id, a.member_no).cmp(&(&b.household_id, b.member_no)));
    (hh, mm)
}

async fn seeds_official_areas(s: &Store) {
    let counts = s.registry().area_counts().await.unwrap();
    assert_eq!(
        counts,
        vec![
            (AreaLevel::Province, 77),
            (AreaLevel::District, 928),
            (AreaLevel::Subdistrict, 7436)
        ]
    );
    let lampang = s
        .registry()
        .area(&AreaCode::parse("52").unwrap())
        .await
        .unwrap();
    assert_eq!(lampang.name_th, "ลำปาง");
    assert_eq!(s.registry().child_areas(None).await.unwrap().len(), 77);
    let districts = s
        .registry()
        .child_areas(Some(&AreaCode::parse("52").unwrap()))
        .await
        .unwrap();
    assert_eq!(districts.len(), 13);
    assert!(matches!(
        s.registry().area(&AreaCode::parse("99").unwrap()).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn round_trips_a_round(s: &Store) {
    let (hh, mm) = example_round();
    import(s, &hh, &mm).await.unwrap();
    let round = RoundLabel::parse("2566-1").unwrap();
    let rounds = s.registry().rounds().await.unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].label, round);
    assert_eq!((rounds[0].households, rounds[0].members), (24, 86));
    assert_eq!(
        rounds[0].last_survey_date,
        chrono::NaiveDate::from_ymd_opt(2023, 6, 15)
    );
    let got = (
        s.registry().households(&round).await.unwrap(),
        s.registry().members(&round).await.unwrap(),
    );
    assert_eq!(got, sorted(hh, mm));
    // Villages are created as data arrives.
    let village = s
        .registry()
        .area(&AreaCode::parse("52010102").unwrap())
        .await
        .unwrap();
    assert_eq!(village.name_th, "หมู่ 2");
}

async fn reimport_changes_nothing(s: &Store) {
    let (hh, mm) = example_round();
    import(s, &hh, &mm).await.unwrap();
    let round = RoundLabel::parse("2566-1").unwrap();
    let before = (
        s.registry().households(&round).await.unwrap(),
        s.registry().members(&round).await.unwrap(),
    );
    import(s, &hh, &mm).await.unwrap();
    let after = (
        s.registry().households(&round).await.unwrap(),
        s.registry().members(&round).await.unwrap(),
    );
    assert_eq!(before, after);
    let r = &s.registry().rounds().await.unwrap()[0];
    assert_eq!((r.households, r.members), (24, 86));
}

async fn rounds_are_kept_side_by_side(s: &Store) {
    let data = example_round();
    let (hh1, mm1) = relabel(&data, "2566-1");
    import(s, &hh1, &mm1).await.unwrap();
    let (mut hh2, mut mm2) = relabel(&data, "2567-1");
    hh2.truncate(10);
    mm2.retain(|m| hh2.iter().any(|h| h.household_id == m.household_id));
    for h in &mut hh2 {
        h.savings_thb += 1.0;
    }
    import(s, &hh2, &mm2).await.unwrap();
    let r1 = RoundLabel::parse("2566-1").unwrap();
    assert_eq!(
        s.registry().households(&r1).await.unwrap(),
        sorted(hh1, mm1.clone()).0
    );
    assert_eq!(s.registry().members(&r1).await.unwrap().len(), mm1.len());
    let rounds = s.registry().rounds().await.unwrap();
    assert_eq!(rounds.len(), 2);
    assert_eq!(rounds[1].households, 10);
    assert_eq!(rounds[1].members, mm2.len() as i64);
}

async fn a_household_reimport_replaces_its_members(s: &Store) {
    let (hh, mut mm) = example_round();
    import(s, &hh, &mm).await.unwrap();
    let first = hh[0].household_id.clone();
    let before = mm.len();
    mm.retain(|m| !(m.household_id == first && m.member_no > 1));
    assert!(mm.len() < before);
    // Only the first household is sent again: its members shrink, the others stay.
    let only_first: Vec<Member> = mm
        .iter()
        .filter(|m| m.household_id == first)
        .cloned()
        .collect();
    import(s, &hh[..1], &only_first).await.unwrap();
    let round = RoundLabel::parse("2566-1").unwrap();
    let stored = s.registry().members(&round).await.unwrap();
    assert_eq!(stored.len(), mm.len());
    assert_eq!(stored.iter().filter(|m| m.household_id == first).count(), 1);
}

async fn a_failed_import_writes_nothing(s: &Store) {
    let (hh, mm) = example_round();
    import(s, &hh, &mm).await.unwrap();
    let round = RoundLabel::parse("2566-1").unwrap();
    let before = (
        s.registry().households(&round).await.unwrap(),
        s.registry().members(&round).await.unwrap(),
    );
    // A new round whose last member points at a household that exists nowhere: the database
    // refuses it at the very end of the batch, after every household row was written.
    let (hh2, mut mm2) = relabel(&(hh, mm), "2567-1");
    let mut orphan = mm2[0].clone();
    orphan.household_id = thanrak_core::HouseholdId::parse("NOPE").unwrap();
    mm2.push(orphan);
    let mut changed = hh2.clone();
    changed[0].savings_thb = 1.0;
    assert!(import(s, &changed, &mm2).await.is_err());
    // Also a failing re-import of the existing round must leave it as it was.
    let (mut hh3, mut mm3) = example_round();
    hh3[0].savings_thb = 999.0;
    let mut orphan = mm3[0].clone();
    orphan.household_id = thanrak_core::HouseholdId::parse("NOPE").unwrap();
    mm3.push(orphan);
    assert!(import(s, &hh3, &mm3).await.is_err());
    let after = (
        s.registry().households(&round).await.unwrap(),
        s.registry().members(&round).await.unwrap(),
    );
    assert_eq!(before, after);
    assert_eq!(s.registry().rounds().await.unwrap().len(), 1);
}

async fn finds_stored_national_ids(s: &Store) {
    let (hh, mm) = example_round();
    import(s, &hh, &mm).await.unwrap();
    let round = RoundLabel::parse("2566-1").unwrap();
    let keys = s
        .registry()
        .stored_keys(std::slice::from_ref(&round))
        .await
        .unwrap();
    let ids = &keys.national_ids;
    let expected = mm.iter().filter(|m| m.national_id.is_some()).count();
    assert_eq!(ids.len(), expected);
    let m = mm.iter().find(|m| m.national_id.is_some()).unwrap();
    assert_eq!(
        ids[&(round.clone(), m.national_id.unwrap())],
        m.household_id
    );
    // Every stored household with its village and member numbers.
    assert_eq!(keys.households.len(), hh.len());
    let h = &hh[0];
    let (village, nos) = &keys.households[&(round, h.household_id.clone())];
    assert_eq!(*village, h.village_code);
    let mut expected: Vec<u16> = mm
        .iter()
        .filter(|m| m.household_id == h.household_id)
        .map(|m| m.member_no)
        .collect();
    let mut nos = nos.clone();
    nos.sort_unstable();
    expected.sort_unstable();
    assert_eq!(nos, expected);
}

async fn scores_and_figures_round_trip(s: &Store) {
    use thanrak_core::measure::{aggregate, by_area, score_round, Unit};
    use thanrak_core::methodology::Methodology;
    use thanrak_store::{AggregateRow, RunKey};

    let (hh, mm) = example_round();
    import(s, &hh, &mm).await.unwrap();
    let (hh, _) = sorted(hh, mm.clone());
    let m = Methodology::thanrak_default();
    let scores = score_round(m, &hh, &mm);
    let key = RunKey {
        round: RoundLabel::parse("2566-1").unwrap(),
        methodology_id: m.id().to_string(),
        methodology_version: m.version().to_string(),
    };
    assert!(s.scores().run(&key).await.unwrap().is_none());
    let agg = aggregate(m, &hh, &scores, Unit::Person, by_area(AreaLevel::District));
    let rows: Vec<AggregateRow> = agg
        .by_key
        .iter()
        .map(|(k, summary)| AggregateRow {
            unit: Unit::Person,
            breakdown: "district".into(),
            key: k.to_string(),
            summary: summary.clone(),
        })
        .collect();
    // Saving twice replaces the run rather than adding to it.
    s.scores()
        .save(&key, "h1", "text 1", &hh, &scores, &rows)
        .await
        .unwrap();
    s.scores()
        .save(&key, "h2", "text 2", &hh, &scores, &rows)
        .await
        .unwrap();
    let run = s.scores().run(&key).await.unwrap().unwrap();
    assert_eq!((run.households, run.methodology_hash.as_str()), (24, "h2"));
    assert_eq!(run.methodology_text.as_deref(), Some("text 2"));
    assert_eq!(s.scores().runs(&key.round).await.unwrap().len(), 1);
    // Needs are stored with the scores and filter a page in SQL, in the order of target lists.
    assert!(
        scores.iter().any(|x| x.needs.0 != 0),
        "the example has needs"
    );
    for (i, need) in m.needs().iter().enumerate() {
        let filter = TargetFilter {
            area: None,
            group: None,
            deprived_in: None,
            need: Some(i),
            poor_in: None,
        };
        let (page, total) = s
            .scores()
            .scoped_target_page(&key, &Scope::All, filter, 0, 100)
            .await
            .unwrap();
        let mut want: Vec<&str> = scores
            .iter()
            .filter(|x| x.needs.get(i))
            .map(|x| x.household_id.as_str())
            .collect();
        want.sort();
        let mut got: Vec<&str> = page.iter().map(|x| x.score.household_id.as_str()).collect();
        got.sort();
        assert_eq!(
            (got, total),
            (want.clone(), want.len() as u64),
            "need {}",
            need.id
        );
    }
    // A household's scores in every scored round: one query, inside the scope only.
    let first = &scores[0].household_id;
    let history = s
        .scores()
        .household_scores(&Scope::All, first, m.id(), m.version())
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(&history[0].1.score, &scores[0]);
    let elsewhere = Scope::Areas(vec![AreaCode::parse("10").unwrap()]);
    assert!(s
        .scores()
        .household_scores(&elsewhere, first, m.id(), m.version())
        .await
        .unwrap()
        .is_empty());
    let stored = s.scores().of_run(&key, None).await.unwrap();
    assert_eq!(stored.len(), 24);
    for (st, (h, sc)) in stored.iter().zip(hh.iter().zip(&scores)) {
        assert_eq!(st.village_code, h.village_code);
        assert_eq!(&st.score, sc);
    }
    let lampang = AreaCode::parse("52").unwrap();
    let inside = s.scores().of_run(&key, Some(&lampang)).await.unwrap();
    assert_eq!(
        inside.len(),
        hh.iter()
            .filter(|h| h.village_code.is_within(&lampang))
            .count()
    );
    let figures = s
        .scores()
        .aggregates(&key, Unit::Person, "district")
        .await
        .unwrap();
    let expected: Vec<(String, _)> = agg
        .by_key
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(figures, expected);
    assert!(s
        .scores()
        .aggregates(&key, Unit::Household, "district")
        .await
        .unwrap()
        .is_empty());
    // New data for the round makes its results void.
    import(
        s,
        &hh[..1],
        &mm.iter()
            .filter(|m| m.household_id == hh[0].household_id)
            .cloned()
            .collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    assert!(s.scores().run(&key).await.unwrap().is_none());
    assert!(s.scores().of_run(&key, None).await.unwrap().is_empty());
}

async fn awkward_values_survive_the_store(s: &Store) {
    let (mut hh, mut mm) = example_round();
    hh[0].location = Some((16.497170999999998, -0.30000000000000004));
    hh[0].savings_thb = 0.1 + 0.2;
    hh[0].debt_informal_thb = 123_456_789_012.5;
    hh[1].house_no = "=1+2, \"x\"\nบ้าน".into();
    mm[0].first_name = " ทองดี\tใจดี ".trim().into();
    mm[0].income_thb_year = 1e-7;
    // Whole numbers, read back through a shorter path than other reals. (A negative zero does
    // not survive SQLite, which stores whole reals as integers.)
    hh[1].location = Some((15.0, 100.0));
    hh[1].savings_thb = 999_999_999_999.0;
    mm[1].income_thb_year = 120_000.0;
    import(s, &hh, &mm).await.unwrap();
    let round = RoundLabel::parse("2566-1").unwrap();
    let got = (
        s.registry().households(&round).await.unwrap(),
        s.registry().members(&round).await.unwrap(),
    );
    let bits = |h: &[thanrak_core::Household]| -> Vec<Option<(u64, u64)>> {
        h.iter()
            .map(|h| h.location.map(|(a, b)| (a.to_bits(), b.to_bits())))
            .collect()
    };
    let want = sorted(hh, mm);
    assert_eq!(bits(&got.0), bits(&want.0), "signs and bits of reals");
    assert_eq!(got, want);
}

fn new_job(kind: &str, user: i64) -> NewJob {
    NewJob {
        kind: kind.into(),
        params: format!("{{\"user\":{user}}}"),
        created_by: user,
        created_by_name: format!("user{user}"),
    }
}

async fn jobs_are_queued_claimed_once_and_finished(s: &Store) {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    assert_eq!(s.jobs().claim(t0).await.unwrap(), None, "nothing queued");
    let a = s.jobs().create(&new_job("import", 1), t0).await.unwrap();
    let b = s.jobs().create(&new_job("score", 2), t0).await.unwrap();
    assert!(b.id > a.id);
    assert_eq!(a.state, JobState::Queued);
    assert_eq!(a.new, new_job("import", 1));
    assert_eq!(
        (a.started_at, a.finished_at, a.error.clone()),
        (None, None, None)
    );
    // Oldest first, each once: two claims at the same time take two different jobs.
    let t1 = t0 + chrono::Duration::seconds(5);
    let (x, y) = tokio::join!(s.jobs().claim(t1), s.jobs().claim(t1));
    let (x, y) = (x.unwrap().unwrap(), y.unwrap().unwrap());
    let mut claimed = [x.id, y.id];
    claimed.sort_unstable();
    assert_eq!(claimed, [a.id, b.id]);
    assert_eq!(x.state, JobState::Running);
    assert_eq!(x.started_at, Some(t1));
    assert_eq!(s.jobs().claim(t1).await.unwrap(), None);
    // Progress, then the end.
    s.jobs().progress(a.id, "write", 40, 100).await.unwrap();
    let got = s.jobs().get(a.id).await.unwrap().unwrap();
    assert_eq!(
        (got.stage.as_str(), got.progress_done, got.progress_total),
        ("write", 40, 100)
    );
    let t2 = t1 + chrono::Duration::seconds(60);
    s.jobs()
        .finish(a.id, &JobEnd::Done("{\"households\":3}".into()), t2)
        .await
        .unwrap();
    let end = JobEnd::Failed {
        error: "refused".into(),
        result: Some("[1]".into()),
    };
    s.jobs().finish(b.id, &end, t2).await.unwrap();
    let a = s.jobs().get(a.id).await.unwrap().unwrap();
    assert_eq!(a.state, JobState::Done);
    assert_eq!(a.result.as_deref(), Some("{\"households\":3}"));
    assert_eq!(a.finished_at, Some(t2));
    let b = s.jobs().get(b.id).await.unwrap().unwrap();
    assert_eq!(
        (b.state, b.error.as_deref(), b.result.as_deref()),
        (JobState::Failed, Some("refused"), Some("[1]"))
    );
    // An ended job does not end again, nor take progress.
    assert!(matches!(
        s.jobs().finish(a.id, &JobEnd::Done("{}".into()), t2).await,
        Err(StoreError::Conflict(_))
    ));
    s.jobs().progress(a.id, "read", 1, 2).await.unwrap();
    assert_eq!(s.jobs().get(a.id).await.unwrap().unwrap().stage, "write");
    assert_eq!(s.jobs().get(999_999).await.unwrap(), None);
}

async fn jobs_are_listed_newest_first_by_user(s: &Store) {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    let mut ids = Vec::new();
    for user in [1, 2, 1, 1, 2] {
        ids.push(
            s.jobs()
                .create(&new_job("import", user), t0)
                .await
                .unwrap()
                .id,
        );
    }
    let (all, total) = s.jobs().list(None, 0, 2).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(
        all.iter().map(|j| j.id).collect::<Vec<_>>(),
        [ids[4], ids[3]]
    );
    let (mine, total) = s.jobs().list(Some(1), 1, 10).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        mine.iter().map(|j| j.id).collect::<Vec<_>>(),
        [ids[2], ids[0]]
    );
    let (none, total) = s.jobs().list(Some(3), 0, 10).await.unwrap();
    assert!(none.is_empty());
    assert_eq!(total, 0);
}

async fn interrupted_jobs_are_failed_at_start(s: &Store) {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    let running = s.jobs().create(&new_job("import", 1), t0).await.unwrap();
    let done = s.jobs().create(&new_job("score", 1), t0).await.unwrap();
    s.jobs().claim(t0).await.unwrap().unwrap();
    s.jobs().claim(t0).await.unwrap().unwrap();
    s.jobs()
        .finish(done.id, &JobEnd::Done("{}".into()), t0)
        .await
        .unwrap();
    let queued = s.jobs().create(&new_job("score", 1), t0).await.unwrap();
    s.jobs().progress(running.id, "write", 5, 10).await.unwrap();
    let t1 = t0 + chrono::Duration::hours(1);
    assert_eq!(s.jobs().fail_interrupted(t1).await.unwrap(), 1);
    let j = s.jobs().get(running.id).await.unwrap().unwrap();
    assert_eq!(j.state, JobState::Failed);
    assert_eq!(j.error.as_deref(), Some(INTERRUPTED));
    assert_eq!(j.finished_at, Some(t1));
    // The interrupted job cannot be finished by a worker that comes back to it.
    assert!(s
        .jobs()
        .finish(running.id, &JobEnd::Done("{}".into()), t1)
        .await
        .is_err());
    assert_eq!(
        s.jobs().get(done.id).await.unwrap().unwrap().state,
        JobState::Done
    );
    assert_eq!(
        s.jobs().get(queued.id).await.unwrap().unwrap().state,
        JobState::Queued
    );
    assert_eq!(s.jobs().fail_interrupted(t1).await.unwrap(), 0);
}

/// The history of households (issue 13): submissions and versions written with an import, a
/// version number taken twice refused with nothing written, a household removed with a review,
/// and the persons read back for duplicate detection.
async fn history_and_persons_round_trip(s: &Store) {
    use thanrak_core::HouseholdId;
    use thanrak_store::{DuplicateReview, MemberUpdate, Recorded, SubmissionRow, VersionRow};
    let (hh, mm) = example_round();
    import(s, &hh, &mm).await.unwrap();
    let round = hh[0].round.clone();
    let id = hh[0].household_id.clone();
    let now = Utc.with_ymd_and_hms(2025, 8, 2, 10, 30, 0).unwrap();
    let version = |v: i64| VersionRow {
        round: round.clone(),
        household_id: id.clone(),
        version: v,
        saved_at: now,
        saved_by: "lampang".into(),
        source: "corrected on the web".into(),
        record: format!("{{\"v\":{v}}}"),
    };
    let recorded = Recorded {
        submissions: vec![SubmissionRow {
            round: round.clone(),
            key: "uuid:1".into(),
            tool: "odk_central".into(),
            version: "uuid:2".into(),
            household_id: id.clone(),
            submitted_at: "2025-08-02T10:00:00Z".into(),
        }],
        versions: vec![version(1)],
        ..Recorded::default()
    };
    let r = s.registry();
    let write = |rec: Recorded| {
        let h = hh[..1].to_vec();
        let m: Vec<Member> = mm
            .iter()
            .filter(|m| m.household_id == id)
            .cloned()
            .collect();
        async move {
            r.import_recorded(&h, &m, MemberUpdate::Replace, "test", &rec, &mut |_, _| {})
                .await
        }
    };
    let done = write(recorded.clone()).await.unwrap();
    assert_eq!((done.submissions, done.versions), (1, 1));
    // The same version again: a conflict, and the submission's upsert is not written either.
    let mut again = recorded.clone();
    again.submissions[0].version = "uuid:3".into();
    assert!(matches!(write(again).await, Err(StoreError::Conflict(_))));
    let subs = r.submissions(std::slice::from_ref(&round)).await.unwrap();
    assert_eq!(subs[&(round.clone(), "uuid:1".to_string())].0, "uuid:2");
    assert_eq!(r.versions(&round, &id).await.unwrap(), vec![version(1)]);
    assert_eq!(
        r.latest_versions(&round, std::slice::from_ref(&id))
            .await
            .unwrap()[&id],
        1
    );
    let sub = r.submission_of(&round, &id).await.unwrap().unwrap();
    assert_eq!(sub.tool, "odk_central");
    // Persons: every member, with the household's village.
    let persons = r.persons(&Scope::All).await.unwrap();
    assert_eq!(persons.len(), mm.len());
    let p = persons
        .iter()
        .find(|p| p.household_id == mm[0].household_id && p.member_no == mm[0].member_no)
        .unwrap();
    assert_eq!(p.national_id, mm[0].national_id);
    assert_eq!(p.birth_date, mm[0].birth_date);
    assert_eq!(p.first_name, mm[0].first_name);
    // A household removed with a review, in one write.
    let gone: HouseholdId = hh[1].household_id.clone();
    let review = DuplicateReview {
        key: "0123456789abcdef".into(),
        decision: "merged".into(),
        note: "into X".into(),
        decided_by: "lampang".into(),
        decided_at: now,
    };
    let remove = Recorded {
        removed: vec![(round.clone(), gone.clone())],
        review: Some(review.clone()),
        versions: vec![version(2)],
        ..Recorded::default()
    };
    write(remove.clone()).await.unwrap();
    let left = r.households(&round).await.unwrap();
    assert!(left.iter().all(|h| h.household_id != gone));
    assert_eq!(left.len(), hh.len() - 1);
    assert!(r
        .members(&round)
        .await
        .unwrap()
        .iter()
        .all(|m| m.household_id != gone));
    assert_eq!(r.duplicate_reviews().await.unwrap()[&review.key], review);
    // A review decided twice is refused.
    assert!(matches!(
        r.review_duplicates(&review).await,
        Err(StoreError::Conflict(_))
    ));
}

common::conformance!(
    history_and_persons_round_trip,
    seeds_official_areas,
    round_trips_a_round,
    reimport_changes_nothing,
    rounds_are_kept_side_by_side,
    a_household_reimport_replaces_its_members,
    a_failed_import_writes_nothing,
    finds_stored_national_ids,
    scores_and_figures_round_trip,
    awkward_values_survive_the_store,
    jobs_are_queued_claimed_once_and_finished,
    jobs_are_listed_newest_first_by_user,
    interrupted_jobs_are_failed_at_start,
);
