//! Area boundaries for the choropleth map: importing a GeoJSON file of one area level, and the
//! illustrative boundaries generated for the demo.
//!
//! An import reports, it does not stop at the first problem: every feature is checked (its code
//! in `properties[NAME]` must be an area of the level the store knows, at most once in the file;
//! its geometry a Polygon or MultiPolygon of closed rings of finite longitude/latitude pairs), and
//! the file is stored in one transaction only when no feature has a problem. Re-importing an area
//! replaces its boundary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use thanrak_core::measure::Summary;
use thanrak_core::methodology::Capital;
use thanrak_core::{AreaCode, AreaLevel};
use thanrak_store::{Boundary, Store};

use crate::area_figures::AreaFigures;
use crate::AppError;

/// A problem with one feature of a boundary file (or with the whole file, when `feature` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryProblem {
    /// The feature's index in the collection, from 0.
    pub feature: Option<usize>,
    /// The code the feature names, as written (empty when it names none).
    pub code: String,
    /// What is wrong.
    pub reason: String,
}

/// The result of a boundary import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundaryImport {
    /// Every feature was valid; this many boundaries are stored.
    Loaded(u64),
    /// Nothing was written; these are the problems.
    Rejected(Vec<BoundaryProblem>),
}

/// Reads a GeoJSON FeatureCollection whose features carry their area code in
/// `properties[code_property]`, checks every feature against the areas of `level` that the
/// store knows, and stores all the boundaries, or none when any feature has a problem.
pub async fn import_boundaries(
    store: &Store,
    path: &Path,
    level: AreaLevel,
    code_property: &str,
) -> Result<BoundaryImport, AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Invalid(format!("cannot read {}: {e}", path.display())))?;
    let known: BTreeSet<AreaCode> = store
        .boundaries()
        .area_codes(level)
        .await?
        .into_iter()
        .collect();
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match check_boundaries(&text, level, code_property, &known, &source) {
        Ok(boundaries) => Ok(BoundaryImport::Loaded(
            store.boundaries().replace(&boundaries).await?,
        )),
        Err(problems) => Ok(BoundaryImport::Rejected(problems)),
    }
}

fn file_problem(reason: impl Into<String>) -> Vec<BoundaryProblem> {
    vec![BoundaryProblem {
        feature: None,
        code: String::new(),
        reason: reason.into(),
    }]
}

