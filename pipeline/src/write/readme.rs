//! The release's README.md: what was asked, which waves and how many responses, how small
//! groups are protected, what the intervals mean and do not mean, data quality, and how
//! to cite. Plain words for journalists; every number in it comes from the release.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::history::WaveHistory;
use crate::quality::DataQuality;
use crate::spec::{QuestionKind, Spec};
use crate::tables::{WaveResult, wave_label, wave_of_key};
use crate::write::datapackage::RecodingNote;

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
    /// `(file, what it holds)`, in the order they are listed.
    pub files: Vec<(String, String)>,
    pub datapackage_sha256: String,
}

/// The README's *Revisions* section: every earlier wave this release revised, kept as
/// published although its responses changed, or left out.
fn revisions(s: &mut String, input: &ReadmeInput<'_>) {
    let spec = input.spec;
    let _ = writeln!(s, "## Revisions\n");
    let from = input.carried_from.unwrap_or("the earlier release");
    let mut any = false;
    for (&w, h) in input.history {
        let wave = wave_label(spec, w);
        let change = |then: Option<u64>, now: u64| match then {
            Some(then) if now >= then => format!("{} response(s) added", now - then),
            Some(then) => format!("{} response(s) removed", then - now),
            None => "responses changed".to_owned(),
        };
        let line = match h {
            WaveHistory::Carried => continue,
            WaveHistory::Revised { then, now } => format!(
                "- **{wave} revised**: {} since `{from}` ({then} respondents then, {now} now). Every number of the wave was recomputed and audited together with every number already published for it, so that neither version, nor the difference between them, pins down anyone.",
                change(Some(*then), *now)
            ),
            WaveHistory::Kept { then, now, why } => format!(
                "- **{wave} kept as published**: {} since `{from}`, but a revision could not be made safe ({why}). The numbers published then stand.",
                change(*then, *now)
            ),
            WaveHistory::LeftOut { why } => {
                format!("- **{wave} not published**: it cannot be protected ({why}).")
            }
        };
        any = true;
        let _ = writeln!(s, "{line}");
    }
    if !any {
        let _ = writeln!(
            s,
            "No earlier wave has changed since it was published: every earlier wave is carried exactly as first published."
        );
    }
    let _ = writeln!(s);
}

