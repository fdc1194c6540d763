//! When a status ends other than after a fixed duration, in the computer's local time:
//! the end of today or of this week, a time of day ("17:00", "tomorrow 09:00"), a date
//! (through that day: "2026-12-24") or a date and time ("2026-12-24 17:00"), or an
//! RFC 3339 moment. Written in the config as `until = "…"` with the same words.
//!
//! DST-safe: a wall time that happens twice (clocks go back) means the first; one that
//! does not exist (clocks go forward) means the same wall time an hour later.

use chrono::{DateTime, Datelike, Days, Local, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::time::Duration;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Midnight at the end of the local day.
    EndOfDay,
    /// Midnight at the end of the local Sunday (ISO weeks end on Sunday).
    EndOfWeek,
    /// This time today ("17:00").
    Today(NaiveTime),
    /// This time tomorrow ("tomorrow 09:00").
    Tomorrow(NaiveTime),
    /// Through this day ("2026-12-24"), or until this time on it ("2026-12-24 17:00").
    Day(NaiveDate, Option<NaiveTime>),
    /// A moment given with its offset (RFC 3339).
    At(DateTime<Utc>),
}

const FORMS: &str = "\"today\", \"this week\", \"17:00\", \"tomorrow 09:00\", \"2026-12-24\" or \"2026-12-24 17:00\"";

fn time_of_day(text: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// A local wall time as a moment, DST-safe (see the module docs).
fn local_moment(day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let wall = day.and_time(time);
    let local = match Local.from_local_datetime(&wall) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Some(at),
        LocalResult::None => Local
            .from_local_datetime(&(wall + chrono::Duration::hours(1)))
            .earliest(),
    };
    local.map(|at| at.with_timezone(&Utc))
}

impl Until {
    /// One of the forms in the module docs, case and spacing forgiven.
    ///
    /// # Errors
    /// Anything else, with the forms it takes.
    pub fn parse(input: &str) -> Result<Self> {
        let text = input.trim().to_lowercase();
        let words: Vec<&str> = text.split_whitespace().collect();
        let parsed = match words.as_slice() {
            ["today"] | ["end", "of", "day"] => Some(Until::EndOfDay),
            ["week"] | ["this", "week"] => Some(Until::EndOfWeek),
            ["tomorrow", time] => time_of_day(time).map(Until::Tomorrow),
            [time] if time_of_day(time).is_some() => time_of_day(time).map(Until::Today),
            [day] if date(day).is_some() => date(day).map(|d| Until::Day(d, None)),
            [day, time] => date(day)
                .zip(time_of_day(time))
                .map(|(d, t)| Until::Day(d, Some(t))),
            _ => DateTime::parse_from_rfc3339(input.trim())
                .ok()
                .map(|at| Until::At(at.with_timezone(&Utc))),
        };
        parsed.ok_or_else(|| {
            Error::invalid(format!(
                "cannot read the end {:?}: use {FORMS}",
                input.trim()
            ))
        })
    }

    pub fn key(&self) -> String {
        match self {
            Until::EndOfDay => "today".to_owned(),
            Until::EndOfWeek => "week".to_owned(),
            Until::Today(time) => time.format("%H:%M").to_string(),
            Until::Tomorrow(time) => format!("tomorrow {}", time.format("%H:%M")),
            Until::Day(day, None) => day.format("%Y-%m-%d").to_string(),
            Until::Day(day, Some(time)) => {
                format!("{} {}", day.format("%Y-%m-%d"), time.format("%H:%M"))
            }
            Until::At(at) => at.with_timezone(&Local).to_rfc3339(),
        }
    }

    /// How a list says it: "today", "this week", "until 17:00", "until tomorrow 09:00",
    /// "through 2026-12-24", "until 2026-12-24 17:00".
    pub fn describe(&self) -> String {
        match self {
            Until::EndOfDay => "today".to_owned(),
            Until::EndOfWeek => "this week".to_owned(),
            Until::Day(_, None) => format!("through {}", self.key()),
            Until::At(at) => format!("until {}", crate::error::local_time(at)),
            _ => format!("until {}", self.key()),
        }
    }

