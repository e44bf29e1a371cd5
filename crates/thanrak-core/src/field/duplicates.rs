//! Likely duplicate persons and households, within and across rounds: one national id in two
//! households, and the same name and birth date in one subdistrict. Thai names are compared
//! after normalising spaces, the order of vowel and tone marks and common spelling variants
//! ([`name_key`]).

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::ids::NationalId;

/// One person of the registry as detection reads it. `household` indexes the caller's table of
/// (round, household) pairs, so that a person costs no strings beyond its names.
#[derive(Debug, Clone)]
pub struct Person {
    /// The caller's index of the person's (round, household).
    pub household: u32,
    /// The member's number in its household.
    pub member_no: u16,
    /// The national id, when recorded.
    pub national_id: Option<NationalId>,
    /// First name as recorded.
    pub first_name: String,
    /// Last name as recorded.
    pub last_name: String,
    /// Date of birth, when recorded.
    pub birth_date: Option<NaiveDate>,
    /// The subdistrict code of the household's village (6 digits as a number).
    pub subdistrict: u32,
    /// The caller's index of the round (persons of one household share it).
    pub round: u32,
}

/// Why persons are thought to be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Evidence {
    /// The same national id in two households (of one round, or of two rounds under different
    /// household ids).
    NationalId,
    /// The same name and birth date in one subdistrict.
    NameAndBirth,
}

impl Evidence {
    /// The stable code (kept with review decisions).
    pub fn code(self) -> &'static str {
        match self {
            Evidence::NationalId => "national_id",
            Evidence::NameAndBirth => "name_birth",
        }
    }
}

/// A set of persons (indexes into the input) thought to be one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Why.
    pub evidence: Evidence,
    /// The persons, in input order; at least two, and never all of one household member.
    pub persons: Vec<u32>,
}

/// Consonants that sound alike and are often spelt one for the other in names, mapped to one.
fn variant(c: char) -> char {
    match c {
        'ศ' | 'ษ' => 'ส',
        'ณ' => 'น',
        'ฑ' | 'ฒ' | 'ธ' => 'ท',
        'ฎ' => 'ด',
        'ฏ' => 'ต',
        'ภ' => 'พ',
        'ฬ' => 'ล',
        'ญ' => 'ย',
        'ฆ' => 'ค',
        'ฌ' => 'ช',
        'ฐ' => 'ถ',
        other => other,
    }
}

/// The order marks above or below a consonant are compared in: vowels first, then tone marks.
fn mark_rank(c: char) -> Option<u8> {
    match c {
        // Above and below vowels, and the short-vowel sign.
        '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}' => Some(0),
        // Tone marks.
        '\u{0E48}'..='\u{0E4B}' => Some(1),
        // Nikhahit (the top of sara am once decomposed).
        '\u{0E4D}' => Some(2),
        _ => None,
    }
}

/// The key two spellings of one name share: no spaces or dots, Latin letters in lower case,
/// sara am written as nikhahit + sara aa (so that the tone mark typed before or after it
/// compares equal), the marks on each consonant in one order, the silent letter with its
/// cancellation mark (ทัณฑฆาต) left out, and consonants that sound alike made one.
pub fn name_key(first: &str, last: &str) -> String {
    let mut chars: Vec<char> = Vec::with_capacity(first.len() + last.len());
    for c in first
        .chars()
        .chain(std::iter::once(' '))
        .chain(last.chars())
    {
        match c {
            c if c.is_whitespace() || c == '.' || c == '\u{200B}' => {}
            '\u{0E33}' => {
                chars.push('\u{0E4D}');
                chars.push('\u{0E32}');
            }
            '\u{0E4C}' => {
                // The cancellation mark silences the letter before it (with its vowel mark).
                while let Some(&p) = chars.last() {
                    let is_mark = mark_rank(p).is_some();
                    chars.pop();
                    if !is_mark {
                        break;
                    }
                }
            }
            c => chars.push(variant(c.to_lowercase().next().unwrap_or(c))),
        }
    }
    // Sara am's nikhahit goes after the tone mark typed before or after it: sort each run of
    // marks by rank (stable, so two vowels keep their order).
    let mut i = 0;
    while i < chars.len() {
        if mark_rank(chars[i]).is_some() {
            let start = i;
            while i < chars.len() && mark_rank(chars[i]).is_some() {
                i += 1;
            }
            chars[start..i].sort_by_key(|&c| mark_rank(c));
        } else {
            i += 1;
        }
    }
    chars.into_iter().collect()
}

