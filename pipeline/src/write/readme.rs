//! The release's README in one language (README.md in the survey's first, README.{lang}.md
//! in each other): what was asked, which waves and how many responses, how small groups
//! are protected, what the intervals mean and do not mean, data quality, and how to cite.
//! Plain words for journalists, from `pipeline/locales/{lang}/release.ftl`; the layout is
//! written once, here, and every number in it comes from the release.

use std::collections::BTreeMap;
use std::fmt::Write;

use fluent_templates::fluent_bundle::FluentValue;

use crate::disclosure::history::WaveHistory;
use crate::locale;
use crate::quality::DataQuality;
use crate::spec::{QuestionKind, Spec};
use crate::tables::{WaveResult, wave_label, wave_of_key};
use crate::write::datapackage::RecodingNote;

/// A message's arguments, as `locale::text_with` takes them.
type Args = Vec<(&'static str, FluentValue<'static>)>;

/// One line of the README's file list: the file, and the message that says what it holds.
pub struct ListedFile {
    pub file: String,
    pub message: String,
    pub args: Args,
}

impl ListedFile {
    pub fn new(file: impl Into<String>, message: impl Into<String>, args: Args) -> ListedFile {
        ListedFile {
            file: file.into(),
            message: message.into(),
            args,
        }
    }
}

pub struct ReadmeInput<'a> {
    pub spec: &'a Spec,
    pub release_id: &'a str,
    pub wave: i32,
    /// The waves protected in this release (the newest, revised ones, first publications).
    pub results: &'a BTreeMap<i32, WaveResult>,
    /// What this release does with every earlier wave not in `results`, and revisions.
    pub history: &'a BTreeMap<i32, WaveHistory>,
    /// The earlier release the carried waves come from.
    pub carried_from: Option<&'a str>,
    pub recoding: &'a [RecodingNote],
    pub quality: &'a DataQuality,
    /// In the order they are listed.
    pub files: Vec<ListedFile>,
    pub datapackage_sha256: String,
}

/// The README's file name in `lang`: `README.md` in the survey's first language.
pub fn readme_file(spec: &Spec, lang: &str) -> String {
    if lang == spec.lang() {
        "README.md".to_owned()
    } else {
        format!("README.{lang}.md")
    }
}

/// `x` with `places` decimals, with the decimal sign of `lang`.
fn decimal(lang: &str, x: f64, places: usize) -> String {
    let text = format!("{x:.places$}");
    if lang == "en" {
        text
    } else {
        text.replace('.', ",")
    }
}

/// The README's words in one language.
struct Words<'a>(&'a str);

impl Words<'_> {
    fn get(&self, id: &str) -> String {
        locale::text(self.0, id)
    }

    fn with(&self, id: &str, args: Args) -> String {
        locale::text_with(self.0, id, &args)
    }
}

fn count(n: u64) -> FluentValue<'static> {
    FluentValue::from(n)
}

fn string(s: impl Into<String>) -> FluentValue<'static> {
    FluentValue::from(s.into())
}

/// The README's *Revisions* section: every earlier wave this release revised, kept as
/// published although its responses changed, or left out.
fn revisions(s: &mut String, input: &ReadmeInput<'_>, w: &Words<'_>) {
    let spec = input.spec;
    let _ = writeln!(s, "## {}\n", w.get("readme-revisions"));
    let from = input
        .carried_from
        .map(str::to_owned)
        .unwrap_or_else(|| w.get("readme-the-earlier-release"));
    let mut any = false;
    for (&key, h) in input.history {
        let wave = wave_label(spec, key);
        let change = |then: Option<u64>, now: u64| match then {
            Some(then) if now >= then => w.with("readme-added", vec![("n", count(now - then))]),
            Some(then) => w.with("readme-removed", vec![("n", count(then - now))]),
            None => w.get("readme-changed"),
        };
        let line = match h {
            WaveHistory::Carried => continue,
            WaveHistory::Revised { then, now } => w.with(
                "readme-revised",
                vec![
                    ("wave", string(wave)),
                    ("change", string(change(Some(*then), *now))),
                    ("from", string(from.clone())),
                    ("then", count(*then)),
                    ("now", count(*now)),
                ],
            ),
            WaveHistory::Kept { then, now, why } => w.with(
                "readme-kept",
                vec![
                    ("wave", string(wave)),
                    ("change", string(change(*then, *now))),
                    ("from", string(from.clone())),
                    ("why", string(why.clone())),
                ],
            ),
            WaveHistory::LeftOut { why } => w.with(
                "readme-not-published",
                vec![("wave", string(wave)), ("why", string(why.clone()))],
            ),
        };
        any = true;
        let _ = writeln!(s, "- {line}");
    }
    if !any {
        let _ = writeln!(s, "{}", w.get("readme-no-revisions"));
    }
    let _ = writeln!(s);
}

