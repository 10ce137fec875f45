//! `charts/{indicator}.svg`: one horizontal bar chart per headline indicator, share by main
//! platform with its 95 % interval. A plain SVG template: fixed layout, system fonts only
//! (nothing to download), scales to a phone's width through its viewBox, and a `<title>`
//! and `<desc>` for screen readers.

use std::fmt::Write;

use crate::locale;
use crate::tables::{LOW_RELIABILITY, SUPPRESSED};

/// One bar: a group's published share, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub status: String,
    pub n: Option<u64>,
    pub share: Option<f64>,
    pub ci: Option<(f64, f64)>,
}

const WIDTH: f64 = 640.0;
const LABEL_RIGHT: f64 = 228.0;
const PLOT_LEFT: f64 = 240.0;
const PLOT_RIGHT: f64 = 566.0;
const ROW: f64 = 34.0;
const TOP: f64 = 96.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn x(share: f64) -> f64 {
    PLOT_LEFT + share.clamp(0.0, 1.0) * (PLOT_RIGHT - PLOT_LEFT)
}

/// Short platform label: the part before any parenthesis.
pub fn short_label(label: &str) -> String {
    label.split(" (").next().unwrap_or(label).trim().to_owned()
}

/// One indicator's chart in `lang`: every word from `pipeline/locales`, the labels from
/// the caller; `reliable` and `k` are the survey's own thresholds.
pub struct Chart<'a> {
    pub lang: &'a str,
    pub title: &'a str,
    pub subtitle: &'a str,
    pub bars: &'a [Bar],
    pub k: u64,
    pub reliable: u32,
}

impl Chart<'_> {
    /// The chart as an SVG document of its own, as wide as its container.
    pub fn svg(&self) -> String {
        let (height, body) = self.body();
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="title desc" font-family="{FONT}">
{body}</svg>
"##
        )
    }

    /// The social-media share image of the chart: centred on a 1200×630 canvas (the size
    /// link previews use) with where the numbers come from under it.
    pub fn share_image(&self, source: &str) -> String {
        let (height, body) = self.body();
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SHARE_WIDTH} {SHARE_HEIGHT}" width="{SHARE_WIDTH}" height="{SHARE_HEIGHT}" font-family="{FONT}">
<rect width="{SHARE_WIDTH}" height="{SHARE_HEIGHT}" fill="#ffffff"/>
<svg x="40" y="20" width="1120" height="530" viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMidYMin meet">
{body}</svg>
<rect x="0" y="566" width="{SHARE_WIDTH}" height="64" fill="#2f5f93"/>
<text x="40" y="606" font-size="24" fill="#ffffff">{source}</text>
</svg>
"##,
            source = escape(source),
        )
    }

    /// Everything inside the chart's `<svg>`, and its height in user units (640 wide).
    fn body(&self) -> (f64, String) {
        chart_body(self)
    }
}

/// The size of the share image, in pixels.
pub const SHARE_WIDTH: u32 = 1200;
pub const SHARE_HEIGHT: u32 = 630;

