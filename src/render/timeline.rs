//! The timeline of `/cycles/`: cycles as bars from start to end, grouped by change idea
//! and numbered in ramp order, for the change ideas with the most recent activity.

use super::incremental::{self, Dep};
use crate::content::items::{CycleStatus, Kind};
use crate::date::Date;
use crate::resolve::Library;
use serde_json::{json, Value};

/// How many change ideas the timeline shows (those with the most recent activity).
pub const CHANGES_SHOWN: usize = 8;
/// How many cycles of each change idea it shows (the latest of its ramp).
pub const CYCLES_SHOWN: usize = 8;
/// At most this many dated ticks on the time axis, so that labels fit a phone.
const MAX_TICKS: i64 = 6;

/// A cycle's bar: its start and end, and whether it runs on (under way, no end yet).
struct Bar {
    start: Date,
    end: Date,
    open: bool,
}

/// A date as templates receive it (see docs/templates.md, "Dates").
fn date_view(d: Date) -> Value {
    json!({ "iso": d.to_string(), "display": d.display() })
}

/// A position on the axis, in percent of its width, rounded as written in the page.
fn at(d: Date, from: Date, span: i64) -> f64 {
    let p = (d.to_days() - from.to_days()) as f64 * 100.0 / span as f64;
    (p.clamp(0.0, 100.0) * 100.0).round() / 100.0
}

fn percent(d: Date, from: Date, span: i64) -> String {
    format!("{:.2}", at(d, from, span))
}

/// Every `step` months from the first month start on or after `from`, up to `to`.
fn month_ticks(from: Date, to: Date, step: u32) -> Vec<Date> {
    let mut months = i64::from(from.year) * 12 + i64::from(from.month) - 1;
    if from.day > 1 {
        months += 1;
    }
    let step = i64::from(step);
    months += (step - months.rem_euclid(step)) % step;
    let mut ticks = Vec::new();
    loop {
        let d = Date::new(
            months.div_euclid(12) as i32,
            (months.rem_euclid(12) + 1) as u32,
            1,
        )
        .expect("first of a month");
        if d > to {
            break;
        }
        ticks.push(d);
        months += step;
    }
    ticks
}

/// The time axis's ticks: month starts every 1, 2, 3 or 6 months, or year starts every
/// 1, 2, 5, 10… years, whichever gives at most [`MAX_TICKS`].
fn ticks(from: Date, to: Date) -> Vec<(Date, bool)> {
    for step in [1, 2, 3, 6] {
        let t = month_ticks(from, to, step);
        if t.len() as i64 <= MAX_TICKS {
            return t.into_iter().map(|d| (d, false)).collect();
        }
    }
    let mut years = 1;
    loop {
        for k in [1, 2, 5] {
            let t = month_ticks(from, to, 12 * k * years);
            if t.len() as i64 <= MAX_TICKS {
                return t.into_iter().map(|d| (d, true)).collect();
            }
        }
        years *= 10;
    }
}

