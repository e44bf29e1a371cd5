//! From a submission as ODK Central or KoboToolbox export it to the cells of the import format.
//!
//! The tools name a question by its path: ODK Central's CSV joins groups with `-`
//! (`housing-electricity`), KoboToolbox with `/` (`housing/electricity`), and ODK Central's JSON
//! nests objects (flattened by the reader to `housing/electricity`). The question's own name —
//! the last part of the path — is the import format's column. A geopoint comes split
//! (`…-geopoint-Latitude`, `…/_geopoint_latitude`), as one text (`lat lon alt accuracy`) or as
//! GeoJSON coordinates (flattened to `geopoint/coordinates/0` for the longitude).

use crate::date::{completed_years, parse_date};
use crate::field::form::{GEOPOINT, SKIPS};
use crate::schema::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

/// What an export's column holds, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The column of the import format at this index of the table's columns.
    Column(usize),
    /// The geopoint's latitude.
    Lat,
    /// The geopoint's longitude.
    Lon,
    /// The geopoint as `lat lon altitude accuracy`.
    GeoText,
    /// A column of the tool's own (metadata), or a question that is not a column.
    Other,
}

/// The last part of a question's path.
pub fn leaf(header: &str) -> &str {
    let h = header.trim().trim_start_matches('\u{feff}');
    h.rsplit(['/', '-']).next().unwrap_or(h)
}

/// The part of the path before the last.
fn parent_leaf(header: &str) -> &str {
    let h = header.trim();
    let mut parts = h.rsplit(['/', '-']);
    parts.next();
    parts.next().unwrap_or("")
}

/// What the column headed `header` of a main (`members = false`) or repeat table holds.
pub fn field(header: &str, members: bool) -> Field {
    let name = leaf(header);
    let columns = if members {
        MEMBER_COLUMNS
    } else {
        HOUSEHOLD_COLUMNS
    };
    if !members {
        let geo = parent_leaf(header) == GEOPOINT;
        let coordinates = parent_leaf(header) == "coordinates";
        match name {
            "Latitude" if geo => return Field::Lat,
            "Longitude" if geo => return Field::Lon,
            "1" if coordinates => return Field::Lat,
            "0" if coordinates => return Field::Lon,
            "_geopoint_latitude" => return Field::Lat,
            "_geopoint_longitude" => return Field::Lon,
            n if n == GEOPOINT => return Field::GeoText,
            _ => {}
        }
        if geo || coordinates {
            return Field::Other;
        }
    }
    // Lat and lon come from the geopoint only; in a repeat, household keys come from the parent.
    match columns.iter().position(|c| c.name == name) {
        Some(i) if !matches!(name, "lat" | "lon") => Field::Column(i),
        _ => Field::Other,
    }
}

/// The cells of a household in [`HOUSEHOLD_COLUMNS`] order, from the submission's `fields`
/// (header, value) as the tool exported them.
pub fn household_cells<'a>(fields: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut cells = vec![String::new(); HOUSEHOLD_COLUMNS.len()];
    let at = |n: &str| HOUSEHOLD_COLUMNS.iter().position(|c| c.name == n).unwrap();
    let (lat, lon) = (at("lat"), at("lon"));
    for (header, value) in fields {
        let value = value.trim();
        match field(header, false) {
            Field::Column(i) => cells[i] = value.to_string(),
            Field::Lat => cells[lat] = value.to_string(),
            Field::Lon => cells[lon] = value.to_string(),
            Field::GeoText if !value.is_empty() => {
                let mut parts = value.split_whitespace();
                if let (Some(a), Some(b)) = (parts.next(), parts.next()) {
                    if cells[lat].is_empty() && cells[lon].is_empty() {
                        cells[lat] = a.to_string();
                        cells[lon] = b.to_string();
                    }
                }
            }
            Field::GeoText | Field::Other => {}
        }
    }
    cells
}

