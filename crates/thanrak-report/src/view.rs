//! The report as the PDF template reads it: the model checked, its numbers formatted and its
//! charts' geometry computed (map projection, flow bands), serialised to JSON.
//!
//! Only drawing is left to the template (`report.typ`), so every decision that could be wrong
//! (a number's format, a class's colour, where a band starts) is made here, in tested Rust.

use serde::Serialize;

use crate::model::{
    AreaMap, Bar, BarChart, Block, Cell, Figure, Flow, MapArea, Report, Table, WITHHELD_NOTE,
};
use crate::ReportError;
use crate::{fonts, format};

/// The whole report for the template.
#[derive(Debug, Serialize)]
pub(crate) struct View<'a> {
    page: PageView,
    title: &'a str,
    subtitle: &'a str,
    meta: Vec<[&'a str; 2]>,
    footer: &'a str,
    sections: Vec<SectionView<'a>>,
}

/// The page's margins in millimetres: set by the template, used here to fit tables.
#[derive(Debug, Clone, Copy, Serialize)]
struct PageView {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

/// A4 with the margins of a Thai official document, about (wider left for binding).
const PAGE: PageView = PageView {
    left: 25.0,
    right: 20.0,
    top: 22.0,
    bottom: 24.0,
};
const A4_MM: (f64, f64) = (210.0, 297.0);
const PT_PER_MM: f64 = 72.0 / 25.4;

/// The width of the text on a page, in points.
fn text_width(landscape: bool) -> f64 {
    let across = if landscape { A4_MM.1 } else { A4_MM.0 };
    (across - PAGE.left - PAGE.right) * PT_PER_MM
}

#[derive(Debug, Serialize)]
struct SectionView<'a> {
    heading: &'a str,
    blocks: Vec<BlockView<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum BlockView<'a> {
    Paragraph { text: &'a str },
    Figures { items: Vec<FigureView<'a>> },
    Table(TableView<'a>),
    Bars(BarsView<'a>),
    Map(MapView<'a>),
    Flow(FlowView<'a>),
}

#[derive(Debug, Serialize)]
struct FigureView<'a> {
    label: &'a str,
    value: &'a str,
    note: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct TableView<'a> {
    caption: &'a str,
    headers: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
    notes: Vec<&'a str>,
    /// The text size in points: the largest at which the table fits across the page.
    size: f64,
    /// Whether the table is set on landscape pages of its own (too wide for portrait).
    landscape: bool,
    /// The columns' widths in points, filling the text width.
    widths: Vec<f64>,
    /// Whether the last row is a total (set in bold).
    total_row: bool,
}

/// A cell's inset on both sides (0.45 em each) and a little slack, in em.
const CELL_PADDING_EM: f64 = 1.1;
/// Text wider than this (in em) wraps rather than widen its column.
const MAX_TEXT_EM: f64 = 14.0;
/// A header this wide (in em) or less is kept on one line.
const HEADER_ONE_LINE_EM: f64 = 4.5;
/// The text sizes a table is tried at, largest first.
const TABLE_SIZES: [f64; 5] = [13.0, 12.0, 11.5, 11.0, 10.5];

/// The table's text size, orientation and column widths (points): the largest size at which
/// every column is as wide as its widest number and 49 in 50 of its texts (or, failing that,
/// nine in ten) and its header (a long one on two lines), on a portrait page if at all
/// possible, with the room left given to the text columns. A table too wide even on landscape at
/// the smallest size keeps its numbers' widths and wraps its text.
fn table_layout(
    headers: &[String],
    numeric: &[bool],
    rows: &[Vec<String>],
) -> (f64, bool, Vec<f64>) {
    let ems: Vec<(f64, f64)> = headers
        .iter()
        .enumerate()
        .map(|(c, header)| {
            let mut widths: Vec<f64> = rows.iter().map(|r| fonts::text_em(&r[c], false)).collect();
            widths.sort_by(f64::total_cmp);
            let widest = widths.last().copied().unwrap_or(0.0);
            let (need, want) = if numeric[c] {
                // A number never wraps: its column is as wide as the widest.
                (widest, widest)
            } else {
                // Text wraps: the column needs what nine cells in ten need, and is given up
                // to what 49 in 50 need if there is room (an odd long text wraps), within a limit.
                let share = |per_cent: usize| {
                    widths
                        .get(widths.len() * per_cent / 100)
                        .copied()
                        .unwrap_or(widest)
                };
                (share(90).min(MAX_TEXT_EM), share(98).min(MAX_TEXT_EM))
            };
            // A long header may wrap, onto two lines or three, not always in its middle; it is
            // given its whole width if there is room.
            let full = fonts::text_em(header, true).min(MAX_TEXT_EM);
            let wrapped = full.min((full * 0.7).max(HEADER_ONE_LINE_EM));
            let em = |cells: f64, header: f64| cells.max(header).max(1.0) + CELL_PADDING_EM;
            (em(need, wrapped), em(want, full))
        })
        .collect();
    let (ems, wants): (Vec<f64>, Vec<f64>) = ems.into_iter().unzip();
    let (need_em, want_em): (f64, f64) = (ems.iter().sum(), wants.iter().sum());
    // Portrait if at all possible: without wrapping, else with some text wrapped; then the same
    // on landscape pages.
    let smallest = TABLE_SIZES[TABLE_SIZES.len() - 1];
    let (size, landscape) = [
        (want_em, false),
        (need_em, false),
        (want_em, true),
        (need_em, true),
    ]
    .into_iter()
    .find_map(|(em, landscape)| {
        TABLE_SIZES
            .into_iter()
            .find(|size| em * size <= text_width(landscape))
            .map(|size| (size, landscape))
    })
    .unwrap_or((smallest, true));
    let width = text_width(landscape);
    let natural: Vec<f64> = ems.iter().map(|e| e * size).collect();
    let total: f64 = natural.iter().sum();
    let text_total: f64 = natural
        .iter()
        .zip(numeric)
        .filter(|(_, n)| !**n)
        .map(|(w, _)| w)
        .sum();
    let widths: Vec<f64> = if text_total > 0.0 && total <= width {
        // Room to spare: first to the columns that want more (a text that would wrap, a header
        // that would), then to the text columns.
        let short: Vec<f64> = wants
            .iter()
            .zip(&ems)
            .map(|(want, need)| (want - need) * size)
            .collect();
        let short_total: f64 = short.iter().sum();
        let extra = width - total;
        let given = extra.min(short_total);
        let widened: Vec<f64> = natural
            .iter()
            .zip(&short)
            .map(|(w, s)| {
                if short_total > 0.0 {
                    w + given * s / short_total
                } else {
                    *w
                }
            })
            .collect();
        let rest = extra - given;
        let widened_text: f64 = widened
            .iter()
            .zip(numeric)
            .filter(|(_, n)| !**n)
            .map(|(w, _)| w)
            .sum();
        widened
            .iter()
            .zip(numeric)
            .map(|(w, n)| if *n { *w } else { w + rest * w / widened_text })
            .collect()
    } else if text_total > 0.0 && total - text_total < width * 0.8 {
        // Too wide: the text columns give up the difference and wrap.
        let room = width - (total - text_total);
        natural
            .iter()
            .zip(numeric)
            .map(|(w, n)| if *n { *w } else { w * room / text_total })
            .collect()
    } else {
        natural.iter().map(|w| w * width / total).collect()
    };
    // Rounded down, so that the columns never add up to more than the width.
    (
        size,
        landscape,
        widths
            .into_iter()
            .map(|w| (w * 100.0).floor() / 100.0)
            .collect(),
    )
}

#[derive(Debug, Serialize)]
struct BarsView<'a> {
    caption: &'a str,
    unit: &'a str,
    /// The width of the longest label in em, to size the label column (capped by the template).
    label_em: f64,
    bars: Vec<BarView<'a>>,
}

#[derive(Debug, Serialize)]
struct BarView<'a> {
    label: &'a str,
    display: &'a str,
    /// The bar's length as a share of the longest bar's.
    frac: f64,
    negative: bool,
}

/// The width of a map's drawing in its units; the template scales it to the text width.
const MAP_UNITS: f64 = 1000.0;
/// The most a map's drawing may be high, in the same units (about 1.1 times its width).
const MAP_MAX_HEIGHT: f64 = 1100.0;
/// Points closer than this to the last point kept (in map units, about 0.35 pt) are dropped.
const MAP_MIN_STEP: f64 = 0.8;
/// With more areas than this the names are listed under the map instead of written on it.
const MAP_MAX_LABELS: usize = 30;
/// The fill of an area without data.
const NO_DATA_FILL: &str = "#d9d9d9";
/// The legend's label for areas without data.
const NO_DATA_LABEL: &str = "ไม่มีข้อมูล";
/// A sequential palette (ColorBrewer OrRd, 9 classes): higher classes are darker.
const SEQUENTIAL: [&str; 9] = [
    "#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#b30000",
    "#7f0000",
];

#[derive(Debug, Serialize)]
struct MapView<'a> {
    caption: &'a str,
    legend_title: &'a str,
    units: f64,
    height: f64,
    areas: Vec<AreaView<'a>>,
    legend: Vec<LegendView<'a>>,
    /// Whether the names are written on the map; if not, `by_class` lists them.
    names_on_map: bool,
    by_class: Vec<ClassList<'a>>,
}

#[derive(Debug, Serialize)]
struct AreaView<'a> {
    name: &'a str,
    fill: &'static str,
    rings: Vec<Vec<[f64; 2]>>,
    /// Where its name goes: inside its largest ring.
    anchor: Option<[f64; 2]>,
}

#[derive(Debug, Serialize)]
struct LegendView<'a> {
    label: &'a str,
    fill: &'static str,
}

