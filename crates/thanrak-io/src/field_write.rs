//! The household form filled in with records, written in the shapes ODK Central and
//! KoboToolbox export submissions: Central's CSV zip (the submissions table and the members
//! table joined by `KEY` / `PARENT_KEY`, groups joined by `-`, the geopoint split in four),
//! Central's OData JSON (`$expand=*`: groups as objects, the geopoint as GeoJSON, members
//! nested) and Kobo's XLSX (a sheet named after the form's title keyed by `_index`, the
//! `members` sheet joined by `_parent_index`, paths joined by `/`, a select-multiple also split
//! into one 0/1 column per choice). The tests, the benchmark and the demo's field round use it,
//! so that what the importer reads is what the form asks.

use std::io::{Cursor, Write};

use rust_xlsxwriter::{Workbook, XlsxError};
use thanrak_core::field::form::{XlsForm, GEOPOINT, MEMBERS_REPEAT, SKIPS};
use thanrak_core::schema::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{FieldValue, Household, Member};

/// One submission of the form: its key and version, when it was received, its review state
/// in the tool (`None`: not reviewed; `rejected` is left out on import) and the record.
#[derive(Debug, Clone)]
pub struct Filled {
    /// The key (ODK's first instance id; Kobo's numeric `_id`).
    pub key: String,
    /// This version's instance id.
    pub version: String,
    /// When the tool received it (ISO 8601).
    pub submitted_at: String,
    /// The review state.
    pub review: Option<String>,
    /// The household.
    pub household: Household,
    /// Its members.
    pub members: Vec<Member>,
}

/// Where an answer goes: a question of the form with its group path.
struct Question {
    path: Vec<String>,
    name: String,
    kind: String,
    in_repeat: bool,
}

fn questions(form: &XlsForm) -> Vec<Question> {
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut in_repeat = false;
    for q in &form.survey {
        match q.kind.as_str() {
            "begin_group" => path.push(q.name.clone()),
            "begin_repeat" => {
                path.push(q.name.clone());
                in_repeat = true;
            }
            "end_group" => {
                path.pop();
            }
            "end_repeat" => {
                path.pop();
                in_repeat = false;
            }
            _ => out.push(Question {
                path: path.clone(),
                name: q.name.clone(),
                kind: q.kind.clone(),
                in_repeat,
            }),
        }
    }
    out
}

fn texts(
    columns: &[thanrak_core::schema::Column],
    values: Vec<FieldValue>,
) -> Vec<(String, String)> {
    columns
        .iter()
        .zip(values)
        .map(|(c, v)| (c.name.to_string(), v.to_text()))
        .collect()
}

/// The answers of a household's questions, by question name; the geopoint as `lat lon`.
fn household_answers(h: &Household) -> Vec<(String, String)> {
    let mut a = texts(HOUSEHOLD_COLUMNS, h.to_values());
    let code = h.village_code.to_string();
    a.push(("province".into(), code[..2].to_string()));
    a.push(("district".into(), code[..4].to_string()));
    a.push(("subdistrict".into(), code[..6].to_string()));
    a.push(("village".into(), code.clone()));
    a.push(("village_no".into(), String::new()));
    if let Some((lat, lon)) = h.location {
        a.push((GEOPOINT.into(), format!("{lat} {lon}")));
    }
    a
}

/// The answers of a member's questions, by name: a question the form skips for this member is
/// empty, as the tools leave it.
fn member_answers(m: &Member, survey_date: chrono::NaiveDate) -> Vec<(String, String)> {
    let mut a = texts(MEMBER_COLUMNS, m.to_values());
    let age = m.age_at(survey_date);
    let snapshot = a.clone();
    let cell = |n: &str| {
        snapshot
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let skipped: Vec<&str> = SKIPS
        .iter()
        .filter(|(_, skip, _)| !skip.asked(age, &cell))
        .map(|(n, _, _)| *n)
        .collect();
    for (k, v) in &mut a {
        if skipped.contains(&k.as_str()) {
            v.clear();
        }
        if k == "skills" {
            *v = v.replace(';', " ");
        }
        if k == "age" && m.birth_date.is_some() {
            // Asked only without a birth date.
            v.clear();
        }
    }
    a.push((
        "age_years".into(),
        age.map(|a| a.to_string()).unwrap_or_default(),
    ));
    a
}

fn answer<'a>(answers: &'a [(String, String)], name: &str) -> &'a str {
    answers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn csv_line(out: &mut Vec<u8>, cells: &[String]) {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(cells).expect("in memory");
    out.extend_from_slice(&w.into_inner().expect("in memory"));
}

