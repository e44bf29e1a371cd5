//! `/map`: a choropleth map of one figure by area, drawn by Leaflet in the browser from the
//! boundaries API, with a table of the same values beside it; and the map's static files (Leaflet
//! and the page's script), served from the binary.
//!
//! The page is scoped like the dashboard ([`thanrak_app::area_figures`]): an area manager sees
//! only its areas, and small cells are withheld from roles that may not see them. No script is
//! inline (the page's CSP forbids it): the values travel in a `data-map` attribute.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::{Deserialize, Serialize};
use thanrak_app::area_figures::{area_figures, scored_rounds, AreaFigureQuery};
use thanrak_app::boundaries::{map_values, MapFigure};
use thanrak_app::scoring::{area_names, Breakdown};
use thanrak_core::classing::{class_of, classes, parse_breaks, Classing};
use thanrak_core::measure::Unit;
use thanrak_core::{AreaCode, AreaLevel};

use crate::auth::PageUser;
use crate::error::{ApiError, Query};
use crate::i18n::{Lang, LangChoice};
use crate::AppState;

use super::render;

/// `/map` and the files under `/assets/` (those of the map, the jobs pages' script and the area
/// picker of every page that asks for an area).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/map", get(map_page))
        .route("/assets/map.js", get(|| async { asset(JS, MAP_JS) }))
        .route("/assets/jobs.js", get(|| async { asset(JS, JOBS_JS) }))
        .route(
            "/assets/area-picker.js",
            get(|| async { asset(JS, AREA_PICKER_JS) }),
        )
        .route(
            "/assets/leaflet/leaflet.js",
            get(|| async { asset(JS, LEAFLET_JS) }),
        )
        .route(
            "/assets/leaflet/leaflet.css",
            get(|| async { asset(CSS, LEAFLET_CSS) }),
        )
        .route(
            "/assets/leaflet/LICENSE",
            get(|| async { asset(TEXT, LEAFLET_LICENSE) }),
        )
        .route("/assets/leaflet/images/{name}", get(leaflet_image))
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const MAP_JS: &[u8] = include_bytes!("../../assets/map.js");
const JOBS_JS: &[u8] = include_bytes!("../../assets/jobs.js");
const AREA_PICKER_JS: &[u8] = include_bytes!("../../assets/area-picker.js");
const LEAFLET_JS: &[u8] = include_bytes!("../../assets/leaflet/leaflet.js");
const LEAFLET_CSS: &[u8] = include_bytes!("../../assets/leaflet/leaflet.css");
const LEAFLET_LICENSE: &[u8] = include_bytes!("../../assets/leaflet/LICENSE");
const LEAFLET_IMAGES: &[(&str, &[u8])] = &[
    (
        "layers.png",
        include_bytes!("../../assets/leaflet/images/layers.png"),
    ),
    (
        "layers-2x.png",
        include_bytes!("../../assets/leaflet/images/layers-2x.png"),
    ),
    (
        "marker-icon.png",
        include_bytes!("../../assets/leaflet/images/marker-icon.png"),
    ),
    (
        "marker-icon-2x.png",
        include_bytes!("../../assets/leaflet/images/marker-icon-2x.png"),
    ),
    (
        "marker-shadow.png",
        include_bytes!("../../assets/leaflet/images/marker-shadow.png"),
    ),
];

/// A static file: public, cached for an hour (it changes only with the binary).
fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

async fn leaflet_image(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match LEAFLET_IMAGES.iter().find(|(n, _)| *n == name) {
        Some((_, body)) => asset("image/png", body),
        None => crate::error::not_found().await.into_response(),
    }
}

