//! The survey file as TOML text, in the layout of the hand-written surveys.
//!
//! A generic serializer would write every text as its own sub-table; operators read and
//! review these files, so an imported draft is laid out like `surveys/*/v1.toml`: one line
//! per text (an inline table of its languages), `[[questions]]` numbered by comments.

use std::fmt::Write;

use canvass_core::definition::{QuestionFile, SurveyFile, Texts};

/// The file's text; `header` (comment lines, without `#`) goes first when given.
pub fn render(file: &SurveyFile, header: &[String]) -> String {
    let mut out = String::new();
    for line in header {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {line}");
        }
    }
    if !header.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "id = {}", string(&file.id));
    let _ = writeln!(out, "version = {}", file.version);
    let _ = writeln!(
        out,
        "status = {}",
        string(&enum_name(serde_json::to_value(file.status)))
    );
    let _ = writeln!(
        out,
        "wave = {}",
        string(&enum_name(serde_json::to_value(file.wave)))
    );
    let _ = writeln!(out, "languages = {}", array(&file.languages));
    out.push('\n');
    let _ = writeln!(out, "title = {}", texts(&file.title));
    let _ = writeln!(out, "intro = {}", texts(&file.intro));
    if let Some(d) = &file.disclosure {
        out.push_str("\n[disclosure]\n");
        if let Some(k) = d.k {
            let _ = writeln!(out, "k = {k}");
        }
        if let Some(c) = d.count_unverified {
            let _ = writeln!(out, "count_unverified = {c}");
        }
        if let Some(n) = d.low_reliability_below {
            let _ = writeln!(out, "low_reliability_below = {n}");
        }
        if let Some(n) = d.min_group_size {
            let _ = writeln!(out, "min_group_size = {n}");
        }
    }
    for (key, by_lang) in &file.messages {
        let _ = writeln!(out, "\n[messages.{}]", key_name(key));
        for (lang, text) in by_lang {
            let _ = writeln!(out, "{} = {}", key_name(lang), string(text));
        }
    }
    for (n, q) in file.questions.iter().enumerate() {
        let _ = writeln!(out, "\n# {}", n + 1);
        question(&mut out, q);
    }
    out
}

fn question(out: &mut String, q: &QuestionFile) {
    out.push_str("[[questions]]\n");
    let _ = writeln!(out, "id = {}", string(&q.id));
    let _ = writeln!(out, "type = {}", string(&q.kind));
    if q.required {
        out.push_str("required = true\n");
    }
    if let Some(c) = &q.show_if {
        let _ = writeln!(
            out,
            "show_if = {{ question = {}, any_of = {} }}",
            string(&c.question),
            array(&c.any_of)
        );
    }
    if let Some(from) = &q.options_from {
        let _ = writeln!(out, "options_from = {}", string(from));
    }
    let _ = writeln!(out, "label = {}", texts(&q.label));
    let optional_texts = |out: &mut String, name: &str, t: &Option<Texts>| {
        if let Some(t) = t {
            let _ = writeln!(out, "{name} = {}", texts(t));
        }
    };
    optional_texts(out, "help", &q.help);
    let numbers = [
        ("max_choices", q.max_choices),
        ("min", q.min),
        ("max", q.max),
    ];
    for (name, value) in numbers {
        if let Some(v) = value {
            let _ = writeln!(out, "{name} = {v}");
        }
    }
    optional_texts(out, "unit", &q.unit);
    optional_texts(out, "low_label", &q.low_label);
    optional_texts(out, "high_label", &q.high_label);
    for o in q.options.iter().flatten() {
        out.push_str("[[questions.options]]\n");
        let _ = writeln!(out, "id = {}", string(&o.id));
        let _ = writeln!(out, "label = {}", texts(&o.label));
    }
}

/// `status`, `wave`: the name serde gives the enum value.
fn enum_name(value: serde_json::Result<serde_json::Value>) -> String {
    value
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .expect("survey enums serialize as strings")
}

fn texts(t: &Texts) -> String {
    let parts: Vec<String> = t
        .iter()
        .map(|(lang, text)| format!("{} = {}", key_name(lang), string(text)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

fn array(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// A bare key where TOML allows one (`en`, `pt-br`), else a quoted one.
fn key_name(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_owned()
    } else {
        string(key)
    }
}

/// A TOML basic string, escaped as the TOML spec requires.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn tricky_text_survives_the_round_trip() {
        let source = include_str!("../../../surveys/platform-treatment/v1.toml");
        let mut file = canvass_core::check::parse(Path::new("v1.toml"), source).unwrap();
        file.title.insert(
            "en".into(),
            "quotes \" back\\slash\nnew line\ttab \u{7f} “curly” «guillemets»".into(),
        );
        file.messages.insert(
            "required".into(),
            Texts::from([("es".into(), "¡Obligatoria!".into())]),
        );
        let text = render(&file, &["a header".into(), String::new()]);
        let again = canvass_core::check::parse(Path::new("v1.toml"), &text).unwrap();
        assert_eq!(again, file);
    }
}