/// The *Who answered* table: one row per wave, carried waves as published.
fn respondents(s: &mut String, input: &ReadmeInput<'_>, w: &Words<'_>) {
    let spec = input.spec;
    let k = spec.k();
    let lang = w.0;
    let _ = writeln!(s, "{}", w.get("readme-who-header"));
    let _ = writeln!(s, "|---|---:|---:|---:|");
    let from = input
        .carried_from
        .map(str::to_owned)
        .unwrap_or_else(|| w.get("readme-an-earlier-release"));
    let as_published = w.get("readme-as-published");
    let mut rows: BTreeMap<i32, String> = BTreeMap::new();
    for (&key, _) in input.history.iter().filter(|(_, h)| h.is_carried()) {
        let published_in = w.with(
            "readme-as-published-in",
            vec![("release", string(from.clone()))],
        );
        rows.insert(
            key,
            format!(
                "| {} | {published_in} | {as_published} | {as_published} |",
                wave_label(spec, key)
            ),
        );
    }
    for (&key, r) in input.results {
        let unverified = r.counts.unverified;
        let responses = r.counts.responses;
        let withheld = |x: u64, of: u64| (x > 0 && x < k) || (of - x > 0 && of - x < k);
        let hidden = withheld(unverified, responses);
        let unverified_text = if hidden {
            w.get("readme-unverified-withheld")
        } else if responses == 0 {
            "0".to_owned()
        } else {
            let percent = 100.0 * unverified as f64 / responses as f64;
            w.with(
                "readme-unverified-share",
                vec![
                    ("n", count(unverified)),
                    ("percent", string(decimal(lang, percent, 1))),
                ],
            )
        };
        let counted = if spec.disclosure.count_unverified {
            w.get("readme-counted-all")
        } else {
            w.get("readme-counted-checked")
        };
        // When only checked responses count, the total minus the published `all` would
        // give the withheld number away.
        let responses_text =
            if (responses > 0 && responses < k) || (hidden && !spec.disclosure.count_unverified) {
                w.get("readme-withheld")
            } else {
                responses.to_string()
            };
        rows.insert(
            key,
            format!(
                "| {} | {responses_text} | {unverified_text} | {counted} |",
                wave_label(spec, key),
            ),
        );
    }
    for row in rows.values() {
        let _ = writeln!(s, "{row}");
    }
}

/// *What was asked*: every published question, its kind and when it was asked.
fn questions(s: &mut String, spec: &Spec, w: &Words<'_>) {
    let lang = w.0;
    let or = format!(" {} ", w.get("readme-or"));
    for q in &spec.questions {
        let kind = match q.kind {
            QuestionKind::Single if q.id == "region" => w.get("readme-kind-region"),
            QuestionKind::Single => w.get("readme-kind-single"),
            QuestionKind::Multiple { .. } => w.get("readme-kind-multiple"),
            QuestionKind::Number { min, max } => w.with(
                "readme-kind-number",
                vec![
                    ("min", FluentValue::from(min)),
                    ("max", FluentValue::from(max)),
                ],
            ),
        };
        let cond = q
            .show_if
            .as_ref()
            .map(|c| {
                let parent = &spec.questions[c.parent];
                let options: Vec<&str> = c
                    .any_of
                    .iter()
                    .map(|&o| parent.options[o].id.as_str())
                    .collect();
                let asked_if = w.with(
                    "readme-asked-if",
                    vec![
                        ("question", string(parent.id.clone())),
                        ("options", string(options.join(&or))),
                    ],
                );
                format!(" {asked_if}")
            })
            .unwrap_or_default();
        let _ = writeln!(s, "- `{}` ({kind}){cond}: {}", q.id, q.label.get(lang));
    }
}

/// *How small groups are protected*: the rules with this survey's settings, what they did
/// in the reporting wave, and the groups merged into `other`.
fn protection(s: &mut String, input: &ReadmeInput<'_>, w: &Words<'_>) {
    let spec = input.spec;
    let k = spec.k();
    let wave = wave_of_key(spec.wave_length, input.wave);
    let result = &input.results[&input.wave];
    let _ = writeln!(s, "\n## {}\n", w.get("readme-protected"));
    let _ = writeln!(s, "{}\n", w.get("readme-protected-intro"));
    let rules = [
        w.with(
            "readme-rule-k",
            vec![("k", count(k)), ("below", count(k - 1))],
        ),
        w.with(
            "readme-rule-merged",
            vec![("min", count(spec.min_group_size()))],
        ),
        w.with("readme-rule-totals", vec![("k", count(k))]),
        w.with("readme-rule-audit", vec![("k", count(k))]),
        w.get("readme-rule-stable"),
        w.with("readme-rule-numbers", vec![("k", count(k))]),
    ];
    for rule in rules {
        let _ = writeln!(s, "- {rule}");
    }
    let summary = w.with(
        "readme-protection-summary",
        vec![
            ("wave", string(wave.to_string())),
            ("primary", count(result.protection.primary_cells as u64)),
            ("secondary", count(result.protection.secondary_cells as u64)),
            ("checked", count(result.protection.audit.checked as u64)),
            ("k", count(k)),
        ],
    );
    let _ = writeln!(s, "\n{summary}\n");
    if input.recoding.is_empty() {
        return;
    }
    let _ = writeln!(s, "{}\n", w.get("readme-merged-heading"));
    for note in input.recoding {
        let mut parts = Vec::new();
        for (message, ids) in [
            ("readme-merged-platforms", &note.merged_main_platform),
            ("readme-merged-categories", &note.merged_category),
            ("readme-merged-regions", &note.merged_region),
        ] {
            if !ids.is_empty() {
                parts.push(w.with(message, vec![("ids", string(ids.join(", ")))]));
            }
        }
        if note.left_out > 0 {
            parts.push(w.with("readme-merged-left-out", vec![("n", count(note.left_out))]));
        }
        let _ = writeln!(s, "- {}: {}", note.wave, parts.join("; "));
    }
    let _ = writeln!(s);
}

