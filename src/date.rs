//! Calendar dates without a clock: ISO `YYYY-MM-DD`, plus the `YYYY-MM` and ISO-week
//! `YYYY-Www` periods that measures use. Output never depends on the build machine's time:
//! only [`Date::today`] reads the clock, for the files `cyclebook init` and `new` write.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// How a measure's period was written, so that pages show it the way the team wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Month,
    Week,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Date {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Strict ISO 8601 calendar date, `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Result<Date, String> {
        let parts: Vec<&str> = s.split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(format!("`{s}` is not a date in the form YYYY-MM-DD"));
        }
        let (Some(y), Some(m), Some(d)) = (digits(parts[0]), digits(parts[1]), digits(parts[2]))
        else {
            return Err(format!("`{s}` is not a date in the form YYYY-MM-DD"));
        };
        Date::new(y as i32, m, d).ok_or_else(|| format!("`{s}` is not a day of the calendar"))
    }

    /// A measure's period: `YYYY-MM-DD`, `YYYY-MM` (its first day) or `YYYY-Www` (its Monday).
    pub fn parse_period(s: &str) -> Result<(Date, Granularity), String> {
        let s = s.trim();
        if let Some((year, week)) = s.split_once("-W") {
            let (Some(y), Some(w)) = (digits(year), digits(week)) else {
                return Err(format!("`{s}` is not an ISO week in the form YYYY-Www"));
            };
            if year.len() != 4 || week.len() != 2 {
                return Err(format!("`{s}` is not an ISO week in the form YYYY-Www"));
            }
            return Date::from_iso_week(y as i32, w)
                .map(|d| (d, Granularity::Week))
                .ok_or_else(|| format!("`{s}`: year {y} has no week {w}"));
        }
        let parts: Vec<&str> = s.split('-').collect();
        if parts.len() == 2 && parts[0].len() == 4 && parts[1].len() == 2 {
            if let (Some(y), Some(m)) = (digits(parts[0]), digits(parts[1])) {
                return Date::new(y as i32, m, 1)
                    .map(|d| (d, Granularity::Month))
                    .ok_or_else(|| format!("`{s}` is not a month of the calendar"));
            }
        }
        Date::parse_iso(s)
            .map(|d| (d, Granularity::Day))
            .map_err(|_| {
                format!(
                    "`{s}` is not a date (YYYY-MM-DD), a month (YYYY-MM) or an ISO week (YYYY-Www)"
                )
            })
    }

    /// Days since 1970-01-01 (negative before), by the civil-from-days algorithm
    /// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Today in UTC, from the system clock. Only for scaffolding new files (`cyclebook
    /// init`, `cyclebook new`): nothing that `check` or `build` produces may depend on it.
    pub fn today() -> Date {
        let seconds = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        };
        Date::from_unix_seconds(seconds)
    }

    /// The UTC calendar day of a Unix time (seconds since 1970-01-01T00:00:00Z).
    pub fn from_unix_seconds(seconds: i64) -> Date {
        Date::from_days(seconds.div_euclid(86_400))
    }

    /// ISO weekday, Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        ((self.to_days() + 3).rem_euclid(7) + 1) as u32
    }

    /// The Monday of ISO week `week` of `year`: week 1 holds the year's first Thursday.
    pub fn from_iso_week(year: i32, week: u32) -> Option<Date> {
        let jan4 = Date::new(year, 1, 4)?;
        let week1_monday = jan4.to_days() - i64::from(jan4.weekday() - 1);
        let weeks_in_year = if Date::from_days(week1_monday + 52 * 7).iso_week().0 == year {
            53
        } else {
            52
        };
        if week == 0 || week > weeks_in_year {
            return None;
        }
        Some(Date::from_days(week1_monday + i64::from(week - 1) * 7))
    }

    /// (ISO year, ISO week number).
    pub fn iso_week(self) -> (i32, u32) {
        let thursday = Date::from_days(self.to_days() - i64::from(self.weekday()) + 4);
        let jan1 = Date::new(thursday.year, 1, 1).expect("1 January exists");
        let week = ((thursday.to_days() - jan1.to_days()) / 7 + 1) as u32;
        (thursday.year, week)
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// "2 Mar 2026": unambiguous for readers in any locale.
    pub fn display(self) -> String {
        format!(
            "{} {} {}",
            self.day,
            MONTHS[(self.month - 1) as usize],
            self.year
        )
    }

    /// The period as the team wrote it, for tables and axis labels.
    pub fn display_period(self, granularity: Granularity) -> String {
        match granularity {
            Granularity::Day => self.display(),
            Granularity::Month => format!("{} {}", MONTHS[(self.month - 1) as usize], self.year),
            Granularity::Week => {
                let (y, w) = self.iso_week();
                format!("{y}-W{w:02}")
            }
        }
    }

    pub fn month_name(self) -> &'static str {
        MONTHS[(self.month - 1) as usize]
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strict_iso_dates() {
        assert_eq!(
            Date::parse_iso("2026-03-02").unwrap(),
            Date::new(2026, 3, 2).unwrap()
        );
        assert!(Date::parse_iso("2026-02-30")
            .unwrap_err()
            .contains("not a day"));
        assert!(Date::parse_iso("2026-3-2").is_err());
        assert!(Date::parse_iso("02/03/2026").is_err());
        assert!(Date::parse_iso("2024-02-29").is_ok());
        assert!(Date::parse_iso("2100-02-29").is_err());
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().to_days(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().to_days(), 11_017);
        for days in [-800_000, -1, 0, 59, 10_000, 20_000, 2_000_000] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
    }

    #[test]
    fn civil_from_days_gives_known_dates() {
        for (days, iso) in [
            (0, "1970-01-01"),
            (-1, "1969-12-31"),
            (11_016, "2000-02-29"),
            (19_782, "2024-02-29"),
            (20_514, "2026-03-02"),
            (24_855, "2038-01-19"),
            (-25_508, "1900-03-01"),
            (47_541, "2100-03-01"),
        ] {
            assert_eq!(Date::from_days(days).to_string(), iso, "day {days}");
        }
    }

    #[test]
    fn unix_seconds_give_the_utc_day() {
        // 2026-03-02T23:59:59Z, then the next second.
        assert_eq!(
            Date::from_unix_seconds(1_772_495_999).to_string(),
            "2026-03-02"
        );
        assert_eq!(
            Date::from_unix_seconds(1_772_496_000).to_string(),
            "2026-03-03"
        );
        assert_eq!(Date::from_unix_seconds(-1).to_string(), "1969-12-31");
        assert_eq!(Date::from_unix_seconds(0).to_string(), "1970-01-01");
        let today = Date::today();
        assert!(today.year >= 2025, "the clock says {today}");
    }

    #[test]
    fn iso_weeks_match_the_standard() {
        // 2026-01-01 is a Thursday, so week 1 starts on Monday 2025-12-29.
        assert_eq!(
            Date::from_iso_week(2026, 1).unwrap(),
            Date::new(2025, 12, 29).unwrap()
        );
        assert_eq!(Date::new(2026, 3, 2).unwrap().weekday(), 1);
        assert_eq!(Date::new(2021, 1, 3).unwrap().iso_week(), (2020, 53));
        assert!(Date::from_iso_week(2020, 53).is_some());
        assert!(Date::from_iso_week(2021, 53).is_none());
        let (d, g) = Date::parse_period("2026-W10").unwrap();
        assert_eq!(
            (d.to_string().as_str(), g),
            ("2026-03-02", Granularity::Week)
        );
        assert_eq!(
            Date::parse_period("2026-04").unwrap().0.to_string(),
            "2026-04-01"
        );
        assert!(Date::parse_period("2026-13").is_err());
    }
}