/// The page's texts: key, Thai, English.
const TEXTS: &[(&str, &str, &str)] = &[
    ("title", "แผนที่", "Map"),
    ("round", "รอบการสำรวจ", "Survey round"),
    ("figure", "ตัวชี้วัด", "Figure"),
    ("show", "แสดง", "Show"),
    ("all", "ทั้งประเทศ", "All provinces"),
    ("area", "พื้นที่", "Area"),
    ("households", "ครัวเรือน", "Households"),
    ("value", "ค่า", "Value"),
    ("no_data", "ไม่มีข้อมูล", "No data"),
    (
        "suppressed",
        "ไม่แสดง (คุ้มครองข้อมูลส่วนบุคคล)",
        "Withheld (privacy)",
    ),
    (
        "illustrative",
        "ขอบเขตสมมติเพื่อการสาธิต / illustrative boundaries",
        "ขอบเขตสมมติเพื่อการสาธิต / illustrative boundaries",
    ),
    (
        "fallback",
        "ยังไม่ได้นำเข้าขอบเขตพื้นที่ระดับนี้: แสดงเป็นตารางช่องเรียงตามรหัสพื้นที่ ไม่ใช่ตำแหน่งจริง",
        "No boundaries imported for this level: areas are drawn as a grid ordered by code, not where they lie",
    ),
    (
        "no_round",
        "ยังไม่มีรอบการสำรวจที่คำนวณคะแนนแล้ว",
        "No survey round has been scored yet.",
    ),
    (
        "drill",
        "คลิกพื้นที่เพื่อดูระดับย่อย",
        "Click an area to see the areas inside it",
    ),
    ("credit", "แผนที่วาดด้วย Leaflet", "Map drawn with Leaflet"),
    ("loading", "กำลังโหลดขอบเขตพื้นที่…", "Loading boundaries…"),
    (
        "load_failed",
        "โหลดขอบเขตพื้นที่ไม่สำเร็จ",
        "The boundaries could not be loaded",
    ),
];

fn texts(lang: Lang) -> minijinja::Value {
    TEXTS
        .iter()
        .map(|(k, th, en)| (*k, if lang == Lang::Th { *th } else { *en }))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into()
}

fn text(lang: Lang, key: &str) -> &'static str {
    TEXTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, th, en)| if lang == Lang::Th { *th } else { *en })
        .unwrap_or("")
}

/// The map's query: every part optional.
#[derive(Debug, Default, Deserialize)]
struct MapQuery {
    round: Option<String>,
    level: Option<String>,
    area: Option<String>,
    figure: Option<String>,
    methodology: Option<String>,
    /// `person` (as the dashboard, by default) or `household`.
    unit: Option<String>,
    /// `fixed` (the default, breaks of the figure's own), `quantile` or `equal`.
    classing: Option<String>,
    /// For `fixed`: inner breaks in the units shown (`5,10,20,40` for percent).
    breaks: Option<String>,
}

/// What the page's script needs, as JSON in the `data-map` attribute.
#[derive(Serialize)]
struct MapData {
    boundaries_url: String,
    /// Where a click on an area goes, without the area's code (none at the lowest level).
    drill_url: Option<String>,
    figure: String,
    /// How values are shown: `percent` (shares: 0.123 as 12.3%), `score` (capitals, shown out of
    /// 100 as on the dashboard: 0.623 as 62.3) or `plain` (M0: 0.012).
    scale: Scale,
    higher_is_worse: bool,
    lang: &'static str,
    values: std::collections::BTreeMap<String, CellData>,
    /// The colour classes, in order: colour, bounds as shown, areas inside.
    classes: Vec<ClassData>,
    /// Colours of withheld areas and of areas without data.
    suppressed_colour: &'static str,
    no_data_colour: &'static str,
    /// The title of a downloaded picture: figure, round and place.
    picture_title: String,
    /// Its file name, without `.png`.
    picture_name: String,
    texts: std::collections::BTreeMap<&'static str, &'static str>,
}

#[derive(Serialize)]
struct CellData {
    value: Option<f64>,
    households: Option<u64>,
    /// The index of its class in `classes` (none when withheld).
    class: Option<usize>,
}

#[derive(Serialize)]
struct ClassData {
    colour: &'static str,
    label: String,
    count: usize,
}

/// Nine steps light to dark (ColorBrewer YlOrRd and Greens): figures where more is worse run
/// yellow to red, capitals pale to deep green.
const WORSE: [&str; 9] = [
    "#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
    "#800026",
];
const BETTER: [&str; 9] = [
    "#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c",
    "#00441b",
];
const SUPPRESSED_COLOUR: &str = "#9a9a9a";
const NO_DATA_COLOUR: &str = "#ffffff";