pub fn readme(input: &ReadmeInput<'_>) -> String {
    let spec = input.spec;
    let k = spec.k();
    let low = spec.disclosure.low_reliability_below;
    let wave = wave_of_key(spec.wave_length, input.wave);
    let (first_day, last_day) = wave.days();
    let result = &input.results[&input.wave];
    let mut s = String::new();
    let _ = writeln!(s, "# {}: statistics for {}\n", spec.title, wave);
    let _ = writeln!(
        s,
        "Release `{}` of the Canvass survey `{}` (survey version{} {}). It covers the responses submitted in the reporting wave {} ({} to {}); `trends.csv` and `respondents.csv` also cover every earlier closed wave.\n",
        input.release_id,
        spec.survey_id,
        if spec.versions.len() > 1 { "s" } else { "" },
        spec.versions
            .iter()
            .map(|v| v.version.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        wave,
        first_day,
        last_day,
    );
    let _ = writeln!(
        s,
        "Licence: [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Please cite as shown at the end.\n"
    );

    let _ = writeln!(s, "## Files\n");
    for (file, what) in &input.files {
        let _ = writeln!(s, "- `{file}`: {what}");
    }
    let _ = writeln!(
        s,
        "\n`datapackage.json` describes every column (type, allowed values, key) in the [Frictionless Data Package](https://datapackage.org/) format; `SHA256SUMS` lets you check that no file was altered (`sha256sum -c SHA256SUMS`).\n"
    );

    let _ = writeln!(s, "## Who answered\n");
    let _ = writeln!(
        s,
        "Sellers answered anonymously, on their own initiative, through a public web form. No name, shop, e-mail address, IP address or exact time is stored: only the answers, the ISO week of submission and whether the form's anti-abuse check (a small proof of work done by the browser) was completed.\n"
    );
    let _ = writeln!(
        s,
        "| wave | responses | without the anti-abuse check | counted in the tables |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|");
    let from = input.carried_from.unwrap_or("an earlier release");
    let mut rows: BTreeMap<i32, String> = BTreeMap::new();
    for (&w, _) in input.history.iter().filter(|(_, h)| h.is_carried()) {
        rows.insert(
            w,
            format!(
                "| {} | as published in `{from}` | as published | as published |",
                wave_label(spec, w)
            ),
        );
    }
    for (&w, r) in input.results {
        let unverified = r.counts.unverified;
        let responses = r.counts.responses;
        let withheld = |x: u64, of: u64| (x > 0 && x < k) || (of - x > 0 && of - x < k);
        let hidden = withheld(unverified, responses);
        let unverified_text = if hidden {
            "withheld (fewer than k on one side)".to_owned()
        } else if responses == 0 {
            "0".to_owned()
        } else {
            format!(
                "{unverified} ({:.1}%)",
                100.0 * unverified as f64 / responses as f64
            )
        };
        let counted = if spec.disclosure.count_unverified {
            "all".to_owned()
        } else {
            "only those with the check".to_owned()
        };
        // When only checked responses count, the total minus the published `all` would
        // give the withheld number away.
        let responses_text =
            if (responses > 0 && responses < k) || (hidden && !spec.disclosure.count_unverified) {
                "withheld".to_owned()
            } else {
                responses.to_string()
            };
        rows.insert(
            w,
            format!(
                "| {} | {} | {} | {} |",
                wave_label(spec, w),
                responses_text,
                unverified_text,
                counted
            ),
        );
    }
    for row in rows.values() {
        let _ = writeln!(s, "{row}");
    }
    let _ = writeln!(
        s,
        "\nResponses from the wave that is still open are not published: a wave is published only after its last week has ended.\n"
    );

    let _ = writeln!(s, "## What was asked\n");
    let _ = writeln!(
        s,
        "The questions below are quoted in English from the survey definition (it was also offered in other languages). Follow-up questions were asked only after the answer shown in brackets. `answers.csv` has every option of every question; the country is published only as a world region.\n"
    );
    for q in &spec.questions {
        let kind = match q.kind {
            QuestionKind::Single if q.id == "region" => {
                "country, published as world region".to_owned()
            }
            QuestionKind::Single => "one answer".to_owned(),
            QuestionKind::Multiple { .. } => "several answers allowed".to_owned(),
            QuestionKind::Number { min, max } => format!("a whole number from {min} to {max}"),
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
                format!(" [asked if `{}` = {}]", parent.id, options.join(" or "))
            })
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "- `{}` ({kind}){cond}: {}",
            q.id,
            q.label.get(spec.lang())
        );
    }

    let _ = writeln!(s, "\n## Headline indicators\n");
    let _ = writeln!(s, "| indicator | what it is | exact rule |");
    let _ = writeln!(s, "|---|---|---|");
    for ind in &spec.indicators {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} |",
            ind.id,
            ind.label.get(spec.lang()),
            ind.rule
        );
    }
    let _ = writeln!(
        s,
        "\nAnswers of \"prefer not to say\" are left out of the denominators of yes/no indicators; they are counted in `answers.csv`."
    );

    let _ = writeln!(s, "\n## How small groups are protected\n");
    let _ = writeln!(
        s,
        "A seller who can be picked out of these tables risks retaliation from the platform that feeds them, so numbers about small groups are withheld. A withheld number is an empty cell with `status = suppressed`; every option and every group is still listed, so a missing row never gives anything away.\n"
    );
    let _ = writeln!(
        s,
        "- **Minimum group size k = {k}.** A count from 1 to {} is withheld. A share is published only when its denominator n is at least {k} and both the count and n minus the count are 0 or at least {k}: otherwise it would reveal that fewer than {k} people answered differently from everyone else.",
        k - 1
    );
    let _ = writeln!(
        s,
        "- **Small groups are merged first.** A platform, category or region with fewer than {min} respondents in a wave is not shown on its own (`status = merged`): its respondents are counted in `other`, together with respondents outside every named group (no main platform or no country given). If `other` itself stays below {min}, its respondents are left out of that wave's tables, so that nobody can work them out as `all` minus the named groups.",
        min = spec.disclosure.min_group_size
    );
    let _ = writeln!(
        s,
        "- **Totals cannot be used to work a withheld number out.** Where a total is published (the options of a question add up to n, the platforms add up to `all`, indicators are sums of answers, categories and regions add up to all platforms), at least one more number in the same sum is withheld, so that the withheld ones are known only together, and together are at least {k}."
    );
    let _ = writeln!(
        s,
        "- **Audited.** Before anything is written, a linear program computes, for every withheld number, the smallest and the largest value it could have given everything published in this release and in earlier ones. The release is refused if any of these ranges is narrower than {k}."
    );
    let _ = writeln!(
        s,
        "- **Stable over time.** Earlier closed waves are carried as they were first published, and a number withheld once stays withheld. A wave whose responses changed since (late responses, responses removed as spoiled) is revised only if the two versions together still pin nothing down, the changed responses included; otherwise its published numbers stand. See *Revisions*."
    );
    let _ = writeln!(
        s,
        "- Numbers: quartiles (never minima or maxima) only where n is at least {k}."
    );
    let _ = writeln!(
        s,
        "\nIn wave {wave}: {} numbers withheld because they were small, {} more withheld to protect them; the audit checked {} withheld numbers, and given everything published each of them can still lie anywhere in a range at least {k} wide.\n",
        result.protection.primary_cells,
        result.protection.secondary_cells,
        result.protection.audit.checked,
    );
    let notes = input.recoding;
    if !notes.is_empty() {
        let _ = writeln!(s, "Groups merged into `other`:\n");
        for note in notes {
            let mut parts = Vec::new();
            for (what, ids) in [
                ("platforms", &note.merged_main_platform),
                ("categories", &note.merged_category),
                ("regions", &note.merged_region),
            ] {
                if !ids.is_empty() {
                    parts.push(format!("{what} {}", ids.join(", ")));
                }
            }
            if note.left_out > 0 {
                parts.push(format!(
                    "{} response(s) left out (their `other` group was too small to show)",
                    note.left_out
                ));
            }
            let _ = writeln!(s, "- {}: {}", note.wave, parts.join("; "));
        }
        let _ = writeln!(s);
    }

    revisions(&mut s, input);

    let _ = writeln!(s, "## Reading the numbers\n");
    let _ = writeln!(s, "- `share` is `count / n`, between 0 and 1.");
    let _ = writeln!(
        s,
        "- `ci_low` and `ci_high` bound a 95 % Wilson score interval. **This is an opt-in survey**: people chose to answer, so the respondents are not a random sample of sellers. The interval covers sampling variability only; it says nothing about who chose to answer, and the true share among all sellers may lie outside it."
    );
    let _ = writeln!(
        s,
        "- `status = low_reliability` marks a published figure resting on fewer than {low} respondents: read it with care."
    );
    let _ = writeln!(
        s,
        "- Quartiles in `numeric.csv` use linear interpolation between order statistics (Hyndman and Fan type 7, the default of R, NumPy and spreadsheet `PERCENTILE`)."
    );
    let _ = writeln!(
        s,
        "- `main_platform = all` counts every respondent of the wave's tables, including those whose platform is withheld or merged into `other`."
    );

    let _ = writeln!(s, "\n## Data quality\n");
    let lines = input.quality.lines();
    if lines.is_empty() {
        let _ = writeln!(
            s,
            "Every stored response of the published waves fitted its survey version and was used."
        );
    } else {
        for line in lines {
            let _ = writeln!(s, "- {line}");
        }
    }

    let _ = writeln!(s, "\n## How to cite\n");
    let _ = writeln!(
        s,
        "> {}, \"{}\", release `{}` (wave {}), data package version {}, licensed CC BY 4.0. `datapackage.json` sha256 `{}`.\n",
        canvass_core::releases::citation::PUBLISHER,
        spec.title,
        input.release_id,
        wave,
        crate::write::datapackage::FORMAT_VERSION,
        input.datapackage_sha256
    );
    let _ = writeln!(
        s,
        "Please cite the release id and, when quoting a share, its interval and n. `CITATION.cff` holds the same citation for reference managers, with the SHA-256 of `SHA256SUMS`, which names the exact bytes of every file."
    );
    s
}