#[derive(Debug, Serialize)]
struct ClassList<'a> {
    label: &'a str,
    fill: &'static str,
    names: Vec<&'a str>,
}

/// The groups' colours in a flow, by the order in which a name first appears (so a group has
/// one colour on both sides).
const QUALITATIVE: [&str; 8] = [
    "#c0392b", "#e67e22", "#d4ac0d", "#27ae60", "#2e86c1", "#7d3c98", "#5d6d7e", "#a04000",
];
/// Space between two nodes of a column of a flow, in points.
const FLOW_GAP: f64 = 10.0;
/// The least height of a node, in points, so that a small group still shows.
const FLOW_MIN_NODE: f64 = 3.0;
/// The height a node's label takes (name and count on two lines), in points: a node's slot is
/// at least this high, so that labels never overlap.
const FLOW_LABEL: f64 = 30.0;
/// Bands thinner than this (in points) have no count written on them.
const FLOW_MIN_LABELLED_BAND: f64 = 11.0;

#[derive(Debug, Serialize)]
struct FlowView<'a> {
    caption: &'a str,
    from_title: &'a str,
    to_title: &'a str,
    /// The drawing's height in points.
    height: f64,
    nodes_from: Vec<NodeView<'a>>,
    nodes_to: Vec<NodeView<'a>>,
    bands: Vec<BandView>,
    /// The counts as a table: from-groups down, to-groups across, with totals.
    matrix: TableView<'a>,
}