/// The colour of class `i` of `n`: spread over the palette, the palest step left out so that
/// the lowest class still shows against an area without data.
fn class_colour(palette: &[&'static str; 9], i: usize, n: usize) -> &'static str {
    if n <= 1 {
        return palette[4];
    }
    palette[1 + (i * 7 + (n - 1) / 2) / (n - 1)]
}

/// How a figure is classed unless the reader says otherwise: fixed breaks (in the units shown),
/// so that one colour means one value on every map; the strategic score, a ranking, by
/// quantiles.
fn default_breaks(figure: MapFigure) -> Option<&'static str> {
    match figure {
        MapFigure::Strategic => None,
        MapFigure::A => Some("40, 50, 60, 80"),
        MapFigure::M0 => Some("0.02, 0.05, 0.1, 0.2"),
        MapFigure::Capital(_) => Some("20, 40, 60, 80"),
        _ => Some("5, 10, 20, 40"),
    }
}

/// The classing asked for: its code, the breaks as the form shows them, and the classing.
fn classing_of(
    q: &MapQuery,
    figure: MapFigure,
    scale: Scale,
) -> Result<(&'static str, String, Classing), ApiError> {
    let code = match q.classing.as_deref().filter(|c| !c.is_empty()) {
        None if default_breaks(figure).is_none() => "quantile",
        None | Some("fixed") => "fixed",
        Some("quantile") => "quantile",
        Some("equal") => "equal",
        Some(c) => {
            return Err(ApiError::invalid(format!(
                "classing {c:?}: use fixed, quantile or equal"
            )))
        }
    };
    let text = q
        .breaks
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .or(default_breaks(figure))
        .unwrap_or("0.2, 0.4, 0.6, 0.8")
        .to_string();
    let classing = match code {
        "fixed" => Classing::Fixed(
            parse_breaks(&text, scale.factor(), (0.0, 1.0))
                .map_err(|e| ApiError::invalid(format!("breaks {text:?}: {e}")))?,
        ),
        "quantile" => Classing::Quantiles,
        _ => Classing::EqualIntervals,
    };
    Ok((code, text, classing))
}

fn map_url(
    round: &str,
    figure: &str,
    unit: &str,
    area: Option<&AreaCode>,
    level: Option<AreaLevel>,
    classing: &str,
) -> String {
    let mut url = format!("/map?round={round}&figure={figure}&unit={unit}{classing}");
    if let Some(a) = area {
        url.push_str(&format!("&area={a}"));
    }
    if let Some(l) = level {
        url.push_str(&format!("&level={l}"));
    }
    url
}

fn name(code: &AreaCode, lang: Lang) -> String {
    let (th, en) = area_names(code);
    if lang == Lang::Th {
        th
    } else {
        en
    }
}

/// How a figure's values (0 to 1) are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Scale {
    Percent,
    Score,
    Plain,
}

impl Scale {
    /// What a value is multiplied by to be shown (0.123 is shown as 12.3).
    fn factor(self) -> f64 {
        match self {
            Scale::Percent | Scale::Score => 100.0,
            Scale::Plain => 1.0,
        }
    }

    fn of(figure: MapFigure) -> Scale {
        match figure {
            MapFigure::M0 | MapFigure::Strategic => Scale::Plain,
            MapFigure::Capital(_) => Scale::Score,
            _ => Scale::Percent,
        }
    }
}

/// As `fmt` in assets/map.js writes it.
fn format_value(v: f64, scale: Scale) -> String {
    match scale {
        Scale::Percent => format!("{:.1}%", v * 100.0),
        Scale::Score => format!("{:.1}", v * 100.0),
        Scale::Plain => format!("{v:.3}"),
    }
}

