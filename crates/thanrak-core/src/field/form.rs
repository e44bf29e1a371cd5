//! The household survey as an XLSForm (survey, choices and settings sheets), asking for every
//! column of methodology §1 in Thai and English: the members as a repeat group, constraints
//! that mirror the importer's checks, skip logic, the village by cascading selects and a
//! geopoint. Plain data: `thanrak_io::xlsform` writes it as a workbook.

use crate::area::{Area, AreaLevel};
use crate::ids::RoundLabel;
use crate::schema::{coded_values, Column, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

/// The name of the repeat group that holds the members (also the repeat table's name in the
/// tools' exports).
pub const MEMBERS_REPEAT: &str = "members";

/// The geopoint question (its export is split into `lat` and `lon`).
pub const GEOPOINT: &str = "geopoint";

/// The choice of the village list that stands for a village not yet in the registry, whose
/// number the surveyor then types.
pub const NEW_VILLAGE: &str = "new";

/// One row of the survey sheet. Empty strings are empty cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurveyRow {
    /// `text`, `integer`, `select_one province`, `begin_group`, `calculate`, …
    pub kind: String,
    /// The question's name: a column of the import format where it is one.
    pub name: String,
    /// The Thai label.
    pub label_th: String,
    /// The English label.
    pub label_en: String,
    /// The Thai hint.
    pub hint_th: String,
    /// The English hint.
    pub hint_en: String,
    /// `yes` or empty.
    pub required: String,
    /// When the question is asked (XPath).
    pub relevant: String,
    /// The answer's constraint (XPath).
    pub constraint: String,
    /// What the constraint says in Thai.
    pub constraint_th: String,
    /// What the constraint says in English.
    pub constraint_en: String,
    /// A `calculate`'s expression.
    pub calculation: String,
    /// A select's choice filter (cascading selects).
    pub choice_filter: String,
    /// A default answer.
    pub default: String,
}

/// One row of the choices sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRow {
    /// The list's name.
    pub list: String,
    /// The value stored.
    pub name: String,
    /// The Thai label.
    pub label_th: String,
    /// The English label.
    pub label_en: String,
    /// The values of the filter columns (see [`XlsForm::filter_columns`]), in their order.
    pub filters: Vec<String>,
}

/// The whole form.
#[derive(Debug, Clone, PartialEq)]
pub struct XlsForm {
    /// The survey sheet's rows.
    pub survey: Vec<SurveyRow>,
    /// The choices sheet's rows.
    pub choices: Vec<ChoiceRow>,
    /// The extra columns of the choices sheet that cascading selects filter on.
    pub filter_columns: Vec<&'static str>,
    /// The settings sheet: (column, value).
    pub settings: Vec<(&'static str, String)>,
}

/// The English label of a column (the Thai label is the column's Thai header).
pub fn label_en(column: &str) -> &'static str {
    match column {
        "household_id" => "Household id",
        "round" => "Survey round",
        "survey_date" => "Survey date",
        "village_code" => "Village code",
        "house_no" => "House number",
        "lat" => "Latitude",
        "lon" => "Longitude",
        "housing_tenure" => "Tenure of the dwelling",
        "housing_condition" => "Condition of the dwelling",
        "drinking_water_ok" => "Enough drinking water all year",
        "water_use_ok" => "Enough water for household use",
        "electricity" => "Has electricity",
        "sanitary_toilet" => "Has a sanitary toilet",
        "farm_land_rai" => "Farm land (rai)",
        "land_tenure" => "Tenure of the farm land",
        "natural_resource_use" => "Makes a living from natural resources",
        "disaster_risk" => "At risk of natural disasters",
        "savings_thb" => "Savings (baht)",
        "debt_formal_thb" => "Debt to banks and funds (baht)",
        "debt_informal_thb" => "Informal debt (baht)",
        "transfers_thb_year" => "Transfers received per year (baht)",
        "group_memberships" => "Community groups belonged to",
        "receives_community_help" => "Receives help from the community",
        "member_no" => "Member number",
        "national_id" => "National id (13 digits)",
        "first_name" => "First name",
        "last_name" => "Last name",
        "sex" => "Sex",
        "birth_date" => "Date of birth",
        "age" => "Age (completed years)",
        "relation" => "Relation to the head",
        "education" => "Highest education",
        "in_school" => "Studying now",
        "literate" => "Can read and write",
        "occupation" => "Occupation",
        "income_thb_year" => "Income per year (baht)",
        "disability" => "Has a disability",
        "chronic_illness" => "Has a chronic illness",
        "dependent" => "Bedridden or needs daily care",
        "receives_care" => "Receives the care needed",
        "welfare_card" => "Holds a state welfare card",
        "health_insurance" => "Has health insurance",
        "skills" => "Skills",
        "can_work" => "Able to work",
        "wants_work" => "Wants work",
        _ => "",
    }
}

