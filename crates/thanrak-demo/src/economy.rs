//! A synthetic registry of the grassroots economy for the demo (issue 11): enterprises of every
//! kind in the villages of the generated households, with open positions and buy-from /
//! sell-to links, shaped like the provinces' real local economies — Lampang's ceramics, woven
//! cotton and rice; Roi Et's silk, jasmine rice and community tourism. About one enterprise per
//! 40 households, each with one to three positions of one to eight places. A function of the
//! households and the seed alone.

use std::collections::BTreeMap;

use thanrak_core::economy::{
    Enterprise, EnterpriseDraft, EnterpriseKind, HouseholdSupplier, Link, Position, Season,
};
use thanrak_core::household::{Skill, Skills};
use thanrak_core::{AreaCode, AreaLevel, Household};

use crate::Dice;

/// The registry the demo loads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DemoEconomy {
    /// Enterprises, by id.
    pub enterprises: Vec<Enterprise>,
    /// Their open positions, by id.
    pub positions: Vec<Position>,
    /// Who sells to whom.
    pub links: Vec<Link>,
    /// Households of an enterprise's village that sell it what they grow or make, with that
    /// village.
    pub suppliers: Vec<(HouseholdSupplier, AreaCode)>,
}

/// What a kind of business makes, the work it offers and the skill that work wants.
struct Trade {
    kind: EnterpriseKind,
    name: &'static str,
    jobs: &'static [(&'static str, Option<Skill>, i64)],
    season: Option<(u8, u8)>,
}

const TRADES: &[Trade] = &[
    Trade {
        kind: EnterpriseKind::CommunityEnterprise,
        name: "วิสาหกิจชุมชนกลุ่มทอผ้า",
        jobs: &[
            ("ช่างทอผ้า", Some(Skill::Handicraft), 7_500),
            ("ช่างย้อมผ้าสีธรรมชาติ", Some(Skill::Handicraft), 7_000),
        ],
        season: None,
    },
    Trade {
        kind: EnterpriseKind::CommunityEnterprise,
        name: "วิสาหกิจชุมชนแปรรูปอาหาร",
        jobs: &[
            ("พนักงานแปรรูปอาหาร", Some(Skill::FoodProcessing), 8_000),
            ("พนักงานบรรจุหีบห่อ", None, 7_000),
        ],
        season: None,
    },
    Trade {
        kind: EnterpriseKind::CommunityEnterprise,
        name: "วิสาหกิจชุมชนเกษตรอินทรีย์",
        jobs: &[("แรงงานแปลงผักอินทรีย์", Some(Skill::Agriculture), 7_200)],
        season: None,
    },
    Trade {
        kind: EnterpriseKind::Otop,
        name: "เครื่องจักสานไม้ไผ่",
        jobs: &[("ช่างจักสาน", Some(Skill::Handicraft), 7_500)],
        season: None,
    },
    Trade {
        kind: EnterpriseKind::Otop,
        name: "ข้าวหอมมะลิแปรรูป",
        jobs: &[("พนักงานคัดบรรจุข้าว", Some(Skill::FoodProcessing), 8_000)],
        season: Some((11, 3)),
    },
    Trade {
        kind: EnterpriseKind::Sme,
        name: "โรงสีข้าวชุมชน",
        jobs: &[
            ("พนักงานโรงสี", Some(Skill::Agriculture), 9_000),
            ("พนักงานขับรถส่งข้าว", Some(Skill::Driving), 10_500),
        ],
        season: Some((11, 4)),
    },
    Trade {
        kind: EnterpriseKind::Sme,
        name: "ผู้รับเหมาก่อสร้างท้องถิ่น",
        jobs: &[
            ("ช่างก่อสร้าง", Some(Skill::Construction), 10_000),
            ("กรรมกรก่อสร้าง", None, 9_000),
        ],
        season: None,
    },
    Trade {
        kind: EnterpriseKind::Sme,
        name: "ร้านค้าวัสดุการเกษตร",
        jobs: &[("พนักงานขายหน้าร้าน", Some(Skill::Trade), 9_000)],
        season: None,
    },
    Trade {
        kind: EnterpriseKind::Cbt,
        name: "ท่องเที่ยวชุมชน",
        jobs: &[
            ("มัคคุเทศก์ท้องถิ่น", Some(Skill::TourismService), 8_500),
            ("แม่ครัวโฮมสเตย์", Some(Skill::FoodProcessing), 7_500),
        ],
        season: Some((10, 2)),
    },
    Trade {
        kind: EnterpriseKind::Cooperative,
        name: "สหกรณ์การเกษตร",
        jobs: &[
            ("พนักงานรับซื้อผลผลิต", Some(Skill::Agriculture), 9_000),
            ("พนักงานบัญชีและระบบออนไลน์", Some(Skill::Digital), 12_000),
        ],
        season: None,
    },
];

