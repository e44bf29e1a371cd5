//! A sample report with every kind of block, Thai text, a 300-row table, withheld cells, a map
//! and strings that mean something to typst, to Excel or to XML.

#![allow(dead_code)]

use thanrak_report::model::*;

/// A string with every character that typst markup, typst code, XML or a spreadsheet gives a
/// meaning to.
pub const SPECIAL: &str =
    r#"บ้าน #ใหม่ *หนา* _เอียง_ $x^2$ [ก] \ <ป้าย> @อ้างอิง "คำพูด" 'ยก' // = - + ~ & =SUM(A1)"#;

/// A Thai word that must come back out of the PDF's text.
pub const THAI_WORD: &str = "ครัวเรือน";

pub const DISTRICTS: [&str; 15] = [
    "เมืองน่าน",
    "แม่จริม",
    "บ้านหลวง",
    "นาน้อย",
    "ปัว",
    "ท่าวังผา",
    "เวียงสา",
    "ทุ่งช้าง",
    "เชียงกลาง",
    "นาหมื่น",
    "สันติสุข",
    "บ่อเกลือ",
    "สองแคว",
    "ภูเพียง",
    "เฉลิมพระเกียรติ",
];

const GROUPS: [&str; 4] = ["อยู่ลำบาก", "อยู่ยาก", "อยู่พอได้", "อยู่ดี"];

/// A small deterministic generator (an LCG), so that the sample is the same on every run.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The sample report.
pub fn sample() -> Report {
    let mut rng = Lcg::new(2568);
    Report {
        title: "รายงานสถานการณ์ความยากจนและการช่วยเหลือ จังหวัดน่าน".into(),
        subtitle: "การประชุมคณะกรรมการขับเคลื่อนการแก้ไขปัญหาความยากจนระดับจังหวัด ครั้งที่ 3/2568".into(),
        meta: vec![
            ("รอบสำรวจ".into(), "2568 (เทียบกับ 2567)".into()),
            ("ข้อมูล ณ วันที่".into(), "15 มีนาคม 2568".into()),
            ("ครัวเรือนที่สำรวจ".into(), "48,213 ครัวเรือน ใน 15 อำเภอ".into()),
            ("อักขระพิเศษ".into(), SPECIAL.into()),
        ],
        sections: vec![
            overview(),
            districts(&mut rng),
            changes(),
            villages(&mut rng),
            dimensions(&mut rng),
        ],
        footer: "ที่มา: ระบบข้อมูลธันรักษ์ (thanrak) รอบสำรวจ 2568 · จัดทำเมื่อ 20 มีนาคม 2568".into(),
    }
}

fn overview() -> Section {
    Section {
        heading: "ภาพรวมของจังหวัด".into(),
        blocks: vec![
            Block::Paragraph(
                "ในรอบสำรวจปี 2568 จังหวัดน่านสำรวจครัวเรือนได้ 48,213 ครัวเรือน พบครัวเรือนยากจนเป้าหมาย \
                 6,905 ครัวเรือน ลดลงจากรอบก่อนร้อยละ 3.2 ครัวเรือนที่อยู่ในกลุ่มอยู่ลำบากส่วนใหญ่อยู่ในอำเภอบ่อเกลือ \
                 สองแคว และเฉลิมพระเกียรติ ซึ่งเป็นพื้นที่สูงที่เข้าถึงบริการสาธารณะได้ยาก ผู้ใหญ่บ้าน กำนัน \
                 และอาสาสมัครได้ช่วยกันเก็บข้อมูลครบทุกหมู่บ้าน"
                    .into(),
            ),
            Block::Figures(vec![
                Figure {
                    label: "ครัวเรือนที่สำรวจ".into(),
                    value: "48,213".into(),
                    note: Some("ครบทุกหมู่บ้าน (100%)".into()),
                },
                Figure {
                    label: "ครัวเรือนยากจนเป้าหมาย".into(),
                    value: "6,905".into(),
                    note: Some("14.3% ลดลง 3.2% จากรอบก่อน".into()),
                },
                Figure {
                    label: "ได้รับความช่วยเหลือแล้ว".into(),
                    value: "2,310".into(),
                    note: None,
                },
                Figure {
                    label: "ส่งต่อหน่วยงาน".into(),
                    value: "1,152".into(),
                    note: Some("เกินกำหนด 87 กรณี".into()),
                },
                Figure {
                    label: SPECIAL.into(),
                    value: "<5".into(),
                    note: Some(SPECIAL.into()),
                },
            ]),
            Block::Paragraph(format!(
                "ข้อความที่ไม่ใช่คำสั่ง: {SPECIAL} = ไม่ใช่หัวข้อ #let x = 1 #{{panic()}}"
            )),
        ],
    }
}