/// The cells of a member in [`MEMBER_COLUMNS`] order: the household's keys from its
/// submission's `household` cells, the member number from its `position` in the repeat
/// (1-based), the answers from `fields`; a select-multiple's answers (space-separated) become
/// the import format's `;` list, and a question the form skipped takes the value the skip
/// stands for when — and only when — the skip holds.
pub fn member_cells<'a>(
    household: &[String],
    position: usize,
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    let hh = |n: &str| {
        let i = HOUSEHOLD_COLUMNS.iter().position(|c| c.name == n).unwrap();
        household[i].clone()
    };
    let at = |n: &str| MEMBER_COLUMNS.iter().position(|c| c.name == n).unwrap();
    let mut cells = vec![String::new(); MEMBER_COLUMNS.len()];
    for (header, value) in fields {
        if let Field::Column(i) = field(header, true) {
            cells[i] = value.trim().to_string();
        }
    }
    cells[at("household_id")] = hh("household_id");
    cells[at("round")] = hh("round");
    cells[at("member_no")] = position.to_string();
    let skills = at("skills");
    cells[skills] = cells[skills]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(";");
    let age = match (
        parse_date(&cells[at("birth_date")]),
        parse_date(&hh("survey_date")),
    ) {
        (Ok(b), Ok(s)) => Some(completed_years(b, s)),
        _ => cells[at("age")].parse::<i32>().ok(),
    };
    let snapshot = cells.clone();
    let cell = |n: &str| snapshot[at(n)].clone();
    for (name, skip, value) in SKIPS {
        let i = at(name);
        if cells[i].is_empty() && !skip.asked(age, &cell) {
            cells[i] = (*value).to_string();
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_name_columns_by_their_last_part() {
        let idx = |n: &str| HOUSEHOLD_COLUMNS.iter().position(|c| c.name == n).unwrap();
        assert_eq!(
            field("housing-electricity", false),
            Field::Column(idx("electricity"))
        );
        assert_eq!(
            field("housing/electricity", false),
            Field::Column(idx("electricity"))
        );
        assert_eq!(field("location-geopoint-Latitude", false), Field::Lat);
        assert_eq!(field("location-geopoint-Longitude", false), Field::Lon);
        assert_eq!(field("location-geopoint-Accuracy", false), Field::Other);
        assert_eq!(field("location/_geopoint_latitude", false), Field::Lat);
        assert_eq!(field("location/geopoint/coordinates/1", false), Field::Lat);
        assert_eq!(field("location/geopoint/coordinates/0", false), Field::Lon);
        assert_eq!(field("location/geopoint", false), Field::GeoText);
        assert_eq!(field("meta-instanceID", false), Field::Other);
        assert_eq!(field("lat", false), Field::Other);
        assert_eq!(field("KEY", true), Field::Other);
    }

    #[test]
    fn skipped_questions_take_their_value_only_when_skipped() {
        let mut household = vec![String::new(); HOUSEHOLD_COLUMNS.len()];
        household[0] = "H1".into();
        household[1] = "2568".into();
        household[2] = "2025-06-01".into();
        let m = |fields: &[(&str, &str)]| {
            let cells = member_cells(&household, 2, fields.iter().copied());
            move |n: &str| cells[MEMBER_COLUMNS.iter().position(|c| c.name == n).unwrap()].clone()
        };
        // A child of 2: no schooling question, no work questions, no care question.
        let child = m(&[("members-birth_date", "2023-01-01"), ("members-skills", "")]);
        assert_eq!(child("in_school"), "0");
        assert_eq!(child("can_work"), "0");
        assert_eq!(child("wants_work"), "0");
        assert_eq!(child("receives_care"), "0");
        assert_eq!(child("member_no"), "2");
        assert_eq!(child("household_id"), "H1");
        // A child of 10 left without an answer is not filled in: the importer reports it.
        let ten = m(&[("members/age", "10")]);
        assert_eq!(ten("in_school"), "");
        assert_eq!(ten("literate"), "");
        assert_eq!(ten("can_work"), "0");
        // Care is asked of the ill.
        let ill = m(&[
            ("age", "70"),
            ("chronic_illness", "1"),
            ("skills", "trade digital"),
        ]);
        assert_eq!(ill("receives_care"), "");
        assert_eq!(ill("skills"), "trade;digital");
        assert_eq!(ill("wants_work"), "0");
    }

    #[test]
    fn the_geopoint_gives_lat_and_lon() {
        let lat = HOUSEHOLD_COLUMNS
            .iter()
            .position(|c| c.name == "lat")
            .unwrap();
        let cells = household_cells(
            [
                ("location/geopoint", "18.29 99.49 250 5"),
                ("household_id", "A"),
            ]
            .into_iter(),
        );
        assert_eq!(cells[lat], "18.29");
        assert_eq!(cells[lat + 1], "99.49");
        assert_eq!(cells[0], "A");
    }
}