#[derive(Debug, Serialize)]
struct NodeView<'a> {
    name: &'a str,
    count: String,
    fill: &'static str,
    y: f64,
    h: f64,
    /// The vertical centre of its label.
    label_y: f64,
}

#[derive(Debug, Serialize)]
struct BandView {
    /// Top and bottom of the band at the left node, then at the right node.
    from_top: f64,
    from_bottom: f64,
    to_top: f64,
    to_bottom: f64,
    fill: &'static str,
    count: Option<String>,
}

/// Checks the report and builds its view.
pub(crate) fn build(report: &Report) -> Result<View<'_>, ReportError> {
    let sections = report
        .sections
        .iter()
        .enumerate()
        .map(|(i, section)| {
            let at = |what: &str| format!("section {} (\"{}\"), {what}", i + 1, section.heading);
            let blocks = section
                .blocks
                .iter()
                .map(|block| block_view(block, &at))
                .collect::<Result<_, _>>()?;
            Ok(SectionView {
                heading: &section.heading,
                blocks,
            })
        })
        .collect::<Result<_, ReportError>>()?;
    Ok(View {
        page: PAGE,
        title: &report.title,
        subtitle: &report.subtitle,
        meta: report
            .meta
            .iter()
            .map(|(l, v)| [l.as_str(), v.as_str()])
            .collect(),
        footer: &report.footer,
        sections,
    })
}

fn block_view<'a>(
    block: &'a Block,
    at: &dyn Fn(&str) -> String,
) -> Result<BlockView<'a>, ReportError> {
    Ok(match block {
        Block::Paragraph(text) => BlockView::Paragraph { text },
        Block::Figures(figures) => BlockView::Figures {
            items: figures.iter().map(figure_view).collect(),
        },
        Block::Table(table) => BlockView::Table(table_view(table, &|w| {
            at(&format!("table \"{}\": {w}", table.caption))
        })?),
        Block::Bars(chart) => BlockView::Bars(bars_view(chart, &|w| {
            at(&format!("bar chart \"{}\": {w}", chart.caption))
        })?),
        Block::Map(map) => BlockView::Map(map_view(map, &|w| {
            at(&format!("map \"{}\": {w}", map.caption))
        })?),
        Block::Flow(flow) => BlockView::Flow(flow_view(flow, &|w| {
            at(&format!("flow \"{}\": {w}", flow.caption))
        })?),
    })
}

fn figure_view(figure: &Figure) -> FigureView<'_> {
    FigureView {
        label: &figure.label,
        value: &figure.value,
        note: figure.note.as_deref(),
    }
}

/// Checks that the numbers of a table, chart or map are finite.
fn finite(value: f64, at: &dyn Fn(&str) -> String, what: &str) -> Result<(), ReportError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ReportError::Invalid(at(&format!(
            "{what} is {value}, not a finite number"
        ))))
    }
}