fn districts(rng: &mut Lcg) -> Section {
    let counts: Vec<u64> = DISTRICTS.iter().map(|_| 120 + rng.below(1400)).collect();
    let mut bars: Vec<Bar> = DISTRICTS
        .iter()
        .zip(&counts)
        .map(|(d, &c)| Bar {
            label: (*d).into(),
            value: c as f64,
            display: format!("{} ครัวเรือน", thousands(c)),
        })
        .collect();
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    bars.push(Bar {
        label: SPECIAL.into(),
        value: 0.0,
        display: "0".into(),
    });
    let table_rows: Vec<Vec<Cell>> = DISTRICTS
        .iter()
        .zip(&counts)
        .enumerate()
        .map(|(i, (d, &c))| {
            let households = c * 7 + rng.below(900);
            vec![
                Cell::Text((*d).into()),
                Cell::Int(households as i64),
                Cell::Int(c as i64),
                Cell::Percent {
                    value: c as f64 / households as f64,
                    decimals: 1,
                },
                if i % 5 == 3 {
                    Cell::Withheld
                } else {
                    Cell::Int((c / 9) as i64)
                },
                Cell::Num {
                    value: 3500.0 + rng.below(600_000) as f64 / 100.0,
                    decimals: 2,
                },
            ]
        })
        .collect();
    Section {
        heading: "สถานการณ์รายอำเภอ".into(),
        blocks: vec![
            Block::Bars(BarChart {
                caption: "ครัวเรือนยากจนเป้าหมาย รายอำเภอ".into(),
                unit: "ครัวเรือน".into(),
                bars,
            }),
            Block::Map(sample_map(&counts)),
            Block::Table(Table {
                sheet: "รายอำเภอ".into(),
                caption: "ตารางที่ 1 ครัวเรือนยากจนเป้าหมายและรายได้ รายอำเภอ".into(),
                columns: vec![
                    Column {
                        header: "อำเภอ".into(),
                        numeric: false,
                    },
                    Column {
                        header: "ครัวเรือนที่สำรวจ".into(),
                        numeric: true,
                    },
                    Column {
                        header: "ยากจนเป้าหมาย".into(),
                        numeric: true,
                    },
                    Column {
                        header: "สัดส่วน".into(),
                        numeric: true,
                    },
                    Column {
                        header: "อยู่ลำบาก".into(),
                        numeric: true,
                    },
                    Column {
                        header: "รายได้เฉลี่ย (บาท/คน/เดือน)".into(),
                        numeric: true,
                    },
                ],
                rows: table_rows,
                note: Some("รายได้เฉลี่ยคำนวณจากสมาชิกที่มีรายได้เท่านั้น".into()),
            }),
        ],
    }
}

/// The sample's map: a grid of districts with wavy shared borders, one without data and one
/// with a second polygon.
fn sample_map(counts: &[u64]) -> AreaMap {
    let mut areas = grid_areas(4, 4, 12, 100.45, 19.65, 0.16, 0.2);
    areas.remove(3);
    for (i, area) in areas.iter_mut().enumerate() {
        area.name = DISTRICTS[i].into();
        area.class = if i == 7 {
            None
        } else {
            Some((counts[i] as usize * 5 / 1520).min(4))
        };
    }
    // An island: a second polygon of the first district, south of the others.
    areas[0].rings.push(vec![
        [100.55, 18.80],
        [100.62, 18.81],
        [100.60, 18.76],
        [100.54, 18.77],
    ]);
    areas[14].name = SPECIAL.into();
    AreaMap {
        caption: "แผนที่ 1 สัดส่วนครัวเรือนยากจนเป้าหมาย รายอำเภอ".into(),
        legend_title: "ครัวเรือนยากจนเป้าหมาย".into(),
        classes: [
            "น้อยกว่า 300",
            "300–599",
            "600–899",
            "900–1,199",
            "1,200 ขึ้นไป",
        ]
        .iter()
        .map(|l| MapClass { label: (*l).into() })
        .collect(),
        areas,
    }
}

