//! The methodology file: the shipped default loads, and each kind of wrong file is refused with
//! a message that names the line and column of the problem.

use thanrak_core::methodology::{
    Group, Methodology, MethodologyError, MethodologyErrorKind as K, Ratio, RuleScope,
};

const DEFAULT: &str = include_str!("../methodology/thanrak-default-1.toml");

/// The default file with `from` (which must occur exactly once) replaced by `to`, and the
/// offset of the replacement.
fn edit(from: &str, to: &str) -> (String, usize) {
    assert_eq!(
        DEFAULT.matches(from).count(),
        1,
        "`{from}` occurs once in the default file"
    );
    (
        DEFAULT.replacen(from, to, 1),
        DEFAULT.find(from).expect("present"),
    )
}

/// 1-based line and column (in characters) of the first `needle` at or after byte `from`.
fn locate(text: &str, needle: &str, from: usize) -> (usize, usize) {
    let at = from + text[from..].find(needle).expect("needle present");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, col)
}

fn refused(text: &str) -> MethodologyError {
    match Methodology::parse(text) {
        Ok(_) => panic!("the file was accepted"),
        Err(e) => e,
    }
}

/// Asserts the kind, the location (the first `at` from the edit on) and a part of the message.
fn check((text, from): &(String, usize), kind: K, at: &str, message: &str) {
    let e = refused(text);
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!((e.line, e.column), locate(text, at, *from), "{e}");
    assert!(e.message.contains(message), "`{message}` not in: {e}");
    assert!(e
        .to_string()
        .starts_with(&format!("line {}, column {}: ", e.line, e.column)));
}

#[test]
fn the_shipped_file_is_the_embedded_default() {
    assert_eq!(Methodology::default_file(), DEFAULT);
    let m = Methodology::parse(DEFAULT).unwrap();
    assert_eq!((m.id(), m.version()), ("thanrak-default-1", "1"));
    assert_eq!(m.indicators()[0].rule.scope, RuleScope::AnyMember);
    assert_eq!(m.indicators()[0].rule.when, "health_insurance == 0");
    let dims: Vec<(&str, String)> = m
        .dimensions()
        .iter()
        .map(|d| (d.id.as_str(), d.weight.to_string()))
        .collect();
    assert_eq!(dims.len(), 5);
    assert!(dims.iter().all(|(_, w)| w == "1/5"));
    assert_eq!(m.criterion_index("human.capable_worker"), Some(0));
    assert_eq!(m.group_rules()[3].rule.when, "true");
}

#[test]
fn unknown_field() {
    let t = edit(
        "when = \"health_insurance == 0\"",
        "when = \"health_insurence == 0\"",
    );
    check(
        &t,
        K::UnknownField,
        "health_insurence",
        "did you mean `health_insurance`",
    );
    let t = edit(
        "when = \"income_pc < line\"\n\n[[indicator]]",
        "when = \"income_pc < lin\"\n\n[[indicator]]",
    );
    check(&t, K::UnknownField, "lin\"", "unknown field `lin`");
    let t = edit("when = \"savings_thb > 0\"", "when = \"savings(0)\"");
    check(
        &t,
        K::UnknownField,
        "savings(0)",
        "unknown function `savings`",
    );
}

#[test]
fn unknown_enum_value() {
    let t = edit("or housing_tenure == none", "or housing_tenure == nothing");
    check(
        &t,
        K::UnknownValue,
        "nothing",
        "unknown value `nothing` of housing_tenure",
    );
    let t = edit(
        "education < upper_secondary",
        "education < 'upper_secondry'",
    );
    check(
        &t,
        K::UnknownValue,
        "'upper_secondry'",
        "did you mean `upper_secondary`",
    );
    let t = edit("[dilapidated, temporary]", "[dilapidated, temporal]");
    check(
        &t,
        K::UnknownValue,
        "temporal",
        "one of stable, needs_repair, dilapidated, temporary",
    );
}

#[test]
fn syntax_errors() {
    let t = edit(
        "when = \"income_pc < line\"\n\n[[indicator]]",
        "when = \"income_pc < < line\"\n\n[[indicator]]",
    );
    check(&t, K::Syntax, "< line", "expected a value");
    let t = edit(
        "when = \"disaster_risk == 0\"",
        "when = \"(disaster_risk == 0\"",
    );
    check(&t, K::Syntax, "\"\n", "expected `)`");
    let t = edit(
        "when = \"age >= 60 and income_thb_year == 0\"",
        "when = \"60 <= age <= 99\"",
    );
    check(&t, K::Syntax, "<= 99", "do not chain");
    // Inside a multi-line string the column is still exact.
    let t = edit(
        "or capital(natural) < 0.5 or",
        "or capital(natural) < 0.5 oor",
    );
    check(&t, K::Syntax, "oor", "found `oor`");
}

