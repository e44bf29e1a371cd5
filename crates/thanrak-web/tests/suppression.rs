//! Small cells as an analyst meets them through the figures API: every area of the demo
//! population, every breakdown, read as an analyst would, then every subtraction tried (a line
//! of the tables — an area's total against its groups, an area against its child areas, an area
//! against its rows by sex of head — with one unknown gives it away). No count of fewer than 5
//! households may be recovered, and no withheld count at all.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::Value;
use thanrak_app::access;
use thanrak_web::auth::credentials;

mod common;

const GROUPS: [&str; 4] = ["hardship", "struggling", "getting_by", "doing_well"];

/// A cell: (area, "" for the whole country), and which count: `total`, a group, or `sex:M`.
type Cell = (String, String);

#[derive(Default)]
struct Seen {
    /// Every cell as published: `None` when withheld.
    cells: BTreeMap<Cell, Option<u64>>,
    /// Child areas of each area.
    children: BTreeMap<String, BTreeSet<String>>,
    /// Rows by sex of head of each area.
    sexes: BTreeMap<String, BTreeSet<String>>,
}

impl Seen {
    fn put(&mut self, cell: Cell, value: Option<u64>) {
        let old = self.cells.insert(cell.clone(), value);
        // The same count must be published the same way in every view.
        if let Some(old) = old {
            assert_eq!(old, value, "{cell:?} differs between views");
        }
    }

    fn row(&mut self, area: &str, row: &Value) {
        let f = &row["figures"];
        let total = f["n"].as_f64().map(|n| n as u64);
        self.put((area.into(), "total".into()), total);
        for g in GROUPS {
            let v = if f.is_null() {
                None
            } else {
                f["households"][g].as_u64()
            };
            self.put((area.into(), g.into()), v);
        }
    }
}