/// `cols` × `rows` areas tiling a rectangle from (`west`, `north`), each cell `dx` by `dy`
/// degrees, with `per_edge` points on each wavy border (shared by the two areas it separates).
pub fn grid_areas(
    cols: usize,
    rows: usize,
    per_edge: usize,
    west: f64,
    north: f64,
    dx: f64,
    dy: f64,
) -> Vec<MapArea> {
    let corner = |i: usize, j: usize| [west + i as f64 * dx, north - j as f64 * dy];
    // The points of the border from vertex a to vertex b, b excluded; the same points (reversed)
    // from b to a.
    let edge = |a: (usize, usize), b: (usize, usize)| -> Vec<[f64; 2]> {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let (p, q) = (corner(lo.0, lo.1), corner(hi.0, hi.1));
        let (ux, uy) = (q[0] - p[0], q[1] - p[1]);
        let len = ux.hypot(uy);
        let (nx, ny) = (-uy / len, ux / len);
        let phase = (lo.0 * 7 + lo.1 * 13 + hi.0 * 3 + hi.1) as f64;
        let on_rim = |v: (usize, usize)| v.0 == 0 || v.1 == 0 || v.0 == cols || v.1 == rows;
        let amp = len * if on_rim(lo) && on_rim(hi) { 0.03 } else { 0.07 };
        let mut points: Vec<[f64; 2]> = (0..=per_edge)
            .map(|k| {
                let t = k as f64 / per_edge as f64;
                let w = amp
                    * (std::f64::consts::PI * t).sin()
                    * (3.0 * std::f64::consts::PI * t + phase).sin();
                [p[0] + ux * t + nx * w, p[1] + uy * t + ny * w]
            })
            .collect();
        if a != lo {
            points.reverse();
        }
        points.pop();
        points
    };
    let mut areas = Vec::new();
    for j in 0..rows {
        for i in 0..cols {
            let mut ring = Vec::new();
            ring.extend(edge((i, j), (i + 1, j)));
            ring.extend(edge((i + 1, j), (i + 1, j + 1)));
            ring.extend(edge((i + 1, j + 1), (i, j + 1)));
            ring.extend(edge((i, j + 1), (i, j)));
            areas.push(MapArea {
                name: format!("ตำบลที่ {}", areas.len() + 1),
                class: None,
                rings: vec![ring],
            });
        }
    }
    areas
}

fn changes() -> Section {
    let counts = [
        [2100, 640, 120, 15],
        [380, 2900, 700, 60],
        [40, 520, 9800, 900],
        [3, 45, 760, 28000],
    ];
    let links = counts
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.iter().enumerate().map(move |(j, &count)| FlowLink {
                from: i,
                to: j,
                count,
            })
        })
        .collect();
    Section {
        heading: "การเปลี่ยนกลุ่มของครัวเรือนระหว่างรอบสำรวจ".into(),
        blocks: vec![
            Block::Paragraph(
                "ครัวเรือนที่สำรวจทั้งสองรอบ 47,851 ครัวเรือน ส่วนใหญ่อยู่ในกลุ่มเดิม ครัวเรือนอยู่ลำบาก 1,067 \
                 ครัวเรือนขยับขึ้นเป็นกลุ่มที่ดีขึ้น ขณะที่ 423 ครัวเรือนย้อนกลับลงมาเป็นกลุ่มอยู่ลำบาก"
                    .into(),
            ),
            Block::Flow(Flow {
                caption: "แผนภาพที่ 1 การเปลี่ยนกลุ่มของครัวเรือน 2567–2568".into(),
                from_title: "รอบ 2567".into(),
                to_title: "รอบ 2568".into(),
                nodes_from: GROUPS.iter().map(|g| (*g).into()).collect(),
                nodes_to: GROUPS.iter().map(|g| (*g).into()).collect(),
                links,
            }),
        ],
    }
}

const SYLLABLES: [&str; 16] = [
    "ดอน",
    "นา",
    "ห้วย",
    "ป่า",
    "แม่",
    "ทุ่ง",
    "สบ",
    "น้ำ",
    "หนอง",
    "โป่ง",
    "ผา",
    "เหล่า",
    "ใหม่",
    "กลาง",
    "เหนือ",
    "ใต้",
];

