//! Time as Canvass keeps it: the ISO week of a submission (never a day or a time) and the
//! reporting wave that week belongs to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, Weekday};

/// An ISO 8601 week, written `2026-W48`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    year: i32,
    week: u8,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not an ISO week like 2026-W48")]
pub struct BadIsoWeek(pub String);

impl IsoWeek {
    pub fn new(year: i32, week: u8) -> Option<IsoWeek> {
        Date::from_iso_week_date(year, week, Weekday::Monday)
            .ok()
            .map(|_| IsoWeek { year, week })
    }

    pub fn of_date(date: Date) -> IsoWeek {
        let (year, week, _) = date.to_iso_week_date();
        IsoWeek { year, week }
    }

    pub fn of(moment: OffsetDateTime) -> IsoWeek {
        IsoWeek::of_date(moment.to_offset(time::UtcOffset::UTC).date())
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn week(self) -> u8 {
        self.week
    }

    pub fn monday(self) -> Date {
        Date::from_iso_week_date(self.year, self.week, Weekday::Monday)
            .expect("IsoWeek is only built from valid weeks")
    }

    /// The week's Thursday decides its month, quarter and year, as ISO 8601 does for years.
    pub fn thursday(self) -> Date {
        Date::from_iso_week_date(self.year, self.week, Weekday::Thursday)
            .expect("IsoWeek is only built from valid weeks")
    }

    pub fn sunday(self) -> Date {
        Date::from_iso_week_date(self.year, self.week, Weekday::Sunday)
            .expect("IsoWeek is only built from valid weeks")
    }

    /// The week after this one.
    pub fn next(self) -> IsoWeek {
        IsoWeek::of_date(self.monday() + time::Duration::days(7))
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-W{:02}", self.year, self.week)
    }
}

impl FromStr for IsoWeek {
    type Err = BadIsoWeek;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadIsoWeek(s.to_owned());
        let (year, week) = s.split_once("-W").ok_or_else(bad)?;
        if year.len() != 4 || week.len() != 2 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let week: u8 = week.parse().map_err(|_| bad())?;
        IsoWeek::new(year, week).ok_or_else(bad)
    }
}

impl Serialize for IsoWeek {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoWeek {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// How long one reporting wave lasts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize, Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum WaveLength {
    Month,
    #[default]
    Quarter,
    Year,
}

/// One reporting wave: `2026-Q4`, `2026-11` or `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Wave {
    pub length: WaveLength,
    pub year: i32,
    /// Month 1..=12, quarter 1..=4, or 1 for a year.
    pub index: u8,
}

impl Wave {
    /// The wave a week belongs to, decided by the week's Thursday.
    pub fn of_week(length: WaveLength, week: IsoWeek) -> Wave {
        let thursday = week.thursday();
        let month = thursday.month() as u8;
        let index = match length {
            WaveLength::Month => month,
            WaveLength::Quarter => (month - 1) / 3 + 1,
            WaveLength::Year => 1,
        };
        Wave {
            length,
            year: thursday.year(),
            index,
        }
    }

    /// First and last calendar day of the wave.
    pub fn days(self) -> (Date, Date) {
        let (first_month, months) = match self.length {
            WaveLength::Month => (self.index, 1),
            WaveLength::Quarter => ((self.index - 1) * 3 + 1, 3),
            WaveLength::Year => (1, 12),
        };
        let start_month = Month::try_from(first_month).expect("wave months are 1..=12");
        let start = Date::from_calendar_date(self.year, start_month, 1).expect("valid date");
        let last_month = Month::try_from(first_month + months - 1).expect("wave months are 1..=12");
        let end = Date::from_calendar_date(
            self.year,
            last_month,
            time::util::days_in_month(last_month, self.year),
        )
        .expect("valid date");
        (start, end)
    }

    /// The last day a response of this wave can be submitted: the Sunday of the last week
    /// whose Thursday falls inside the wave.
    pub fn last_submission_day(self) -> Date {
        let (_, end) = self.days();
        let week = IsoWeek::of_date(end);
        if Wave::of_week(self.length, week) == self {
            week.sunday()
        } else {
            // `end` sits in a week that belongs to the next wave: the week before is the last.
            IsoWeek::of_date(
                week.monday()
                    .previous_day()
                    .expect("not the first day of time"),
            )
            .sunday()
        }
    }

