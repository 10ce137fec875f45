//! The release's own words in each language: group and indicator labels, chart text. One
//! Fluent file per language in `pipeline/locales/{lang}/release.ftl`, compiled in; the
//! survey's own labels (questions, options, regions) come from its definition.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Plain text in CSV, SVG and Markdown: no Unicode isolation marks around arguments.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn language(lang: &str) -> LanguageIdentifier {
    lang.parse()
        .unwrap_or_else(|_| "en".parse().expect("en parses"))
}

/// Whether the release has its own words in `lang`.
pub fn has_language(lang: &str) -> bool {
    let wanted = language(lang);
    LOCALES.locales().any(|l| *l == wanted)
}

/// The message `id` in `lang`.
pub fn text(lang: &str, id: &str) -> String {
    LOCALES.lookup(&language(lang), id)
}

/// The message `id` in `lang`, with its arguments.
pub fn text_with(lang: &str, id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
        .collect();
    LOCALES.lookup_with_args(&language(lang), id, &args)
}

/// The label of headline indicator `id`.
pub fn indicator(lang: &str, id: &str) -> String {
    text(lang, &format!("indicator-{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_ids(ftl: &str) -> Vec<&str> {
        ftl.lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id))
            .collect()
    }

    #[test]
    fn every_language_has_every_message() {
        let ids = message_ids(include_str!("../locales/en/release.ftl"));
        assert!(ids.len() > 10, "{ids:?}");
        // Every argument any English message takes, so a lookup fails only for a missing
        // message (a number fits text placeholders and plural selectors alike).
        let english = include_str!("../locales/en/release.ftl");
        let args: HashMap<&str, FluentValue> = english
            .split("{ $")
            .skip(1)
            .filter_map(|rest| rest.split([' ', '}']).next())
            .map(|name| (name, FluentValue::from(2)))
            .collect();
        assert!(
            args.contains_key("wave") && args.contains_key("n"),
            "{args:?}"
        );
        for lang in ["en", "es", "fr"] {
            assert!(has_language(lang), "{lang}");
            for id in &ids {
                let found = LOCALES.lookup_single_language(&language(lang), id, Some(&args));
                assert!(found.is_ok(), "{lang} has no `{id}`: {found:?}");
            }
        }
        assert!(!has_language("de"));
    }

    #[test]
    fn messages_take_their_arguments_without_isolation_marks() {
        let note = text_with(
            "fr",
            "chart-reliability-note",
            &[("reliable", 30.into()), ("k", 10.into())],
        );
        assert_eq!(
            note,
            "* moins de 30 répondants, à lire avec prudence. Les groupes de moins de 10 sont masqués."
        );
        assert_eq!(
            indicator("es", "suspended_12m"),
            "Tienda suspendida o cerrada en los últimos 12 meses"
        );
    }
}