fn chart_body(chart: &Chart<'_>) -> (f64, String) {
    let Chart {
        lang,
        title,
        subtitle,
        bars,
        k,
        reliable,
    } = *chart;
    // Long titles and notes (French runs a third longer than English) wrap instead of
    // running off the edge; the plot moves down by the extra lines.
    let title_lines = wrap(title, 20.0 * BOLD_EM, WIDTH - 24.0);
    let notes: Vec<String> = [
        locale::text(lang, "chart-interval-note"),
        locale::text_with(
            lang,
            "chart-reliability-note",
            &[("reliable", reliable.into()), ("k", k.into())],
        ),
    ]
    .iter()
    .flat_map(|note| wrap(note, 12.0 * REGULAR_EM, WIDTH - 24.0))
    .collect();
    let top = TOP + 24.0 * (title_lines.len() - 1) as f64;
    let height = top + ROW * bars.len() as f64 + 34.0 + 18.0 * notes.len() as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<title id="title">{title}</title>
<desc id="desc">{desc}</desc>
<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>
"##,
        title = escape(title),
        desc = escape(&describe(lang, bars)),
    );
    for (i, line) in title_lines.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="12" y="{y:.1}" font-size="20" font-weight="700" fill="#1a1a1a">{line}</text>"##,
            y = 30.0 + 24.0 * i as f64,
            line = escape(line),
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="12" y="{y:.1}" font-size="14" fill="#444444">{subtitle}</text>"##,
        y = top - 42.0,
        subtitle = escape(subtitle),
    );
    // Axis: 0, 25, 50, 75, 100 %.
    for step in 0..=4 {
        let share = f64::from(step) / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{y1:.1}" x2="{x:.1}" y2="{y2:.1}" stroke="#d9d9d9" stroke-width="1"/>
<text x="{x:.1}" y="{ty:.1}" font-size="13" fill="#555555" text-anchor="middle">{pct}%</text>
"##,
            x = x(share),
            y1 = top - 8.0,
            y2 = top + ROW * bars.len() as f64,
            ty = top - 14.0,
            pct = step * 25,
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = top + ROW * i as f64;
        let mid = y + ROW / 2.0;
        let (weight, em) = if i == 0 {
            ("700", BOLD_EM)
        } else {
            ("400", REGULAR_EM)
        };
        // A long group name gets a smaller type, never a cut-off one.
        let size = 15.0_f64
            .min((LABEL_RIGHT - 8.0) / (em * bar.label.chars().count().max(1) as f64))
            .max(9.0);
        let _ = writeln!(
            s,
            r##"<text x="{LABEL_RIGHT}" y="{ty:.1}" font-size="{size:.1}" font-weight="{weight}" fill="#1a1a1a" text-anchor="end">{label}</text>"##,
            ty = mid + 5.0,
            label = escape(&bar.label),
        );
        match (bar.share, bar.status.as_str()) {
            (Some(share), status) => {
                let fill = if status == LOW_RELIABILITY {
                    "#9bb7d4"
                } else {
                    "#2f5f93"
                };
                let _ = writeln!(
                    s,
                    r##"<rect x="{PLOT_LEFT}" y="{ry:.1}" width="{w:.1}" height="16" fill="{fill}"/>"##,
                    ry = mid - 8.0,
                    w = x(share) - PLOT_LEFT,
                );
                if let Some((lo, hi)) = bar.ci {
                    let _ = writeln!(
                        s,
                        r##"<path d="M{x1:.1} {m:.1}H{x2:.1}M{x1:.1} {a:.1}V{b:.1}M{x2:.1} {a:.1}V{b:.1}" stroke="#1a1a1a" stroke-width="2" fill="none"/>"##,
                        x1 = x(lo),
                        x2 = x(hi),
                        m = mid,
                        a = mid - 6.0,
                        b = mid + 6.0,
                    );
                }
                let mark = if status == LOW_RELIABILITY { "*" } else { "" };
                let _ = writeln!(
                    s,
                    r##"<text x="{tx}" y="{ty:.1}" font-size="15" fill="#1a1a1a" text-anchor="end">{pct:.0}%{mark}</text>"##,
                    tx = WIDTH - 10.0,
                    ty = mid + 5.0,
                    pct = share * 100.0,
                );
            }
            (None, SUPPRESSED) => {
                let _ = writeln!(
                    s,
                    r##"<text x="{PLOT_LEFT}" y="{ty:.1}" font-size="14" font-style="italic" fill="#666666">{why}</text>"##,
                    ty = mid + 5.0,
                    why = escape(&locale::text(lang, "chart-withheld")),
                );
            }
            (None, _) => {
                let _ = writeln!(
                    s,
                    r##"<text x="{PLOT_LEFT}" y="{ty:.1}" font-size="14" font-style="italic" fill="#666666">{why}</text>"##,
                    ty = mid + 5.0,
                    why = escape(&locale::text(lang, "chart-no-respondents")),
                );
            }
        }
    }
    let foot = top + ROW * bars.len() as f64 + 24.0;
    for (i, line) in notes.iter().enumerate() {
        let _ = writeln!(
            s,
            r##"<text x="12" y="{y:.1}" font-size="12" fill="#444444">{line}</text>"##,
            y = foot + 18.0 * i as f64,
            line = escape(line),
        );
    }
    (height, s)
}

