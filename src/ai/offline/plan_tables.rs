//! Floor plans from table rows (HTML or text tables): a header row with Plan/Beds/Baths/Sq Ft/
//! Rent in any order (or a combined Bed/Bath, or the counts inside a name or details cell), then
//! a plan a row, and an "Available" column's word. Pure; it never reads prose sentences.

use crate::domain::community::{FloorPlan, HowRead};

use super::floor_plans::{bath_mentions, bed_mentions, sqft_mentions};
use super::money::amounts;
use super::text::{MAX_EVIDENCE, clip, number_word, parse_number, words};

/// What a table column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Name,
    Beds,
    Baths,
    BedBath,
    Sqft,
    Price,
    Deposit,
    Available,
    Other,
}

fn column(header: &str) -> Col {
    let h = header.to_ascii_lowercase();
    let has = |w: &str| super::text::has_word(&h, w);
    if (h.contains("bed") || has("br")) && h.contains("bath") {
        Col::BedBath
    } else if h.contains("deposit") {
        Col::Deposit
    } else if h.starts_with("avail") || has("move-in") || has("move in") {
        Col::Available
    } else if h.contains("bed") || has("br") || has("bd") {
        Col::Beds
    } else if h.contains("bath") || has("ba") {
        Col::Baths
    } else if h.contains("sq") || h.contains("square") || has("size") || has("sf") || has("area") {
        Col::Sqft
    } else if [
        "rent", "price", "rate", "monthly", "starting", "cost", "from",
    ]
    .iter()
    .any(|w| has(w))
    {
        Col::Price
    } else if [
        "plan",
        "name",
        "layout",
        "type",
        "style",
        "model",
        "unit",
        "floorplan",
        "home",
        "apartment",
    ]
    .iter()
    .any(|w| has(w))
    {
        Col::Name
    } else {
        Col::Other
    }
}

/// The header row (within the first three) of a floor-plan table, and its columns.
fn header(rows: &[Vec<String>]) -> Option<(usize, Vec<Col>)> {
    rows.iter().take(3).enumerate().find_map(|(i, r)| {
        let cols: Vec<Col> = r.iter().map(|c| column(c)).collect();
        let has = |c: Col| cols.contains(&c);
        let ok = (has(Col::Beds) || has(Col::BedBath) || has(Col::Name))
            && (has(Col::Price) || has(Col::Sqft));
        ok.then_some((i, cols))
    })
}

/// A floor-plan table's "Available" column, when a row fills it: the header and that row.
pub fn availability_from_rows(rows: &[Vec<String>]) -> Option<String> {
    let (h, cols) = header(rows)?;
    let at = cols.iter().position(|c| *c == Col::Available)?;
    let row = rows[h + 1..]
        .iter()
        .find(|r| r.get(at).is_some_and(|v| !v.trim().is_empty()))?;
    Some(clip(
        &format!("{}: {}", rows[h][at], row.join(" | ")),
        MAX_EVIDENCE,
    ))
}

/// Floor plans from a table's rows: a header row first (within the first three), a plan a row.
pub fn from_rows(rows: &[Vec<String>]) -> Vec<FloorPlan> {
    let Some((h, cols)) = header(rows) else {
        return Vec::new();
    };
    let mut plans = Vec::new();
    for row in &rows[h + 1..] {
        let cell = |c: Col| {
            cols.iter()
                .position(|&x| x == c)
                .and_then(|i| row.get(i))
                .map(|s| s.as_str())
        };
        // Name-like and unnamed columns may say it too: "#1204 | 2x2", "2 Bed | 2 Bath | 1,020 SF".
        let described = |f: &dyn Fn(&str) -> Option<f64>| {
            cols.iter()
                .zip(row)
                .filter(|(c, _)| matches!(c, Col::Name | Col::Other | Col::BedBath))
                .find_map(|(_, v)| f(&v.to_ascii_lowercase()))
        };
        // "1 / 1", "Studio / 1", "2x2", "3/2.5" under a Bed/Bath header.
        let bed_bath = cell(Col::BedBath).and_then(bed_bath_cell);
        let beds = cell(Col::Beds)
            .and_then(|b| count_cell(b, true))
            .or(bed_bath.map(|b| b.0))
            .or_else(|| described(&|v| bed_mentions(v).first().map(|m| m.2)));
        let Some(beds) = beds else { continue };
        // Every rent column: "From | To" under one "Rent" header.
        let prices: Vec<(Option<f64>, Option<f64>)> = cols
            .iter()
            .zip(row)
            .filter(|(c, _)| **c == Col::Price)
            .map(|(_, v)| price_cell(v))
            .filter(|p| p.0.is_some())
            .collect();
        let min = prices.iter().filter_map(|p| p.0).reduce(f64::min);
        let max = prices
            .iter()
            .filter_map(|p| p.1.or(p.0))
            .reduce(f64::max)
            .filter(|m| Some(*m) != min);
        // The plan's name: a name column's value that is not a unit number or a bed count.
        let name = cols
            .iter()
            .zip(row)
            .filter(|(c, _)| **c == Col::Name)
            .map(|(_, v)| v.trim())
            .find(|n| {
                !n.is_empty()
                    && !n.starts_with('#')
                    && parse_number(n).is_none()
                    && bed_mentions(&n.to_ascii_lowercase()).is_empty()
                    && !n.to_ascii_lowercase().starts_with("studio")
            })
            .map(str::to_string);
        plans.push(FloorPlan {
            name,
            beds: Some(beds),
            baths: cell(Col::Baths)
                .and_then(|b| count_cell(b, false))
                .or(bed_bath.map(|b| b.1))
                .or_else(|| described(&|v| bath_mentions(v).first().map(|m| m.2))),
            sqft: cell(Col::Sqft)
                .and_then(first_number)
                .or_else(|| described(&|v| sqft_mentions(v).first().map(|m| m.1))),
            min_rental_price: min,
            max_rental_price: max,
            security_deposit: cell(Col::Deposit).and_then(|d| price_cell(d).0),
            evidence: clip(&row.join(" | "), MAX_EVIDENCE),
            confidence: Some(HowRead::TableCell.confidence()),
            ..FloorPlan::default()
        });
    }
    merge_units(plans)
}

