//! When mail may leave: business days and hours in the target's time zone, with jitter so
//! messages do not all go out at 09:00:00. Pure: the caller passes the clock and the random draw.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq)]
pub struct SendWindow {
    /// No window at all (tests, demos): everything may go at once.
    pub always: bool,
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl SendWindow {
    pub fn always() -> SendWindow {
        SendWindow {
            always: true,
            days: Vec::new(),
            start: NaiveTime::MIN,
            end: NaiveTime::MIN,
        }
    }

    pub fn is_open(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        if self.always {
            return true;
        }
        let local = at.with_timezone(&tz);
        self.days.contains(&local.weekday())
            && local.time() >= self.start
            && local.time() < self.end
    }

    /// The first moment at or after `at` when the window is open.
    pub fn next_open(&self, at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        if self.is_open(at, tz) || self.days.is_empty() {
            return at;
        }
        let local = at.with_timezone(&tz);
        for offset in 0..8 {
            let day = local.date_naive() + Duration::days(offset);
            if !self.days.contains(&day.weekday()) {
                continue;
            }
            let Some(open) = local_instant(tz, day, self.start) else {
                continue;
            };
            if open >= at {
                return open;
            }
        }
        at
    }

    /// When a message approved at `now` should go: `jitter` after now if the window is open
    /// then, else `jitter` after the window next opens.
    pub fn schedule(&self, now: DateTime<Utc>, tz: Tz, jitter: Duration) -> DateTime<Utc> {
        if self.always {
            return now;
        }
        let wanted = now + jitter;
        let open = self.next_open(wanted, tz);
        if open == wanted { open } else { open + jitter }
    }
}

/// The instant a local date and time names in `tz`; in a DST gap, the hour after it.
pub fn local_instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let local = day.and_time(time);
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::America::Chicago;

    fn weekdays_9_to_5() -> SendWindow {
        SendWindow {
            always: false,
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        }
    }

    fn chicago(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Chicago
            .from_local_datetime(
                &NaiveDate::from_ymd_opt(y, m, d)
                    .unwrap()
                    .and_hms_opt(h, min, 0)
                    .unwrap(),
            )
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn next_open_by_the_targets_clock() {
        let w = weekdays_9_to_5();
        // 2026-11-23 is a Monday.
        let table = [
            (chicago(2026, 11, 23, 10, 0), chicago(2026, 11, 23, 10, 0)), // open
            (chicago(2026, 11, 23, 7, 30), chicago(2026, 11, 23, 9, 0)),  // before opening
            (chicago(2026, 11, 23, 17, 0), chicago(2026, 11, 24, 9, 0)),  // at closing
            (chicago(2026, 11, 27, 18, 0), chicago(2026, 11, 30, 9, 0)),  // Friday evening
            (chicago(2026, 11, 28, 12, 0), chicago(2026, 11, 30, 9, 0)),  // Saturday
        ];
        for (at, want) in table {
            assert_eq!(w.next_open(at, Chicago), want, "from {at}");
        }
    }

    #[test]
    fn jitter_is_added_inside_the_window() {
        let w = weekdays_9_to_5();
        let j = Duration::minutes(7);
        let mon10 = chicago(2026, 11, 23, 10, 0);
        assert_eq!(w.schedule(mon10, Chicago, j), mon10 + j);
        let sat = chicago(2026, 11, 28, 12, 0);
        assert_eq!(w.schedule(sat, Chicago, j), chicago(2026, 11, 30, 9, 7));
        assert_eq!(SendWindow::always().schedule(sat, Chicago, j), sat);
    }

    #[test]
    fn dst_change_weekend_still_opens_monday() {
        let w = weekdays_9_to_5();
        // US DST ends 2026-11-01 (Sunday).
        let sat = chicago(2026, 10, 31, 12, 0);
        assert_eq!(w.next_open(sat, Chicago), chicago(2026, 11, 2, 9, 0));
    }
}
