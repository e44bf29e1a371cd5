//! The policy-meeting report (issue 12, part 5): everything the provincial meeting looks at,
//! gathered from the use cases into `thanrak_report`'s plain model and rendered as a PDF or an
//! XLSX workbook, in Thai — key figures, the four groups, MPI and the indicators' contributions,
//! a map of the area's districts (or subdistricts) from the imported boundaries, the change
//! since the previous round, the top strategic areas, the model areas' roadmaps, referral status
//! and help given by agency, enterprises and placements, and the action items of the previous
//! meeting with what has happened to them since.
//!
//! Reports are made by admins and by area managers inside their areas
//! ([`crate::policy::report_maker`]): roles that see every count of the area, so the report
//! needs no suppression. Made by the `report` job ([`crate::jobs::JobKind::Report`]) for the
//! web, or inline by `thanrak report`.

use serde::{Deserialize, Serialize};
use thanrak_core::date::format_thai;
use thanrak_core::help::{format_baht, format_count};
use thanrak_core::measure::change::{ABSENT, STATES};
use thanrak_core::measure::Unit;
use thanrak_core::methodology::Group;
use thanrak_core::plan::WorkState;
use thanrak_core::strategy::Weights;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};
use thanrak_report::{
    AreaMap, Bar, BarChart, Block, Cell, Column, Figure, Flow, FlowLink, MapArea, MapClass, Report,
    Section, Table,
};
use thanrak_store::{Store, User};

use crate::access::AccessError;
use crate::area_figures::{
    area_figures, child_level, scored_rounds, AreaFigureQuery, FiguresCache,
};
use crate::change::{change, ChangeQuery};
use crate::scoring::{area_names, default_methodology, Breakdown};
use crate::strategy::{rank_areas, RankQuery};
use crate::{AppError, Progress};

/// The file a report is made as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// A PDF (A4, Thai).
    Pdf,
    /// An XLSX workbook, a sheet per table.
    Xlsx,
}

impl ReportFormat {
    /// Parses `pdf` or `xlsx` (a file name's extension too).
    pub fn parse(s: &str) -> Result<ReportFormat, AppError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(ReportFormat::Pdf),
            "xlsx" => Ok(ReportFormat::Xlsx),
            other => Err(AppError::Invalid(format!(
                "a report is made as pdf or xlsx, not {other:?}"
            ))),
        }
    }

    /// The extension and media type.
    pub fn file(self) -> (&'static str, &'static str) {
        match self {
            ReportFormat::Pdf => ("pdf", "application/pdf"),
            ReportFormat::Xlsx => (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        }
    }
}

/// What to report on: a job's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportParams {
    /// The province or district.
    pub area: String,
    /// The round (the latest scored when absent).
    pub round: Option<String>,
    /// Compare with this round (the one before `round` when absent).
    pub since_round: Option<String>,
    /// Follow the action items of this meeting (the latest before today when absent).
    pub since_meeting: Option<i64>,
    /// The file to make.
    pub format: ReportFormat,
    /// Who asked; its rights are those it has when the job runs.
    #[serde(default)]
    pub user: String,
}

/// A made report.
#[derive(Debug, Clone)]
pub struct MadeReport {
    /// Its file name.
    pub name: String,
    /// Its media type.
    pub media_type: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
}

fn parse_round(s: &str) -> Result<RoundLabel, AppError> {
    RoundLabel::parse(s).map_err(|e| AppError::Invalid(format!("round {s:?} {e}")))
}