/// ODK Central's CSV export as a zip: `FORM.csv` and `FORM-members.csv`.
pub fn central_csv_zip(form: &XlsForm, form_id: &str, subs: &[Filled]) -> Vec<u8> {
    let qs = questions(form);
    let mut main = Vec::new();
    let mut header = vec!["SubmissionDate".to_string()];
    for q in qs.iter().filter(|q| !q.in_repeat) {
        let p = q
            .path
            .iter()
            .chain(std::iter::once(&q.name))
            .cloned()
            .collect::<Vec<_>>()
            .join("-");
        if q.kind == "geopoint" {
            for part in ["Latitude", "Longitude", "Altitude", "Accuracy"] {
                header.push(format!("{p}-{part}"));
            }
        } else {
            header.push(p);
        }
    }
    for h in [
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    ] {
        header.push(h.into());
    }
    csv_line(&mut main, &header);
    let mut rep = Vec::new();
    let mut rheader: Vec<String> = qs
        .iter()
        .filter(|q| q.in_repeat)
        .map(|q| q.name.clone())
        .collect();
    rheader.push("PARENT_KEY".into());
    rheader.push("KEY".into());
    csv_line(&mut rep, &rheader);
    for s in subs {
        let a = household_answers(&s.household);
        let mut row = vec![s.submitted_at.clone()];
        for q in qs.iter().filter(|q| !q.in_repeat) {
            if q.kind == "geopoint" {
                match s.household.location {
                    Some((lat, lon)) => row.extend([
                        lat.to_string(),
                        lon.to_string(),
                        "312.5".into(),
                        "4.8".into(),
                    ]),
                    None => row.extend(std::iter::repeat_n(String::new(), 4)),
                }
            } else {
                row.push(answer(&a, &q.name).to_string());
            }
        }
        let edits = if s.version == s.key { "0" } else { "1" };
        row.extend([
            s.version.clone(),
            s.key.clone(),
            "7".into(),
            "surveyor-lampang".into(),
            "0".into(),
            "0".into(),
            String::new(),
            s.review.clone().unwrap_or_default(),
            "collect:Q2jXkEj8aN".into(),
            edits.into(),
            form.settings
                .iter()
                .find(|(k, _)| *k == "version")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        ]);
        csv_line(&mut main, &row);
        for (i, m) in s.members.iter().enumerate() {
            let ma = member_answers(m, s.household.survey_date);
            let mut row: Vec<String> = qs
                .iter()
                .filter(|q| q.in_repeat)
                .map(|q| answer(&ma, &q.name).to_string())
                .collect();
            row.push(s.key.clone());
            row.push(format!("{}/{MEMBERS_REPEAT}[{}]", s.key, i + 1));
            csv_line(&mut rep, &row);
        }
    }
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(format!("{form_id}.csv"), opts)
        .expect("in memory");
    zip.write_all(&main).expect("in memory");
    zip.start_file(format!("{form_id}-{MEMBERS_REPEAT}.csv"), opts)
        .expect("in memory");
    zip.write_all(&rep).expect("in memory");
    zip.finish().expect("in memory").into_inner()
}

/// A value as ODK Central's JSON types it.
fn json_value(kind: &str, text: &str) -> serde_json::Value {
    use serde_json::Value;
    if text.is_empty() {
        return Value::Null;
    }
    match kind {
        "integer" => text
            .parse::<i64>()
            .map_or(Value::String(text.into()), Value::from),
        "decimal" => text
            .parse::<f64>()
            .map_or(Value::String(text.into()), Value::from),
        _ => Value::String(text.into()),
    }
}