fn table_view<'a>(
    table: &'a Table,
    at: &dyn Fn(&str) -> String,
) -> Result<TableView<'a>, ReportError> {
    if table.columns.is_empty() {
        return Err(ReportError::Invalid(at("no columns")));
    }
    let mut withheld = false;
    let mut rows = Vec::with_capacity(table.rows.len());
    for (r, row) in table.rows.iter().enumerate() {
        if row.len() != table.columns.len() {
            return Err(ReportError::Invalid(at(&format!(
                "row {} has {} cells for {} columns",
                r + 1,
                row.len(),
                table.columns.len()
            ))));
        }
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Num { value, .. } | Cell::Percent { value, .. } => {
                    finite(*value, at, &format!("row {}, column {}", r + 1, c + 1))?;
                }
                Cell::Withheld => withheld = true,
                Cell::Text(_) | Cell::Int(_) | Cell::Empty => {}
            }
        }
        rows.push(row.iter().map(format::cell).collect());
    }
    let mut notes = Vec::new();
    if withheld {
        notes.push(WITHHELD_NOTE);
    }
    notes.extend(table.note.as_deref());
    let headers: Vec<String> = table.columns.iter().map(|c| c.header.clone()).collect();
    let numeric: Vec<bool> = table.columns.iter().map(|c| c.numeric).collect();
    let (size, landscape, widths) = table_layout(&headers, &numeric, &rows);
    Ok(TableView {
        caption: &table.caption,
        headers,
        numeric,
        rows,
        notes,
        size,
        landscape,
        widths,
        total_row: false,
    })
}

fn bars_view<'a>(
    chart: &'a BarChart,
    at: &dyn Fn(&str) -> String,
) -> Result<BarsView<'a>, ReportError> {
    for (i, bar) in chart.bars.iter().enumerate() {
        finite(bar.value, at, &format!("bar {} (\"{}\")", i + 1, bar.label))?;
    }
    let longest = chart.bars.iter().map(|b| b.value.abs()).fold(0.0, f64::max);
    let label_em = chart
        .bars
        .iter()
        .map(|b| fonts::text_em(&b.label, false))
        .fold(0.0, f64::max);
    Ok(BarsView {
        caption: &chart.caption,
        unit: &chart.unit,
        label_em: label_em + 0.3,
        bars: chart
            .bars
            .iter()
            .map(|bar: &Bar| BarView {
                label: &bar.label,
                display: &bar.display,
                frac: if longest > 0.0 {
                    bar.value.abs() / longest
                } else {
                    0.0
                },
                negative: bar.value < 0.0,
            })
            .collect(),
    })
}

/// The fill of each of `n` classes: spread over the palette, from light to dark.
pub(crate) fn class_fills(n: usize) -> Vec<&'static str> {
    match n {
        0 => Vec::new(),
        1 => vec![SEQUENTIAL[4]],
        _ if n >= SEQUENTIAL.len() => {
            // More classes than colours: the darkest colour is repeated for the top classes.
            (0..n)
                .map(|i| SEQUENTIAL[i.min(SEQUENTIAL.len() - 1)])
                .collect()
        }
        _ => {
            // From the second lightest to the darkest: the lightest is too close to white.
            let (lo, hi) = (1.0, (SEQUENTIAL.len() - 1) as f64);
            (0..n)
                .map(|i| {
                    let at = lo + (hi - lo) * i as f64 / (n - 1) as f64;
                    SEQUENTIAL[at.round() as usize]
                })
                .collect()
        }
    }
}

fn map_view<'a>(map: &'a AreaMap, at: &dyn Fn(&str) -> String) -> Result<MapView<'a>, ReportError> {
    let fills = class_fills(map.classes.len());
    for area in &map.areas {
        if let Some(class) = area.class {
            if class >= map.classes.len() {
                return Err(ReportError::Invalid(at(&format!(
                    "area \"{}\" is in class {class} of {}",
                    area.name,
                    map.classes.len()
                ))));
            }
        }
        for point in area.rings.iter().flatten() {
            for v in point {
                finite(*v, at, &format!("a point of area \"{}\"", area.name))?;
            }
        }
    }
    let projection = Projection::fit(&map.areas);
    let areas: Vec<AreaView> = map
        .areas
        .iter()
        .map(|area| {
            let rings: Vec<Vec<[f64; 2]>> = area
                .rings
                .iter()
                .map(|ring| projection.ring(ring))
                .filter(|ring| ring.len() >= 3)
                .collect();
            let anchor = rings
                .iter()
                .max_by(|a, b| ring_area(a).abs().total_cmp(&ring_area(b).abs()))
                .map(|ring| label_anchor(ring));
            AreaView {
                name: &area.name,
                fill: area.class.map_or(NO_DATA_FILL, |c| fills[c]),
                rings,
                anchor,
            }
        })
        .collect();
    let has_no_data = map.areas.iter().any(|a| a.class.is_none());
    let mut legend: Vec<LegendView> = map
        .classes
        .iter()
        .zip(&fills)
        .map(|(class, fill)| LegendView {
            label: &class.label,
            fill,
        })
        .collect();
    if has_no_data {
        legend.push(LegendView {
            label: NO_DATA_LABEL,
            fill: NO_DATA_FILL,
        });
    }
    let names_on_map = map.areas.len() <= MAP_MAX_LABELS;
    let by_class = if names_on_map {
        Vec::new()
    } else {
        // Highest class first: the areas a meeting asks about.
        let mut lists: Vec<ClassList> = map
            .classes
            .iter()
            .enumerate()
            .rev()
            .map(|(i, class)| ClassList {
                label: &class.label,
                fill: fills[i],
                names: map
                    .areas
                    .iter()
                    .filter(|a| a.class == Some(i))
                    .map(|a| a.name.as_str())
                    .collect(),
            })
            .collect();
        if has_no_data {
            lists.push(ClassList {
                label: NO_DATA_LABEL,
                fill: NO_DATA_FILL,
                names: map
                    .areas
                    .iter()
                    .filter(|a| a.class.is_none())
                    .map(|a| a.name.as_str())
                    .collect(),
            });
        }
        lists.retain(|l| !l.names.is_empty());
        lists
    };
    Ok(MapView {
        caption: &map.caption,
        legend_title: &map.legend_title,
        units: MAP_UNITS,
        height: projection.height,
        areas,
        legend,
        names_on_map,
        by_class,
    })
}

