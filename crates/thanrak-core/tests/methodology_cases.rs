//! Table-driven cases (tests/fixtures/methodology-cases): every indicator, capital criterion and
//! group rule of the default methodology at its boundaries, built through the importer's path.

use std::collections::BTreeMap;

use thanrak_core::measure::{score_household, score_round, HouseholdScore};
use thanrak_core::methodology::{Group, Methodology, Ratio};
use thanrak_core::schema::{self, Column, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{AreaRegistry, Household, Member};
use toml::de::{DeTable, DeValue};

const CASES: &str = include_str!("fixtures/methodology-cases/cases.toml");

type Cells = BTreeMap<String, String>;

fn text(v: &DeValue) -> String {
    match v {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => u8::from(*b).to_string(),
        other => panic!("a cell must be text or a number, not {other:?}"),
    }
}

fn cells(v: Option<&DeValue>) -> Cells {
    match v {
        None => Cells::new(),
        Some(DeValue::Table(t)) => t
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), text(v.get_ref())))
            .collect(),
        Some(other) => panic!("expected a table of cells, found {other:?}"),
    }
}

fn table<'a, 'i>(v: &'a DeValue<'i>) -> &'a DeTable<'i> {
    match v {
        DeValue::Table(t) => t,
        other => panic!("expected a table, found {other:?}"),
    }
}

fn list<'a, 'i>(v: Option<&'a DeValue<'i>>) -> Vec<&'a DeValue<'i>> {
    match v {
        None => Vec::new(),
        Some(DeValue::Array(a)) => a.iter().map(|x| x.get_ref()).collect(),
        Some(other) => panic!("expected a list, found {other:?}"),
    }
}

fn strings(v: Option<&DeValue>) -> Vec<String> {
    list(v).into_iter().map(text).collect()
}

/// Cells (by column name) in canonical column order, through the import parser.
fn row(columns: &'static [Column], cells: &Cells, case: &str) -> Vec<schema::FieldValue> {
    let mut ordered = vec![""; columns.len()];
    for (name, value) in cells {
        let i = schema::match_header(columns, name)
            .unwrap_or_else(|| panic!("{case}: unknown column {name}"));
        ordered[i] = value;
    }
    let (values, errors) = schema::parse_cells(columns, &ordered);
    assert!(errors.is_empty(), "{case}: {errors:?}");
    values
}

struct Case {
    name: String,
    household: Household,
    members: Vec<Member>,
    expect: &'static DeTable<'static>,
}

fn cases() -> Vec<Case> {
    let doc: &'static DeTable<'static> = Box::leak(Box::new(
        DeTable::parse(CASES)
            .expect("cases.toml is valid TOML")
            .into_inner(),
    ));
    let base = table(doc.get("base").expect("[base]").get_ref());
    let base_household = cells(base.get("household").map(|v| v.get_ref()));
    let base_members: Vec<Cells> = list(base.get("member").map(|v| v.get_ref()))
        .into_iter()
        .map(|m| cells(Some(m)))
        .collect();
    let new_member = cells(base.get("new_member").map(|v| v.get_ref()));

    list(doc.get("case").map(|v| v.get_ref()))
        .into_iter()
        .enumerate()
        .map(|(n, c)| {
            let c = table(c);
            let name = text(c.get("name").expect("a case has a name").get_ref());
            let id = format!("C{:03}", n + 1);
            let mut hh = base_household.clone();
            hh.extend(cells(c.get("household").map(|v| v.get_ref())));
            hh.insert("household_id".into(), id.clone());

            let mut members = base_members.clone();
            let removed = strings(c.get("remove").map(|v| v.get_ref()));
            members.retain(|m| !removed.contains(&m["member_no"]));
            if let Some(edits) = c.get("member") {
                for (no, edit) in table(edits.get_ref()) {
                    let m = members
                        .iter_mut()
                        .find(|m| m["member_no"] == *no.get_ref())
                        .unwrap_or_else(|| panic!("{name}: no member {}", no.get_ref()));
                    m.extend(cells(Some(edit.get_ref())));
                }
            }
            let added = list(c.get("add").map(|v| v.get_ref()));
            for (no, add) in (base_members.len() + 1..).zip(added) {
                let mut m = new_member.clone();
                m.extend(cells(Some(add)));
                m.insert("member_no".into(), no.to_string());
                members.push(m);
            }

            let household = Household::from_values(
                &row(HOUSEHOLD_COLUMNS, &hh, &name),
                AreaRegistry::official(),
            )
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let members = members
                .iter_mut()
                .map(|m| {
                    m.insert("household_id".into(), id.clone());
                    m.insert("round".into(), hh["round"].clone());
                    Member::from_values(&row(MEMBER_COLUMNS, m, &name))
                        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
                })
                .collect();
            Case {
                name,
                household,
                members,
                expect: c,
            }
        })
        .collect()
}

