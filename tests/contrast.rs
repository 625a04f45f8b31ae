//! Colour contrast of the default theme: every pair of colours the stylesheet draws one
//! on the other meets WCAG 2.2 AA, in the light scheme, the dark one and print.
//!
//! The test reads the stylesheet a site is built with (`assets/cyclebook.css`): the
//! custom properties of `:root` rules at the top level (light), inside
//! `@media … (prefers-color-scheme: dark)` (dark, over light) and inside `@media print`
//! (print, over light). A colour change that breaks a pair fails here, naming the pair,
//! where the theme uses it, and the ratio.
//!
//! The arithmetic is WCAG 2.2's:
//! - "relative luminance", <https://www.w3.org/TR/WCAG22/#dfn-relative-luminance>:
//!   L = 0.2126 R + 0.7152 G + 0.0722 B, where each of R, G, B is C/12.92 if the
//!   sRGB component C (0 to 1) is at most 0.04045, else ((C + 0.055) / 1.055) ^ 2.4;
//! - "contrast ratio", <https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio>:
//!   (L1 + 0.05) / (L2 + 0.05), L1 the lighter colour's relative luminance;
//! - the thresholds of success criteria 1.4.3 Contrast (Minimum), 4.5:1 for text
//!   (3:1 for large text), and 1.4.11 Non-text Contrast, 3:1 for graphics that carry
//!   meaning and for the parts of controls, including the focus indicator.

mod common;

use common::Site;
use std::collections::BTreeMap;

/// Text (WCAG 2.2 SC 1.4.3).
const TEXT: f64 = 4.5;
/// Graphics and parts of controls (SC 1.4.11).
const GRAPHIC: f64 = 3.0;

/// A pair the theme draws: the best of `fg` on `bg` (more than one when an indicator
/// is drawn in two colours, like the focus: a yellow block and a dark underline).
struct Pair {
    fg: Vec<&'static str>,
    bg: &'static str,
    min: f64,
    used_for: &'static str,
    /// Drawn on screens only (the header's colours, the focus): not checked for print.
    screen_only: bool,
}

fn pair(fg: &'static str, bg: &'static str, min: f64, used_for: &'static str) -> Pair {
    Pair {
        fg: vec![fg],
        bg,
        min,
        used_for,
        screen_only: false,
    }
}

fn screen_pair(fg: &'static str, bg: &'static str, min: f64, used_for: &'static str) -> Pair {
    Pair {
        screen_only: true,
        ..pair(fg, bg, min, used_for)
    }
}

fn pairs() -> Vec<Pair> {
    vec![
        // Text on the page and in the tinted boxes (facts, readings, tags, code).
        pair("ink", "paper", TEXT, "body text"),
        pair("ink", "tint", TEXT, "text in boxes, table headers"),
        pair(
            "muted",
            "paper",
            TEXT,
            "secondary text, dates, chart axis labels",
        ),
        pair(
            "muted",
            "tint",
            TEXT,
            "fact labels; planned and measure-kind badges",
        ),
        pair("accent", "paper", TEXT, "links"),
        pair("accent", "tint", TEXT, "links in boxes; tags"),
        pair("accent-dark", "paper", TEXT, "links on hover"),
        pair("accent-dark", "tint", TEXT, "links on hover in boxes"),
        pair(
            "good",
            "paper",
            TEXT,
            "target label on charts; adopted ideas",
        ),
        pair("good", "tint", TEXT, "adopted ideas in driver boxes"),
        pair("warn", "paper", TEXT, "adapt, on the page"),
        pair("warn", "tint", TEXT, "adapt, in boxes"),
        pair("bad", "paper", TEXT, "broken links; abandoned ideas"),
        pair("bad", "tint", TEXT, "abandoned ideas in boxes"),
        // Badges.
        pair("accent-dark", "doing-bg", TEXT, "in-progress badges"),
        pair("good", "good-bg", TEXT, "done and adopted badges"),
        pair("bad", "bad-bg", TEXT, "abandoned badges"),
        pair("lesson", "lesson-bg", TEXT, "lesson badges"),
        pair("on-status", "good", TEXT, "adopt badges; task ticks"),
        pair(
            "on-status",
            "warn",
            TEXT,
            "adapt badges; numbered cycle markers",
        ),
        pair("on-status", "bad", TEXT, "abandon badges"),
        // The header, buttons, the focus.
        pair(
            "header-ink",
            "header-bg",
            TEXT,
            "site title (and navigation)",
        ),
        screen_pair(
            "paper",
            "header-bg",
            GRAPHIC,
            "the search field's edge on the header",
        ),
        pair(
            "on-accent",
            "accent",
            TEXT,
            "pressed buttons; finished ramp steps",
        ),
        screen_pair("focus-ink", "focus", TEXT, "skip link and focused links"),
        Pair {
            fg: vec!["focus", "focus-ink"],
            ..screen_pair(
                "",
                "paper",
                GRAPHIC,
                "focus indicator (yellow block, dark underline) on the page",
            )
        },
        screen_pair(
            "focus",
            "header-bg",
            GRAPHIC,
            "focus indicator in the header",
        ),
        // Charts, sparklines and the Making Data Count icons.
        pair(
            "improve",
            "paper",
            GRAPHIC,
            "special cause improvement points, icons",
        ),
        pair(
            "concern",
            "paper",
            GRAPHIC,
            "special cause concern points, icons",
        ),
        pair(
            "neutral",
            "paper",
            GRAPHIC,
            "special cause neutral points, icons",
        ),
        pair(
            "common",
            "paper",
            TEXT,
            "common cause points; the assurance icon's ?",
        ),
        pair(
            "on-status",
            "improve",
            TEXT,
            "letters in improvement and pass icons",
        ),
        pair(
            "on-status",
            "concern",
            TEXT,
            "letters in concern and fail icons",
        ),
        pair("on-status", "neutral", TEXT, "letters in neutral icons"),
        pair("chart-line", "paper", GRAPHIC, "the line through the data"),
        pair("chart-limit", "paper", GRAPHIC, "control limits"),
        pair("ink", "paper", GRAPHIC, "centre lines, phase boundaries"),
        pair(
            "warn",
            "paper",
            GRAPHIC,
            "cycle markers and lines on charts",
        ),
        pair("muted", "paper", GRAPHIC, "task boxes, note markers"),
        pair("lesson", "paper", GRAPHIC, "lesson cards' edge"),
    ]
}

