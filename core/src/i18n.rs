//! Languages: choosing the respondent's language and the built-in validation messages.

use crate::survey::Survey;

/// Languages every built-in text is available in.
pub const BUILT_IN_LANGUAGES: [&str; 3] = ["en", "es", "fr"];

/// Picks the language to answer in: an explicit choice (`?lang=`) first, then the
/// `Accept-Language` preferences by weight (primary subtag only, so `es-MX` gets `es`),
/// then the survey's default.
pub fn negotiate<'a>(
    explicit: Option<&str>,
    accept_language: Option<&str>,
    available: &'a [String],
) -> &'a str {
    let find = |tag: &str| {
        let primary = tag.split(['-', '_']).next().unwrap_or("").trim();
        available
            .iter()
            .find(|lang| lang.eq_ignore_ascii_case(primary))
    };
    if let Some(lang) = explicit.and_then(find) {
        return lang;
    }
    if let Some(lang) = accept_language.and_then(|header| ranked(header).find_map(find)) {
        return lang;
    }
    available.first().map(String::as_str).unwrap_or("en")
}

/// The language tags of an `Accept-Language` header, most wanted first (by weight, then by
/// position); tags with `q=0` or an unreadable weight are left out.
fn ranked(header: &str) -> impl Iterator<Item = &str> {
    let mut ranked: Vec<(u16, usize, &str)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1000), parse_weight)?;
            (weight > 0 && !tag.is_empty()).then_some((weight, position, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, _, tag)| tag)
}

/// The regions named in an `Accept-Language` header (`es-MX` → `MX`, `zh-Hant-TW` → `TW`),
/// most wanted first, each once: the countries a seller most likely lives in, offered first
/// in the country menu. A guess only, made from what the browser sends anyway; nothing is
/// kept.
pub fn regions(accept_language: Option<&str>) -> Vec<String> {
    let mut regions: Vec<String> = Vec::new();
    for tag in accept_language.into_iter().flat_map(ranked) {
        let region = tag
            .split(['-', '_'])
            .skip(1)
            .find(|sub| sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_alphabetic()))
            .map(str::to_ascii_uppercase);
        if let Some(region) = region
            && !regions.contains(&region)
        {
            regions.push(region);
        }
    }
    regions
}

/// `q=0.8` as thousandths; `None` when it is not a valid weight.
fn parse_weight(q: &str) -> Option<u16> {
    let value: f32 = q.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// Keys of the validation messages; a survey may override any of them per language.
pub const MESSAGE_KEYS: [&str; 11] = [
    "required",
    "not_an_option",
    "not_a_whole_number",
    "out_of_range",
    "not_shown",
    "unknown_question",
    "expected_one",
    "expected_list",
    "repeated_choice",
    "too_many_choices",
    "not_among_earlier",
];

fn built_in(key: &str, lang: &str) -> &'static str {
    match (key, lang) {
        ("required", "es") => "Responda a esta pregunta.",
        ("required", "fr") => "Veuillez répondre à cette question.",
        ("required", _) => "Answer this question.",
        ("not_an_option", "es") => "Elija una de las opciones de la lista.",
        ("not_an_option", "fr") => "Choisissez une des options proposées.",
        ("not_an_option", _) => "Choose one of the listed options.",
        ("not_a_whole_number", "es") => "Escriba un número entero entre {min} y {max}.",
        ("not_a_whole_number", "fr") => "Saisissez un nombre entier entre {min} et {max}.",
        ("not_a_whole_number", _) => "Enter a whole number between {min} and {max}.",
        ("out_of_range", "es") => "Escriba un número entre {min} y {max}.",
        ("out_of_range", "fr") => "Saisissez un nombre entre {min} et {max}.",
        ("out_of_range", _) => "Enter a number between {min} and {max}.",
        ("not_shown", "es") => "Esta pregunta no se aplica según sus respuestas anteriores.",
        ("not_shown", "fr") => "Cette question ne s’applique pas d’après vos réponses précédentes.",
        ("not_shown", _) => "This question does not apply given your earlier answers.",
        ("unknown_question", "es") => "Esta pregunta no forma parte de la encuesta.",
        ("unknown_question", "fr") => "Cette question ne fait pas partie de l’enquête.",
        ("unknown_question", _) => "This question is not part of the survey.",
        ("expected_one", "es") => "Elija una sola opción.",
        ("expected_one", "fr") => "Choisissez une seule option.",
        ("expected_one", _) => "Choose a single option.",
        ("expected_list", "es") => "Elija una o varias opciones.",
        ("expected_list", "fr") => "Choisissez une ou plusieurs options.",
        ("expected_list", _) => "Choose one or more options.",
        ("repeated_choice", "es") => "Cada opción solo puede elegirse una vez.",
        ("repeated_choice", "fr") => "Chaque option ne peut être choisie qu’une fois.",
        ("repeated_choice", _) => "Each option can be chosen only once.",
        ("too_many_choices", "es") => "Elija como máximo {max} opciones.",
        ("too_many_choices", "fr") => "Choisissez au plus {max} options.",
        ("too_many_choices", _) => "Choose at most {max} options.",
        ("not_among_earlier", "es") => {
            "Elija una de las respuestas que dio en la pregunta anterior."
        }
        ("not_among_earlier", "fr") => {
            "Choisissez une des réponses données à la question précédente."
        }
        ("not_among_earlier", _) => "Choose one of the answers you gave to the earlier question.",
        _ => "Check this answer.",
    }
}

