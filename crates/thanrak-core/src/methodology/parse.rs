//! [`Methodology::parse`](super::Methodology::parse), one function per section of the file. The
//! sections are read in the order below, which is also the order in which a file's mistakes are
//! found: the first one is reported.

use toml::de::{DeTable, DeValue};

use super::compile::{self, Phase, Scope};
use super::file::{type_of, Doc, Ids, Kind, Res, Tbl};
use super::weights::{integer_weights, split_weights};
use super::{
    expr, Capital, Criterion, Dimension, Group, GroupRule, Indicator, Methodology, Need, Ratio,
    Rule, RuleScope, DEFAULT_TARGET_POOR, MAX_INDICATORS,
};

/// Parses, checks and compiles a methodology file.
pub(super) fn methodology(text: &str) -> Res<Methodology> {
    let doc = Doc { text };
    let root = DeTable::parse(text).map_err(|e| {
        doc.error(
            e.span().map_or(0, |s| s.start),
            Kind::Toml,
            format!("not valid TOML: {}", e.message().trim_end()),
        )
    })?;
    let root = Tbl {
        doc: &doc,
        t: root.get_ref(),
        span: 0..0,
        what: "the file".into(),
    };
    root.allow(&[
        "id",
        "version",
        "title",
        "line",
        "k",
        "capable_worker",
        "dimension",
        "indicator",
        "capital",
        "group_rule",
        "target_poor",
        "need",
    ])?;

    let (id, _) = root.req_string("id")?;
    let version = version(&root)?;
    let line = line(&root)?;
    let k = k(&root)?;

    let dim_tables = root.tables("dimension", "a [[dimension]]")?;
    if dim_tables.is_empty() {
        return Err(root.missing("dimension"));
    }
    let mut dims = dimensions(&dim_tables)?;
    let capable_worker = capable_worker(&root, line)?;

    let ind_tables = indicator_tables(&root)?;
    let ind_names = indicator_ids(&ind_tables)?;
    let (mut indicators, given_weights) = indicators(&ind_tables, &ind_names, &mut dims, line)?;
    indicator_weights(
        &dim_tables,
        &ind_tables,
        &dims,
        &given_weights,
        &mut indicators,
    )?;
    let (denominator, int_weights) = integer_weights(&indicators).ok_or_else(|| {
        root.err(
            &(0..0),
            Kind::Weights,
            "the weights' common denominator is too large",
        )
    })?;

    let dim_masks: Vec<(String, u64)> = dims
        .iter()
        .map(|d| (d.id.clone(), d.indicators.iter().map(|&i| 1u64 << i).sum()))
        .collect();
    let capital_ids: Vec<&'static str> = Capital::ALL.iter().map(|c| c.as_str()).collect();
    let known = Known {
        indicators: &ind_names,
        capitals: &capital_ids,
        dimensions: &dim_masks,
        line,
    };

    let criteria = capitals(&root, &known)?;
    let group_rules = group_rules(&root, &known)?;
    let target_poor = target_poor(&root, &known)?;
    let needs = needs(&root, &known)?;

    Ok(Methodology {
        id: id.to_string(),
        version,
        title: root.string("title")?.map(|(s, _)| s.to_string()),
        line,
        k,
        capable_worker,
        dimensions: dims,
        indicators,
        criteria,
        group_rules,
        target_poor,
        needs,
        denominator,
        int_weights,
    })
}

/// What the rules after the indicators may name: every indicator, capital and dimension, and the
/// income line.
struct Known<'a> {
    indicators: &'a [String],
    capitals: &'a [&'static str],
    dimensions: &'a [(String, u64)],
    line: f64,
}

impl<'a> Known<'a> {
    /// The scope of a household-level rule of `phase`, which sees every indicator.
    fn scope(&self, phase: Phase) -> Scope<'a> {
        Scope {
            member: false,
            phase,
            indicators: self.indicators,
            visible_indicators: self.indicators.len(),
            capitals: self.capitals,
            dimensions: self.dimensions,
            line: self.line,
        }
    }
}