/// Rows of one plan (a unit list: "#2107 | Laurel | 2x2 | $1,845", "#1314 | Laurel | 2x2 |
/// $1,890") are one plan with the lowest and highest rent.
fn merge_units(rows: Vec<FloorPlan>) -> Vec<FloorPlan> {
    let mut out: Vec<FloorPlan> = Vec::new();
    for p in rows {
        let same = out
            .iter_mut()
            .find(|q| p.name.is_some() && q.name == p.name && q.beds == p.beds);
        match same {
            Some(q) => {
                let lows = [q.min_rental_price, p.min_rental_price];
                let highs = [
                    q.max_rental_price.or(q.min_rental_price),
                    p.max_rental_price.or(p.min_rental_price),
                ];
                let min = lows.into_iter().flatten().reduce(f64::min);
                let max = highs.into_iter().flatten().reduce(f64::max);
                q.min_rental_price = min;
                q.max_rental_price = max.filter(|m| Some(*m) != min);
            }
            None => out.push(p),
        }
    }
    out
}

/// "1 / 1", "Studio / 1", "2x2", "3/2.5", "2 bd / 2 ba": (beds, baths).
fn bed_bath_cell(cell: &str) -> Option<(f64, f64)> {
    let lower = cell.trim().to_ascii_lowercase().replace("studio", "0");
    let (b, ba) = lower.split_once('/').or_else(|| lower.split_once('x'))?;
    let num = |s: &str| {
        words(s)
            .first()
            .and_then(|w| parse_number(w.2).or_else(|| number_word(w.2)))
    };
    let (b, ba) = (num(b)?, num(ba)?);
    (b <= 6.0 && (0.5..=6.0).contains(&ba)).then_some((b, ba))
}

/// "2", "Studio", "2 BR", "1.5".
fn count_cell(cell: &str, beds: bool) -> Option<f64> {
    let lower = cell.trim().to_ascii_lowercase();
    if beds && lower.starts_with("studio") {
        return Some(0.0);
    }
    let w = words(&lower);
    let first = w.first()?.2;
    parse_number(first)
        .or_else(|| number_word(first))
        .or_else(|| {
            let m = if beds {
                bed_mentions(&lower)
            } else {
                bath_mentions(&lower)
            };
            m.first().map(|m| m.2)
        })
        .filter(|n| *n <= 6.0)
}

fn first_number(cell: &str) -> Option<f64> {
    words(&cell.to_ascii_lowercase())
        .iter()
        .find_map(|w| parse_number(w.2))
}

/// "$1,395 - $1,480", "$1,395+", "1395": (min, max).
fn price_cell(cell: &str) -> (Option<f64>, Option<f64>) {
    let found = amounts(cell);
    if let Some(a) = found.first() {
        let max = found
            .iter()
            .map(|x| x.max.unwrap_or(x.value))
            .reduce(f64::max);
        return (Some(a.value), max.filter(|m| *m != a.value));
    }
    (first_number(cell).filter(|n| *n >= 100.0), None)
}
