//! The pages' two languages, zh-CN (the default) and en: one Fluent file
//! each under `locales/`, chosen by the `lang` cookie, else the browser's
//! `Accept-Language`. Messages without arguments are resolved once at start
//! so a page pays a map lookup for each; a message missing from a language
//! shows as `[[id]]`, which the tests and the browser tests look for.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use trigate_core::Currency;

/// The cookie holding the viewer's chosen language.
pub const LANG_COOKIE: &str = "lang";

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    ZhCn,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// Its BCP 47 tag, as `<html lang>` and the cookie carry it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Its name in itself, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::ZhCn => "中文",
            Lang::En => "English",
        }
    }

    /// The language a tag names: `zh`, `zh-CN`, `zh-Hans…` are Chinese,
    /// `en…` English; case does not matter.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        match primary {
            "zh" => Some(Lang::ZhCn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The viewer's language: the cookie's, else the first language of
    /// `Accept-Language` (by its weights) that the pages speak, else zh-CN.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = cookie.and_then(Lang::from_tag) {
            return lang;
        }
        let mut best: Option<(u32, Lang)> = None;
        for item in accept_language.unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(1000, quality);
            if weight > 0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map_or(Lang::ZhCn, |(_, lang)| lang)
    }
}

/// An `Accept-Language` quality (`0.8`) in thousandths; nonsense is 0.
fn quality(q: &str) -> u32 {
    let q = q.trim();
    let (whole, frac) = q.split_once('.').unwrap_or((q, ""));
    let whole: u32 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return 0,
    };
    let frac: String = frac.chars().take(3).collect();
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let frac = format!("{frac:0<3}").parse::<u32>().unwrap_or(0);
    (whole + frac).min(1000)
}

/// The message file of each language, compiled in.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => include_str!("../../locales/zh-CN.ftl"),
        Lang::En => include_str!("../../locales/en.ftl"),
    }
}

/// One language's messages.
pub struct Texts {
    lang: Lang,
    plain: HashMap<String, String>,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Texts({}, {} messages)",
            self.lang.tag(),
            self.plain.len()
        )
    }
}

static TEXTS: LazyLock<[Texts; 2]> = LazyLock::new(|| Lang::ALL.map(Texts::load));

/// The messages of `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    &TEXTS[lang as usize]
}

impl Texts {
    fn load(lang: Lang) -> Texts {
        // The files are part of the binary and tested; a broken one is a
        // bug caught before release, so its bad entries are left out here.
        let resource = match FluentResource::try_new(source(lang).to_string()) {
            Ok(r) => r,
            Err((r, _)) => r,
        };
        let id = lang.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        bundle.set_use_isolating(false);
        let ids = message_ids(source(lang));
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(lang = lang.tag(), ?errors, "message file has errors");
        }
        let mut plain = HashMap::new();
        for id in ids {
            let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = vec![];
            let text = bundle.format_pattern(pattern, None, &mut errors);
            if errors.is_empty() {
                plain.insert(id, text.into_owned());
            }
        }
        Texts {
            lang,
            plain,
            bundle,
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `id`, which takes no arguments.
    pub fn t<'a>(&'a self, id: &'a str) -> std::borrow::Cow<'a, str> {
        match self.plain.get(id) {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => std::borrow::Cow::Owned(format!("[[{id}]]")),
        }
    }

    /// Whether this language has the message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// The message `id` with its arguments.
    pub fn fmt(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return format!("[[{id}]]");
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = vec![];
        self.bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }
}

/// The ids of the messages a Fluent file defines (terms and comments
/// aside).
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('='))
        .map(|(id, _)| id.trim().to_string())
        .collect()
}

/// An amount in minor units, with its currency's sign: `¥12.00`.
pub fn money(minor: u64, currency: Currency) -> String {
    let amount = trigate_channels::amount::format(minor, currency);
    match currency.as_str() {
        "CNY" => format!("¥{amount}"),
        "USD" => format!("${amount}"),
        "EUR" => format!("€{amount}"),
        "GBP" => format!("£{amount}"),
        code => format!("{code} {amount}"),
    }
}