/// A question the form asks only where it applies, and the value an export leaves empty for it
/// when it was skipped; `thanrak_core::field::submission` fills that value in only when the
/// skip holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Asked for members aged 3–24 (schooling).
    SchoolAge,
    /// Asked for members aged 7 and over.
    From7,
    /// Asked for members aged 15 and over (work and income).
    From15,
    /// Asked when the member is able to work.
    CanWork,
    /// Asked when the member has a chronic illness, a disability or needs daily care.
    NeedsCare,
}

impl Skip {
    /// The XLSForm `relevant` expression.
    pub fn relevant(self) -> &'static str {
        match self {
            Skip::SchoolAge => "${age_years} >= 3 and ${age_years} <= 24",
            Skip::From7 => "${age_years} >= 7",
            Skip::From15 => "${age_years} >= 15",
            Skip::CanWork => "${can_work} = '1'",
            Skip::NeedsCare => {
                "${chronic_illness} = '1' or ${disability} = '1' or ${dependent} = '1'"
            }
        }
    }

    /// Whether the question is asked of a member of `age` whose cells are read by `cell`.
    pub fn asked(self, age: Option<i32>, cell: &dyn Fn(&str) -> String) -> bool {
        let yes = |c: &str| cell(c).trim() == "1";
        match self {
            Skip::SchoolAge => age.is_none_or(|a| (3..=24).contains(&a)),
            Skip::From7 => age.is_none_or(|a| a >= 7),
            Skip::From15 => age.is_none_or(|a| a >= 15),
            Skip::CanWork => yes("can_work"),
            Skip::NeedsCare => yes("chronic_illness") || yes("disability") || yes("dependent"),
        }
    }
}

/// The member questions asked only where they apply, with the value a skipped one stands for.
pub const SKIPS: &[(&str, Skip, &str)] = &[
    ("in_school", Skip::SchoolAge, "0"),
    ("literate", Skip::From7, "0"),
    ("income_thb_year", Skip::From15, "0"),
    ("skills", Skip::From15, ""),
    ("can_work", Skip::From15, "0"),
    ("wants_work", Skip::CanWork, "0"),
    ("receives_care", Skip::NeedsCare, "0"),
];

/// The household questions by page (group): (group name, Thai, English, columns).
const HOUSEHOLD_PAGES: &[(&str, &str, &str, &[&str])] = &[
    (
        "housing",
        "ที่อยู่อาศัยและสาธารณูปโภค",
        "Dwelling and utilities",
        &[
            "housing_tenure",
            "housing_condition",
            "drinking_water_ok",
            "water_use_ok",
            "electricity",
            "sanitary_toilet",
        ],
    ),
    (
        "land",
        "ที่ดินและสิ่งแวดล้อม",
        "Land and environment",
        &[
            "farm_land_rai",
            "land_tenure",
            "natural_resource_use",
            "disaster_risk",
        ],
    ),
    (
        "finance",
        "การเงินและชุมชน",
        "Money and community",
        &[
            "savings_thb",
            "debt_formal_thb",
            "debt_informal_thb",
            "transfers_thb_year",
            "group_memberships",
            "receives_community_help",
        ],
    ),
];

/// The national id's check digit (mod 11 over the first twelve digits) as an XPath expression
/// over the question's own value.
pub fn national_id_check_xpath(value: &str) -> String {
    let sum: Vec<String> = (0..12)
        .map(|i| format!("number(substr({value}, {i}, {})) * {}", i + 1, 13 - i))
        .collect();
    format!("(11 - (({}) mod 11)) mod 10", sum.join(" + "))
}