fn count(n: u64) -> Cell {
    Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn pct(v: f64) -> Cell {
    Cell::Percent {
        value: v,
        decimals: 1,
    }
}

fn col(header: &str, numeric: bool) -> Column {
    Column {
        header: header.into(),
        numeric,
    }
}

fn table(sheet: &str, caption: &str, columns: Vec<Column>, rows: Vec<Vec<Cell>>) -> Block {
    Block::Table(Table {
        sheet: sheet.into(),
        caption: caption.into(),
        columns,
        rows,
        note: None,
    })
}

fn group_label(i: usize) -> String {
    Group::ALL.get(i).map_or("ไม่พบในรอบนี้".to_string(), |g| {
        g.label_th().to_string()
    })
}

/// Makes the report for `user` (inline; the job calls this too).
pub async fn make_report(
    store: &Store,
    user: &User,
    p: &ReportParams,
    progress: Progress<'_>,
) -> Result<MadeReport, AccessError> {
    let area = AreaCode::parse(p.area.trim())
        .map_err(|e| AppError::Invalid(format!("area {:?} {e}", p.area)))?;
    crate::policy::report_maker(user, &area)?;
    if area.level() == AreaLevel::Village {
        return Err(AppError::Invalid(format!(
            "{area} is a village: a report is made for a province, district or subdistrict"
        ))
        .into());
    }
    let lm = default_methodology();
    let cache = FiguresCache::new();
    let rounds = scored_rounds(store, &lm).await?;
    let round = match &p.round {
        Some(r) => parse_round(r)?,
        None => crate::area_figures::default_round(store, &lm)
            .await?
            .ok_or_else(|| AppError::NotFound("no round has been scored yet".into()))?,
    };
    let since = match &p.since_round {
        Some(r) => Some(parse_round(r)?),
        None => {
            let i = rounds.iter().position(|r| *r == round);
            i.and_then(|i| i.checked_sub(1)).map(|i| rounds[i].clone())
        }
    };
    let today = crate::help::thai_today();
    let (area_th, _) = area_names(&area);
    let below = child_level(Some(&area)).unwrap_or(AreaLevel::Village);
    let mut sections = Vec::new();
    progress("figures", 1, 8);

    // 1–3: key figures, groups, MPI.
    let q = |unit| AreaFigureQuery {
        round: Some(round.clone()),
        area: Some(area),
        by: Some(Breakdown::Area(below)),
        unit,
    };
    let hh = area_figures(store, &cache, &lm, user, &q(Unit::Household)).await?;
    let persons = area_figures(store, &cache, &lm, user, &q(Unit::Person)).await?;
    let s = &hh.overall.row.summary;
    let households: u64 = s.households.iter().sum();
    let people: u64 = s.persons.iter().sum();
    let poor = s.households[0] + s.households[1];
    let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    let ps = &persons.overall.row.summary.af;
    let status = crate::cases::referral_status(store, &cache, user, Some(&area)).await?;
    let cases_total: u64 = status.iter().map(|a| a.total).sum();
    let overdue: u64 = status.iter().map(|a| a.overdue).sum();
    let help = crate::help::help_summary(store, user, Some(area)).await?;
    sections.push(Section {
        heading: "ตัวเลขสำคัญ".into(),
        blocks: vec![
            Block::Paragraph(format!(
                "รอบสำรวจ {round} {area_th} มีครัวเรือนที่สำรวจ {} ครัวเรือน ({} คน) \
                 เป็นครัวเรือนอยู่ลำบากและอยู่ยาก {} ครัวเรือน คิดเป็นร้อยละ {:.1} \
                 ดัชนีความยากจนหลายมิติ (MPI) ของประชากร M0 = {:.3}",
                format_count(households),
                format_count(people),
                format_count(poor),
                share(poor, households) * 100.0,
                ps.m0
            )),
            Block::Figures(vec![
                Figure {
                    label: "ครัวเรือนที่สำรวจ".into(),
                    value: format_count(households),
                    note: Some(format!("{} คน", format_count(people))),
                },
                Figure {
                    label: "ครัวเรือนอยู่ลำบากและอยู่ยาก".into(),
                    value: format_count(poor),
                    note: Some(format!("ร้อยละ {:.1}", share(poor, households) * 100.0)),
                },
                Figure {
                    label: "สัดส่วนคนจนหลายมิติ (H)".into(),
                    value: format!("{:.1}%", ps.h * 100.0),
                    note: Some(format!("ความรุนแรง A = {:.1}%", ps.a * 100.0)),
                },
                Figure {
                    label: "เรื่องส่งต่อทั้งหมด".into(),
                    value: format_count(cases_total),
                    note: Some(format!("เลยกำหนด {} เรื่อง", format_count(overdue))),
                },
                Figure {
                    label: "ความช่วยเหลือที่ให้แล้ว".into(),
                    value: format!("{} บาท", format_baht(help.total.value_satang)),
                    note: Some(format!("{} ครัวเรือน", format_count(help.total.households))),
                },
            ]),
        ],
    });
    let groups: Vec<Bar> = (0..4)
        .map(|i| Bar {
            label: group_label(i),
            value: s.households[i] as f64,
            display: format!(
                "{} ครัวเรือน ({:.1}%)",
                format_count(s.households[i]),
                share(s.households[i], households) * 100.0
            ),
        })
        .collect();
    let mut by_area_rows = Vec::new();
    for r in &hh.rows {
        let h = r.row.summary.households;
        let total: u64 = h.iter().sum();
        let mut row = vec![Cell::Text(r.row.name_th.clone()), count(total)];
        row.extend(h.iter().map(|n| count(*n)));
        row.push(pct(share(h[0] + h[1], total)));
        by_area_rows.push(row);
    }
    let mut columns = vec![col("พื้นที่", false), col("ครัวเรือน", true)];
    columns.extend((0..4).map(|i| col(&group_label(i), true)));
    columns.push(col("ร้อยละยากจน", true));
    sections.push(Section {
        heading: "ครัวเรือน 4 กลุ่ม".into(),
        blocks: vec![
            Block::Bars(BarChart {
                caption: format!("ครัวเรือนตามกลุ่ม {area_th} รอบ {round}"),
                unit: "ครัวเรือน".into(),
                bars: groups,
            }),
            table(
                "กลุ่มตามพื้นที่",
                &format!("ครัวเรือน 4 กลุ่ม แยกตาม{}", below.label_th()),
                columns,
                by_area_rows,
            ),
        ],
    });
    let indicators = lm.methodology.indicators();
    let contributions: Vec<Bar> = indicators
        .iter()
        .zip(&ps.contributions)
        .map(|(i, c)| Bar {
            label: i.short_th.clone(),
            value: *c,
            display: format!("{:.1}%", c * 100.0),
        })
        .collect();
    let ind_rows: Vec<Vec<Cell>> = indicators
        .iter()
        .enumerate()
        .map(|(k, i)| {
            vec![
                Cell::Text(i.short_th.clone()),
                pct(ps.uncensored.get(k).copied().unwrap_or(0.0)),
                pct(ps.censored.get(k).copied().unwrap_or(0.0)),
                pct(ps.contributions.get(k).copied().unwrap_or(0.0)),
            ]
        })
        .collect();
    sections.push(Section {
        heading: "ดัชนีความยากจนหลายมิติ (MPI)".into(),
        blocks: vec![
            Block::Figures(vec![
                Figure {
                    label: "H สัดส่วนคนจน".into(),
                    value: format!("{:.1}%", ps.h * 100.0),
                    note: None,
                },
                Figure {
                    label: "A ความรุนแรง".into(),
                    value: format!("{:.1}%", ps.a * 100.0),
                    note: None,
                },
                Figure {
                    label: "M0 = H × A".into(),
                    value: format!("{:.3}", ps.m0),
                    note: None,
                },
            ]),
            Block::Bars(BarChart {
                caption: "สัดส่วนที่แต่ละตัวชี้วัดมีส่วนต่อ M0".into(),
                unit: "ร้อยละ".into(),
                bars: contributions,
            }),
            table(
                "ตัวชี้วัด",
                "ร้อยละของประชากรที่ขาดในแต่ละตัวชี้วัด",
                vec![
                    col("ตัวชี้วัด", false),
                    col("ขาด (ทั้งหมด)", true),
                    col("ขาดและยากจน", true),
                    col("ส่วนต่อ M0", true),
                ],
                ind_rows,
            ),
        ],
    });
    progress("map", 2, 8);

    // 4: the map of the areas one level down, by the share of poor households.
    let boundaries = store
        .boundaries()
        .list(below, Some(&area))
        .await
        .map_err(AppError::from)?;
    let shares: Vec<(AreaCode, f64)> = hh
        .rows
        .iter()
        .filter_map(|r| {
            let a = r.area?;
            let h = r.row.summary.households;
            Some((a, share(h[0] + h[1], h.iter().sum())))
        })
        .collect();
    let (lo, hi) = shares.iter().fold((f64::MAX, f64::MIN), |(l, h), (_, v)| {
        (l.min(*v), h.max(*v))
    });
    let step = ((hi - lo) / 5.0).max(1e-9);
    let classes: Vec<MapClass> = (0..5)
        .map(|k| MapClass {
            label: format!(
                "{:.1}–{:.1}%",
                (lo + step * k as f64) * 100.0,
                (lo + step * (k + 1) as f64) * 100.0
            ),
        })
        .collect();
    let areas: Vec<MapArea> = boundaries
        .iter()
        .map(|b| MapArea {
            name: area_names(&b.code).0,
            class: shares
                .iter()
                .find(|(a, _)| *a == b.code)
                .map(|(_, v)| (((v - lo) / step) as usize).min(4)),
            rings: rings(&b.geojson),
        })
        .filter(|a| !a.rings.is_empty())
        .collect();
    let mut map_blocks = Vec::new();
    if areas.is_empty() {
        map_blocks.push(Block::Paragraph(format!(
            "ยังไม่ได้นำเข้าขอบเขตพื้นที่ระดับ{}: นำเข้าด้วยคำสั่ง thanrak boundaries import",
            below.label_th()
        )));
    } else {
        let illustrative = boundaries.iter().any(|b| b.illustrative);
        map_blocks.push(Block::Map(AreaMap {
            caption: format!(
                "สัดส่วนครัวเรือนอยู่ลำบากและอยู่ยาก แยกตาม{}{}",
                below.label_th(),
                if illustrative {
                    " (ขอบเขตสมมติเพื่อการสาธิต)"
                } else {
                    ""
                }
            ),
            legend_title: "ร้อยละครัวเรือนยากจน".into(),
            classes,
            areas,
        }));
    }
    sections.push(Section {
        heading: "แผนที่".into(),
        blocks: map_blocks,
    });
    progress("change", 3, 8);

    // 5: the change since the previous round.
    let mut change_blocks = Vec::new();
    match &since {
        Some(from) if *from != round => {
            let c = change(
                store,
                &cache,
                &lm,
                user,
                &ChangeQuery {
                    from: from.clone(),
                    to: round.clone(),
                    area: Some(area),
                    by: Some(below),
                    unit: Unit::Household,
                },
            )
            .await?;
            let t = &c.overall.transitions.counts;
            change_blocks.push(Block::Figures(vec![
                Figure {
                    label: "พ้นความยากจน".into(),
                    value: format_count(t.left_poverty),
                    note: Some("ครัวเรือน".into()),
                },
                Figure {
                    label: "ตกสู่ความยากจน".into(),
                    value: format_count(t.fell_into_poverty),
                    note: Some("ครัวเรือน".into()),
                },
                Figure {
                    label: "ยากจนทั้งสองรอบ".into(),
                    value: format_count(t.stayed_poor),
                    note: Some("ครัวเรือน".into()),
                },
            ]));
            let nodes: Vec<String> = (0..STATES).map(group_label).collect();
            let mut links = Vec::new();
            for i in 0..STATES {
                for j in 0..STATES {
                    let n = t.counts[i][j];
                    if n > 0 && !(i == ABSENT && j == ABSENT) {
                        links.push(FlowLink {
                            from: i,
                            to: j,
                            count: n,
                        });
                    }
                }
            }
            change_blocks.push(Block::Flow(Flow {
                caption: format!("การย้ายกลุ่มของครัวเรือน จากรอบ {from} ถึงรอบ {round}"),
                from_title: format!("รอบ {from}"),
                to_title: format!("รอบ {round}"),
                nodes_from: nodes.clone(),
                nodes_to: nodes,
                links,
            }));
            let b = c.overall.before.as_ref().map(|r| r.row.summary.af.clone());
            let a = c.overall.after.as_ref().map(|r| r.row.summary.af.clone());
            let mut rows = Vec::new();
            if let (Some(b), Some(a)) = (&b, &a) {
                for (name, x, y) in [("H", b.h, a.h), ("A", b.a, a.a), ("M0", b.m0, a.m0)] {
                    rows.push(vec![
                        Cell::Text(name.into()),
                        pct(x),
                        pct(y),
                        Cell::Num {
                            value: (y - x) * 100.0,
                            decimals: 1,
                        },
                    ]);
                }
                for (k, i) in indicators.iter().enumerate() {
                    let (x, y) = (
                        b.uncensored.get(k).copied().unwrap_or(0.0),
                        a.uncensored.get(k).copied().unwrap_or(0.0),
                    );
                    rows.push(vec![
                        Cell::Text(i.short_th.clone()),
                        pct(x),
                        pct(y),
                        Cell::Num {
                            value: (y - x) * 100.0,
                            decimals: 1,
                        },
                    ]);
                }
            }
            change_blocks.push(table(
                "ตัวชี้วัดสองรอบ",
                "ดัชนีและตัวชี้วัด (ร้อยละของครัวเรือน) สองรอบ",
                vec![
                    col("ตัวชี้วัด", false),
                    col(&format!("รอบ {from}"), true),
                    col(&format!("รอบ {round}"), true),
                    col("เปลี่ยนแปลง (จุด)", true),
                ],
                rows,
            ));
            let area_rows: Vec<Vec<Cell>> = c
                .rows
                .iter()
                .map(|r| {
                    let t = &r.transitions.counts;
                    vec![
                        Cell::Text(r.name_th.clone()),
                        count(t.before_total()),
                        count(t.after_total()),
                        count(t.left_poverty),
                        count(t.fell_into_poverty),
                    ]
                })
                .collect();
            change_blocks.push(table(
                "เปลี่ยนแปลงตามพื้นที่",
                &format!("ครัวเรือนที่พ้นและตกสู่ความยากจน แยกตาม{}", below.label_th()),
                vec![
                    col("พื้นที่", false),
                    col(&format!("ครัวเรือน {from}"), true),
                    col(&format!("ครัวเรือน {round}"), true),
                    col("พ้นความยากจน", true),
                    col("ตกสู่ความยากจน", true),
                ],
                area_rows,
            ));
            let h = &c.helped.counts;
            let n = &c.not_helped.counts;
            let left_share = |t: &thanrak_core::measure::change::Transitions| {
                share(t.left_poverty, t.left_poverty + t.stayed_poor)
            };
            change_blocks.push(table(
                "ได้รับความช่วยเหลือ",
                "ครัวเรือนที่ได้รับความช่วยเหลือ (สมุดบันทึก) เทียบกับที่ยังไม่ได้รับ",
                vec![
                    col("", false),
                    col("ครัวเรือน", true),
                    col("พ้นความยากจน", true),
                    col("ตกสู่ความยากจน", true),
                    col("ร้อยละที่พ้นของผู้ยากจน", true),
                ],
                vec![
                    vec![
                        Cell::Text("ได้รับความช่วยเหลือ".into()),
                        count(h.in_both()),
                        count(h.left_poverty),
                        count(h.fell_into_poverty),
                        pct(left_share(h)),
                    ],
                    vec![
                        Cell::Text("ยังไม่ได้รับ".into()),
                        count(n.in_both()),
                        count(n.left_poverty),
                        count(n.fell_into_poverty),
                        pct(left_share(n)),
                    ],
                ],
            ));
        }
        _ => change_blocks.push(Block::Paragraph("ยังไม่มีรอบสำรวจก่อนหน้าให้เปรียบเทียบ".into())),
    }
    sections.push(Section {
        heading: "การเปลี่ยนแปลงจากรอบก่อน".into(),
        blocks: change_blocks,
    });
    progress("strategy", 4, 8);

    // 6: strategic areas and model areas.
    let rank_level = match area.level() {
        AreaLevel::Province | AreaLevel::District => AreaLevel::Subdistrict,
        _ => AreaLevel::Village,
    };
    let ranking = rank_areas(
        store,
        &cache,
        &lm,
        user,
        &RankQuery {
            round: Some(round.clone()),
            level: rank_level,
            area: Some(area),
            weights: Weights::default(),
            reference: today,
            top: Some(10),
        },
    )
    .await?;
    let rank_rows: Vec<Vec<Cell>> = ranking
        .rows
        .iter()
        .map(|r| {
            let x = &r.ranked;
            vec![
                count(x.rank as u64),
                Cell::Text(r.name_th.clone()),
                count(x.candidate.poor),
                pct(x.poor_share),
                Cell::Num {
                    value: x.concentration,
                    decimals: 3,
                },
                Cell::Text(if r.partners.is_empty() {
                    "–".into()
                } else {
                    r.partners.join(", ")
                }),
                Cell::Num {
                    value: x.data_quality,
                    decimals: 3,
                },
                Cell::Num {
                    value: x.score,
                    decimals: 3,
                },
            ]
        })
        .collect();
    let models: Vec<_> = crate::plan::model_areas(store, user)
        .await?
        .into_iter()
        .filter(|m| m.record.model.area.is_within(&area))
        .collect();
    let mut strategy_blocks = vec![table(
        "พื้นที่ยุทธศาสตร์",
        &format!(
            "{}ที่มีคะแนนสูงสุด 10 อันดับ (น้ำหนัก 0.5 / 0.25 / 0.25)",
            rank_level.label_th()
        ),
        vec![
            col("อันดับ", true),
            col("พื้นที่", false),
            col("ครัวเรือนยากจน", true),
            col("สัดส่วนยากจน", true),
            col("ความหนาแน่น", true),
            col("ผู้จัดการพื้นที่", false),
            col("คุณภาพข้อมูล", true),
            col("คะแนน", true),
        ],
        rank_rows,
    )];
    for m in &models {
        let rows: Vec<Vec<Cell>> = m
            .activities
            .iter()
            .map(|a| {
                let x = &a.activity;
                vec![
                    Cell::Text(x.heading.label_th().into()),
                    Cell::Text(x.title.clone()),
                    Cell::Text(x.lead_agency.to_string()),
                    Cell::Num {
                        value: x.budget_satang as f64 / 100.0,
                        decimals: 0,
                    },
                    Cell::Text(
                        [x.starts_on, x.ends_on]
                            .iter()
                            .flatten()
                            .map(|d| format_thai(*d))
                            .collect::<Vec<_>>()
                            .join(" – "),
                    ),
                    Cell::Text(x.state.label_th().into()),
                ]
            })
            .collect();
        strategy_blocks.push(Block::Paragraph(format!(
            "พื้นที่ต้นแบบ {} ({}) มหาวิทยาลัยพี่เลี้ยง {} ความก้าวหน้าร้อยละ {:.0} งบประมาณ {} บาท",
            m.name_th,
            m.record.model.area,
            m.partner_name
                .as_ref()
                .map_or("–".to_string(), |(th, _)| th.clone()),
            m.progress * 100.0,
            format_baht(m.budget_satang)
        )));
        strategy_blocks.push(table(
            &format!("แผน {}", m.record.model.area),
            &format!("แผนที่นำทางการพัฒนา {}", m.name_th),
            vec![
                col("หัวข้อ", false),
                col("กิจกรรม", false),
                col("หน่วยงานหลัก", false),
                col("งบประมาณ (บาท)", true),
                col("ช่วงเวลา", false),
                col("สถานะ", false),
            ],
            rows,
        ));
    }
    if models.is_empty() {
        strategy_blocks.push(Block::Paragraph("ยังไม่มีพื้นที่ต้นแบบในพื้นที่นี้".into()));
    }
    sections.push(Section {
        heading: "พื้นที่ยุทธศาสตร์และพื้นที่ต้นแบบ".into(),
        blocks: strategy_blocks,
    });
    progress("referrals", 5, 8);

    // 7: referral status and help by agency.
    let states = thanrak_core::case::CaseState::ALL;
    let mut columns = vec![col("หน่วยงาน", false)];
    columns.extend(states.iter().map(|s| col(s.label_th(), true)));
    columns.push(col("เลยกำหนด", true));
    let status_rows: Vec<Vec<Cell>> = status
        .iter()
        .map(|a| {
            let mut row = vec![Cell::Text(a.agency.name_th.clone())];
            row.extend(a.by_state.iter().map(|n| count(*n)));
            row.push(count(a.overdue));
            row
        })
        .collect();
    let help_rows: Vec<Vec<Cell>> = help
        .by_agency
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.label_th.clone()),
                count(l.totals.episodes),
                Cell::Num {
                    value: l.totals.value_satang as f64 / 100.0,
                    decimals: 2,
                },
                count(l.totals.households),
            ]
        })
        .collect();
    sections.push(Section {
        heading: "การส่งต่อและความช่วยเหลือตามหน่วยงาน".into(),
        blocks: vec![
            table(
                "การส่งต่อ",
                "เรื่องส่งต่อแยกตามหน่วยงานและสถานะ",
                columns,
                status_rows,
            ),
            table(
                "ความช่วยเหลือ",
                "ความช่วยเหลือที่บันทึกแล้วแยกตามหน่วยงาน",
                vec![
                    col("หน่วยงาน", false),
                    col("ครั้ง", true),
                    col("มูลค่า (บาท)", true),
                    col("ครัวเรือน", true),
                ],
                help_rows,
            ),
        ],
    });
    progress("economy", 6, 8);

    // 8: enterprises and placements.
    let scope = thanrak_core::identity::Scope::All;
    let mut kind_rows = Vec::new();
    for k in thanrak_core::economy::EnterpriseKind::ALL {
        let page = store
            .economy()
            .page(
                &scope,
                Some(&area),
                &thanrak_store::EnterpriseFilter {
                    kind: Some(k),
                    name: None,
                },
                1,
                1,
            )
            .await
            .map_err(AppError::from)?;
        kind_rows.push(vec![Cell::Text(k.label_th().into()), count(page.total)]);
    }
    let mut economy_blocks = vec![table(
        "วิสาหกิจ",
        "กิจการในทะเบียนเศรษฐกิจฐานรากแยกตามประเภท",
        vec![col("ประเภท", false), col("จำนวน", true)],
        kind_rows,
    )];
    let runs = store.economy().runs(50).await.map_err(AppError::from)?;
    if let Some(run) = runs.iter().find(|r| {
        r.area
            .is_some_and(|a| a.is_within(&area) || area.is_within(&a))
    }) {
        economy_blocks.push(Block::Figures(vec![Figure {
            label: "แรงงานยากจนที่จับคู่ได้".into(),
            value: format_count(u64::from(run.placed)),
            note: Some(format!(
                "จาก {} คน (การจับคู่ #{} รอบ {})",
                format_count(u64::from(run.workers)),
                run.id,
                run.round
            )),
        }]));
    } else {
        economy_blocks.push(Block::Paragraph("ยังไม่มีการจับคู่แรงงานในพื้นที่นี้".into()));
    }
    sections.push(Section {
        heading: "เศรษฐกิจฐานรากและการจ้างงาน".into(),
        blocks: economy_blocks,
    });
    progress("meetings", 7, 8);

    // 9: the previous meeting's action items and what has happened since.
    let province = area.ancestor(AreaLevel::Province).unwrap_or(area);
    let meetings: Vec<_> = crate::plan::meetings(store, user)
        .await?
        .into_iter()
        .filter(|m| m.meeting.province == province)
        .collect();
    let previous = match p.since_meeting {
        Some(id) => Some(meetings.iter().find(|m| m.id == id).ok_or_else(|| {
            AppError::NotFound(format!("there is no meeting {id} of {province}"))
        })?),
        None => meetings.iter().find(|m| m.meeting.held_on < today),
    };
    let mut meeting_blocks = Vec::new();
    match previous {
        Some(m) => {
            let done = m
                .items
                .iter()
                .filter(|i| i.state == WorkState::Done)
                .count();
            meeting_blocks.push(Block::Paragraph(format!(
                "การประชุม {} วันที่ {} มีข้อสั่งการ {} ข้อ เสร็จแล้ว {} ข้อ{}",
                m.meeting.title,
                format_thai(m.meeting.held_on),
                m.items.len(),
                done,
                if m.meeting.decisions.is_empty() {
                    String::new()
                } else {
                    format!(" มติ: {}", m.meeting.decisions)
                }
            )));
            let rows: Vec<Vec<Cell>> = m
                .items
                .iter()
                .map(|i| {
                    let since: Vec<String> = i
                        .events
                        .iter()
                        .skip(1)
                        .map(|e| {
                            let note = if e.note.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", e.note)
                            };
                            format!(
                                "{} {}{note}",
                                format_thai(e.at.date_naive()),
                                e.state.label_th()
                            )
                        })
                        .collect();
                    vec![
                        Cell::Text(i.item.what.clone()),
                        Cell::Text(i.item.agency.to_string()),
                        Cell::Text(area_names(&i.item.area).0),
                        Cell::Text(i.item.due_on.map(format_thai).unwrap_or_else(|| "–".into())),
                        Cell::Text(format!(
                            "{}{}",
                            i.state.label_th(),
                            if crate::plan::item_overdue(i, today) {
                                " (เลยกำหนด)"
                            } else {
                                ""
                            }
                        )),
                        Cell::Text(if since.is_empty() {
                            "ยังไม่มีความเคลื่อนไหว".into()
                        } else {
                            since.join("; ")
                        }),
                    ]
                })
                .collect();
            meeting_blocks.push(table(
                "ข้อสั่งการ",
                "ข้อสั่งการจากการประชุมครั้งก่อนและความคืบหน้า",
                vec![
                    col("ข้อสั่งการ", false),
                    col("หน่วยงาน", false),
                    col("พื้นที่", false),
                    col("กำหนดเสร็จ", false),
                    col("สถานะ", false),
                    col("ความคืบหน้าตั้งแต่การประชุม", false),
                ],
                rows,
            ));
        }
        None => meeting_blocks.push(Block::Paragraph("ยังไม่มีการประชุมครั้งก่อนที่บันทึกไว้".into())),
    }
    sections.push(Section {
        heading: "ข้อสั่งการจากการประชุมครั้งก่อน".into(),
        blocks: meeting_blocks,
    });
    progress("render", 8, 8);

    let report = Report {
        title: format!("รายงานประกอบการประชุมเชิงนโยบาย {area_th}"),
        subtitle: "การขับเคลื่อนการแก้ไขปัญหาความยากจนและพัฒนาเศรษฐกิจฐานรากแบบเจาะจงพื้นที่".into(),
        meta: vec![
            (
                "รอบสำรวจ".into(),
                match &since {
                    Some(s) if *s != round => format!("{round} (เทียบกับ {s})"),
                    _ => round.to_string(),
                },
            ),
            ("พื้นที่".into(), format!("{area_th} ({area})")),
            (
                "วิธีคำนวณ".into(),
                lm.methodology
                    .title()
                    .unwrap_or(lm.methodology.id())
                    .to_string(),
            ),
            ("จัดทำเมื่อ".into(), format_thai(today)),
        ],
        sections,
        footer: format!(
            "ที่มา: ระบบฐานราก (thanrak) รอบสำรวจ {round} · จัดทำเมื่อ {} โดย {}",
            format_thai(today),
            user.name
        ),
    };
    let (ext, media_type) = p.format.file();
    let bytes = render(&report, p.format)?;
    Ok(MadeReport {
        name: format!("report-{area}-{round}.{ext}"),
        media_type,
        bytes,
    })
}

