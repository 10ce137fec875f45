//! The public progress count: how many responses the open wave of a survey has received so
//! far, rounded down to a multiple of 10 and the same for every reader during a clock hour.
//!
//! It is a total only (no breakdown by answer, version, week or proof of work), so it says
//! nothing about any seller's answers; rounding and the hourly refresh make single sends
//! invisible in it (docs/privacy.md, "The progress count"). Reading it costs one item read
//! of the stored snapshot; the counters behind it are summed at most once an hour, and never
//! by listing responses.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::{ProgressStore, Snapshot, StoreError};
use crate::wave::{IsoWeek, Wave, WaveLength};

/// The count is a multiple of this, rounded down.
pub const ROUNDING: u64 = 10;

/// The count changes at most once per this many seconds: at the start of a clock hour.
pub const REFRESH_SECS: i64 = 3600;

/// `n` rounded down to a multiple of [`ROUNDING`].
pub fn round_down(n: u64) -> u64 {
    n - n % ROUNDING
}

/// The start of the clock hour `now` is in, as Unix seconds.
pub fn hour_of(now: OffsetDateTime) -> i64 {
    now.unix_timestamp().div_euclid(REFRESH_SECS) * REFRESH_SECS
}

/// The progress of one survey's open wave, as `GET /surveys/{id}/progress` gives it. These
/// fields and no others (`tests/tests/progress_http.rs` pins them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub survey_id: String,
    /// The open wave (`2026-Q4`).
    pub wave: String,
    /// Responses received in the wave so far, rounded down to a multiple of 10.
    pub responses_at_least: u64,
    /// The hour the count was taken in (`2026-12-06T20:00:00Z`): never finer than the hour.
    pub as_of: String,
    /// When the count is taken again at the earliest: the next hour.
    pub next_update: String,
    #[serde(skip)]
    next_update_unix: i64,
}

impl Progress {
    /// The count worth showing a seller: nothing while fewer than [`ROUNDING`] have answered.
    pub fn shown(&self) -> Option<u64> {
        (self.responses_at_least >= ROUNDING).then_some(self.responses_at_least)
    }

    /// How long a cache may keep this answer: until the next update, at least a second.
    pub fn max_age_secs(&self, now: OffsetDateTime) -> i64 {
        (self.next_update_unix - now.unix_timestamp()).clamp(1, REFRESH_SECS)
    }
}

