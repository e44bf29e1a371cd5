//! The language of the pages: Thai by default, English by `?lang=en` (remembered in a cookie).
//! Texts are looked up by key from one table; a missing key shows the key, which a test catches.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderValue;

use crate::auth::cookie;

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "thanrak_lang";

/// The language of the pages is core's: labels of coded values and reasons of import reports
/// are written there, in the same two languages.
pub use thanrak_core::Lang;

/// The texts of the pages by key.
pub trait Texts {
    /// The text for `key` in this language (the key itself when there is none).
    fn text(self, key: &str) -> &str;
}

impl Texts for Lang {
    fn text(self, key: &str) -> &str {
        MESSAGES
            .iter()
            .chain(crate::pages::texts::MESSAGES)
            .find(|(k, _, _)| *k == key)
            .map(|(_, th, en)| match self {
                Lang::Th => *th,
                Lang::En => *en,
            })
            .unwrap_or(key)
    }
}

/// A value of an import report as the page shows it in `lang`. Values are shown as written,
/// except the dates that the whole-batch checks give back as they read them (ISO, Common Era):
/// on a Thai page those are shown in the Buddhist Era, as the surveyor most likely wrote them.
pub fn report_value(lang: Lang, column: &str, value: &str) -> String {
    match (lang, chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")) {
        (Lang::Th, Ok(d)) if column.ends_with("_date") && value.len() == 10 => {
            thanrak_core::date::format_thai(d)
        }
        _ => value.to_string(),
    }
}

/// The texts of the pages: key, Thai, English.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "ฐานราก", "thanrak"),
    (
        "app.tagline",
        "ข้อมูลครัวเรือนเพื่อแก้ปัญหาความยากจนแบบตรงเป้า",
        "Household data for precise poverty alleviation",
    ),
    ("lang.switch", "English", "ภาษาไทย"),
    ("login.title", "เข้าสู่ระบบ", "Log in"),
    ("login.name", "ชื่อผู้ใช้", "User name"),
    ("login.password", "รหัสผ่าน", "Password"),
    ("login.submit", "เข้าสู่ระบบ", "Log in"),
    (
        "login.bad_credentials",
        "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง",
        "Wrong user name or password.",
    ),
    (
        "login.throttled",
        "ลองเข้าสู่ระบบผิดหลายครั้งเกินไป กรุณารอ 15 นาทีแล้วลองใหม่",
        "Too many failed attempts. Wait 15 minutes and try again.",
    ),
    (
        "login.expired_form",
        "แบบฟอร์มหมดอายุ กรุณาลองอีกครั้ง",
        "The form has expired. Please try again.",
    ),
    ("home.title", "หน้าหลัก", "Home"),
    ("home.signed_in_as", "เข้าสู่ระบบในชื่อ", "Logged in as"),
    ("home.role", "บทบาท", "Role"),
    ("home.areas", "พื้นที่", "Areas"),
    ("home.agency", "หน่วยงาน", "Agency"),
    ("home.session_ends", "หมดเวลาใช้งาน", "Session ends"),
    (
        "home.coming",
        "แดชบอร์ด แผนที่ รายชื่อเป้าหมาย และข้อมูลครอบครัว จะตามมาในส่วนถัดไป",
        "The dashboard, map, target list and family profile come next.",
    ),
    ("home.api_docs", "เอกสาร API", "API documentation"),
    ("logout.submit", "ออกจากระบบ", "Log out"),
];

/// A time as shown in the language: Buddhist-Era date in Thai (`15 ม.ค. 2569 16:30`), ISO-like
/// in English (`2026-01-15 16:30`). Shown in Thailand's time (UTC+7, no daylight saving).
pub fn format_time(lang: Lang, t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::FixedOffset;
    let bangkok = FixedOffset::east_opt(7 * 3600).expect("a valid offset");
    let t = t.with_timezone(&bangkok);
    match lang {
        // Buddhist-Era dates are written in one place, thanrak_core::date.
        Lang::Th => format!(
            "{} {}",
            thanrak_core::date::format_thai(t.date_naive()),
            t.format("%H:%M")
        ),
        Lang::En => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// The language of a request, and the cookie to set when `?lang=` chose it.
#[derive(Debug, Clone)]
pub struct LangChoice {
    /// The language to render in.
    pub lang: Lang,
    /// A `Set-Cookie` value remembering an explicit choice.
    pub set_cookie: Option<HeaderValue>,
}

impl<S: Send + Sync> FromRequestParts<S> for LangChoice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(LangChoice::of(&parts.uri, &parts.headers))
    }
}

impl LangChoice {
    /// The language asked for by `?lang=`, else remembered in the cookie, else Thai.
    pub fn of(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> LangChoice {
        let asked = uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        });
        if let Some(lang) = asked {
            let value = format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                lang.code()
            );
            return LangChoice {
                lang,
                set_cookie: HeaderValue::from_str(&value).ok(),
            };
        }
        let lang = cookie(headers, LANG_COOKIE)
            .and_then(Lang::parse)
            .unwrap_or(Lang::Th);
        LangChoice {
            lang,
            set_cookie: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_text_has_both_languages() {
        for (key, th, en) in MESSAGES {
            assert!(!th.is_empty() && !en.is_empty(), "{key}");
        }
        assert_eq!(Lang::En.text("login.title"), "Log in");
        assert_eq!(Lang::Th.text("no.such.key"), "no.such.key");
    }

    #[test]
    fn thai_dates_are_buddhist_era() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 1, 15, 9, 30, 0).unwrap();
        assert_eq!(format_time(Lang::Th, t), "15 ม.ค. 2569 16:30");
        assert_eq!(format_time(Lang::En, t), "2026-01-15 16:30");
    }

    #[test]
    fn report_dates_are_buddhist_era_on_thai_pages_only() {
        assert!(report_value(Lang::Th, "birth_date", "2027-01-01").ends_with("2570"));
        assert_eq!(
            report_value(Lang::En, "birth_date", "2027-01-01"),
            "2027-01-01"
        );
        assert_eq!(
            report_value(Lang::Th, "birth_date", "2570/1/1x"),
            "2570/1/1x"
        );
        assert_eq!(report_value(Lang::Th, "age", "2027-01-01"), "2027-01-01");
    }
}