/// The message for `key` in `lang`: the survey's override if it has one, else built in,
/// with `{min}` and `{max}` filled in.
pub fn message(survey: &Survey, key: &str, lang: &str, min: i64, max: i64) -> String {
    let template = survey
        .messages
        .get(key)
        .and_then(|texts| texts.0.get(lang))
        .map(String::as_str)
        .unwrap_or_else(|| built_in(key, lang));
    template
        .replace("{min}", &min.to_string())
        .replace("{max}", &max.to_string())
}

/// Labels of the built-in yes / no / prefer-not options.
pub fn yes_no_label(option: &str, lang: &str) -> &'static str {
    match (option, lang) {
        ("yes", "es") => "Sí",
        ("yes", "fr") => "Oui",
        ("yes", _) => "Yes",
        ("no", "es") => "No",
        ("no", "fr") => "Non",
        ("no", _) => "No",
        (_, "es") => "Prefiero no decirlo",
        (_, "fr") => "Je préfère ne pas répondre",
        _ => "Prefer not to say",
    }
}

pub const YES_NO_OPTIONS: [&str; 3] = ["yes", "no", "prefer_not"];

#[cfg(test)]
mod tests {
    use super::*;

    fn langs() -> Vec<String> {
        ["en", "es", "fr"].map(String::from).to_vec()
    }

    #[test]
    fn explicit_choice_wins_then_weights_then_default() {
        let l = langs();
        assert_eq!(negotiate(Some("fr"), Some("es"), &l), "fr");
        assert_eq!(negotiate(Some("de"), Some("es-MX,en;q=0.5"), &l), "es");
        assert_eq!(negotiate(None, Some("de, en;q=0.2, fr;q=0.9"), &l), "fr");
        assert_eq!(negotiate(None, Some("es;q=0, en"), &l), "en");
        assert_eq!(negotiate(None, Some("de"), &l), "en");
        assert_eq!(negotiate(None, Some(";;,q=,"), &l), "en");
        assert_eq!(negotiate(None, None, &l), "en");
        assert_eq!(
            regions(Some(
                "es-MX,es;q=0.9,en-us;q=0.8,fr-CA;q=0.95,zh-Hant-TW;q=0.1,pt-BR;q=0,x-419"
            )),
            ["MX", "CA", "US", "TW"]
        );
        assert!(regions(Some("es, en;q=0.5")).is_empty());
        assert!(regions(None).is_empty());
    }
}