// ------------------------------------------------------------------ WCAG arithmetic

/// WCAG 2.2 relative luminance of an sRGB colour (components 0–255).
fn relative_luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG 2.2 contrast ratio, 1 to 21.
fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (lighter, darker) = if la >= lb { (la, lb) } else { (lb, la) };
    (lighter + 0.05) / (darker + 0.05)
}

fn parse_hex(value: &str) -> Option<[u8; 3]> {
    let hex = value.trim().strip_prefix('#')?;
    let digits: Vec<u8> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    match digits.len() {
        3 => Some([digits[0] * 17, digits[1] * 17, digits[2] * 17]),
        6 => Some([
            digits[0] * 16 + digits[1],
            digits[2] * 16 + digits[3],
            digits[4] * 16 + digits[5],
        ]),
        _ => None,
    }
}

#[test]
fn the_arithmetic_is_wcags() {
    let (black, white) = ([0, 0, 0], [255, 255, 255]);
    assert!((contrast_ratio(black, white) - 21.0).abs() < 1e-9);
    assert!((contrast_ratio(white, white) - 1.0).abs() < 1e-9);
    // #767676 is the lightest grey that passes 4.5:1 on white; #777777 just fails.
    assert!(contrast_ratio(parse_hex("#767676").unwrap(), white) >= 4.5);
    assert!(contrast_ratio(parse_hex("#777").unwrap(), white) < 4.5);
    // The NHS blue #005eb8 on white, as published: 6.38:1.
    let nhs_blue = contrast_ratio(parse_hex("#005EB8").unwrap(), white);
    assert!((6.375..6.385).contains(&nhs_blue), "{nhs_blue}");
}

// ------------------------------------------------------------------ reading the CSS

/// The custom properties of `:root` rules, by the scheme their context selects.
#[derive(Default, Debug)]
struct Schemes {
    light: BTreeMap<String, String>,
    dark: BTreeMap<String, String>,
    print: BTreeMap<String, String>,
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The rules of a block: (prelude, body), with nested braces kept in the body.
fn rules(css: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut prelude_start = 0;
    let mut body_start = 0;
    let mut prelude = String::new();
    let mut quote: Option<char> = None;
    for (i, c) in css.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '{' => {
                if depth == 0 {
                    prelude = css[prelude_start..i].trim().to_string();
                    body_start = i + 1;
                }
                depth += 1;
            }
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push((prelude.clone(), css[body_start..i].to_string()));
                    prelude_start = i + 1;
                }
            }
            // A statement at-rule (`@import …;`) or a stray `;` ends nothing we read.
            ';' if depth == 0 => prelude_start = i + 1,
            _ => {}
        }
    }
    out
}

fn custom_properties(body: &str) -> Vec<(String, String)> {
    body.split(';')
        .filter_map(|decl| {
            let (name, value) = decl.split_once(':')?;
            let name = name.trim().strip_prefix("--")?;
            Some((name.to_string(), value.trim().to_string()))
        })
        .collect()
}

