//! The report's fonts, compiled in, and the width of a text set in them (from the glyphs'
//! advances), with which tables and charts are laid out before typst sets them.

use std::sync::LazyLock;

use ttf_parser::Face;

/// Laksaman (fonts-tlwg, GPL-2+ with the font exception: see fonts/README.md), regular and bold.
pub(crate) const FONTS: [&[u8]; 2] = [
    include_bytes!("../fonts/Laksaman.ttf"),
    include_bytes!("../fonts/Laksaman-Bold.ttf"),
];

/// The advance of a character the fonts lack (typst shows a box for it), in em.
const MISSING_EM: f64 = 0.6;

static FACES: LazyLock<Vec<Face<'static>>> = LazyLock::new(|| {
    FONTS
        .iter()
        .map(|data| Face::parse(data, 0).expect("the crate's fonts parse"))
        .collect()
});

/// The width in em of `text` set in the regular (or bold) face: of its longest line, without
/// kerning. Vowels and tone marks written above or below a letter have no advance.
pub(crate) fn text_em(text: &str, bold: bool) -> f64 {
    let face = &FACES[usize::from(bold)];
    let per_em = f64::from(face.units_per_em());
    text.lines()
        .map(|line| {
            line.chars()
                .filter(|c| !c.is_control())
                .map(|c| {
                    face.glyph_index(c)
                        .and_then(|g| face.glyph_hor_advance(g))
                        .map_or(MISSING_EM, |advance| f64::from(advance) / per_em)
                })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_glyphs() {
        // Tone marks and vowels over a letter take no room.
        assert_eq!(text_em("ป้", false), text_em("ป", false));
        assert!(text_em("ครัวเรือน", true) > text_em("ครัวเรือน", false));
        assert!(
            (text_em("0", false) - text_em("9", false)).abs() < 1e-9,
            "digits are tabular"
        );
        assert_eq!(text_em("ab\nabc", false), text_em("abc", false));
        assert_eq!(text_em("", false), 0.0);
    }
}
