//! The reference cases of qicharts2 and NHSRplotthedots (tests/data/qi/, copied verbatim
//! from the project's shared vectors; each file's `source` names the R call) checked
//! against `cyclebook::stats`. Every expected number must match to 1e-6 relative; a failure
//! names the file, the point and the field, and all failures of a file are listed at once.

use cyclebook::stats::{
    analyse, mdc, Analysis, Assurance, Chart, Direction, Input, Period, Profile, Signal, Variation,
};
use serde_json::Value;
use std::fmt::Debug;
use std::path::{Path, PathBuf};

const TOLERANCE: f64 = 1e-6;

/// Reads one vector and records what does not match.
type Check = fn(&Value, &mut Report);

/// Every vector file, and the check that reads it.
const VECTORS: &[(&str, Check)] = &[
    ("ptd_rule_functions_unit_tests.json", check_ptd_rules),
    ("ptd_xmr_rnorm20_snapshot.json", check_ptd_xmr),
    (
        "qicharts2_c_exclude_freeze_montgomery_ex7_3.json",
        check_qicharts2,
    ),
    ("qicharts2_g_cabg_vignette.json", check_qicharts2),
    (
        "qicharts2_i_freeze20_montgomery_ex6_5.json",
        check_qicharts2,
    ),
    (
        "qicharts2_mr_freeze20_montgomery_ex6_5.json",
        check_qicharts2,
    ),
    (
        "qicharts2_p_variable_n_montgomery_tbl7_4.json",
        check_qicharts2,
    ),
    ("qicharts2_pp_laney_synthetic.json", check_qicharts2),
    ("qicharts2_run_cdi_vignette.json", check_qicharts2),
    ("qicharts2_s_n5_montgomery_ex6_3.json", check_qicharts2),
    ("qicharts2_t_montgomery_ex7_6.json", check_qicharts2),
    (
        "qicharts2_u_constant_n_montgomery_ex7_4.json",
        check_qicharts2,
    ),
    ("qicharts2_up_laney_synthetic.json", check_qicharts2),
    ("qicharts2_xbar_n5_montgomery_ex6_3.json", check_qicharts2),
];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/qi")
}

/// The failures found in one file.
struct Report {
    file: &'static str,
    checked: usize,
    failures: Vec<String>,
}

impl Report {
    fn fail(&mut self, what: &str, message: String) {
        self.failures
            .push(format!("{}: {what}: {message}", self.file));
    }

    fn number(&mut self, what: &str, expected: Option<f64>, actual: Option<f64>) {
        self.checked += 1;
        let ok = match (expected, actual) {
            (None, None) => true,
            (Some(e), Some(a)) => (e - a).abs() <= TOLERANCE * e.abs().max(a.abs()),
            _ => false,
        };
        if !ok {
            self.fail(what, format!("expected {expected:?}, got {actual:?}"));
        }
    }

    fn same<T: PartialEq + Debug>(&mut self, what: &str, expected: T, actual: T) {
        self.checked += 1;
        if expected != actual {
            self.fail(what, format!("expected {expected:?}, got {actual:?}"));
        }
    }
}

/// Read one vector file and run its check; panic with every failure.
fn check_file(name: &'static str) {
    let (_, check) = VECTORS
        .iter()
        .find(|(file, _)| *file == name)
        .expect("listed in VECTORS");
    let path = data_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: cannot read: {e}", path.display()));
    let vector: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
    let mut report = Report {
        file: name,
        checked: 0,
        failures: Vec::new(),
    };
    if !vector["source"].is_object() {
        report.fail(
            "source",
            "missing: every vector names where it came from".into(),
        );
    }
    check(&vector, &mut report);
    assert!(
        report.failures.is_empty(),
        "{} of {} checks failed:\n{}",
        report.failures.len(),
        report.checked,
        report.failures.join("\n")
    );
    assert!(report.checked > 0, "{name}: nothing was checked");
}

