//! XLSForm's language columns: `label::English (en)`, `hint::es`, and back.
//!
//! XLSForm writes a translation as `column::Language name (code)`; Canvass keys every text by
//! the code alone, so the code is what counts and a name without a code is not enough.

/// A header split at `::`: `label::English (en)` is `("label", Some("English (en)"))`.
pub fn split_header(header: &str) -> (String, Option<String>) {
    match header.split_once("::") {
        Some((base, language)) => (base.trim().to_lowercase(), Some(language.trim().to_owned())),
        None => (header.trim().to_lowercase(), None),
    }
}

/// The language code in an XLSForm language: `English (en)` and `en` give `en`; a bare name
/// such as `Spanish` gives none, since Canvass cannot guess which code it means.
pub fn code_of(language: &str) -> Option<String> {
    let language = language.trim();
    let candidate = match (language.rfind('('), language.strip_suffix(')')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => language,
    };
    let candidate = candidate.trim().to_lowercase();
    is_code(&candidate).then_some(candidate)
}

/// A BCP 47-looking tag: a 2–3 letter language, then optional `-` subtags (`pt-br`).
fn is_code(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_lowercase())
        && parts
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// How export names a language, XLSForm's way: `English (en)`; a code Canvass has no English
/// name for is written as the bare code, which import reads back the same.
pub fn display(code: &str) -> String {
    let name = match code {
        "en" => "English",
        "es" => "Spanish",
        "fr" => "French",
        "de" => "German",
        "pt" => "Portuguese",
        "it" => "Italian",
        "nl" => "Dutch",
        _ => return code.to_owned(),
    };
    format!("{name} ({code})")
}

/// The header of `base` in language `code`: `label::English (en)`.
pub fn column(base: &str, code: &str) -> String {
    format!("{base}::{}", display(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_the_parentheses_or_the_bare_code() {
        assert_eq!(code_of("English (en)").as_deref(), Some("en"));
        assert_eq!(code_of("Español (es)").as_deref(), Some("es"));
        assert_eq!(code_of("es").as_deref(), Some("es"));
        assert_eq!(code_of("Portuguese (pt-BR)").as_deref(), Some("pt-br"));
        assert_eq!(code_of("Spanish"), None);
        assert_eq!(code_of("English (English)"), None);
    }

    #[test]
    fn headers_split_at_the_double_colon() {
        assert_eq!(
            split_header("label::English (en)"),
            ("label".to_owned(), Some("English (en)".to_owned()))
        );
        assert_eq!(split_header(" Type "), ("type".to_owned(), None));
    }

    #[test]
    fn export_names_read_back_as_their_code() {
        for code in ["en", "es", "fr", "de", "pt", "xx"] {
            let (_, language) = split_header(&column("label", code));
            assert_eq!(code_of(&language.unwrap()).as_deref(), Some(code));
        }
    }
}
