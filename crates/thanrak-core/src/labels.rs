//! Coded values with their labels: the language of a label, and [`labelled_enum!`], the one macro
//! that declares every enumeration with a stable code (files, URLs, the API, the database) and a
//! Thai and an English label (the pages). Household fields, groups, capitals, roles, area levels
//! and job states are all declared through it, so each label lives once, beside its code.

/// A language of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// ไทย, the default.
    #[default]
    Th,
    /// English.
    En,
}

impl Lang {
    /// The code used in URLs, cookies and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }

    /// Parses `th` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "th" => Some(Lang::Th),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Declares an enumeration of coded values, each `Variant = "code" / "ไทย" / "English"`, with:
/// `ALL` and `CODES` in declaration order; `as_str` (the code), `label_th`, `label_en` and
/// `label(lang)`; `parse`, which takes the code in any case (`-` for `_`) or the Thai label (as
/// surveyors write it; not the English label, which a file could mistake for a code); `Display` as the code; and serde as the code.
#[macro_export]
macro_rules! labelled_enum {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vm:meta])* $var:ident = $code:literal / $th:literal / $en:literal),+ $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name { $($(#[$vm])* #[doc = $en] $var),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$var),+];
            /// The code of each value, in the same order.
            pub const CODES: &'static [&'static str] = &[$($code),+];
            /// The stable code used in files, URLs, the API and the database.
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $code),+ } }
            /// The Thai label shown to users.
            pub fn label_th(self) -> &'static str { match self { $($name::$var => $th),+ } }
            /// The English label.
            pub fn label_en(self) -> &'static str { match self { $($name::$var => $en),+ } }
            /// The label in `lang`.
            pub fn label(self, lang: $crate::labels::Lang) -> &'static str {
                match lang {
                    $crate::labels::Lang::Th => self.label_th(),
                    $crate::labels::Lang::En => self.label_en(),
                }
            }
            /// Parses a code (any case, `-` for `_`) or a Thai label.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.into_iter().find(|v| {
                    let code = v.as_str();
                    (code.len() == s.len()
                        && code.bytes().zip(s.bytes()).all(|(c, b)| {
                            c.eq_ignore_ascii_case(&b) || (c == b'_' && b == b'-')
                        }))
                        || v.label_th() == s
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = <::std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(d)?;
                Self::parse(&code).ok_or_else(|| {
                    <D::Error as $crate::__serde::de::Error>::unknown_variant(&code, Self::CODES)
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    labelled_enum!(
        /// A test enumeration.
        enum Colour {
            DeepRed = "deep_red" / "แดงเข้ม" / "Deep red",
            Blue = "blue" / "น้ำเงิน" / "Blue",
        }
    );

    #[test]
    fn codes_and_labels_parse_and_print() {
        assert_eq!(Colour::ALL, [Colour::DeepRed, Colour::Blue]);
        assert_eq!(Colour::parse("DEEP-RED"), Some(Colour::DeepRed));
        assert_eq!(Colour::parse(" แดงเข้ม "), Some(Colour::DeepRed));
        assert_eq!(Colour::parse("deep red"), None);
        assert_eq!(Colour::parse("deep"), None);
        assert_eq!(Colour::Blue.to_string(), "blue");
        assert_eq!(Colour::Blue.label(super::Lang::Th), "น้ำเงิน");
    }
}
