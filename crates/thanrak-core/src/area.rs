//! Thailand's administrative areas: province (2 digits), district (4), subdistrict (6) and
//! village (8), and the official registry of the first three that ships with thanrak.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

crate::labelled_enum!(
    /// The level of an area in the hierarchy, from the top.
    pub enum AreaLevel {
        /// 2-digit code.
        Province = "province" / "จังหวัด" / "Province",
        /// 4-digit code.
        District = "district" / "อำเภอ" / "District",
        /// 6-digit code.
        Subdistrict = "subdistrict" / "ตำบล" / "Subdistrict",
        /// 8-digit code (subdistrict code and a 2-digit village number).
        Village = "village" / "หมู่บ้าน" / "Village",
    }
);

impl AreaLevel {
    /// The number of digits of a code at this level.
    pub fn code_len(self) -> usize {
        match self {
            AreaLevel::Province => 2,
            AreaLevel::District => 4,
            AreaLevel::Subdistrict => 6,
            AreaLevel::Village => 8,
        }
    }
}

/// Why an area code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaError {
    /// Not 2, 4, 6 or 8 digits.
    #[error("must be 2, 4, 6 or 8 digits")]
    Shape,
    /// The code has the wrong number of digits for the level asked for.
    #[error("must be a {0} code ({1} digits)")]
    Level(AreaLevel, usize),
    /// The code is well formed but not in the official registry.
    #[error("is not a known {0} code")]
    Unknown(AreaLevel),
    /// A village number 00.
    #[error("village number 00 is not valid")]
    VillageZero,
    /// A name that several areas of one level have.
    #[error("is the name of {1} {0}s: give the code")]
    Ambiguous(AreaLevel, usize),
    /// Neither a code nor the name of a province, district or subdistrict.
    #[error("is neither an area code (2, 4, 6 or 8 digits) nor the name of a province, district or subdistrict")]
    NoSuchName,
}

/// An area code whose shape (2, 4, 6 or 8 digits) has been checked. Whether the area exists is
/// the registry's business: see [`AreaRegistry::village`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AreaCode {
    // Digits are stored as a number with the level, so that the code is Copy and cheap to hash.
    value: u32,
    level: AreaLevel,
}

impl AreaCode {
    /// Parses a code of any level.
    pub fn parse(s: &str) -> Result<Self, AreaError> {
        let s = s.trim();
        let level = match s.len() {
            2 => AreaLevel::Province,
            4 => AreaLevel::District,
            6 => AreaLevel::Subdistrict,
            8 => AreaLevel::Village,
            _ => return Err(AreaError::Shape),
        };
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AreaError::Shape);
        }
        let value: u32 = s.parse().map_err(|_| AreaError::Shape)?;
        if level == AreaLevel::Village && value.is_multiple_of(100) {
            return Err(AreaError::VillageZero);
        }
        Ok(Self { value, level })
    }

    /// Parses a code that must be of the given level.
    pub fn parse_level(s: &str, level: AreaLevel) -> Result<Self, AreaError> {
        let code = Self::parse(s).map_err(|e| match e {
            AreaError::Shape => AreaError::Level(level, level.code_len()),
            e => e,
        })?;
        if code.level != level {
            return Err(AreaError::Level(level, level.code_len()));
        }
        Ok(code)
    }

    /// The level of the area.
    pub fn level(&self) -> AreaLevel {
        self.level
    }

    /// The enclosing area, or `None` for a province.
    pub fn parent(&self) -> Option<AreaCode> {
        let level = match self.level {
            AreaLevel::Province => return None,
            AreaLevel::District => AreaLevel::Province,
            AreaLevel::Subdistrict => AreaLevel::District,
            AreaLevel::Village => AreaLevel::Subdistrict,
        };
        Some(AreaCode {
            value: self.value / 100,
            level,
        })
    }

    /// The area that encloses this one at `level`, or `None` when `level` is below this one.
    pub fn ancestor(&self, level: AreaLevel) -> Option<AreaCode> {
        let mut code = *self;
        while code.level > level {
            code = code.parent()?;
        }
        (code.level == level).then_some(code)
    }

    /// Whether `self` is `other` or lies inside it.
    pub fn is_within(&self, other: &AreaCode) -> bool {
        self.ancestor(other.level) == Some(*other)
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.level.code_len())
    }
}

/// One area with its names.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// The area's code.
    pub code: AreaCode,
    /// Thai name.
    pub name_th: String,
    /// English name.
    pub name_en: String,
    /// Postal code (subdistricts only).
    pub postcode: Option<String>,
}

impl Area {
    /// The area's level.
    pub fn level(&self) -> AreaLevel {
        self.code.level()
    }

    /// A village area with generated names ("หมู่ 3" / "Village 3"), made when data first names it.
    pub fn village(code: AreaCode) -> Area {
        let no = code.value % 100;
        Area {
            code,
            name_th: format!("หมู่ {no}"),
            name_en: format!("Village {no}"),
            postcode: None,
        }
    }
}