/// Finds the likely duplicates among `persons`: groups of persons sharing a national id across
/// two or more households (not one household followed across rounds), and of persons sharing a
/// name key and birth date in one subdistrict and round or across rounds under different
/// households. `household_id(i)` gives the household id a household index stands for, so that
/// one household followed across rounds is not taken for two. Groups come sorted by evidence
/// and first person.
pub fn find(persons: &[Person], household_key: &(dyn Fn(u32) -> u64 + Sync)) -> Vec<Group> {
    let keys: Vec<Option<(u32, NaiveDate, String)>> = persons
        .par_iter()
        .map(|p| {
            p.birth_date
                .map(|b| (p.subdistrict, b, name_key(&p.first_name, &p.last_name)))
        })
        .collect();
    let mut by_id: FxHashMap<NationalId, Vec<u32>> = FxHashMap::default();
    let mut by_name: FxHashMap<(u32, NaiveDate, &str), Vec<u32>> = FxHashMap::default();
    for (i, p) in persons.iter().enumerate() {
        if let Some(id) = p.national_id {
            by_id.entry(id).or_default().push(i as u32);
        }
        if let Some((s, b, k)) = &keys[i] {
            if !k.is_empty() {
                by_name
                    .entry((*s, *b, k.as_str()))
                    .or_default()
                    .push(i as u32);
            }
        }
    }
    // A group is worth a look when it spans two households, or holds one person twice in one
    // household of one round.
    let worth = |members: &[u32]| {
        let first = &persons[members[0] as usize];
        let key0 = household_key(first.household);
        members.iter().any(|&m| {
            let p = &persons[m as usize];
            household_key(p.household) != key0
        }) || {
            let mut seen: Vec<(u32, u32)> = members
                .iter()
                .map(|&m| (persons[m as usize].round, persons[m as usize].household))
                .collect();
            seen.sort_unstable();
            seen.windows(2).any(|w| w[0] == w[1])
        }
    };
    let mut groups: Vec<Group> = Vec::new();
    // The national-id group each person is in, so that a name group of the same persons is
    // not listed twice.
    let mut id_group: FxHashMap<u32, usize> = FxHashMap::default();
    for members in by_id.into_values() {
        if members.len() > 1 && worth(&members) {
            for &m in &members {
                id_group.insert(m, groups.len());
            }
            groups.push(Group {
                evidence: Evidence::NationalId,
                persons: members,
            });
        }
    }
    for members in by_name.into_values() {
        let covered = id_group
            .get(&members[0])
            .is_some_and(|g| members.iter().all(|m| id_group.get(m) == Some(g)));
        if members.len() > 1 && !covered && worth(&members) {
            // Persons whose national ids differ are two people, whatever their names.
            let ids: Vec<NationalId> = members
                .iter()
                .filter_map(|&m| persons[m as usize].national_id)
                .collect();
            if ids.windows(2).any(|w| w[0] != w[1]) {
                continue;
            }
            groups.push(Group {
                evidence: Evidence::NameAndBirth,
                persons: members,
            });
        }
    }
    groups.sort_by(|a, b| (a.evidence, a.persons[0]).cmp(&(b.evidence, b.persons[0])));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_share_a_key() {
        // Spaces, and a tone mark typed before or after sara am.
        assert_eq!(name_key("สม ศรี", "ใจดี"), name_key("สมศรี", "ใจ ดี"));
        assert_eq!(name_key("ก่ำ", ""), name_key("ก\u{0E4D}\u{0E48}า", ""));
        assert_eq!(name_key("น้ำ", ""), name_key("น\u{0E4D}\u{0E49}า", ""));
        // Vowel and tone mark in either order.
        assert_eq!(name_key("ปิ่น", ""), name_key("ป\u{0E48}\u{0E34}น", ""));
        // Consonants spelt one for the other, and the silent letter.
        assert_eq!(name_key("ศรีสุข", ""), name_key("สรีสุข", ""));
        assert_eq!(name_key("วรรณา", ""), name_key("วรรนา", ""));
        assert_eq!(name_key("จันทร์", "เพ็ญ"), name_key("จันท", "เพ็ญ"));
        assert_eq!(name_key("Somchai", "K."), name_key("somchai", "k"));
        // Different names stay apart.
        assert_ne!(name_key("สมศรี", "ใจดี"), name_key("สมศักดิ์", "ใจดี"));
        assert_ne!(name_key("มาลี", ""), name_key("มะลิ", ""));
    }

    fn person(household: u32, round: u32, nid: Option<&str>, name: &str, born: &str) -> Person {
        Person {
            household,
            member_no: 1,
            national_id: nid.map(|n| NationalId::parse(n).unwrap()),
            first_name: name.into(),
            last_name: "ใจดี".into(),
            birth_date: NaiveDate::parse_from_str(born, "%Y-%m-%d").ok(),
            subdistrict: 520101,
            round,
        }
    }

    #[test]
    fn groups_span_households_not_one_household_across_rounds() {
        let id = NationalId::from_first12([3, 5, 2, 0, 1, 0, 0, 1, 2, 3, 4, 5]).digits();
        // Households 0 and 1 are one household (id "A") in two rounds; 2 is "B".
        let hh = |h: u32| if h == 2 { 2 } else { 1 };
        let persons = vec![
            person(0, 0, Some(&id), "สมศรี", "1980-01-02"),
            person(1, 1, Some(&id), "สมศรี", "1980-01-02"),
            person(2, 1, Some(&id), "สม ศรี", "1980-01-02"),
            person(0, 0, None, "มาลี", "1990-05-05"),
            person(2, 0, None, "มาลี", "1990-05-05"),
            person(2, 0, None, "มาลี", "1990-05-06"),
        ];
        let groups = find(&persons, &hh);
        // The name group of persons 0–2 is the national-id group again: listed once.
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0].evidence, Evidence::NationalId);
        assert_eq!(groups[0].persons, vec![0, 1, 2]);
        assert_eq!(groups[1].evidence, Evidence::NameAndBirth);
        assert_eq!(groups[1].persons, vec![3, 4]);
        // One household across rounds alone is no duplicate.
        let groups = find(&persons[..2], &hh);
        assert!(groups.is_empty(), "{groups:?}");
    }
}