/// An equirectangular projection with longitudes shrunk by the cosine of the middle latitude,
/// fitted into `MAP_UNITS` wide and at most `MAP_MAX_HEIGHT` high, centred across.
#[derive(Debug)]
struct Projection {
    west: f64,
    north: f64,
    shrink: f64,
    scale: f64,
    offset_x: f64,
    height: f64,
}

impl Projection {
    fn fit(areas: &[MapArea]) -> Self {
        let (mut west, mut east, mut south, mut north) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for &[lon, lat] in areas.iter().flat_map(|a| a.rings.iter().flatten()) {
            west = west.min(lon);
            east = east.max(lon);
            south = south.min(lat);
            north = north.max(lat);
        }
        if west > east {
            // No points at all: nothing is drawn.
            return Self {
                west: 0.0,
                north: 0.0,
                shrink: 1.0,
                scale: 1.0,
                offset_x: 0.0,
                height: 0.0,
            };
        }
        let shrink = ((south + north) / 2.0).to_radians().cos().max(0.01);
        let width = ((east - west) * shrink).max(1e-9);
        let tall = (north - south).max(1e-9);
        let scale = (MAP_UNITS / width).min(MAP_MAX_HEIGHT / tall);
        Self {
            west,
            north,
            shrink,
            scale,
            offset_x: (MAP_UNITS - width * scale) / 2.0,
            height: tall * scale,
        }
    }

    fn point(&self, [lon, lat]: [f64; 2]) -> [f64; 2] {
        [
            self.offset_x + (lon - self.west) * self.shrink * self.scale,
            (self.north - lat) * self.scale,
        ]
    }

    /// A ring projected, without points too close to the last one kept, rounded to 0.01 unit.
    fn ring(&self, ring: &[[f64; 2]]) -> Vec<[f64; 2]> {
        let mut out: Vec<[f64; 2]> = Vec::with_capacity(ring.len());
        for &p in ring {
            let q = self.point(p);
            let far = out
                .last()
                .is_none_or(|last| (q[0] - last[0]).hypot(q[1] - last[1]) >= MAP_MIN_STEP);
            if far {
                out.push(q);
            }
        }
        // The closing point is implied by the polygon.
        if out.len() > 1 && out.first() == out.last() {
            out.pop();
        }
        out.into_iter()
            .map(|[x, y]| [round2(x), round2(y)])
            .collect()
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The signed area of a ring (shoelace formula).
fn ring_area(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum::<f64>()
        / 2.0
}

/// A point inside a ring to write its name at: its centroid when that is inside, else the middle
/// of the widest stretch inside the ring along the centroid's horizontal line.
pub(crate) fn label_anchor(ring: &[[f64; 2]]) -> [f64; 2] {
    let n = ring.len();
    let area = ring_area(ring);
    let centroid = if area.abs() > 1e-9 {
        let (mut cx, mut cy) = (0.0, 0.0);
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            let cross = a[0] * b[1] - b[0] * a[1];
            cx += (a[0] + b[0]) * cross;
            cy += (a[1] + b[1]) * cross;
        }
        [cx / (6.0 * area), cy / (6.0 * area)]
    } else {
        let k = n as f64;
        [
            ring.iter().map(|p| p[0]).sum::<f64>() / k,
            ring.iter().map(|p| p[1]).sum::<f64>() / k,
        ]
    };
    let y = centroid[1];
    let mut crossings: Vec<f64> = (0..n)
        .filter_map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            // Half-open on y, so a vertex on the line is counted once.
            ((a[1] <= y) != (b[1] <= y)).then(|| a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]))
        })
        .collect();
    crossings.sort_by(f64::total_cmp);
    let stretches: Vec<(f64, f64)> = crossings.chunks_exact(2).map(|c| (c[0], c[1])).collect();
    if stretches
        .iter()
        .any(|&(l, r)| l <= centroid[0] && centroid[0] <= r)
    {
        return [round2(centroid[0]), round2(y)];
    }
    match stretches
        .iter()
        .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
    {
        Some(&(l, r)) => [round2((l + r) / 2.0), round2(y)],
        None => [round2(centroid[0]), round2(y)],
    }
}