/// What each province is known for: a trade of its own, drawn more often.
fn signature(province: AreaCode) -> Trade {
    match province.to_string().as_str() {
        "52" => Trade {
            kind: EnterpriseKind::Otop,
            name: "เซรามิกลำปาง",
            jobs: &[
                ("ช่างปั้นเซรามิก", Some(Skill::Handicraft), 9_000),
                ("ช่างเขียนลายชามไก่", Some(Skill::Handicraft), 9_500),
                ("พนักงานเผาและบรรจุ", None, 8_000),
            ],
            season: None,
        },
        "45" => Trade {
            kind: EnterpriseKind::Otop,
            name: "ผ้าไหมร้อยเอ็ด",
            jobs: &[
                ("ช่างทอผ้าไหม", Some(Skill::Handicraft), 8_500),
                ("ผู้เลี้ยงไหม", Some(Skill::Agriculture), 7_500),
            ],
            season: None,
        },
        _ => Trade {
            kind: EnterpriseKind::CommunityEnterprise,
            name: "วิสาหกิจชุมชนผลิตภัณฑ์ท้องถิ่น",
            jobs: &[("พนักงานผลิต", None, 7_500)],
            season: None,
        },
    }
}

/// Generates the registry for `households` (one round of the demo).
pub fn economy(households: &[Household], seed: u64) -> DemoEconomy {
    let mut dice = Dice::new(seed ^ 0xEC0_0E1D);
    // Villages with the first household's place (a village's centre, near enough) and size.
    let mut villages: BTreeMap<AreaCode, (Option<(f64, f64)>, usize)> = BTreeMap::new();
    for h in households {
        let v = villages.entry(h.village_code).or_insert((None, 0));
        v.0 = v.0.or(h.location);
        v.1 += 1;
    }
    let mut out = DemoEconomy::default();
    let (mut next_id, mut next_position) = (1i64, 1i64);
    for (village, (place, size)) in &villages {
        let count = (*size + dice.int(0, 39) as usize) / 40;
        let province = village.ancestor(AreaLevel::Province).unwrap_or(*village);
        for _ in 0..count {
            let own = signature(province);
            let trade = if dice.chance(0.3) {
                &own
            } else {
                &TRADES[dice.int(0, TRADES.len() as i32 - 1) as usize]
            };
            let id = next_id;
            next_id += 1;
            let employees = dice.int(3, 40) as u32;
            let local_share = dice.between(0.2, 1.0);
            let draft = EnterpriseDraft {
                id,
                kind: trade.kind,
                name: format!(
                    "{} หมู่ {}",
                    trade.name,
                    village.to_string()[6..].trim_start_matches('0')
                ),
                village: *village,
                location: place.map(|(a, b)| {
                    let r = |x: f64| (x * 1e6).round() / 1e6;
                    (
                        r(a + dice.between(-0.004, 0.004)),
                        r(b + dice.between(-0.004, 0.004)),
                    )
                }),
                employees,
                local_employees: ((f64::from(employees) * local_share) as u32).min(employees),
                local_resource_pct: dice.int(10, 100) as u8,
                shares_income: dice.chance(if trade.kind == EnterpriseKind::Sme {
                    0.3
                } else {
                    0.75
                }),
                registration_no: (trade.kind == EnterpriseKind::CommunityEnterprise).then(|| {
                    format!(
                        "{}-{}-{:04}",
                        &village.to_string()[..4],
                        &village.to_string()[4..8],
                        id % 10_000
                    )
                }),
                otop_stars: (trade.kind == EnterpriseKind::Otop).then(|| dice.int(1, 5) as u8),
            };
            let Ok(e) = Enterprise::new(draft) else {
                continue;
            };
            let jobs = dice.int(1, trade.jobs.len() as i32) as usize;
            for (title, skill, wage) in trade.jobs.iter().take(jobs) {
                let mut wanted = Skills::NONE;
                if let Some(s) = skill {
                    wanted.insert(*s);
                }
                let wage = wage + 250 * i64::from(dice.int(-4, 8));
                let season = trade
                    .season
                    .map_or(Season::AllYear, |(a, b)| Season::Months(a, b));
                if let Ok(p) = Position::new(
                    next_position,
                    id,
                    title,
                    dice.int(1, 8) as u32,
                    wanted,
                    wage,
                    season,
                ) {
                    out.positions.push(p);
                    next_position += 1;
                }
            }
            out.enterprises.push(e);
        }
    }
    // Value chains: producers sell to a cooperative, a mill or a tourism group of their
    // district when there is one.
    let buyers: Vec<(AreaCode, i64, EnterpriseKind)> = out
        .enterprises
        .iter()
        .filter(|e| {
            matches!(
                e.fields().kind,
                EnterpriseKind::Cooperative | EnterpriseKind::Cbt | EnterpriseKind::Sme
            )
        })
        .map(|e| {
            (
                e.fields()
                    .village
                    .ancestor(AreaLevel::District)
                    .unwrap_or(e.fields().village),
                e.id(),
                e.fields().kind,
            )
        })
        .collect();
    for e in &out.enterprises {
        let f = e.fields();
        if !matches!(
            f.kind,
            EnterpriseKind::CommunityEnterprise | EnterpriseKind::Otop
        ) {
            continue;
        }
        let district = f.village.ancestor(AreaLevel::District).unwrap_or(f.village);
        let near: Vec<&(AreaCode, i64, EnterpriseKind)> =
            buyers.iter().filter(|b| b.0 == district).collect();
        if near.is_empty() || !dice.chance(0.6) {
            continue;
        }
        let b = near[dice.int(0, near.len() as i32 - 1) as usize];
        let what = match b.2 {
            EnterpriseKind::Cbt => "ของฝากและอาหารสำหรับนักท่องเที่ยว",
            EnterpriseKind::Cooperative => "ผลผลิตเพื่อรวบรวมจำหน่าย",
            _ => "วัตถุดิบและสินค้าชุมชน",
        };
        if let Ok(l) = Link::new(e.id(), b.1, what) {
            out.links.push(l);
        }
    }
    // Supplier households: a producer buys from one to four households of its village. A dice
    // of its own, so that what was generated above does not change.
    let mut dice = Dice::new(seed ^ 0x5099_11E5);
    let mut by_village: BTreeMap<AreaCode, Vec<&Household>> = BTreeMap::new();
    for h in households {
        by_village.entry(h.village_code).or_default().push(h);
    }
    for e in &out.enterprises {
        let f = e.fields();
        let what = match f.kind {
            EnterpriseKind::CommunityEnterprise => "ผลผลิตการเกษตรเป็นวัตถุดิบ",
            EnterpriseKind::Otop => "วัตถุดิบงานหัตถกรรม",
            EnterpriseKind::Cooperative => "ข้าวเปลือก",
            EnterpriseKind::Cbt => "อาหารพื้นบ้านสำหรับนักท่องเที่ยว",
            EnterpriseKind::Sme => continue,
        };
        let Some(homes) = by_village.get(&f.village) else {
            continue;
        };
        if !dice.chance(0.7) {
            continue;
        }
        let n = (dice.int(1, 4) as usize).min(homes.len());
        let mut picked: Vec<usize> = Vec::new();
        while picked.len() < n {
            let i = dice.int(0, homes.len() as i32 - 1) as usize;
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        picked.sort_unstable();
        for i in picked {
            if let Ok(s) = HouseholdSupplier::new(e.id(), homes[i].household_id.as_str(), what) {
                out.suppliers.push((s, f.village));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate, DemoConfig};
    use thanrak_core::AreaRegistry;

    #[test]
    fn the_registry_is_realistic_and_the_same_every_time() {
        let config = DemoConfig {
            households: 4_000,
            ..DemoConfig::default()
        };
        let [round, _] = generate(&config, AreaRegistry::official()).unwrap();
        let a = economy(&round.households, 1);
        assert_eq!(a, economy(&round.households, 1));
        let n = a.enterprises.len();
        assert!(
            (60..=140).contains(&n),
            "{n} enterprises for 4,000 households"
        );
        for kind in EnterpriseKind::ALL {
            assert!(
                a.enterprises.iter().any(|e| e.fields().kind == kind),
                "{kind}"
            );
        }
        assert!(a.positions.len() >= n);
        assert!(!a.links.is_empty());
        let lampang = AreaCode::parse("52").unwrap();
        assert!(a
            .enterprises
            .iter()
            .any(|e| e.fields().village.is_within(&lampang) && e.fields().name.contains("เซรามิก")));
        // Every position and link names an enterprise of the registry.
        let ids: std::collections::BTreeSet<i64> =
            a.enterprises.iter().map(Enterprise::id).collect();
        assert!(a.positions.iter().all(|p| ids.contains(&p.enterprise_id)));
        assert!(a
            .links
            .iter()
            .all(|l| ids.contains(&l.supplier_id) && ids.contains(&l.buyer_id)));
    }
}
