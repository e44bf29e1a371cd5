//! Deterministic synthetic survey rounds for demonstrations, tests and benchmarks.
//!
//! [`generate`] spreads households over the real subdistricts of the chosen provinces and returns
//! two rounds of the same households a year apart (`2568-1`, surveyed June–August 2025, and
//! `2569-1`, June–August 2026). The people are invented but shaped like rural Thailand: many
//! elderly, farming as the main occupation, the elderly allowance as the main transfer, and areas
//! that differ in how poor they are. Between the rounds everyone grows a year older, incomes move,
//! some households find work, repair their house or obtain a welfare card, a few babies are born
//! and a few people die, so that the four household groups of the methodology shift.
//!
//! The output depends only on the [`DemoConfig`] and the area registry: all randomness comes from
//! one ChaCha8 stream seeded with [`DemoConfig::seed`], and the generator uses only integer and
//! IEEE arithmetic (no `exp`, `ln` or `cos` from the platform's maths library), so the same
//! config gives the same data on every machine.

#![forbid(unsafe_code)]

pub mod economy;

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use thanrak_core::household::{
    Education, HousingCondition, HousingTenure, LandTenure, Occupation, Relation, Sex, Skill,
    Skills,
};
use thanrak_core::{
    AreaCode, AreaLevel, AreaRegistry, Household, HouseholdId, Member, NationalId, RoundLabel,
};

/// The label of the first round.
pub const ROUND_1: &str = "2568-1";
/// The label of the second round, a year after the first.
pub const ROUND_2: &str = "2569-1";

/// At most this many households per province: the household id holds a 7-digit sequence.
pub const MAX_HOUSEHOLDS_PER_PROVINCE: usize = 9_999_999;

/// The income line of the default methodology, used here only to decide who registers for a
/// welfare card and who receives the child support grant, as the real schemes screen on income.
const LINE_THB: f64 = 38_000.0;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Households per round; both rounds hold the same households.
    pub households: usize,
    /// Seed of the random stream: the same config always gives the same data.
    pub seed: u64,
    /// Provinces to spread the households over, in proportion to their number of subdistricts.
    pub provinces: Vec<AreaCode>,
}

impl Default for DemoConfig {
    /// 50,000 households in Lampang (52) and Roi Et (45), seed 1.
    fn default() -> Self {
        Self {
            households: 50_000,
            seed: 1,
            provinces: ["52", "45"]
                .iter()
                .map(|c| AreaCode::parse(c).expect("a valid province code"))
                .collect(),
        }
    }
}

/// One generated survey round.
///
/// Households are ordered by province (in the order of the config), subdistrict and village;
/// members follow the order of their households and, within a household, ascend by `member_no`.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRound {
    /// The round's label.
    pub label: RoundLabel,
    /// The households of the round.
    pub households: Vec<Household>,
    /// The members of every household of the round.
    pub members: Vec<Member>,
}

/// Why a demo config was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemoError {
    /// The config asks for no households.
    #[error("the number of households must be at least 1")]
    NoHouseholds,
    /// The config names no province.
    #[error("at least one province is needed")]
    NoProvinces,
    /// A code that is not a 2-digit province code.
    #[error("{0} is not a province code (2 digits)")]
    NotAProvince(AreaCode),
    /// A province code that is not in the registry.
    #[error("{0} is not a known province")]
    UnknownProvince(AreaCode),
    /// A province named twice.
    #[error("province {0} is named twice")]
    DuplicateProvince(AreaCode),
    /// A province without subdistricts in the registry.
    #[error("province {0} has no subdistricts in the registry")]
    NoSubdistricts(AreaCode),
    /// More households in one province than its household ids can number.
    #[error("province {province} would get {households} households, more than 9,999,999")]
    TooManyHouseholds {
        /// The province.
        province: AreaCode,
        /// The households it would get.
        households: usize,
    },
}

/// Generates the two rounds described by `config` in the subdistricts of `areas`.
pub fn generate(config: &DemoConfig, areas: &AreaRegistry) -> Result<[DemoRound; 2], DemoError> {
    let mut dice = Dice::new(config.seed);
    let provinces = plan(config, areas, &mut dice)?;
    let mut gen = Generator::new(config.seed, dice, config.households);
    for province in &provinces {
        gen.province(province);
    }
    Ok([gen.round1, gen.round2])
}