/// `version`: text or a number, kept as written.
fn version(root: &Tbl<'_, '_>) -> Res<String> {
    match root.get("version") {
        None => Err(root.missing("version")),
        Some(v) => match v.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            DeValue::Integer(i) => Ok(i.as_str().to_string()),
            DeValue::Float(f) => Ok(f.as_str().to_string()),
            other => Err(root.err(
                &v.span(),
                Kind::Invalid,
                format!("`version` must be text or a number, not {}", type_of(other)),
            )),
        },
    }
}

/// `line`: the income line, positive.
fn line(root: &Tbl<'_, '_>) -> Res<f64> {
    let (line, line_span) = root.number("line")?.ok_or_else(|| root.missing("line"))?;
    if !(line.is_finite() && line > 0.0) {
        return Err(root.err(
            &line_span,
            Kind::Invalid,
            "the income `line` must be positive",
        ));
    }
    Ok(line)
}

/// `k`: the cut-off, in (0, 1].
fn k(root: &Tbl<'_, '_>) -> Res<Ratio> {
    let (k, k_span) = root.ratio("k")?.ok_or_else(|| root.missing("k"))?;
    if k.numer() <= 0 || k > Ratio::ONE {
        return Err(root.err(
            &k_span,
            Kind::K,
            format!("k = {k} is outside (0, 1]: the cut-off is a share of the weighted indicators"),
        ));
    }
    Ok(k)
}

/// The `[[dimension]]` tables, with their weights filled in (their indicators come later).
fn dimensions(dim_tables: &[Tbl<'_, '_>]) -> Res<Vec<Dimension>> {
    let mut dim_ids = Ids::new(dim_tables[0].doc, "dimension");
    let mut dims = Vec::new();
    let mut dim_weights = Vec::new();
    for t in dim_tables {
        t.allow(&["id", "label_th", "label_en", "weight"])?;
        let (did, span) = t.id("id")?;
        dim_ids.add(did, &span)?;
        let w = t.ratio("weight")?;
        if let Some((w, span)) = &w {
            if w.numer() <= 0 {
                return Err(t.err(
                    span,
                    Kind::Weights,
                    format!("the weight of `{did}` must be positive"),
                ));
            }
        }
        dim_weights.push(w.map(|(w, _)| w));
        dims.push(Dimension {
            id: did.to_string(),
            label_th: t.label("label_th", did)?,
            label_en: t.label("label_en", did)?,
            weight: Ratio::ZERO,
            indicators: Vec::new(),
        });
    }
    let first_dim = &dim_tables[0];
    let dim_weight_span = first_dim
        .get("weight")
        .map_or(first_dim.span.clone(), |v| v.span());
    let weights = split_weights(Ratio::ONE, &dim_weights)
        .map_err(|m| first_dim.err(&dim_weight_span, Kind::Weights, format!("dimensions: {m}")))?;
    for (d, w) in dims.iter_mut().zip(weights) {
        d.weight = w;
    }
    Ok(dims)
}

/// `[capable_worker]`: a rule about one member, which sees no indicator.
fn capable_worker(root: &Tbl<'_, '_>, line: f64) -> Res<Rule> {
    let no_indicators: Vec<String> = Vec::new();
    let member_scope = Scope {
        member: true,
        phase: Phase::CapableWorker,
        indicators: &no_indicators,
        visible_indicators: 0,
        capitals: &[],
        dimensions: &[],
        line,
    };
    let cw = root
        .table("capable_worker")?
        .ok_or_else(|| root.missing("capable_worker"))?;
    cw.allow(&["when", "label_th", "label_en"])?;
    let (cw_text, cw_rule) = cw
        .condition("when", &member_scope)?
        .ok_or_else(|| cw.missing("when"))?;
    Ok(Rule {
        scope: RuleScope::Member,
        among: None,
        when: cw_text,
        pred: cw_rule.cond.into_pred(),
    })
}