fn column(name: &str) -> &'static Column {
    HOUSEHOLD_COLUMNS
        .iter()
        .chain(MEMBER_COLUMNS)
        .find(|c| c.name == name)
        .expect("a column of the import format")
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// The question that asks for a column, with the constraint that mirrors the importer's check.
fn question(name: &str) -> SurveyRow {
    let c = column(name);
    let mut row = SurveyRow {
        name: name.to_string(),
        label_th: c.thai.to_string(),
        label_en: label_en(name).to_string(),
        required: if c.required {
            "yes".into()
        } else {
            String::new()
        },
        ..SurveyRow::default()
    };
    let range = |row: &mut SurveyRow, a: String, b: String| {
        row.constraint = format!(". >= {a} and . <= {b}");
        row.constraint_th = format!("ต้องอยู่ระหว่าง {a} ถึง {b}");
        row.constraint_en = format!("must be between {a} and {b}");
    };
    match (c.kind, coded_values(name)) {
        (Kind::Text, Some(_)) if name == "skills" => row.kind = "select_multiple skill".into(),
        (Kind::Text, Some(_)) => row.kind = format!("select_one {name}"),
        (Kind::Text, None) => {
            row.kind = "text".into();
            if let Some(max) = c.max_chars() {
                row.constraint = format!("string-length(.) <= {max}");
                row.constraint_th = format!("ไม่เกิน {max} ตัวอักษร");
                row.constraint_en = format!("at most {max} characters");
            }
        }
        (Kind::Flag, _) => row.kind = "select_one yes_no".into(),
        (Kind::Int(a, b), _) => {
            row.kind = "integer".into();
            let b = if name == "age" {
                i64::from(crate::schema::MAX_AGE)
            } else {
                b
            };
            range(&mut row, a.to_string(), b.to_string());
        }
        (Kind::Real(a, b), _) => {
            row.kind = "decimal".into();
            range(&mut row, number_text(a), number_text(b));
        }
        (Kind::Date, _) => {
            row.kind = "date".into();
            row.constraint = ". <= today()".into();
            row.constraint_th = "ต้องไม่เลยวันนี้".into();
            row.constraint_en = "may not be after today".into();
        }
    }
    if let Some((_, skip, _)) = SKIPS.iter().find(|(n, _, _)| *n == name) {
        row.relevant = skip.relevant().to_string();
        row.required = if name == "skills" {
            String::new()
        } else {
            "yes".into()
        };
    }
    row
}

fn group(kind: &str, name: &str, th: &str, en: &str) -> SurveyRow {
    SurveyRow {
        kind: kind.to_string(),
        name: name.to_string(),
        label_th: th.to_string(),
        label_en: en.to_string(),
        ..SurveyRow::default()
    }
}

fn end(kind: &str) -> SurveyRow {
    SurveyRow {
        kind: kind.to_string(),
        ..SurveyRow::default()
    }
}

fn calculate(name: &str, calculation: String) -> SurveyRow {
    SurveyRow {
        kind: "calculate".into(),
        name: name.to_string(),
        calculation,
        ..SurveyRow::default()
    }
}

/// A form id from the round: letters, digits and `_` only, as the tools want.
pub fn form_id(round: &RoundLabel) -> String {
    let r: String = round
        .as_str()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("thanrak_household_{r}")
}