fn flow_view<'a>(flow: &'a Flow, at: &dyn Fn(&str) -> String) -> Result<FlowView<'a>, ReportError> {
    let (nf, nt) = (flow.nodes_from.len(), flow.nodes_to.len());
    // Links between the same two groups are added up; empty ones are dropped.
    let mut counts = vec![vec![0u64; nt]; nf];
    for link in &flow.links {
        if link.from >= nf || link.to >= nt {
            return Err(ReportError::Invalid(at(&format!(
                "a link from group {} to group {} for {nf} and {nt} groups",
                link.from, link.to
            ))));
        }
        let cell = &mut counts[link.from][link.to];
        *cell = cell
            .checked_add(link.count)
            .ok_or_else(|| ReportError::Invalid(at("counts overflow")))?;
    }
    let total_from: Vec<u64> = counts.iter().map(|row| row.iter().sum()).collect();
    let total_to: Vec<u64> = (0..nt)
        .map(|j| counts.iter().map(|row| row[j]).sum())
        .collect();
    let total: u64 = total_from.iter().sum();

    // One scale for both columns, so that a band is as thick at both ends: the largest at which
    // neither column is higher than the height aimed at.
    let aim = (nf.max(nt) as f64 * 70.0).clamp(220.0, 440.0);
    let scale = if total > 0 {
        let fit = |totals: &[u64]| {
            let (mut lo, mut hi) = (0.0, aim / total as f64);
            for _ in 0..50 {
                let mid = (lo + hi) / 2.0;
                if flow_column(totals, mid).1 <= aim {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        fit(&total_from).min(fit(&total_to))
    } else {
        0.0
    };
    let (mut left, left_height) = flow_column(&total_from, scale);
    let (mut right, right_height) = flow_column(&total_to, scale);
    let height = left_height.max(right_height);
    // The shorter column is centred against the taller.
    for (nodes, own) in [(&mut left, left_height), (&mut right, right_height)] {
        let shift = (height - own) / 2.0;
        nodes.iter_mut().for_each(|n| {
            n.0 += shift;
            n.2 += shift;
        });
    }

    let mut colours: Vec<&'a str> = Vec::new();
    let mut fill_of = |name: &'a str| -> &'static str {
        let i = colours.iter().position(|c| *c == name).unwrap_or_else(|| {
            colours.push(name);
            colours.len() - 1
        });
        QUALITATIVE[i % QUALITATIVE.len()]
    };
    // Interned by name in order: the left column first, then the right.
    let fills_from: Vec<&'static str> = flow
        .nodes_from
        .iter()
        .map(|n| fill_of(n.as_str()))
        .collect();
    let fills_to: Vec<&'static str> = flow.nodes_to.iter().map(|n| fill_of(n.as_str())).collect();

    // Bands leave a left node in the order of the right nodes, and reach a right node in the
    // order of the left nodes, so that no two bands cross at their ends.
    let mut out_offset: Vec<f64> = left.iter().map(|n| n.0).collect();
    let mut in_offset: Vec<f64> = right.iter().map(|n| n.0).collect();
    let mut in_starts = vec![vec![0.0; nt]; nf];
    for j in 0..nt {
        for i in 0..nf {
            if counts[i][j] > 0 {
                in_starts[i][j] = in_offset[j];
                in_offset[j] += right[j].1 * counts[i][j] as f64 / total_to[j] as f64;
            }
        }
    }
    let mut bands = Vec::new();
    for i in 0..nf {
        for j in 0..nt {
            let c = counts[i][j];
            if c == 0 {
                continue;
            }
            let from_h = left[i].1 * c as f64 / total_from[i] as f64;
            let to_h = right[j].1 * c as f64 / total_to[j] as f64;
            let from_top = out_offset[i];
            out_offset[i] += from_h;
            let to_top = in_starts[i][j];
            bands.push(BandView {
                from_top: round2(from_top),
                from_bottom: round2(from_top + from_h),
                to_top: round2(to_top),
                to_bottom: round2(to_top + to_h),
                fill: fills_from[i],
                count: (from_h.min(to_h) >= FLOW_MIN_LABELLED_BAND).then(|| format::int_u(c)),
            });
        }
    }

    let share = |c: u64| {
        if total > 0 {
            format!(
                "{} ({})",
                format::int_u(c),
                format::percent(c as f64 / total as f64, 1)
            )
        } else {
            format::int_u(c)
        }
    };
    let nodes = |names: &'a [String],
                 geometry: &[(f64, f64, f64)],
                 totals: &[u64],
                 fills: &[&'static str]| {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| NodeView {
                name,
                count: share(totals[i]),
                fill: fills[i],
                y: round2(geometry[i].0),
                h: round2(geometry[i].1),
                label_y: round2(geometry[i].2),
            })
            .collect::<Vec<_>>()
    };

    let mut headers = vec![format!("{} \\ {}", flow.from_title, flow.to_title)];
    headers.extend(flow.nodes_to.iter().cloned());
    headers.push("รวม".to_owned());
    let mut rows: Vec<Vec<String>> = flow
        .nodes_from
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut row = vec![name.clone()];
            row.extend(counts[i].iter().map(|&c| format::int_u(c)));
            row.push(format::int_u(total_from[i]));
            row
        })
        .collect();
    let mut totals_row = vec!["รวม".to_owned()];
    totals_row.extend(total_to.iter().map(|&c| format::int_u(c)));
    totals_row.push(format::int_u(total));
    rows.push(totals_row);
    let numeric: Vec<bool> = (0..headers.len()).map(|c| c > 0).collect();
    let (size, landscape, widths) = table_layout(&headers, &numeric, &rows);
    let matrix = TableView {
        caption: "",
        headers,
        numeric,
        rows,
        notes: Vec::new(),
        // Not larger than the flow's own labels.
        size: size.min(12.0),
        landscape,
        widths,
        total_row: true,
    };

    Ok(FlowView {
        caption: &flow.caption,
        from_title: &flow.from_title,
        to_title: &flow.to_title,
        height: round2(height),
        nodes_from: nodes(&flow.nodes_from, &left, &total_from, &fills_from),
        nodes_to: nodes(&flow.nodes_to, &right, &total_to, &fills_to),
        bands,
        matrix,
    })
}