async fn crawl(app: &common::Server, token: &str, round: &str) -> Seen {
    let mut seen = Seen::default();
    let mut queue = vec![String::new()];
    while let Some(area) = queue.pop() {
        let get = |by: &str| {
            let url = format!(
                "http://{}/api/v1/rounds/{round}/figures?unit=household&area={area}{by}",
                app.addr
            );
            let token = token.to_string();
            let client = app.client.clone();
            async move {
                let res = client
                    .get(url)
                    .header("authorization", format!("Bearer {token}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                res.json::<Value>().await.unwrap()
            }
        };
        let v = get("").await;
        seen.row(&area, &v["overall"]);
        if v["by"] != "group" {
            for r in v["rows"].as_array().unwrap() {
                let child = r["key"].as_str().unwrap().to_string();
                seen.row(&child, r);
                seen.children
                    .entry(area.clone())
                    .or_default()
                    .insert(child.clone());
                queue.push(child);
            }
        }
        // By group: each row is one group count of the area.
        let v = get("&by=group").await;
        for r in v["rows"].as_array().unwrap() {
            let g = r["key"].as_str().unwrap();
            let name = GROUPS[["1", "2", "3", "4"]
                .iter()
                .position(|k| *k == g)
                .or_else(|| GROUPS.iter().position(|k| *k == g))
                .unwrap_or_else(|| panic!("group key {g}"))];
            seen.put(
                (area.clone(), name.into()),
                r["figures"]["n"].as_f64().map(|n| n as u64),
            );
        }
        // By sex of head: rows that split the area's total another way.
        let v = get("&by=head_sex").await;
        for r in v["rows"].as_array().unwrap() {
            let sex = format!("sex:{}", r["key"].as_str().unwrap());
            seen.put(
                (area.clone(), sex.clone()),
                r["figures"]["n"].as_f64().map(|n| n as u64),
            );
            seen.sexes.entry(area.clone()).or_default().insert(sex);
        }
    }
    seen
}

/// Every additive line of the published tables: (total, members).
fn lines(seen: &Seen) -> Vec<(Cell, Vec<Cell>)> {
    let mut out = Vec::new();
    let areas: BTreeSet<&String> = seen.cells.keys().map(|(a, _)| a).collect();
    let cell = |a: &str, c: &str| (a.to_string(), c.to_string());
    for a in areas {
        out.push((
            cell(a, "total"),
            GROUPS.iter().map(|g| cell(a, g)).collect(),
        ));
        if let Some(kids) = seen.children.get(a) {
            for c in std::iter::once("total").chain(GROUPS) {
                out.push((cell(a, c), kids.iter().map(|k| cell(k, c)).collect()));
            }
        }
        if let Some(sexes) = seen.sexes.get(a) {
            out.push((cell(a, "total"), sexes.iter().map(|s| cell(a, s)).collect()));
        }
    }
    out
}

/// The withheld cells that subtraction recovers.
fn recovered(seen: &Seen) -> BTreeSet<Cell> {
    let mut known: BTreeSet<Cell> = seen
        .cells
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(c, _)| c.clone())
        .collect();
    let lines = lines(seen);
    let mut out = BTreeSet::new();
    loop {
        let mut progress = false;
        for (total, members) in &lines {
            let unknown: Vec<&Cell> = std::iter::once(total)
                .chain(members)
                .filter(|c| !known.contains(*c))
                .collect();
            if unknown.len() == 1 {
                let c = unknown[0].clone();
                known.insert(c.clone());
                out.insert(c);
                progress = true;
            }
        }
        if !progress {
            return out;
        }
    }
}

#[tokio::test]
async fn no_small_count_can_be_worked_out_from_the_figures() {
    let app = common::Server::start().await;
    let mut tokens = Vec::new();
    for user in ["admin", "analyst", "surveyor"] {
        let (token, digest) = credentials::new_api_token();
        access::add_api_token(&app.store, user, &digest)
            .await
            .unwrap();
        tokens.push(token);
    }
    for round in &app.rounds {
        let truth = crawl(&app, &tokens[0], round).await;
        assert!(truth.cells.values().all(Option::is_some));
        let small: BTreeSet<&Cell> = truth
            .cells
            .iter()
            .filter(|(_, v)| matches!(v, Some(n) if *n > 0 && *n < 5))
            .map(|(c, _)| c)
            .collect();
        assert!(!small.is_empty(), "the demo has small cells to protect");
        // The analyst sees no small count anywhere, and no withheld count can be recovered.
        let analyst = crawl(&app, &tokens[1], round).await;
        for c in &small {
            assert_eq!(analyst.cells[*c], None, "{c:?} shown to the analyst");
        }
        for (c, v) in &analyst.cells {
            if let Some(v) = v {
                assert_eq!(truth.cells[c], Some(*v), "{c:?}");
            }
        }
        assert_eq!(recovered(&analyst), BTreeSet::new());
        // The surveyor sees its own subdistrict in full and nothing small elsewhere can be
        // recovered, even with its own counts.
        let surveyor = crawl(&app, &tokens[2], round).await;
        let own = app.surveyed.to_string();
        for (c, v) in &surveyor.cells {
            if c.0.starts_with(&own) {
                assert_eq!(*v, truth.cells[c], "{c:?} of the surveyor's own area");
            } else if small.contains(c) {
                assert_eq!(*v, None, "{c:?} shown to the surveyor");
            }
        }
        let leaked: BTreeSet<Cell> = recovered(&surveyor)
            .into_iter()
            .filter(|c| !c.0.starts_with(&own))
            .collect();
        // A count the surveyor could piece together from its own areas alone is no secret.
        let leaked: BTreeSet<Cell> = leaked
            .into_iter()
            .filter(|c| {
                surveyor
                    .children
                    .get(&c.0)
                    .is_none_or(|kids| !kids.iter().all(|k| k.starts_with(&own)))
            })
            .collect();
        assert_eq!(leaked, BTreeSet::new());
    }
}
