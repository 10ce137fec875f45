//! The operator's view of a running survey (`canvass status`): responses per ISO week of the
//! open wave and of the last closed one, the share of each week without a solved proof of
//! work (the bot signal), and what the next release will hold and when it runs.
//!
//! Per-week numbers are for the operator only: no route serves them. The public sees the
//! rounded wave total of [`crate::progress`] and nothing finer. Everything here comes from
//! the store's counters ([`ProgressStore`]), never from listing responses.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::progress;
use crate::report_schedule::ReportSchedule;
use crate::store::{ProgressStore, StoreError, WeekCount};
use crate::survey::Survey;
use crate::wave::{IsoWeek, Wave};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekLine {
    pub week: String,
    pub responses: u64,
    pub unverified: u64,
    /// `unverified / responses`, or `None` for an empty week.
    pub unverified_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveLine {
    pub wave: String,
    pub closed: bool,
    /// The last day a response of the wave can be sent (a Sunday).
    pub last_submission_day: String,
    pub responses: u64,
    pub unverified: u64,
    /// Its weeks so far, oldest first.
    pub weeks: Vec<WeekLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextRelease {
    /// The wave the next new release adds: the open one, once it has closed.
    pub wave: String,
    pub responses_so_far: u64,
    /// The wave closes at the end of this day.
    pub closes_after: String,
    /// The first scheduled run from the day after, in the schedule's time zone
    /// (`2027-01-04T06:00`), if the schedule says (the local timer does not).
    pub first_run: Option<String>,
    pub schedule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub survey_id: String,
    pub version: u32,
    /// Today, UTC, which decides the waves.
    pub today: String,
    pub open_wave: WaveLine,
    pub last_closed_wave: WaveLine,
    /// What the public count would show if refreshed now (the open wave's total, rounded).
    pub public_count: u64,
    pub next_release: NextRelease,
}

fn line(week: IsoWeek, count: WeekCount) -> WeekLine {
    WeekLine {
        week: week.to_string(),
        responses: count.responses,
        unverified: count.unverified,
        unverified_share: (count.responses > 0)
            .then(|| count.unverified as f64 / count.responses as f64),
    }
}

async fn wave_line<S: ProgressStore + ?Sized>(
    store: &S,
    survey_id: &str,
    wave: Wave,
    this_week: IsoWeek,
    today: Date,
) -> Result<WaveLine, StoreError> {
    let weeks: Vec<IsoWeek> = wave
        .weeks()
        .into_iter()
        .filter(|w| *w <= this_week)
        .collect();
    let counts = store.week_counts(survey_id, &weeks).await?;
    let weeks: Vec<WeekLine> = weeks.iter().zip(counts).map(|(w, c)| line(*w, c)).collect();
    Ok(WaveLine {
        wave: wave.to_string(),
        closed: wave.is_closed_on(today),
        last_submission_day: wave.last_submission_day().to_string(),
        responses: weeks.iter().map(|w| w.responses).sum(),
        unverified: weeks.iter().map(|w| w.unverified).sum(),
        weeks,
    })
}

/// The status of `survey` (its open or newest published version) at `now`.
pub async fn status<S: ProgressStore + ?Sized>(
    store: &S,
    survey: &Survey,
    now: OffsetDateTime,
    schedule: &ReportSchedule,
) -> Result<Status, StoreError> {
    let today = now.date();
    let this_week = IsoWeek::of(now);
    let open = Wave::of_week(survey.wave, this_week);
    let open_wave = wave_line(store, &survey.id, open, this_week, today).await?;
    let last_closed_wave = wave_line(store, &survey.id, open.previous(), this_week, today).await?;
    let closes = open.last_submission_day();
    let first_run = schedule
        .first_run_from(closes.next_day().expect("not the last day of time"))
        .map(|t| {
            format!(
                "{}T{:02}:{:02}",
                t.date(),
                t.time().hour(),
                t.time().minute()
            )
        });
    Ok(Status {
        survey_id: survey.id.clone(),
        version: survey.version,
        today: today.to_string(),
        public_count: progress::round_down(open_wave.responses),
        next_release: NextRelease {
            wave: open_wave.wave.clone(),
            responses_so_far: open_wave.responses,
            closes_after: closes.to_string(),
            first_run,
            schedule: schedule.to_string(),
        },
        open_wave,
        last_closed_wave,
    })
}

/// Recounts every week [`status`] shows (the open wave's so far and the last closed
/// wave's) from the stored responses: for counters that predate responses already stored.
pub async fn recount<S: ProgressStore + ?Sized>(
    store: &S,
    survey: &Survey,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let this_week = IsoWeek::of(now);
    let open = Wave::of_week(survey.wave, this_week);
    for week in open.previous().weeks().into_iter().chain(open.weeks()) {
        if week <= this_week {
            store.recount_week(&survey.id, week).await?;
        }
    }
    Ok(())
}