/// A column of a flow's nodes at `scale` points per unit: each node in a slot as high as the
/// node or its label, whichever is higher, centred in it, the slots `FLOW_GAP` apart. Returns
/// each node's top, height and slot centre (where its label goes), and the column's height.
fn flow_column(totals: &[u64], scale: f64) -> (Vec<(f64, f64, f64)>, f64) {
    let mut y = 0.0;
    let nodes = totals
        .iter()
        .map(|&t| {
            let h = (t as f64 * scale).max(FLOW_MIN_NODE);
            let slot = h.max(FLOW_LABEL);
            let node = (y + (slot - h) / 2.0, h, y + slot / 2.0);
            y += slot + FLOW_GAP;
            node
        })
        .collect();
    (nodes, (y - FLOW_GAP).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FlowLink, MapClass};

    #[test]
    fn class_fills_go_from_light_to_dark() {
        assert_eq!(class_fills(1), vec!["#fc8d59"]);
        assert_eq!(class_fills(2), vec!["#fee8c8", "#7f0000"]);
        assert_eq!(class_fills(5).len(), 5);
        assert_eq!(class_fills(12)[11], "#7f0000");
    }

    #[test]
    fn tables_fill_the_text_width_at_the_largest_size_that_fits() {
        let headers: Vec<String> = ["อำเภอ", "ครัวเรือน"].map(String::from).to_vec();
        let rows = vec![vec!["เมืองน่าน".to_owned(), "1,234".to_owned()]];
        let (size, landscape, widths) = table_layout(&headers, &[false, true], &rows);
        assert_eq!((size, landscape), (13.0, false));
        assert!((widths.iter().sum::<f64>() - text_width(false)).abs() < 0.05);
        assert!(widths[0] > widths[1], "the text column takes the room left");
        assert!(widths[1] >= (fonts::text_em("1,234", false) + CELL_PADDING_EM) * 13.0 - 0.01);

        // Twenty numeric columns: smaller, then landscape, never wider than the page.
        let headers: Vec<String> = (0..20).map(|i| format!("ตัวชี้วัดที่ {i}")).collect();
        let rows = vec![vec!["123,456.78".to_owned(); 20]];
        let (size, landscape, widths) = table_layout(&headers, &[true; 20], &rows);
        assert_eq!((size, landscape), (10.5, true));
        assert!(widths.iter().sum::<f64>() <= text_width(true));
    }

    #[test]
    fn a_label_anchor_is_inside_a_concave_ring() {
        // A "U": its centroid falls in the gap between the arms.
        let u = [
            [0.0, 0.0],
            [30.0, 0.0],
            [30.0, 30.0],
            [20.0, 30.0],
            [20.0, 5.0],
            [10.0, 5.0],
            [10.0, 30.0],
            [0.0, 30.0],
        ];
        let [x, y] = label_anchor(&u);
        assert!(
            !(10.0..=20.0).contains(&x) || y <= 5.0,
            "({x}, {y}) is in the gap"
        );
        let square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        assert_eq!(label_anchor(&square), [5.0, 5.0]);
    }

    #[test]
    fn a_map_is_fitted_into_its_units() {
        let map = AreaMap {
            classes: vec![MapClass { label: "a".into() }],
            areas: vec![MapArea {
                name: "x".into(),
                class: Some(0),
                rings: vec![vec![
                    [100.0, 18.0],
                    [101.0, 18.0],
                    [101.0, 19.0],
                    [100.0, 19.0],
                    [100.0, 18.0],
                ]],
            }],
            ..AreaMap::default()
        };
        let view = map_view(&map, &|w| w.to_owned()).unwrap();
        assert_eq!(
            view.areas[0].rings[0].len(),
            4,
            "the closing point is dropped"
        );
        // 1° of latitude by 1° of longitude shrunk by cos 18.5°: the width is the limit.
        let xs: Vec<f64> = view.areas[0].rings[0].iter().map(|p| p[0]).collect();
        assert_eq!(xs, [0.0, MAP_UNITS, MAP_UNITS, 0.0]);
        let expected = MAP_UNITS / 18.5f64.to_radians().cos();
        assert!((view.height - expected).abs() < 1e-6, "{}", view.height);
        // A tall area is limited by the height instead, and centred across.
        let tall = AreaMap {
            areas: vec![MapArea {
                rings: vec![vec![
                    [100.0, 18.0],
                    [100.1, 18.0],
                    [100.1, 19.0],
                    [100.0, 19.0],
                ]],
                ..map.areas[0].clone()
            }],
            ..map.clone()
        };
        let view = map_view(&tall, &|w| w.to_owned()).unwrap();
        assert!((view.height - MAP_MAX_HEIGHT).abs() < 1e-6);
        let xs: Vec<f64> = view.areas[0].rings[0].iter().map(|p| p[0]).collect();
        assert!(
            (xs[0] + xs[1] - MAP_UNITS).abs() < 0.02,
            "{xs:?} is not centred"
        );
        let bad = AreaMap {
            areas: vec![MapArea {
                class: Some(1),
                ..map.areas[0].clone()
            }],
            ..map
        };
        assert!(map_view(&bad, &|w| w.to_owned()).is_err());
    }

    #[test]
    fn flow_bands_are_as_thick_at_both_ends_and_fill_their_nodes() {
        let flow = Flow {
            nodes_from: vec!["ก".into(), "ข".into()],
            nodes_to: vec!["ก".into(), "ข".into(), "ค".into()],
            links: vec![
                FlowLink {
                    from: 0,
                    to: 0,
                    count: 600,
                },
                FlowLink {
                    from: 0,
                    to: 1,
                    count: 300,
                },
                FlowLink {
                    from: 1,
                    to: 1,
                    count: 900,
                },
                FlowLink {
                    from: 1,
                    to: 2,
                    count: 200,
                },
                FlowLink {
                    from: 1,
                    to: 2,
                    count: 100,
                },
            ],
            ..Flow::default()
        };
        let view = flow_view(&flow, &|w| w.to_owned()).unwrap();
        assert_eq!(
            view.bands.len(),
            4,
            "links between the same groups are merged"
        );
        for band in &view.bands {
            let (a, b) = (
                band.from_bottom - band.from_top,
                band.to_bottom - band.to_top,
            );
            assert!((a - b).abs() < 0.05, "{a} vs {b}");
        }
        let node = &view.nodes_from[1];
        let inside: f64 = view.bands[2..]
            .iter()
            .map(|b| b.from_bottom - b.from_top)
            .sum();
        assert!((inside - node.h).abs() < 0.05);
        assert_eq!(
            view.nodes_to[0].fill, view.nodes_from[0].fill,
            "one colour per group name"
        );
        assert_eq!(view.matrix.rows.last().unwrap().last().unwrap(), "2,100");
        for column in [&view.nodes_from, &view.nodes_to] {
            for pair in column.windows(2) {
                assert!(
                    pair[1].label_y - pair[0].label_y >= FLOW_LABEL,
                    "labels overlap"
                );
                assert!(pair[1].y >= pair[0].y + pair[0].h, "nodes overlap");
            }
        }
        let bad = Flow {
            links: vec![FlowLink {
                from: 2,
                to: 0,
                count: 1,
            }],
            ..flow
        };
        assert!(flow_view(&bad, &|w| w.to_owned()).is_err());
    }
}