fn read_schemes(css: &str) -> Schemes {
    fn walk(css: &str, media: &str, schemes: &mut Schemes) {
        for (prelude, body) in rules(css) {
            let squashed: String = prelude
                .to_ascii_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(query) = squashed.strip_prefix("@media") {
                walk(&body, query.trim(), schemes);
            } else if squashed.split(',').any(|s| s.trim() == ":root") {
                let target = if media.is_empty() {
                    &mut schemes.light
                } else if media.contains("prefers-color-scheme: dark")
                    || media.contains("prefers-color-scheme:dark")
                {
                    &mut schemes.dark
                } else if media.split([' ', ',', '(', ')']).any(|w| w == "print") {
                    &mut schemes.print
                } else {
                    continue;
                };
                target.extend(custom_properties(&body));
            }
        }
    }
    let mut schemes = Schemes::default();
    walk(&strip_comments(css), "", &mut schemes);
    schemes
}

fn built_stylesheet() -> String {
    let built = Site::from_files(&[]).build();
    String::from_utf8(built.bytes("assets/cyclebook.css")).unwrap()
}

/// `base` with `over` on top.
fn merged(
    base: &BTreeMap<String, String>,
    over: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out = base.clone();
    out.extend(over.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

// ------------------------------------------------------------------ the checks

#[test]
fn every_colour_pair_meets_wcag_aa_in_light_dark_and_print() {
    let css = built_stylesheet();
    let schemes = read_schemes(&css);
    assert!(
        !schemes.light.is_empty(),
        "no :root custom properties in the built stylesheet"
    );
    assert!(
        !schemes.dark.is_empty(),
        "no dark scheme: no :root rule inside @media (prefers-color-scheme: dark)"
    );
    let palettes = [
        ("light", schemes.light.clone()),
        ("dark", merged(&schemes.light, &schemes.dark)),
        ("print", merged(&schemes.light, &schemes.print)),
    ];
    let mut failures = Vec::new();
    let mut table = String::new();
    for (scheme, palette) in &palettes {
        let colour = |name: &str| -> Result<[u8; 3], String> {
            let value = palette
                .get(name)
                .ok_or_else(|| format!("{scheme}: --{name} is not defined"))?;
            parse_hex(value).ok_or_else(|| {
                format!("{scheme}: --{name} is `{value}`: write colours the test reads as #rgb or #rrggbb")
            })
        };
        for p in pairs() {
            if p.screen_only && *scheme == "print" {
                continue;
            }
            let bg = match colour(p.bg) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(e);
                    continue;
                }
            };
            let mut best: Option<(f64, &str)> = None;
            for fg in &p.fg {
                match colour(fg) {
                    Ok(c) => {
                        let ratio = contrast_ratio(c, bg);
                        if best.is_none_or(|(b, _)| ratio > b) {
                            best = Some((ratio, fg));
                        }
                    }
                    Err(e) => failures.push(e),
                }
            }
            let Some((ratio, fg)) = best else { continue };
            let ok = ratio >= p.min;
            table.push_str(&format!(
                "{scheme:<6} {:<5} --{fg} on --{}: {ratio:.2}:1 (needs {}:1) {}\n",
                if ok { "ok" } else { "FAIL" },
                p.bg,
                p.min,
                p.used_for
            ));
            if !ok {
                failures.push(format!(
                    "{scheme}: --{fg} {} on --{} {} is {ratio:.2}:1, needs {}:1 ({})",
                    palette[fg], p.bg, palette[p.bg], p.min, p.used_for
                ));
            }
        }
    }
    println!("{table}");
    assert!(
        failures.is_empty(),
        "colour pairs below WCAG 2.2 AA:\n  {}\n\nall pairs:\n{table}",
        failures.join("\n  ")
    );
}

#[test]
fn every_light_colour_has_a_dark_one() {
    // A colour set for light only would stay, say, dark blue on the dark page.
    let schemes = read_schemes(&built_stylesheet());
    let missing: Vec<&String> = schemes
        .light
        .iter()
        .filter(|(name, value)| parse_hex(value).is_some() && !schemes.dark.contains_key(*name))
        .map(|(name, _)| name)
        .collect();
    assert!(
        missing.is_empty(),
        "colour variables with no value in the dark scheme (@media (prefers-color-scheme: dark)): {missing:?}"
    );
}

#[test]
fn the_reader_reads_the_schemes_and_nothing_else() {
    let css = "/* :root { --x: #000 } */
        :root { --ink: #111; --paper: #fff }
        @media (max-width: 40rem) { :root { --ink: #222 } }
        @media screen and (prefers-color-scheme: dark) { :root { --ink: #eee; } .x { color: red } }
        @page { size: A4; @bottom-right { content: counter(page) } }
        @media print { :root, .y { --ink: #000 } a::after { content: \"}\" } }";
    let s = read_schemes(css);
    assert_eq!(s.light.get("ink").map(String::as_str), Some("#111"));
    assert_eq!(s.light.get("x"), None);
    assert_eq!(s.dark.get("ink").map(String::as_str), Some("#eee"));
    assert_eq!(s.print.get("ink").map(String::as_str), Some("#000"));
    assert_eq!(parse_hex("#abc"), Some([0xaa, 0xbb, 0xcc]));
    assert_eq!(parse_hex("#0a0B0c"), Some([10, 11, 12]));
    assert_eq!(parse_hex("red"), None);
}