/// Checks a GeoJSON text and returns its boundaries, or every problem found.
pub fn check_boundaries(
    text: &str,
    level: AreaLevel,
    code_property: &str,
    known: &BTreeSet<AreaCode>,
    source: &str,
) -> Result<Vec<Boundary>, Vec<BoundaryProblem>> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| file_problem(format!("not valid JSON: {e}")))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(file_problem("not a GeoJSON FeatureCollection"));
    }
    let Some(features) = doc.get("features").and_then(Value::as_array) else {
        return Err(file_problem("a FeatureCollection needs a `features` array"));
    };
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut seen: BTreeMap<AreaCode, usize> = BTreeMap::new();
    for (i, f) in features.iter().enumerate() {
        let mut problem = |code: &str, reason: String| {
            problems.push(BoundaryProblem {
                feature: Some(i),
                code: code.to_string(),
                reason,
            })
        };
        let raw = match f.get("properties").and_then(|p| p.get(code_property)) {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                problem(
                    "",
                    format!("no property {code_property:?} with the area code"),
                );
                continue;
            }
        };
        let code = match AreaCode::parse_level(&raw, level) {
            Ok(c) if known.contains(&c) => c,
            Ok(_) => {
                problem(&raw, format!("no such {level} in the store"));
                continue;
            }
            Err(e) => {
                problem(&raw, format!("not a {level} code: {e}"));
                continue;
            }
        };
        if let Some(first) = seen.insert(code, i) {
            problem(&raw, format!("the same area as feature {first}"));
            continue;
        }
        let geometry = f.get("geometry").unwrap_or(&Value::Null);
        if let Err(reason) = check_geometry(geometry) {
            problem(&raw, reason);
            continue;
        }
        out.push(Boundary {
            code,
            geojson: geometry.to_string(),
            source: source.to_string(),
            illustrative: false,
        });
    }
    if features.is_empty() {
        return Err(file_problem("the collection has no features"));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A Polygon or MultiPolygon whose rings are closed, of at least four positions, each a finite
/// longitude in [-180, 180] and latitude in [-90, 90].
fn check_geometry(g: &Value) -> Result<(), String> {
    let coords = g.get("coordinates").and_then(Value::as_array);
    match (g.get("type").and_then(Value::as_str), coords) {
        (Some("Polygon"), Some(rings)) => check_polygon(rings),
        (Some("MultiPolygon"), Some(polygons)) if !polygons.is_empty() => {
            polygons.iter().enumerate().try_for_each(|(n, p)| {
                p.as_array()
                    .ok_or_else(|| "a polygon is not an array".to_string())
                    .and_then(|r| check_polygon(r))
                    .map_err(|e| format!("polygon {n}: {e}"))
            })
        }
        (Some(t @ ("Polygon" | "MultiPolygon")), _) => Err(format!("a {t} without coordinates")),
        (Some(t), _) => Err(format!("geometry {t} is not a Polygon or MultiPolygon")),
        (None, _) => Err("no geometry".into()),
    }
}

fn check_polygon(rings: &[Value]) -> Result<(), String> {
    if rings.is_empty() {
        return Err("a polygon without rings".into());
    }
    for (r, ring) in rings.iter().enumerate() {
        let points = ring
            .as_array()
            .ok_or_else(|| format!("ring {r} is not an array"))?;
        if points.len() < 4 {
            return Err(format!("ring {r} has fewer than 4 positions"));
        }
        let mut pos = Vec::with_capacity(points.len());
        for p in points {
            let xy = p.as_array().map(|a| {
                a.iter()
                    .take(2)
                    .filter_map(Value::as_f64)
                    .collect::<Vec<_>>()
            });
            match xy.as_deref() {
                Some(&[lon, lat])
                    if lon.is_finite()
                        && lat.is_finite()
                        && (-180.0..=180.0).contains(&lon)
                        && (-90.0..=90.0).contains(&lat) =>
                {
                    pos.push((lon, lat))
                }
                _ => {
                    return Err(format!(
                        "ring {r} has a position that is not [longitude, latitude]: {p}"
                    ))
                }
            }
        }
        if pos.first() != pos.last() {
            return Err(format!("ring {r} is not closed"));
        }
    }
    Ok(())
}

/// A rectangle in degrees: west, south, east, north.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    w: f64,
    s: f64,
    e: f64,
    n: f64,
}

impl Rect {
    fn geojson(self) -> String {
        let Rect { w, s, e, n } = self;
        let r = |x: f64| (x * 1e5).round() / 1e5;
        let (w, s, e, n) = (r(w), r(s), r(e), r(n));
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]}}"#
        )
    }

    /// `count` cells tiling this rectangle in rows, each shrunk by a small margin so that
    /// neighbours are told apart; cell `i` of a row-major grid, north-west first.
    fn tiles(self, count: usize) -> Vec<Rect> {
        if count == 0 {
            return Vec::new();
        }
        let (width, height) = (self.e - self.w, self.n - self.s);
        let cols = ((count as f64 * width / height).sqrt().ceil() as usize).clamp(1, count);
        let rows = count.div_ceil(cols);
        let (cw, ch) = (width / cols as f64, height / rows as f64);
        let margin = 0.04 * cw.min(ch);
        (0..count)
            .map(|i| {
                let (row, col) = (i / cols, i % cols);
                let w = self.w + col as f64 * cw;
                let n = self.n - row as f64 * ch;
                Rect {
                    w: w + margin,
                    s: n - ch + margin,
                    e: w + cw - margin,
                    n: n - margin,
                }
            })
            .collect()
    }
}

/// The illustrative square of a province: provinces sit on a grid by the digits of their code
/// (tens down, units across), roughly over Thailand, so that each keeps its place whatever
/// other provinces are drawn.
fn province_rect(code: &AreaCode) -> Rect {
    let n: u32 = code.to_string().parse().unwrap_or(0);
    let (row, col) = (f64::from(n / 10), f64::from(n % 10));
    let w = 97.5 + col * 0.9;
    let n = 21.0 - (row - 1.0) * 0.9;
    Rect {
        w,
        s: n - 0.85,
        e: w + 0.85,
        n,
    }
}