/// The `[[indicator]]` tables: at least one, at most [`MAX_INDICATORS`].
fn indicator_tables<'a, 'i>(root: &Tbl<'a, 'i>) -> Res<Vec<Tbl<'a, 'i>>> {
    let ind_tables = root.tables("indicator", "an [[indicator]]")?;
    if ind_tables.is_empty() {
        return Err(root.missing("indicator"));
    }
    if ind_tables.len() > MAX_INDICATORS {
        return Err(ind_tables[MAX_INDICATORS].err(
            &ind_tables[MAX_INDICATORS].span,
            Kind::Invalid,
            format!("at most {MAX_INDICATORS} indicators"),
        ));
    }
    Ok(ind_tables)
}

/// The indicators' ids, checked all at once before any rule, which may name those listed before.
fn indicator_ids(ind_tables: &[Tbl<'_, '_>]) -> Res<Vec<String>> {
    let mut ind_ids = Ids::new(ind_tables[0].doc, "indicator");
    let mut ind_names: Vec<String> = Vec::new();
    for t in ind_tables {
        let (iid, span) = t.id("id")?;
        ind_ids.add(iid, &span)?;
        ind_names.push(iid.to_string());
    }
    Ok(ind_names)
}

/// The indicators (weights still zero), each added to its dimension, with the weights the file
/// gives.
fn indicators(
    ind_tables: &[Tbl<'_, '_>],
    ind_names: &[String],
    dims: &mut [Dimension],
    line: f64,
) -> Res<(Vec<Indicator>, Vec<Option<Ratio>>)> {
    let mut indicators = Vec::new();
    let mut given_weights: Vec<Option<Ratio>> = Vec::new();
    for (i, t) in ind_tables.iter().enumerate() {
        let t = t.named(format!("indicator `{}`", ind_names[i]));
        t.allow(&[
            "id",
            "dimension",
            "label_th",
            "label_en",
            "short_th",
            "short_en",
            "weight",
            "scope",
            "among",
            "when",
        ])?;
        let iid = &ind_names[i];
        let dimension = indicator_dimension(&t, iid, dims)?;
        let w = t.ratio("weight")?;
        if let Some((w, span)) = &w {
            if w.numer() <= 0 {
                return Err(t.err(
                    span,
                    Kind::Weights,
                    format!("the weight of `{iid}` must be positive"),
                ));
            }
        }
        given_weights.push(w.map(|(w, _)| w));
        let scope = Scope {
            member: false,
            phase: Phase::Indicators,
            indicators: ind_names,
            visible_indicators: i,
            capitals: &[],
            dimensions: &[],
            line,
        };
        let rule = t.rule(&scope)?;
        dims[dimension].indicators.push(i);
        let label_th = t.label("label_th", iid)?;
        let label_en = t.label("label_en", iid)?;
        indicators.push(Indicator {
            id: iid.clone(),
            short_th: t.label("short_th", &label_th)?,
            short_en: t.label("short_en", &label_en)?,
            label_th,
            label_en,
            dimension,
            weight: Ratio::ZERO,
            rule,
        });
    }
    Ok((indicators, given_weights))
}