fn render(report: &Report, format: ReportFormat) -> Result<Vec<u8>, AppError> {
    let made = match format {
        ReportFormat::Pdf => thanrak_report::render_pdf(report),
        ReportFormat::Xlsx => thanrak_report::render_xlsx(report),
    };
    made.map_err(|e| match e {
        thanrak_report::ReportError::NoPdf => AppError::Invalid(e.to_string()),
        other => AppError::Invalid(format!("the report could not be made: {other}")),
    })
}

/// The outer rings of a GeoJSON Polygon or MultiPolygon (lon, lat); none for anything else.
fn rings(geojson: &str) -> Vec<Vec<[f64; 2]>> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(geojson) else {
        return Vec::new();
    };
    let ring = |r: &serde_json::Value| -> Option<Vec<[f64; 2]>> {
        r.as_array()?
            .iter()
            .map(|p| {
                let p = p.as_array()?;
                Some([p.first()?.as_f64()?, p.get(1)?.as_f64()?])
            })
            .collect()
    };
    let polygon = |p: &serde_json::Value| p.as_array().and_then(|rs| rs.first()).and_then(ring);
    match (v["type"].as_str(), v["coordinates"].as_array()) {
        (Some("Polygon"), Some(_)) => polygon(&v["coordinates"]).into_iter().collect(),
        (Some("MultiPolygon"), Some(ps)) => ps.iter().filter_map(polygon).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_of_polygons_and_multipolygons() {
        let p = r#"{"type":"Polygon","coordinates":[[[99,18],[100,18],[100,19],[99,18]],[[99.5,18.2],[99.6,18.2],[99.5,18.3],[99.5,18.2]]]}"#;
        assert_eq!(rings(p).len(), 1, "outer rings only");
        assert_eq!(rings(p)[0][1], [100.0, 18.0]);
        let m = r#"{"type":"MultiPolygon","coordinates":[[[[99,18],[100,18],[99,19],[99,18]]],[[[101,18],[102,18],[101,19],[101,18]]]]}"#;
        assert_eq!(rings(m).len(), 2);
        assert!(rings("not json").is_empty());
        assert!(rings(r#"{"type":"Point","coordinates":[1,2]}"#).is_empty());
        assert_eq!(ReportFormat::parse("PDF").unwrap(), ReportFormat::Pdf);
        assert!(ReportFormat::parse("doc").is_err());
    }
}