/// The timeline's data for `cycles.html` (see docs/templates.md), or null when no cycle
/// has a start date. `card` gives an item's card (and notes it as read).
pub(super) fn timeline(library: &Library, card: &dyn Fn(usize) -> Value) -> Value {
    incremental::read(Dep::Kind(Kind::Cycle));
    incremental::read(Dep::Kind(Kind::Change));
    let dates = |i: usize| {
        library.items[i]
            .cycle()
            .map_or((None, None), |c| (c.started, c.ended))
    };
    let status = |i: usize| {
        library.items[i]
            .cycle()
            .map_or(CycleStatus::Planned, |c| c.status)
    };
    let cycles: Vec<usize> = library.of_kind(Kind::Cycle).map(|(i, _)| i).collect();
    // The latest date the cycles tell of: what "now" is for a cycle under way. A planned
    // cycle's dates are intentions, so count only when nothing else is dated.
    let latest_of = |planned: bool| {
        cycles
            .iter()
            .filter(|i| planned || status(**i) != CycleStatus::Planned)
            .flat_map(|i| {
                let (s, e) = dates(*i);
                [s, e]
            })
            .flatten()
            .max()
    };
    let Some(latest) = latest_of(false).or_else(|| latest_of(true)) else {
        return Value::Null;
    };
    let bar = |i: usize| -> Option<Bar> {
        let (started, ended) = dates(i);
        let start = started?;
        let open = ended.is_none() && status(i).is_active();
        let end = match ended {
            Some(e) => e.max(start),
            None if open => latest.max(start),
            None => start,
        };
        Some(Bar { start, end, open })
    };

    // Groups: each change idea's ramp, then the cycles of no change idea.
    let mut groups: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for (ci, change) in library.of_kind(Kind::Change) {
        // Its ramp.
        incremental::read(Dep::Item(change.id.clone()));
        if let Some(ramp) = library.ramps.get(&ci).filter(|r| !r.is_empty()) {
            groups.push((Some(ci), ramp.clone()));
        }
    }
    let mut loose: Vec<usize> = cycles
        .iter()
        .copied()
        .filter(|i| !library.neighbours.contains_key(i))
        .collect();
    loose.sort_by_key(|i| {
        (
            dates(*i).0.is_none(),
            dates(*i).0,
            library.items[*i].id.clone(),
        )
    });
    if !loose.is_empty() {
        groups.push((None, loose));
    }
    let activity = |members: &[usize]| {
        members
            .iter()
            .flat_map(|i| {
                let (s, e) = dates(*i);
                [s, e]
            })
            .flatten()
            .max()
    };
    groups.sort_by(|(a, am), (b, bm)| {
        activity(bm)
            .cmp(&activity(am))
            .then_with(|| a.is_none().cmp(&b.is_none()))
            .then_with(|| {
                a.map(|i| &library.items[i].title)
                    .cmp(&b.map(|i| &library.items[i].title))
            })
    });
    let total_changes = groups.len();
    groups.truncate(CHANGES_SHOWN);

    // The axis: from the earliest start shown to the latest end shown.
    let shown = |members: &[usize]| members.len().saturating_sub(CYCLES_SHOWN);
    let bars: Vec<Bar> = groups
        .iter()
        .flat_map(|(_, members)| members[shown(members)..].iter().filter_map(|i| bar(*i)))
        .collect();
    let (Some(from), Some(to)) = (
        bars.iter().map(|b| b.start).min(),
        bars.iter().map(|b| b.end).max(),
    ) else {
        return Value::Null;
    };
    let span = (to.to_days() - from.to_days()).max(1);
    let ticks: Vec<Value> = ticks(from, to)
        .into_iter()
        .map(|(d, years)| {
            let at = (d.to_days() - from.to_days()) as f64 * 100.0 / span as f64;
            // Labels near the ends are kept inside the axis.
            let anchor = if at < 8.0 {
                "start"
            } else if at > 92.0 {
                "end"
            } else {
                "middle"
            };
            let label = if years {
                d.year.to_string()
            } else {
                format!("{} {}", d.month_name(), d.year)
            };
            json!({ "at": percent(d, from, span), "label": label, "iso": d.to_string(), "anchor": anchor })
        })
        .collect();

    let mut capped = total_changes > CHANGES_SHOWN;
    let groups: Vec<Value> = groups
        .iter()
        .map(|(change, members)| {
            let hidden = shown(members);
            capped |= hidden > 0;
            let rows: Vec<Value> = members
                .iter()
                .enumerate()
                .skip(hidden)
                .map(|(n, &i)| {
                    let mut row = card(i);
                    row["number"] = json!(change.map(|_| n + 1));
                    row["planned"] = json!(status(i) == CycleStatus::Planned);
                    match bar(i) {
                        Some(b) => {
                            row["bar"] = json!({
                                "start": percent(b.start, from, span),
                                "end": percent(b.end, from, span),
                                "width": format!("{:.2}", at(b.end, from, span) - at(b.start, from, span)),
                                "open": b.open,
                                "until": date_view(b.end),
                            });
                        }
                        None => row["bar"] = Value::Null,
                    }
                    row
                })
                .collect();
            let change_card = change.map(card);
            json!({
                "title": change.map_or("Cycles of no change idea", |c| library.items[c].title.as_str()),
                "href": change.map(|c| library.items[c].href()),
                "change": change_card,
                "total": members.len(),
                "hidden": hidden,
                "rows": rows,
            })
        })
        .collect();
    json!({
        "from": date_view(from),
        "to": date_view(to),
        "latest": date_view(latest),
        "ticks": ticks,
        "groups": groups,
        "changes_total": total_changes,
        "changes_shown": total_changes.min(CHANGES_SHOWN),
        "cycles_per_change": CYCLES_SHOWN,
        "capped": capped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn ticks_are_month_or_year_starts_and_few() {
        let t = ticks(d("2025-09-15"), d("2026-02-10"));
        let dates: Vec<String> = t.iter().map(|(d, _)| d.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2025-10-01",
                "2025-11-01",
                "2025-12-01",
                "2026-01-01",
                "2026-02-01"
            ]
        );
        let t = ticks(d("2025-01-01"), d("2026-12-31"));
        assert!(t.len() <= 6 && t.len() >= 3, "{t:?}");
        assert!(t.iter().all(|(d, _)| d.day == 1 && (d.month - 1) % 6 == 0));
        let t = ticks(d("1990-03-01"), d("2030-01-01"));
        assert!(t.len() <= 6 && t.iter().all(|(d, years)| *years && d.month == 1));
    }

    #[test]
    fn positions_are_percentages_of_the_axis() {
        assert_eq!(percent(d("2026-01-01"), d("2026-01-01"), 10), "0.00");
        assert_eq!(percent(d("2026-01-06"), d("2026-01-01"), 10), "50.00");
        assert_eq!(percent(d("2026-02-01"), d("2026-01-01"), 10), "100.00");
    }
}