/// Generates illustrative boundaries for `provinces` and every area the store knows inside
/// them (districts, subdistricts and the villages data has named), nested: each area's children
/// tile its rectangle. Deterministic, flagged `illustrative`, source `demo`.
pub async fn demo_boundaries(
    store: &Store,
    provinces: &[AreaCode],
) -> Result<Vec<Boundary>, AppError> {
    let mut out = Vec::new();
    let mut queue: Vec<(AreaCode, Rect)> =
        provinces.iter().map(|p| (*p, province_rect(p))).collect();
    while let Some((code, rect)) = queue.pop() {
        out.push(Boundary {
            code,
            geojson: rect.geojson(),
            source: "demo".into(),
            illustrative: true,
        });
        if code.level() == AreaLevel::Village {
            continue;
        }
        let children = store.registry().child_areas(Some(&code)).await?;
        for (child, cell) in children.iter().zip(rect.tiles(children.len())) {
            queue.push((child.code, cell));
        }
    }
    out.sort_by_key(|b| b.code);
    Ok(out)
}

/// Stores the illustrative boundaries of [`demo_boundaries`]; returns how many.
pub async fn load_demo_boundaries(store: &Store, provinces: &[AreaCode]) -> Result<u64, AppError> {
    let boundaries = demo_boundaries(store, provinces).await?;
    Ok(store.boundaries().replace(&boundaries).await?)
}

/// One area to draw on a map: its boundary, or a cell of the fallback grid.
#[derive(Debug, Clone, PartialEq)]
pub struct MapBoundary {
    /// The area.
    pub code: AreaCode,
    /// Its Thai name.
    pub name_th: String,
    /// Its English name.
    pub name_en: String,
    /// A GeoJSON geometry, as text.
    pub geojson: String,
    /// Generated for a demonstration.
    pub illustrative: bool,
    /// A cell of the grid drawn when no boundaries were imported for the level: it shows which
    /// areas there are, not where they lie.
    pub fallback: bool,
}

/// The areas of `level` inside `parent` (all of the level when `None`) with their boundaries.
/// When none of them has an imported boundary, each gets a cell of a code-ordered grid instead
/// (flagged `fallback`); areas without a boundary beside others that have one are left out.
pub async fn map_boundaries(
    store: &Store,
    level: AreaLevel,
    parent: Option<&AreaCode>,
) -> Result<Vec<MapBoundary>, AppError> {
    if let Some(p) = parent {
        if p.level() >= level {
            return Err(AppError::Rule(format!(
                "level {level} is not below the area {p} (a {})",
                p.level()
            )));
        }
        store.registry().area(p).await?;
    }
    let stored = store.boundaries().list(level, parent).await?;
    let named = |code: AreaCode, geojson: String, illustrative: bool, fallback: bool| {
        let (name_th, name_en) = crate::scoring::area_names(&code);
        MapBoundary {
            code,
            name_th,
            name_en,
            geojson,
            illustrative,
            fallback,
        }
    };
    if !stored.is_empty() {
        return Ok(stored
            .into_iter()
            .map(|b| named(b.code, b.geojson, b.illustrative, false))
            .collect());
    }
    let codes: Vec<AreaCode> = match parent {
        // The common case, a map of one area's children, is one indexed query.
        Some(p) if crate::area_figures::child_level(Some(p)) == Some(level) => store
            .registry()
            .child_areas(Some(p))
            .await?
            .into_iter()
            .map(|a| a.code)
            .collect(),
        _ => store
            .boundaries()
            .area_codes(level)
            .await?
            .into_iter()
            .filter(|c| parent.is_none_or(|p| c.is_within(p)))
            .collect(),
    };
    // A square frame away from any real place, so that the grid is never mistaken for a map.
    let frame = Rect {
        w: 0.0,
        s: 0.0,
        e: 4.0,
        n: 4.0,
    };
    Ok(codes
        .iter()
        .zip(frame.tiles(codes.len()))
        .map(|(c, cell)| named(*c, cell.geojson(), false, true))
        .collect())
}

/// A figure a map can colour areas by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapFigure {
    /// Share of households in hardship.
    Hardship,
    /// Share of households in hardship or struggling.
    HardshipOrStruggling,
    /// Headcount ratio H (households).
    H,
    /// Intensity A.
    A,
    /// Adjusted headcount M0.
    M0,
    /// Mean score of one capital.
    Capital(Capital),
    /// The strategic area score of methodology §6 with the default weights
    /// ([`crate::strategy::map_values`]).
    Strategic,
}