/// Generates the same rounds as [`generate`], one province at a time: `each` receives the two
/// rounds of each province in the order of the config (the households and members of that
/// province only), so memory holds one province whatever the number of households — the
/// national population written as files (`thanrak demo --out`).
pub fn generate_by_province<E: From<DemoError>>(
    config: &DemoConfig,
    areas: &AreaRegistry,
    mut each: impl FnMut(DemoRound, DemoRound) -> Result<(), E>,
) -> Result<(), E> {
    let mut dice = Dice::new(config.seed);
    let provinces = plan(config, areas, &mut dice)?;
    let mut gen = Generator::new(config.seed, dice, 0);
    let empty = |r: &DemoRound| DemoRound {
        label: r.label.clone(),
        households: Vec::new(),
        members: Vec::new(),
    };
    for province in &provinces {
        gen.province(province);
        let (next1, next2) = (empty(&gen.round1), empty(&gen.round2));
        let r1 = std::mem::replace(&mut gen.round1, next1);
        let r2 = std::mem::replace(&mut gen.round2, next2);
        each(r1, r2)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// The random stream and the draws built on it. Draws use only integer and IEEE arithmetic so
/// that they are the same on every platform.
struct Dice {
    rng: ChaCha8Rng,
}

impl Dice {
    fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..=hi`.
    fn int(&mut self, lo: i32, hi: i32) -> i32 {
        let n = (hi - lo + 1) as u64;
        lo + ((u128::from(self.rng.next_u64()) * u128::from(n)) >> 64) as i32
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Roughly standard normal (Irwin–Hall with four terms): enough for synthetic spreads.
    fn normal(&mut self) -> f64 {
        let s = self.unit() + self.unit() + self.unit() + self.unit();
        (s - 2.0) * 3f64.sqrt()
    }

    /// A log-normal-like amount around `median`.
    fn around(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.int(0, items.len() as i32 - 1) as usize]
    }

    /// An index drawn with the given (not necessarily normalised) weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// e^x by (1 + x/1024)^1024: pure IEEE arithmetic, within 0.5 % for |x| ≤ 3.
fn exp(x: f64) -> f64 {
    let mut y = 1.0 + x.clamp(-8.0, 8.0) / 1024.0;
    for _ in 0..10 {
        y *= y;
    }
    y
}

/// The probability `p` with its odds multiplied by e^(k·z): how an area's or household's poverty
/// propensity `z` (0 typical, positive poorer) moves a base rate.
fn tilt(p: f64, z: f64, k: f64) -> f64 {
    let m = exp(k * z);
    p * m / (1.0 - p + p * m)
}

/// SplitMix64: a fixed hash for per-person decisions that must not change between rounds.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A stable coin for `key`: the same answer in both rounds.
fn coin(key: u64, salt: u64, p: f64) -> bool {
    ((mix(key ^ mix(salt)) >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
}

fn round_to(x: f64, step: f64) -> f64 {
    ((x / step).round() * step).max(0.0)
}

// ---------------------------------------------------------------------------------------------
// Areas

struct SubdistrictPlan {
    code: AreaCode,
    /// Poverty propensity: 0 typical, positive poorer.
    z: f64,
    urban: bool,
    /// A dry year hits this subdistrict's farm incomes in the second round.
    drought: bool,
    /// Income growth of the area between the rounds.
    growth: f64,
    disaster_p: f64,
    centre: (f64, f64),
    households: usize,
}

struct ProvincePlan {
    code: AreaCode,
    /// The two digits, for national ids.
    digits: [u8; 2],
    subdistricts: Vec<SubdistrictPlan>,
}

/// A point inside the province: real centres for the default provinces, otherwise a point in
/// Thailand's box derived from the code alone.
fn province_centre(code: AreaCode) -> (f64, f64) {
    match code.to_string().as_str() {
        "52" => (18.29, 99.49),
        "45" => (16.05, 103.65),
        s => {
            let h = mix(0x7468_616e_7261_6b00 ^ s.parse::<u64>().unwrap_or(0));
            let a = (h >> 40) as f64 / (1u64 << 24) as f64;
            let b = ((h >> 16) & 0xFF_FFFF) as f64 / (1u64 << 24) as f64;
            (6.5 + 13.0 * a, 98.0 + 7.0 * b)
        }
    }
}

/// Splits `total` in proportion to `weights`, by cumulative rounding so the parts add up.
fn split(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let mut acc = 0.0;
    let mut prev = 0;
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            acc += w;
            let cut = if i + 1 == weights.len() {
                total
            } else {
                (((acc / sum) * total as f64).floor() as usize).clamp(prev, total)
            };
            let n = cut - prev;
            prev = cut;
            n
        })
        .collect()
}

fn plan(
    config: &DemoConfig,
    areas: &AreaRegistry,
    dice: &mut Dice,
) -> Result<Vec<ProvincePlan>, DemoError> {
    if config.households == 0 {
        return Err(DemoError::NoHouseholds);
    }
    if config.provinces.is_empty() {
        return Err(DemoError::NoProvinces);
    }
    let mut subs_of = Vec::with_capacity(config.provinces.len());
    for (i, p) in config.provinces.iter().enumerate() {
        if p.level() != AreaLevel::Province {
            return Err(DemoError::NotAProvince(*p));
        }
        if areas.get(p).is_none() {
            return Err(DemoError::UnknownProvince(*p));
        }
        if config.provinces[..i].contains(p) {
            return Err(DemoError::DuplicateProvince(*p));
        }
        let mut subs: Vec<AreaCode> = areas
            .areas()
            .iter()
            .filter(|a| a.level() == AreaLevel::Subdistrict && a.code.is_within(p))
            .map(|a| a.code)
            .collect();
        if subs.is_empty() {
            return Err(DemoError::NoSubdistricts(*p));
        }
        subs.sort();
        subs_of.push(subs);
    }
    let sizes: Vec<f64> = subs_of.iter().map(|s| s.len() as f64).collect();
    let per_province = split(config.households, &sizes);
    let mut plans = Vec::with_capacity(subs_of.len());
    for ((code, subs), households) in config.provinces.iter().zip(subs_of).zip(per_province) {
        if households > MAX_HOUSEHOLDS_PER_PROVINCE {
            return Err(DemoError::TooManyHouseholds {
                province: *code,
                households,
            });
        }
        let text = code.to_string();
        let b = text.as_bytes();
        let digits = [b[0] - b'0', b[1] - b'0'];
        let (lat0, lon0) = province_centre(*code);
        let mut district = None;
        let (mut zd, mut dlat, mut dlon, mut drought_d) = (0.0, 0.0, 0.0, false);
        let mut planned = Vec::with_capacity(subs.len());
        let mut weights = Vec::with_capacity(subs.len());
        for sub in subs {
            let d = sub.parent();
            let urban = d.is_some_and(|d| d.to_string().ends_with("01"));
            if d != district {
                district = d;
                // Each district has its own level of poverty and its own place in the province;
                // the capital district (xx01) is the town: richer and more wage work.
                zd = 0.55 * dice.normal() - if urban { 0.6 } else { 0.0 };
                dlat = dice.between(-0.45, 0.45);
                dlon = dice.between(-0.4, 0.4);
                drought_d = dice.chance(0.25);
            }
            let z = zd + 0.35 * dice.normal();
            planned.push(SubdistrictPlan {
                code: sub,
                z,
                urban,
                drought: drought_d && dice.chance(0.7),
                growth: 0.02 + 0.04 * dice.normal(),
                disaster_p: dice.between(0.03, 0.35),
                centre: (
                    lat0 + dlat + dice.between(-0.08, 0.08),
                    lon0 + dlon + dice.between(-0.08, 0.08),
                ),
                households: 0,
            });
            weights.push(dice.between(0.4, 1.6) * if urban { 1.8 } else { 1.0 });
        }
        for (s, n) in planned.iter_mut().zip(split(households, &weights)) {
            s.households = n;
        }
        plans.push(ProvincePlan {
            code: *code,
            digits,
            subdistricts: planned,
        });
    }
    Ok(plans)
}

// ---------------------------------------------------------------------------------------------
// Names

const MALE_OLD: &[&str] = &[
    "สมชาย",
    "สมศักดิ์",
    "สมพงษ์",
    "ประเสริฐ",
    "บุญมี",
    "บุญเรือง",
    "บุญส่ง",
    "ทองดี",
    "ทองสุข",
    "สมบัติ",
    "สุพจน์",
    "ประสิทธิ์",
    "วีระ",
    "มานพ",
    "อำนาจ",
    "บุญชู",
    "คำปัน",
    "คำมา",
    "สมาน",
    "ประยูร",
    "สุรินทร์",
    "เสถียร",
    "ชัยยา",
    "บุญธรรม",
];
const MALE_NEW: &[&str] = &[
    "ธนากร",
    "ณัฐวุฒิ",
    "กิตติพงษ์",
    "พงศกร",
    "ศุภชัย",
    "ธีรภัทร",
    "ภูมิพัฒน์",
    "ปิยะพงษ์",
    "เกียรติศักดิ์",
    "จักรพันธ์",
    "ศักดิ์ชัย",
    "นพดล",
    "อนุชา",
    "สุรชัย",
    "วิชัย",
    "ชัยวัฒน์",
    "ธนวัฒน์",
    "กฤษดา",
    "ณัฐพล",
    "วรวุฒิ",
    "ปกรณ์",
    "ภานุวัฒน์",
    "อภิสิทธิ์",
    "ธนพล",
];
const FEMALE_OLD: &[&str] = &[
    "สมศรี",
    "สมใจ",
    "มาลี",
    "บุญมา",
    "ทองใบ",
    "สุภาพ",
    "บัวผัน",
    "คำปุ่น",
    "ลำดวน",
    "บุญเรือน",
    "แสงเดือน",
    "ขวัญใจ",
    "จันทร์เพ็ญ",
    "ประภา",
    "รัตนา",
    "บุญหลาย",
    "คำแปง",
    "ศรีนวล",
    "บัวลอย",
    "อำไพ",
    "เพ็ญศรี",
    "นวลจันทร์",
    "สายทอง",
    "ทองม้วน",
];
const FEMALE_NEW: &[&str] = &[
    "วันเพ็ญ",
    "นงลักษณ์",
    "กาญจนา",
    "สุดารัตน์",
    "อรุณี",
    "พรทิพย์",
    "ศิริพร",
    "ปวีณา",
    "ณัฐธิดา",
    "กมลชนก",
    "ธิดารัตน์",
    "สุนิสา",
    "อัญชลี",
    "วิไลวรรณ",
    "พิมพ์ชนก",
    "ศศิธร",
    "ปิยะนุช",
    "จิราพร",
    "สุภาวดี",
    "เบญจวรรณ",
    "ชนิดา",
    "อารีรัตน์",
    "ณัฐกานต์",
    "กัญญารัตน์",
];
const SURNAMES: &[&str] = &[
    "แสงทอง",
    "ศรีสุข",
    "บุญมา",
    "ทองดี",
    "สุขสวัสดิ์",
    "จันทร์แก้ว",
    "ใจดี",
    "วงศ์ใหญ่",
    "ศรีวงศ์",
    "แก้วมณี",
    "ปัญญาดี",
    "สมบูรณ์",
    "อินทร์แก้ว",
    "ปัญญาวงศ์",
    "คำแก้ว",
    "ศรีบุญเรือง",
    "พรหมมา",
    "บุญเรือง",
    "ไชยวงศ์",
    "ใจคำ",
    "อินต๊ะ",
    "ปินตา",
    "คำมูล",
    "สุวรรณ",
    "ศรีจันทร์",
    "พลราช",
    "ศรีหาวงศ์",
    "ทองสุข",
    "บุญศรี",
    "จันทร์หอม",
    "สายบุญ",
    "พันธ์ดี",
    "แสนสุข",
    "มูลสาร",
    "ศรีสะอาด",
    "ดวงดี",
    "ชัยมงคล",
    "เพชรรัตน์",
    "นาคสุข",
    "ทองคำ",
    "ภูมิสวัสดิ์",
    "สิทธิกุล",
    "วงศ์ษา",
    "ไชยเดช",
    "ศรีภูมิ",
    "ธรรมวงศ์",
    "อุดมสุข",
    "แก้วประเสริฐ",
];

// ---------------------------------------------------------------------------------------------
// People

/// Life stages whose boundaries change schooling and work.
fn stage(age: i32) -> u8 {
    match age {
        ..=2 => 0,
        3..=5 => 1,
        6..=14 => 2,
        15..=18 => 3,
        19..=22 => 4,
        23..=59 => 5,
        _ => 6,
    }
}

/// The elderly allowance (เบี้ยยังชีพผู้สูงอายุ) per year by age band.
fn elderly_allowance(age: i32) -> f64 {
    match age {
        ..=59 => 0.0,
        60..=69 => 7_200.0,
        70..=79 => 8_400.0,
        80..=89 => 9_600.0,
        _ => 12_000.0,
    }
}

/// The household-level facts that shape its members, fixed for both rounds.
#[derive(Clone, Copy)]
struct HouseholdTraits {
    /// Poverty propensity of the household (its village's plus its own).
    z: f64,
    urban: bool,
    /// Stable key for per-household coins.
    key: u64,
    /// Money sent home by family working elsewhere, per year.
    remittance: f64,
    /// Some members lack health insurance (unregistered or between schemes).
    uninsured: bool,
}

/// The making of a member before the random details.
#[derive(Clone, Copy)]
struct Sketch {
    relation: Relation,
    sex: Sex,
    age: i32,
    surname: &'static str,
}

struct Generator {
    dice: Dice,
    seed: u64,
    round1: DemoRound,
    round2: DemoRound,
    /// Person keys of the current household in round 1 and 2, parallel to its members.
    keys1: Vec<u64>,
    keys2: Vec<u64>,
    sketches: Vec<Sketch>,
    /// The next person number in the current province (for national ids).
    person_seq: u64,
    province_digits: [u8; 2],
    start1: NaiveDate,
    start2: NaiveDate,
}

impl Generator {
    fn new(seed: u64, dice: Dice, households: usize) -> Self {
        let label = |s: &str| RoundLabel::parse(s).expect("a valid round label");
        let round = |s: &str| DemoRound {
            label: label(s),
            households: Vec::with_capacity(households),
            members: Vec::with_capacity(households * 9 / 2),
        };
        Self {
            dice,
            seed,
            round1: round(ROUND_1),
            round2: round(ROUND_2),
            keys1: Vec::new(),
            keys2: Vec::new(),
            sketches: Vec::new(),
            person_seq: 0,
            province_digits: [0, 0],
            start1: NaiveDate::from_ymd_opt(2025, 6, 1).expect("a date"),
            start2: NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date"),
        }
    }

    fn province(&mut self, p: &ProvincePlan) {
        self.person_seq = 0;
        self.province_digits = p.digits;
        let province_number = u64::from(p.digits[0]) * 10 + u64::from(p.digits[1]);
        let mut seq = 0u32;
        for sub in &p.subdistricts {
            if sub.households == 0 {
                continue;
            }
            let villages = self.dice.int(8, 16) as usize;
            let weights: Vec<f64> = (0..villages).map(|_| self.dice.between(0.5, 1.5)).collect();
            for (v, count) in split(sub.households, &weights).into_iter().enumerate() {
                let village = AreaCode::parse(&format!("{}{:02}", sub.code, v + 1))
                    .expect("a subdistrict code and a village number make a village code");
                let zv = sub.z + 0.15 * self.dice.normal();
                // Survey teams visit a village over a few days; next year at about the same time.
                let day1 = self.dice.int(0, 85);
                let day2 = (day1 + self.dice.int(-7, 7)).clamp(0, 85);
                let centre = (
                    sub.centre.0 + self.dice.between(-0.02, 0.02),
                    sub.centre.1 + self.dice.between(-0.02, 0.02),
                );
                for house in 1..=count {
                    seq += 1;
                    let id = HouseholdId::parse(&format!("HH{}{seq:07}", p.code))
                        .expect("a well-formed household id");
                    let off = self.dice.int(0, 6);
                    let dates = (
                        self.start1 + Days::new((day1 + off) as u64),
                        self.start2 + Days::new((day2 + off) as u64),
                    );
                    let house_no = if self.dice.chance(0.12) {
                        format!("{house}/{}", self.dice.int(1, 4))
                    } else {
                        house.to_string()
                    };
                    let location = (!self.dice.chance(0.1)).then(|| {
                        let lat = centre.0 + self.dice.between(-0.012, 0.012);
                        let lon = centre.1 + self.dice.between(-0.012, 0.012);
                        (
                            round_to(lat.clamp(5.6, 20.5), 1e-6),
                            round_to(lon.clamp(97.3, 105.7), 1e-6),
                        )
                    });
                    let key = mix(self.seed ^ mix(u64::from(seq) << 8 ^ province_number));
                    let place = Place {
                        key,
                        id,
                        village,
                        house_no,
                        location,
                        dates,
                        z: zv,
                        sub,
                    };
                    self.household(place);
                }
            }
        }
    }

    fn next_person_key(&mut self) -> (u64, u64) {
        self.person_seq += 1;
        let key = mix(self.seed
            ^ mix(u64::from(self.province_digits[0]) * 10 + u64::from(self.province_digits[1])))
            ^ mix(self.person_seq);
        (self.person_seq, key)
    }

    fn national_id(&mut self, seq: u64, birth_year: i32) -> Option<NationalId> {
        // Digit 1 is the registration category: 3 for people registered when the system began
        // (born before 1984), 1 for births registered since, a few others (late registration,
        // naturalisation); then the province and a sequence unique in the province.
        let first = if birth_year < 1984 {
            [3, 3, 3, 3, 3, 3, 3, 3, 5, 8][self.dice.int(0, 9) as usize]
        } else {
            [1, 1, 1, 1, 1, 1, 1, 1, 1, 2][self.dice.int(0, 9) as usize]
        };
        let mut d = [0u8; 12];
        d[0] = first;
        d[1] = self.province_digits[0];
        d[2] = self.province_digits[1];
        let mut s = seq;
        for i in (3..12).rev() {
            d[i] = (s % 10) as u8;
            s /= 10;
        }
        Some(NationalId::from_first12(d))
    }

    fn first_name(&mut self, sex: Sex, birth_year: i32) -> String {
        let modern = birth_year >= 1980 || (birth_year >= 1965 && self.dice.chance(0.3));
        let list = match (sex, modern) {
            (Sex::M, false) => MALE_OLD,
            (Sex::M, true) => MALE_NEW,
            (Sex::F, false) => FEMALE_OLD,
            (Sex::F, true) => FEMALE_NEW,
        };
        self.dice.pick(list).to_string()
    }

    /// A birth date giving `age` completed years at `on` (the survey falls June–August, so no
    /// 29 February is involved).
    fn birth_date(&mut self, age: i32, on: NaiveDate) -> NaiveDate {
        let anniversary = NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&on) - age,
            chrono::Datelike::month(&on),
            chrono::Datelike::day(&on),
        )
        .expect("a summer day exists every year");
        anniversary - Days::new(self.dice.int(0, 364) as u64)
    }

    /// Draws the composition of a household: its members' relations, sexes and ages.
    fn sketch(&mut self) {
        const SIZES: [f64; 8] = [0.06, 0.11, 0.16, 0.20, 0.19, 0.13, 0.09, 0.06];
        let size = self.dice.weighted(&SIZES) + 1;
        let d = &mut self.dice;
        let head_age = if size == 1 && d.chance(0.55) {
            d.int(60, 92)
        } else {
            match d.weighted(&[0.13, 0.43, 0.29, 0.15]) {
                0 => d.int(25, 39),
                1 => d.int(40, 59),
                2 => d.int(60, 74),
                _ => d.int(75, 92),
            }
        };
        let head_sex = if d.chance(if head_age >= 60 { 0.55 } else { 0.7 }) {
            Sex::M
        } else {
            Sex::F
        };
        let family = d.pick(SURNAMES);
        let s = &mut self.sketches;
        s.clear();
        s.push(Sketch {
            relation: Relation::Head,
            sex: head_sex,
            age: head_age,
            surname: family,
        });
        let mut rem = size - 1;
        let spouse_p = match head_age {
            ..=59 => 0.85,
            60..=74 => 0.65,
            _ => 0.45,
        };
        if rem > 0 && d.chance(spouse_p) {
            let (sex, age) = match head_sex {
                Sex::M => (Sex::F, head_age - d.int(-2, 6)),
                Sex::F => (Sex::M, head_age + d.int(-2, 6)),
            };
            s.push(Sketch {
                relation: Relation::Spouse,
                sex,
                age: age.clamp(18, 98),
                surname: if d.chance(0.75) {
                    family
                } else {
                    d.pick(SURNAMES)
                },
            });
            rem -= 1;
        }
        if head_age < 55 {
            for _ in 0..2 {
                if rem >= 2 && d.chance(0.32) {
                    let sex = if d.chance(0.6) { Sex::F } else { Sex::M };
                    s.push(Sketch {
                        relation: Relation::Parent,
                        sex,
                        age: (head_age + d.int(20, 34)).min(99),
                        surname: if d.chance(0.6) {
                            family
                        } else {
                            d.pick(SURNAMES)
                        },
                    });
                    rem -= 1;
                }
            }
        }
        while rem > 0 {
            let sex = if d.chance(0.5) { Sex::M } else { Sex::F };
            let r = d.unit();
            let (relation, age, surname) = if r < 0.07 {
                (Relation::Relative, d.int(5, 70), d.pick(SURNAMES))
            } else if r < 0.09 {
                (Relation::Other, d.int(18, 60), d.pick(SURNAMES))
            } else if head_age >= 55 && d.chance(0.45) {
                // Grandchildren left with their grandparents while the parents work in town.
                (
                    Relation::Relative,
                    d.int(0, (head_age - 38).min(20)),
                    family,
                )
            } else {
                let lo = (head_age - 42).max(0);
                let hi = (head_age - 18).max(lo);
                (Relation::Child, d.int(lo, hi), family)
            };
            s.push(Sketch {
                relation,
                sex,
                age,
                surname,
            });
            rem -= 1;
        }
    }

    /// Builds a member of round 1 from a sketch: identity, schooling, health and work.
    fn member(
        &mut self,
        place: &Place,
        t: &HouseholdTraits,
        member_no: u16,
        sk: Sketch,
    ) -> (Member, u64) {
        let (seq, key) = self.next_person_key();
        let on = place.dates.0;
        let age = sk.age;
        let birth = self.birth_date(age, on);
        let birth_year = chrono::Datelike::year(&birth);
        let national_id = if self.dice.chance(0.92) {
            self.national_id(seq, birth_year)
        } else {
            None
        };
        let with_date = self.dice.chance(0.7);
        let mut m = Member {
            household_id: place.id.clone(),
            round: self.round1.label.clone(),
            member_no,
            national_id,
            first_name: self.first_name(sk.sex, birth_year),
            last_name: sk.surname.to_string(),
            sex: sk.sex,
            birth_date: with_date.then_some(birth),
            age: (!with_date).then_some(age as u8),
            relation: sk.relation,
            education: Education::None,
            in_school: false,
            literate: false,
            occupation: Occupation::None,
            income_thb_year: 0.0,
            disability: false,
            chronic_illness: false,
            dependent: false,
            receives_care: true,
            welfare_card: false,
            health_insurance: true,
            skills: Skills::NONE,
            can_work: false,
            wants_work: false,
        };
        self.health(&mut m, age, t);
        self.schooling(&mut m, age, t);
        (m, key)
    }

    fn health(&mut self, m: &mut Member, age: i32, t: &HouseholdTraits) {
        let d = &mut self.dice;
        let chronic_p = match age {
            ..=14 => 0.01,
            15..=39 => 0.03,
            40..=59 => 0.14,
            60..=69 => 0.32,
            _ => 0.48,
        };
        let disability_p = match age {
            ..=14 => 0.008,
            15..=59 => 0.02,
            60..=74 => 0.06,
            _ => 0.12,
        };
        m.chronic_illness = d.chance(chronic_p);
        m.disability = d.chance(disability_p);
        let dependent_p = if m.disability {
            0.25
        } else {
            match age {
                ..=59 => 0.002,
                60..=74 => 0.02,
                _ => 0.12,
            }
        };
        m.dependent = age >= 2 && d.chance(dependent_p);
        m.receives_care =
            !(m.chronic_illness || m.disability || m.dependent) || !d.chance(tilt(0.1, t.z, 0.8));
        m.health_insurance = !d.chance(if t.uninsured { 0.5 } else { 0.004 });
    }

    /// Schooling, education, literacy and (for those out of school) work, for a member of `age`.
    fn schooling(&mut self, m: &mut Member, age: i32, t: &HouseholdTraits) {
        let z = t.z;
        let d = &mut self.dice;
        match age {
            ..=2 => {}
            3..=5 => {
                m.in_school = !d.chance(tilt(0.12, z, 0.9));
            }
            6..=14 => {
                m.in_school = !d.chance(tilt(0.012, z, 1.0));
                if age >= 8 {
                    m.education = Education::Primary;
                    m.literate = m.in_school || d.chance(0.7);
                }
            }
            15..=18 => {
                m.in_school = !d.chance(tilt(0.2, z, 0.8));
                m.education = if m.in_school {
                    Education::LowerSecondary
                } else if age == 18 && d.chance(0.45) {
                    Education::UpperSecondary
                } else if d.chance(0.7) {
                    Education::LowerSecondary
                } else {
                    Education::Primary
                };
                m.literate = !d.chance(tilt(0.02, z, 0.8));
            }
            19..=22 => {
                m.in_school = d.chance(tilt(0.3, z, -0.8));
                m.education = if m.in_school {
                    if d.chance(0.7) {
                        Education::UpperSecondary
                    } else {
                        Education::Vocational
                    }
                } else {
                    adult_education(d, age, z)
                };
                m.literate = !d.chance(tilt(0.02, z, 0.8));
            }
            _ => {
                m.education = adult_education(d, age, z);
                let illiterate = if age < 60 { tilt(0.025, z, 0.8) } else { 0.12 };
                m.literate = m.education > Education::Primary || !d.chance(illiterate);
            }
        }
        if m.in_school {
            m.occupation = Occupation::Student;
            if age >= 15 {
                m.can_work = !m.dependent && d.chance(if age <= 18 { 0.35 } else { 0.7 });
                if d.chance(0.1) {
                    m.income_thb_year = round_to(d.between(8_000.0, 30_000.0), 100.0);
                }
            }
        } else if age >= 15 {
            self.start_work(m, age, t);
        }
    }

    /// Gives an out-of-school member aged 15 or more an occupation, an income, skills and the
    /// work flags.
    fn start_work(&mut self, m: &mut Member, age: i32, t: &HouseholdTraits) {
        let d = &mut self.dice;
        m.in_school = false;
        m.occupation = if m.dependent {
            Occupation::None
        } else {
            occupation(d, age, t, m.education, m.disability)
        };
        m.income_thb_year = income(d, m.occupation, age, t.z);
        let working = !matches!(m.occupation, Occupation::None | Occupation::Student);
        m.can_work = !m.dependent
            && (working
                || match age {
                    ..=59 => d.chance(if m.disability { 0.4 } else { 0.75 }),
                    60..=69 => d.chance(0.3),
                    _ => d.chance(0.1),
                });
        m.wants_work = m.can_work
            && d.chance(match m.occupation {
                Occupation::None => 0.6,
                Occupation::DailyWage => 0.35,
                _ => 0.04,
            });
        if age <= 64 {
            m.skills = skills(d, m.occupation, t.urban);
        }
    }

    fn household(&mut self, place: Place) {
        let hz = place.z + 0.6 * self.dice.normal();
        let traits = HouseholdTraits {
            z: hz,
            urban: place.sub.urban,
            key: place.key,
            remittance: 0.0,
            uninsured: self.dice.chance(tilt(0.05, hz, 0.5)),
        };
        self.sketch();
        let start = self.round1.members.len();
        self.keys1.clear();
        let sketches = std::mem::take(&mut self.sketches);
        for (i, sk) in sketches.iter().enumerate() {
            let (m, key) = self.member(&place, &traits, i as u16 + 1, *sk);
            self.round1.members.push(m);
            self.keys1.push(key);
        }
        self.sketches = sketches;
        let elderly_head = head_age(&self.round1.members[start..], place.dates.0) >= 60;
        let d = &mut self.dice;
        let remittance = if d.chance(if elderly_head { 0.5 } else { 0.25 }) {
            round_to(d.between(6_000.0, 72_000.0), 1_000.0)
        } else {
            0.0
        };
        let traits = HouseholdTraits {
            remittance,
            ..traits
        };
        let members = &mut self.round1.members[start..];
        let farming = members.iter().any(|m| m.occupation == Occupation::Farmer);
        let (farm_land_rai, land_tenure) = if farming && d.chance(0.88) {
            let own = !d.chance(tilt(0.2, hz, 0.6));
            (
                round_to(d.around(12.0, 0.7), 0.5).max(0.5),
                if own {
                    LandTenure::Own
                } else {
                    LandTenure::Rent
                },
            )
        } else if d.chance(0.1) {
            (round_to(d.between(1.0, 5.0), 0.5), LandTenure::Own)
        } else {
            (0.0, LandTenure::None)
        };
        let tenure = {
            let w = [
                1.0,
                if traits.urban { 0.12 } else { 0.04 },
                0.07 * exp(0.4 * hz),
                0.025 * exp(1.0 * hz),
                0.006 * exp(1.0 * hz),
            ];
            [
                HousingTenure::Own,
                HousingTenure::Rent,
                HousingTenure::RentFree,
                HousingTenure::PublicLand,
                HousingTenure::None,
            ][d.weighted(&w)]
        };
        let condition = [
            HousingCondition::Stable,
            HousingCondition::NeedsRepair,
            HousingCondition::Dilapidated,
            HousingCondition::Temporary,
        ][d.weighted(&[
            1.0,
            0.28 * exp(0.6 * hz),
            0.06 * exp(1.0 * hz),
            0.025 * exp(1.0 * hz),
        ])];
        let earned: f64 = members.iter().map(|m| m.income_thb_year).sum();
        let savings = if d.chance(tilt(0.65, hz, -0.8)) {
            round_to(earned.max(20_000.0) * d.between(0.03, 0.6), 100.0)
        } else {
            0.0
        };
        let debt_formal = if d.chance(0.55) {
            round_to(d.around(80_000.0, 0.9).min(3_000_000.0), 1_000.0)
        } else {
            0.0
        };
        let debt_informal = if d.chance(tilt(0.1, hz, 0.8)) {
            if d.chance(0.15) {
                round_to(d.between(150_000.0, 600_000.0), 1_000.0)
            } else {
                round_to(d.around(20_000.0, 0.8), 1_000.0).max(1_000.0)
            }
        } else {
            0.0
        };
        let mut h = Household {
            household_id: place.id.clone(),
            round: self.round1.label.clone(),
            survey_date: place.dates.0,
            village_code: place.village,
            house_no: place.house_no.clone(),
            location: place.location,
            housing_tenure: tenure,
            housing_condition: condition,
            drinking_water_ok: !d.chance(tilt(0.06, hz, 0.9)),
            water_use_ok: !d.chance(tilt(0.07, hz, 0.9)),
            electricity: !d.chance(tilt(0.008, hz, 0.8)),
            sanitary_toilet: !d.chance(tilt(0.03, hz, 1.0)),
            farm_land_rai,
            land_tenure,
            natural_resource_use: d.chance(if farming { 0.65 } else { 0.35 }),
            disaster_risk: d.chance(place.sub.disaster_p),
            savings_thb: savings,
            debt_formal_thb: debt_formal,
            debt_informal_thb: debt_informal,
            transfers_thb_year: 0.0,
            group_memberships: d.weighted(&[0.22, 0.33, 0.25, 0.13, 0.07]) as u32,
            receives_community_help: d.chance(tilt(0.25, hz, 0.5)),
        };
        h.transfers_thb_year = transfers(members, &self.keys1, h.survey_date, &traits);
        // Registration for the state welfare card screens on income.
        let pc = income_pc(members, h.transfers_thb_year);
        let register = if pc < LINE_THB {
            tilt(0.75, hz, -0.3)
        } else if pc < 1.5 * LINE_THB {
            0.4
        } else {
            0.06
        };
        if d.chance(register) {
            grant_cards(d, members, h.survey_date);
        }
        let h2 = self.evolve(&h, start, &place, &traits);
        self.round1.households.push(h);
        self.round2.households.push(h2);
    }

    /// The same household a year later: the members of round 1 (from `start` in round 1's
    /// members) aged, their lives moved on, and the round-2 household returned.
    fn evolve(
        &mut self,
        h1: &Household,
        start: usize,
        place: &Place,
        t: &HouseholdTraits,
    ) -> Household {
        let date1 = place.dates.0;
        let date2 = place.dates.1;
        let hz = t.z;
        let sub = place.sub;
        let start2 = self.round2.members.len();
        self.keys2.clear();
        self.keys2.extend_from_slice(&self.keys1);
        for i in start..self.round1.members.len() {
            let mut m = self.round1.members[i].clone();
            m.round = self.round2.label.clone();
            let a1 = m.age_at(date1).unwrap_or(0);
            if let Some(a) = m.age {
                m.age = Some(a + 1);
            }
            let a2 = m.age_at(date2).unwrap_or(a1 + 1);
            self.grow_up(&mut m, a1, a2, t);
            let d = &mut self.dice;
            let earning = !matches!(m.occupation, Occupation::None | Occupation::Student);
            if earning && m.income_thb_year > 0.0 {
                let mut f = if d.chance(0.65) {
                    1.0 + d.between(0.0, 0.1)
                } else if d.chance(0.6) {
                    1.0 - d.between(0.0, 0.25)
                } else {
                    1.0
                };
                f *= 1.0 + sub.growth;
                if m.occupation == Occupation::Farmer && sub.drought {
                    f *= 0.6;
                }
                m.income_thb_year = round_to(m.income_thb_year * f, 100.0);
            }
            if (15..=59).contains(&a2) && !m.dependent {
                if m.occupation == Occupation::None && m.can_work {
                    if d.chance(tilt(0.22, hz, -0.5)) {
                        // Found a job.
                        m.occupation = [
                            Occupation::DailyWage,
                            Occupation::Employee,
                            Occupation::OwnBusiness,
                        ][d.weighted(&[0.55, 0.3, 0.15])];
                        m.income_thb_year = income(d, m.occupation, a2, hz);
                        m.wants_work = m.occupation == Occupation::DailyWage && d.chance(0.35);
                        if m.skills.is_empty() {
                            m.skills = skills(d, m.occupation, t.urban);
                        }
                    }
                } else if matches!(m.occupation, Occupation::DailyWage | Occupation::Employee)
                    && d.chance(0.03)
                {
                    // Lost the job.
                    m.occupation = Occupation::None;
                    m.income_thb_year = 0.0;
                    m.can_work = true;
                    m.wants_work = true;
                }
            }
            let chronic_p = match a2 {
                ..=39 => 0.005,
                40..=59 => 0.03,
                60..=69 => 0.06,
                _ => 0.09,
            };
            if !m.chronic_illness && d.chance(chronic_p) {
                m.chronic_illness = true;
                m.receives_care = m.receives_care && !d.chance(0.15);
            }
            if a2 >= 70 && !m.dependent && d.chance(0.03) {
                m.dependent = true;
                m.can_work = false;
                m.wants_work = false;
                if m.occupation != Occupation::None {
                    m.occupation = Occupation::None;
                    m.income_thb_year = 0.0;
                }
            }
            let needy = m.chronic_illness || m.disability || m.dependent;
            if needy && !m.receives_care && d.chance(0.35) {
                m.receives_care = true;
            } else if needy && m.receives_care && d.chance(0.03) {
                m.receives_care = false;
            }
            if !m.health_insurance && d.chance(0.45) {
                m.health_insurance = true;
            } else if m.health_insurance && d.chance(0.002) {
                m.health_insurance = false;
            }
            self.round2.members.push(m);
        }
        self.deaths(start2, date2);
        self.birth(start2, date1, date2, place);

        let d = &mut self.dice;
        let mut h = h1.clone();
        h.round = self.round2.label.clone();
        h.survey_date = date2;
        h.housing_condition = match h.housing_condition {
            HousingCondition::Temporary | HousingCondition::Dilapidated
                if d.chance(tilt(0.25, hz, -0.5)) =>
            {
                // Repaired or rebuilt, often with a housing programme.
                HousingCondition::Stable
            }
            HousingCondition::NeedsRepair if d.chance(0.15) => HousingCondition::Stable,
            HousingCondition::NeedsRepair if d.chance(0.07) => HousingCondition::Dilapidated,
            HousingCondition::Stable if d.chance(0.02) => HousingCondition::NeedsRepair,
            c => c,
        };
        if h.housing_tenure == HousingTenure::None && d.chance(0.3) {
            h.housing_tenure = HousingTenure::RentFree;
        }
        let flip = |d: &mut Dice, ok: bool, fix: f64, brk: f64| {
            if ok {
                !d.chance(brk)
            } else {
                d.chance(fix)
            }
        };
        h.drinking_water_ok = flip(d, h.drinking_water_ok, 0.3, 0.015);
        h.water_use_ok = flip(d, h.water_use_ok, 0.3, 0.015);
        h.sanitary_toilet = flip(d, h.sanitary_toilet, 0.35, 0.005);
        h.electricity = flip(d, h.electricity, 0.5, 0.001);
        if h.farm_land_rai > 0.0 && d.chance(0.01) {
            h.farm_land_rai = 0.0;
            h.land_tenure = LandTenure::None;
        }
        if d.chance(0.05) {
            h.natural_resource_use = !h.natural_resource_use;
        }
        if !h.disaster_risk && d.chance(0.02) {
            h.disaster_risk = true;
        }
        h.savings_thb = if h.savings_thb > 0.0 {
            if d.chance(0.1) {
                0.0
            } else {
                round_to(h.savings_thb * d.between(0.6, 1.5), 100.0)
            }
        } else if d.chance(0.15) {
            round_to(d.between(1_000.0, 30_000.0), 100.0)
        } else {
            0.0
        };
        h.debt_formal_thb = if h.debt_formal_thb > 0.0 {
            round_to(h.debt_formal_thb * d.between(0.6, 1.1), 1_000.0)
        } else if d.chance(0.08) {
            round_to(d.around(50_000.0, 0.8), 1_000.0)
        } else {
            0.0
        };
        h.debt_informal_thb = if h.debt_informal_thb > 0.0 {
            if d.chance(0.25) {
                0.0
            } else {
                round_to(h.debt_informal_thb * d.between(0.8, 1.4), 1_000.0)
            }
        } else if d.chance(tilt(0.035, hz, 0.8)) {
            round_to(d.around(20_000.0, 0.8), 1_000.0).max(1_000.0)
        } else {
            0.0
        };
        let remittance = if t.remittance > 0.0 {
            if d.chance(0.05) {
                0.0
            } else {
                round_to(t.remittance * d.between(0.8, 1.25), 1_000.0)
            }
        } else if d.chance(0.04) {
            round_to(d.between(6_000.0, 48_000.0), 1_000.0)
        } else {
            0.0
        };
        if d.chance(0.1) {
            h.group_memberships += 1;
        } else if h.group_memberships > 0 && d.chance(0.1) {
            h.group_memberships -= 1;
        }
        if d.chance(0.12) {
            h.receives_community_help = !h.receives_community_help;
        }
        let t2 = HouseholdTraits { remittance, ..*t };
        let members = &mut self.round2.members[start2..];
        h.transfers_thb_year = transfers(members, &self.keys2, date2, &t2);
        let pc = income_pc(members, h.transfers_thb_year);
        let carded = members.iter().any(|m| m.welfare_card);
        if pc < LINE_THB && !carded && d.chance(0.35) {
            grant_cards(d, members, date2);
        } else if pc >= 1.5 * LINE_THB && carded && d.chance(0.08) {
            // Screened out at re-registration.
            members.iter_mut().for_each(|m| m.welfare_card = false);
        }
        h
    }

    /// Moves a member across life stages between the rounds: starting school, finishing a
    /// level, leaving school for work, retiring.
    fn grow_up(&mut self, m: &mut Member, a1: i32, a2: i32, t: &HouseholdTraits) {
        let (s1, s2) = (stage(a1), stage(a2));
        let z = t.z;
        if s2 != s1 {
            let d = &mut self.dice;
            match s2 {
                1 => {
                    m.in_school = !d.chance(tilt(0.12, z, 0.9));
                    if m.in_school {
                        m.occupation = Occupation::Student;
                    }
                }
                2 => {
                    m.in_school = !d.chance(tilt(0.012, z, 1.0));
                    m.occupation = if m.in_school {
                        Occupation::Student
                    } else {
                        Occupation::None
                    };
                }
                3 => {
                    if m.in_school {
                        m.education = Education::LowerSecondary;
                        if d.chance(0.18) {
                            self.start_work(m, a2, t);
                        }
                    }
                }
                4 => {
                    if m.in_school {
                        m.education = if d.chance(0.7) {
                            Education::UpperSecondary
                        } else {
                            Education::Vocational
                        };
                        if d.chance(0.6) {
                            self.start_work(m, a2, t);
                        }
                    }
                }
                5 => {
                    if m.in_school {
                        m.education = if d.chance(0.8) {
                            Education::Bachelor
                        } else {
                            Education::Vocational
                        };
                        self.start_work(m, a2, t);
                    }
                }
                _ => {
                    if matches!(
                        m.occupation,
                        Occupation::Employee | Occupation::DailyWage | Occupation::CivilServant
                    ) && d.chance(0.5)
                    {
                        m.income_thb_year = if m.occupation == Occupation::CivilServant {
                            round_to(m.income_thb_year * 0.6, 100.0)
                        } else {
                            0.0
                        };
                        m.occupation = Occupation::None;
                        m.can_work = d.chance(0.4);
                        m.wants_work = false;
                    }
                }
            }
        } else if s2 == 3 && m.in_school && self.dice.chance(0.05) {
            // Dropped out of upper secondary school.
            self.start_work(m, a2, t);
        }
        if a2 >= 8 && m.in_school && m.education == Education::None {
            m.education = Education::Primary;
        }
        if a2 >= 8 && m.in_school {
            m.literate = true;
        }
    }

    /// Removes the members of the current round-2 household who died during the year, never the
    /// last one; a new head is named when the head died.
    fn deaths(&mut self, start2: usize, date2: NaiveDate) {
        let mut i = start2;
        while i < self.round2.members.len() {
            let alone = self.round2.members.len() - start2 == 1;
            let m = &self.round2.members[i];
            let a = m.age_at(date2).unwrap_or(0);
            let p = match a {
                0 => 0.005,
                1..=39 => 0.001,
                40..=59 => 0.004,
                60..=69 => 0.015,
                70..=79 => 0.04,
                80..=89 => 0.1,
                _ => 0.2,
            };
            let p = if m.dependent { p * 2.0 } else { p };
            // Children are not left alone: the household would have moved in with relatives.
            let last_adult = a >= 18
                && !self.round2.members[start2..]
                    .iter()
                    .enumerate()
                    .any(|(j, o)| start2 + j != i && o.age_at(date2).is_some_and(|x| x >= 18));
            if !alone && !last_adult && self.dice.chance(p) {
                self.round2.members.remove(i);
                self.keys2.remove(i - start2);
            } else {
                i += 1;
            }
        }
        let members = &mut self.round2.members[start2..];
        if !members.iter().any(|m| m.relation == Relation::Head) {
            let heir = members
                .iter()
                .position(|m| m.relation == Relation::Spouse)
                .unwrap_or_else(|| {
                    // The oldest member takes over.
                    let mut best = 0;
                    for (j, m) in members.iter().enumerate() {
                        if m.age_at(date2) > members[best].age_at(date2) {
                            best = j;
                        }
                    }
                    best
                });
            members[heir].relation = Relation::Head;
        }
    }

    /// Perhaps adds a baby born between the rounds to the current round-2 household.
    fn birth(&mut self, start2: usize, date1: NaiveDate, date2: NaiveDate, place: &Place) {
        let members = &self.round2.members[start2..];
        let Some(mother) = members.iter().position(|m| {
            m.sex == Sex::F && m.age_at(date2).is_some_and(|a| (18..=42).contains(&a))
        }) else {
            return;
        };
        if !self.dice.chance(0.07) {
            return;
        }
        let mother = &members[mother];
        let (relation, surname) = match mother.relation {
            Relation::Head | Relation::Spouse => {
                let head = members
                    .iter()
                    .find(|m| m.relation == Relation::Head)
                    .unwrap_or(mother);
                (Relation::Child, head.last_name.clone())
            }
            _ => (Relation::Relative, mother.last_name.clone()),
        };
        let member_no = members.iter().map(|m| m.member_no).max().unwrap_or(0) + 1;
        // Born after the first visit and less than a year before the second, so aged 0 at it.
        let days = (date2 - date1).num_days() as i32;
        let birth = date2 - Days::new(self.dice.int(1, (days - 1).min(364)) as u64);
        let (seq, key) = self.next_person_key();
        let sex = if self.dice.chance(0.51) {
            Sex::M
        } else {
            Sex::F
        };
        let national_id = if self.dice.chance(0.97) {
            self.national_id(seq, 2025)
        } else {
            None
        };
        let baby = Member {
            household_id: place.id.clone(),
            round: self.round2.label.clone(),
            member_no,
            national_id,
            first_name: self.first_name(sex, 2025),
            last_name: surname,
            sex,
            birth_date: Some(birth),
            age: None,
            relation,
            education: Education::None,
            in_school: false,
            literate: false,
            occupation: Occupation::None,
            income_thb_year: 0.0,
            disability: false,
            chronic_illness: false,
            dependent: false,
            receives_care: true,
            welfare_card: false,
            health_insurance: true,
            skills: Skills::NONE,
            can_work: false,
            wants_work: false,
        };
        self.round2.members.push(baby);
        self.keys2.push(key);
    }
}

/// Where and when a household is surveyed.
struct Place<'a> {
    /// Stable key for per-household coins.
    key: u64,
    id: HouseholdId,
    village: AreaCode,
    house_no: String,
    location: Option<(f64, f64)>,
    /// Survey dates of round 1 and round 2.
    dates: (NaiveDate, NaiveDate),
    /// The village's poverty propensity.
    z: f64,
    sub: &'a SubdistrictPlan,
}

fn head_age(members: &[Member], on: NaiveDate) -> i32 {
    members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .and_then(|m| m.age_at(on))
        .unwrap_or(0)
}

fn adult_education(d: &mut Dice, age: i32, z: f64) -> Education {
    use Education::*;
    const LEVELS: [Education; 7] = [
        None,
        Primary,
        LowerSecondary,
        UpperSecondary,
        Vocational,
        Bachelor,
        Higher,
    ];
    // Older cohorts left school after primary; the young stay longer.
    let base: [f64; 7] = match age {
        ..=39 => [0.01, 0.14, 0.2, 0.25, 0.18, 0.2, 0.02],
        40..=59 => [0.02, 0.45, 0.2, 0.14, 0.09, 0.09, 0.01],
        _ => [0.1, 0.78, 0.05, 0.03, 0.02, 0.02, 0.0],
    };
    let mut w = base;
    for (i, x) in w.iter_mut().enumerate() {
        if i >= 3 {
            *x *= exp(-0.5 * z);
        }
    }
    // A degree takes until about 22, a higher one a little longer.
    if age < 22 {
        w[5] = 0.0;
    }
    if age < 24 {
        w[6] = 0.0;
    }
    LEVELS[d.weighted(&w)]
}

fn occupation(
    d: &mut Dice,
    age: i32,
    t: &HouseholdTraits,
    education: Education,
    disability: bool,
) -> Occupation {
    use Occupation::*;
    let z = t.z;
    let (kinds, mut w): (&[Occupation], Vec<f64>) = match age {
        ..=59 => {
            let mut w = if t.urban {
                vec![0.15, 0.17, 0.3, 0.18, 0.08, 0.06, 0.06, 0.0]
            } else {
                vec![0.4, 0.17, 0.13, 0.1, 0.08, 0.03, 0.05, 0.02]
            };
            w[1] *= exp(0.4 * z);
            w[2] *= exp(-0.5 * z);
            w[4] *= exp(0.8 * z);
            w[5] *= exp(-0.8 * z);
            if education >= Education::Bachelor {
                w[2] *= 2.0;
                w[5] *= 4.0;
            }
            if disability {
                w[4] *= 4.0;
            }
            if age < 20 {
                w[5] = 0.0;
            }
            (
                &[
                    Farmer,
                    DailyWage,
                    Employee,
                    OwnBusiness,
                    None,
                    CivilServant,
                    Other,
                    Fisher,
                ],
                w,
            )
        }
        60..=69 => (
            &[Farmer, None, OwnBusiness, DailyWage, Other],
            vec![0.45, 0.35, 0.08, 0.07, 0.05],
        ),
        _ => (&[None, Farmer, OwnBusiness], vec![0.7, 0.25, 0.05]),
    };
    if disability && age >= 60 {
        w[0] *= 2.0;
    }
    kinds[d.weighted(&w)]
}

fn income(d: &mut Dice, occupation: Occupation, age: i32, z: f64) -> f64 {
    let (median, sigma) = match occupation {
        Occupation::Farmer => (80_000.0, 0.6),
        Occupation::Fisher => (70_000.0, 0.5),
        Occupation::DailyWage => (84_000.0, 0.35),
        Occupation::Employee => (150_000.0, 0.35),
        Occupation::OwnBusiness => (140_000.0, 0.7),
        Occupation::CivilServant => (330_000.0, 0.3),
        Occupation::Other => (90_000.0, 0.5),
        Occupation::Student => return 0.0,
        Occupation::None => {
            // A few of the elderly draw a pension or rent.
            return if age >= 60 && d.chance(0.12) {
                round_to(d.around(60_000.0, 0.6), 100.0)
            } else {
                0.0
            };
        }
    };
    let median = if age >= 60 { median * 0.6 } else { median };
    round_to(0.85 * d.around(median, sigma) * exp(-0.3 * z), 100.0).max(1_000.0)
}

fn skills(d: &mut Dice, occupation: Occupation, urban: bool) -> Skills {
    use Skill::*;
    let mut s = Skills::NONE;
    let main: &[Skill] = match occupation {
        Occupation::Farmer => &[Agriculture, Agriculture, FoodProcessing, Handicraft],
        Occupation::Fisher => &[Agriculture, FoodProcessing],
        Occupation::DailyWage => &[Construction, Agriculture, Driving, Construction],
        Occupation::Employee => &[Trade, Digital, Driving, TourismService, Other],
        Occupation::OwnBusiness => &[Trade, FoodProcessing, Handicraft, Trade],
        Occupation::CivilServant => &[Digital, Other],
        Occupation::Other => &[Other, Handicraft, Driving],
        Occupation::Student => &[Digital, Other],
        Occupation::None => &[Agriculture, Handicraft, FoodProcessing, Construction],
    };
    if d.chance(0.85) {
        s.insert(d.pick(main));
    }
    if d.chance(0.3) {
        s.insert(d.pick(&Skill::ALL));
    }
    let tourism = match occupation {
        Occupation::Employee | Occupation::OwnBusiness => 0.12,
        _ => 0.05,
    };
    if d.chance(if urban { tourism * 2.0 } else { tourism }) {
        s.insert(TourismService);
    }
    s
}

/// The household's transfers per year: the elderly allowance, the disability allowance, the child
/// support grant and money sent home.
fn transfers(members: &[Member], keys: &[u64], on: NaiveDate, t: &HouseholdTraits) -> f64 {
    let n = members.len().max(1) as f64;
    let earned_pc = members.iter().map(|m| m.income_thb_year).sum::<f64>() / n;
    let child_grant = earned_pc < 60_000.0 && coin(t.key, 3, 0.75);
    let mut total = t.remittance;
    for (m, key) in members.iter().zip(keys) {
        let age = m.age_at(on).unwrap_or(0);
        if age >= 60 && coin(*key, 1, 0.95) {
            total += elderly_allowance(age);
        }
        if m.disability && coin(*key, 2, 0.88) {
            total += 9_600.0;
        }
        if age < 6 && child_grant {
            total += 7_200.0;
        }
    }
    total
}

fn income_pc(members: &[Member], transfers: f64) -> f64 {
    (members.iter().map(|m| m.income_thb_year).sum::<f64>() + transfers)
        / members.len().max(1) as f64
}

/// Registers the household for the welfare card: the head and most other adults hold one.
fn grant_cards(d: &mut Dice, members: &mut [Member], on: NaiveDate) {
    for m in members {
        if m.age_at(on).is_some_and(|a| a >= 18) {
            m.welfare_card = m.relation == Relation::Head || d.chance(0.55);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use thanrak_core::schema;

    const LINE: f64 = 38_000.0;

    /// The 16 indicators of methodology §2, in its order.
    const INDICATORS: [&str; 16] = [
        "health_coverage",
        "chronic_care",
        "housing",
        "drinking_water",
        "water_supply",
        "sanitation_power",
        "early_childhood",
        "compulsory_school",
        "upper_secondary",
        "literacy",
        "working_age_work",
        "elderly_income",
        "income_per_capita",
        "elderly_care",
        "disability_care",
        "welfare_access",
    ];
    const GROUPS: [&str; 4] = ["hardship", "struggling", "getting_by", "doing_well"];

    #[test]
    fn province_by_province_is_the_same_population() {
        let areas = AreaRegistry::official();
        let config = DemoConfig {
            households: 3000,
            seed: 4,
            provinces: ["52", "45", "10"]
                .iter()
                .map(|c| AreaCode::parse(c).unwrap())
                .collect(),
        };
        let [whole1, whole2] = generate(&config, areas).unwrap();
        let mut parts = Vec::new();
        generate_by_province::<DemoError>(&config, areas, |r1, r2| {
            parts.push((r1, r2));
            Ok(())
        })
        .unwrap();
        assert_eq!(parts.len(), 3, "one call per province");
        let joined = |pick: fn(&(DemoRound, DemoRound)) -> &DemoRound| {
            let mut households = Vec::new();
            let mut members = Vec::new();
            for p in &parts {
                households.extend(pick(p).households.iter().cloned());
                members.extend(pick(p).members.iter().cloned());
            }
            (households, members)
        };
        assert_eq!(joined(|p| &p.0), (whole1.households, whole1.members));
        assert_eq!(joined(|p| &p.1), (whole2.households, whole2.members));
    }

    /// A household's deprivations (§2) and group (§4), computed here straight from the fields so
    /// that the generator is checked independently of the measurement code.
    struct Assessed {
        deprived: [bool; 16],
        group: usize,
    }

    fn assess(h: &Household, ms: &[Member]) -> Assessed {
        let people: Vec<(&Member, i32)> = ms
            .iter()
            .map(|m| (m, m.age_at(h.survey_date).expect("an age")))
            .collect();
        let any = |f: &dyn Fn(&Member, i32) -> bool| people.iter().any(|(m, a)| f(m, *a));
        let n = ms.len() as f64;
        let income_pc =
            (ms.iter().map(|m| m.income_thb_year).sum::<f64>() + h.transfers_thb_year) / n;
        let poor = income_pc < LINE;
        let housing = matches!(
            h.housing_condition,
            HousingCondition::Dilapidated | HousingCondition::Temporary
        ) || h.housing_tenure == HousingTenure::None;
        let working_age = |a: i32| (15..=59).contains(&a);
        let deprived = [
            any(&|m, _| !m.health_insurance),
            any(&|m, _| m.chronic_illness && !m.receives_care),
            housing,
            !h.drinking_water_ok,
            !h.water_use_ok,
            !h.sanitary_toilet || !h.electricity,
            any(&|m, a| (3..=5).contains(&a) && !m.in_school),
            any(&|m, a| (6..=14).contains(&a) && !m.in_school),
            any(&|m, a| {
                (15..=18).contains(&a) && !m.in_school && m.education < Education::UpperSecondary
            }),
            any(&|m, a| working_age(a) && !m.literate),
            any(&|m, a| working_age(a) && m.can_work && m.occupation == Occupation::None),
            any(&|m, a| a >= 60 && m.income_thb_year == 0.0),
            poor,
            any(&|m, a| a >= 60 && (m.dependent || m.chronic_illness) && !m.receives_care),
            any(&|m, _| m.disability && !m.receives_care),
            poor && !any(&|m, _| m.welfare_card),
        ];
        let share = |c: &[bool]| c.iter().filter(|x| **x).count() as f64 / c.len() as f64;
        let capable = any(&|m, a| working_age(a) && m.can_work && !m.dependent);
        let human = share(&[
            capable,
            !deprived[9],
            !deprived[7],
            ms.iter()
                .all(|m| !(m.chronic_illness || m.disability || m.dependent) || m.receives_care),
            ms.iter().any(|m| m.education >= Education::LowerSecondary),
        ]);
        let physical = share(&[
            !housing,
            h.drinking_water_ok,
            h.water_use_ok,
            h.electricity && h.sanitary_toilet,
        ]);
        let financial = share(&[
            !poor,
            h.savings_thb > 0.0,
            h.debt_formal_thb + h.debt_informal_thb <= n * income_pc,
            h.debt_informal_thb == 0.0,
        ]);
        let natural = share(&[
            h.farm_land_rai > 0.0 && h.land_tenure != LandTenure::None,
            h.natural_resource_use,
            !h.disaster_risk,
        ]);
        let social = share(&[
            h.group_memberships >= 1,
            h.receives_community_help,
            !deprived[15],
        ]);
        let group = if poor && (!capable || human < 0.5 || physical < 0.5) {
            0
        } else if poor {
            1
        } else if income_pc < 1.5 * LINE
            || [human, physical, financial, natural, social]
                .iter()
                .any(|c| *c < 0.5)
        {
            2
        } else {
            3
        };
        Assessed { deprived, group }
    }

    /// Each household with its members (members are contiguous and in household order).
    fn households(round: &DemoRound) -> Vec<(&Household, &[Member])> {
        let mut out = Vec::with_capacity(round.households.len());
        let mut at = 0;
        for h in &round.households {
            let end = at
                + round.members[at..]
                    .iter()
                    .take_while(|m| m.household_id == h.household_id)
                    .count();
            assert!(end > at, "household {} has no members", h.household_id);
            out.push((h, &round.members[at..end]));
            at = end;
        }
        assert_eq!(at, round.members.len(), "members out of household order");
        out
    }

    fn config(households: usize, seed: u64) -> DemoConfig {
        DemoConfig {
            households,
            seed,
            ..DemoConfig::default()
        }
    }

    fn sample(households: usize, seed: u64) -> [DemoRound; 2] {
        generate(&config(households, seed), AreaRegistry::official()).expect("a valid config")
    }

    #[test]
    fn every_indicator_and_group_occurs_in_both_rounds() {
        let rounds = sample(3_000, 7);
        for round in &rounds {
            let assessed: Vec<Assessed> = households(round)
                .into_iter()
                .map(|(h, ms)| assess(h, ms))
                .collect();
            let n = assessed.len() as f64;
            for (j, name) in INDICATORS.iter().enumerate() {
                let share = assessed.iter().filter(|a| a.deprived[j]).count() as f64 / n;
                eprintln!("{} {name}: {share:.3}", round.label);
                assert!(
                    (0.005..=0.95).contains(&share),
                    "{} {name} deprived share {share}",
                    round.label
                );
            }
            for (g, name) in GROUPS.iter().enumerate() {
                let share = assessed.iter().filter(|a| a.group == g).count() as f64 / n;
                eprintln!("{} {name}: {share:.3}", round.label);
                assert!(share >= 0.03, "{} {name} share {share}", round.label);
            }
        }
    }

    #[test]
    fn poverty_differs_by_area() {
        let [round, _] = sample(6_000, 3);
        // Poor (hardship or struggling) households and all households, by district.
        let mut by_district: Vec<(AreaCode, usize, usize)> = Vec::new();
        for (h, ms) in households(&round) {
            let district = h.village_code.ancestor(AreaLevel::District).unwrap();
            let poor = usize::from(assess(h, ms).group <= 1);
            match by_district.iter_mut().find(|(d, _, _)| *d == district) {
                Some(e) => {
                    e.1 += poor;
                    e.2 += 1;
                }
                None => by_district.push((district, poor, 1)),
            }
        }
        let shares: Vec<f64> = by_district
            .iter()
            .filter(|(_, _, n)| *n >= 60)
            .map(|(_, poor, n)| *poor as f64 / *n as f64)
            .collect();
        assert!(shares.len() >= 10);
        let lo = shares.iter().copied().fold(1.0, f64::min);
        let hi = shares.iter().copied().fold(0.0, f64::max);
        assert!(
            hi - lo >= 0.15,
            "district poor shares only span {lo:.2}..{hi:.2}"
        );
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = sample(800, 11);
        assert_eq!(a, sample(800, 11));
        let b = sample(800, 12);
        assert_ne!(a[0].members, b[0].members);
        assert_ne!(a[1].households, b[1].households);
    }

    #[test]
    fn records_are_valid_and_round_trip() {
        let areas = AreaRegistry::official();
        let rounds = sample(2_000, 5);
        for round in &rounds {
            for h in &round.households {
                assert_eq!(
                    Household::from_values(&h.to_values(), areas).as_ref(),
                    Ok(h)
                );
                assert!(
                    h.village_code.is_within(&AreaCode::parse("52").unwrap())
                        || h.village_code.is_within(&AreaCode::parse("45").unwrap())
                );
                for x in [
                    h.farm_land_rai,
                    h.savings_thb,
                    h.debt_formal_thb,
                    h.debt_informal_thb,
                    h.transfers_thb_year,
                ] {
                    assert!(x.is_finite() && x >= 0.0, "{x} in {}", h.household_id);
                }
                if let Some((lat, lon)) = h.location {
                    assert!((5.6..=20.5).contains(&lat) && (97.3..=105.7).contains(&lon));
                }
                assert!(h.group_memberships <= 1000);
                let (y, m) = (
                    chrono::Datelike::year(&h.survey_date),
                    chrono::Datelike::month(&h.survey_date),
                );
                let year = if round.label.as_str() == ROUND_1 {
                    2025
                } else {
                    2026
                };
                assert!(y == year && (6..=8).contains(&m), "{}", h.survey_date);
            }
            for m in &round.members {
                assert_eq!(Member::from_values(&m.to_values()).as_ref(), Ok(m));
                assert!(!m.first_name.is_empty() && !m.last_name.is_empty());
                assert!(m.income_thb_year.is_finite() && m.income_thb_year >= 0.0);
                assert!(m.birth_date.is_some() != m.age.is_some());
            }
        }
        let all_h: Vec<Household> = rounds.iter().flat_map(|r| r.households.clone()).collect();
        let all_m: Vec<Member> = rounds.iter().flat_map(|r| r.members.clone()).collect();
        let problems = schema::check_batch(&all_h, &all_m, &HashMap::new());
        assert!(
            problems.is_empty(),
            "{:?}",
            &problems[..problems.len().min(5)]
        );
        // A national id is one person: the same household and member number in both rounds.
        let mut owner = HashMap::new();
        for m in &all_m {
            if let Some(id) = m.national_id {
                let who = (m.household_id.clone(), m.member_no);
                assert_eq!(owner.entry(id).or_insert_with(|| who.clone()), &who);
            }
        }
    }

    #[test]
    fn the_second_round_follows_the_same_households() {
        let [r1, r2] = sample(3_000, 9);
        let (h1, h2) = (households(&r1), households(&r2));
        let ids = |r: &DemoRound| -> Vec<HouseholdId> {
            r.households
                .iter()
                .map(|h| h.household_id.clone())
                .collect()
        };
        assert_eq!(ids(&r1), ids(&r2));
        assert!(r1.households[0].household_id.as_str().starts_with("HH52"));
        let (mut births, mut deaths, mut moved) = (0, 0, 0);
        for ((ha, ma), (hb, mb)) in h1.iter().zip(&h2) {
            assert_eq!(ha.village_code, hb.village_code);
            assert_eq!(ha.location, hb.location);
            let numbers: HashSet<u16> = ma.iter().map(|m| m.member_no).collect();
            for m in mb.iter() {
                match ma.iter().find(|x| x.member_no == m.member_no) {
                    Some(before) => {
                        assert_eq!(before.national_id, m.national_id);
                        assert_eq!(before.first_name, m.first_name);
                        assert_eq!(before.birth_date, m.birth_date);
                        assert_eq!(before.age.map(|a| a + 1), m.age);
                    }
                    None => {
                        assert!(m.member_no > *numbers.iter().max().unwrap());
                        assert_eq!(m.age_at(hb.survey_date), Some(0));
                        births += 1;
                    }
                }
            }
            assert_eq!(
                mb.iter().filter(|m| m.relation == Relation::Head).count(),
                1
            );
            deaths += ma
                .iter()
                .filter(|m| !mb.iter().any(|x| x.member_no == m.member_no))
                .count();
            moved += usize::from(assess(ha, ma).group != assess(hb, mb).group);
        }
        assert!(births > 0 && deaths > 0, "births {births}, deaths {deaths}");
        assert!(moved > 150, "only {moved} households changed group");
    }

    #[test]
    fn shape_of_the_population() {
        let [r1, _] = sample(4_000, 2);
        let n = r1.members.len() as f64;
        let per_household = n / r1.households.len() as f64;
        assert!((4.2..=4.6).contains(&per_household), "{per_household}");
        let share =
            |f: &dyn Fn(&Member) -> bool| r1.members.iter().filter(|m| f(m)).count() as f64 / n;
        let no_id = share(&|m| m.national_id.is_none());
        let dated = share(&|m| m.birth_date.is_some());
        assert!((0.06..=0.1).contains(&no_id), "{no_id}");
        assert!((0.66..=0.74).contains(&dated), "{dated}");
        let located = r1
            .households
            .iter()
            .filter(|h| h.location.is_some())
            .count() as f64
            / r1.households.len() as f64;
        assert!((0.87..=0.93).contains(&located), "{located}");
        let on = r1.households[0].survey_date;
        let elderly = share(&|m| m.age_at(on).unwrap() >= 60);
        assert!((0.15..=0.35).contains(&elderly), "{elderly}");
        let farmers = share(&|m| m.occupation == Occupation::Farmer);
        for other in Occupation::ALL.iter().filter(|o| {
            **o != Occupation::Farmer && **o != Occupation::None && **o != Occupation::Student
        }) {
            assert!(farmers > share(&|m| m.occupation == *other), "{other:?}");
        }
    }

    #[test]
    fn bad_configs_are_refused() {
        let areas = AreaRegistry::official();
        let code = |s: &str| AreaCode::parse(s).unwrap();
        let with = |provinces: Vec<AreaCode>| DemoConfig {
            households: 10,
            seed: 1,
            provinces,
        };
        assert_eq!(
            generate(&with(vec![code("99")]), areas).unwrap_err(),
            DemoError::UnknownProvince(code("99"))
        );
        assert_eq!(
            generate(&with(vec![code("5201")]), areas).unwrap_err(),
            DemoError::NotAProvince(code("5201"))
        );
        assert_eq!(
            generate(&with(vec![code("52"), code("52")]), areas).unwrap_err(),
            DemoError::DuplicateProvince(code("52"))
        );
        assert_eq!(
            generate(&with(vec![]), areas).unwrap_err(),
            DemoError::NoProvinces
        );
        assert_eq!(
            generate(&config(0, 1), areas).unwrap_err(),
            DemoError::NoHouseholds
        );
        // Another province works too, with coordinates inside Thailand's box.
        let [r, _] = generate(&with(vec![code("10")]), areas).unwrap();
        assert_eq!(r.households.len(), 10);
        assert!(r
            .households
            .iter()
            .all(|h| h.household_id.as_str().starts_with("HH10")));
    }
}
