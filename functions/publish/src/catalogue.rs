//! What is published, read from `latest.json`, each release's `datapackage.json` and its
//! tables: the data behind `/reports` and `/reports/index.json`.

use std::collections::BTreeMap;

use canvass_core::releases::citation::{CITATION_FILE, Citation};

use crate::strings;
use canvass_core::releases::{Latest, ReleaseStore, SurveyReleases};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::PublishError;
use crate::files::PACKAGE_ZIP;

#[derive(Debug, Serialize)]
pub struct Catalogue {
    pub surveys: Vec<SurveyCatalogue>,
}

#[derive(Debug, Serialize)]
pub struct SurveyCatalogue {
    pub survey_id: String,
    pub latest: ReleaseView,
    /// Every completed release, newest first.
    pub releases: Vec<EarlierRelease>,
}

#[derive(Debug, Serialize)]
pub struct EarlierRelease {
    pub release_id: String,
    pub wave: String,
    pub datapackage: String,
    pub package_zip: String,
}

#[derive(Debug, Serialize)]
pub struct ReleaseView {
    pub release_id: String,
    pub wave: String,
    pub title: String,
    pub description: String,
    pub version: String,
    pub license: String,
    pub license_url: String,
    pub respondents: Option<u64>,
    pub datapackage: String,
    /// The README in the reader's language where the release has one, else `README.md`.
    pub readme: String,
    /// Whether `readme` is in the reader's language (the page says so when it is not).
    pub readme_in_reader_language: bool,
    pub checksums: String,
    pub package_zip: String,
    pub downloads: Vec<Download>,
    pub indicators: Vec<Indicator>,
    /// How to cite this release; absent for releases written before citations existed.
    pub citation: Option<CitationView>,
}

/// The release's citation as a reader pastes it, and its `CITATION.cff`.
#[derive(Debug, Serialize)]
pub struct CitationView {
    pub text: String,
    pub bibtex: String,
    pub file: String,
}

#[derive(Debug, Serialize)]
pub struct Download {
    pub name: String,
    pub title: String,
    pub url: String,
    pub bytes: Option<u64>,
    pub sha256: Option<String>,
}

/// One headline indicator of the latest wave: its chart and its value per platform.
#[derive(Debug, Serialize)]
pub struct Indicator {
    pub id: String,
    pub label: String,
    pub chart: Option<String>,
    pub rows: Vec<IndicatorRow>,
}

#[derive(Debug, Serialize)]
pub struct IndicatorRow {
    pub platform: String,
    pub platform_label: String,
    pub n: Option<u64>,
    pub share: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub status: String,
}

/// The survey to feature: the configured one if it has releases, else the first.
pub fn featured<'a>(latest: &'a Latest, preferred: Option<&str>) -> Option<&'a SurveyReleases> {
    preferred
        .and_then(|id| latest.surveys.get(id))
        .or_else(|| latest.surveys.values().next())
}

fn url(release_id: &str, file: &str) -> String {
    format!("/reports/{release_id}/{file}")
}