    /// The moment it ends, seen from `now`.
    pub fn end(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let today = now.with_timezone(&Local).date_naive();
        let next = |day: NaiveDate, n: u64| day.checked_add_days(Days::new(n));
        let moment = match self {
            Until::At(at) => return *at,
            Until::EndOfDay => next(today, 1).and_then(|d| local_moment(d, NaiveTime::MIN)),
            Until::EndOfWeek => {
                let left =
                    7 - u64::from(now.with_timezone(&Local).weekday().num_days_from_monday());
                next(today, left).and_then(|d| local_moment(d, NaiveTime::MIN))
            }
            Until::Today(time) => local_moment(today, *time),
            Until::Tomorrow(time) => next(today, 1).and_then(|d| local_moment(d, *time)),
            Until::Day(day, Some(time)) => local_moment(*day, *time),
            Until::Day(day, None) => next(*day, 1).and_then(|d| local_moment(d, NaiveTime::MIN)),
        };
        moment.unwrap_or(now)
    }

    /// How long a status set `now` lasts; `None` when the moment has passed.
    pub fn remaining(&self, now: DateTime<Utc>) -> Option<Duration> {
        (self.end(now) - now).to_std().ok().filter(|d| !d.is_zero())
    }

    /// How long a status set `now` lasts.
    ///
    /// # Errors
    /// The end has passed: "17:00 has passed (it is 18:05 now)".
    pub fn lasting_from(&self, now: DateTime<Utc>) -> Result<Duration> {
        self.remaining(now).ok_or_else(|| {
            Error::invalid(format!(
                "{} has passed (it is {} now); give a later end",
                self.key(),
                now.with_timezone(&Local).format("%Y-%m-%d %H:%M")
            ))
        })
    }
}

impl Serialize for Until {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for Until {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Until::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// In the window's bindings an `Until` is its config text: "today", "week" or a moment.
#[cfg(feature = "specta")]
impl specta::Type for Until {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_and_this_week_end_at_local_midnight() {
        let now = Local
            .with_ymd_and_hms(2026, 12, 2, 15, 30, 0)
            .single()
            .expect("a Wednesday afternoon")
            .with_timezone(&Utc);
        let today = Until::EndOfDay.end(now).with_timezone(&Local);
        assert_eq!((today.day(), today.hour_minute()), (3, (0, 0)));
        let week = Until::EndOfWeek.end(now).with_timezone(&Local);
        assert_eq!((week.day(), week.weekday()), (7, chrono::Weekday::Mon));
        assert!(Until::EndOfDay.remaining(now).is_some());
        let past = Until::At(now - chrono::Duration::minutes(1));
        assert_eq!(past.remaining(now), None);
        for text in [
            "today",
            "week",
            "2026-12-01T17:00:00+01:00",
            "17:00",
            "tomorrow 09:00",
            "2026-12-24",
            "2026-12-24 17:00",
        ] {
            let parsed = Until::parse(text).expect("parses");
            assert_eq!(Until::parse(&parsed.key()).expect("again"), parsed);
        }
        assert_eq!(Until::parse("This  Week").ok(), Some(Until::EndOfWeek));
        for bad in ["tomorrow", "25:00", "2026-13-01", "soon", ""] {
            let e = Until::parse(bad).expect_err(bad);
            assert!(e.to_string().contains("tomorrow 09:00"), "{e}");
        }
    }

    #[test]
    fn times_and_dates_are_local_and_a_past_one_is_refused() {
        let now = Local
            .with_ymd_and_hms(2026, 12, 2, 15, 30, 0)
            .single()
            .expect("a Wednesday afternoon")
            .with_timezone(&Utc);
        let five = Until::parse("17:00")
            .expect("parses")
            .end(now)
            .with_timezone(&Local);
        assert_eq!((five.day(), five.hour_minute()), (2, (17, 0)));
        let nine = Until::parse("tomorrow 09:00")
            .expect("parses")
            .end(now)
            .with_timezone(&Local);
        assert_eq!((nine.day(), nine.hour_minute()), (3, (9, 0)));
        let eve = Until::parse("2026-12-24")
            .expect("parses")
            .end(now)
            .with_timezone(&Local);
        assert_eq!(
            (eve.month(), eve.day(), eve.hour_minute()),
            (12, 25, (0, 0))
        );
        let past = Until::parse("15:00").expect("parses");
        let refused = past.lasting_from(now).expect_err("passed");
        assert!(
            refused
                .to_string()
                .starts_with("15:00 has passed (it is 2026-12-02 15:30"),
            "{refused}"
        );
        assert_eq!(
            Until::parse("17:00")
                .expect("parses")
                .lasting_from(now)
                .ok(),
            Some(Duration::from_secs(90 * 60))
        );
    }

    trait HourMinute {
        fn hour_minute(&self) -> (u32, u32);
    }

    impl HourMinute for DateTime<Local> {
        fn hour_minute(&self) -> (u32, u32) {
            use chrono::Timelike;
            (self.hour(), self.minute())
        }
    }
}