fn numbers(v: &Value) -> Vec<Option<f64>> {
    v.as_array()
        .map(|a| a.iter().map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn indices(v: &Value) -> Vec<usize> {
    match v {
        Value::Number(n) => n.as_u64().map(|k| k as usize).into_iter().collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_u64().map(|k| k as usize))
            .collect(),
        _ => Vec::new(),
    }
}

fn chart_named(name: &str) -> Option<Chart> {
    Some(match name {
        "run" => Chart::Run,
        "i" => Chart::I,
        "mr" => Chart::Mr,
        "xbar" => Chart::Xbar,
        "s" => Chart::S,
        "t" => Chart::T,
        "p" => Chart::P,
        "pp" => Chart::Pp,
        "c" => Chart::C,
        "u" => Chart::U,
        "up" => Chart::Up,
        "g" => Chart::G,
        _ => return None,
    })
}

/// A qicharts2 `qic()` data frame: per point y, cl, lcl, ucl, sigma.signal, part, baseline,
/// include; per part the runs analysis. qicharts2 was attached, so moving ranges screened.
fn check_qicharts2(v: &Value, r: &mut Report) {
    let Some(chart) = v["chart"].as_str().and_then(chart_named) else {
        return r.fail("chart", format!("unknown chart {}", v["chart"]));
    };
    let options = &v["options"];
    let periods: Vec<Period> = if let Some(groups) = v["subgroups"].as_array() {
        groups
            .iter()
            .map(|g| Period::subgroup(numbers(g).into_iter().flatten().collect()))
            .collect()
    } else {
        let denominators = numbers(&v["denominators"]);
        numbers(&v["values"])
            .into_iter()
            .enumerate()
            .map(|(i, value)| Period {
                values: value.into_iter().collect(),
                denominator: denominators.get(i).copied().flatten(),
            })
            .collect()
    };
    let n = periods.len();
    // `part` is the 1-based index of the last point of the first part, that is the
    // 0-based index of the first point of the next.
    let phase_starts = indices(&options["part"]);
    let mut excluded = vec![false; n];
    for k in indices(&options["exclude"]) {
        if (1..=n).contains(&k) {
            excluded[k - 1] = true;
        }
    }
    let analysis = analyse(&Input {
        phase_starts: &phase_starts,
        freeze: indices(&options["freeze"]).first().copied(),
        excluded: &excluded,
        multiply: options["multiply"].as_f64().unwrap_or(1.0),
        screen_moving_ranges: options["screened_mr"].as_bool().unwrap_or(true),
        ..Input::new(chart, &periods)
    });

    let expected = &v["expected"];
    r.same("number of points", n, analysis.points.len());
    for (field, get) in [
        (
            "y",
            (|p| p.y) as fn(&cyclebook::stats::PointResult) -> Option<f64>,
        ),
        ("cl", |p| p.centre),
        ("lcl", |p| p.lower),
        ("ucl", |p| p.upper),
    ] {
        let want = numbers(&expected[field]);
        r.same(&format!("length of {field}"), n, want.len());
        for (i, (e, p)) in want.iter().zip(&analysis.points).enumerate() {
            r.number(&format!("point {} {field}", i + 1), *e, get(p));
        }
    }
    for (field, get) in [
        (
            "sigma_signal",
            (|p| p.signals.contains(&Signal::OutsideLimits))
                as fn(&cyclebook::stats::PointResult) -> bool,
        ),
        ("baseline", |p| p.baseline),
        ("include", |p| !p.excluded),
    ] {
        let want = expected[field].as_array().cloned().unwrap_or_default();
        r.same(&format!("length of {field}"), n, want.len());
        for (i, (e, p)) in want.iter().zip(&analysis.points).enumerate() {
            r.same(
                &format!("point {} {field}", i + 1),
                e.as_bool(),
                Some(get(p)),
            );
        }
    }
    let parts = numbers(&expected["part"]);
    r.same("length of part", n, parts.len());
    for (i, (e, p)) in parts.iter().zip(&analysis.points).enumerate() {
        r.same(
            &format!("point {} part", i + 1),
            *e,
            Some((p.phase + 1) as f64),
        );
    }
    check_runs(&expected["runs"], &analysis, r);
}

fn check_runs(runs: &Value, analysis: &Analysis, r: &mut Report) {
    let runs = runs.as_array().cloned().unwrap_or_default();
    r.same("number of parts", runs.len(), analysis.phases.len());
    for run in &runs {
        let part = run["part"].as_u64().unwrap_or(0) as usize;
        let Some(phase) = part.checked_sub(1).and_then(|k| analysis.phases.get(k)) else {
            r.fail(&format!("part {part}"), "no such phase".into());
            continue;
        };
        for (field, actual) in [
            ("n_obs", phase.n_obs),
            ("n_useful", phase.n_useful),
            ("longest_run", phase.longest_run),
            ("longest_run_max", phase.longest_run_max),
            ("n_crossings", phase.crossings),
            ("n_crossings_min", phase.crossings_min),
        ] {
            // qicharts2 gives NA when no point is useful; cyclebook gives 0.
            let want = run[field].as_u64().unwrap_or(0) as usize;
            r.same(&format!("part {part} {field}"), want, actual);
        }
        r.same(
            &format!("part {part} runs_signal"),
            run["runs_signal"].as_bool(),
            Some(phase.runs_signal),
        );
    }
}

/// NHSRplotthedots' word for a point's variation.
fn point_type(v: Variation) -> &'static str {
    match v {
        Variation::CommonCause => "common_cause",
        Variation::Improvement => "special_cause_improvement",
        Variation::Concern => "special_cause_concern",
        Variation::NeutralHigh => "special_cause_neutral_high",
        Variation::NeutralLow => "special_cause_neutral_low",
    }
}

