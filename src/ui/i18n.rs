//! Translations: the kiosk speaks Kyrgyz, Russian and English, switchable at any moment.
//!
//! The Fluent files in `assets/locales/<lang>/kattoo.ftl` are compiled into the binary, so a kiosk
//! never runs with a missing locale. Screens never hold translated text: they ask [`I18n::tr`] on
//! every frame, so a language switch takes effect on the next frame.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use std::collections::BTreeSet;
use unic_langid::LanguageIdentifier;

/// A language the kiosk can be shown in: the citizen's languages (one enum for both).
pub use crate::domain::Language;

/// The Fluent source of `language`, as compiled in.
pub fn source(language: Language) -> &'static str {
    match language {
        Language::Ky => include_str!("../../assets/locales/ky/kattoo.ftl"),
        Language::Ru => include_str!("../../assets/locales/ru/kattoo.ftl"),
        Language::En => include_str!("../../assets/locales/en/kattoo.ftl"),
    }
}

fn index(language: Language) -> usize {
    match language {
        Language::Ky => 0,
        Language::Ru => 1,
        Language::En => 2,
    }
}

/// The message ids defined in a Fluent source: every line that starts an entry `id = …` at the
/// left margin (terms, `-id`, and comments are skipped). Used by the tests that keep the three
/// locales in step; [`I18n::has`] confirms each id really parsed as a message.
pub fn message_ids(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| {
            let (id, _) = line.split_once('=')?;
            let id = id.trim_end();
            let ok = id.starts_with(|c: char| c.is_ascii_alphabetic())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            ok.then(|| id.to_owned())
        })
        .collect()
}

/// The three bundles and the language in use.
pub struct I18n {
    bundles: [FluentBundle<FluentResource>; 3],
    language: Language,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new(Language::Ky)
    }
}

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = language.code().parse().expect("valid language code");
    let mut bundle = FluentBundle::new(vec![id]);
    // Isolation marks (U+2068/U+2069) around arguments are invisible but break text search and
    // the egui fonts draw them as boxes; every argument here is left-to-right anyway.
    bundle.set_use_isolating(false);
    let resource =
        FluentResource::try_new(source(language).to_owned()).unwrap_or_else(|(_, errors)| {
            panic!("locale {} does not parse: {errors:?}", language.code())
        });
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("locale {} has duplicates: {errors:?}", language.code()));
    bundle
}

impl I18n {
    /// All three languages loaded, showing `language`.
    pub fn new(language: Language) -> Self {
        I18n {
            bundles: [
                bundle(Language::Ky),
                bundle(Language::Ru),
                bundle(Language::En),
            ],
            language,
        }
    }

    /// The language in use.
    pub fn language(&self) -> Language {
        self.language
    }

    /// Switches the language; the next frame is drawn in it.
    pub fn set_language(&mut self, language: Language) {
        self.language = language;
    }