/// ODK Central's OData JSON of the submissions, members expanded.
pub fn central_json(form: &XlsForm, subs: &[Filled]) -> Vec<u8> {
    use serde_json::{json, Map, Value};
    let qs = questions(form);
    let insert = |obj: &mut Map<String, Value>, path: &[String], name: &str, v: Value| {
        let mut cur = obj;
        for p in path {
            cur = cur
                .entry(p.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("a group is an object");
        }
        cur.insert(name.to_string(), v);
    };
    let mut value = Vec::new();
    for s in subs {
        let a = household_answers(&s.household);
        let mut obj = Map::new();
        obj.insert("__id".into(), json!(s.key));
        for q in qs.iter().filter(|q| !q.in_repeat) {
            let v = if q.kind == "geopoint" {
                match s.household.location {
                    Some((lat, lon)) => json!({"type": "Point", "coordinates": [lon, lat, 312.5],
                                               "properties": {"accuracy": 4.8}}),
                    None => Value::Null,
                }
            } else {
                json_value(&q.kind, answer(&a, &q.name))
            };
            insert(&mut obj, &q.path, &q.name, v);
        }
        let members: Vec<Value> = s
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let ma = member_answers(m, s.household.survey_date);
                let mut o = Map::new();
                for q in qs.iter().filter(|q| q.in_repeat) {
                    o.insert(q.name.clone(), json_value(&q.kind, answer(&ma, &q.name)));
                }
                o.insert("__id".into(), json!(format!("{:x}", i + 1)));
                Value::Object(o)
            })
            .collect();
        obj.insert(
            format!("{MEMBERS_REPEAT}@odata.navigationLink"),
            json!(format!("Submissions('{}')/{MEMBERS_REPEAT}", s.key)),
        );
        obj.insert(MEMBERS_REPEAT.into(), Value::Array(members));
        obj.insert("meta".into(), json!({"instanceID": s.version}));
        obj.insert(
            "__system".into(),
            json!({"submissionDate": s.submitted_at, "updatedAt": null, "submitterId": "7",
                   "submitterName": "surveyor-lampang", "attachmentsPresent": 0,
                   "attachmentsExpected": 0, "status": null, "reviewState": s.review,
                   "deviceId": "collect:Q2jXkEj8aN", "edits": 0, "formVersion": ""}),
        );
        value.push(Value::Object(obj));
    }
    serde_json::to_vec_pretty(&json!({
        "@odata.context": "https://central.example/v1/projects/1/forms/household.svc/$metadata#Submissions",
        "value": value
    }))
    .expect("in memory")
}

/// A table as rows of cells, the header first.
type Table = Vec<Vec<String>>;

