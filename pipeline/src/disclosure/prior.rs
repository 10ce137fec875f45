//! What earlier releases of a survey published, read back from their CSVs, so that a
//! suppression once published stays and a number once published is treated as known.

use canvass_core::wave::WaveLength;

use crate::PipelineError;
use crate::disclosure::model::{CellKey, CellKind, Group};
use crate::disclosure::{Earlier, Prior};
use crate::spec::Spec;
use crate::store::ReleaseStore;
use crate::tables::{ALL, SUPPRESSED};

/// The wave key of a label such as `2025-Q4`, `2025-11` or `2025`.
pub fn wave_key_of_label(length: WaveLength, label: &str) -> Option<i32> {
    let (year, rest) = match length {
        WaveLength::Year => (label, "1"),
        _ => label.split_once('-')?,
    };
    let index = match length {
        WaveLength::Quarter => rest.strip_prefix('Q')?,
        _ => rest,
    };
    let year: i32 = year.parse().ok().filter(|_| year.len() == 4)?;
    let index: i32 = index.parse().ok()?;
    let max = match length {
        WaveLength::Month => 12,
        WaveLength::Quarter => 4,
        WaveLength::Year => 1,
    };
    (1..=max).contains(&index).then_some(year * 100 + index)
}

/// The wave key of a release of `spec`, if `release_id` is one.
pub fn release_wave(spec: &Spec, release_id: &str) -> Option<i32> {
    let label = release_id.strip_prefix(&format!("{}-", spec.survey_id))?;
    wave_key_of_label(spec.wave_length, label)
}

/// Every cell published by releases of `spec` for waves before `before`.
pub async fn load<R: ReleaseStore + ?Sized>(
    releases: &R,
    spec: &Spec,
    before: i32,
) -> Result<Prior, PipelineError> {
    let mut prior = Prior::new();
    for id in releases.release_ids().await? {
        if release_wave(spec, &id).is_none_or(|w| w >= before) {
            continue;
        }
        for (file, group_column) in [
            ("respondents.csv", "main_platform"),
            ("answers.csv", "main_platform"),
            ("indicators.csv", "main_platform"),
            ("trends.csv", "main_platform"),
            ("numeric.csv", "main_platform"),
            ("by_category.csv", "category"),
            ("by_region.csv", "region"),
        ] {
            let Some(bytes) = releases.read(&id, file).await? else {
                continue;
            };
            read_table(spec, &id, file, group_column, &bytes, &mut prior)?;
        }
    }
    Ok(prior)
}

fn read_table(
    spec: &Spec,
    release: &str,
    file: &str,
    group_column: &str,
    bytes: &[u8],
    prior: &mut Prior,
) -> Result<(), PipelineError> {
    let bad = |why: String| PipelineError::PriorRelease {
        release: release.to_owned(),
        why: format!("{file}: {why}"),
    };
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let need = |name: &str| column(name).ok_or_else(|| bad(format!("no `{name}` column")));
    let wave_col = need("wave")?;
    let group_col = need(group_column)?;
    let status_col = need("status")?;
    let n_col = need("n")?;
    let count_col = column("count");
    let item_col = column("question_id").or_else(|| column("indicator"));
    let option_col = column("option_id");
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let field = |i: usize| record.get(i).unwrap_or("");
        let wave = wave_key_of_label(spec.wave_length, field(wave_col))
            .ok_or_else(|| bad(format!("bad wave `{}`", field(wave_col))))?;
        let group_id = field(group_col).to_owned();
        let group = match group_column {
            "category" => Group::Category(group_id),
            "region" => Group::Region(group_id),
            _ if group_id == ALL => Group::All,
            _ => Group::Platform(group_id),
        };
        let item = item_col.map(|i| field(i).to_owned()).unwrap_or_default();
        let option = option_col.map(|i| field(i).to_owned()).unwrap_or_default();
        let (n_kind, count_kind) = match file {
            "respondents.csv" => (CellKind::Respondents, None),
            "answers.csv" => (CellKind::AnswerN, Some(CellKind::AnswerCount)),
            "numeric.csv" => (CellKind::NumericN, None),
            _ => (CellKind::IndicatorN, Some(CellKind::IndicatorCount)),
        };
        let value = |text: &str| -> Result<Option<u64>, PipelineError> {
            if text.is_empty() {
                Ok(None)
            } else {
                text.parse()
                    .map(Some)
                    .map_err(|_| bad(format!("`{text}` is not a count")))
            }
        };
        let key = |kind, option: &str| CellKey {
            wave,
            kind,
            group: group.clone(),
            item: if kind == CellKind::Respondents {
                String::new()
            } else {
                item.clone()
            },
            option: option.to_owned(),
        };
        let mut note = |key: CellKey, value: Option<u64>, suppressed: bool| {
            let earlier = match value {
                Some(v) => Earlier::Published(v),
                None if suppressed => Earlier::Suppressed,
                None => return,
            };
            // Once anything published a number, it is public, whatever came later.
            match prior.get(&key) {
                Some(Earlier::Published(_)) => {}
                _ => {
                    prior.insert(key, earlier);
                }
            }
        };
        let suppressed = field(status_col) == SUPPRESSED;
        note(key(n_kind, ""), value(field(n_col))?, suppressed);
        if let (Some(kind), Some(c)) = (count_kind, count_col) {
            note(key(kind, &option), value(field(c))?, suppressed);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wave_labels_round_trip() {
        assert_eq!(
            wave_key_of_label(WaveLength::Quarter, "2025-Q4"),
            Some(202504)
        );
        assert_eq!(
            wave_key_of_label(WaveLength::Month, "2025-11"),
            Some(202511)
        );
        assert_eq!(wave_key_of_label(WaveLength::Year, "2025"), Some(202501));
        for bad in ["2025-Q5", "2025-Q0", "25-Q1", "2025-13", "2025-Qx", ""] {
            assert_eq!(wave_key_of_label(WaveLength::Quarter, bad), None, "{bad}");
        }
        assert_eq!(wave_key_of_label(WaveLength::Month, "2025-13"), None);
    }
}
