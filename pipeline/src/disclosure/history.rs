//! History is published once, then stays: what the latest earlier release published for
//! every wave is carried into the next release as it was, and a wave whose responses
//! changed since (late rows, a restore, a week an operator removed) is either revised,
//! when both versions together pin nothing (`revision.rs`), or kept as published with the
//! reason. Nothing about an earlier wave ever stops the newest wave from being released.

use std::collections::BTreeMap;

use crate::PipelineError;
use crate::disclosure::model::Model;
use crate::disclosure::prior::{release_wave, wave_key_of_label};
use crate::disclosure::{Earlier, Prior};
use crate::spec::Spec;
use crate::store::ReleaseStore;
use crate::table::Table;
use crate::write::datapackage::RecodingNote;

/// One CSV of an earlier release, split by wave.
#[derive(Debug, Clone, Default)]
pub struct PublishedCsv {
    pub header: Vec<String>,
    pub rows: BTreeMap<i32, Vec<Vec<String>>>,
}

/// What the latest earlier release published about every wave it covered.
#[derive(Debug, Clone, Default)]
pub struct Published {
    pub release_id: String,
    pub respondents: PublishedCsv,
    pub trends: PublishedCsv,
    /// Its recoding, by wave (waves with nothing merged have none).
    pub recoding: BTreeMap<i32, RecodingNote>,
}

impl Published {
    pub fn covers(&self, wave: i32) -> bool {
        self.trends.rows.contains_key(&wave)
    }
}

/// What this release does with one earlier wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaveHistory {
    /// Published before and unchanged: carried as published.
    Carried,
    /// Its responses changed; the revised numbers are published.
    Revised { then: u64, now: u64 },
    /// Its responses changed, but a revision could not be made safe: carried as published.
    Kept {
        then: Option<u64>,
        now: u64,
        why: String,
    },
    /// Never published, and it cannot be protected: not in this release.
    LeftOut { why: String },
}

impl WaveHistory {
    /// Whether the wave's rows come from the earlier release.
    pub fn is_carried(&self) -> bool {
        matches!(self, WaveHistory::Carried | WaveHistory::Kept { .. })
    }
}

/// The latest release of `spec` for a wave before `before`, if any.
pub async fn load_latest<R: ReleaseStore + ?Sized>(
    releases: &R,
    spec: &Spec,
    before: i32,
) -> Result<Option<Published>, PipelineError> {
    let latest = releases
        .release_ids()
        .await?
        .into_iter()
        .filter_map(|id| release_wave(spec, &id).map(|w| (w, id)))
        .filter(|(w, _)| *w < before)
        .max();
    let Some((_, id)) = latest else {
        return Ok(None);
    };
    let bad = |why: String| PipelineError::PriorRelease {
        release: id.clone(),
        why,
    };
    let mut published = Published {
        release_id: id.clone(),
        ..Published::default()
    };
    for (file, into) in [
        ("respondents.csv", &mut published.respondents),
        ("trends.csv", &mut published.trends),
    ] {
        let bytes = releases
            .read(&id, file)
            .await?
            .ok_or_else(|| bad(format!("{file} is missing")))?;
        *into = split_by_wave(spec, &bytes).map_err(|why| bad(format!("{file}: {why}")))?;
    }
    if let Some(bytes) = releases.read(&id, "datapackage.json").await? {
        let package: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| bad(format!("datapackage.json: {e}")))?;
        // Releases from before recoding have no such property: nothing was merged.
        if let Some(notes) = package.get("recoding") {
            let notes: Vec<RecodingNote> = serde_json::from_value(notes.clone())
                .map_err(|e| bad(format!("datapackage.json recoding: {e}")))?;
            for note in notes {
                let wave = wave_key_of_label(spec.wave_length, &note.wave)
                    .ok_or_else(|| bad(format!("bad wave `{}`", note.wave)))?;
                published.recoding.insert(wave, note);
            }
        }
    }
    Ok(Some(published))
}

fn split_by_wave(spec: &Spec, bytes: &[u8]) -> Result<PublishedCsv, String> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_owned)
        .collect();
    if header.first().map(String::as_str) != Some("wave") {
        return Err("the first column is not `wave`".into());
    }
    let mut rows: BTreeMap<i32, Vec<Vec<String>>> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let row: Vec<String> = record.iter().map(str::to_owned).collect();
        let wave = wave_key_of_label(spec.wave_length, &row[0])
            .ok_or_else(|| format!("bad wave `{}`", row[0]))?;
        rows.entry(wave).or_default().push(row);
    }
    Ok(PublishedCsv { header, rows })
}

/// Whether every number published for `model`'s wave still has its published value.
pub fn unchanged(model: &Model, prior: &Prior) -> bool {
    prior
        .iter()
        .filter(|(key, _)| key.wave == model.wave)
        .all(|(key, earlier)| match earlier {
            Earlier::Published(v) => model
                .by_key
                .get(key)
                .is_some_and(|&c| model.cells[c].value == *v),
            Earlier::Suppressed => true,
        })
}

/// The prior for revising a wave: what stays withheld, not the old values (which the
/// revision audit uses as the other version).
pub fn suppressions_only(prior: &Prior, wave: i32) -> Prior {
    prior
        .iter()
        .filter(|(key, e)| key.wave == wave && **e == Earlier::Suppressed)
        .map(|(key, e)| (key.clone(), *e))
        .collect()
}

/// Adds the carried waves' rows, as published, to `table` (respondents or trends), in
/// wave order, and widens its key columns' value lists to what they hold.
pub fn splice(spec: &Spec, table: &mut Table, published: &PublishedCsv, waves: &[i32]) {
    if waves.is_empty() {
        return;
    }
    let position: Vec<Option<usize>> = table
        .fields
        .iter()
        .map(|f| published.header.iter().position(|h| h == f.name))
        .collect();
    let mut rows: Vec<(i32, Vec<String>)> = std::mem::take(&mut table.rows)
        .into_iter()
        .map(|row| {
            let wave = wave_key_of_label(spec.wave_length, &row[0]).unwrap_or(i32::MAX);
            (wave, row)
        })
        .collect();
    for &wave in waves {
        for row in published.rows.get(&wave).into_iter().flatten() {
            let mapped = position
                .iter()
                .map(|p| p.and_then(|i| row.get(i)).cloned().unwrap_or_default())
                .collect();
            rows.push((wave, mapped));
        }
    }
    // Stable: rows of one wave keep their order.
    rows.sort_by_key(|(wave, _)| *wave);
    table.rows = rows.into_iter().map(|(_, row)| row).collect();
    for (i, field) in table.fields.iter_mut().enumerate() {
        let Some(values) = &mut field.values else {
            continue;
        };
        for row in &table.rows {
            if !values.contains(&row[i]) {
                values.push(row[i].clone());
            }
        }
        if i == 0 {
            values.sort_by_key(|v| wave_key_of_label(spec.wave_length, v));
        }
    }
}