fn hour_text(hour: i64) -> String {
    OffsetDateTime::from_unix_timestamp(hour)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The weeks of `wave` up to and including `until` (the counters that can hold anything).
fn weeks_so_far(wave: Wave, until: IsoWeek) -> Vec<IsoWeek> {
    wave.weeks().into_iter().filter(|w| *w <= until).collect()
}

/// The progress of the wave open at `now` for `survey_id`, whose waves last `length`.
///
/// Every reader within one clock hour gets the same number: the snapshot stored for the
/// hour if there is one; otherwise the counters are summed, rounded, and offered as the
/// hour's snapshot with a conditional write, and whichever offer won is returned.
pub async fn current<S: ProgressStore + ?Sized>(
    store: &S,
    survey_id: &str,
    length: WaveLength,
    now: OffsetDateTime,
) -> Result<Progress, StoreError> {
    let week = IsoWeek::of(now);
    let wave = Wave::of_week(length, week);
    let hour = hour_of(now);
    let snapshot = match store.snapshot(survey_id, wave).await? {
        // A snapshot of a later hour comes from a reader whose clock is ahead: still the
        // number everyone else sees, so it is shown rather than overwritten.
        Some(stored) if stored.hour >= hour => stored,
        _ => {
            let counts = store
                .week_counts(survey_id, &weeks_so_far(wave, week))
                .await?;
            let total: u64 = counts.iter().map(|c| c.responses).sum();
            let offered = Snapshot {
                hour,
                responses_at_least: round_down(total),
            };
            store.offer_snapshot(survey_id, wave, offered).await?
        }
    };
    let next = snapshot.hour + REFRESH_SECS;
    Ok(Progress {
        survey_id: survey_id.to_owned(),
        wave: wave.to_string(),
        responses_at_least: round_down(snapshot.responses_at_least),
        as_of: hour_text(snapshot.hour),
        next_update: hour_text(next),
        next_update_unix: next,
    })
}

/// `n` written as a reader of `lang` expects: `1,240` in English, `1 240` (narrow no-break
/// space) in French, and in Spanish grouped from five digits on (`1240`, `12 400`).
pub fn group_digits(n: u64, lang: &str) -> String {
    let digits = n.to_string();
    let separator = match lang {
        "en" => ",",
        "es" if digits.len() <= 4 => return digits,
        _ => "\u{202f}",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use async_trait::async_trait;
    use time::macros::datetime;

    use super::*;
    use crate::store::WeekCount;

    /// A store in memory, counting how often the counters are read.
    #[derive(Default)]
    struct Memory {
        weeks: Mutex<BTreeMap<IsoWeek, WeekCount>>,
        snapshot: Mutex<Option<Snapshot>>,
        counter_reads: Mutex<u32>,
    }

    impl Memory {
        fn add(&self, week: &str, n: u64) {
            let mut weeks = self.weeks.lock().unwrap();
            weeks.entry(week.parse().unwrap()).or_default().responses += n;
        }
    }

    #[async_trait]
    impl ProgressStore for Memory {
        async fn week_counts(
            &self,
            _: &str,
            weeks: &[IsoWeek],
        ) -> Result<Vec<WeekCount>, StoreError> {
            *self.counter_reads.lock().unwrap() += 1;
            let stored = self.weeks.lock().unwrap();
            Ok(weeks
                .iter()
                .map(|w| stored.get(w).copied().unwrap_or_default())
                .collect())
        }
        async fn recount_week(&self, _: &str, _: IsoWeek) -> Result<WeekCount, StoreError> {
            unreachable!("the public count never recounts")
        }
        async fn snapshot(&self, _: &str, _: Wave) -> Result<Option<Snapshot>, StoreError> {
            Ok(*self.snapshot.lock().unwrap())
        }
        async fn offer_snapshot(
            &self,
            _: &str,
            _: Wave,
            offered: Snapshot,
        ) -> Result<Snapshot, StoreError> {
            let mut stored = self.snapshot.lock().unwrap();
            if stored.is_none_or(|s| s.hour < offered.hour) {
                *stored = Some(offered);
            }
            Ok(stored.unwrap())
        }
    }

    #[test]
    fn counts_round_down_to_a_multiple_of_ten() {
        for (n, expected) in [
            (0, 0),
            (9, 0),
            (10, 10),
            (19, 10),
            (1249, 1240),
            (1250, 1250),
        ] {
            assert_eq!(round_down(n), expected, "{n}");
        }
    }

    #[tokio::test]
    async fn the_count_changes_only_when_the_hour_does() {
        let store = Memory::default();
        // 2026-12-06 is a Sunday of 2026-W49, in 2026-Q4; W40 is the wave's first week.
        store.add("2026-W40", 1000);
        store.add("2026-W49", 247);
        store.add("2026-W39", 500); // 2026-Q3: not this wave
        let at = |t| current(&store, "s", WaveLength::Quarter, t);
        let first = at(datetime!(2026-12-06 20:17:00 UTC)).await.unwrap();
        assert_eq!(first.responses_at_least, 1240);
        assert_eq!(first.wave, "2026-Q4");
        assert_eq!(first.as_of, "2026-12-06T20:00:00Z");
        assert_eq!(first.next_update, "2026-12-06T21:00:00Z");
        assert_eq!(
            first.max_age_secs(datetime!(2026-12-06 20:17:00 UTC)),
            43 * 60
        );
        // New responses within the hour change nothing, and the counters are not read again.
        store.add("2026-W49", 30);
        let later = at(datetime!(2026-12-06 20:59:59 UTC)).await.unwrap();
        assert_eq!(later, first);
        assert_eq!(*store.counter_reads.lock().unwrap(), 1);
        // The next hour takes them in.
        let next = at(datetime!(2026-12-06 21:00:00 UTC)).await.unwrap();
        assert_eq!(next.responses_at_least, 1270);
        assert_eq!(next.as_of, "2026-12-06T21:00:00Z");
        assert_eq!(*store.counter_reads.lock().unwrap(), 2);
        // A reader whose clock is behind shows the newer snapshot rather than overwrite it.
        let behind = at(datetime!(2026-12-06 20:59:00 UTC)).await.unwrap();
        assert_eq!(behind.responses_at_least, 1270);
    }

    #[tokio::test]
    async fn fewer_than_ten_show_nothing() {
        let store = Memory::default();
        store.add("2026-W49", 9);
        let p = current(
            &store,
            "s",
            WaveLength::Month,
            datetime!(2026-12-06 08:00:00 UTC),
        )
        .await
        .unwrap();
        assert_eq!(p.responses_at_least, 0);
        assert_eq!(p.shown(), None);
        assert_eq!(p.wave, "2026-12");
    }

    #[test]
    fn the_json_has_exactly_the_total_and_its_hour() {
        let p = Progress {
            survey_id: "s".into(),
            wave: "2026-Q4".into(),
            responses_at_least: 1240,
            as_of: "2026-12-06T20:00:00Z".into(),
            next_update: "2026-12-06T21:00:00Z".into(),
            next_update_unix: 0,
        };
        let json = serde_json::to_value(&p).unwrap();
        let keys: std::collections::BTreeSet<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let expected = [
            "as_of",
            "next_update",
            "responses_at_least",
            "survey_id",
            "wave",
        ];
        assert_eq!(keys, expected.into());
    }

    #[test]
    fn digits_are_grouped_per_language() {
        assert_eq!(group_digits(1240, "en"), "1,240");
        assert_eq!(group_digits(1_234_560, "en"), "1,234,560");
        assert_eq!(group_digits(1240, "fr"), "1\u{202f}240");
        assert_eq!(group_digits(1240, "es"), "1240");
        assert_eq!(group_digits(12_400, "es"), "12\u{202f}400");
        assert_eq!(group_digits(990, "fr"), "990");
    }
}
