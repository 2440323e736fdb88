//! Serde helpers for config values that need a friendlier shape or error than the default impls.
//!
//! Each visitor's `expecting` text ends up in the operator-facing error ("expected ..."), so it is
//! written for people, not for Rust programmers.

use std::fmt;
use std::path::PathBuf;

use chrono::{NaiveTime, Weekday};
use chrono_tz::Tz;
use secrecy::SecretString;
use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected, Visitor};

/// A secret string where `""` means "not set".
pub fn opt_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    let s = String::deserialize(d)?;
    Ok((!s.is_empty()).then(|| SecretString::from(s)))
}

/// A path where `""` means "not set".
pub fn opt_path<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
    let s = String::deserialize(d)?;
    Ok((!s.is_empty()).then(|| PathBuf::from(s)))
}

/// Strings that parse with `FromStr`-like functions, described by `expecting`.
struct StrVisitor<T> {
    expecting: &'static str,
    parse: fn(&str) -> Option<T>,
}

impl<T> Visitor<'_> for StrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.parse)(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
    }
}

const PORT: &str = "a port number 0-65535";

struct PortVisitor;

impl Visitor<'_> for PortVisitor {
    type Value = u16;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(PORT)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u16, E> {
        u16::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u16, E> {
        u16::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }
}

/// A TCP port with an error that says what a port is.
pub fn port<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    d.deserialize_any(PortVisitor)
}

/// A time of day written `"HH:MM"`, 24-hour.
pub fn time_of_day<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    d.deserialize_str(StrVisitor {
        expecting: "a time of day as \"HH:MM\" (24-hour)",
        parse: |s| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok(),
    })
}

/// An IANA time zone name such as `"America/New_York"`.
pub fn time_zone<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    d.deserialize_str(StrVisitor {
        expecting: "an IANA time zone name such as \"America/New_York\"",
        parse: |s| s.trim().parse().ok(),
    })
}

/// One day name; `"mon"` and `"Monday"` both work.
struct Day(Weekday);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor {
            expecting: "a day name: mon, tue, wed, thu, fri, sat or sun",
            parse: |s| s.trim().parse().ok().map(Day),
        })
    }
}

/// A list of day names, duplicates dropped, in the order given.
pub fn weekdays<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
    let days = Vec::<Day>::deserialize(d)?;
    let mut out = Vec::with_capacity(days.len());
    for Day(day) in days {
        if !out.contains(&day) {
            out.push(day);
        }
    }
    Ok(out)
}