async fn map_page(
    State(state): State<AppState>,
    lang: LangChoice,
    page: PageUser,
    Query(q): Query<MapQuery>,
) -> Result<Response, ApiError> {
    let l = lang.lang;
    let (lm, _) = crate::api::figures::methodology_for(
        &state,
        q.round.as_deref().filter(|r| !r.is_empty()),
        q.methodology.as_deref(),
    )
    .await?;
    let lm = &*lm;
    let store = state.reads();
    let rounds = scored_rounds(store, lm).await?;
    if rounds.is_empty() {
        let ctx = context! {
            account => super::dashboard::account(&page, l),
            csrf => &page.csrf_token,
            txt => texts(l),
            no_round => true,
        };
        return Ok(render(&state, &lang, StatusCode::OK, "map.html", ctx));
    }
    let figure = MapFigure::parse(q.figure.as_deref().unwrap_or("hardship"))?;
    // The same unit as the dashboard, so that one label never shows two numbers.
    let unit = crate::api::figures::parse_unit(q.unit.as_deref().filter(|u| !u.is_empty()))?;
    let unit_s = thanrak_app::db::unit_str(unit);
    let mut area = crate::parse::area_or_none(q.area.as_deref())?;
    let mut level = q
        .level
        .as_deref()
        .filter(|l| !l.is_empty())
        .map(|s| {
            AreaLevel::parse(s.trim())
                .ok_or_else(|| ApiError::invalid(format!("unknown level {s:?}")))
        })
        .transpose()?;
    // A village has no areas inside it: its map is its subdistrict's.
    if let Some(v) = area.filter(|a| a.level() == AreaLevel::Village) {
        area = v.parent();
        level = Some(AreaLevel::Village);
    }
    let f = area_figures(
        store,
        state.figures(),
        lm,
        &page.user,
        &AreaFigureQuery {
            round: q
                .round
                .as_deref()
                .filter(|r| !r.is_empty())
                .map(crate::parse::round)
                .transpose()?,
            area,
            // Without a level, the level below the area the user's scope resolves to.
            by: level.map(Breakdown::Area),
            unit,
        },
    )
    .await?;
    let level = match f.by {
        Breakdown::Area(l) => l,
        _ => AreaLevel::Province,
    };
    let round = f.round.to_string();
    let fid = figure.id();
    let values = if figure == MapFigure::Strategic {
        let r = thanrak_app::strategy::rank_areas(
            store,
            state.figures(),
            &thanrak_app::scoring::default_methodology(),
            &page.user,
            &thanrak_app::strategy::RankQuery {
                round: Some(f.round.clone()),
                level,
                area: f.area,
                weights: Default::default(),
                reference: thanrak_app::help::thai_today(),
                top: None,
            },
        )
        .await?;
        thanrak_app::strategy::map_values(&r, &f)
    } else {
        map_values(&f, figure, unit)
    };
    let scale = Scale::of(figure);
    let (classing_code, breaks_text, classing) = classing_of(&q, figure, scale)?;
    let shown: Vec<f64> = values.iter().filter_map(|v| v.value).collect();
    let cuts = classes(&shown, &classing, 5, (0.0, 1.0));
    let palette = if figure.higher_is_worse() {
        &WORSE
    } else {
        &BETTER
    };
    let class_data: Vec<ClassData> = cuts
        .iter()
        .enumerate()
        .map(|(i, c)| ClassData {
            colour: class_colour(palette, i, cuts.len()),
            label: if i + 1 == cuts.len() {
                format!(
                    "{} – {}",
                    format_value(c.lower, scale),
                    format_value(c.upper, scale)
                )
            } else {
                format!(
                    "{} – < {}",
                    format_value(c.lower, scale),
                    format_value(c.upper, scale)
                )
            },
            count: c.count,
        })
        .collect();
    // Drilling down and going back up keep the classing the reader chose.
    let keep = if q.classing.as_deref().is_some_and(|c| !c.is_empty()) {
        let mut pairs = vec![("classing", classing_code)];
        if classing_code == "fixed" {
            pairs.push(("breaks", breaks_text.as_str()));
        }
        format!(
            "&{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    } else {
        String::new()
    };
    // A click on an area shows the areas inside it; villages have none.
    let drill_url = (level != AreaLevel::Village)
        .then(|| format!("{}&area=", map_url(&round, &fid, unit_s, None, None, &keep)));
    let mut boundaries_url = format!("/api/v1/boundaries?level={level}");
    if let Some(a) = &f.area {
        boundaries_url.push_str(&format!("&parent={a}"));
    }
    let mut data = MapData {
        boundaries_url,
        drill_url: drill_url.clone(),
        // Every figure says what it counts: persons or households, as the dashboard does.
        figure: {
            let label = if l == Lang::Th {
                figure.label_th()
            } else {
                figure.label_en()
            };
            let counted = match (figure, unit, l) {
                (MapFigure::Strategic, _, _) => None,
                (MapFigure::Capital(_), _, Lang::Th) => Some("ค่าเฉลี่ยของครัวเรือน"),
                (MapFigure::Capital(_), _, Lang::En) => Some("household mean"),
                (_, Unit::Person, Lang::Th) => Some("นับเป็นคน"),
                (_, Unit::Person, Lang::En) => Some("counted in persons"),
                (_, Unit::Household, Lang::Th) => Some("นับเป็นครัวเรือน"),
                (_, Unit::Household, Lang::En) => Some("counted in households"),
            };
            match counted {
                Some(c) => format!("{label} · {c}"),
                None => label,
            }
        },
        scale,
        higher_is_worse: figure.higher_is_worse(),
        lang: l.code(),
        values: values
            .iter()
            .map(|v| {
                (
                    v.code.to_string(),
                    CellData {
                        value: v.value,
                        households: v.households,
                        class: v.value.and_then(|x| class_of(x, &cuts)),
                    },
                )
            })
            .collect(),
        classes: class_data,
        suppressed_colour: SUPPRESSED_COLOUR,
        no_data_colour: NO_DATA_COLOUR,
        picture_title: String::new(),
        picture_name: format!(
            "map-{round}-{}-{fid}-{unit_s}",
            f.area.map_or_else(|| "all".to_string(), |a| a.to_string())
        )
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect(),
        texts: TEXTS
            .iter()
            .map(|(k, th, en)| (*k, if l == Lang::Th { *th } else { *en }))
            .collect(),
    };
    data.picture_title = format!(
        "{} · {} {} · {}",
        data.figure,
        text(l, "round"),
        round,
        f.area
            .map_or_else(|| text(l, "all").to_string(), |a| name(&a, l)),
    );
    let data_json = serde_json::to_string(&data).map_err(|e| ApiError::internal(&e))?;
    // Where the user may go up to: the whole country, or only as far as its own areas.
    let mut crumbs = Vec::new();
    if f.home.is_empty() {
        crumbs.push(
            context! { name => text(l, "all"), url => map_url(&round, &fid, unit_s, None, None, &keep) },
        );
    }
    if let Some(a) = &f.area {
        let mut chain: Vec<AreaCode> = std::iter::successors(Some(*a), AreaCode::parent).collect();
        chain.reverse();
        for c in chain {
            if f.home.is_empty() || f.home.iter().any(|h| c.is_within(h)) {
                crumbs.push(
                    context! { name => name(&c, l), url => map_url(&round, &fid, unit_s, Some(&c), None, &keep) },
                );
            }
        }
    }
    let rows: Vec<_> = values
        .iter()
        .map(|v| {
            context! {
                code => v.code.to_string(),
                name => name(&v.code, l),
                households => v.households,
                value => v.value.map(|x| format_value(x, scale)),
                colour => v
                    .value
                    .and_then(|x| class_of(x, &cuts))
                    .map_or(SUPPRESSED_COLOUR, |i| data.classes[i].colour),
                url => drill_url.as_ref().map(|d| format!("{d}{}", v.code)),
            }
        })
        .collect();
    let figures: Vec<_> = MapFigure::all()
        .into_iter()
        .map(|m| {
            context! {
                id => m.id(),
                label => if l == Lang::Th { m.label_th() } else { m.label_en() },
            }
        })
        .collect();
    let ctx = context! {
        account => super::dashboard::account(&page, l),
        csrf => &page.csrf_token,
        txt => texts(l),
        no_round => false,
        rounds => rounds.iter().map(ToString::to_string).collect::<Vec<_>>(),
        round,
        figures,
        figure => fid,
        unit => unit_s,
        units => [("person", "dash.unit.person"), ("household", "dash.unit.household")]
            .iter()
            .map(|(code, key)| context! { code => *code, label => crate::i18n::Texts::text(l, key) })
            .collect::<Vec<_>>(),
        figure_label => &data.figure,
        classing => classing_code,
        classings => [("fixed", "map.classing.fixed"), ("quantile", "map.classing.quantile"), ("equal", "map.classing.equal")]
            .iter()
            .map(|(code, key)| context! { code => *code, label => crate::i18n::Texts::text(l, key) })
            .collect::<Vec<_>>(),
        breaks => breaks_text,
        legend => data
            .classes
            .iter()
            .map(|c| context! { colour => c.colour, label => &c.label, count => c.count })
            .collect::<Vec<_>>(),
        area => f.area.map(|a| a.to_string()),
        level => level.as_str(),
        level_label => level.label_th(),
        crumbs,
        can_drill => drill_url.is_some(),
        rows,
        data_json,
    };
    Ok(render(&state, &lang, StatusCode::OK, "map.html", ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_leaflet_image_the_css_names_is_served() {
        let css = std::str::from_utf8(LEAFLET_CSS).unwrap();
        for part in css.split("url(images/").skip(1) {
            let file = part.split(')').next().unwrap();
            assert!(
                LEAFLET_IMAGES.iter().any(|(n, _)| *n == file),
                "{file} is not served"
            );
        }
    }

    #[test]
    fn the_page_names_no_other_site() {
        let page = include_str!("../../templates/map.html");
        let script = std::str::from_utf8(MAP_JS).unwrap();
        let picker = std::str::from_utf8(AREA_PICKER_JS).unwrap();
        for text in [page, script, picker] {
            assert!(!text.contains("http://") && !text.contains("https://"));
        }
    }
}