/// The catalogue, with every label and chart in `lang` where the release has it (its
/// `labels.csv` and `charts/{lang}/`), else in the release's first language.
pub async fn build(store: &ReleaseStore, lang: Option<&str>) -> Result<Catalogue, PublishError> {
    let latest = store.latest().await?;
    let mut surveys = Vec::new();
    for (survey_id, entry) in &latest.surveys {
        let view = release_view(store, &entry.release_id, &entry.wave, lang).await?;
        let releases = entry
            .releases
            .iter()
            .rev()
            .map(|r| EarlierRelease {
                release_id: r.release_id.clone(),
                wave: r.wave.clone(),
                datapackage: url(&r.release_id, "datapackage.json"),
                package_zip: url(&r.release_id, PACKAGE_ZIP),
            })
            .collect();
        surveys.push(SurveyCatalogue {
            survey_id: survey_id.clone(),
            latest: view,
            releases,
        });
    }
    Ok(Catalogue { surveys })
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

async fn release_view(
    store: &ReleaseStore,
    release_id: &str,
    wave: &str,
    lang: Option<&str>,
) -> Result<ReleaseView, PublishError> {
    let labels = match lang {
        Some(lang) => labels_in(store, release_id, lang).await?,
        None => Labels::new(),
    };
    let label = |scope: &str, value: &str| labels.get(&(scope.to_owned(), value.to_owned()));
    let package = store
        .read(release_id, "datapackage.json")
        .await?
        .ok_or(PublishError::Internal)?;
    let package: Value = serde_json::from_slice(&package).map_err(|_| PublishError::Internal)?;
    let resources = package
        .get("resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let downloads = resources
        .iter()
        .map(|r| Download {
            name: text(r, "name"),
            title: label("table", &text(r, "name"))
                .cloned()
                .unwrap_or_else(|| text(r, "title")),
            url: url(release_id, &text(r, "path")),
            bytes: r.get("bytes").and_then(Value::as_u64),
            sha256: r
                .get("hash")
                .and_then(Value::as_str)
                .and_then(|h| h.strip_prefix("sha256:"))
                .map(str::to_owned),
        })
        .collect();
    let license = package
        .get("licenses")
        .and_then(|l| l.get(0))
        .cloned()
        .unwrap_or(Value::Null);
    let indicator_labels = indicator_labels(&resources);
    let platform_labels = platform_labels(store, release_id).await?;
    let sums = store.read(release_id, "SHA256SUMS").await?;
    let words = strings::for_language(lang.unwrap_or("en")).citation_words;
    let citation = citation_of(release_id, &package, sums.as_deref()).map(|c| {
        let localized = Citation {
            title: label("release", release_id)
                .cloned()
                .unwrap_or(c.title.clone()),
            ..c.clone()
        };
        CitationView {
            text: localized.text_in(&words),
            bibtex: c.bibtex(),
            file: url(release_id, CITATION_FILE),
        }
    });
    let listing = sums
        .as_deref()
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default();
    let listed = |file: &str| listing.lines().any(|l| l.ends_with(&format!("  {file}")));
    let (readme_file, readme_in_reader_language) = readme_in(&listing, &package, lang);
    let mut indicators: Vec<Indicator> = Vec::new();
    if let Some(csv) = store.read(release_id, "indicators.csv").await? {
        for record in csv::Reader::from_reader(csv.as_slice())
            .deserialize::<BTreeMap<String, String>>()
            .flatten()
        {
            if record.get("wave").map(String::as_str) != Some(wave) {
                continue;
            }
            let id = record.get("indicator").cloned().unwrap_or_default();
            // The chart in the asked language where the release has one.
            let chart_file = lang
                .map(|l| format!("charts/{l}/{id}.svg"))
                .filter(|f| listed(f))
                .unwrap_or_else(|| format!("charts/{id}.svg"));
            if !indicators.iter().any(|i| i.id == id) {
                indicators.push(Indicator {
                    label: label("indicator", &id)
                        .or_else(|| indicator_labels.get(&id))
                        .cloned()
                        .unwrap_or_else(|| id.replace('_', " ")),
                    chart: listed(&chart_file).then(|| url(release_id, &chart_file)),
                    id: id.clone(),
                    rows: Vec::new(),
                });
            }
            let platform = record.get("main_platform").cloned().unwrap_or_default();
            let number = |key: &str| record.get(key).and_then(|v| v.parse::<f64>().ok());
            let row = IndicatorRow {
                platform_label: label("main_platform", &platform)
                    .or_else(|| platform_labels.get(&platform))
                    .cloned()
                    .unwrap_or_else(|| platform.clone()),
                platform,
                n: record.get("n").and_then(|v| v.parse().ok()),
                share: number("share"),
                ci_low: number("ci_low"),
                ci_high: number("ci_high"),
                status: record.get("status").cloned().unwrap_or_default(),
            };
            indicators
                .iter_mut()
                .find(|i| i.id == id)
                .expect("inserted above")
                .rows
                .push(row);
        }
    }
    Ok(ReleaseView {
        release_id: release_id.to_owned(),
        wave: wave.to_owned(),
        title: label("release", release_id)
            .cloned()
            .unwrap_or_else(|| text(&package, "title")),
        description: text(&package, "description"),
        version: text(&package, "version"),
        license: text(&license, "title"),
        license_url: text(&license, "path"),
        respondents: respondents(store, release_id, wave).await?,
        datapackage: url(release_id, "datapackage.json"),
        readme: url(release_id, &readme_file),
        readme_in_reader_language,
        checksums: url(release_id, "SHA256SUMS"),
        package_zip: url(release_id, PACKAGE_ZIP),
        downloads,
        indicators,
        citation,
    })
}

/// The README to link for a reader of `lang`, and whether it is in that language:
/// `README.{lang}.md` where `SHA256SUMS` lists one, else `README.md`, which is in the
/// survey's first language (`languages` in `datapackage.json`; English before it).
fn readme_in(listing: &str, package: &Value, lang: Option<&str>) -> (String, bool) {
    let first_language = package
        .get("languages")
        .and_then(|l| l.get(0))
        .and_then(Value::as_str)
        .unwrap_or("en");
    let own = lang
        .map(|l| format!("README.{l}.md"))
        .filter(|f| listing.lines().any(|l| l.ends_with(&format!("  {f}"))));
    match own {
        Some(file) => (file, true),
        None => (
            "README.md".to_owned(),
            lang.is_none_or(|l| l == first_language),
        ),
    }
}

/// How to cite the release: its id, title and day from `datapackage.json`, tied to its
/// `SHA256SUMS`; none for a release without either.
fn citation_of(release_id: &str, package: &Value, sums: Option<&[u8]>) -> Option<Citation> {
    let created = package.get("created").and_then(Value::as_str)?;
    Some(Citation {
        release_id: release_id.to_owned(),
        title: text(package, "title"),
        released: Citation::day_of(created)?,
        sha256sums: hex::encode(Sha256::digest(sums?)),
    })
}

/// One completed release of `latest.json` (never a half-written one), in `lang`; `None` when
/// no survey lists it.
pub async fn release(
    store: &ReleaseStore,
    release_id: &str,
    lang: &str,
) -> Result<Option<ReleaseView>, PublishError> {
    let latest = store.latest().await?;
    let Some(entry) = latest
        .surveys
        .values()
        .flat_map(|s| &s.releases)
        .find(|r| r.release_id == release_id)
    else {
        return Ok(None);
    };
    Ok(Some(
        release_view(store, &entry.release_id, &entry.wave, Some(lang)).await?,
    ))
}

/// One release as the feed lists it.
#[derive(Debug)]
pub struct FeedRelease {
    pub survey_id: String,
    pub release_id: String,
    pub wave: String,
    /// In the asked language where the release's `labels.csv` has it.
    pub title: String,
    /// The citation's day, which the feed also gives as the release's date.
    pub released: time::Date,
    /// The SHA-256 of `SHA256SUMS`, in hex: what the citation names.
    pub sha256sums: String,
    pub citation: String,
    pub readme: String,
    pub datapackage: String,
    pub package_zip: String,
}

/// Every completed release of every survey, newest first (by day, then wave, then id, so
/// the order never depends on the store's listing). A release without a date or checksums
/// (written before citations existed) cannot be dated or identified stably, and is left out.
pub async fn every_release(
    store: &ReleaseStore,
    lang: &str,
) -> Result<Vec<FeedRelease>, PublishError> {
    let latest = store.latest().await?;
    let mut releases = Vec::new();
    for (survey_id, survey) in &latest.surveys {
        for entry in &survey.releases {
            let id = &entry.release_id;
            let package = store
                .read(id, "datapackage.json")
                .await?
                .ok_or(PublishError::Internal)?;
            let package: Value =
                serde_json::from_slice(&package).map_err(|_| PublishError::Internal)?;
            let sums = store.read(id, "SHA256SUMS").await?;
            let Some(citation) = citation_of(id, &package, sums.as_deref()) else {
                tracing::warn!(release = %id, "release has no date or checksums: not in the feed");
                continue;
            };
            let labels = labels_in(store, id, lang).await?;
            let listing = sums
                .as_deref()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_default();
            let (readme, _) = readme_in(&listing, &package, Some(lang));
            let title = labels
                .get(&("release".to_owned(), id.clone()))
                .cloned()
                .unwrap_or_else(|| citation.title.clone());
            let words = strings::for_language(lang).citation_words;
            let cited = Citation {
                title: title.clone(),
                ..citation.clone()
            }
            .text_in(&words);
            releases.push(FeedRelease {
                survey_id: survey_id.clone(),
                release_id: id.clone(),
                wave: entry.wave.clone(),
                title,
                released: citation.released,
                citation: cited,
                sha256sums: citation.sha256sums,
                readme: url(id, &readme),
                datapackage: url(id, "datapackage.json"),
                package_zip: url(id, PACKAGE_ZIP),
            });
        }
    }
    releases.sort_by(|a, b| {
        (b.released, &b.wave, &b.release_id).cmp(&(a.released, &a.wave, &a.release_id))
    });
    Ok(releases)
}

/// Indicator labels from the Table Schema's `categories` on the `indicator` field.
fn indicator_labels(resources: &[Value]) -> BTreeMap<String, String> {
    resources
        .iter()
        .filter_map(|r| r.pointer("/schema/fields")?.as_array())
        .flatten()
        .filter(|f| f.get("name").and_then(Value::as_str) == Some("indicator"))
        .filter_map(|f| f.get("categories")?.as_array())
        .flatten()
        .filter_map(|c| {
            Some((
                c.get("value")?.as_str()?.to_owned(),
                c.get("label")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// Labels by (`scope`, `value`) in one language.
type Labels = BTreeMap<(String, String), String>;

/// The release's `labels.csv` rows in `lang` (none for releases made before it existed).
async fn labels_in(
    store: &ReleaseStore,
    release_id: &str,
    lang: &str,
) -> Result<Labels, PublishError> {
    let Some(csv) = store.read(release_id, "labels.csv").await? else {
        return Ok(Labels::new());
    };
    Ok(csv::Reader::from_reader(csv.as_slice())
        .deserialize::<(String, String, String, String)>()
        .flatten()
        .filter(|(_, _, l, _)| l == lang)
        .map(|(scope, value, _, label)| ((scope, value), label))
        .collect())
}

/// Platform labels from the options of the `platforms` question in `answers.csv`.
async fn platform_labels(
    store: &ReleaseStore,
    release_id: &str,
) -> Result<BTreeMap<String, String>, PublishError> {
    let mut labels = BTreeMap::from([("all".to_owned(), "All platforms".to_owned())]);
    if let Some(csv) = store.read(release_id, "answers.csv").await? {
        for record in csv::Reader::from_reader(csv.as_slice())
            .deserialize::<BTreeMap<String, String>>()
            .flatten()
        {
            let is_platform = record.get("question_id").map(String::as_str) == Some("platforms");
            if let (true, Some(id), Some(label)) = (
                is_platform,
                record.get("option_id"),
                record.get("option_label"),
            ) {
                labels.entry(id.clone()).or_insert_with(|| label.clone());
            }
        }
    }
    Ok(labels)
}

async fn respondents(
    store: &ReleaseStore,
    release_id: &str,
    wave: &str,
) -> Result<Option<u64>, PublishError> {
    let Some(csv) = store.read(release_id, "respondents.csv").await? else {
        return Ok(None);
    };
    Ok(csv::Reader::from_reader(csv.as_slice())
        .deserialize::<BTreeMap<String, String>>()
        .flatten()
        .find(|r| {
            r.get("wave").map(String::as_str) == Some(wave)
                && r.get("main_platform").map(String::as_str) == Some("all")
        })
        .and_then(|r| r.get("n").and_then(|n| n.parse().ok())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_is_the_readers_where_the_release_has_it_and_says_so_where_not() {
        let listing = "aa  README.es.md\nbb  README.md\n";
        let package = serde_json::json!({ "languages": ["en", "es", "fr"] });
        let readme = |listing, package: &Value, lang| readme_in(listing, package, lang);
        assert_eq!(
            readme(listing, &package, Some("es")),
            ("README.es.md".into(), true)
        );
        assert_eq!(
            readme(listing, &package, Some("en")),
            ("README.md".into(), true)
        );
        // No README.fr.md in this release: the first language's, marked as not the reader's.
        assert_eq!(
            readme(listing, &package, Some("fr")),
            ("README.md".into(), false)
        );
        assert_eq!(readme(listing, &package, None), ("README.md".into(), true));
        // A release from before `languages`: README.md was English.
        let older = serde_json::json!({});
        assert_eq!(
            readme("bb  README.md\n", &older, Some("es")),
            ("README.md".into(), false)
        );
        assert_eq!(
            readme("bb  README.md\n", &older, Some("en")),
            ("README.md".into(), true)
        );
        // A README.es.md named inside another file's name is not listed.
        assert_eq!(
            readme("aa  old/README.es.md.bak\n", &package, Some("es")),
            ("README.md".into(), false)
        );
    }
}