impl MapFigure {
    /// Every figure, in the order a menu lists them.
    pub fn all() -> Vec<MapFigure> {
        let mut v = vec![
            MapFigure::Hardship,
            MapFigure::HardshipOrStruggling,
            MapFigure::H,
            MapFigure::A,
            MapFigure::M0,
        ];
        v.extend(Capital::ALL.into_iter().map(MapFigure::Capital));
        v.push(MapFigure::Strategic);
        v
    }

    /// The stable id used in URLs.
    pub fn id(self) -> String {
        match self {
            MapFigure::Hardship => "hardship".into(),
            MapFigure::HardshipOrStruggling => "hardship_struggling".into(),
            MapFigure::H => "h".into(),
            MapFigure::A => "a".into(),
            MapFigure::M0 => "m0".into(),
            MapFigure::Capital(c) => format!("capital_{}", c.as_str()),
            MapFigure::Strategic => "strategic".into(),
        }
    }

    /// Parses an id.
    pub fn parse(s: &str) -> Result<MapFigure, AppError> {
        MapFigure::all()
            .into_iter()
            .find(|f| f.id() == s.trim())
            .ok_or_else(|| AppError::Invalid(format!("unknown figure {s:?}")))
    }

    /// The Thai label.
    pub fn label_th(self) -> String {
        match self {
            MapFigure::Hardship => "สัดส่วนกลุ่มอยู่ลำบาก".into(),
            MapFigure::HardshipOrStruggling => "สัดส่วนกลุ่มอยู่ลำบากและอยู่ยาก".into(),
            MapFigure::H => "สัดส่วนคนจนหลายมิติ (H)".into(),
            MapFigure::A => "ความเข้มของความยากจน (A)".into(),
            MapFigure::M0 => "ดัชนีความยากจนหลายมิติ (M0)".into(),
            MapFigure::Capital(c) => format!("ค่าเฉลี่ย{}", c.label_th()),
            MapFigure::Strategic => "คะแนนพื้นที่ยุทธศาสตร์ (0–1)".into(),
        }
    }

    /// The English label.
    pub fn label_en(self) -> String {
        match self {
            MapFigure::Hardship => "Share in hardship".into(),
            MapFigure::HardshipOrStruggling => "Share in hardship or struggling".into(),
            MapFigure::H => "Multidimensional headcount (H)".into(),
            MapFigure::A => "Intensity (A)".into(),
            MapFigure::M0 => "Adjusted headcount (M0)".into(),
            MapFigure::Capital(c) => format!("Mean {}", c.label_en().to_lowercase()),
            MapFigure::Strategic => "Strategic area score (0–1)".into(),
        }
    }

    /// Whether higher values are worse (poverty figures) rather than better (capitals).
    pub fn higher_is_worse(self) -> bool {
        !matches!(self, MapFigure::Capital(_))
    }

    /// The figure's value in `s`, between 0 and 1; the groups' shares count persons or
    /// households as `unit` says (H, A and M0 come in the unit `s` was made in).
    pub fn value(self, s: &Summary, unit: thanrak_core::measure::Unit) -> f64 {
        let counts = match unit {
            thanrak_core::measure::Unit::Person => &s.persons,
            thanrak_core::measure::Unit::Household => &s.households,
        };
        let total: u64 = counts.iter().sum();
        let share = |n: u64| {
            if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            }
        };
        match self {
            MapFigure::Hardship => share(counts[0]),
            MapFigure::HardshipOrStruggling => share(counts[0] + counts[1]),
            MapFigure::H => s.af.h,
            MapFigure::A => s.af.a,
            MapFigure::M0 => s.af.m0,
            MapFigure::Capital(c) => s.mean_capitals[c as usize],
            // Not a figure of one area: it ranks areas against each other.
            MapFigure::Strategic => 0.0,
        }
    }
}

/// One area's value on a map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapValue {
    /// The area.
    pub code: AreaCode,
    /// Households scored in it, or `None` when the cell is suppressed.
    pub households: Option<u64>,
    /// The figure, or `None` when the cell is suppressed.
    pub value: Option<f64>,
}