/// The differences between a score and a case's expectations.
fn differences(m: &Methodology, case: &Case, s: &HouseholdScore) -> Vec<String> {
    let e = case.expect;
    let mut out = Vec::new();
    let deprived: Vec<String> = m
        .indicators()
        .iter()
        .enumerate()
        .filter(|(i, _)| s.deprived(*i))
        .map(|(_, ind)| ind.id.clone())
        .collect();
    let want = strings(e.get("deprived").map(|v| v.get_ref()));
    for id in &want {
        assert!(
            m.indicator_index(id).is_some(),
            "{}: unknown indicator {id}",
            case.name
        );
    }
    let mut want_sorted = want.clone();
    want_sorted.sort_by_key(|id| m.indicator_index(id));
    if deprived != want_sorted {
        out.push(format!("deprived {deprived:?}, expected {want_sorted:?}"));
    }
    let failed: Vec<String> = s.failed_criteria(m).map(|c| c.code.clone()).collect();
    let mut want = strings(e.get("failed").map(|v| v.get_ref()));
    for code in &want {
        assert!(
            m.criterion_index(code).is_some(),
            "{}: unknown criterion {code}",
            case.name
        );
    }
    want.sort_by_key(|c| m.criterion_index(c));
    if failed != want {
        out.push(format!("failed {failed:?}, expected {want:?}"));
    }
    let group = text(e.get("group").expect("a case has a group").get_ref());
    if s.group.as_str() != group {
        out.push(format!("group {}, expected {group}", s.group));
    }
    if let Some(rule) = e.get("rule") {
        let got = &m.group_rules()[s.rule].id;
        if *got != text(rule.get_ref()) {
            out.push(format!("rule {got}, expected {}", text(rule.get_ref())));
        }
    }
    if let Some(score) = e.get("score") {
        let want = Ratio::parse(&text(score.get_ref())).expect("an exact score");
        let got = Ratio::new(s.c.num as i64, s.c.den as i64).expect("a ratio");
        if got != want {
            out.push(format!("score {got}, expected {want}"));
        }
    }
    if let Some(poor) = e.get("mpi_poor") {
        if Some(s.mpi_poor) != poor.get_ref().as_bool() {
            out.push(format!(
                "mpi_poor {}, expected {:?}",
                s.mpi_poor,
                poor.get_ref().as_bool()
            ));
        }
    }
    if s.target_poor != (s.c.num > 0) || s.score != s.c.num as f64 / s.c.den as f64 {
        out.push("score, c and target_poor disagree".into());
    }
    out
}

#[test]
fn every_case_gives_what_it_expects() {
    let m = Methodology::thanrak_default();
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let s = score_household(m, &case.household, &case.members);
        let d = differences(m, case, &s);
        if !d.is_empty() {
            failures.push(format!("{}:\n  {}", case.name, d.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_cases_cover_every_indicator_criterion_and_rule() {
    let m = Methodology::thanrak_default();
    let cases = cases();
    let scores: Vec<HouseholdScore> = cases
        .iter()
        .map(|c| score_household(m, &c.household, &c.members))
        .collect();
    for (i, ind) in m.indicators().iter().enumerate() {
        assert!(
            scores.iter().any(|s| s.deprived(i)),
            "no case is deprived in {}",
            ind.id
        );
        assert!(
            scores.iter().any(|s| !s.deprived(i)),
            "every case is deprived in {}",
            ind.id
        );
    }
    for (i, c) in m.criteria().iter().enumerate() {
        assert!(
            scores.iter().any(|s| !s.criteria_met.get(i)),
            "no case fails {}",
            c.code
        );
    }
    for (i, r) in m.group_rules().iter().enumerate() {
        assert!(
            scores.iter().any(|s| s.rule == i),
            "no case is decided by rule {}",
            r.id
        );
    }
    for g in Group::ALL {
        assert!(scores.iter().any(|s| s.group == g), "no case in group {g}");
    }
}

#[test]
fn scoring_a_round_with_members_in_any_order_gives_the_same() {
    let m = Methodology::thanrak_default();
    let cases = cases();
    let households: Vec<Household> = cases.iter().map(|c| c.household.clone()).collect();
    let one_by_one: Vec<HouseholdScore> = cases
        .iter()
        .map(|c| score_household(m, &c.household, &c.members))
        .collect();
    // Grouped in household order (the fast path) ...
    let members: Vec<Member> = cases.iter().flat_map(|c| c.members.clone()).collect();
    assert_eq!(score_round(m, &households, &members), one_by_one);
    // ... and interleaved in reverse, with a stray member of an unknown household.
    let mut shuffled: Vec<Member> = members.iter().rev().cloned().collect();
    shuffled.swap(0, members.len() / 2);
    let mut stray = members[0].clone();
    stray.household_id = thanrak_core::HouseholdId::parse("NOBODY").unwrap();
    shuffled.insert(3, stray);
    let scores = score_round(m, &households, &shuffled);
    for (a, b) in scores.iter().zip(&one_by_one) {
        // Member order can only change which head is seen first; there is one head here.
        assert_eq!(a, b);
    }
}
