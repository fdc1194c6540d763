//! When a status ends other than after a fixed duration: at the end of today, at the end of
//! this week, or at a chosen moment, all in the computer's local time. Written in the config
//! as `until = "today"`, `until = "week"` or `until = "2026-12-01T17:00:00+01:00"`.

use chrono::{DateTime, Datelike, Days, Local, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::time::Duration;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Midnight at the end of the local day.
    EndOfDay,
    /// Midnight at the end of the local Sunday (ISO weeks end on Sunday).
    EndOfWeek,
    /// A moment chosen by the user.
    At(DateTime<Utc>),
}

impl Until {
    /// "today", "week", or an RFC 3339 moment.
    pub fn parse(input: &str) -> Result<Self> {
        match input.trim() {
            "today" => Ok(Until::EndOfDay),
            "week" => Ok(Until::EndOfWeek),
            other => DateTime::parse_from_rfc3339(other)
                .map(|at| Until::At(at.with_timezone(&Utc)))
                .map_err(|e| {
                    Error::invalid(format!(
                        "cannot read until = {other:?} ({e}); use \"today\", \"week\" or a time like 2026-12-01T17:00:00+01:00"
                    ))
                }),
        }
    }

    pub fn key(&self) -> String {
        match self {
            Until::EndOfDay => "today".to_owned(),
            Until::EndOfWeek => "week".to_owned(),
            Until::At(at) => at.with_timezone(&Local).to_rfc3339(),
        }
    }

    /// The moment it ends, seen from `now`.
    pub fn end(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let local = now.with_timezone(&Local);
        let days_left = match self {
            Until::At(at) => return *at,
            Until::EndOfDay => 1,
            Until::EndOfWeek => 7 - u64::from(local.weekday().num_days_from_monday()),
        };
        let midnight = local
            .date_naive()
            .checked_add_days(Days::new(days_left))
            .map(|day| day.and_time(NaiveTime::MIN));
        midnight
            .and_then(|m| Local.from_local_datetime(&m).earliest())
            .map_or(now, |m| m.with_timezone(&Utc))
    }

    /// How long a status set `now` lasts; `None` when the moment has passed.
    pub fn remaining(&self, now: DateTime<Utc>) -> Option<Duration> {
        (self.end(now) - now).to_std().ok().filter(|d| !d.is_zero())
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
        for text in ["today", "week", "2026-12-01T17:00:00+01:00"] {
            let parsed = Until::parse(text).expect("parses");
            assert_eq!(Until::parse(&parsed.key()).expect("again"), parsed);
        }
        assert!(Until::parse("tomorrow").is_err());
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