/// The index of the dimension an indicator's table names.
fn indicator_dimension(t: &Tbl<'_, '_>, iid: &str, dims: &[Dimension]) -> Res<usize> {
    match t.string("dimension")? {
        None => Err(t.err(
            &t.get("id").map_or(t.span.clone(), |v| v.span()),
            Kind::NoDimension,
            format!(
                "indicator `{iid}` is in no dimension: add dimension = one of {}",
                dims.iter()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        Some((d, span)) => dims.iter().position(|x| x.id == d).ok_or_else(|| {
            t.err(
                &span,
                Kind::NoDimension,
                format!(
                    "indicator `{iid}` names dimension `{d}`, which does not exist: one of {}",
                    dims.iter()
                        .map(|d| d.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        }),
    }
}

/// Fills in each indicator's weight: the indicators of a dimension without one share what the
/// dimension's weight leaves equally. A dimension without indicators is refused.
fn indicator_weights(
    dim_tables: &[Tbl<'_, '_>],
    ind_tables: &[Tbl<'_, '_>],
    dims: &[Dimension],
    given_weights: &[Option<Ratio>],
    indicators: &mut [Indicator],
) -> Res<()> {
    for (di, d) in dims.iter().enumerate() {
        let t = &dim_tables[di];
        if d.indicators.is_empty() {
            return Err(t.err(
                &t.get("id").map_or(t.span.clone(), |v| v.span()),
                Kind::Weights,
                format!(
                    "dimension `{}` has no indicator, so its weight would be lost",
                    d.id
                ),
            ));
        }
        let given: Vec<Option<Ratio>> = d.indicators.iter().map(|&i| given_weights[i]).collect();
        let weights = split_weights(d.weight, &given).map_err(|m| {
            let first = &ind_tables[d.indicators[0]];
            let span = d
                .indicators
                .iter()
                .find_map(|&i| ind_tables[i].get("weight"))
                .map_or(first.span.clone(), |v| v.span());
            t.err(
                &span,
                Kind::Weights,
                format!("indicators of dimension `{}`: {m}", d.id),
            )
        })?;
        for (&i, w) in d.indicators.iter().zip(weights) {
            indicators[i].weight = w;
        }
    }
    Ok(())
}

/// The `[[capital]]` tables and their `[[capital.criterion]]`s; each capital must be there.
fn capitals(root: &Tbl<'_, '_>, known: &Known<'_>) -> Res<Vec<Criterion>> {
    let cap_tables = root.tables("capital", "a [[capital]]")?;
    let mut cap_ids = Ids::new(root.doc, "capital");
    let mut criteria = Vec::new();
    for t in &cap_tables {
        t.allow(&["id", "label_th", "label_en", "criterion"])?;
        let (cid, span) = t.id("id")?;
        cap_ids.add(cid, &span)?;
        let capital = Capital::parse(cid).ok_or_else(|| {
            t.err(
                &span,
                Kind::Invalid,
                format!(
                    "unknown capital `{cid}`: one of {}",
                    known.capitals.join(", ")
                ),
            )
        })?;
        let crit_tables = t.tables("criterion", "a [[capital.criterion]]")?;
        if crit_tables.is_empty() {
            return Err(t.err(
                &span,
                Kind::Missing,
                format!("capital `{cid}` has no [[capital.criterion]]"),
            ));
        }
        let mut crit_ids = Ids::new(root.doc, "criterion");
        for ct in &crit_tables {
            let (crid, span) = ct.id("id")?;
            crit_ids.add(crid, &span)?;
            let code = format!("{cid}.{crid}");
            let ct = ct.named(format!("criterion `{code}`"));
            ct.allow(&["id", "label_th", "label_en", "scope", "among", "when"])?;
            if criteria.len() == MAX_INDICATORS {
                return Err(ct.err(
                    &span,
                    Kind::Invalid,
                    format!("at most {MAX_INDICATORS} criteria"),
                ));
            }
            let rule = ct.rule(&known.scope(Phase::Criteria))?;
            criteria.push(Criterion {
                label_th: ct.label("label_th", &code)?,
                label_en: ct.label("label_en", &code)?,
                code,
                capital,
                rule,
            });
        }
    }
    for c in Capital::ALL {
        if !criteria.iter().any(|x| x.capital == c) {
            return Err(root.err(
                &root.get("capital").map_or(0..0, |v| v.span()),
                Kind::Missing,
                format!(
                    "the file has no [[capital]] with id = \"{c}\" (each of {} is needed)",
                    known.capitals.join(", ")
                ),
            ));
        }
    }
    Ok(criteria)
}

/// The `[[group_rule]]` tables, tried in order: only the last holds for every household.
fn group_rules(root: &Tbl<'_, '_>, known: &Known<'_>) -> Res<Vec<GroupRule>> {
    let rule_tables = root.tables("group_rule", "a [[group_rule]]")?;
    if rule_tables.is_empty() {
        return Err(root.missing("group_rule"));
    }
    let mut rule_ids = Ids::new(root.doc, "group rule");
    let mut group_rules = Vec::new();
    for (i, t) in rule_tables.iter().enumerate() {
        let (rid, span) = t.id("id")?;
        rule_ids.add(rid, &span)?;
        let t = t.named(format!("group rule `{rid}`"));
        t.allow(&["id", "group", "label_th", "label_en", "when"])?;
        let (g, gspan) = t.req_string("group")?;
        let group = Group::parse(g).ok_or_else(|| {
            t.err(
                &gspan,
                Kind::Invalid,
                format!(
                    "unknown group `{g}`: one of {}",
                    Group::ALL.map(Group::as_str).join(", ")
                ),
            )
        })?;
        let scope = known.scope(Phase::Groups);
        let (when, compiled) = t.condition("when", &scope)?.unwrap_or_else(|| {
            (
                "true".to_string(),
                compile::compile_condition(&expr::parse("true").expect("`true` parses"), &scope)
                    .expect("`true` compiles"),
            )
        });
        let last = i + 1 == rule_tables.len();
        if compiled.always != last {
            let at = t.get("when").map_or(span.clone(), |v| v.span());
            return Err(t.err(
                &at,
                Kind::Invalid,
                if last {
                    format!(
                        "the last group rule (`{rid}`) must hold for every household: omit `when`"
                    )
                } else {
                    format!(
                        "group rule `{rid}` always holds, so the rules after it would never apply"
                    )
                },
            ));
        }
        group_rules.push(GroupRule {
            id: rid.to_string(),
            group,
            label_th: t.label("label_th", rid)?,
            label_en: t.label("label_en", rid)?,
            rule: Rule {
                scope: RuleScope::Household,
                among: None,
                when,
                pred: compiled.cond.into_pred(),
            },
        });
    }
    Ok(group_rules)
}

/// `target_poor` (TPMAP): by default, deprived in at least one indicator.
fn target_poor(root: &Tbl<'_, '_>, known: &Known<'_>) -> Res<Rule> {
    let tp_scope = known.scope(Phase::Criteria);
    let (tp_text, tp) = match root.condition("target_poor", &tp_scope)? {
        Some(c) => c,
        None => (
            DEFAULT_TARGET_POOR.to_string(),
            compile::compile_condition(
                &expr::parse(DEFAULT_TARGET_POOR).expect("the default rule parses"),
                &tp_scope,
            )
            .expect("the default rule compiles"),
        ),
    };
    Ok(Rule {
        scope: RuleScope::Household,
        among: None,
        when: tp_text,
        pred: tp.cond.into_pred(),
    })
}

/// The `[[need]]` tables: `id`, labels, `agencies` (a list of codes), `scope`, `among`, `when`.
fn needs(root: &Tbl<'_, '_>, known: &Known<'_>) -> Res<Vec<Need>> {
    let tables = root.tables("need", "a [[need]]")?;
    if tables.len() > MAX_INDICATORS {
        return Err(tables[MAX_INDICATORS].err(
            &tables[MAX_INDICATORS].span,
            Kind::Invalid,
            format!("at most {MAX_INDICATORS} needs"),
        ));
    }
    let mut ids = Ids::new(root.doc, "need");
    let mut needs = Vec::new();
    for t in &tables {
        let (nid, span) = t.id("id")?;
        ids.add(nid, &span)?;
        let t = t.named(format!("need `{nid}`"));
        t.allow(&[
            "id", "label_th", "label_en", "agencies", "scope", "among", "when",
        ])?;
        let agencies = agencies(&t)?;
        let rule = t.rule(&known.scope(Phase::Needs))?;
        needs.push(Need {
            id: nid.to_string(),
            label_th: t.label("label_th", nid)?,
            label_en: t.label("label_en", nid)?,
            agencies,
            rule,
        });
    }
    Ok(needs)
}

/// A need's `agencies`: a list of codes, none by default.
fn agencies(t: &Tbl<'_, '_>) -> Res<Vec<String>> {
    let Some(v) = t.get("agencies") else {
        return Ok(Vec::new());
    };
    let bad = || {
        t.err(
            &v.span(),
            Kind::Invalid,
            "`agencies` must be a list of agency codes such as [\"codi\", \"osmep\"]",
        )
    };
    let DeValue::Array(items) = v.get_ref() else {
        return Err(bad());
    };
    items
        .iter()
        .map(|i| match i.get_ref() {
            DeValue::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(bad()),
        })
        .collect()
}