#[test]
fn toml_errors_and_unknown_keys() {
    let (t, _) = edit("k = \"1/3\"", "k = \"1/3");
    let e = refused(&t);
    assert_eq!((e.kind, e.line), (K::Toml, locate(&t, "k = ", 0).0), "{e}");
    let t = edit(
        "id = \"health\"\nlabel_th = \"สุขภาพ\"\nlabel_en = \"Health\"\nweight",
        "id = \"health\"\nwieght = 1\nlabel_th = \"สุขภาพ\"\nlabel_en = \"Health\"\nweight",
    );
    check(
        &t,
        K::UnknownKey,
        "wieght",
        "unknown key `wieght` in a [[dimension]]",
    );
    let t = edit(
        "scope = \"any_member\"\nwhen = \"health_insurance",
        "scope = \"some_member\"\nwhen = \"health_insurance",
    );
    check(&t, K::Invalid, "\"some_member\"", "unknown scope");
}

#[test]
fn weights_that_do_not_sum_to_one() {
    let t = edit(
        "label_en = \"Health\"\nweight = \"1/5\"",
        "label_en = \"Health\"\nweight = \"1/4\"",
    );
    check(
        &t,
        K::Weights,
        "\"1/4\"",
        "dimensions: the weights sum to 21/20",
    );
    // Indicator weights inside a dimension must fill it.
    let (t, _) = edit(
        "id = \"health_coverage\"\ndimension = \"health\"\n",
        "id = \"health_coverage\"\ndimension = \"health\"\nweight = 0.25\n",
    );
    let e = refused(&t);
    assert_eq!(e.kind, K::Weights);
    assert!(e.message.contains("dimension `health`"), "{e}");
    // Decimals that sum to 1 within 1e-9 are accepted; 0.2 is exactly 1/5.
    let t = DEFAULT.replace("weight = \"1/5\"", "weight = 0.2");
    assert!(Methodology::parse(&t).is_ok());
    let (t, _) = edit(
        "label_en = \"Health\"\nweight = \"1/5\"",
        "label_en = \"Health\"\nweight = 0.2000000001",
    );
    assert!(Methodology::parse(&t).is_ok(), "within 1e-9");
    let (t, _) = edit(
        "label_en = \"Health\"\nweight = \"1/5\"",
        "label_en = \"Health\"\nweight = 0.200001",
    );
    assert_eq!(refused(&t).kind, K::Weights);
    let (t, _) = edit(
        "label_en = \"Health\"\nweight = \"1/5\"",
        "label_en = \"Health\"\nweight = -0.2",
    );
    assert_eq!(refused(&t).kind, K::Weights);
}

#[test]
fn indicator_in_no_dimension() {
    let t = edit(
        "id = \"chronic_care\"\ndimension = \"health\"\n",
        "id = \"chronic_care\"\n",
    );
    check(
        &t,
        K::NoDimension,
        "\"chronic_care\"",
        "indicator `chronic_care` is in no dimension",
    );
    let t = edit(
        "id = \"chronic_care\"\ndimension = \"health\"",
        "id = \"chronic_care\"\ndimension = \"helth\"",
    );
    check(&t, K::NoDimension, "\"helth\"", "does not exist");
}

#[test]
fn duplicate_ids() {
    let t = edit("id = \"chronic_care\"", "id = \"health_coverage\"");
    check(
        &t,
        K::Duplicate,
        "\"health_coverage\"",
        "duplicate indicator id `health_coverage`",
    );
    let t = edit("id = \"living\"", "id = \"health\"");
    check(&t, K::Duplicate, "\"health\"", "duplicate dimension id");
    let t = edit("id = \"water_use\"", "id = \"drinking_water\"");
    check(
        &t,
        K::Duplicate,
        "\"drinking_water\"",
        "duplicate criterion id",
    );
    let t = edit("id = \"struggling\"", "id = \"hardship\"");
    check(&t, K::Duplicate, "\"hardship\"", "duplicate group rule id");
}

#[test]
fn k_outside_zero_one() {
    for bad in ["0", "\"4/3\"", "-0.5", "1.5"] {
        let t = edit("k = \"1/3\"", &format!("k = {bad}"));
        check(&t, K::K, bad, "outside (0, 1]");
    }
    for good in ["1", "0.5", "\"2/6\""] {
        let m = Methodology::parse(&edit("k = \"1/3\"", &format!("k = {good}")).0).unwrap();
        assert!(m.k() > Ratio::ZERO && m.k() <= Ratio::ONE);
    }
    let t = edit("k = \"1/3\"", "k = \"one third\"");
    check(&t, K::Invalid, "\"one third\"", "fraction");
}

#[test]
fn rules_that_refer_to_what_they_cannot_see() {
    // A member field at household level.
    let t = edit("when = \"drinking_water_ok == 0\"", "when = \"age > 60\"");
    check(&t, K::Reference, "age > 60", "member field");
    // An indicator used before it is computed.
    let t = edit(
        "when = \"water_use_ok == 0\"",
        "when = \"deprived(welfare_access)\"",
    );
    check(&t, K::Reference, "welfare_access)", "list it earlier");
    // Capitals are known to group rules only.
    let t = edit(
        "when = \"disaster_risk == 0\"",
        "when = \"capital(human) > 0.5\"",
    );
    check(&t, K::Reference, "human) > 0.5", "group rules");
    // Quantifiers do not nest.
    let t = edit(
        "when = \"health_insurance == 0\"",
        "when = \"any_member(health_insurance == 0)\"",
    );
    check(
        &t,
        K::Reference,
        "any_member(health",
        "already about each member",
    );
}