    /// The message `id` in the current language. A missing id shows as the id itself (and is
    /// caught by the tests), never as an empty label.
    pub fn tr(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with arguments.
    pub fn tr_args(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    /// A date as the language writes it: `DD.MM.YYYY` in Kyrgyz and Russian, `YYYY-MM-DD` in
    /// English.
    pub fn date(&self, d: time::Date) -> String {
        match self.language {
            Language::En => format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
            Language::Ky | Language::Ru => {
                format!("{:02}.{:02}.{:04}", d.day(), d.month() as u8, d.year())
            }
        }
    }

    /// [`I18n::date`] of a `YYYY-MM-DD` text; text that does not parse is shown as it is.
    pub fn date_text(&self, iso: &str) -> String {
        let parts: Vec<&str> = iso.split('-').collect();
        let parsed = match parts.as_slice() {
            [y, m, d] => (|| {
                let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
                time::Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
            })(),
            _ => None,
        };
        parsed.map_or_else(|| iso.to_owned(), |d| self.date(d))
    }

    /// A moment (UTC, as the station records it) as the language writes it, to the minute:
    /// `DD.MM.YYYY HH:MM` in Kyrgyz and Russian, `YYYY-MM-DD HH:MM` in English.
    pub fn moment(&self, at: &crate::domain::Timestamp) -> String {
        let t = at.datetime();
        format!("{} {:02}:{:02}", self.date(t.date()), t.hour(), t.minute())
    }

    /// [`I18n::moment`] of an RFC 3339 text; text that does not parse is shown as it is.
    pub fn moment_text(&self, at: &str) -> String {
        crate::domain::Timestamp::parse(at).map_or_else(|_| at.to_owned(), |t| self.moment(&t))
    }

    /// Whether `id` exists in `language`.
    pub fn has(&self, language: Language, id: &str) -> bool {
        self.bundles[index(language)].has_message(id)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = &self.bundles[index(self.language)];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(id, language = self.language.code(), "missing translation");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "translation formatting problem");
        }
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Untrusted;
    use crate::domain::validation::{Field, Rule, ValidationError};
    use crate::hal::ErrorKind;

    #[test]
    fn every_validation_and_device_message_is_translated() {
        let i18n = I18n::default();
        let mut ids: Vec<&str> = Rule::EVERY
            .into_iter()
            .map(|rule| ValidationError::new(Field::Surname, rule).message_id())
            .collect();
        ids.extend(ErrorKind::ALL.into_iter().map(ErrorKind::message_id));
        let untrusted = [
            Untrusted::Simulated {
                device: "sim:1".into(),
            },
            Untrusted::Unverified {
                device: "sbi:1".into(),
                reason: String::new(),
            },
            Untrusted::File,
        ];
        ids.extend(untrusted.iter().map(Untrusted::message_id));
        assert_eq!(ids.len(), 34);
        let missing: Vec<String> = Language::ALL
            .iter()
            .flat_map(|l| {
                ids.iter()
                    .filter(|id| !i18n.has(*l, id))
                    .map(move |id| format!("{}:{id}", l.code()))
            })
            .collect();
        assert!(missing.is_empty(), "missing translations: {missing:?}");
    }

    #[test]
    fn validation_arguments_are_substituted() {
        let mut i18n = I18n::new(Language::Ru);
        let e = ValidationError::new(Field::Surname, Rule::TooYoung { min_age: 16 });
        let args: Vec<(&str, FluentValue<'_>)> = e
            .message_args()
            .into_iter()
            .map(|(k, v)| (k, FluentValue::from(v)))
            .collect();
        assert_eq!(
            i18n.tr_args(e.message_id(), &args),
            "Гражданину должно быть не меньше 16 лет."
        );
        i18n.set_language(Language::Ky);
        assert_eq!(
            i18n.tr_args(e.message_id(), &args),
            "Жаран кеминде 16 жашта болушу керек."
        );
    }

    #[test]
    fn a_missing_id_shows_itself() {
        assert_eq!(I18n::default().tr("no-such-message"), "no-such-message");
    }

    /// Every batch and central error (one of each variant, listed by the error types
    /// themselves) has its message in every language, and a message names `$detail` only when
    /// the error has one to give.
    #[test]
    fn every_batch_and_central_error_is_translated() {
        let mut i18n = I18n::default();
        let errors = crate::central::Error::examples();
        assert!(errors.len() > 80, "{}", errors.len());
        let mut problems = Vec::new();
        for language in Language::ALL {
            i18n.set_language(language);
            for e in &errors {
                let id = e.message_id();
                if !i18n.has(language, id) {
                    problems.push(format!("{}:{id} missing", language.code()));
                    continue;
                }
                let with = |detail: &str| {
                    i18n.tr_args(id, &[("detail", FluentValue::from(detail.to_owned()))])
                };
                if e.detail().is_empty() && with("") != with("X") {
                    problems.push(format!(
                        "{}:{id} shows an empty $detail for {e}",
                        language.code()
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_station_error_over_a_batch_error_says_what_the_batch_error_says() {
        let e = crate::station::Error::Batch(crate::batch::Error::ReadBack("/media/x.age".into()));
        assert_eq!(
            (e.message_id(), e.detail()),
            ("batch-error-read-back", "/media/x.age".to_owned())
        );
        let i18n = I18n::new(Language::Ky);
        let text = i18n.tr_args(e.message_id(), &[("detail", FluentValue::from(e.detail()))]);
        assert!(
            text.contains("/media/x.age") && text.contains("флешка"),
            "{text}"
        );
    }
}