/// Average advance of DejaVu Sans (the PNG font, and wider than most system fonts) in em:
/// a safe estimate of a line's width without shaping it.
const REGULAR_EM: f64 = 0.58;
const BOLD_EM: f64 = 0.66;

/// `text` in lines of at most `width` user units, at `em_width` units per character.
fn wrap(text: &str, em_width: f64, width: f64) -> Vec<String> {
    let per_line = ((width / em_width).floor() as usize).max(8);
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= per_line => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The chart in words, for screen readers.
fn describe(lang: &str, bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| match b.share {
            Some(share) => format!("{}: {:.0}%", b.label, share * 100.0),
            None if b.status == SUPPRESSED => format!(
                "{}: {}",
                b.label,
                locale::text(lang, "chart-described-withheld")
            ),
            None => format!(
                "{}: {}",
                b.label,
                locale::text(lang, "chart-no-respondents")
            ),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_nothing_external_is_referenced() {
        let bars = vec![
            Bar {
                label: "All <platforms> & co".into(),
                status: "ok".into(),
                n: Some(120),
                share: Some(0.25),
                ci: Some((0.18, 0.33)),
            },
            Bar {
                label: "Etsy".into(),
                status: SUPPRESSED.into(),
                n: None,
                share: None,
                ci: None,
            },
        ];
        let svg = Chart {
            lang: "en",
            title: "Title \"x\"",
            subtitle: "Sub",
            bars: &bars,
            k: 10,
            reliable: 30,
        }
        .svg();
        assert!(svg.contains("All &lt;platforms&gt; &amp; co"));
        assert!(svg.contains("Title &quot;x&quot;"));
        assert!(svg.contains("withheld to protect respondents"));
        assert!(!svg.contains("@import") && !svg.contains("url(") && !svg.contains("href"));
        assert_eq!(
            Chart {
                lang: "en",
                title: "Title \"x\"",
                subtitle: "Sub",
                bars: &bars,
                k: 10,
                reliable: 30
            }
            .svg(),
            svg,
            "deterministic"
        );
        // Every word of the chart in the asked language, the thresholds the survey's own.
        let fr = Chart {
            lang: "fr",
            title: "Titre",
            subtitle: "Sous-titre",
            bars: &bars,
            k: 5,
            reliable: 40,
        }
        .svg();
        assert!(fr.contains("masqué pour protéger les répondants"), "{fr}");
        assert!(fr.contains("* moins de 40 répondants"), "{fr}");
        assert!(fr.contains("moins de 5 sont masqués"), "{fr}");
        assert!(fr.contains("Etsy: masqué"), "{fr}");
        assert!(
            !fr.contains("withheld") && !fr.contains("respondents,"),
            "{fr}"
        );
    }

    #[test]
    fn long_titles_and_notes_wrap_within_the_chart_and_long_labels_shrink() {
        let title = "Boutique suspendue ou fermée au cours des 12 derniers mois";
        let lines = wrap(title, 20.0 * BOLD_EM, WIDTH - 24.0);
        assert_eq!(lines.join(" "), title, "no word lost");
        assert!(lines.len() == 2, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() as f64 * 20.0 * BOLD_EM <= WIDTH - 24.0)
        );
        let bars = vec![Bar {
            label: "Boutiques Facebook / Instagram".into(),
            status: "ok".into(),
            n: Some(120),
            share: Some(0.25),
            ci: None,
        }];
        let one_line = Chart {
            lang: "fr",
            title: "Titre",
            subtitle: "Sous-titre",
            bars: &bars,
            k: 10,
            reliable: 30,
        }
        .svg();
        let two_lines = Chart {
            lang: "fr",
            title,
            subtitle: "Sous-titre",
            bars: &bars,
            k: 10,
            reliable: 30,
        }
        .svg();
        assert!(
            two_lines.contains(">Boutique suspendue ou fermée au cours des 12<"),
            "{two_lines}"
        );
        assert!(
            two_lines.contains(r#"viewBox="0 0 640 "#) && one_line != two_lines,
            "the plot moves down by the extra title line"
        );
        assert!(
            one_line.contains(r#"font-size="11.1" font-weight="700""#),
            "{one_line}"
        );
    }
}
