//! Import checks probed as an outsider would: files built to ask the checks about people and
//! households the user may not see. A clash with such a record may say only that it exists —
//! never which household, village, person or round — and never confirm a value the role sees
//! masked; every such clash is written to the audit log and counted, and a user who runs into
//! too many in a day has its imports paused.

use std::net::SocketAddr;

use reqwest::{Client, StatusCode};
use serde_json::Value;
use thanrak_app::access;
use thanrak_app::db::{ImportConflict, Store};
use thanrak_app::upload::MAX_HIDDEN_CLASHES_PER_DAY;
use thanrak_core::identity::UserName;
use thanrak_web::auth::credentials;

mod common;

use common::{code, multipart};

struct Probe {
    addr: SocketAddr,
    store: Store,
    client: Client,
    round: String,
    households: Vec<csv::StringRecord>,
    members: Vec<csv::StringRecord>,
    hh_header: csv::StringRecord,
    m_header: csv::StringRecord,
    surveyed: thanrak_core::AreaCode,
    _dir: tempfile::TempDir,
}

fn read(path: &std::path::Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    (header, r.records().map(Result::unwrap).collect())
}

fn write(header: &csv::StringRecord, rows: &[csv::StringRecord]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn col(header: &csv::StringRecord, name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

fn with(row: &csv::StringRecord, at: &[(usize, &str)]) -> csv::StringRecord {
    row.iter()
        .enumerate()
        .map(|(i, v)| at.iter().find(|(j, _)| *j == i).map_or(v, |(_, n)| *n))
        .collect()
}

impl Probe {
    async fn start() -> Probe {
        let (store, dir) = common::sqlite_store().await;
        let population = common::load_population(&store, false).await;
        let round = population.rounds[0].clone();
        let out = dir.path().join("export");
        let label = thanrak_core::RoundLabel::parse(&round).unwrap();
        thanrak_app::export_round(&store, &label, &out, thanrak_app::ExportFormat::Csv)
            .await
            .unwrap();
        let (hh_header, households) = read(&out.join("households.csv"));
        let (m_header, members) = read(&out.join("members.csv"));
        Probe {
            addr: common::start_server(&store).await,
            store,
            client: common::client(),
            round,
            households,
            members,
            hh_header,
            m_header,
            surveyed: population.surveyed,
            _dir: dir,
        }
    }

    async fn token(&self, user: &str) -> String {
        let (token, digest) = credentials::new_api_token();
        access::add_api_token(&self.store, user, &digest)
            .await
            .unwrap();
        token
    }

    async fn user_id(&self, user: &str) -> i64 {
        self.store
            .accounts()
            .user(&UserName::parse(user).unwrap())
            .await
            .unwrap()
            .id
    }

    fn village(&self, hh: &csv::StringRecord) -> String {
        hh[col(&self.hh_header, "village_code")].to_string()
    }

    fn hh_id(&self, row: &csv::StringRecord, header: &csv::StringRecord) -> String {
        row[col(header, "household_id")].to_string()
    }

    /// A stored household whose village lies in `area`.
    fn household_in(&self, area: &str) -> &csv::StringRecord {
        self.households
            .iter()
            .find(|h| self.village(h).starts_with(area))
            .unwrap()
    }

    /// Stored members with a national id whose household lies in `area`, other than `except`.
    fn members_in(&self, area: &str, except: &str) -> Vec<&csv::StringRecord> {
        let nid = col(&self.m_header, "national_id");
        self.members
            .iter()
            .filter(|m| !m[nid].is_empty())
            .filter(|m| {
                let hh = self.hh_id(m, &self.m_header);
                hh != except
                    && self.households.iter().any(|h| {
                        self.hh_id(h, &self.hh_header) == hh && self.village(h).starts_with(area)
                    })
            })
            .collect()
    }

    /// A new household in `area` (a stored one under a fresh id) whose members carry the
    /// national ids of `guesses`.
    fn guess_files(&self, area: &str, guesses: &[&csv::StringRecord]) -> (Vec<u8>, Vec<u8>) {
        let id = "PROBE00001";
        let hh = with(
            self.household_in(area),
            &[(col(&self.hh_header, "household_id"), id)],
        );
        let (hh_col, no_col) = (
            col(&self.m_header, "household_id"),
            col(&self.m_header, "member_no"),
        );
        let members: Vec<csv::StringRecord> = guesses
            .iter()
            .enumerate()
            .map(|(i, m)| with(m, &[(hh_col, id), (no_col, &(i + 1).to_string())]))
            .collect();
        (
            write(&self.hh_header, &[hh]),
            write(&self.m_header, &members),
        )
    }

    async fn dry_run(
        &self,
        token: &str,
        households: &[u8],
        members: &[u8],
    ) -> (StatusCode, String) {
        let files: [(&str, &[u8]); 2] = [("households.csv", households), ("members.csv", members)];
        let (ct, body) = multipart(None, &files);
        let res = self
            .client
            .post(format!("http://{}/api/v1/imports?dry_run=true", self.addr))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

fn problems(body: &str, column: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(body).unwrap();
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["column"] == column)
        .cloned()
        .collect()
}

#[tokio::test]
async fn import_checks_do_not_reveal_records_the_user_may_not_see() {
    let p = Probe::start().await;
    let lampang = p.token("lampang").await;
    // An area manager of Lampang guesses the national id of a person in Roi Et (45).
    let target = p.members_in("45", "")[0];
    let target_hh = p.hh_id(target, &p.m_header);
    let target_village = p
        .households
        .iter()
        .find(|h| p.hh_id(h, &p.hh_header) == target_hh)
        .map(|h| p.village(h))
        .unwrap();
    let (hh, mm) = p.guess_files("52", &[target]);
    let (status, body) = p.dry_run(&lampang, &hh, &mm).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let found = problems(&body, "national_id");
    assert_eq!(found.len(), 1, "{body}");
    let reason = found[0]["reason"].as_str().unwrap();
    assert!(reason.contains("may not see"), "{reason}");
    for secret in [
        target_hh.as_str(),
        target_village.as_str(),
        p.round.as_str(),
    ] {
        assert!(!body.contains(secret), "{secret} leaked: {body}");
    }

    // It submits a household id of Roi Et under a village of its own: told only that the id is
    // taken outside its areas, not where.
    let roi_et = p.household_in("45");
    let roi_et_id = p.hh_id(roi_et, &p.hh_header);
    let probe = with(
        p.household_in("52"),
        &[(col(&p.hh_header, "household_id"), &roi_et_id)],
    );
    let (status, body) = p
        .dry_run(
            &lampang,
            &write(&p.hh_header, &[probe]),
            &write(&p.m_header, &[]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let found = problems(&body, "household_id");
    assert_eq!(found.len(), 1, "{body}");
    assert!(found[0]["reason"]
        .as_str()
        .unwrap()
        .contains("outside your areas"));
    assert!(!body.contains(&p.village(roi_et)), "village leaked: {body}");

    // Inside its own areas an area manager sees personal data, so the clash is named.
    let own = p.members_in("52", "")[0];
    let (hh, mm) = p.guess_files("52", &[own]);
    let (_, body) = p.dry_run(&lampang, &hh, &mm).await;
    let found = problems(&body, "national_id");
    assert!(
        found[0]["reason"].as_str().unwrap().contains(&format!(
            "is also a member of household {}",
            p.hh_id(own, &p.m_header)
        )),
        "{body}"
    );

    // A surveyor sees national ids masked, even in its own villages: a clash there is not
    // confirmed with the household either.
    let surveyor = p.token("surveyor").await;
    let area = p.surveyed.to_string();
    let neighbour = p.members_in(&area, "")[0];
    let neighbour_hh = p.hh_id(neighbour, &p.m_header);
    let (hh, mm) = p.guess_files(&area, &[neighbour]);
    let (status, body) = p.dry_run(&surveyor, &hh, &mm).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let found = problems(&body, "national_id");
    assert!(
        found[0]["reason"].as_str().unwrap().contains("may not see"),
        "{body}"
    );
    assert!(!body.contains(&neighbour_hh), "{body}");

    // Every hidden clash is in the audit log for the admins, naming what was checked.
    let (lines, _) = p.store.audit().entries(0, 100).await.unwrap();
    let clash_lines: Vec<_> = lines
        .iter()
        .filter(|l| l.entry.action.starts_with("import check met"))
        .collect();
    assert_eq!(clash_lines.len(), 3, "{lines:?}");
    assert!(clash_lines.iter().any(
        |l| l.entry.user_name == "lampang" && l.entry.household_ids == vec![target_hh.clone()]
    ));
    assert!(clash_lines
        .iter()
        .any(|l| l.entry.user_name == "surveyor"
            && l.entry.household_ids == vec![neighbour_hh.clone()]));
    // … and every check, with its outcome.
    assert!(lines.iter().any(|l| l.entry.user_name == "lampang"
        && l.entry
            .action
            .starts_with("import check: files households.csv, members.csv")
        && l.entry.action.ends_with("rejected (1 problems)")));
    let since = chrono::Utc::now() - chrono::Duration::days(1);
    let lampang_id = p.user_id("lampang").await;
    assert_eq!(
        p.store
            .registry()
            .import_conflicts_since(lampang_id, since)
            .await
            .unwrap()
            .0,
        2
    );
}

#[tokio::test]
async fn bulk_guessing_is_cut_off_and_paused() {
    let p = Probe::start().await;
    let lampang = p.token("lampang").await;
    // Tens of guesses in one request: only the allowance is listed row by row.
    let guesses = p.members_in("45", "");
    let many = MAX_HIDDEN_CLASHES_PER_DAY as usize + 10;
    assert!(
        guesses.len() >= many,
        "the demo has {} members",
        guesses.len()
    );
    let (hh, mm) = p.guess_files("52", &guesses[..many]);
    let (status, body) = p.dry_run(&lampang, &hh, &mm).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&body, "national_id").len(),
        MAX_HIDDEN_CLASHES_PER_DAY as usize,
        "{body}"
    );
    assert!(body.contains("further rows clash with records you may not see"));
    // The allowance is spent: every further check is refused, whatever its files hold.
    let clean = p.household_in("52");
    let (status, body) = p
        .dry_run(
            &lampang,
            &write(&p.hh_header, std::slice::from_ref(clean)),
            &write(&p.m_header, &[]),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("imports are paused"), "{body}");

    // A surveyor with an allowance spent earlier is refused too; others are not.
    let surveyor_id = p.user_id("surveyor").await;
    let spent: Vec<ImportConflict> = (0..MAX_HIDDEN_CLASHES_PER_DAY)
        .map(|i| ImportConflict {
            round: p.round.clone(),
            column: "national_id".into(),
            value: format!("{i}"),
            household_id: "X".into(),
        })
        .collect();
    p.store
        .registry()
        .record_import_conflicts(surveyor_id, chrono::Utc::now(), &spent)
        .await
        .unwrap();
    let surveyor = p.token("surveyor").await;
    let (status, _) = p
        .dry_run(
            &surveyor,
            &write(&p.hh_header, &[]),
            &write(&p.m_header, &[]),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let admin = p.token("admin").await;
    let area = code("52").to_string();
    let (hh, mm) = p.guess_files(&area, &[p.members_in("45", "")[0]]);
    let (status, body) = p.dry_run(&admin, &hh, &mm).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Admins see everything, so they are told which household holds the id.
    assert!(body.contains("is also a member of household"), "{body}");
}