fn villages(rng: &mut Lcg) -> Section {
    let rows = (0..300)
        .map(|i| {
            let name = if i == 41 {
                SPECIAL.to_owned()
            } else {
                format!(
                    "บ้าน{}{} หมู่ {}",
                    SYLLABLES[rng.below(16) as usize],
                    SYLLABLES[rng.below(16) as usize],
                    1 + rng.below(14)
                )
            };
            let households = 40 + rng.below(360) as i64;
            let target = rng.below(households as u64 / 3) as i64;
            vec![
                Cell::Int(i + 1),
                Cell::Text(name),
                Cell::Text(format!("ต.{}", SYLLABLES[rng.below(16) as usize])),
                Cell::Text(DISTRICTS[rng.below(15) as usize].into()),
                Cell::Int(households),
                if target < 5 {
                    Cell::Withheld
                } else {
                    Cell::Int(target)
                },
                if target < 5 {
                    Cell::Empty
                } else {
                    Cell::Percent {
                        value: target as f64 / households as f64,
                        decimals: 1,
                    }
                },
                Cell::Num {
                    value: 1800.0 + rng.below(900_000) as f64 / 100.0,
                    decimals: 0,
                },
            ]
        })
        .collect();
    Section {
        heading: "หมู่บ้านเป้าหมาย".into(),
        blocks: vec![Block::Table(Table {
            sheet: "หมู่บ้านเป้าหมาย/ลำดับ[ทั้งหมด]".into(),
            caption: "ตารางที่ 2 ครัวเรือนยากจนเป้าหมาย รายหมู่บ้าน (300 หมู่บ้าน)".into(),
            columns: vec![
                Column {
                    header: "ลำดับ".into(),
                    numeric: true,
                },
                Column {
                    header: "หมู่บ้าน".into(),
                    numeric: false,
                },
                Column {
                    header: "ตำบล".into(),
                    numeric: false,
                },
                Column {
                    header: "อำเภอ".into(),
                    numeric: false,
                },
                Column {
                    header: "ครัวเรือน".into(),
                    numeric: true,
                },
                Column {
                    header: "ยากจนเป้าหมาย".into(),
                    numeric: true,
                },
                Column {
                    header: "สัดส่วน".into(),
                    numeric: true,
                },
                Column {
                    header: "รายได้ (บาท/เดือน)".into(),
                    numeric: true,
                },
            ],
            rows,
            note: None,
        })],
    }
}

fn dimensions(rng: &mut Lcg) -> Section {
    let headers = [
        "อำเภอ",
        "สุขภาพ",
        "การศึกษา",
        "รายได้",
        "ที่อยู่อาศัย",
        "น้ำดื่ม",
        "ไฟฟ้า",
        "ที่ดินทำกิน",
        "หนี้สิน",
        "การจ้างงาน",
        "สวัสดิการ",
        "ดัชนี MPI",
    ];
    let rows = DISTRICTS
        .iter()
        .map(|d| {
            let mut row = vec![Cell::Text((*d).into())];
            row.extend((0..10).map(|_| Cell::Percent {
                value: rng.below(600) as f64 / 1000.0,
                decimals: 1,
            }));
            row.push(Cell::Num {
                value: rng.below(300) as f64 / 1000.0,
                decimals: 3,
            });
            row
        })
        .collect();
    Section {
        heading: "ความขัดสนรายมิติ".into(),
        blocks: vec![
            Block::Paragraph("สัดส่วนของครัวเรือนที่ขัดสนในแต่ละตัวชี้วัด (ตารางกว้าง พิมพ์แนวนอน)".into()),
            Block::Table(Table {
                sheet: "รายอำเภอ".into(),
                caption: "ตารางที่ 3 สัดส่วนครัวเรือนที่ขัดสน รายมิติ รายอำเภอ".into(),
                columns: headers
                    .iter()
                    .enumerate()
                    .map(|(i, h)| Column {
                        header: (*h).into(),
                        numeric: i > 0,
                    })
                    .collect(),
                rows,
                note: Some(SPECIAL.into()),
            }),
        ],
    }
}

/// A province-size map: `n` × `n` areas of 4 × `per_edge` points each.
pub fn big_map(n: usize, per_edge: usize) -> AreaMap {
    let mut areas = grid_areas(n, n, per_edge, 100.3, 19.7, 0.09, 0.1);
    for (i, area) in areas.iter_mut().enumerate() {
        area.class = if i % 17 == 0 { None } else { Some(i * 7 % 5) };
    }
    AreaMap {
        caption: "แผนที่ระดับตำบล".into(),
        legend_title: "สัดส่วนครัวเรือนยากจน".into(),
        classes: ["< 5%", "5–10%", "10–15%", "15–20%", "≥ 20%"]
            .iter()
            .map(|l| MapClass { label: (*l).into() })
            .collect(),
        areas,
    }
}

/// `n` with thousands separators.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
