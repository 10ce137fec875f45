//! When the scheduled report runs, so that `canvass status` can say when the next release
//! comes: the EventBridge Scheduler expression the SAM template deploys (`ReportSchedule`,
//! weekly by default), or `canvass serve`'s timer (`CANVASS_REPORT_INTERVAL_HOURS`).
//!
//! Only the cron shapes a report schedule needs are read: a fixed minute and hour on some
//! days of the week (or every day). Anything else is refused with what is understood.

use std::fmt;

use time::{Date, PrimitiveDateTime, Time, Weekday};

/// The template's default `ReportSchedule` (infra/template.yaml): Mondays at 06:00.
pub const DEFAULT_CRON: &str = "cron(0 6 ? * MON *)";

/// The default of `canvass serve --report-interval-hours`.
pub const DEFAULT_INTERVAL_HOURS: u64 = 168;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportSchedule {
    /// An EventBridge `cron(…)`: at `hour:minute` (in `timezone`) on `days`.
    Cron {
        expression: String,
        minute: u8,
        hour: u8,
        days: Vec<Weekday>,
        timezone: String,
    },
    /// `canvass serve`'s timer: at start, then every `hours` from then.
    Every { hours: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a report schedule this command reads: use `cron(M H ? * DAYS *)` with a \
     minute, an hour and days of the week (MON, MON-FRI, MON,THU or *), as in {DEFAULT_CRON}"
)]
pub struct BadSchedule(pub String);

const DAYS: [(&str, Weekday); 7] = [
    ("SUN", Weekday::Sunday),
    ("MON", Weekday::Monday),
    ("TUE", Weekday::Tuesday),
    ("WED", Weekday::Wednesday),
    ("THU", Weekday::Thursday),
    ("FRI", Weekday::Friday),
    ("SAT", Weekday::Saturday),
];

/// A day of the week by EventBridge's name or number (1 is Sunday).
fn day(text: &str) -> Option<usize> {
    DAYS.iter()
        .position(|(name, _)| name.eq_ignore_ascii_case(text))
        .or_else(|| {
            text.parse::<usize>()
                .ok()
                .filter(|n| (1..=7).contains(n))
                .map(|n| n - 1)
        })
}

fn days_of(field: &str) -> Option<Vec<Weekday>> {
    if field == "*" || field == "?" {
        return Some(DAYS.iter().map(|(_, d)| *d).collect());
    }
    let mut days = Vec::new();
    for part in field.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                if from > to {
                    return None;
                }
                days.extend(DAYS[from..=to].iter().map(|(_, d)| *d));
            }
            None => days.push(DAYS[day(part)?].1),
        }
    }
    Some(days)
}

impl ReportSchedule {
    /// Reads an EventBridge `cron(minutes hours day-of-month month day-of-week year)` whose
    /// minute and hour are fixed and which runs on whole days of the week.
    pub fn cron(expression: &str, timezone: &str) -> Result<ReportSchedule, BadSchedule> {
        let bad = || BadSchedule(expression.to_owned());
        let inner = expression
            .trim()
            .strip_prefix("cron(")
            .and_then(|e| e.strip_suffix(')'))
            .ok_or_else(bad)?;
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [minute, hour, day_of_month, month, day_of_week, year] = fields[..] else {
            return Err(bad());
        };
        let minute: u8 = minute.parse().ok().filter(|m| *m < 60).ok_or_else(bad)?;
        let hour: u8 = hour.parse().ok().filter(|h| *h < 24).ok_or_else(bad)?;
        let every = |f: &str| f == "*" || f == "?";
        if !every(day_of_month) || !every(month) || !every(year) {
            return Err(bad());
        }
        Ok(ReportSchedule::Cron {
            expression: expression.trim().to_owned(),
            minute,
            hour,
            days: days_of(day_of_week).ok_or_else(bad)?,
            timezone: timezone.to_owned(),
        })
    }

    /// The first scheduled run on or after the start of `day`, in the schedule's own time
    /// zone; `None` for the local timer, whose runs count from when the server started.
    pub fn first_run_from(&self, day: Date) -> Option<PrimitiveDateTime> {
        let ReportSchedule::Cron {
            minute, hour, days, ..
        } = self
        else {
            return None;
        };
        let at = Time::from_hms(*hour, *minute, 0).ok()?;
        (0..7)
            .map(|n| day + time::Duration::days(n))
            .find(|d| days.contains(&d.weekday()))
            .map(|d| PrimitiveDateTime::new(d, at))
    }
}

impl fmt::Display for ReportSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportSchedule::Cron {
                expression,
                timezone,
                ..
            } => write!(f, "{expression} ({timezone})"),
            ReportSchedule::Every { hours } => write!(
                f,
                "canvass serve's timer: at start, then every {hours} h (CANVASS_REPORT_INTERVAL_HOURS)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn the_default_schedule_runs_on_the_next_monday_morning() {
        let s = ReportSchedule::cron(DEFAULT_CRON, "UTC").unwrap();
        // 2027-01-04 is a Monday: the run that day counts.
        assert_eq!(
            s.first_run_from(date!(2027 - 01 - 04)),
            Some(datetime!(2027-01-04 06:00))
        );
        assert_eq!(
            s.first_run_from(date!(2027 - 01 - 05)),
            Some(datetime!(2027-01-11 06:00))
        );
        assert_eq!(s.to_string(), "cron(0 6 ? * MON *) (UTC)");
    }

    #[test]
    fn day_lists_ranges_and_numbers_are_read() {
        let s = ReportSchedule::cron("cron(30 2 ? * MON-WED,6 *)", "Europe/Paris").unwrap();
        let ReportSchedule::Cron { days, .. } = &s else {
            unreachable!()
        };
        assert_eq!(
            days,
            &[
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Friday
            ]
        );
        let daily = ReportSchedule::cron("cron(0 0 * * ? *)", "UTC").unwrap();
        assert_eq!(
            daily.first_run_from(date!(2027 - 01 - 07)),
            Some(datetime!(2027-01-07 00:00))
        );
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "rate(7 days)",
            "cron(0 6 1 * ? *)",
            "cron(*/5 6 ? * MON *)",
            "cron(0 6 ? * FUNDAY *)",
            "cron(0 6 ? * FRI-MON *)",
            "cron(0 25 ? * MON *)",
            "cron(0 6 ? * MON)",
        ] {
            assert!(ReportSchedule::cron(bad, "UTC").is_err(), "{bad}");
        }
        assert_eq!(
            ReportSchedule::Every { hours: 168 }.first_run_from(date!(2027 - 01 - 04)),
            None
        );
    }
}