/// The value of `figure` for each area row of `f` (an area breakdown from
/// [`area_figures`](crate::area_figures::area_figures)); suppressed rows keep neither their value
/// nor their count.
pub fn map_values(
    f: &AreaFigures,
    figure: MapFigure,
    unit: thanrak_core::measure::Unit,
) -> Vec<MapValue> {
    f.rows
        .iter()
        .filter_map(|r| {
            let code = r.area?;
            let shown = !r.suppressed;
            // A share of a group needs that group's count, which may be withheld alone.
            let needs: &[usize] = match figure {
                MapFigure::Hardship => &[0],
                MapFigure::HardshipOrStruggling => &[0, 1],
                _ => &[],
            };
            let value_shown = shown && needs.iter().all(|&g| !r.hidden_groups[g]);
            Some(MapValue {
                code,
                households: shown.then_some(r.households),
                value: value_shown.then(|| figure.value(&r.row.summary, unit)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(codes: &[&str]) -> BTreeSet<AreaCode> {
        codes.iter().map(|c| AreaCode::parse(c).unwrap()).collect()
    }

    const SQUARE: &str =
        r#"{"type":"Polygon","coordinates":[[[99,18],[100,18],[100,19],[99,19],[99,18]]]}"#;

    #[test]
    fn accepts_polygons_and_multipolygons() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","properties":{{"ADM2":"5201"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"ADM2":5202}},"geometry":{{"type":"MultiPolygon","coordinates":[[[[99,18],[100,18],[100,19],[99,18]]]]}}}}
            ]}}"#
        );
        let got = check_boundaries(
            &text,
            AreaLevel::District,
            "ADM2",
            &known(&["5201", "5202"]),
            "f.geojson",
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].code.to_string(), "5202");
        assert_eq!(got[0].source, "f.geojson");
        assert!(!got[0].illustrative);
        assert!(got[0].geojson.contains("Polygon"));
    }

    #[test]
    fn reports_every_bad_feature() {
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[
              {{"type":"Feature","properties":{{}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"c":"52"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"c":"5299"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"c":"5201"}},"geometry":{{"type":"Point","coordinates":[99,18]}}}},
              {{"type":"Feature","properties":{{"c":"5202"}},"geometry":{{"type":"Polygon","coordinates":[[[99,18],[100,18],[100,19],[99,19]]]}}}},
              {{"type":"Feature","properties":{{"c":"5203"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"c":"5203"}},"geometry":{SQUARE}}},
              {{"type":"Feature","properties":{{"c":"5204"}},"geometry":{{"type":"Polygon","coordinates":[[[999,18],[100,18],[100,19],[999,18]]]}}}}
            ]}}"#
        );
        let problems = check_boundaries(
            &text,
            AreaLevel::District,
            "c",
            &known(&["5201", "5202", "5203", "5204"]),
            "f",
        )
        .unwrap_err();
        let got: Vec<(Option<usize>, &str)> = problems
            .iter()
            .map(|p| (p.feature, p.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(0), ""),
                (Some(1), "52"),
                (Some(2), "5299"),
                (Some(3), "5201"),
                (Some(4), "5202"),
                (Some(6), "5203"),
                (Some(7), "5204"),
            ],
            "{problems:#?}"
        );
        assert!(problems[3].reason.to_string().contains("Point"));
        assert!(problems[4].reason.to_string().contains("not closed"));
        assert!(problems[5].reason.to_string().contains("feature 5"));
    }

    #[test]
    fn refuses_what_is_not_a_feature_collection() {
        for text in [
            "",
            "{}",
            r#"{"type":"Feature"}"#,
            r#"{"type":"FeatureCollection","features":[]}"#,
        ] {
            let p = check_boundaries(text, AreaLevel::Province, "c", &known(&[]), "f").unwrap_err();
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].feature, None);
        }
    }

    #[test]
    fn figures_round_trip_by_id() {
        for f in MapFigure::all() {
            assert_eq!(MapFigure::parse(&f.id()).unwrap(), f);
            assert!(!f.label_th().is_empty() && !f.label_en().is_empty());
        }
        assert!(MapFigure::parse("nope").is_err());
    }

    #[test]
    fn tiles_nest_inside_their_parent() {
        let parent = province_rect(&AreaCode::parse("52").unwrap());
        for n in [1, 2, 7, 13, 100] {
            let tiles = parent.tiles(n);
            assert_eq!(tiles.len(), n);
            for t in &tiles {
                assert!(t.w > parent.w && t.e < parent.e && t.s > parent.s && t.n < parent.n);
                assert!(t.w < t.e && t.s < t.n);
            }
            for (a, b) in tiles.iter().zip(tiles.iter().skip(1)) {
                let apart = a.e <= b.w || b.e <= a.w || a.n <= b.s || b.n <= a.s;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
    }
}