/// An amount typed in major units (`12`, `12.5`, `12.50`) as minor units of
/// `currency`; `None` for anything else, zero, or more decimals than the
/// currency has.
pub fn parse_amount(text: &str, currency: Currency) -> Option<u64> {
    let text = text.trim().trim_start_matches(['¥', '$', '€', '£']).trim();
    let exponent = currency.exponent() as usize;
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (text.contains('.') && !digits(frac)) || frac.len() > exponent {
        return None;
    }
    let scale = 10u64.checked_pow(exponent as u32)?;
    let frac: u64 = format!("{frac:0<exponent$}").parse().unwrap_or(0);
    let minor = whole
        .parse::<u64>()
        .ok()?
        .checked_mul(scale)?
        .checked_add(if exponent == 0 { 0 } else { frac })?;
    (minor > 0).then_some(minor)
}

/// The viewer's offset from UTC in minutes, from the `tz` cookie the site's
/// script sets; +08:00 without one (or with nonsense).
pub fn offset_minutes(cookie: Option<&str>) -> i32 {
    cookie
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|m| (-14 * 60..=14 * 60).contains(m))
        .unwrap_or(8 * 60)
}

/// A moment (unix seconds) as the viewer's local date and time, with the
/// offset: `2026-12-07 13:05 (+08:00)`.
pub fn local_time(unix_secs: u64, offset_minutes: i32) -> String {
    let offset =
        time::UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap_or(time::UtcOffset::UTC);
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix_secs.min(i64::MAX as u64) as i64)
    else {
        return unix_secs.to_string();
    };
    let at = at.to_offset(offset);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let abs = offset_minutes.unsigned_abs();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} ({sign}{:02}:{:02})",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        abs / 60,
        abs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_wins_then_accept_language_by_weight_then_chinese() {
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr"), Some("en-US,en")), Lang::En);
        assert_eq!(
            Lang::negotiate(None, Some("fr;q=1, en;q=0.5, zh;q=0.9")),
            Lang::ZhCn
        );
        assert_eq!(Lang::negotiate(None, Some("de, en-GB;q=0.3")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("en;q=0")), Lang::ZhCn);
        assert_eq!(Lang::negotiate(None, Some("garbage;;q=x")), Lang::ZhCn);
        assert_eq!(Lang::negotiate(None, None), Lang::ZhCn);
    }

    #[test]
    fn amounts_show_with_their_currency_sign() {
        let cny = Currency::new("CNY").unwrap();
        assert_eq!(money(1200, cny), "¥12.00");
        assert_eq!(money(5, cny), "¥0.05");
        assert_eq!(money(99, Currency::new("JPY").unwrap()), "JPY 99");
    }

    #[test]
    fn typed_amounts_become_minor_units_or_nothing() {
        let cny = Currency::new("CNY").unwrap();
        assert_eq!(parse_amount("12", cny), Some(1200));
        assert_eq!(parse_amount(" 12.5 ", cny), Some(1250));
        assert_eq!(parse_amount("¥0.01", cny), Some(1));
        for bad in [
            "",
            "0",
            "0.00",
            "-1",
            "1.234",
            "1.",
            ".5",
            "1e3",
            "12,50",
            "abc",
            "99999999999999999999",
        ] {
            assert_eq!(parse_amount(bad, cny), None, "{bad:?}");
        }
        assert_eq!(parse_amount("7", Currency::new("JPY").unwrap()), Some(7));
        assert_eq!(parse_amount("7.5", Currency::new("JPY").unwrap()), None);
    }

    #[test]
    fn times_show_in_the_viewers_offset_else_beijing_time() {
        // 2026-12-07 00:30 UTC.
        let at = 1_796_603_400;
        assert_eq!(
            local_time(at, offset_minutes(None)),
            "2026-12-07 08:30 (+08:00)"
        );
        assert_eq!(
            local_time(at, offset_minutes(Some("-300"))),
            "2026-12-06 19:30 (-05:00)"
        );
        assert_eq!(
            local_time(at, offset_minutes(Some("9999"))),
            "2026-12-07 08:30 (+08:00)"
        );
    }

    #[test]
    fn both_languages_define_the_same_messages_and_parse_cleanly() {
        for lang in Lang::ALL {
            let parsed = FluentResource::try_new(source(lang).to_string());
            assert!(
                parsed.is_ok(),
                "{} does not parse: {:?}",
                lang.tag(),
                parsed.err().map(|e| e.1)
            );
        }
        let zh = message_ids(source(Lang::ZhCn));
        let en = message_ids(source(Lang::En));
        let missing_en: Vec<_> = zh.iter().filter(|id| !en.contains(id)).collect();
        let missing_zh: Vec<_> = en.iter().filter(|id| !zh.contains(id)).collect();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
        let mut sorted = zh.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), zh.len(), "an id is defined twice");
    }
}