/// `ptd_spc(data, "y", "x")` with its defaults (improvement_direction "increase",
/// screen_outliers TRUE; case c: screen_outliers FALSE).
fn check_ptd_xmr(v: &Value, r: &mut Report) {
    let cases = [
        ("a_default", "values", true),
        ("b_y15_is_10_screened", "values_case_b_and_c", true),
        ("c_y15_is_10_unscreened", "values_case_b_and_c", false),
    ];
    let listed: Vec<&String> = v["expected"]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    r.same("number of cases", cases.len(), listed.len());
    for (case, values, screen) in cases {
        let expected = &v["expected"][case];
        if !expected.is_object() {
            r.fail(case, "missing from the file".into());
            continue;
        }
        let periods: Vec<Period> = numbers(&v[values])
            .into_iter()
            .map(|x| x.map_or_else(Period::missing, Period::value))
            .collect();
        let target = expected["target"].as_f64();
        let analysis = analyse(&Input {
            profile: Profile::Mdc,
            direction: Direction::Increase,
            screen_moving_ranges: screen,
            target,
            ..Input::new(Chart::I, &periods)
        });
        let n = periods.len();
        r.same(
            &format!("{case} number of points"),
            n,
            analysis.points.len(),
        );
        for (source, e) in [("", expected), ("snapshot ", &expected["snapshot"])] {
            for (i, p) in analysis.points.iter().enumerate() {
                let at = |field: &str| format!("{case} {source}point {} {field}", i + 1);
                r.number(&at("mean"), e["mean"].as_f64(), p.centre);
                r.number(&at("lpl"), e["lpl"].as_f64(), p.lower);
                r.number(&at("upl"), e["upl"].as_f64(), p.upper);
            }
        }
        let types = expected["point_type"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        r.same(&format!("{case} length of point_type"), n, types.len());
        for (i, (e, p)) in types.iter().zip(&analysis.points).enumerate() {
            r.same(
                &format!("{case} point {} point_type", i + 1),
                e.as_str(),
                Some(point_type(p.variation)),
            );
        }
        if let Some(sides) = expected["relative_to_mean"].as_array() {
            for (i, (e, p)) in sides.iter().zip(&analysis.points).enumerate() {
                let side = match (p.y, p.centre) {
                    (Some(y), Some(c)) => Some((y - c).signum() as i64 * i64::from(y != c)),
                    _ => None,
                };
                r.same(
                    &format!("{case} point {} relative_to_mean", i + 1),
                    e.as_i64(),
                    side,
                );
            }
        }
        if let Some(outside) = expected["outside_limits"].as_array() {
            for (i, (e, p)) in outside.iter().zip(&analysis.points).enumerate() {
                r.same(
                    &format!("{case} point {} outside_limits", i + 1),
                    e.as_bool(),
                    Some(p.signals.contains(&Signal::OutsideLimits)),
                );
            }
        }
        if let Some(summary) = expected["summary_snapshot"].as_object() {
            for (key, count) in summary {
                let actual = if key == "n" {
                    analysis.points.len()
                } else {
                    analysis
                        .points
                        .iter()
                        .filter(|p| point_type(p.variation) == key)
                        .count()
                };
                r.same(
                    &format!("{case} summary {key}"),
                    count.as_u64(),
                    Some(actual as u64),
                );
            }
        }
        r.same(
            &format!("{case} assurance_type"),
            expected["assurance_type"].as_str(),
            analysis.assurance.map(Assurance::as_str),
        );
    }
}

fn flags(v: &Value) -> Vec<bool> {
    numbers(v).iter().map(|x| x.unwrap_or(0.0) != 0.0).collect()
}

fn signs(v: &Value) -> Vec<i8> {
    numbers(v).iter().map(|x| x.unwrap_or(0.0) as i8).collect()
}

fn as_numbers(v: &[bool]) -> Vec<i8> {
    v.iter().map(|&b| i8::from(b)).collect()
}

/// The package's unit tests of `ptd_seven_point_one_side_mean`, `ptd_part_of_seven_trend`,
/// `ptd_seven_point_trend`, `ptd_two_in_three`, `ptd_part_of_two_in_three` and of the
/// assurance rule, against `cyclebook::stats::mdc`.
fn check_ptd_rules(v: &Value, r: &mut Report) {
    let cases = v["cases"].as_array().cloned().unwrap_or_default();
    r.same("some cases", true, !cases.is_empty());
    for (k, case) in cases.iter().enumerate() {
        let f = case["fn"].as_str().unwrap_or("");
        let what = format!("case {} {f}", k + 1);
        let (input, expected) = (&case["input"], &case["expected"]);
        if f.starts_with("seven_point_one_side_mean(") {
            let got = mdc::seven_point_one_side_mean(&signs(input));
            r.same(&what, signs(expected), as_numbers(&got));
        } else if f.starts_with("part_of_seven_trend(") {
            let got = mdc::part_of_seven(&flags(input));
            r.same(&what, signs(expected), as_numbers(&got));
        } else if f.starts_with("seven_point_trend(") {
            let y: Vec<f64> = numbers(input).into_iter().flatten().collect();
            r.same(&what, signs(expected), mdc::seven_point_trend(&y));
        } else if f.starts_with("two_in_three(") {
            let got = mdc::two_in_three(&flags(&input[0]), &signs(&input[1]));
            r.same(&what, signs(expected), as_numbers(&got));
        } else if f.starts_with("part_of_two_in_three(two_in_three(v, rtm), v)") {
            let close = flags(&input[0]);
            let fired = mdc::two_in_three(&close, &signs(&input[1]));
            let got = mdc::part_of_two_in_three(&fired, &close);
            r.same(&what, signs(expected), as_numbers(&got));
        } else if f.starts_with("assurance") {
            let direction = match input["improvement_direction"].as_str() {
                Some("increase") => Direction::Increase,
                Some("decrease") => Direction::Decrease,
                _ => Direction::Neutral,
            };
            let target = input["target"].as_f64().unwrap_or(f64::NAN);
            let lower = numbers(&input["lpl"]);
            let upper = numbers(&input["upl"]);
            let want = expected.as_array().cloned().unwrap_or_default();
            r.same(
                &format!("{what} length"),
                want.len(),
                lower.len().min(upper.len()),
            );
            for (i, e) in want.iter().enumerate() {
                let got = match (
                    lower.get(i).copied().flatten(),
                    upper.get(i).copied().flatten(),
                ) {
                    (Some(l), Some(u)) => mdc::assurance(l, u, target, direction),
                    _ => None,
                };
                r.same(
                    &format!("{what} [{}]", i + 1),
                    e.as_str(),
                    got.map(Assurance::as_str),
                );
            }
            // The same through analyse: a chart whose last limits are these.
            check_assurance_through_analyse(&what, &lower, &upper, target, direction, &want, r);
        } else {
            r.fail(&what, "no check for this rule function".into());
        }
    }
}

/// For each (lpl, upl), an XmR chart of two points whose MDC limits are exactly those
/// (mean (l + u) / 2, AMR (u - l) / 5.32): analyse must give the same assurance.
fn check_assurance_through_analyse(
    what: &str,
    lower: &[Option<f64>],
    upper: &[Option<f64>],
    target: f64,
    direction: Direction,
    want: &[Value],
    r: &mut Report,
) {
    for (i, e) in want.iter().enumerate() {
        let (Some(l), Some(u)) = (
            lower.get(i).copied().flatten(),
            upper.get(i).copied().flatten(),
        ) else {
            continue;
        };
        let (mean, amr) = ((l + u) / 2.0, (u - l) / (2.0 * 2.66));
        let periods = [
            Period::value(mean - amr / 2.0),
            Period::value(mean + amr / 2.0),
        ];
        let analysis = analyse(&Input {
            profile: Profile::Mdc,
            direction,
            target: Some(target),
            ..Input::new(Chart::I, &periods)
        });
        let last = analysis.points.last();
        let limits = last.and_then(|p| Some((p.lower?, p.upper?)));
        let limits_match = limits.is_some_and(|(al, au)| {
            (al - l).abs() < 1e-9 * l.abs().max(1.0) && (au - u).abs() < 1e-9 * u.abs().max(1.0)
        });
        // Only meaningful when the rebuilt limits land on the target's side exactly.
        if limits_match && (target - l).abs() > 1e-9 && (target - u).abs() > 1e-9 {
            r.same(
                &format!("{what} [{}] through analyse", i + 1),
                e.as_str(),
                analysis.assurance.map(Assurance::as_str),
            );
        }
    }
}

#[test]
fn every_vector_file_is_checked() {
    let mut on_disk: Vec<String> = std::fs::read_dir(data_dir())
        .expect("tests/data/qi exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = VECTORS.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "tests/data/qi/*.json and VECTORS differ");
    assert!(data_dir().join("README.md").is_file());
}

macro_rules! vector_tests {
    ($($name:ident),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_file(concat!(stringify!($name), ".json"));
            }
        )+
    };
}

vector_tests!(
    ptd_rule_functions_unit_tests,
    ptd_xmr_rnorm20_snapshot,
    qicharts2_c_exclude_freeze_montgomery_ex7_3,
    qicharts2_g_cabg_vignette,
    qicharts2_i_freeze20_montgomery_ex6_5,
    qicharts2_mr_freeze20_montgomery_ex6_5,
    qicharts2_p_variable_n_montgomery_tbl7_4,
    qicharts2_pp_laney_synthetic,
    qicharts2_run_cdi_vignette,
    qicharts2_s_n5_montgomery_ex6_3,
    qicharts2_t_montgomery_ex7_6,
    qicharts2_u_constant_n_montgomery_ex7_4,
    qicharts2_up_laney_synthetic,
    qicharts2_xbar_n5_montgomery_ex6_3,
);