/// The README in `lang`, one of the survey's languages.
pub fn readme(input: &ReadmeInput<'_>, lang: &str) -> String {
    let spec = input.spec;
    let w = Words(lang);
    let wave = wave_of_key(spec.wave_length, input.wave);
    let (first_day, last_day) = wave.days();
    let versions: Vec<String> = spec
        .versions
        .iter()
        .map(|v| v.version.to_string())
        .collect();
    let mut s = String::new();
    let title = crate::labels::release_title(spec, input.wave, lang);
    let _ = writeln!(s, "# {title}\n");
    let intro = w.with(
        "readme-intro",
        vec![
            ("release", string(input.release_id)),
            ("survey", string(spec.survey_id.clone())),
            ("count", count(versions.len() as u64)),
            ("versions", string(versions.join(", "))),
            ("wave", string(wave.to_string())),
            ("first", string(first_day.to_string())),
            ("last", string(last_day.to_string())),
        ],
    );
    let _ = writeln!(s, "{intro}\n");
    let _ = writeln!(s, "{}\n", w.get("readme-licence"));
    let others: Vec<String> = spec
        .languages
        .iter()
        .filter(|l| *l != lang)
        .map(|l| {
            format!(
                "[{}]({})",
                locale::text(l, "language-name"),
                readme_file(spec, l)
            )
        })
        .collect();
    if !others.is_empty() {
        let links = others.join(", ");
        let _ = writeln!(
            s,
            "{}\n",
            w.with("readme-other-languages", vec![("links", string(links))])
        );
    }

    let _ = writeln!(s, "## {}\n", w.get("readme-files"));
    for listed in &input.files {
        let what = w.with(&listed.message, listed.args.clone());
        let _ = writeln!(s, "- `{}`: {what}", listed.file);
    }
    let _ = writeln!(s, "\n{}\n", w.get("readme-files-note"));

    let _ = writeln!(s, "## {}\n", w.get("readme-who"));
    let _ = writeln!(s, "{}\n", w.get("readme-who-text"));
    respondents(&mut s, input, &w);
    let _ = writeln!(s, "\n{}\n", w.get("readme-open-wave"));

    let _ = writeln!(s, "## {}\n", w.get("readme-asked"));
    let _ = writeln!(s, "{}\n", w.get("readme-asked-intro"));
    questions(&mut s, spec, &w);

    let _ = writeln!(s, "\n## {}\n", w.get("readme-headline"));
    let _ = writeln!(s, "{}", w.get("readme-headline-header"));
    let _ = writeln!(s, "|---|---|---|");
    for ind in &spec.indicators {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} |",
            ind.id,
            ind.label.get(lang),
            ind.rule.get(lang)
        );
    }
    let _ = writeln!(s, "\n{}", w.get("readme-prefer-not"));

    protection(&mut s, input, &w);
    revisions(&mut s, input, &w);

    let _ = writeln!(s, "## {}\n", w.get("readme-reading"));
    let low = spec.disclosure.low_reliability_below;
    for line in [
        w.get("readme-read-share"),
        w.get("readme-read-interval"),
        w.with("readme-read-low", vec![("low", count(u64::from(low)))]),
        w.get("readme-read-quartiles"),
        w.get("readme-read-all"),
    ] {
        let _ = writeln!(s, "- {line}");
    }

    let _ = writeln!(s, "\n## {}\n", w.get("readme-quality"));
    let lines = input.quality.lines(lang);
    if lines.is_empty() {
        let _ = writeln!(s, "{}", w.get("readme-quality-clean"));
    } else {
        for line in lines {
            let _ = writeln!(s, "- {line}");
        }
    }

    let _ = writeln!(s, "\n## {}\n", w.get("readme-cite"));
    let cite = w.with(
        "readme-cite-text",
        vec![
            (
                "publisher",
                string(canvass_core::releases::citation::PUBLISHER),
            ),
            ("title", string(spec.reference.title.get(lang))),
            ("release", string(input.release_id)),
            ("wave", string(wave.to_string())),
            ("version", string(crate::write::datapackage::FORMAT_VERSION)),
            ("sha", string(input.datapackage_sha256.clone())),
        ],
    );
    let _ = writeln!(s, "> {cite}\n");
    let _ = writeln!(s, "{}", w.get("readme-cite-note"));
    s
}