/// The survey form of `round`. `areas` are the areas the village lists offer: provinces,
/// districts, subdistricts and villages (the registry's), in any order; a subdistrict's list
/// also offers a village not yet known, by its number. `version` is the form's version (the
/// tools need a new one for every change of the form).
pub fn household_form(round: &RoundLabel, areas: &[Area], version: &str) -> XlsForm {
    let mut survey = Vec::new();
    survey.push(calculate("round", format!("'{}'", round.as_str())));
    survey.push(group(
        "begin_group",
        "location",
        "ครัวเรือนและที่ตั้ง",
        "Household and location",
    ));
    let mut id = question("household_id");
    id.constraint = "regex(., '^[A-Za-z0-9\u{0E00}-\u{0E7F}._/-]{1,64}$')".into();
    id.constraint_th = "ตัวอักษร ตัวเลข และ - _ . / ไม่เกิน 64 ตัว".into();
    id.constraint_en = "letters, digits and - _ . /, at most 64".into();
    id.hint_th = "รหัสเดิมของครัวเรือนจากรอบก่อน ถ้ามี".into();
    id.hint_en = "The household's id from the previous round, if it has one".into();
    survey.push(id);
    let mut date = question("survey_date");
    date.default = "today()".into();
    survey.push(date);
    let level = |kind: &str, name: &str, th: &str, en: &str, filter: &str| SurveyRow {
        kind: kind.to_string(),
        name: name.to_string(),
        label_th: th.to_string(),
        label_en: en.to_string(),
        required: "yes".into(),
        choice_filter: filter.to_string(),
        ..SurveyRow::default()
    };
    survey.push(level(
        "select_one province",
        "province",
        "จังหวัด",
        "Province",
        "",
    ));
    survey.push(level(
        "select_one district",
        "district",
        "อำเภอ",
        "District",
        "province = ${province}",
    ));
    survey.push(level(
        "select_one subdistrict",
        "subdistrict",
        "ตำบล",
        "Subdistrict",
        "district = ${district}",
    ));
    survey.push(level(
        "select_one village",
        "village",
        "หมู่บ้าน",
        "Village",
        &format!("subdistrict = ${{subdistrict}} or name = '{NEW_VILLAGE}'"),
    ));
    survey.push(SurveyRow {
        kind: "integer".into(),
        name: "village_no".into(),
        label_th: "หมู่ที่".into(),
        label_en: "Village number".into(),
        required: "yes".into(),
        relevant: format!("${{village}} = '{NEW_VILLAGE}'"),
        constraint: ". >= 1 and . <= 99".into(),
        constraint_th: "ต้องอยู่ระหว่าง 1 ถึง 99".into(),
        constraint_en: "must be between 1 and 99".into(),
        ..SurveyRow::default()
    });
    survey.push(calculate(
        "village_code",
        format!(
            "if(${{village}} = '{NEW_VILLAGE}', concat(${{subdistrict}}, \
             if(${{village_no}} < 10, '0', ''), ${{village_no}}), ${{village}})"
        ),
    ));
    survey.push(question("house_no"));
    survey.push(SurveyRow {
        kind: "geopoint".into(),
        name: GEOPOINT.into(),
        label_th: "พิกัดบ้าน".into(),
        label_en: "Location of the house".into(),
        ..SurveyRow::default()
    });
    survey.push(end("end_group"));
    for (name, th, en, columns) in HOUSEHOLD_PAGES {
        survey.push(group("begin_group", name, th, en));
        survey.extend(columns.iter().map(|c| question(c)));
        survey.push(end("end_group"));
    }
    survey.push(group(
        "begin_repeat",
        MEMBERS_REPEAT,
        "สมาชิกครัวเรือน",
        "Household members",
    ));
    survey.push(calculate("member_no", "position(..)".into()));
    for name in ["first_name", "last_name", "sex"] {
        survey.push(question(name));
    }
    let mut nid = question("national_id");
    nid.constraint =
        "regex(., '^[0-9]{13}$') and ${national_id_check} = number(substr(., 12, 13))".into();
    nid.constraint_th = "ต้องเป็นตัวเลข 13 หลักและเลขตรวจสอบถูกต้อง".into();
    nid.constraint_en = "must be 13 digits with a valid check digit".into();
    survey.push(nid);
    survey.push(calculate(
        "national_id_check",
        format!(
            "if(regex(${{national_id}}, '^[0-9]{{13}}$'), {}, '')",
            national_id_check_xpath("${national_id}")
        ),
    ));
    let mut birth = question("birth_date");
    birth.constraint = ". <= ${survey_date}".into();
    birth.constraint_th = "ต้องไม่เลยวันที่สำรวจ".into();
    birth.constraint_en = "may not be after the survey date".into();
    survey.push(birth);
    let mut age = question("age");
    age.relevant = "${birth_date} = ''".into();
    age.required = "yes".into();
    age.hint_th = "ถามเมื่อไม่ทราบวันเกิด".into();
    age.hint_en = "Asked when the date of birth is not known".into();
    survey.push(age);
    survey.push(calculate(
        "age_years",
        "if(${birth_date} != '', int((decimal-date-time(${survey_date}) - \
         decimal-date-time(${birth_date})) div 365.25), ${age})"
            .into(),
    ));
    for c in MEMBER_COLUMNS {
        if [
            "household_id",
            "round",
            "member_no",
            "first_name",
            "last_name",
            "sex",
            "national_id",
            "birth_date",
            "age",
        ]
        .contains(&c.name)
        {
            continue;
        }
        survey.push(question(c.name));
    }
    survey.push(end("end_repeat"));

    let mut choices = Vec::new();
    let choice = |list: &str, name: &str, th: &str, en: &str, filters: Vec<String>| ChoiceRow {
        list: list.to_string(),
        name: name.to_string(),
        label_th: th.to_string(),
        label_en: en.to_string(),
        filters,
    };
    choices.push(choice("yes_no", "1", "ใช่", "Yes", vec![]));
    choices.push(choice("yes_no", "0", "ไม่ใช่", "No", vec![]));
    let mut lists: Vec<&str> = Vec::new();
    for c in HOUSEHOLD_COLUMNS.iter().chain(MEMBER_COLUMNS) {
        if let Some(values) = coded_values(c.name) {
            let list = if c.name == "skills" { "skill" } else { c.name };
            if lists.contains(&list) {
                continue;
            }
            lists.push(list);
            for (code, th, en) in values {
                choices.push(choice(list, code, th, en, vec![]));
            }
        }
    }
    let mut sorted: Vec<&Area> = areas.iter().collect();
    sorted.sort_by_key(|a| (a.level(), a.code.to_string()));
    let ancestor = |a: &Area, level: AreaLevel| {
        a.code
            .ancestor(level)
            .map(|c| c.to_string())
            .unwrap_or_default()
    };
    for a in &sorted {
        let filters = vec![
            ancestor(a, AreaLevel::Province),
            ancestor(a, AreaLevel::District),
            ancestor(a, AreaLevel::Subdistrict),
        ];
        let (list, filters) = match a.level() {
            AreaLevel::Province => ("province", vec![String::new(); 3]),
            AreaLevel::District => (
                "district",
                vec![filters[0].clone(), String::new(), String::new()],
            ),
            AreaLevel::Subdistrict => (
                "subdistrict",
                vec![filters[0].clone(), filters[1].clone(), String::new()],
            ),
            AreaLevel::Village => ("village", filters),
        };
        choices.push(choice(
            list,
            &a.code.to_string(),
            &a.name_th,
            &a.name_en,
            filters,
        ));
    }
    choices.push(choice(
        "village",
        NEW_VILLAGE,
        "หมู่บ้านอื่น (ระบุหมู่ที่)",
        "Another village (give its number)",
        vec![String::new(); 3],
    ));
    XlsForm {
        survey,
        choices,
        filter_columns: vec!["province", "district", "subdistrict"],
        settings: vec![
            (
                "form_title",
                format!("แบบสำรวจครัวเรือน ฐานราก รอบ {}", round.as_str()),
            ),
            ("form_id", form_id(round)),
            ("version", version.to_string()),
            ("default_language", "Thai (th)".into()),
            (
                "instance_name",
                "concat(${household_id}, ' ', ${survey_date})".into(),
            ),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NationalId;

    /// Evaluates the check-digit expression the way XPath would, over a string of digits.
    fn eval_check(digits: &str) -> u32 {
        let d: Vec<u32> = digits.chars().map(|c| c.to_digit(10).unwrap()).collect();
        let sum: u32 = (0..12).map(|i| d[i] * (13 - i as u32)).sum();
        (11 - (sum % 11)) % 10
    }

    #[test]
    fn the_check_digit_expression_is_the_importers() {
        let x = national_id_check_xpath(".");
        assert!(x.starts_with("(11 - ((number(substr(., 0, 1)) * 13"));
        assert!(x.contains("number(substr(., 11, 12)) * 2"));
        for first in [[1u8; 12], [3, 1, 0, 1, 2, 0, 0, 4, 5, 6, 7, 8], [0; 12]] {
            let id = NationalId::from_first12(first);
            assert_eq!(
                eval_check(&id.digits()),
                id.digits().chars().last().unwrap().to_digit(10).unwrap()
            );
        }
    }

    #[test]
    fn every_column_is_asked_or_computed() {
        let form = household_form(
            &RoundLabel::parse("2568").unwrap(),
            crate::AreaRegistry::official().areas(),
            "1",
        );
        let names: Vec<&str> = form.survey.iter().map(|r| r.name.as_str()).collect();
        for c in HOUSEHOLD_COLUMNS.iter().chain(MEMBER_COLUMNS) {
            let asked = names.contains(&c.name) || ["lat", "lon"].contains(&c.name);
            assert!(asked, "{} is not on the form", c.name);
            assert!(
                !label_en(c.name).is_empty(),
                "{} has no English label",
                c.name
            );
        }
        let in_school = form.survey.iter().find(|r| r.name == "in_school").unwrap();
        assert_eq!(in_school.relevant, Skip::SchoolAge.relevant());
        assert_eq!(
            form.choices.iter().filter(|c| c.list == "province").count(),
            77
        );
        let sub = form
            .choices
            .iter()
            .find(|c| c.list == "subdistrict")
            .unwrap();
        assert_eq!(sub.filters[1].len(), 4);
        assert_eq!(
            form_id(&RoundLabel::parse("2568-1").unwrap()),
            "thanrak_household_2568_1"
        );
    }
}