/// The official table of provinces, districts and subdistricts (DOPA codes), compiled into the binary.
/// Source: the data files of the `geothai` 3.2.1 package, CC-BY-4.0 (DOPA and Thailand Post).
pub const OFFICIAL_AREAS_CSV: &str = include_str!("../data/thai-admin-areas.csv");

/// A lookup table of areas by code.
#[derive(Debug, Clone)]
pub struct AreaRegistry {
    areas: Vec<Area>,
    index: HashMap<AreaCode, usize>,
}

/// A name as users type it: the "จังหวัด", "อำเภอ", "ตำบล" (and short) prefixes, spaces and case
/// aside.
fn normalize_name(t: &str) -> String {
    let t = t.trim();
    let t = ["จังหวัด", "จ.", "อำเภอ", "อ.", "ตำบล", "ต.", "เขต", "แขวง"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    t.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

impl AreaRegistry {
    /// Builds a registry from `code,level,parent_code,name_th,name_en,postcode` text.
    /// Returns the 1-based line number and the reason for the first bad line.
    pub fn from_csv(text: &str) -> Result<Self, (usize, String)> {
        let mut areas = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != 6 {
                return Err((i + 1, format!("expected 6 fields, found {}", f.len())));
            }
            let code = AreaCode::parse(f[0]).map_err(|e| (i + 1, format!("code {}: {e}", f[0])))?;
            if AreaLevel::parse(f[1]) != Some(code.level()) {
                return Err((
                    i + 1,
                    format!("level {} does not match code {}", f[1], f[0]),
                ));
            }
            areas.push(Area {
                code,
                name_th: f[3].to_string(),
                name_en: f[4].to_string(),
                postcode: (!f[5].is_empty()).then(|| f[5].to_string()),
            });
        }
        Ok(Self::from_areas(areas))
    }

    /// Builds a registry from a list of areas.
    pub fn from_areas(areas: Vec<Area>) -> Self {
        let index = areas.iter().enumerate().map(|(i, a)| (a.code, i)).collect();
        Self { areas, index }
    }

    /// The official registry compiled into the binary (parsed once).
    pub fn official() -> &'static AreaRegistry {
        static REG: OnceLock<AreaRegistry> = OnceLock::new();
        REG.get_or_init(|| {
            AreaRegistry::from_csv(OFFICIAL_AREAS_CSV).expect("the shipped area table is valid")
        })
    }

    /// Every area, in file order.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// The area with this code.
    pub fn get(&self, code: &AreaCode) -> Option<&Area> {
        self.index.get(code).map(|i| &self.areas[*i])
    }

    /// The areas directly inside `parent`.
    pub fn children<'a>(&'a self, parent: &'a AreaCode) -> impl Iterator<Item = &'a Area> + 'a {
        self.areas
            .iter()
            .filter(move |a| a.code.parent().as_ref() == Some(parent))
    }

    /// An area a user named: a code of the official table (a village: one whose subdistrict is
    /// in it), or the exact Thai or English name of one (the "จังหวัด", "อำเภอ", "ตำบล"
    /// prefixes, spaces and case aside), looked for among the provinces, then the districts,
    /// then the subdistricts — the first level where the name is found must hold it once.
    pub fn known(&self, s: &str) -> Result<AreaCode, AreaError> {
        let s = s.trim();
        if s.chars().all(|c| c.is_ascii_digit()) {
            let code = AreaCode::parse(s)?;
            if code.level() == AreaLevel::Village {
                return self.village(s);
            }
            return match self.get(&code) {
                Some(_) => Ok(code),
                None => Err(AreaError::Unknown(code.level())),
            };
        }
        let norm = normalize_name;
        let wanted = norm(s);
        if wanted.is_empty() {
            return Err(AreaError::Shape);
        }
        for level in [
            AreaLevel::Province,
            AreaLevel::District,
            AreaLevel::Subdistrict,
        ] {
            let found: Vec<AreaCode> = self
                .areas
                .iter()
                .filter(|a| a.code.level() == level)
                .filter(|a| norm(&a.name_th) == wanted || norm(&a.name_en) == wanted)
                .map(|a| a.code)
                .collect();
            match found.len() {
                0 => continue,
                1 => return Ok(found[0]),
                n => return Err(AreaError::Ambiguous(level, n)),
            }
        }
        Err(AreaError::NoSuchName)
    }

    /// The official areas whose Thai or English name contains `text` (compared as
    /// [`AreaRegistry::known`] compares names), best first: a whole name before a name's start
    /// before a name's middle, then provinces before districts before subdistricts, then by
    /// code; at most `limit`, and only those `keep` accepts.
    pub fn search(&self, text: &str, limit: usize, keep: impl Fn(&AreaCode) -> bool) -> Vec<&Area> {
        let wanted = normalize_name(text);
        if wanted.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(u8, &Area)> = self
            .areas
            .iter()
            .filter_map(|a| {
                let rank = [&a.name_th, &a.name_en]
                    .iter()
                    .filter_map(|n| {
                        let n = normalize_name(n);
                        if n == wanted {
                            Some(0)
                        } else if n.starts_with(&wanted) {
                            Some(1)
                        } else if n.contains(&wanted) {
                            Some(2)
                        } else {
                            None
                        }
                    })
                    .min()?;
                keep(&a.code).then_some((rank, a))
            })
            .collect();
        found.sort_by_key(|(rank, a)| (*rank, a.code.level() as u8, a.code));
        found.into_iter().take(limit).map(|(_, a)| a).collect()
    }

    /// Parses a village code and checks that its subdistrict is known.
    pub fn village(&self, s: &str) -> Result<AreaCode, AreaError> {
        let code = AreaCode::parse_level(s, AreaLevel::Village)?;
        let sub = code.parent().expect("a village has a parent");
        if self.get(&sub).is_none() {
            return Err(AreaError::Unknown(AreaLevel::Subdistrict));
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_is_named_by_its_code_or_its_name() {
        let r = AreaRegistry::official();
        let code = |s: &str| AreaCode::parse(s).unwrap();
        assert_eq!(r.known("52"), Ok(code("52")));
        assert_eq!(r.known(" ลำปาง "), Ok(code("52")));
        assert_eq!(r.known("จังหวัดลำปาง"), Ok(code("52")));
        assert_eq!(r.known("lampang"), Ok(code("52")));
        assert_eq!(r.known("Mueang Lampang"), Ok(code("5201")));
        assert_eq!(r.known("52010101"), Ok(code("52010101")));
        assert_eq!(r.known("99"), Err(AreaError::Unknown(AreaLevel::Province)));
        assert_eq!(
            r.known("529999"),
            Err(AreaError::Unknown(AreaLevel::Subdistrict))
        );
        assert_eq!(
            r.known("99999901"),
            Err(AreaError::Unknown(AreaLevel::Subdistrict))
        );
        assert_eq!(r.known("123"), Err(AreaError::Shape));
        assert_eq!(r.known("ไม่มีที่นี่"), Err(AreaError::NoSuchName));
        // A subdistrict name many provinces share.
        assert!(matches!(
            r.known("ในเมือง"),
            Err(AreaError::Ambiguous(AreaLevel::Subdistrict, _))
        ));
    }

    #[test]
    fn a_search_finds_names_best_first_inside_what_it_may_show() {
        let r = AreaRegistry::official();
        let codes =
            |found: Vec<&Area>| found.iter().map(|a| a.code.to_string()).collect::<Vec<_>>();
        // The province first, then the districts and subdistricts whose names hold it.
        let all = codes(r.search("ลำปาง", 50, |_| true));
        assert_eq!(all[0], "52");
        assert!(all.contains(&"5201".to_string()), "{all:?}");
        assert!(codes(r.search("lamp", 5, |_| true)).contains(&"52".to_string()));
        // Limited to a user's province: nothing of Lampang's name outside it.
        let lampang = AreaCode::parse("52").unwrap();
        let inside = codes(r.search("เมือง", 500, |c| c.is_within(&lampang)));
        assert!(
            !inside.is_empty() && inside.iter().all(|c| c.starts_with("52")),
            "{inside:?}"
        );
        assert!(r.search("  ", 5, |_| true).is_empty());
        assert_eq!(r.search("เมือง", 3, |_| true).len(), 3);
    }

    #[test]
    fn official_registry_counts() {
        let reg = AreaRegistry::official();
        let count = |l| reg.areas().iter().filter(|a| a.level() == l).count();
        assert_eq!(count(AreaLevel::Province), 77);
        assert_eq!(count(AreaLevel::District), 928);
        assert_eq!(count(AreaLevel::Subdistrict), 7436);
        let lampang = reg.get(&AreaCode::parse("52").unwrap()).unwrap();
        assert_eq!(lampang.name_th, "ลำปาง");
        assert_eq!(lampang.name_en, "Lampang");
        // Every district and subdistrict hangs under a known parent.
        for a in reg.areas() {
            if let Some(p) = a.code.parent() {
                assert!(reg.get(&p).is_some(), "{} has no parent", a.code);
            }
        }
    }

    #[test]
    fn codes_and_hierarchy() {
        let v = AreaCode::parse("52010102").unwrap();
        assert_eq!(v.level(), AreaLevel::Village);
        assert_eq!(v.to_string(), "52010102");
        assert_eq!(v.parent().unwrap().to_string(), "520101");
        assert_eq!(v.ancestor(AreaLevel::Province).unwrap().to_string(), "52");
        assert!(v.is_within(&AreaCode::parse("5201").unwrap()));
        assert!(!v.is_within(&AreaCode::parse("45").unwrap()));
        assert_eq!(AreaCode::parse("05").unwrap().to_string(), "05");
        assert_eq!(AreaCode::parse("123"), Err(AreaError::Shape));
        assert_eq!(AreaCode::parse("12a4"), Err(AreaError::Shape));
        assert_eq!(AreaCode::parse("52010100"), Err(AreaError::VillageZero));
        let reg = AreaRegistry::official();
        assert!(reg.village("52010102").is_ok());
        assert_eq!(
            reg.village("99999901"),
            Err(AreaError::Unknown(AreaLevel::Subdistrict))
        );
        assert_eq!(
            reg.village("520101"),
            Err(AreaError::Level(AreaLevel::Village, 8))
        );
    }
}