#[test]
fn type_errors() {
    let t = edit(
        "when = \"income_pc < line\"\n\n[[indicator]]",
        "when = \"income_pc\"\n\n[[indicator]]",
    );
    check(&t, K::Type, "income_pc\"", "a condition is needed");
    let t = edit(
        "when = \"drinking_water_ok == 0\"",
        "when = \"drinking_water_ok == 2\"",
    );
    check(&t, K::Type, "drinking_water_ok == 2", "a flag is 0 or 1");
    let t = edit(
        "when = \"farm_land_rai > 0 and land_tenure != none\"",
        "when = \"land_tenure > rent\"",
    );
    check(&t, K::Type, "land_tenure > rent", "has no order");
    let t = edit(
        "when = \"savings_thb > 0\"",
        "when = \"savings_thb > housing_tenure\"",
    );
    check(
        &t,
        K::Type,
        "savings_thb > housing_tenure",
        "cannot compare a number with a value of housing_tenure",
    );
}

#[test]
fn group_rules_must_end_with_otherwise() {
    let t = edit(
        "label_en = \"None of the above\"\n",
        "label_en = \"None of the above\"\nwhen = \"income_pc >= line\"\n",
    );
    check(
        &t,
        K::Invalid,
        "\"income_pc >= line\"",
        "must hold for every household",
    );
    let (t, _) = edit(
        "when = \"income_pc < line\"\n\n[[group_rule]]\nid = \"getting_by\"",
        "when = \"true\"\n\n[[group_rule]]\nid = \"getting_by\"",
    );
    let e = refused(&t);
    assert_eq!(e.kind, K::Invalid);
    assert!(e.message.contains("would never apply"), "{e}");
    let t = edit("group = \"struggling\"", "group = \"strugling\"");
    check(&t, K::Invalid, "\"strugling\"", "unknown group");
}

#[test]
fn missing_parts() {
    let (t, _) = edit("line = 38000\n", "");
    assert_eq!(refused(&t).kind, K::Missing);
    let start = DEFAULT.find("[[capital]]\nid = \"social\"").unwrap();
    let end = DEFAULT.find("[[group_rule]]").unwrap();
    let t = format!("{}{}", &DEFAULT[..start], &DEFAULT[end..]);
    let e = refused(&t);
    assert_eq!(e.kind, K::Missing);
    assert!(e.message.contains("id = \"social\""), "{e}");
}

/// A different, small methodology: explicit and decimal weights, other scopes and forms.
const SMALL: &str = r#"
id = "province-x"
version = 3
line = 40_000
k = 0.5

[capable_worker]
when = "age >= 18 and age < 65 and can_work = 1"

[[dimension]]
id = "money"
weight = 0.6

[[dimension]]
id = "care"

[[indicator]]
id = "poor"
dimension = "money"
weight = 0.4
when = "income_pc < line"

[[indicator]]
id = "no_worker"
dimension = "money"
when = "capable_workers == 0 or count_members(occupation in [none, student]) * 2 > n"

[[indicator]]
id = "uncared"
dimension = "care"
scope = "none_member"
among = "age >= 70"
when = "receives_care == 1 and not (sex == F)"

[[capital]]
id = "human"
[[capital.criterion]]
id = "skills"
scope = "any_member"
when = "has_skill(digital) or education >= bachelor"
[[capital]]
id = "physical"
[[capital.criterion]]
id = "home"
when = "housing_condition not in ['dilapidated', 'temporary']"
[[capital]]
id = "financial"
[[capital.criterion]]
id = "poor_but_ok"
when = "not mpi_poor and score < 0.5 and -savings_thb <= -1"
[[capital]]
id = "natural"
[[capital.criterion]]
id = "land"
when = "farm_land_rai / n >= 0.5"
[[capital]]
id = "social"
[[capital.criterion]]
id = "any"
when = "true"

[[group_rule]]
id = "worst"
group = "hardship"
when = "deprived(poor) and capital(physical) < 1"

[[group_rule]]
id = "rest"
group = "getting_by"
"#;

#[test]
fn another_methodology_loads_with_its_own_weights() {
    let m = Methodology::parse(SMALL).unwrap();
    assert_eq!(
        (m.id(), m.version(), m.line()),
        ("province-x", "3", 40000.0)
    );
    let w: Vec<String> = m
        .indicators()
        .iter()
        .map(|i| i.weight.to_string())
        .collect();
    assert_eq!(w, ["2/5", "1/5", "2/5"]);
    assert_eq!(m.denominator(), 5);
    assert_eq!(m.integer_weights(), [2, 1, 2]);
    assert_eq!(m.indicators()[2].rule.scope, RuleScope::NoMember);
    assert_eq!(
        m.group_rules().iter().map(|g| g.group).collect::<Vec<_>>(),
        [Group::Hardship, Group::GettingBy]
    );
}