/// KoboToolbox's two tables (header first): the submissions, named after the form's title, and
/// the members.
fn kobo_tables(form: &XlsForm, subs: &[Filled]) -> (String, Table, Table) {
    let qs = questions(form);
    let title: String = form
        .settings
        .iter()
        .find(|(k, _)| *k == "form_title")
        .map(|(_, v)| {
            v.chars()
                .filter(|c| !"[]:*?/\\".contains(*c))
                .take(31)
                .collect()
        })
        .unwrap_or_else(|| "form".into());
    let skills = thanrak_core::schema::coded_values("skills").unwrap_or_default();
    let mut main: Table = Vec::new();
    let mut repeat: Table = Vec::new();
    {
        let mut header = vec!["start".to_string(), "end".to_string()];
        for q in qs.iter().filter(|q| !q.in_repeat) {
            let p = q
                .path
                .iter()
                .chain(std::iter::once(&q.name))
                .cloned()
                .collect::<Vec<_>>()
                .join("/");
            header.push(p.clone());
            if q.kind == "geopoint" {
                let base = q.path.join("/");
                for part in ["latitude", "longitude", "altitude", "precision"] {
                    header.push(format!("{base}/_{GEOPOINT}_{part}"));
                }
            }
        }
        for h in [
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_notes",
            "_status",
            "_submitted_by",
            "__version__",
            "_tags",
            "_index",
        ] {
            header.push(h.into());
        }
        main.push(header);
        for (r, s) in subs.iter().enumerate() {
            let a = household_answers(&s.household);
            let mut row = vec![s.submitted_at.clone(), s.submitted_at.clone()];
            for q in qs.iter().filter(|q| !q.in_repeat) {
                if q.kind == "geopoint" {
                    match s.household.location {
                        Some((lat, lon)) => row.extend([
                            format!("{lat} {lon} 312.5 4.8"),
                            lat.to_string(),
                            lon.to_string(),
                            "312.5".into(),
                            "4.8".into(),
                        ]),
                        None => row.extend(std::iter::repeat_n(String::new(), 5)),
                    }
                } else {
                    row.push(answer(&a, &q.name).to_string());
                }
            }
            let status = match s.review.as_deref() {
                Some("rejected") => "validation_status_not_approved",
                Some(_) => "validation_status_approved",
                None => "",
            };
            row.extend([
                s.key.clone(),
                s.version.trim_start_matches("uuid:").to_string(),
                s.submitted_at.clone(),
                status.into(),
                String::new(),
                "submitted_via_web".into(),
                "surveyor_lampang".into(),
                "vQ8pYw3".into(),
                String::new(),
                (r + 1).to_string(),
            ]);
            main.push(row);
        }
    }
    {
        let mut header = Vec::new();
        for q in qs.iter().filter(|q| q.in_repeat) {
            header.push(format!("{MEMBERS_REPEAT}/{}", q.name));
            if q.kind.starts_with("select_multiple") {
                for (code, _, _) in &skills {
                    header.push(format!("{MEMBERS_REPEAT}/{}/{code}", q.name));
                }
            }
        }
        for h in [
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__id",
            "_submission__uuid",
            "_submission__submission_time",
            "_submission__validation_status",
        ] {
            header.push(h.into());
        }
        repeat.push(header);
        let mut r = 0u32;
        for (si, s) in subs.iter().enumerate() {
            for m in &s.members {
                r += 1;
                let ma = member_answers(m, s.household.survey_date);
                let mut row = Vec::new();
                for q in qs.iter().filter(|q| q.in_repeat) {
                    let v = answer(&ma, &q.name).to_string();
                    row.push(v.clone());
                    if q.kind.starts_with("select_multiple") {
                        for (code, _, _) in &skills {
                            let on = v.split_whitespace().any(|x| x == *code);
                            row.push(if v.is_empty() {
                                String::new()
                            } else if on {
                                "1".into()
                            } else {
                                "0".into()
                            });
                        }
                    }
                }
                row.extend([
                    r.to_string(),
                    title.clone(),
                    (si + 1).to_string(),
                    s.key.clone(),
                    s.version.trim_start_matches("uuid:").to_string(),
                    s.submitted_at.clone(),
                    String::new(),
                ]);
                repeat.push(row);
            }
        }
    }
    (title, main, repeat)
}

/// KoboToolbox's XLSX export: the submissions sheet (named after the form's title, at most 31
/// characters) and the `members` sheet.
pub fn kobo_xlsx(form: &XlsForm, subs: &[Filled]) -> Result<Vec<u8>, XlsxError> {
    let (title, main, repeat) = kobo_tables(form, subs);
    let mut book = Workbook::new();
    for (name, table) in [(title.as_str(), &main), (MEMBERS_REPEAT, &repeat)] {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        for (r, row) in table.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v)?;
                }
            }
        }
    }
    book.save_to_buffer()
}

/// KoboToolbox's CSV export (`;`-separated, as Kobo writes it by default): the submissions
/// table and the members table as two files.
pub fn kobo_csv(form: &XlsForm, subs: &[Filled]) -> (Vec<u8>, Vec<u8>) {
    let (_, main, repeat) = kobo_tables(form, subs);
    let write = |table: &Table| {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        for row in table {
            w.write_record(row).expect("in memory");
        }
        w.into_inner().expect("in memory")
    };
    (write(&main), write(&repeat))
}