    /// Every ISO week that belongs to the wave, in order (13 or 14 for a quarter).
    pub fn weeks(self) -> Vec<IsoWeek> {
        let (start, _) = self.days();
        let mut week = IsoWeek::of_date(start);
        if Wave::of_week(self.length, week) != self {
            // The first day sits in a week that belongs to the wave before.
            week = week.next();
        }
        let mut weeks = Vec::new();
        while Wave::of_week(self.length, week) == self {
            weeks.push(week);
            week = week.next();
        }
        weeks
    }

    /// The wave just before this one.
    pub fn previous(self) -> Wave {
        let first = self.weeks()[0];
        let before = IsoWeek::of_date(first.monday() - time::Duration::days(7));
        Wave::of_week(self.length, before)
    }

    /// A wave is closed once every week that belongs to it has ended before `today`.
    pub fn is_closed_on(self, today: Date) -> bool {
        today > self.last_submission_day()
    }
}

impl fmt::Display for Wave {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.length {
            WaveLength::Month => write!(f, "{:04}-{:02}", self.year, self.index),
            WaveLength::Quarter => write!(f, "{:04}-Q{}", self.year, self.index),
            WaveLength::Year => write!(f, "{:04}", self.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn iso_weeks_round_trip_and_refuse_nonsense() {
        let week: IsoWeek = "2026-W48".parse().unwrap();
        assert_eq!(week.to_string(), "2026-W48");
        assert_eq!(IsoWeek::of_date(date!(2026 - 11 - 29)), week);
        assert_eq!(
            IsoWeek::of_date(date!(2026 - 11 - 30)).to_string(),
            "2026-W49"
        );
        for bad in [
            "2026-W54", "2026-W00", "2026W48", "26-W48", "2026-W4", "", "2026-W4x",
        ] {
            assert!(bad.parse::<IsoWeek>().is_err(), "{bad}");
        }
        // 2026 has 53 ISO weeks; 2025 does not.
        assert!("2026-W53".parse::<IsoWeek>().is_ok());
        assert!("2025-W53".parse::<IsoWeek>().is_err());
    }

    #[test]
    fn a_week_belongs_to_the_wave_of_its_thursday() {
        // 2025-W40 runs Mon 29 Sep – Sun 5 Oct; its Thursday is 2 Oct, so Q4.
        let week: IsoWeek = "2025-W40".parse().unwrap();
        let wave = Wave::of_week(WaveLength::Quarter, week);
        assert_eq!(wave.to_string(), "2025-Q4");
        // 2026-W01 starts Mon 29 Dec 2025 and belongs to January 2026.
        let week: IsoWeek = "2026-W01".parse().unwrap();
        assert_eq!(
            Wave::of_week(WaveLength::Month, week).to_string(),
            "2026-01"
        );
    }

    #[test]
    fn a_wave_lists_exactly_its_weeks() {
        let q4 = Wave::of_week(WaveLength::Quarter, "2025-W40".parse().unwrap());
        let weeks: Vec<String> = q4.weeks().iter().map(ToString::to_string).collect();
        assert_eq!(weeks.first().unwrap(), "2025-W40");
        // 2026-W01's Thursday is 1 January 2026: it belongs to 2026-Q1.
        assert_eq!(weeks.last().unwrap(), "2025-W52");
        assert_eq!(weeks.len(), 13);
        assert!(
            weeks
                .iter()
                .all(|w| Wave::of_week(WaveLength::Quarter, w.parse().unwrap()) == q4)
        );
        assert_eq!(q4.previous().to_string(), "2025-Q3");
        assert_eq!(
            q4.previous().weeks().last().unwrap().to_string(),
            "2025-W39"
        );
        let year = Wave::of_week(WaveLength::Year, "2026-W20".parse().unwrap());
        assert_eq!(year.weeks().len(), 53);
        assert_eq!(year.previous().to_string(), "2025");
    }

    #[test]
    fn a_wave_closes_after_its_last_week_ends() {
        let q3 = Wave::of_week(WaveLength::Quarter, "2025-W30".parse().unwrap());
        assert_eq!(q3.to_string(), "2025-Q3");
        // 30 Sep 2025 is a Tuesday in W40, whose Thursday is in October: Q3's last week is W39.
        assert_eq!(q3.last_submission_day(), date!(2025 - 09 - 28));
        assert!(!q3.is_closed_on(date!(2025 - 09 - 28)));
        assert!(q3.is_closed_on(date!(2025 - 09 - 29)));
    }
}
