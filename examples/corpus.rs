//! A deterministic synthetic corpus for benchmarks and stress tests.
//!
//! ```text
//! cargo run --release --example corpus -- --items N --measures M --points P [--seed S] OUT_DIR
//! ```
//!
//! Writes `OUT_DIR/site/`, a valid cyclebook site with N items (aims with driver diagrams,
//! change ideas, cycles in ramps, notes and lessons) and M measures of every chart type with
//! P weekly points each, and `OUT_DIR/hugo/`, a Hugo site holding the same pages as plain
//! Markdown (wiki links turned into ordinary links, measure data as tables), so that both
//! tools can be timed on similar text. The same arguments always give byte-identical trees:
//! everything random comes from a seeded SplitMix64 generator, and nothing reads the clock.
//! All content is synthetic: no names, no identifiers, staff by role only.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// ---------------------------------------------------------------------------------------
// Random numbers: SplitMix64, one independent stream per item.
// ---------------------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A stream that depends only on the seed, the kind of thing drawn and its index.
    fn stream(seed: u64, kind: u64, index: u64) -> Rng {
        let mut a = Rng(seed ^ kind.wrapping_mul(0xA076_1D64_78BD_642F));
        let mixed = a.next();
        let mut b = Rng(mixed ^ index.wrapping_mul(0xE703_7ED1_A0B4_28DB));
        b.next();
        b
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn word(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }

    /// An approximately standard normal value (Irwin–Hall), with only + and − so that it
    /// is the same on every platform.
    fn normal(&mut self) -> f64 {
        let mut s = 0.0;
        for _ in 0..12 {
            s += self.unit();
        }
        s - 6.0
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Dates: days since 1970-01-01.
// ---------------------------------------------------------------------------------------

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn ymd(day: i64) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn iso_week(day: i64) -> String {
    let weekday = (day + 3).rem_euclid(7); // Monday = 0
    let thursday = day - weekday + 3;
    let (ty, _, _) = civil(thursday);
    let week = (thursday - days_from_civil(ty, 1, 1)) / 7 + 1;
    format!("{ty:04}-W{week:02}")
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_year(day: i64) -> String {
    let (y, m, _) = civil(day);
    format!("{} {y}", MONTHS[(m - 1) as usize])
}

fn long_date(day: i64) -> String {
    let (y, m, d) = civil(day);
    format!("{d} {} {y}", &MONTHS[(m - 1) as usize][..3])
}

/// Monday 2 January 2023: the first week of every measure.
fn base_day() -> i64 {
    days_from_civil(2023, 1, 2)
}

// ---------------------------------------------------------------------------------------
// The clinical areas: vocabulary for aims, drivers, change ideas and measures.
// ---------------------------------------------------------------------------------------

struct Idea {
    slug: &'static str,
    title: &'static str,
    /// How sentences name it: "the safety huddle".
    short: &'static str,
    /// Indices into the area's secondary drivers.
    drivers: &'static [usize],
}

struct Area {
    key: &'static str,
    topic: &'static str,
    settings: &'static [&'static str],
    /// The part of a setting a first test uses: "bay" (bay C).
    sub: &'static str,
    /// One unit of observation on a tally sheet.
    obs: &'static str,
    event: &'static str,
    event_slug: &'static str,
    exposure: &'static str,
    /// `multiply` of rate charts, and its words ("1,000").
    per: f64,
    per_words: &'static str,
    /// Events per unit of exposure at baseline.
    rate0: f64,
    exposure_week: (i64, i64),
    prop: &'static str,
    prop_slug: &'static str,
    p0: f64,
    p1: f64,
    prop_up: bool,
    prop_num: &'static str,
    prop_den: &'static str,
    cont: &'static str,
    cont_slug: &'static str,
    cont_unit: &'static str,
    mu0: f64,
    mu1: f64,
    sd: f64,
    decimals: usize,
    rare: &'static str,
    rare_slug: &'static str,
    cases: &'static str,
    secondaries: &'static [(&'static str, &'static str)],
    primaries: &'static [(&'static str, &'static str, &'static [usize])],
    ideas: &'static [Idea],
}

macro_rules! idea {
    ($slug:expr, $title:expr, $short:expr, [$($d:expr),*]) => {
        Idea { slug: $slug, title: $title, short: $short, drivers: &[$($d),*] }
    };
}

const AREAS: [Area; 12] = [
    Area {
        key: "falls",
        topic: "falls prevention",
        settings: &["Ward {w} (older people's medicine)", "Ward {w} (acute medicine)", "Ward {w} (orthopaedics)", "the Frailty Unit", "Ward {w} (stroke rehabilitation)"],
        sub: "bay",
        obs: "admission",
        event: "inpatient falls",
        event_slug: "falls",
        exposure: "occupied bed days",
        per: 1000.0,
        per_words: "1,000",
        rate0: 0.0085,
        exposure_week: (150, 700),
        prop: "Admissions with a falls risk assessment within 6 hours",
        prop_slug: "falls-assessment-6h",
        p0: 0.55,
        p1: 0.85,
        prop_up: true,
        prop_num: "patients with the multifactorial falls risk assessment completed within 6 hours of arrival",
        prop_den: "patients admitted or transferred to the ward in the week",
        cont: "Minutes from arrival to falls risk assessment",
        cont_slug: "minutes-to-falls-assessment",
        cont_unit: "minutes",
        mu0: 330.0,
        mu1: 210.0,
        sd: 60.0,
        decimals: 0,
        rare: "falls with harm",
        rare_slug: "falls-with-harm",
        cases: "admissions",
        secondaries: &[
            ("early-assessment", "Multifactorial falls assessment completed within 6 hours of arrival"),
            ("shared-risk-awareness", "Risks and changes shared at every shift and across professions"),
            ("medicines-review", "Medicines that raise the risk of falling are reviewed on admission"),
            ("presence-in-bays", "A member of staff is always present in bays with high-risk patients"),
            ("toileting-help", "Help to the toilet offered before patients try alone"),
            ("safe-surroundings", "Call bells, walking aids and footwear within reach"),
        ],
        primaries: &[
            ("reliable-risk-identification", "Every patient's falls risks are found early and known to the whole team", &[0, 1, 2]),
            ("safe-supervision", "Patients at high risk are supervised when they are most likely to fall", &[1, 3, 4]),
            ("safe-environment", "The ward environment makes falls less likely", &[5, 4]),
        ],
        ideas: &[
            idea!("safety-huddle", "A falls safety huddle at every handover", "the safety huddle", [1]),
            idea!("bay-tagging", "Bay tagging: someone is always in the bay", "bay tagging", [3]),
            idea!("admission-falls-bundle", "An admission falls bundle completed within 6 hours", "the admission bundle", [0]),
            idea!("lying-standing-bp", "Lying and standing blood pressure for every patient over 65", "lying and standing blood pressure", [0, 2]),
            idea!("toileting-round", "An intentional toileting round at 22:00 and 02:00", "the toileting round", [4]),
            idea!("grab-box", "A bedside grab box so staff can stay in the bay", "the grab box", [3, 5]),
            idea!("footwear-check", "Non-slip socks and own footwear checked on every round", "the footwear check", [5]),
        ],
    },
    Area {
        key: "pressure-ulcers",
        topic: "pressure ulcer prevention",
        settings: &["Ward {w} (care of the elderly)", "Ward {w} (vascular surgery)", "the Intensive Care Unit", "Ward {w} (general medicine)"],
        sub: "bay",
        obs: "patient at high risk",
        event: "hospital-acquired pressure ulcers",
        event_slug: "pressure-ulcers",
        exposure: "occupied bed days",
        per: 1000.0,
        per_words: "1,000",
        rate0: 0.004,
        exposure_week: (150, 600),
        prop: "Patients with a skin inspection within 6 hours of admission",
        prop_slug: "skin-inspection-6h",
        p0: 0.6,
        p1: 0.9,
        prop_up: true,
        prop_num: "patients with a documented skin inspection and risk score within 6 hours",
        prop_den: "patients admitted to the ward in the week",
        cont: "Hours between repositioning for patients at high risk",
        cont_slug: "hours-between-repositioning",
        cont_unit: "hours",
        mu0: 4.2,
        mu1: 2.8,
        sd: 0.6,
        decimals: 1,
        rare: "category 3 or 4 pressure ulcers",
        rare_slug: "category-3-ulcers",
        cases: "admissions",
        secondaries: &[
            ("skin-inspection", "Skin inspected and risk scored on admission"),
            ("repositioning-to-plan", "Repositioning done and recorded to plan"),
            ("equipment-in-time", "The right mattress and heel protection within 4 hours"),
            ("nutrition-hydration", "Nutrition and hydration supported at every meal"),
            ("moisture-care", "Skin kept clean and dry"),
        ],
        primaries: &[
            ("early-risk-recognition", "Risk of skin damage is recognised on arrival", &[0, 3]),
            ("reliable-prevention", "Prevention care is delivered on every shift", &[1, 4]),
            ("equipment-when-needed", "Pressure-relieving equipment is there when needed", &[2, 1]),
        ],
        ideas: &[
            idea!("skin-bundle", "A skin bundle on the admission checklist", "the skin bundle", [0]),
            idea!("repositioning-clock", "A repositioning clock above each high-risk bed", "the repositioning clock", [1]),
            idea!("heel-boots", "Heel offloading boots from the emergency department onwards", "the heel boots", [2]),
            idea!("mattress-tracker", "A mattress tracker on the ward whiteboard", "the mattress tracker", [2]),
            idea!("protected-mealtimes", "Protected mealtimes with a named helper", "protected mealtimes", [3]),
            idea!("barrier-cream-round", "Barrier cream and continence check on the intentional round", "the continence check", [4]),
        ],
    },
    Area {
        key: "sepsis",
        topic: "sepsis recognition and treatment",
        settings: &["the Emergency Department", "the Acute Medical Unit", "Ward {w} (respiratory medicine)", "the Surgical Assessment Unit"],
        sub: "bay",
        obs: "patient screening positive",
        event: "unplanned intensive care admissions",
        event_slug: "icu-admissions",
        exposure: "admissions",
        per: 1000.0,
        per_words: "1,000",
        rate0: 0.012,
        exposure_week: (250, 900),
        prop: "Patients with suspected sepsis given antibiotics within 1 hour",
        prop_slug: "antibiotics-1h",
        p0: 0.62,
        p1: 0.88,
        prop_up: true,
        prop_num: "patients given the first antibiotic dose within 60 minutes of recognition",
        prop_den: "patients screening positive for sepsis in the week",
        cont: "Minutes from triage to first antibiotic dose",
        cont_slug: "minutes-to-antibiotics",
        cont_unit: "minutes",
        mu0: 78.0,
        mu1: 52.0,
        sd: 18.0,
        decimals: 0,
        rare: "sepsis escalations missed at handover",
        rare_slug: "missed-escalations",
        cases: "patients screened",
        secondaries: &[
            ("screening-at-triage", "Every patient with signs of infection screened at triage"),
            ("score-escalation", "Raised early warning scores escalated within 30 minutes"),
            ("antibiotics-at-hand", "Antibiotics and fluids at hand in every area"),
            ("cultures-first", "Blood cultures taken before the first dose"),
            ("risk-at-handover", "Sepsis risk passed on at every handover"),
        ],
        primaries: &[
            ("prompt-recognition", "Sepsis is recognised promptly", &[0, 1]),
            ("prompt-treatment", "Treatment starts within the hour", &[2, 3]),
            ("continuity-of-care", "Nothing is lost when care moves between teams", &[4, 1]),
        ],
        ideas: &[
            idea!("sepsis-trolley", "A stocked sepsis trolley in every bay", "the sepsis trolley", [2]),
            idea!("triage-screen", "Sepsis screening built into the triage form", "the triage screen", [0]),
            idea!("nurse-first-dose", "Nurse-initiated first-dose antibiotics under a group direction", "nurse-initiated antibiotics", [2, 3]),
            idea!("escalation-prompt", "An escalation prompt on the observation chart", "the escalation prompt", [1]),
            idea!("culture-packs", "Blood culture packs with the cannulation kit", "the culture packs", [3]),
            idea!("sepsis-handover", "Sepsis on the structured handover sheet", "the handover line", [4]),
        ],
    },
    Area {
        key: "heart-failure",
        topic: "follow-up after a heart failure admission",
        settings: &["the Heart Failure Clinic", "Ward {w} (cardiology)", "the Coronary Care Unit", "the community heart failure service"],
        sub: "clinic room",
        obs: "discharge",
        event: "emergency readmissions",
        event_slug: "readmissions",
        exposure: "discharges",
        per: 100.0,
        per_words: "100",
        rate0: 0.17,
        exposure_week: (12, 45),
        prop: "Patients reviewed by the heart failure team within 14 days of discharge",
        prop_slug: "hf-review-14d",
        p0: 0.35,
        p1: 0.7,
        prop_up: true,
        prop_num: "patients seen by the heart failure team within 14 days",
        prop_den: "patients discharged after a heart failure admission in the week",
        cont: "Days from discharge to first heart failure review",
        cont_slug: "days-to-hf-review",
        cont_unit: "days",
        mu0: 24.0,
        mu1: 12.0,
        sd: 5.0,
        decimals: 0,
        rare: "readmissions within 7 days",
        rare_slug: "early-readmissions",
        cases: "discharges",
        secondaries: &[
            ("discharge-identification", "Every heart failure discharge is known to the team"),
            ("review-capacity", "Protected clinic capacity for post-discharge reviews"),
            ("titration-capacity", "Prescriber time to titrate medicines every two weeks"),
            ("daily-weights", "Patients weigh themselves daily and know when to call"),
            ("carer-teaching", "Carers included in discharge teaching"),
        ],
        primaries: &[
            ("early-contact", "Every patient hears from the team soon after discharge", &[0, 1]),
            ("medicines-optimised", "Heart failure medicines are started and titrated", &[2, 1]),
            ("self-care", "Patients and carers can spot fluid overload early", &[3, 4]),
        ],
        ideas: &[
            idea!("early-review-call", "A phone review within 72 hours of discharge", "the early review call", [1]),
            idea!("pharmacy-discharge-list", "A daily discharge list from the pharmacy system", "the discharge list", [0]),
            idea!("titration-clinic", "A pharmacist-led titration clinic", "the titration clinic", [2]),
            idea!("weight-diary", "A weight diary and scales on discharge", "the weight diary", [3]),
            idea!("teach-back", "Teach-back with patients and carers before discharge", "teach-back", [4]),
            idea!("hf-virtual-ward", "A heart failure virtual ward for the first fortnight", "the virtual ward", [1, 3]),
        ],
    },
    Area {
        key: "discharge",
        topic: "timely discharge",
        settings: &["Ward {w} (general medicine)", "Ward {w} (general surgery)", "the Acute Medical Unit", "Ward {w} (orthopaedics)"],
        sub: "bay",
        obs: "discharge",
        event: "delayed discharges",
        event_slug: "delayed-discharges",
        exposure: "occupied bed days",
        per: 1000.0,
        per_words: "1,000",
        rate0: 0.02,
        exposure_week: (150, 700),
        prop: "Discharges completed before noon",
        prop_slug: "discharges-before-noon",
        p0: 0.16,
        p1: 0.34,
        prop_up: true,
        prop_num: "patients who left the ward before 12:00",
        prop_den: "patients discharged home or to a care setting in the week",
        cont: "Hours from medically fit to leaving the ward",
        cont_slug: "hours-fit-to-discharge",
        cont_unit: "hours",
        mu0: 31.0,
        mu1: 19.0,
        sd: 7.0,
        decimals: 1,
        rare: "discharges cancelled on the day",
        rare_slug: "cancelled-discharges",
        cases: "discharges",
        secondaries: &[
            ("discharge-date-set", "An expected date of discharge set within 24 hours"),
            ("medicines-ready", "Discharge medicines ready the day before"),
            ("transport-booked", "Transport booked by 10:00"),
            ("daily-board-round", "A daily board round with every profession"),
            ("criteria-led", "Nurses discharge to agreed criteria"),
        ],
        primaries: &[
            ("planning-from-admission", "Discharge is planned from the day of admission", &[0, 3]),
            ("ready-on-the-day", "Everything is ready on the morning of discharge", &[1, 2]),
            ("decisions-without-waiting", "Decisions do not wait for the ward round", &[4, 3]),
        ],
        ideas: &[
            idea!("board-round-0900", "A 09:00 board round with a discharge focus", "the 09:00 board round", [3]),
            idea!("medicines-day-before", "Discharge medicines written the day before", "writing medicines the day before", [1]),
            idea!("lounge-by-ten", "The discharge lounge by 10:00 for every confirmed discharge", "the lounge by 10:00", [2]),
            idea!("criteria-led-discharge", "Criteria-led discharge by nurses", "criteria-led discharge", [4]),
            idea!("discharge-date-board", "Expected discharge dates on the patient whiteboard", "the discharge date board", [0]),
            idea!("weekend-discharge-team", "A weekend discharge team", "the weekend discharge team", [4, 1]),
        ],
    },
    Area {
        key: "medicines",
        topic: "medicines safety",
        settings: &["Ward {w} (general medicine)", "Ward {w} (surgery)", "Ward {w} (older people's medicine)", "the Stroke Unit"],
        sub: "bay",
        obs: "time-critical dose",
        event: "omitted critical doses",
        event_slug: "omitted-doses",
        exposure: "occupied bed days",
        per: 1000.0,
        per_words: "1,000",
        rate0: 0.015,
        exposure_week: (150, 650),
        prop: "Time-critical medicines given within 30 minutes of the prescribed time",
        prop_slug: "time-critical-doses",
        p0: 0.7,
        p1: 0.92,
        prop_up: true,
        prop_num: "doses given within 30 minutes of the prescribed time",
        prop_den: "time-critical doses due in the audited week",
        cont: "Minutes for the morning medicines round",
        cont_slug: "medicines-round-minutes",
        cont_unit: "minutes",
        mu0: 115.0,
        mu1: 85.0,
        sd: 15.0,
        decimals: 0,
        rare: "insulin errors",
        rare_slug: "insulin-errors",
        cases: "insulin doses",
        secondaries: &[
            ("uninterrupted-round", "The medicines round is not interrupted"),
            ("stock-available", "Medicines are on the ward when due"),
            ("insulin-double-check", "Insulin is checked by two people"),
            ("pharmacy-on-ward", "A pharmacist or technician on the ward every weekday"),
            ("critical-list-known", "Staff know which medicines are time-critical"),
        ],
        primaries: &[
            ("reliable-administration", "Doses are given on time", &[0, 4]),
            ("reliable-supply", "The right medicines are available", &[1, 3]),
            ("high-risk-safety", "High-risk medicines are handled safely", &[2, 4]),
        ],
        ideas: &[
            idea!("do-not-disturb-tabard", "Do-not-disturb tabards on the medicines round", "the tabard", [0]),
            idea!("technician-top-up", "A pharmacy technician top-up round at 14:00", "the top-up round", [1]),
            idea!("insulin-check", "Two-person insulin check at the bedside", "the insulin check", [2]),
            idea!("critical-list-card", "A time-critical medicines card on every drug trolley", "the time-critical card", [4]),
            idea!("pharmacist-at-huddle", "A ward pharmacist at the morning huddle", "the pharmacist at the huddle", [3]),
            idea!("own-routine-timing", "Parkinson's medicines timed to the patient's own routine", "own-routine timing", [4, 0]),
        ],
    },
    Area {
        key: "infection",
        topic: "infection prevention",
        settings: &["Ward {w} (urology)", "Ward {w} (general medicine)", "the Intensive Care Unit", "Ward {w} (older people's medicine)"],
        sub: "bay",
        obs: "catheterised patient",
        event: "hospital-onset infections",
        event_slug: "hospital-onset-infections",
        exposure: "occupied bed days",
        per: 1000.0,
        per_words: "1,000",
        rate0: 0.006,
        exposure_week: (150, 650),
        prop: "Hand hygiene opportunities observed as compliant",
        prop_slug: "hand-hygiene",
        p0: 0.72,
        p1: 0.93,
        prop_up: true,
        prop_num: "observed opportunities where hand hygiene was done",
        prop_den: "hand hygiene opportunities observed in the week",
        cont: "Days urinary catheters stay in place",
        cont_slug: "catheter-days",
        cont_unit: "days",
        mu0: 6.5,
        mu1: 3.8,
        sd: 1.4,
        decimals: 1,
        rare: "catheter-associated urinary infections",
        rare_slug: "catheter-infections",
        cases: "catheterised patients",
        secondaries: &[
            ("daily-catheter-review", "Every catheter reviewed daily"),
            ("nurse-led-removal", "Nurses remove catheters to agreed criteria"),
            ("gel-at-point-of-care", "Hand gel at the point of care"),
            ("audit-feedback", "Teams see their own hand hygiene results weekly"),
            ("insertion-standard", "Catheters inserted only for agreed reasons"),
        ],
        primaries: &[
            ("fewer-catheters", "Catheters are used only when needed and removed promptly", &[4, 0, 1]),
            ("clean-hands", "Hands are clean at every patient contact", &[2, 3]),
        ],
        ideas: &[
            idea!("catheter-passport", "A catheter passport started at insertion", "the catheter passport", [0, 4]),
            idea!("removal-protocol", "A nurse-led catheter removal protocol", "the removal protocol", [1]),
            idea!("gel-at-every-bed", "Hand gel at every bed and on every trolley", "gel at every bed", [2]),
            idea!("peer-audit", "Peer hand hygiene audits with same-day feedback", "the peer audit", [3]),
            idea!("catheter-question", "The daily catheter question at the board round", "the catheter question", [0]),
            idea!("bladder-scanner", "A bladder scanner on the ward instead of a catheter", "the bladder scanner", [4, 1]),
        ],
    },
    Area {
        key: "deterioration",
        topic: "recognising and responding to deterioration",
        settings: &["Ward {w} (general medicine)", "Ward {w} (general surgery)", "the Acute Medical Unit", "Ward {w} (respiratory medicine)"],
        sub: "bay",
        obs: "set of observations",
        event: "cardiac arrest calls",
        event_slug: "arrest-calls",
        exposure: "admissions",
        per: 1000.0,
        per_words: "1,000",
        rate0: 0.005,
        exposure_week: (200, 700),
        prop: "Observations completed on time",
        prop_slug: "observations-on-time",
        p0: 0.68,
        p1: 0.9,
        prop_up: true,
        prop_num: "observation sets done within the time the score asks for",
        prop_den: "observation sets due in the audited hours",
        cont: "Minutes from a raised early warning score to medical review",
        cont_slug: "minutes-to-review",
        cont_unit: "minutes",
        mu0: 52.0,
        mu1: 30.0,
        sd: 14.0,
        decimals: 0,
        rare: "unexpected cardiac arrests",
        rare_slug: "unexpected-arrests",
        cases: "admissions",
        secondaries: &[
            ("observations-to-frequency", "Observations done as often as the score asks"),
            ("clear-escalation", "Everyone knows who to call and when"),
            ("outreach-in-reach", "Critical care outreach on the ward within 15 minutes"),
            ("structured-calls", "Concerns passed on in a structured way"),
            ("family-concern", "Families can raise concern about a relative getting worse"),
        ],
        primaries: &[
            ("early-recognition", "Deterioration is recognised early", &[0, 4]),
            ("effective-escalation", "Escalation is prompt and effective", &[1, 3, 2]),
        ],
        ideas: &[
            idea!("observation-timer", "Observation timers on the electronic chart", "the observation timer", [0]),
            idea!("escalation-card", "An escalation card on every lanyard", "the escalation card", [1]),
            idea!("outreach-round", "A daily outreach round on the ward", "the outreach round", [2]),
            idea!("structured-phone-prompt", "Structured call prompts by every ward phone", "the call prompt", [3]),
            idea!("call-for-concern", "A call-for-concern line for families", "the call-for-concern line", [4]),
            idea!("night-safety-brief", "A 22:00 safety brief on the sickest patients", "the night safety brief", [3, 1]),
        ],
    },
    Area {
        key: "ed-flow",
        topic: "flow through the emergency department",
        settings: &["the Emergency Department", "the Urgent Treatment Centre", "Same Day Emergency Care", "the Children's Emergency Department"],
        sub: "zone",
        obs: "ambulance arrival",
        event: "ambulance handovers over 60 minutes",
        event_slug: "long-handovers",
        exposure: "ambulance arrivals",
        per: 100.0,
        per_words: "100",
        rate0: 0.06,
        exposure_week: (250, 700),
        prop: "Attendances completed within 4 hours",
        prop_slug: "four-hour-standard",
        p0: 0.64,
        p1: 0.78,
        prop_up: true,
        prop_num: "attendances admitted, transferred or discharged within 4 hours of arrival",
        prop_den: "attendances in the week",
        cont: "Minutes from arrival to clinician assessment",
        cont_slug: "minutes-to-assessment",
        cont_unit: "minutes",
        mu0: 96.0,
        mu1: 58.0,
        sd: 20.0,
        decimals: 0,
        rare: "12-hour waits in the department",
        rare_slug: "twelve-hour-waits",
        cases: "attendances",
        secondaries: &[
            ("senior-at-front-door", "A senior decision-maker at the front door"),
            ("streaming", "Patients streamed to the right place on arrival"),
            ("same-day-access", "Direct access to Same Day Emergency Care"),
            ("specialty-response", "Specialty reviews within 60 minutes of referral"),
            ("beds-early", "Beds available before midday"),
        ],
        primaries: &[
            ("fast-assessment", "Patients are assessed soon after arrival", &[0, 1]),
            ("right-place", "Patients are treated in the right place", &[1, 2]),
            ("flow-out", "Patients leave the department as soon as they are ready", &[3, 4]),
        ],
        ideas: &[
            idea!("rapid-assessment", "Rapid assessment and treatment at arrival", "rapid assessment", [0]),
            idea!("streaming-nurse", "A streaming nurse at the front door", "the streaming nurse", [1]),
            idea!("direct-referral", "Paramedics refer directly to Same Day Emergency Care", "direct referral", [2]),
            idea!("specialty-pull", "Specialty teams pull patients rather than wait for referral", "specialty pull", [3]),
            idea!("two-before-eleven", "Two discharges per ward before 11:00", "two before eleven", [4]),
            idea!("fit-to-sit", "A fit-to-sit area for ambulance arrivals", "the fit-to-sit area", [0, 1]),
        ],
    },
    Area {
        key: "outpatients",
        topic: "outpatient access",
        settings: &["the Rheumatology clinic", "the Dermatology clinic", "the Diabetes clinic", "the Ophthalmology clinic", "the Fracture clinic"],
        sub: "clinic room",
        obs: "booked appointment",
        event: "hospital-initiated cancellations",
        event_slug: "clinic-cancellations",
        exposure: "booked appointments",
        per: 100.0,
        per_words: "100",
        rate0: 0.05,
        exposure_week: (200, 800),
        prop: "Appointments where the patient did not attend",
        prop_slug: "did-not-attend",
        p0: 0.11,
        p1: 0.06,
        prop_up: false,
        prop_num: "appointments not attended without notice",
        prop_den: "appointments booked in the week",
        cont: "Days from referral to first appointment",
        cont_slug: "days-to-first-appointment",
        cont_unit: "days",
        mu0: 64.0,
        mu1: 41.0,
        sd: 8.0,
        decimals: 0,
        rare: "clinics cancelled at short notice",
        rare_slug: "short-notice-cancellations",
        cases: "clinics",
        secondaries: &[
            ("reminders", "Patients are reminded in the way that suits them"),
            ("easy-rebooking", "Rebooking is easy"),
            ("referral-triage", "Referrals triaged within 2 working days"),
            ("follow-up-need", "Follow-up only when it adds value"),
            ("template-fit", "Clinic templates match demand"),
        ],
        primaries: &[
            ("attendance", "Patients attend the appointments they need", &[0, 1]),
            ("capacity-released", "Capacity is used for the patients who need it most", &[3, 4, 2]),
        ],
        ideas: &[
            idea!("text-reminders", "Text reminders seven and two days before", "the text reminders", [0]),
            idea!("patient-initiated-follow-up", "Patient-initiated follow-up", "patient-initiated follow-up", [3]),
            idea!("advice-before-referral", "Advice and guidance before referral", "advice and guidance", [2]),
            idea!("template-redesign", "A clinic template redesign", "the new template", [4]),
            idea!("rebooking-line", "A direct rebooking line staffed at lunchtime", "the rebooking line", [1]),
            idea!("video-option", "A video appointment option", "the video option", [0, 1]),
        ],
    },
    Area {
        key: "delirium",
        topic: "delirium prevention",
        settings: &["Ward {w} (older people's medicine)", "the Frailty Unit", "Ward {w} (orthopaedics)", "Ward {w} (general medicine)"],
        sub: "bay",
        obs: "patient over 65",
        event: "new delirium episodes",
        event_slug: "new-delirium",
        exposure: "occupied bed days",
        per: 1000.0,
        per_words: "1,000",
        rate0: 0.01,
        exposure_week: (150, 600),
        prop: "Patients over 65 screened for delirium within 24 hours",
        prop_slug: "delirium-screen-24h",
        p0: 0.45,
        p1: 0.85,
        prop_up: true,
        prop_num: "patients screened with the delirium tool within 24 hours of admission",
        prop_den: "patients over 65 admitted in the week",
        cont: "Hours a day patients over 65 spend out of bed",
        cont_slug: "hours-out-of-bed",
        cont_unit: "hours",
        mu0: 4.1,
        mu1: 6.3,
        sd: 1.1,
        decimals: 1,
        rare: "ward moves at night for confused patients",
        rare_slug: "night-moves",
        cases: "admissions over 65",
        secondaries: &[
            ("screening-on-admission", "Screened on admission and whenever anything changes"),
            ("orientation", "Clocks, glasses and hearing aids at every bedside"),
            ("quiet-nights", "Nights with as few disturbances as possible"),
            ("up-and-moving", "Up, dressed and moving in the day"),
            ("carers-welcome", "Carers welcome at any time"),
        ],
        primaries: &[
            ("early-detection", "Delirium is spotted early", &[0, 4]),
            ("everyday-prevention", "Everyday care prevents delirium", &[1, 2, 3]),
        ],
        ideas: &[
            idea!("admission-screen", "Delirium screening on the admission checklist", "the admission screen", [0]),
            idea!("orientation-boards", "Orientation boards and a glasses-and-hearing-aids check", "the orientation check", [1]),
            idea!("lights-down", "Lights down at 23:00 and no routine observations at 02:00 unless needed", "lights down", [2]),
            idea!("up-and-dressed", "Up and dressed by 10:00", "up and dressed", [3]),
            idea!("carers-passport", "A carers' passport with open visiting", "the carers' passport", [4]),
            idea!("no-night-moves", "No ward moves after 22:00 for confused patients", "the no-night-moves rule", [2, 0]),
        ],
    },
    Area {
        key: "theatres",
        topic: "theatre productivity",
        settings: &["Main Theatres", "the Day Surgery Unit", "the Orthopaedic theatres", "the Obstetric theatres"],
        sub: "theatre",
        obs: "operating list",
        event: "on-the-day cancellations",
        event_slug: "on-the-day-cancellations",
        exposure: "scheduled operations",
        per: 100.0,
        per_words: "100",
        rate0: 0.07,
        exposure_week: (60, 250),
        prop: "Operating lists starting on time",
        prop_slug: "on-time-starts",
        p0: 0.38,
        p1: 0.7,
        prop_up: true,
        prop_num: "lists starting within 15 minutes of the planned time",
        prop_den: "lists run in the week",
        cont: "Minutes of late start per list",
        cont_slug: "late-start-minutes",
        cont_unit: "minutes",
        mu0: 27.0,
        mu1: 12.0,
        sd: 8.0,
        decimals: 0,
        rare: "returns to theatre",
        rare_slug: "returns-to-theatre",
        cases: "operations",
        secondaries: &[
            ("pre-op-contact", "Patients contacted 48 hours before surgery"),
            ("team-brief", "A team brief at 08:00 with everyone present"),
            ("first-patient-ready", "The first patient ready by 08:15"),
            ("kit-checked", "Equipment and implants checked the day before"),
            ("list-planning", "Lists planned to fit the session"),
        ],
        primaries: &[
            ("patients-ready", "Patients arrive ready for surgery", &[0, 2]),
            ("teams-ready", "Teams and kit are ready at the planned start", &[1, 3]),
            ("realistic-lists", "Lists are realistic", &[4, 0]),
        ],
        ideas: &[
            idea!("pre-op-call", "A pre-operative phone call two days before", "the pre-op call", [0]),
            idea!("brief-at-0800", "A team brief at 08:00 sharp", "the 08:00 brief", [1]),
            idea!("send-early", "The first patient sent for by 07:45", "sending early", [2]),
            idea!("kit-check", "An implant and kit check the afternoon before", "the kit check", [3]),
            idea!("list-booking-rules", "Booking rules that match list length", "the booking rules", [4]),
            idea!("clear-fluids", "Clear fluids until an hour before surgery", "the clear-fluids rule", [0, 2]),
        ],
    },
];

const GENERAL_TAGS: &[&str] = &[
    "handover",
    "night-shift",
    "weekend",
    "day-shift",
    "staffing",
    "education",
    "audit",
    "patient-experience",
    "carers",
    "data-quality",
    "measurement",
    "spc",
    "run-chart",
    "rebase",
    "huddle",
    "communication",
    "teamwork",
    "leadership",
    "reliability",
    "standard-work",
    "workload",
    "agency-staff",
    "student-nurses",
    "junior-doctors",
    "pharmacy",
    "physiotherapy",
    "therapy",
    "nursing",
    "medical-staff",
    "winter-pressures",
    "bank-holiday",
    "escalation",
    "documentation",
    "electronic-record",
    "whiteboard",
    "checklist",
    "prompts",
    "visual-management",
    "spread",
    "scale-up",
    "sustainability",
    "balancing-measure",
    "outcome-measure",
    "process-measure",
    "patient-voice",
    "co-design",
    "coaching",
    "feedback",
    "small-tests",
    "ramp",
    "lessons",
    "surveys",
    "interviews",
    "observation",
    "time-study",
    "demand",
    "capacity",
    "flow",
    "safety",
    "harm-free-care",
    "older-people",
    "frailty",
    "dementia",
    "equality",
    "digital",
    "paper-forms",
];

const ROLES: &[&str] = &[
    "ward manager",
    "ward sister",
    "nurse in charge",
    "matron",
    "healthcare assistant",
    "staff nurse",
    "junior doctor",
    "consultant",
    "registrar",
    "physiotherapist",
    "occupational therapist",
    "ward pharmacist",
    "pharmacy technician",
    "ward clerk",
    "discharge coordinator",
    "improvement advisor",
    "practice educator",
    "night sister",
    "bed manager",
    "patient representative",
    "data analyst",
    "clinical lead",
    "outreach nurse",
    "dietitian",
    "housekeeper",
    "specialist nurse",
    "deputy sister",
    "senior physiotherapist",
];

const SPONSORS: &[&str] = &[
    "Director of Nursing",
    "Medical Director",
    "Chief Operating Officer",
    "Divisional Director, Medicine",
    "Divisional Director, Surgery",
    "Head of Quality Improvement",
    "Deputy Chief Nurse",
];

const SHIFTS: &[&str] = &[
    "early shifts",
    "late shifts",
    "night shifts",
    "weekend day shifts",
    "weekday mornings",
    "twilight shifts",
];
const SHIFT_ONE: &[&str] = &["early shift", "late shift", "night shift", "day shift"];
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const UNEXPECTED: &[&str] = &[
    "patients and families started asking for it by name",
    "the night team adapted the form themselves and their version worked better",
    "the ward printer was broken for three days, so the prompt cards ran out",
    "a bed move in the middle of the test meant two patients were counted twice",
    "the board round moved to 10:00, which clashed with the test",
    "student nurses took it up faster than anyone else",
    "the porters became part of the change without being asked",
    "the electronic record already held half of what we were collecting by hand",
    "the quietest shifts were the ones where it was most often forgotten",
    "the tally sheet itself reminded people to do it",
];

const PLAN: &[&str] = &[
    "We will test {short} on {scope}, starting on a {weekday}.",
    "The question for this cycle is whether {short} can be done reliably on {shift} without extra staff.",
    "The {role} agreed to lead the test, with the {role2} keeping the tally sheet.",
    "We chose this scope because most of the {event} in the last {weeks} weeks happened on {shift}.",
    "Data: a tick sheet at the nurses' station, one line per {obs}, checked at the end of each shift.",
    "Before starting we walked through the change at the morning huddle and rewrote the prompt card twice.",
    "We will count how often {short} happens as planned, how long it takes and what gets in the way.",
    "The balancing question is whether {short} delays anything else, so we will also time the handover.",
    "If it works here we will try it on {shift} next.",
    "We asked the {role} what could go wrong; the answer was the busiest hour of the {shiftsg}, so the test includes it.",
    "Success for this cycle means {short} for at least {pct}% of eligible patients.",
    "We kept the test small on purpose: it is cheaper to fail in one {sub} than across the whole of {setting}.",
    "The {role} will brief each shift in person for the first three days.",
    "Nothing else on the ward changes during the test, so that we can read the tally on its own.",
];

const DO: &[&str] = &[
    "The test ran for {days} days. The {role} collected data on {n2} shifts and missed {n}.",
    "On the {weekday} the ward was two nurses short and {short} was missed for most of the {shiftsg}.",
    "{n2} patients were eligible; the sheet records when {short} did not happen and why.",
    "Staff found the prompt card useful, but the paperwork took about {minutes} minutes a patient, longer than we expected.",
    "Something we did not expect: {unexpected}.",
    "Agency and bank staff had not heard about the test, so the {role} added a line to the safety brief from day {n}.",
    "The {role} kept a diary of every time {short} was interrupted; most interruptions were phone calls and bed requests.",
    "By the second week it was happening without prompting on most {shift}.",
    "We changed one thing part-way through: the tally moved from the office to the whiteboard, where everyone could see it.",
    "The data were collected on paper and typed up by the {role} each {weekday}.",
    "Two patients declined, and their reasons are written on the tally sheet.",
    "The {role2} covered the {sub} during breaks, which nobody had planned for.",
];

const STUDY: &[&str] = &[
    "The chart stayed within common-cause variation during the test, which is what we expected from a test this size.",
    "There were {n} {event} in the test weeks against {n2} in the same number of weeks before: too few to read much into.",
    "What we learned: {short} works when someone owns it on every shift, and falls apart when nobody does.",
    "The predictions were about right for day shifts and too optimistic for nights.",
    "The time cost was about {minutes} minutes a shift, less than the team feared.",
    "Staff feedback was mostly positive: {n2} comments were favourable and {n} were about the extra paperwork.",
    "The tally shows {short} on {pct}% of eligible occasions, against a prediction of {pct2}%.",
    "Patients and families noticed the change; several mentioned it without being asked.",
    "We cannot yet separate the effect of this test from the seasonal pattern in {event}.",
    "The balancing measure held steady, so there is no sign that {short} pushed work elsewhere.",
    "The weekends were the weak point again, as they were in the earlier tests.",
];

const ACT_ADOPT: &[&str] = &[
    "**Adopt.** {short_cap} becomes part of standard work on {setting}; the {role} will check it monthly.",
    "**Adopt.** It goes into the ward's standard operating procedure and the induction pack for new starters.",
    "**Adopt.** The team agreed to keep it exactly as tested and to watch the chart for a sustained shift before rebasing.",
];
const ACT_ADAPT: &[&str] = &[
    "**Adapt.** Keep {short}, but move it to the start of the shift and give ownership to the nurse in charge.",
    "**Adapt.** Simplify the prompt card to three questions and widen the test to {shift}.",
    "**Adapt.** Widen the test to the next {sub} and include bank staff in the briefing.",
    "**Adapt.** Keep the change, drop the second tally, and test it on {shift} for longer.",
];
const ACT_ABANDON: &[&str] = &[
    "**Abandon.** {short_cap} cost more time than it saved, and the team would rather spend the effort on another change idea.",
    "**Abandon.** The test showed the problem lies elsewhere; we will go back to the driver diagram.",
    "**Abandon.** Staff could not sustain it on {shift}, and a version that only works on quiet days is not worth keeping.",
];

const PREDICTIONS: &[&str] = &[
    "{short_cap} will happen for at least {pct}% of eligible patients.",
    "It will take no more than {minutes} minutes a shift.",
    "Staff will rate it workable on at least {n} of 10 shifts.",
    "There will be no more than {n} {event} during the test.",
    "Handover will not run over by more than {minutes} minutes.",
    "Most patients asked will say they noticed the change.",
    "The tally will be complete for at least {pct2}% of shifts.",
];

const OUTCOMES: &[&str] = &[
    "Met",
    "Nearly",
    "Missed",
    "Met on days, missed on nights",
    "Not measured",
];

const NOTE_SENTENCES: &[&str] = &[
    "We met with the {role} and the {role2} to go through the last {weeks} weeks of data on {prop}.",
    "The discussion kept coming back to {shift}, when there are fewer people and more interruptions.",
    "Nobody disagreed that {topic} matters; the disagreement was about whose job it is.",
    "The data are good enough to see big changes and not yet good enough to see small ones.",
    "Patient representatives asked us to explain the charts in plain language, so every chart now has a sentence under it.",
    "We looked at {n2} incident reports from {setting}; most described the same handful of situations.",
    "A recurring theme was that changes survive when they remove a step, and fade when they add one.",
    "The team agreed to keep testing on a small scale before asking other wards to join.",
    "The {role} pointed out that the night staff had never seen the charts, so they are now printed for the staff room.",
    "We should have asked the healthcare assistants sooner: they knew where the problems were.",
    "The numbers are small, so one bad week can look like a trend; we are reading the chart, not the week.",
    "It took {weeks} weeks to get reliable data, longer than any of the tests.",
    "What surprised us most was that {unexpected}.",
    "The {role} reminded us that {topic} on {setting} looks different at weekends, and the data agree.",
    "We agreed to review the driver diagram at the next meeting, since two of the change ideas work on the same driver.",
    "Most of the variation on the chart is common cause: reacting to single weeks would only add noise.",
    "The {role} asked for the charts to show the cycles, so the start of every test is now marked.",
    "Two of the weeks with the worst results were bank holiday weeks, which is worth knowing but not a reason to exclude them.",
    "The night team's view was different from the day team's, and both were partly right.",
    "We spent {minutes} minutes of the meeting on the definition of the measure, and it was time well spent.",
    "We agreed that nobody will be blamed for a bad week; the chart is about the system, not about people.",
    "A new {role} joined the team this month and asked the best question of the meeting: why do we do it this way?",
    "The board report uses the same chart, so the ward and the board now look at the same numbers.",
    "Some of the ideas on the list are really projects, not changes we can test in a week, so they have been parked.",
    "Staffing was the background to almost every problem we discussed, but not the whole story.",
    "The {role2} offered to run the next small test on {shift}, which is where the gap is largest.",
    "We compared {setting} with a similar unit and found the same pattern, a week or two later.",
    "It is easy to over-read a good month; the chart says to wait for a run of points before celebrating.",
    "The tally sheets went missing twice, so the audit now lives in a folder at the nurses' station.",
    "When we asked patients what they noticed, they talked about being told what was happening, not about our measures.",
    "The time it takes to collect the data matters: a measure that costs an hour a week will not last.",
];

const LESSON_POINTS: &[&str] = &[
    "**Keep the first test tiny.** One {sub}, one shift, one week was enough to find the problems that mattered.",
    "**Make one person own it on every shift.** Changes with no owner were the first to go when the ward was busy.",
    "**Predict before you start.** Writing down what we expected kept the Study honest.",
    "**Measure the cost as well as the benefit.** The balancing measure stopped a change that looked good on paper.",
    "**Put the data where the work is.** A chart on the staff room wall did more than a report to the board.",
    "**Ask the people doing the work.** The best ideas came from the healthcare assistants and the night staff.",
    "**Do not test two changes on one chart at once.** We could not tell which one had moved the line.",
    "**Rebase only when the shift has held.** We waited for a sustained shift before starting a new phase.",
    "**Write down why a point is excluded.** Six months later nobody remembered.",
    "**Stop what does not work.** Abandoning a change freed time for the one that did.",
    "**Weekends are different.** Every change needs a weekend test before it becomes standard.",
    "**Small numbers need patience.** With a few events a month, it takes months of data to see a signal.",
];

const LESSON_TITLES: &[&str] = &[
    "Short huddles happen; long ones get skipped",
    "One owner per shift beats a rota",
    "Small tests found the problems big ones would have hidden",
    "Predictions keep the Study honest",
    "A chart nobody sees changes nothing",
    "Weekends need their own test",
    "Adding a form is not a change",
    "The night shift knows where the risks are",
    "Abandoning a change is a result too",
    "Two changes on one chart cannot be told apart",
    "Wait for the shift to hold before rebasing",
    "Ask patients what they noticed",
];

const NOTE_TITLES: &[&str] = &[
    "What the night staff told us about {topic}",
    "Review of {event} on {setting}",
    "Data quality: {prop}",
    "Meeting with patient representatives about {topic}",
    "Staff survey on {short}",
    "Why the {month} data look different",
    "Spreading {short} beyond {setting}",
    "Notes from the improvement meeting on {topic}",
    "Walk-through of {setting} on a {shiftsg}",
    "Questions from the board about {event}",
];

const TASKS: &[&str] = &[
    "Share the chart at the staff meeting",
    "Ask the {role} to check the weekend data",
    "Print the run chart for the staff room",
    "Add the change to the induction pack",
    "Book the next review with the {role2}",
    "Write the operational definition down in full",
    "Check the denominators for the last {n} weeks",
];

const CSV_NOTES: &[&str] = &[
    "Bank holiday week",
    "Ward closed to admissions for 3 days (norovirus)",
    "Audit sheet lost",
    "New electronic record went live",
    "Two beds closed for refurbishment",
    "Winter escalation beds open",
    "Data entered by hand from paper records",
    "Half the usual admissions, bed pressures elsewhere",
    "Staff training week",
    "Industrial action: reduced activity",
];

const CHANGE_ORIGINS: &[&str] = &[
    "The idea came from the {role}, after a run of {event} on {shift}.",
    "Other hospitals have published similar changes; we are testing whether it works here.",
    "Patients and carers suggested it at a listening event.",
    "It was the most popular idea at the team's driver diagram workshop.",
    "The {role2} saw it on a visit to another trust and brought it back.",
    "It grew out of a review of {n2} incident reports from {setting}.",
];

const CHANGE_IDEA_TEXT: &[&str] = &[
    "{short_cap} is meant to make the safe thing the easy thing on {setting}.",
    "It asks little of any one person, which is why we think it might last.",
    "The change is simple to describe and hard to do on a busy {shiftsg}.",
    "It replaces a step rather than adding one: the old checklist line goes.",
    "The {role} owns it on each shift, with the {role2} as deputy.",
    "We expect it to show first on the process measure, and only later on {event}.",
];

const CHANGE_RISKS: &[&str] = &[
    "The obvious risk is time: if {short} takes more than a few minutes a shift it will be dropped.",
    "It could pull staff away from other bays, so we watch the balancing measure as closely as the outcome.",
    "Agency staff will not know about it unless the safety brief tells them.",
    "If it only works when the {role} is on duty, it has not become standard work.",
];

const MEASURE_READ_PROP: &[&str] = &[
    "With a few dozen patients a week, one patient moves a weekly point by a few percentage points, so single weeks mean little.",
    "The limits step in and out with the number of patients each week: narrower in busy weeks, wider in quiet ones.",
];
const MEASURE_READ_COUNT: &[&str] = &[
    "The counts are small, so weeks of zero and weeks of five or six are both ordinary.",
    "A rate takes account of how busy the ward was; a count does not.",
];
const MEASURE_READ_EVENTS: &[&str] = &[
    "Each point is one event, so the chart moves only when something happens.",
    "Longer gaps between events are better: points above the upper limit are the good news.",
];
const MEASURE_READ_CONT: &[&str] = &[
    "Each point summarises one week, so a few unusual patients can pull a point a long way.",
    "The limits come from the average moving range, as in the Making Data Count guidance.",
];
const MEASURE_READ: &[&str] = &[
    "The centre line is the mean of the phase; points outside the limits are signals.",
    "Read the chart for runs and shifts, not for the latest week.",
    "The markers show when each cycle started; the bands show how long it ran.",
    "Weeks with a note are marked with a letter; the notes are listed under the chart.",
];

// ---------------------------------------------------------------------------------------
// Chart types.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chart {
    Run,
    I,
    Mr,
    Xmr,
    Xbar,
    S,
    T,
    P,
    Pp,
    C,
    U,
    Up,
    G,
}

/// The order the measures cycle through: the common ones first.
const CHART_ORDER: [Chart; 13] = [
    Chart::Run,
    Chart::I,
    Chart::Xmr,
    Chart::P,
    Chart::U,
    Chart::C,
    Chart::Mr,
    Chart::Xbar,
    Chart::S,
    Chart::T,
    Chart::Pp,
    Chart::Up,
    Chart::G,
];

impl Chart {
    fn name(self) -> &'static str {
        match self {
            Chart::Run => "run",
            Chart::I => "i",
            Chart::Mr => "mr",
            Chart::Xmr => "xmr",
            Chart::Xbar => "xbar",
            Chart::S => "s",
            Chart::T => "t",
            Chart::P => "p",
            Chart::Pp => "pp",
            Chart::C => "c",
            Chart::U => "u",
            Chart::Up => "up",
            Chart::G => "g",
        }
    }

    fn has_denominator(self) -> bool {
        matches!(self, Chart::P | Chart::Pp | Chart::U | Chart::Up)
    }

    fn words(self) -> &'static str {
        match self {
            Chart::Run => "run chart",
            Chart::I => "I chart",
            Chart::Mr => "moving-range chart",
            Chart::Xmr => "XmR chart",
            Chart::Xbar => "X-bar chart",
            Chart::S => "S chart",
            Chart::T => "T chart",
            Chart::P => "P chart",
            Chart::Pp => "P′ chart",
            Chart::C => "C chart",
            Chart::U => "U chart",
            Chart::Up => "U′ chart",
            Chart::G => "G chart",
        }
    }
}

// ---------------------------------------------------------------------------------------
// The plan of the corpus: every item, its id, title and connections, before any text.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Aim,
    Change,
    Cycle,
    Measure,
    Note,
}

impl Kind {
    fn section(self) -> &'static str {
        match self {
            Kind::Aim => "aims",
            Kind::Change => "changes",
            Kind::Cycle => "cycles",
            Kind::Measure => "measures",
            Kind::Note => "notes",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Item(Kind, usize),
    Driver(usize),
}

struct Row {
    day: i64,
    value: Option<String>,
    denom: Option<String>,
    note: Option<String>,
}

struct MeasureP {
    id: String,
    title: String,
    area: usize,
    chart: Chart,
    setting: String,
    week_fmt: bool,
    custom_cols: bool,
    rows: Vec<Row>,
    level0: f64,
    level1: f64,
    unit: String,
    shift_day: i64,
    rebase: Option<i64>,
    exclude: Option<i64>,
    freeze: Option<usize>,
    mdc: bool,
    target: Option<f64>,
    cycles: Vec<usize>,
    notes: Vec<usize>,
    aims: Vec<usize>,
}

struct DriverP {
    id: String,
    title: String,
    aim: usize,
}

struct AimP {
    id: String,
    title: String,
    area: usize,
    setting: String,
    measure: Option<usize>,
    related: Vec<usize>,
    target: Option<String>,
    by: i64,
    /// Primary driver, then its secondaries with their anchors on the page.
    diagram: Vec<(usize, Vec<(usize, String)>)>,
    drivers: Vec<usize>,
    changes: Vec<usize>,
    notes: Vec<usize>,
}

struct ChangeP {
    id: String,
    title: String,
    aim: usize,
    idea: usize,
    status: &'static str,
    drivers: Vec<usize>,
    cycles: Vec<usize>,
    notes: Vec<usize>,
}

struct CycleP {
    id: String,
    title: String,
    change: usize,
    k: usize,
    status: &'static str,
    started: i64,
    ended: Option<i64>,
    decision: Option<&'static str>,
    follows: Option<usize>,
    measures: Vec<usize>,
    scope: String,
    notes: Vec<usize>,
}

struct NoteP {
    id: String,
    title: String,
    aim: usize,
    change: Option<usize>,
    lesson: bool,
    date: i64,
    cycles: Vec<usize>,
    measures: Vec<usize>,
}

struct Cfg {
    items: usize,
    measures: usize,
    points: usize,
    seed: u64,
    out: PathBuf,
}

struct Corpus {
    cfg: Cfg,
    aims: Vec<AimP>,
    changes: Vec<ChangeP>,
    cycles: Vec<CycleP>,
    notes: Vec<NoteP>,
    measures: Vec<MeasureP>,
    drivers: Vec<DriverP>,
}

fn fmt_num(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        let t = s.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" {
            "0".to_string()
        } else {
            t.to_string()
        }
    } else if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

fn with_unit(x: f64, unit: &str) -> String {
    if unit == "%" {
        format!("{}%", fmt_num(x, 0))
    } else {
        format!("{} {unit}", fmt_num(x, 1))
    }
}

fn setting_from(rng: &mut Rng, area: &Area) -> String {
    let s = rng.pick(area.settings);
    s.replace("{w}", &rng.between(2, 38).to_string())
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn cap_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_lowercase() => f.to_uppercase().collect::<String>() + c.as_str(),
        Some(f) => f.to_string() + c.as_str(),
        None => String::new(),
    }
}

fn plan_measure(cfg: &Cfg, m: usize) -> MeasureP {
    let mut rng = Rng::stream(cfg.seed, 1, m as u64);
    let area_i = m % AREAS.len();
    let area = &AREAS[area_i];
    let chart = CHART_ORDER[m % CHART_ORDER.len()];
    let trust_wide = matches!(chart, Chart::Pp | Chart::Up);
    let setting = if trust_wide {
        "trust-wide".to_string()
    } else {
        setting_from(&mut rng, area)
    };
    let p = cfg.points;
    let base = base_day();
    // Where the process improves: between a third and two thirds of the way through.
    let shift_idx = if p >= 3 {
        (p as i64 * rng.between(35, 65) / 100).clamp(1, p as i64 - 1) as usize
    } else {
        p
    };
    let dec = area.decimals;
    let event_cap = cap_first(area.event);
    let cont_lower = lower_first(area.cont);
    let (title, slug, level0, level1, unit): (String, &str, f64, f64, String) = match chart {
        Chart::Run => (
            format!("{}: weekly median, {setting}", area.cont),
            area.cont_slug,
            area.mu0,
            area.mu1,
            area.cont_unit.to_string(),
        ),
        Chart::I | Chart::Xmr => (
            format!("{}: weekly mean, {setting}", area.cont),
            area.cont_slug,
            area.mu0,
            area.mu1,
            area.cont_unit.to_string(),
        ),
        Chart::Mr => (
            format!("Week-to-week change in {cont_lower}, {setting}"),
            area.cont_slug,
            area.mu0,
            area.mu1,
            area.cont_unit.to_string(),
        ),
        Chart::Xbar => (
            format!("{}: mean of sampled patients, {setting}", area.cont),
            area.cont_slug,
            area.mu0,
            area.mu1,
            area.cont_unit.to_string(),
        ),
        Chart::S => (
            format!("{}: spread across sampled patients, {setting}", area.cont),
            area.cont_slug,
            area.sd,
            area.sd * 0.7,
            area.cont_unit.to_string(),
        ),
        Chart::P | Chart::Pp => (
            format!("{}, {setting}", area.prop),
            area.prop_slug,
            area.p0 * 100.0,
            area.p1 * 100.0,
            "%".to_string(),
        ),
        Chart::C => {
            let lam = rng.between(4, 14) as f64;
            (
                format!("{event_cap} per week, {setting}"),
                area.event_slug,
                lam,
                (lam * 0.65 * 10.0).round() / 10.0,
                format!("{} a week", area.event),
            )
        }
        Chart::U | Chart::Up => (
            format!(
                "{event_cap} per {} {}, {setting}",
                area.per_words, area.exposure
            ),
            area.event_slug,
            area.rate0 * area.per,
            area.rate0 * area.per * 0.7,
            format!("{} per {} {}", area.event, area.per_words, area.exposure),
        ),
        Chart::T => (
            format!("Days between {}, {setting}", area.rare),
            area.rare_slug,
            8.0,
            14.0,
            format!("days between {}", area.rare),
        ),
        Chart::G => (
            format!("{} between {}, {setting}", cap_first(area.cases), area.rare),
            area.rare_slug,
            30.0,
            55.0,
            format!("{} between {}", area.cases, area.rare),
        ),
    };
    let id = format!("{slug}-{}-m{}", chart.name(), m + 1);
    let event_chart = matches!(chart, Chart::T | Chart::G);
    let week_fmt = !event_chart && rng.chance(0.15);
    let custom_cols = rng.chance(0.1);

    // The data.
    let mut rows: Vec<Row> = Vec::new();
    let noted = |rng: &mut Rng| -> Option<String> {
        if rng.chance(0.04) {
            Some(rng.pick(CSV_NOTES).to_string())
        } else {
            None
        }
    };
    match chart {
        Chart::P | Chart::Pp => {
            let n_base = if chart == Chart::Pp {
                rng.between(3000, 15000)
            } else {
                rng.between(18, 120)
            } as f64;
            for k in 0..p {
                let n = ((n_base * (0.8 + 0.4 * rng.unit())).round() as i64).max(1);
                let pr = (if k < shift_idx { area.p0 } else { area.p1 } + 0.02 * rng.normal())
                    .clamp(0.02, 0.98);
                let nf = n as f64;
                let x = (nf * pr + (nf * pr * (1.0 - pr)).sqrt() * rng.normal())
                    .round()
                    .clamp(0.0, nf) as i64;
                let missing = rng.chance(0.01);
                rows.push(Row {
                    day: base + 7 * k as i64,
                    value: (!missing).then(|| x.to_string()),
                    denom: Some(n.to_string()),
                    note: if missing {
                        Some("Audit not done".to_string())
                    } else {
                        noted(&mut rng)
                    },
                });
            }
        }
        Chart::C => {
            for k in 0..p {
                let lam = if k < shift_idx { level0 } else { level1 };
                let x = (lam + lam.sqrt() * rng.normal()).round().max(0.0) as i64;
                rows.push(Row {
                    day: base + 7 * k as i64,
                    value: Some(x.to_string()),
                    denom: None,
                    note: noted(&mut rng),
                });
            }
        }
        Chart::U | Chart::Up => {
            let (lo, hi) = area.exposure_week;
            let scale = if chart == Chart::Up { 60 } else { 1 };
            let e_base = rng.between(lo, hi) * scale;
            for k in 0..p {
                let e = ((e_base as f64 * (0.85 + 0.3 * rng.unit())).round() as i64).max(1);
                let rate = if k < shift_idx {
                    area.rate0
                } else {
                    area.rate0 * 0.7
                };
                let lam = rate * e as f64;
                let x = (lam + lam.sqrt() * rng.normal()).round().max(0.0) as i64;
                rows.push(Row {
                    day: base + 7 * k as i64,
                    value: Some(x.to_string()),
                    denom: Some(e.to_string()),
                    note: noted(&mut rng),
                });
            }
        }
        Chart::Run | Chart::I | Chart::Mr | Chart::Xmr => {
            for k in 0..p {
                let mu = if k < shift_idx { area.mu0 } else { area.mu1 };
                let x = (mu + area.sd * 0.6 * rng.normal()).max(0.0);
                let missing = rng.chance(0.01);
                rows.push(Row {
                    day: base + 7 * k as i64,
                    value: (!missing).then(|| fmt_num(x, dec)),
                    denom: None,
                    note: if missing {
                        Some("Data not extracted".to_string())
                    } else {
                        noted(&mut rng)
                    },
                });
            }
        }
        Chart::Xbar | Chart::S => {
            for k in 0..p {
                let mu = if k < shift_idx { area.mu0 } else { area.mu1 };
                let sd = if chart == Chart::S && k >= shift_idx {
                    area.sd * 0.7
                } else {
                    area.sd
                };
                let n = rng.between(3, 6);
                let note = noted(&mut rng);
                for j in 0..n {
                    let x = (mu + sd * rng.normal()).max(0.0);
                    rows.push(Row {
                        day: base + 7 * k as i64,
                        value: Some(fmt_num(x, dec)),
                        denom: None,
                        note: if j == 0 { note.clone() } else { None },
                    });
                }
            }
        }
        Chart::T | Chart::G => {
            let mut day = base + rng.between(0, 6);
            for k in 0..p {
                let mean = if k < shift_idx { level0 } else { level1 };
                let gap = if chart == Chart::T {
                    1 + rng.below((2.0 * mean) as usize) as i64
                } else {
                    1 + rng.below(7) as i64
                };
                if k > 0 {
                    day += gap;
                }
                let value = if chart == Chart::T {
                    gap
                } else {
                    rng.below((2.0 * mean) as usize + 1) as i64
                };
                rows.push(Row {
                    day,
                    value: Some(value.to_string()),
                    denom: None,
                    note: noted(&mut rng),
                });
            }
        }
    }

    // Phases, exclusions, baselines: only where the data are long enough.
    let periods: Vec<i64> = {
        let mut v: Vec<i64> = rows.iter().map(|r| r.day).collect();
        v.dedup();
        v
    };
    let shift_day = periods
        .get(shift_idx.min(periods.len().saturating_sub(1)))
        .copied()
        .unwrap_or(base);
    let rebase = (periods.len() >= 12 && rng.chance(0.3)).then_some(shift_day);
    let exclude = if periods.len() >= 8 && rng.chance(0.2) {
        let d = periods[rng.between(1, periods.len() as i64 - 2) as usize];
        for r in rows.iter_mut().filter(|r| r.day == d) {
            r.note = Some("Excluded: ward closed to admissions, see the measure's notes".into());
        }
        Some(d)
    } else {
        None
    };
    let freeze = (periods.len() >= 16 && rng.chance(0.15)).then(|| (periods.len() / 2).min(20));
    let mdc = rng.chance(0.35);
    let target = match chart {
        Chart::Mr | Chart::S | Chart::G | Chart::T => None,
        _ if rng.chance(0.6) => Some(
            if chart == Chart::C || chart == Chart::U || chart == Chart::Up {
                (level1 * 10.0).round() / 10.0
            } else {
                level1.round()
            },
        ),
        _ => None,
    };
    MeasureP {
        id,
        title,
        area: area_i,
        chart,
        setting,
        week_fmt,
        custom_cols,
        rows,
        level0,
        level1,
        unit,
        shift_day,
        rebase,
        exclude,
        freeze,
        mdc,
        target,
        cycles: Vec::new(),
        notes: Vec::new(),
        aims: Vec::new(),
    }
}

fn plan(cfg: Cfg) -> Corpus {
    let n = cfg.items;
    let n_aims = (n / 200).max(1);
    let n_changes = (n / 10).max(1);
    let n_cycles = n * 55 / 100;
    let n_notes = n - n_aims - n_changes - n_cycles;
    let p = cfg.points as i64;
    let base = base_day();
    let data_days = (p * 7).max(7);

    // Measures.
    let mut measures: Vec<MeasureP> = (0..cfg.measures).map(|m| plan_measure(&cfg, m)).collect();
    let mut area_measures: Vec<Vec<usize>> = vec![Vec::new(); AREAS.len()];
    for (i, m) in measures.iter().enumerate() {
        area_measures[m.area].push(i);
    }

    // Aims and their driver diagrams.
    let mut drivers: Vec<DriverP> = Vec::new();
    let mut aims: Vec<AimP> = Vec::new();
    for a in 0..n_aims {
        let mut rng = Rng::stream(cfg.seed, 2, a as u64);
        let area_i = a % AREAS.len();
        let area = &AREAS[area_i];
        let setting = setting_from(&mut rng, area);
        let mut related = area_measures[area_i].clone();
        if related.is_empty() && !measures.is_empty() {
            related.push(a % measures.len());
        }
        let measure = (!related.is_empty()).then(|| related[(a / AREAS.len()) % related.len()]);
        let by = base + data_days + 7 * rng.between(0, 26);
        let month = month_year(by);
        let (title, target) = match measure {
            Some(mi) => {
                let m = &measures[mi];
                let b = fmt_num(m.level0, 1);
                let t = fmt_num(m.level1, 1);
                match m.chart {
                    Chart::P | Chart::Pp => {
                        let verb = if area.prop_up { "Increase" } else { "Reduce" };
                        (
                            format!(
                                "{verb} {} on {setting} from {}% to {}% by {month}",
                                lower_first(area.prop),
                                fmt_num(m.level0, 0),
                                fmt_num(m.level1, 0)
                            ),
                            Some(fmt_num(m.level1, 0)),
                        )
                    }
                    Chart::C | Chart::U | Chart::Up => (
                        format!(
                            "Reduce {} on {setting} from {b} to {t} {} by {month}",
                            area.event,
                            if m.chart == Chart::C {
                                "a week".to_string()
                            } else {
                                format!("per {} {}", area.per_words, area.exposure)
                            }
                        ),
                        Some(t),
                    ),
                    Chart::Run | Chart::I | Chart::Xmr | Chart::Xbar => {
                        let verb = if area.mu1 > area.mu0 {
                            "Increase"
                        } else {
                            "Reduce"
                        };
                        (
                            format!(
                                "{verb} the {} on {setting} from {b} to {t} {} by {month}",
                                lower_first(area.cont),
                                area.cont_unit
                            ),
                            Some(t),
                        )
                    }
                    Chart::Mr | Chart::S => (
                        format!(
                            "Make the {} on {setting} more predictable by {month}",
                            lower_first(area.cont)
                        ),
                        None,
                    ),
                    Chart::T | Chart::G => (
                        format!(
                            "Double the {} between {} on {setting} by {month}",
                            if m.chart == Chart::T {
                                "days"
                            } else {
                                area.cases
                            },
                            area.rare
                        ),
                        Some(fmt_num(m.level0 * 2.0, 0)),
                    ),
                }
            }
            None => (
                format!("Improve {} on {setting} by {month}", area.topic),
                None,
            ),
        };
        // Driver diagram: two or more primaries, each with some of its secondaries.
        let mut prim: Vec<usize> = (0..area.primaries.len()).collect();
        rng.shuffle(&mut prim);
        let take = rng.between(2, area.primaries.len() as i64) as usize;
        prim.truncate(take);
        prim.sort_unstable();
        let mut diagram = Vec::new();
        let mut aim_drivers = Vec::new();
        let mut seen_secondary: Vec<(usize, usize)> = Vec::new();
        for &pi in &prim {
            let (pslug, ptitle, secs) = area.primaries[pi];
            let pid = drivers.len();
            drivers.push(DriverP {
                id: format!("a{}-{pslug}", a + 1),
                title: ptitle.to_string(),
                aim: a,
            });
            aim_drivers.push(pid);
            let keep = rng.between(1, secs.len() as i64) as usize;
            let mut list = Vec::new();
            for &si in &secs[..keep] {
                match seen_secondary.iter().find(|(s, _)| *s == si) {
                    Some(&(_, did)) => {
                        let anchor =
                            format!("driver-{}-under-{}", drivers[did].id, drivers[pid].id);
                        list.push((did, anchor));
                    }
                    None => {
                        let (sslug, stitle) = area.secondaries[si];
                        let did = drivers.len();
                        drivers.push(DriverP {
                            id: format!("a{}-{sslug}", a + 1),
                            title: stitle.to_string(),
                            aim: a,
                        });
                        aim_drivers.push(did);
                        seen_secondary.push((si, did));
                        list.push((did, format!("driver-{}", drivers[did].id)));
                    }
                }
            }
            diagram.push((pid, list));
        }
        for &mi in &related {
            if Some(mi) == measure {
                measures[mi].aims.push(a);
            }
        }
        aims.push(AimP {
            id: format!("aim-{}-{}", a + 1, area.key),
            title,
            area: area_i,
            setting,
            measure,
            related,
            target,
            by,
            diagram,
            drivers: aim_drivers,
            changes: Vec::new(),
            notes: Vec::new(),
        });
    }

    // Change ideas.
    let mut changes: Vec<ChangeP> = Vec::new();
    for c in 0..n_changes {
        let mut rng = Rng::stream(cfg.seed, 3, c as u64);
        let a = c % n_aims;
        let aim = &aims[a];
        let area = &AREAS[aim.area];
        let idea_i = (c / n_aims + rng.below(2)) % area.ideas.len();
        let idea = &area.ideas[idea_i];
        let mut ds: Vec<usize> = Vec::new();
        for &si in idea.drivers {
            let sid = format!("a{}-{}", a + 1, area.secondaries[si].0);
            if let Some(&d) = aim.drivers.iter().find(|&&d| drivers[d].id == sid) {
                ds.push(d);
            }
        }
        if ds.is_empty() || rng.chance(0.1) {
            let primaries: Vec<usize> = aim.diagram.iter().map(|(p, _)| *p).collect();
            let d = *rng.pick(&primaries);
            if !ds.contains(&d) {
                ds.push(d);
            }
        }
        let status = if rng.chance(0.08) { "idea" } else { "testing" };
        changes.push(ChangeP {
            id: format!("{}-c{}", idea.slug, c + 1),
            title: format!(
                "{} \u{2014} {}",
                idea.title,
                cap_first(aim.setting.trim_start_matches("the "))
            ),
            aim: a,
            idea: idea_i,
            status,
            drivers: ds,
            cycles: Vec::new(),
            notes: Vec::new(),
        });
        aims[a].changes.push(c);
    }

    // Ramp lengths: 3 to 8 cycles per active change idea, adding up to exactly n_cycles.
    let lens: Vec<usize> = {
        let mut rng = Rng::stream(cfg.seed, 4, 0);
        let mut lens: Vec<usize> = changes
            .iter()
            .map(|c| {
                if c.status == "idea" {
                    0
                } else {
                    rng.between(3, 8) as usize
                }
            })
            .collect();
        if lens.iter().all(|&l| l == 0) {
            lens[0] = 3;
        }
        let mut total: usize = lens.iter().sum();
        let k = lens.len();
        while total > n_cycles {
            let start = rng.below(k);
            let floor_ok = |l: usize, floor: usize| l > floor;
            let pos = [3usize, 1, 0]
                .iter()
                .find_map(|&floor| {
                    (0..k)
                        .map(|i| (start + i) % k)
                        .find(|&i| floor_ok(lens[i], floor))
                })
                .expect("some ramp can shrink");
            lens[pos] -= 1;
            total -= 1;
        }
        while total < n_cycles {
            let start = rng.below(k);
            let pos = (0..k)
                .map(|i| (start + i) % k)
                .find(|&i| lens[i] > 0 && lens[i] < 8)
                .or_else(|| (0..k).map(|i| (start + i) % k).find(|&i| lens[i] < 8))
                .unwrap_or(start);
            lens[pos] += 1;
            total += 1;
        }
        lens
    };

    // Cycles, ramp by ramp.
    let mut cycles: Vec<CycleP> = Vec::new();
    for (c, &l) in lens.iter().enumerate() {
        let mut rng = Rng::stream(cfg.seed, 5, c as u64);
        if l == 0 {
            changes[c].status = "idea";
            continue;
        }
        let final_status = *rng.pick(&[
            "testing",
            "testing",
            "testing",
            "implementing",
            "adopted",
            "adopted",
            "abandoned",
        ]);
        changes[c].status = final_status;
        // Durations grow along the ramp; gaps of up to ten days between cycles.
        let mut spans = Vec::with_capacity(l);
        let mut total = 0i64;
        for k in 0..l {
            let dur = rng.between(3, 10) + (k as i64) * rng.between(3, 6);
            let gap = if k == 0 { 0 } else { rng.between(0, 10) };
            spans.push((gap, dur));
            total += gap + dur;
        }
        let mut day = base + rng.between(0, (data_days - total).max(0)) + rng.between(0, 3);
        let aim = &aims[changes[c].aim];
        let area = &AREAS[aim.area];
        let idea = &area.ideas[changes[c].idea];
        let first_cycle = cycles.len();
        for (k, &(gap, dur)) in spans.iter().enumerate() {
            day += gap;
            let started = day;
            day += dur;
            let last = k + 1 == l;
            let (status, decision) = if !last {
                if rng.chance(0.05) && k > 0 {
                    ("abandoned", None)
                } else if rng.chance(0.15) {
                    ("done", Some("adopt"))
                } else {
                    ("done", Some("adapt"))
                }
            } else {
                match final_status {
                    "testing" => (*rng.pick(&["doing", "studying", "planned", "doing"]), None),
                    "abandoned" => ("done", Some("abandon")),
                    _ => ("done", Some("adopt")),
                }
            };
            let ended = match status {
                "done" | "studying" | "abandoned" => Some(day),
                _ => None,
            };
            let frac = (k + 1) as f64 / l as f64;
            let scope = scope_text(&mut rng, area, &aim.setting, frac);
            let name = cap_first(idea.short.trim_start_matches("the "));
            let mut ms: Vec<usize> = Vec::new();
            if !aim.related.is_empty() && !rng.chance(0.1) {
                let want = rng.between(1, 2) as usize;
                for _ in 0..want {
                    let mi = *rng.pick(&aim.related);
                    if !ms.contains(&mi) {
                        ms.push(mi);
                    }
                }
                if !measures.is_empty() && rng.chance(0.15) {
                    let mi = rng.below(measures.len());
                    if !ms.contains(&mi) {
                        ms.push(mi);
                    }
                }
            }
            let idx = cycles.len();
            for &mi in &ms {
                measures[mi].cycles.push(idx);
            }
            cycles.push(CycleP {
                id: format!("{}-{}", changes[c].id, k + 1),
                title: format!("{name}, test {}: {scope}", k + 1),
                change: c,
                k: k + 1,
                status,
                started,
                ended,
                decision,
                follows: (k > 0 && rng.chance(0.6)).then_some(idx - 1),
                measures: ms,
                scope,
                notes: Vec::new(),
            });
            changes[c].cycles.push(idx);
        }
        debug_assert_eq!(cycles.len() - first_cycle, l);
    }

    // Notes and lessons.
    let mut notes: Vec<NoteP> = Vec::new();
    for t in 0..n_notes {
        let mut rng = Rng::stream(cfg.seed, 6, t as u64);
        let a = rng.below(n_aims);
        let aim = &aims[a];
        let area = &AREAS[aim.area];
        let change = (!aim.changes.is_empty() && rng.chance(0.7)).then(|| *rng.pick(&aim.changes));
        let lesson = rng.chance(0.3);
        let mut cyc: Vec<usize> = Vec::new();
        let mut date = base + rng.between(0, data_days - 1);
        if let Some(c) = change {
            let cs = &changes[c].cycles;
            if !cs.is_empty() {
                let from = rng.below(cs.len());
                let upto = (from + rng.between(1, 3) as usize).min(cs.len());
                cyc.extend_from_slice(&cs[from..upto]);
                let last = &cycles[cs[upto - 1]];
                date = last.ended.unwrap_or(last.started) + rng.between(1, 21);
            }
        }
        let mut ms: Vec<usize> = Vec::new();
        if !aim.related.is_empty() {
            for _ in 0..rng.between(0, 2) {
                let mi = *rng.pick(&aim.related);
                if !ms.contains(&mi) {
                    ms.push(mi);
                }
            }
        }
        let short = change.map_or(area.ideas[0].short, |c| area.ideas[changes[c].idea].short);
        let (title, stem) = if lesson {
            let i = rng.below(LESSON_TITLES.len());
            (LESSON_TITLES[i].to_string(), slugify(LESSON_TITLES[i], 4))
        } else {
            let tpl = rng.pick(NOTE_TITLES);
            let ctx = Ctx {
                area,
                setting: &aim.setting,
                short,
                scope: "",
                date,
            };
            let title = cap_first(&fill(tpl, &ctx, &mut rng));
            let stem = slugify(&title, 4);
            (title, stem)
        };
        let idx = notes.len();
        for &mi in &ms {
            measures[mi].notes.push(idx);
        }
        for &ci in &cyc {
            cycles[ci].notes.push(idx);
        }
        if let Some(c) = change {
            changes[c].notes.push(idx);
        }
        aims[a].notes.push(idx);
        notes.push(NoteP {
            id: format!(
                "{}-{}-{stem}",
                if lesson { "lesson" } else { "note" },
                t + 1
            ),
            title,
            aim: a,
            change,
            lesson,
            date,
            cycles: cyc,
            measures: ms,
        });
    }

    Corpus {
        cfg,
        aims,
        changes,
        cycles,
        notes,
        measures,
        drivers,
    }
}

fn slugify(s: &str, words: usize) -> String {
    let mut out = String::new();
    for w in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(words)
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w.to_ascii_lowercase());
    }
    if out.is_empty() {
        out.push_str("note");
    }
    out
}

fn scope_text(rng: &mut Rng, area: &Area, setting: &str, frac: f64) -> String {
    let bays = ["A", "B", "C", "D", "E", "F"];
    let b1 = rng.below(bays.len());
    let b2 = (b1 + 1) % bays.len();
    let shift = rng.pick(SHIFTS);
    let one = rng.pick(SHIFT_ONE);
    let sub = area.sub;
    if frac <= 0.34 {
        match rng.below(4) {
            0 => format!("{sub} {}, one {one}, {} days", bays[b1], rng.between(3, 7)),
            1 => format!("one nurse, {} patients, one {one}", rng.between(3, 6)),
            2 => format!("{sub} {}, {shift}, one week", bays[b1]),
            _ => format!("{} patients on {shift}", rng.between(5, 12)),
        }
    } else if frac <= 0.75 {
        match rng.below(3) {
            0 => format!("{sub}s {} and {}, {shift}, two weeks", bays[b1], bays[b2]),
            1 => format!("half of {setting}, {shift}, three weeks"),
            _ => format!("every {sub}, {shift}, two weeks"),
        }
    } else {
        match rng.below(3) {
            0 => format!("all of {setting}, every shift, four weeks"),
            1 => "every shift including weekends, six weeks".to_string(),
            _ => format!("{setting} and one neighbouring unit, eight weeks"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Text: templates with slots.
// ---------------------------------------------------------------------------------------

struct Ctx<'a> {
    area: &'a Area,
    setting: &'a str,
    short: &'a str,
    scope: &'a str,
    date: i64,
}

fn fill(t: &str, c: &Ctx, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(t.len() + 40);
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("closed slot");
        let key = &rest[open + 1..close];
        let v: String = match key {
            "setting" => c.setting.to_string(),
            "topic" => c.area.topic.to_string(),
            "event" => c.area.event.to_string(),
            "short" => c.short.to_string(),
            "short_cap" => cap_first(c.short),
            "scope" => c.scope.to_string(),
            "role" | "role2" => rng.pick(ROLES).to_string(),
            "shift" => rng.pick(SHIFTS).to_string(),
            "shiftsg" => rng.pick(SHIFT_ONE).to_string(),
            "weekday" => rng.pick(WEEKDAYS).to_string(),
            "n" => rng.between(2, 9).to_string(),
            "n2" => rng.between(10, 40).to_string(),
            "pct" => rng.between(70, 95).to_string(),
            "pct2" => rng.between(50, 90).to_string(),
            "weeks" => rng.between(3, 12).to_string(),
            "days" => rng.between(4, 14).to_string(),
            "minutes" => rng.between(3, 15).to_string(),
            "unexpected" => rng.pick(UNEXPECTED).to_string(),
            "obs" => c.area.obs.to_string(),
            "prop" => lower_first(c.area.prop),
            "sub" => c.area.sub.to_string(),
            "month" => {
                let (_, m, _) = civil(c.date);
                MONTHS[(m - 1) as usize].to_string()
            }
            other => panic!("unknown slot {other}"),
        };
        out.push_str(&v);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Draws from a pool without repeats until it is used up.
struct Pool {
    items: &'static [&'static str],
    order: Vec<usize>,
    pos: usize,
}

impl Pool {
    fn new(items: &'static [&'static str]) -> Pool {
        Pool {
            items,
            order: Vec::new(),
            pos: 0,
        }
    }

    fn draw(&mut self, rng: &mut Rng) -> &'static str {
        if self.pos >= self.order.len() {
            self.order = (0..self.items.len()).collect();
            rng.shuffle(&mut self.order);
            self.pos = 0;
        }
        self.pos += 1;
        self.items[self.order[self.pos - 1]]
    }
}

/// A link placed in a body: written as a wiki link (or a relative path) for cyclebook, and
/// as an ordinary link to the page's address for Hugo.
struct Link {
    target: Target,
    anchor: Option<&'static str>,
    label: Option<&'static str>,
    relative: bool,
}

enum Block {
    Heading(String),
    /// A paragraph, wrapped when written; links may be inserted into it.
    Para(String),
    /// Written as is (tables, lists, code).
    Raw(String),
    /// Different text for each site.
    Alt {
        cyclebook: String,
        hugo: String,
    },
}

struct Body {
    blocks: Vec<Block>,
    links: Vec<Link>,
}

const LINK_MARK: char = '\u{1}';
const LINK_END: char = '\u{2}';
const NBSP_MARK: char = '\u{3}';

impl Body {
    fn new() -> Body {
        Body {
            blocks: Vec::new(),
            links: Vec::new(),
        }
    }

    fn token(&mut self, target: Target, rng: &mut Rng, plain: bool) -> String {
        let (anchor, label, relative) = match target {
            _ if plain => (None, None, false),
            Target::Driver(_) => (None, None, false),
            Target::Item(kind, _) => {
                let r = rng.below(100);
                if r < 68 {
                    (None, None, false)
                } else if r < 80 {
                    (None, Some(*rng.pick(label_words(kind))), false)
                } else if r < 90 && kind == Kind::Cycle {
                    (Some(*rng.pick(&["study", "act", "plan"])), None, false)
                } else if r < 90 {
                    (None, None, false)
                } else {
                    (None, Some(*rng.pick(label_words(kind))), true)
                }
            }
        };
        self.links.push(Link {
            target,
            anchor,
            label,
            relative,
        });
        format!("{LINK_MARK}{}{LINK_END}", self.links.len() - 1)
    }

    fn len(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Heading(s) | Block::Para(s) | Block::Raw(s) => s.len() + 2,
                Block::Alt { cyclebook, .. } => cyclebook.len() + 2,
            })
            .sum::<usize>()
            + self.links.len() * 24
    }

    /// Puts one sentence linking to each target into a random paragraph.
    fn scatter_links(&mut self, targets: &[Target], from: Kind, rng: &mut Rng) {
        let paras: Vec<usize> = (0..self.blocks.len())
            .filter(|&i| matches!(self.blocks[i], Block::Para(_)))
            .collect();
        for &t in targets {
            let tok = self.token(t, rng, false);
            let sentence = link_sentence(from, t, &tok, rng);
            if paras.is_empty() {
                self.blocks.push(Block::Para(sentence));
                continue;
            }
            let i = *rng.pick(&paras);
            if let Block::Para(s) = &mut self.blocks[i] {
                s.push(' ');
                s.push_str(&sentence);
            }
        }
    }
}

fn label_words(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Aim => &["the aim", "our aim", "the aim statement"],
        Kind::Change => &["the change idea", "this change", "the idea"],
        Kind::Cycle => &["the earlier test", "that cycle", "the write-up", "the test"],
        Kind::Measure => &["the chart", "the weekly data", "this measure"],
        Kind::Note => &["the note", "what we wrote down", "the lesson"],
    }
}

fn link_sentence(from: Kind, t: Target, tok: &str, rng: &mut Rng) -> String {
    let templates: &[&str] = match (from, t) {
        (_, Target::Driver(_)) => &[
            "It works on the driver {L}.",
            "In the driver diagram this sits under {L}.",
            "The driver behind it is {L}.",
        ],
        (Kind::Measure, Target::Item(Kind::Cycle, _)) => &[
            "{L} is one of the cycles marked on this chart.",
            "The marker for {L} shows when that test started.",
            "Read the weeks after {L} with care: the test was small.",
        ],
        (Kind::Measure, Target::Item(Kind::Note, _)) => &[
            "{L} discusses this chart.",
            "The team's reading of these weeks is in {L}.",
        ],
        (Kind::Measure, Target::Item(Kind::Aim, _)) => &[
            "It is one of the measures for {L}.",
            "The chart tells us how we are doing against {L}.",
        ],
        (Kind::Measure, Target::Item(Kind::Measure, _)) => &[
            "Read it together with {L}.",
            "{L} is the balancing measure to watch alongside it.",
        ],
        (Kind::Aim, Target::Item(Kind::Change, _)) => &[
            "One of the change ideas under test is {L}.",
            "{L} is the idea furthest along.",
        ],
        (_, Target::Item(Kind::Aim, _)) => &[
            "All of this serves {L}.",
            "The aim is {L}.",
            "It is part of the work towards {L}.",
        ],
        (_, Target::Item(Kind::Change, _)) => &[
            "This is part of the ramp for {L}.",
            "The change idea is described in {L}.",
            "See {L} for where the idea came from.",
        ],
        (Kind::Change, Target::Item(Kind::Cycle, _)) => &[
            "The ramp so far includes {L}.",
            "{L} is written up in full.",
            "The most useful test so far was {L}.",
        ],
        (_, Target::Item(Kind::Cycle, _)) => &[
            "This builds on {L}.",
            "Compare {L}, which tested a similar change on a different shift.",
            "The related test is written up in {L}.",
            "{L} ran at about the same time.",
        ],
        (_, Target::Item(Kind::Measure, _)) => &[
            "The weekly data are on {L}.",
            "Watch {L} for the effect.",
            "The balancing measure is {L}.",
            "{L} is the chart the team looks at every Monday.",
        ],
        (_, Target::Item(Kind::Note, _)) => &[
            "The background is in {L}.",
            "{L} records what the night staff said.",
            "We wrote up what we learned in {L}.",
            "See also {L}.",
        ],
    };
    rng.pick(templates).replace("{L}", tok)
}

fn sentences(pool: &mut Pool, k: usize, ctx: &Ctx, rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..k {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&cap_first(&fill(pool.draw(rng), ctx, rng)));
    }
    out
}

fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut line = String::from(first);
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && line.len() + 1 + word.len() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(rest);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out
}

// ---------------------------------------------------------------------------------------
// Addresses and link rendering.
// ---------------------------------------------------------------------------------------

impl Corpus {
    fn id(&self, t: Target) -> &str {
        match t {
            Target::Item(Kind::Aim, i) => &self.aims[i].id,
            Target::Item(Kind::Change, i) => &self.changes[i].id,
            Target::Item(Kind::Cycle, i) => &self.cycles[i].id,
            Target::Item(Kind::Measure, i) => &self.measures[i].id,
            Target::Item(Kind::Note, i) => &self.notes[i].id,
            Target::Driver(d) => &self.drivers[d].id,
        }
    }

    fn title(&self, t: Target) -> &str {
        match t {
            Target::Item(Kind::Aim, i) => &self.aims[i].title,
            Target::Item(Kind::Change, i) => &self.changes[i].title,
            Target::Item(Kind::Cycle, i) => &self.cycles[i].title,
            Target::Item(Kind::Measure, i) => &self.measures[i].title,
            Target::Item(Kind::Note, i) => &self.notes[i].title,
            Target::Driver(d) => &self.drivers[d].title,
        }
    }

    /// The item's file, relative to the site folder (notes sit in a folder per year).
    fn site_path(&self, t: Target) -> String {
        match t {
            Target::Item(Kind::Note, i) => {
                let (y, _, _) = civil(self.notes[i].date);
                format!("notes/{y}/{}.md", self.notes[i].id)
            }
            Target::Item(kind, _) => format!("{}/{}.md", kind.section(), self.id(t)),
            Target::Driver(d) => {
                format!("aims/{}.md", self.aims[self.drivers[d].aim].id)
            }
        }
    }

    fn hugo_url(&self, t: Target) -> String {
        match t {
            Target::Item(kind, _) => format!("/{}/{}/", kind.section(), self.id(t)),
            Target::Driver(d) => format!(
                "/aims/{}/#driver-{}",
                self.aims[self.drivers[d].aim].id, self.drivers[d].id
            ),
        }
    }

    fn render_link(&self, l: &Link, hugo: bool, up: &str) -> String {
        if hugo {
            let text = l
                .label
                .map_or_else(|| md_escape(self.title(l.target)), str::to_string);
            let mut url = self.hugo_url(l.target);
            if let Some(a) = l.anchor {
                url.push('#');
                url.push_str(a);
            }
            format!("[{text}]({url})")
        } else if l.relative {
            format!(
                "[{}]({up}{})",
                md_escape(self.title(l.target)),
                self.site_path(l.target)
            )
        } else {
            let mut s = format!("[[{}", self.id(l.target));
            if let Some(a) = l.anchor {
                s.push('#');
                s.push_str(a);
            }
            if let Some(lb) = l.label {
                s.push('|');
                s.push_str(lb);
            }
            s.push_str("]]");
            s
        }
    }

    /// Replaces the link tokens of `text`; with `keep_together`, the spaces inside a link
    /// become `NBSP_MARK` so that wrapping never breaks a link.
    fn links_in(
        &self,
        text: &str,
        body: &Body,
        hugo: bool,
        up: &str,
        keep_together: bool,
    ) -> String {
        let mut res = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some(i) = rest.find(LINK_MARK) {
            res.push_str(&rest[..i]);
            let j = i + rest[i..].find(LINK_END).expect("closed token");
            let n: usize = rest[i + 1..j].parse().expect("token number");
            let link = self.render_link(&body.links[n], hugo, up);
            if keep_together {
                res.push_str(&link.replace(' ', &NBSP_MARK.to_string()));
            } else {
                res.push_str(&link);
            }
            rest = &rest[j + 1..];
        }
        res.push_str(rest);
        res
    }

    fn render(&self, body: &Body, from: Target, hugo: bool) -> String {
        let depth = self.site_path(from).matches('/').count();
        let up = "../".repeat(depth);
        let mut out = String::new();
        for b in &body.blocks {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            match b {
                Block::Heading(h) => out.push_str(h),
                Block::Para(p) => {
                    let text = self.links_in(p, body, hugo, &up, true);
                    out.push_str(&wrap(&text, 80, "", "").replace(NBSP_MARK, " "));
                }
                Block::Raw(r) => out.push_str(&self.links_in(r, body, hugo, &up, false)),
                Block::Alt { cyclebook, hugo: h } => out.push_str(if hugo { h } else { cyclebook }),
            }
        }
        out.push('\n');
        out
    }
}

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '[' | ']' | '*' | '_' | '\\' | '`' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn yaml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_str(s: &str) -> String {
    yaml_str(s)
}

fn toml_list(xs: &[String]) -> String {
    let v: Vec<String> = xs.iter().map(|x| toml_str(x)).collect();
    format!("[{}]", v.join(", "))
}

fn flow_list(xs: &[String]) -> String {
    format!("[{}]", xs.join(", "))
}

/// Picks 3 to 6 distinct link targets: the related ones first, then any item.
fn choose_links(
    c: &Corpus,
    rng: &mut Rng,
    me: Target,
    mut pool: Vec<Target>,
    want: usize,
) -> Vec<Target> {
    let total = c.aims.len() + c.changes.len() + c.cycles.len() + c.measures.len() + c.notes.len();
    let mut out: Vec<Target> = Vec::new();
    rng.shuffle(&mut pool);
    for t in pool {
        if out.len() == want {
            break;
        }
        if t != me && !out.contains(&t) {
            out.push(t);
        }
    }
    let mut tries = 0;
    while out.len() < want && tries < 50 {
        tries += 1;
        let mut i = rng.below(total);
        let t = if i < c.aims.len() {
            Target::Item(Kind::Aim, i)
        } else {
            i -= c.aims.len();
            if i < c.changes.len() {
                Target::Item(Kind::Change, i)
            } else {
                i -= c.changes.len();
                if i < c.cycles.len() {
                    Target::Item(Kind::Cycle, i)
                } else {
                    i -= c.cycles.len();
                    if i < c.measures.len() {
                        Target::Item(Kind::Measure, i)
                    } else {
                        Target::Item(Kind::Note, i - c.measures.len())
                    }
                }
            }
        };
        if t != me && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

fn some_of<T: Copy>(rng: &mut Rng, xs: &[T], k: usize) -> Vec<T> {
    let mut v: Vec<T> = xs.to_vec();
    rng.shuffle(&mut v);
    v.truncate(k);
    v
}

// ---------------------------------------------------------------------------------------
// Tags.
// ---------------------------------------------------------------------------------------

fn tags_for(
    rng: &mut Rng,
    area: &Area,
    idea: Option<&Idea>,
    extra: &[&str],
    general: usize,
) -> Vec<String> {
    let mut tags: Vec<String> = vec![area.key.to_string()];
    if let Some(i) = idea {
        tags.push(i.slug.to_string());
    }
    for e in extra {
        tags.push(e.to_string());
    }
    for _ in 0..general {
        tags.push(rng.pick(GENERAL_TAGS).to_string());
    }
    let mut seen = BTreeSet::new();
    tags.retain(|t| seen.insert(t.clone()));
    tags
}

// ---------------------------------------------------------------------------------------
// Writing the two sites.
// ---------------------------------------------------------------------------------------

struct Page {
    /// Path under the cyclebook site.
    site_path: String,
    front: String,
    body: String,
    hugo_section: &'static str,
    hugo_id: String,
    hugo_front: String,
    hugo_body: String,
}

struct Out {
    site: PathBuf,
    hugo: PathBuf,
    files: usize,
    bytes: usize,
    tags: BTreeSet<String>,
    made_dirs: BTreeSet<PathBuf>,
}

impl Out {
    fn write(&mut self, path: &Path, content: &str) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            if !self.made_dirs.contains(dir) {
                fs::create_dir_all(dir)?;
                self.made_dirs.insert(dir.to_path_buf());
            }
        }
        fs::write(path, content)?;
        self.files += 1;
        self.bytes += content.len();
        Ok(())
    }

    fn page(&mut self, p: &Page) -> std::io::Result<()> {
        let site = self.site.join(&p.site_path);
        self.write(&site, &format!("---\n{}---\n\n{}", p.front, p.body))?;
        let hugo = self
            .hugo
            .join("content")
            .join(p.hugo_section)
            .join(format!("{}.md", p.hugo_id));
        self.write(
            &hugo,
            &format!("+++\n{}+++\n\n{}", p.hugo_front, p.hugo_body),
        )
    }
}

fn hugo_front(title: &str, date: i64, tags: &[String], summary: &str, extra: &str) -> String {
    format!(
        "title = {}\ndate = {}\ntags = {}\nsummary = {}\n{extra}",
        toml_str(title),
        ymd(date),
        toml_list(tags),
        toml_str(summary)
    )
}

fn write_cycle(c: &Corpus, out: &mut Out, i: usize) -> std::io::Result<()> {
    let cy = &c.cycles[i];
    let ch = &c.changes[cy.change];
    let aim = &c.aims[ch.aim];
    let area = &AREAS[aim.area];
    let idea = &area.ideas[ch.idea];
    let mut rng = Rng::stream(c.cfg.seed, 11, i as u64);
    let ctx = Ctx {
        area,
        setting: &aim.setting,
        short: idea.short,
        scope: &cy.scope,
        date: cy.started,
    };
    let me = Target::Item(Kind::Cycle, i);
    let prev = (cy.k > 1).then(|| ch.cycles[cy.k - 2]);
    let next = ch.cycles.get(cy.k).copied();

    // Predictions.
    let mut pred_pool = Pool::new(PREDICTIONS);
    let preds: Vec<String> = (0..rng.between(1, 3))
        .map(|_| cap_first(&fill(pred_pool.draw(&mut rng), &ctx, &mut rng)))
        .collect();
    let team_size = rng.between(2, 4) as usize;
    let team: Vec<String> = some_of(&mut rng, ROLES, team_size)
        .iter()
        .map(|r| yaml_str(r))
        .collect();

    // Body.
    let target_len = rng.between(1000, 2900) as usize;
    let mut body = Body::new();
    let mut plan = Pool::new(PLAN);
    let mut dop = Pool::new(DO);
    let mut study = Pool::new(STUDY);
    let mut plan_paras = vec![sentences(
        &mut plan,
        rng.between(2, 4) as usize,
        &ctx,
        &mut rng,
    )];
    let started_or_planned = cy.status != "planned";
    let mut do_paras = Vec::new();
    let mut study_paras = Vec::new();
    if started_or_planned {
        do_paras.push(sentences(
            &mut dop,
            rng.between(2, 4) as usize,
            &ctx,
            &mut rng,
        ));
    }
    let studied = matches!(cy.status, "done" | "studying");
    if studied {
        study_paras.push(sentences(
            &mut study,
            rng.between(2, 3) as usize,
            &ctx,
            &mut rng,
        ));
    }
    // Act, with the next cycle linked when the decision is to adapt.
    let mut act = match (cy.status, cy.decision) {
        (_, Some("adopt")) => fill(rng.word(ACT_ADOPT), &ctx, &mut rng),
        (_, Some("adapt")) => fill(rng.word(ACT_ADAPT), &ctx, &mut rng),
        (_, Some(_)) => fill(rng.word(ACT_ABANDON), &ctx, &mut rng),
        ("abandoned", _) => "Stopped before the Study: the ward could not staff it this month. We will plan again when it can.".to_string(),
        ("studying", _) => "The team will study the data at the next improvement meeting and decide then.".to_string(),
        ("doing", _) => fill("The test is still running; the {role} is collecting data until the end of the {weekday} shift.", &ctx, &mut rng),
        _ => "_To be decided after the Study._".to_string(),
    };
    let mut used: Vec<Target> = Vec::new();
    if cy.decision == Some("adapt") {
        if let Some(nx) = next {
            let t = Target::Item(Kind::Cycle, nx);
            let tok = body.token(t, &mut rng, true);
            act.push_str(&format!(" Next test: {tok}."));
            used.push(t);
        }
    }
    // Grow the sections until the body is long enough.
    let mut guard = 0;
    loop {
        let len: usize = plan_paras
            .iter()
            .chain(&do_paras)
            .chain(&study_paras)
            .map(|s| s.len())
            .sum::<usize>()
            + act.len()
            + 300;
        if len >= target_len || guard > 12 {
            break;
        }
        guard += 1;
        match rng.below(3) {
            0 => plan_paras.push(sentences(
                &mut plan,
                rng.between(2, 3) as usize,
                &ctx,
                &mut rng,
            )),
            1 if started_or_planned => do_paras.push(sentences(
                &mut dop,
                rng.between(2, 3) as usize,
                &ctx,
                &mut rng,
            )),
            2 if studied => study_paras.push(sentences(
                &mut study,
                rng.between(2, 3) as usize,
                &ctx,
                &mut rng,
            )),
            _ => plan_paras.push(sentences(&mut plan, 2, &ctx, &mut rng)),
        }
    }
    body.blocks.push(Block::Heading("## Plan".into()));
    body.blocks.extend(plan_paras.into_iter().map(Block::Para));
    body.blocks.push(Block::Heading("## Do".into()));
    if do_paras.is_empty() {
        body.blocks.push(Block::Raw(format!(
            "_Not started yet: planned for the week of {}._",
            long_date(cy.started)
        )));
    } else {
        body.blocks.extend(do_paras.into_iter().map(Block::Para));
    }
    body.blocks.push(Block::Heading("## Study".into()));
    if studied {
        let mut table = String::from("| Prediction | What happened |\n|---|---|");
        for p in &preds {
            let outcome = rng.pick(OUTCOMES);
            let detail = if *outcome == "Not measured" {
                outcome.to_string()
            } else {
                format!("{}%. {outcome}", rng.between(45, 98))
            };
            table.push_str(&format!("\n| {p} | {detail} |"));
        }
        body.blocks.push(Block::Raw(table));
        body.blocks.extend(study_paras.into_iter().map(Block::Para));
    } else if cy.status == "abandoned" {
        body.blocks.push(Block::Para(
            "There is no Study: the test stopped after a few days.".into(),
        ));
    } else {
        body.blocks.push(Block::Raw("_Not yet studied._".into()));
    }
    body.blocks.push(Block::Heading("## Act".into()));
    body.blocks.push(Block::Para(act));

    // Links: neighbours in the ramp, the change idea, its measures, notes and drivers.
    let mut pool: Vec<Target> = vec![Target::Item(Kind::Change, cy.change)];
    pool.extend(prev.map(|p| Target::Item(Kind::Cycle, p)));
    pool.extend(next.map(|p| Target::Item(Kind::Cycle, p)));
    pool.extend(cy.measures.iter().map(|&m| Target::Item(Kind::Measure, m)));
    pool.extend(
        cy.notes
            .iter()
            .take(3)
            .map(|&n| Target::Item(Kind::Note, n)),
    );
    pool.extend(ch.drivers.iter().take(2).map(|&d| Target::Driver(d)));
    if let Some(&n) = aim.notes.get(rng.below(aim.notes.len().max(1))) {
        pool.push(Target::Item(Kind::Note, n));
    }
    pool.retain(|t| !used.contains(t));
    let want = rng.between(3, 6) as usize - used.len();
    let targets = choose_links(c, &mut rng, me, pool, want);
    body.scatter_links(&targets, Kind::Cycle, &mut rng);

    // Front matter.
    let general = rng.between(0, 2) as usize;
    let tags = tags_for(&mut rng, area, Some(idea), &[], general);
    out.tags.extend(tags.iter().cloned());
    let summary = match cy.status {
        "planned" => format!("Planned: {} on {}.", idea.short, cy.scope),
        "doing" => format!("Running now: {} on {}.", idea.short, cy.scope),
        "studying" => format!("Finished; the team is studying the data from {}.", cy.scope),
        "abandoned" => "Stopped before the Study.".to_string(),
        _ => format!(
            "{} Decision: {}.",
            cap_first(&format!("{} on {}.", idea.short, cy.scope)),
            cy.decision.unwrap_or("none")
        ),
    };
    let mut f = String::new();
    f.push_str(&format!("title: {}\n", yaml_str(&cy.title)));
    f.push_str(&format!("change: {}\n", ch.id));
    f.push_str(&format!("status: {}\n", cy.status));
    f.push_str(&format!("started: {}\n", ymd(cy.started)));
    if let Some(e) = cy.ended {
        f.push_str(&format!("ended: {}\n", ymd(e)));
    }
    if let Some(p) = cy.follows {
        f.push_str(&format!("follows: {}\n", c.cycles[p].id));
    }
    if let Some(d) = cy.decision {
        f.push_str(&format!("decision: {d}\n"));
    }
    f.push_str("predictions:\n");
    for p in &preds {
        f.push_str(&format!("  - {}\n", yaml_str(p)));
    }
    if !cy.measures.is_empty() {
        let ids: Vec<String> = cy
            .measures
            .iter()
            .map(|&m| c.measures[m].id.clone())
            .collect();
        f.push_str(&format!("measures: {}\n", flow_list(&ids)));
    }
    f.push_str(&format!("team: {}\n", flow_list(&team)));
    f.push_str(&format!("tags: {}\n", flow_list(&tags)));
    f.push_str(&format!("summary: {}\n", yaml_str(&summary)));
    if rng.chance(0.3) {
        f.push_str(&format!("extra:\n  scale: {}\n", yaml_str(&cy.scope)));
    }

    let mut h = String::new();
    h.push_str(&format!(
        "status = {}\nchange = {}\n",
        toml_str(cy.status),
        toml_str(&ch.id)
    ));
    if let Some(d) = cy.decision {
        h.push_str(&format!("decision = {}\n", toml_str(d)));
    }
    h.push_str(&format!("started = {}\n", toml_str(&ymd(cy.started))));
    if let Some(e) = cy.ended {
        h.push_str(&format!("ended = {}\n", toml_str(&ymd(e))));
    }
    h.push_str(&format!("predictions = {}\n", toml_list(&preds)));
    let mids: Vec<String> = cy
        .measures
        .iter()
        .map(|&m| c.measures[m].id.clone())
        .collect();
    h.push_str(&format!("measures = {}\n", toml_list(&mids)));
    out.page(&Page {
        site_path: c.site_path(me),
        front: f,
        body: c.render(&body, me, false),
        hugo_section: "cycles",
        hugo_id: cy.id.clone(),
        hugo_front: hugo_front(&cy.title, cy.started, &tags, &summary, &h),
        hugo_body: c.render(&body, me, true),
    })
}

fn write_note(c: &Corpus, out: &mut Out, i: usize) -> std::io::Result<()> {
    let note = &c.notes[i];
    let aim = &c.aims[note.aim];
    let area = &AREAS[aim.area];
    let idea = note.change.map(|ch| &area.ideas[c.changes[ch].idea]);
    let mut rng = Rng::stream(c.cfg.seed, 12, i as u64);
    let ctx = Ctx {
        area,
        setting: &aim.setting,
        short: idea.map_or(area.ideas[0].short, |i| i.short),
        scope: "",
        date: note.date,
    };
    let me = Target::Item(Kind::Note, i);
    let target_len = rng.between(1000, 2900) as usize;
    let mut body = Body::new();
    let mut pool = Pool::new(NOTE_SENTENCES);
    body.blocks.push(Block::Para(sentences(
        &mut pool,
        rng.between(2, 4) as usize,
        &ctx,
        &mut rng,
    )));
    if note.lesson {
        body.blocks
            .push(Block::Raw("What made the difference:".into()));
        let mut lp = Pool::new(LESSON_POINTS);
        let items: Vec<String> = (0..rng.between(3, 5))
            .map(|k| {
                let text = cap_first(&fill(lp.draw(&mut rng), &ctx, &mut rng));
                let first = format!("{}. ", k + 1);
                wrap(&text, 80, &first, "   ")
            })
            .collect();
        body.blocks.push(Block::Raw(items.join("\n")));
    }
    // A chart block for some notes about a measure.
    if let Some(&mi) = note.measures.first() {
        if rng.chance(0.3) {
            let m = &c.measures[mi];
            let periods: Vec<i64> = {
                let mut v: Vec<i64> = m.rows.iter().map(|r| r.day).collect();
                v.dedup();
                v
            };
            if periods.len() >= 2 {
                let a = rng.below(periods.len() - 1);
                let b = a + 1 + rng.below(periods.len() - a - 1);
                let fmt = |d: i64| if m.week_fmt { iso_week(d) } else { ymd(d) };
                body.blocks.push(Block::Raw(format!(
                    "The stretch of data we discussed, from {} to {}:",
                    long_date(periods[a]),
                    long_date(periods[b])
                )));
                body.blocks.push(Block::Raw(format!(
                    "```chart\nmeasure: {}\nfrom: {}\nto: {}\n```",
                    m.id,
                    fmt(periods[a]),
                    fmt(periods[b])
                )));
            }
        }
    }
    if rng.chance(0.25) {
        let kind = *rng.pick(&["NOTE", "TIP", "IMPORTANT", "WARNING"]);
        let text = match kind {
            "WARNING" => format!(
                "The week of {} is missing data, not a good week.",
                long_date(note.date - 7 * rng.between(1, 8))
            ),
            "TIP" => "Read the chart for runs of points, not for single weeks.".to_string(),
            "IMPORTANT" => fill(
                "A change only helps if someone is free to do it on {shift}.",
                &ctx,
                &mut rng,
            ),
            _ => "All data in this note are synthetic.".to_string(),
        };
        body.blocks
            .push(Block::Raw(format!("> [!{kind}]\n> {text}")));
    }
    let mut guard = 0;
    while body.len() + 200 < target_len && guard < 10 {
        guard += 1;
        body.blocks.push(Block::Para(sentences(
            &mut pool,
            rng.between(2, 4) as usize,
            &ctx,
            &mut rng,
        )));
    }
    if !note.lesson && rng.chance(0.4) {
        let mut tp = Pool::new(TASKS);
        let items: Vec<String> = (0..rng.between(2, 4))
            .map(|_| {
                let done = if rng.chance(0.5) { "x" } else { " " };
                format!("- [{done}] {}", fill(tp.draw(&mut rng), &ctx, &mut rng))
            })
            .collect();
        body.blocks.push(Block::Heading("## Actions".into()));
        body.blocks.push(Block::Raw(items.join("\n")));
    }
    if note.lesson {
        body.blocks.push(Block::Raw(
            "_The most useful prediction was the one we got wrong: it told us what to change._"
                .into(),
        ));
    }
    let mut lp: Vec<Target> = note
        .cycles
        .iter()
        .map(|&x| Target::Item(Kind::Cycle, x))
        .collect();
    lp.extend(
        note.measures
            .iter()
            .map(|&m| Target::Item(Kind::Measure, m)),
    );
    lp.extend(note.change.map(|x| Target::Item(Kind::Change, x)));
    lp.push(Target::Item(Kind::Aim, note.aim));
    for _ in 0..2 {
        if !aim.notes.is_empty() {
            lp.push(Target::Item(Kind::Note, *rng.pick(&aim.notes)));
        }
    }
    if let Some(ch) = note.change {
        lp.extend(
            c.changes[ch]
                .drivers
                .iter()
                .take(1)
                .map(|&d| Target::Driver(d)),
        );
    }
    let want = rng.between(3, 6) as usize;
    let targets = choose_links(c, &mut rng, me, lp, want);
    body.scatter_links(&targets, Kind::Note, &mut rng);

    let extra_tags: &[&str] = if note.lesson { &["lessons"] } else { &[] };
    let general = rng.between(1, 3) as usize;
    let tags = tags_for(&mut rng, area, idea, extra_tags, general);
    out.tags.extend(tags.iter().cloned());
    let summary = if note.lesson {
        format!("A lesson from {} on {}.", area.topic, aim.setting)
    } else {
        format!("Notes on {} from {}.", area.topic, aim.setting)
    };
    let mut f = String::new();
    f.push_str(&format!("title: {}\n", yaml_str(&note.title)));
    f.push_str(&format!("date: {}\n", ymd(note.date)));
    if note.lesson {
        f.push_str("kind: lesson\n");
    } else if rng.chance(0.3) {
        f.push_str("kind: note\n");
    }
    if !note.cycles.is_empty() {
        let ids: Vec<String> = note
            .cycles
            .iter()
            .map(|&x| c.cycles[x].id.clone())
            .collect();
        f.push_str(&format!("cycles: {}\n", flow_list(&ids)));
    }
    if !note.measures.is_empty() {
        let ids: Vec<String> = note
            .measures
            .iter()
            .map(|&x| c.measures[x].id.clone())
            .collect();
        f.push_str(&format!("measures: {}\n", flow_list(&ids)));
    }
    f.push_str(&format!("tags: {}\n", flow_list(&tags)));
    f.push_str(&format!("summary: {}\n", yaml_str(&summary)));
    let h = format!(
        "kind = {}\n",
        toml_str(if note.lesson { "lesson" } else { "note" })
    );
    out.page(&Page {
        site_path: c.site_path(me),
        front: f,
        body: c.render(&body, me, false),
        hugo_section: "notes",
        hugo_id: note.id.clone(),
        hugo_front: hugo_front(&note.title, note.date, &tags, &summary, &h),
        hugo_body: c.render(&body, me, true),
    })
}

fn write_change(c: &Corpus, out: &mut Out, i: usize) -> std::io::Result<()> {
    let ch = &c.changes[i];
    let aim = &c.aims[ch.aim];
    let area = &AREAS[aim.area];
    let idea = &area.ideas[ch.idea];
    let mut rng = Rng::stream(c.cfg.seed, 13, i as u64);
    let first_day = ch
        .cycles
        .first()
        .map_or(base_day(), |&x| c.cycles[x].started);
    let ctx = Ctx {
        area,
        setting: &aim.setting,
        short: idea.short,
        scope: "",
        date: first_day,
    };
    let me = Target::Item(Kind::Change, i);
    let target_len = rng.between(1000, 2600) as usize;
    let mut body = Body::new();
    let mut idea_pool = Pool::new(CHANGE_IDEA_TEXT);
    let mut origin = Pool::new(CHANGE_ORIGINS);
    let mut risks = Pool::new(CHANGE_RISKS);
    let testing = match ch.cycles.len() {
        0 => "No cycles yet: the idea is waiting for a first small test.".to_string(),
        k => format!(
            "So far {k} cycles, from {} to {}. Each test is a little bigger than the last, and each has its own predictions.",
            month_year(first_day),
            month_year(c.cycles[*ch.cycles.last().unwrap()].started)
        ),
    };
    let mut sections: Vec<(&str, Vec<String>)> = vec![
        (
            "## The idea",
            vec![sentences(&mut idea_pool, 3, &ctx, &mut rng)],
        ),
        (
            "## Where it came from",
            vec![sentences(
                &mut origin,
                rng.between(1, 3) as usize,
                &ctx,
                &mut rng,
            )],
        ),
        ("## How we are testing it", vec![testing]),
        (
            "## What could go wrong",
            vec![sentences(&mut risks, 2, &ctx, &mut rng)],
        ),
        ("## Along the way", Vec::new()),
    ];
    let mut general = Pool::new(NOTE_SENTENCES);
    let mut len: usize = sections
        .iter()
        .flat_map(|(_, ps)| ps)
        .map(|p| p.len() + 30)
        .sum();
    let mut guard = 0;
    while len + 200 < target_len && guard < 8 {
        guard += 1;
        let para = sentences(&mut general, rng.between(2, 3) as usize, &ctx, &mut rng);
        len += para.len() + 2;
        let at = if rng.chance(0.5) { 2 } else { 4 };
        sections[at].1.push(para);
    }
    for (h, ps) in sections {
        if !ps.is_empty() {
            body.blocks.push(Block::Heading(h.to_string()));
            body.blocks.extend(ps.into_iter().map(Block::Para));
        }
    }
    let mut lp: Vec<Target> = vec![Target::Item(Kind::Aim, ch.aim)];
    lp.extend(ch.cycles.first().map(|&x| Target::Item(Kind::Cycle, x)));
    lp.extend(ch.cycles.last().map(|&x| Target::Item(Kind::Cycle, x)));
    lp.extend(ch.drivers.iter().map(|&d| Target::Driver(d)));
    lp.extend(
        ch.notes
            .iter()
            .take(3)
            .map(|&n| Target::Item(Kind::Note, n)),
    );
    lp.extend(
        aim.related
            .iter()
            .take(2)
            .map(|&m| Target::Item(Kind::Measure, m)),
    );
    let want = rng.between(3, 6) as usize;
    let targets = choose_links(c, &mut rng, me, lp, want);
    body.scatter_links(&targets, Kind::Change, &mut rng);

    let general = rng.between(1, 2) as usize;
    let tags = tags_for(&mut rng, area, Some(idea), &[], general);
    out.tags.extend(tags.iter().cloned());
    let summary = format!(
        "Testing whether {} can become routine on {}.",
        idea.short, aim.setting
    );
    let mut f = String::new();
    f.push_str(&format!("title: {}\n", yaml_str(&ch.title)));
    let ds: Vec<String> = ch
        .drivers
        .iter()
        .map(|&d| c.drivers[d].id.clone())
        .collect();
    f.push_str(&format!("drivers: {}\n", flow_list(&ds)));
    f.push_str(&format!("status: {}\n", ch.status));
    f.push_str(&format!("tags: {}\n", flow_list(&tags)));
    f.push_str(&format!("summary: {}\n", yaml_str(&summary)));
    f.push_str(&format!("extra:\n  owner: {}\n", rng.pick(ROLES)));
    let h = format!(
        "status = {}\ndriver_ids = {}\n",
        toml_str(ch.status),
        toml_list(&ds)
    );
    out.page(&Page {
        site_path: c.site_path(me),
        front: f,
        body: c.render(&body, me, false),
        hugo_section: "changes",
        hugo_id: ch.id.clone(),
        hugo_front: hugo_front(&ch.title, first_day, &tags, &summary, &h),
        hugo_body: c.render(&body, me, true),
    })
}

fn write_aim(c: &Corpus, out: &mut Out, i: usize) -> std::io::Result<()> {
    let aim = &c.aims[i];
    let area = &AREAS[aim.area];
    let mut rng = Rng::stream(c.cfg.seed, 14, i as u64);
    let ctx = Ctx {
        area,
        setting: &aim.setting,
        short: area.ideas[0].short,
        scope: "",
        date: base_day(),
    };
    let me = Target::Item(Kind::Aim, i);
    let mut body = Body::new();
    body.blocks
        .push(Block::Raw("_All data on this site are synthetic._".into()));
    body.blocks.push(Block::Heading("## Why this aim".into()));
    let why = match aim.measure {
        Some(mi) => {
            let m = &c.measures[mi];
            format!(
                "Before the first tests the level was about {}: that is the baseline of the chart below. The team wants to know whether that can change, and how fast, without making anything else worse.",
                with_unit(m.level0, &m.unit)
            )
        }
        None => format!(
            "The team on {} wants to improve {}.",
            aim.setting, area.topic
        ),
    };
    body.blocks.push(Block::Para(why));
    let mut np = Pool::new(NOTE_SENTENCES);
    body.blocks
        .push(Block::Para(sentences(&mut np, 2, &ctx, &mut rng)));
    // How we will know: a table of up to three measures, linked.
    let shown: Vec<usize> = aim.related.iter().copied().take(3).collect();
    let mut link_budget = rng.between(3, 6) as usize;
    if !shown.is_empty() {
        body.blocks
            .push(Block::Heading("## How we will know".into()));
        let mut table = String::from("| Kind | Measure |\n|---|---|");
        for &mi in &shown {
            let m = &c.measures[mi];
            let kind = measure_kind(m.chart, mi);
            let tok = body.token(Target::Item(Kind::Measure, mi), &mut rng, true);
            table.push_str(&format!("\n| {} | {tok} |", cap_first(kind)));
        }
        body.blocks.push(Block::Raw(table));
        link_budget = link_budget.saturating_sub(shown.len());
    }
    body.blocks
        .push(Block::Heading("## Theory of change".into()));
    body.blocks.push(Block::Para(format!(
        "The driver diagram below is our theory of change for {}: {} primary drivers, each with the secondary drivers where we can act, and the change ideas we are testing under them.",
        area.topic,
        aim.diagram.len()
    )));
    body.blocks
        .push(Block::Heading("## Who is involved".into()));
    body.blocks
        .push(Block::Para(sentences(&mut np, 2, &ctx, &mut rng)));
    let target_len = rng.between(1000, 2400) as usize;
    let mut guard = 0;
    while body.len() + 150 < target_len && guard < 8 {
        guard += 1;
        body.blocks
            .push(Block::Para(sentences(&mut np, 2, &ctx, &mut rng)));
    }
    let mut lp: Vec<Target> = aim.drivers.iter().map(|&d| Target::Driver(d)).collect();
    lp.extend(
        aim.changes
            .iter()
            .take(4)
            .map(|&x| Target::Item(Kind::Change, x)),
    );
    lp.extend(
        aim.notes
            .iter()
            .take(2)
            .map(|&x| Target::Item(Kind::Note, x)),
    );
    let targets = choose_links(c, &mut rng, me, lp, link_budget);
    body.scatter_links(&targets, Kind::Aim, &mut rng);

    let general = rng.between(1, 2) as usize;
    let tags = tags_for(&mut rng, area, None, &[], general);
    out.tags.extend(tags.iter().cloned());
    let summary = format!("The aim for {} on {}.", area.topic, aim.setting);
    let sponsor = rng.pick(SPONSORS);
    let mut f = String::new();
    f.push_str(&format!("title: {}\n", yaml_str(&aim.title)));
    if let Some(mi) = aim.measure {
        f.push_str(&format!("measure: {}\n", c.measures[mi].id));
    }
    if let Some(t) = &aim.target {
        f.push_str(&format!("target: {t}\n"));
    }
    f.push_str(&format!("by: {}\n", ymd(aim.by)));
    f.push_str("drivers:\n");
    let mut h = String::new();
    h.push_str(&format!("sponsor = {}\n", toml_str(sponsor)));
    let mut hd = String::new();
    for (p, secs) in &aim.diagram {
        let d = &c.drivers[*p];
        f.push_str(&format!(
            "  - id: {}\n    title: {}\n",
            d.id,
            yaml_str(&d.title)
        ));
        hd.push_str(&format!(
            "\n[[drivers]]\nid = {}\ntitle = {}\nanchor = {}\n",
            toml_str(&d.id),
            toml_str(&d.title),
            toml_str(&format!("driver-{}", d.id))
        ));
        if !secs.is_empty() {
            f.push_str("    secondary:\n");
        }
        for (s, anchor) in secs {
            let sd = &c.drivers[*s];
            f.push_str(&format!(
                "      - id: {}\n        title: {}\n",
                sd.id,
                yaml_str(&sd.title)
            ));
            hd.push_str(&format!(
                "[[drivers.secondary]]\nid = {}\ntitle = {}\nanchor = {}\n",
                toml_str(&sd.id),
                toml_str(&sd.title),
                toml_str(anchor)
            ));
        }
    }
    f.push_str(&format!("tags: {}\n", flow_list(&tags)));
    f.push_str(&format!("summary: {}\n", yaml_str(&summary)));
    f.push_str(&format!(
        "extra:\n  sponsor: {}\n  synthetic_data: true\n",
        yaml_str(sponsor)
    ));
    h.push_str(&hd);
    out.page(&Page {
        site_path: c.site_path(me),
        front: f,
        body: c.render(&body, me, false),
        hugo_section: "aims",
        hugo_id: aim.id.clone(),
        hugo_front: hugo_front(&aim.title, base_day(), &tags, &summary, &h),
        hugo_body: c.render(&body, me, true),
    })
}

fn measure_kind(chart: Chart, m: usize) -> &'static str {
    match chart {
        Chart::P | Chart::Pp => "process",
        Chart::C | Chart::U | Chart::Up | Chart::T | Chart::G => "outcome",
        _ if m.is_multiple_of(2) => "process",
        _ => "balancing",
    }
}

fn write_measure(c: &Corpus, out: &mut Out, i: usize) -> std::io::Result<()> {
    let m = &c.measures[i];
    let area = &AREAS[m.area];
    let mut rng = Rng::stream(c.cfg.seed, 15, i as u64);
    let me = Target::Item(Kind::Measure, i);
    let period = |d: i64| if m.week_fmt { iso_week(d) } else { ymd(d) };
    let improvement = match m.chart {
        Chart::P | Chart::Pp => {
            if area.prop_up {
                "increase"
            } else {
                "decrease"
            }
        }
        Chart::C | Chart::U | Chart::Up | Chart::Mr | Chart::S => "decrease",
        Chart::T | Chart::G => "increase",
        _ => {
            if area.mu1 > area.mu0 {
                "increase"
            } else {
                "decrease"
            }
        }
    };
    let multiply = match m.chart {
        Chart::P | Chart::Pp => Some(100.0),
        Chart::U | Chart::Up => Some(area.per),
        _ => None,
    };
    let definition = match m.chart {
        Chart::P | Chart::Pp => format!(
            "Denominator: {}. Numerator: of those, {}. Source: ward audit and the electronic record.",
            area.prop_den, area.prop_num
        ),
        Chart::C => format!("Count of {} reported in the week (Monday to Sunday). Source: incident reporting system.", area.event),
        Chart::U | Chart::Up => format!(
            "Numerator: {} in the week. Denominator: {} in the week. Plotted per {}. Source: incident reporting and bed management systems.",
            area.event, area.exposure, area.per_words
        ),
        Chart::T => format!("One row per event: days since the previous one of {}. Source: incident reporting system.", area.rare),
        Chart::G => format!("One row per event: {} since the previous one of {}. Source: incident reporting and admissions systems.", area.cases, area.rare),
        Chart::Xbar | Chart::S => format!(
            "{} for a sample of three to six patients each week, one row per patient. Source: notes audit.",
            area.cont
        ),
        _ => format!("{} in {}, weekly. Source: electronic patient record timestamps.", area.cont, area.cont_unit),
    };
    let (date_col, value_col, den_col, note_col) = if m.custom_cols {
        (
            "week_start",
            match m.chart {
                Chart::P | Chart::Pp => "numerator",
                Chart::C | Chart::U | Chart::Up => "events",
                _ => "measurement",
            },
            match m.chart {
                Chart::P | Chart::Pp => "eligible",
                _ => "exposure",
            },
            "comment",
        )
    } else {
        ("date", "value", "denominator", "note")
    };
    let has_den = m.chart.has_denominator();

    // The CSV.
    let mut header = format!("{date_col},{value_col}");
    if has_den {
        header.push(',');
        header.push_str(den_col);
    }
    header.push(',');
    header.push_str(note_col);
    if m.custom_cols {
        header.push_str(",unit");
    }
    let mut csv = header.clone();
    csv.push('\n');
    let unit_code = format!("unit-{}", rng.between(2, 40));
    let mut table_rows: Vec<Vec<String>> = Vec::new();
    for r in &m.rows {
        let mut cells = vec![
            period(r.day),
            r.value.clone().unwrap_or_else(|| "NA".into()),
        ];
        if has_den {
            cells.push(r.denom.clone().unwrap_or_default());
        }
        cells.push(r.note.clone().unwrap_or_default());
        if m.custom_cols {
            cells.push(unit_code.clone());
        }
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        csv.push_str(&line.join(","));
        csv.push('\n');
        table_rows.push(cells);
    }

    // The body.
    let mut body = Body::new();
    let ctx = Ctx {
        area,
        setting: &m.setting,
        short: area.ideas[0].short,
        scope: "",
        date: m.shift_day,
    };
    let mut rp = Pool::new(MEASURE_READ);
    let mut fp = Pool::new(match m.chart {
        Chart::P | Chart::Pp => MEASURE_READ_PROP,
        Chart::C | Chart::U | Chart::Up => MEASURE_READ_COUNT,
        Chart::T | Chart::G => MEASURE_READ_EVENTS,
        _ => MEASURE_READ_CONT,
    });
    body.blocks.push(Block::Para(format!(
        "**How to read this chart.** This is a {} of {}. {} {}",
        m.chart.words(),
        lower_first(&m.title),
        sentences(&mut fp, 1, &ctx, &mut rng),
        sentences(&mut rp, 2, &ctx, &mut rng)
    )));
    let direction = if improvement == "increase" {
        "up"
    } else {
        "down"
    };
    body.blocks.push(Block::Para(format!(
        "**What it shows.** Around {} at first, moving {direction} to about {} from {}. Whether that is a signal or noise is for the chart to say, not for a single week.",
        with_unit(m.level0, &m.unit),
        with_unit(m.level1, &m.unit),
        month_year(m.shift_day)
    )));
    if let Some(d) = m.rebase {
        body.blocks.push(Block::Para(format!(
            "**Phases.** A new phase starts on {}, once the change had been adopted and the shift had held for several weeks.",
            long_date(d)
        )));
    }
    if let Some(d) = m.exclude {
        body.blocks.push(Block::Para(format!(
            "**Excluded.** The week of {} is kept on the chart but left out of the limits: the ward was closed to admissions for most of it.",
            long_date(d)
        )));
    }
    let target_len = rng.between(900, 1800) as usize;
    let mut np = Pool::new(NOTE_SENTENCES);
    let mut guard = 0;
    while body.len() + 150 < target_len && guard < 6 {
        guard += 1;
        body.blocks
            .push(Block::Para(sentences(&mut np, 2, &ctx, &mut rng)));
    }
    body.blocks.push(Block::Alt {
        cyclebook: format!("Download [the data]({}.csv) as CSV.", m.id),
        hugo: "The data are in the table below.".to_string(),
    });
    let mut lp: Vec<Target> = some_of(&mut rng, &m.cycles, 3)
        .into_iter()
        .map(|x| Target::Item(Kind::Cycle, x))
        .collect();
    lp.extend(
        some_of(&mut rng, &m.notes, 2)
            .into_iter()
            .map(|x| Target::Item(Kind::Note, x)),
    );
    lp.extend(m.aims.iter().take(1).map(|&a| Target::Item(Kind::Aim, a)));
    let want = rng.between(3, 6) as usize;
    let targets = choose_links(c, &mut rng, me, lp, want);
    body.scatter_links(&targets, Kind::Measure, &mut rng);

    let extra_tag = match m.chart {
        Chart::Run => "run-chart",
        _ => "spc",
    };
    let kind = measure_kind(m.chart, i);
    let kind_tag = format!("{kind}-measure");
    let general = rng.between(0, 1) as usize;
    let tags = tags_for(
        &mut rng,
        area,
        None,
        &[extra_tag, kind_tag.as_str()],
        general,
    );
    out.tags.extend(tags.iter().cloned());
    let summary = format!(
        "{}, {}: from about {} to about {}.",
        cap_first(m.chart.words()),
        m.setting,
        with_unit(m.level0, &m.unit),
        with_unit(m.level1, &m.unit)
    );

    let mut f = String::new();
    f.push_str(&format!("title: {}\n", yaml_str(&m.title)));
    f.push_str(&format!("kind: {kind}\n"));
    f.push_str(&format!("unit: {}\n", yaml_str(&m.unit)));
    f.push_str(&format!("definition: {}\n", yaml_str(&definition)));
    f.push_str(&format!("chart: {}\n", m.chart.name()));
    f.push_str(&format!("improvement: {improvement}\n"));
    if let Some(t) = m.target {
        f.push_str(&format!("target: {}\n", fmt_num(t, 1)));
    }
    if let Some(x) = multiply {
        f.push_str(&format!("multiply: {}\n", fmt_num(x, 0)));
    }
    if let Some(fr) = m.freeze {
        f.push_str(&format!("freeze: {fr}\n"));
    }
    if let Some(d) = m.rebase {
        f.push_str(&format!("rebase: [{}]\n", period(d)));
    }
    if let Some(d) = m.exclude {
        f.push_str(&format!("exclude: [{}]\n", period(d)));
    }
    if m.mdc {
        f.push_str("rules: mdc\n");
    }
    if m.custom_cols {
        f.push_str(&format!(
            "columns:\n  date: {date_col}\n  value: {value_col}\n"
        ));
        if has_den {
            f.push_str(&format!("  denominator: {den_col}\n"));
        }
        f.push_str(&format!("  note: {note_col}\n"));
    }
    f.push_str(&format!("tags: {}\n", flow_list(&tags)));
    f.push_str(&format!("summary: {}\n", yaml_str(&summary)));
    f.push_str("extra:\n  source: synthetic\n  refreshed: weekly\n");

    // Hugo: the same body, then the data as a table.
    let mut hugo_body = c.render(&body, me, true);
    hugo_body.push_str("\n## Data\n\n");
    let cols: Vec<&str> = header.split(',').collect();
    hugo_body.push_str(&format!("| {} |\n", cols.join(" | ")));
    hugo_body.push_str(&format!("|{}\n", "---|".repeat(cols.len())));
    for cells in &table_rows {
        let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        hugo_body.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    let h = format!(
        "chart = {}\nunit = {}\nkind = {}\n",
        toml_str(m.chart.name()),
        toml_str(&m.unit),
        toml_str(kind)
    );
    let first_day = m.rows.first().map_or(base_day(), |r| r.day);
    out.page(&Page {
        site_path: c.site_path(me),
        front: f,
        body: c.render(&body, me, false),
        hugo_section: "measures",
        hugo_id: m.id.clone(),
        hugo_front: hugo_front(&m.title, first_day, &tags, &summary, &h),
        hugo_body,
    })?;
    let csv_path = out.site.join("measures").join(format!("{}.csv", m.id));
    out.write(&csv_path, &csv)
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

const BASEOF: &str = r#"<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode | default "en" }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ .Site.Title }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">{{ end }}
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem;line-height:1.5}nav a{margin-right:1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}</style>
</head>
<body>
<header>
<p><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></p>
<nav>{{ range .Site.Home.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}<a href="{{ "/tags/" | relURL }}">Tags</a></nav>
</header>
<main>
{{ block "main" . }}{{ end }}
</main>
<footer><p>{{ .Site.Params.description }}</p></footer>
</body>
</html>
"#;

const SINGLE: &str = r#"{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
<dl class="facts">
<dt>Date</dt><dd><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 Jan 2006" }}</time></dd>
{{ with .Params.status }}<dt>Status</dt><dd>{{ . }}</dd>{{ end }}
{{ with .Params.decision }}<dt>Decision</dt><dd>{{ . }}</dd>{{ end }}
{{ with .Params.change }}<dt>Change idea</dt><dd><a href="{{ printf "/changes/%s/" . | relURL }}">{{ . }}</a></dd>{{ end }}
{{ with .Params.chart }}<dt>Chart</dt><dd>{{ . }}</dd>{{ end }}
{{ with .Params.unit }}<dt>Unit</dt><dd>{{ . }}</dd>{{ end }}
{{ with .Params.sponsor }}<dt>Sponsor</dt><dd>{{ . }}</dd>{{ end }}
</dl>
{{ with .Params.measures }}<p>Measures: {{ range . }}<a href="{{ printf "/measures/%s/" . | relURL }}">{{ . }}</a> {{ end }}</p>{{ end }}
{{ with .Params.predictions }}<h2>Predictions</h2><ol>{{ range . }}<li>{{ . }}</li>{{ end }}</ol>{{ end }}
{{ with .Params.driver_ids }}<p>Drivers: {{ range . }}{{ . }} {{ end }}</p>{{ end }}
{{ with .Params.drivers }}<h2>Driver diagram</h2>
<ul class="drivers">{{ range . }}<li id="{{ .anchor }}">{{ .title }}{{ with .secondary }}<ul>{{ range . }}<li id="{{ .anchor }}">{{ .title }}</li>{{ end }}</ul>{{ end }}</li>{{ end }}</ul>{{ end }}
{{ with .GetTerms "tags" }}<ul class="tags">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
{{ .Content }}
</article>
{{ end }}
"#;

const LIST: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ if .IsHome }}
<ul>{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .Pages }})</li>{{ end }}</ul>
{{ else }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.summary }}: {{ . }}{{ end }}</li>{{ end }}</ul>
{{ end }}
{{ end }}
"#;

const TAXONOMY: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"#;

const TERM: &str = r#"{{ define "main" }}
<h1>Tag: {{ .Title }}</h1>
{{ range .Pages.GroupBy "Section" }}<h2>{{ .Key }}</h2>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
{{ end }}
"#;

fn write_all(c: &Corpus) -> std::io::Result<Out> {
    let mut out = Out {
        site: c.cfg.out.join("site"),
        hugo: c.cfg.out.join("hugo"),
        files: 0,
        bytes: 0,
        tags: BTreeSet::new(),
        made_dirs: BTreeSet::new(),
    };
    let title = format!(
        "Synthetic learning system corpus ({} items, {} measures, seed {})",
        c.cfg.items, c.cfg.measures, c.cfg.seed
    );
    let description = "Generated test content for cyclebook benchmarks. The hospital, wards, teams and every number are synthetic.";
    let site_yml = format!(
        "title: {}\ndescription: >-\n  {}\nbase_url: https://example.org/corpus/\nrules: anhoej\nlanguage: en-GB\nprivacy:\n  suppress_below: 0\nextra:\n  generator: corpus example\n  seed: {}\n  synthetic_data: true\n",
        yaml_str(&title),
        description,
        c.cfg.seed
    );
    out.write(&out.site.join("cyclebook.yml"), &site_yml)?;
    out.write(
        &out.site.join("README.md"),
        "# Synthetic corpus\n\nGenerated by `cargo run --release --example corpus`. Not real data.\n",
    )?;
    for i in 0..c.aims.len() {
        write_aim(c, &mut out, i)?;
    }
    for i in 0..c.changes.len() {
        write_change(c, &mut out, i)?;
    }
    for i in 0..c.cycles.len() {
        write_cycle(c, &mut out, i)?;
    }
    for i in 0..c.notes.len() {
        write_note(c, &mut out, i)?;
    }
    for i in 0..c.measures.len() {
        write_measure(c, &mut out, i)?;
    }

    // The Hugo site's settings, section pages and layouts.
    let hugo_toml = format!(
        "baseURL = \"https://example.org/\"\nlanguageCode = \"en-gb\"\ntitle = {}\n\n[params]\ndescription = {}\n\n[taxonomies]\ntag = \"tags\"\n",
        toml_str(&title),
        toml_str(description)
    );
    out.write(&out.hugo.join("hugo.toml"), &hugo_toml)?;
    out.write(
        &out.hugo.join("content").join("_index.md"),
        &format!("+++\ntitle = {}\n+++\n\n{description}\n", toml_str(&title)),
    )?;
    let sections = [
        ("aims", "Aims", c.aims.len()),
        ("changes", "Change ideas", c.changes.len()),
        ("cycles", "PDSA cycles", c.cycles.len()),
        ("measures", "Measures", c.measures.len()),
        ("notes", "Notes and lessons", c.notes.len()),
    ];
    for (dir, name, count) in sections {
        if count > 0 {
            out.write(
                &out.hugo.join("content").join(dir).join("_index.md"),
                &format!("+++\ntitle = {}\n+++\n", toml_str(name)),
            )?;
        }
    }
    let layouts = out.hugo.join("layouts").join("_default");
    for (name, text) in [
        ("baseof.html", BASEOF),
        ("single.html", SINGLE),
        ("list.html", LIST),
        ("taxonomy.html", TAXONOMY),
        ("term.html", TERM),
    ] {
        out.write(&layouts.join(name), text)?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Command line.
// ---------------------------------------------------------------------------------------

const USAGE: &str = "usage: cargo run --release --example corpus -- --items N --measures M --points P [--seed S] OUT_DIR";

fn parse_args() -> Result<Cfg, String> {
    let mut items = None;
    let mut measures = None;
    let mut points = None;
    let mut seed = 1u64;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            let v = args.next().ok_or(format!("{name} needs a value"))?;
            v.parse::<u64>()
                .map_err(|_| format!("{name}: `{v}` is not a whole number"))
        };
        match a.as_str() {
            "--items" => items = Some(num("--items")? as usize),
            "--measures" => measures = Some(num("--measures")? as usize),
            "--points" => points = Some(num("--points")? as usize),
            "--seed" => seed = num("--seed")?,
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => {
                if out.is_some() {
                    return Err("only one OUT_DIR".into());
                }
                out = Some(PathBuf::from(s));
            }
        }
    }
    let items = items.ok_or("--items is required")?;
    let measures = measures.ok_or("--measures is required")?;
    let points = points.ok_or("--points is required")?;
    let out = out.ok_or("OUT_DIR is required")?;
    if items < 10 {
        return Err("--items must be at least 10".into());
    }
    if !(1..=20_000).contains(&points) {
        return Err("--points must be from 1 to 20000".into());
    }
    Ok(Cfg {
        items,
        measures,
        points,
        seed,
        out,
    })
}

fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match fs::read_dir(&cfg.out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                eprintln!(
                    "error: {} is not empty; give a new or empty folder",
                    cfg.out.display()
                );
                return ExitCode::from(2);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            eprintln!("error: cannot use {}: {e}", cfg.out.display());
            return ExitCode::from(2);
        }
    }
    let corpus = plan(cfg);
    let out = match write_all(&corpus) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: writing {}: {e}", corpus.cfg.out.display());
            return ExitCode::FAILURE;
        }
    };
    let lessons = corpus.notes.iter().filter(|n| n.lesson).count();
    let ramps = corpus
        .changes
        .iter()
        .filter(|c| !c.cycles.is_empty())
        .count();
    let sections = [
        corpus.aims.len(),
        corpus.changes.len(),
        corpus.cycles.len(),
        corpus.measures.len(),
        corpus.notes.len(),
    ]
    .iter()
    .filter(|&&n| n > 0)
    .count();
    let hugo_pages = corpus.cfg.items + corpus.measures.len() + 1 + sections + 1 + out.tags.len();
    println!(
        "corpus: {} items ({} aims, {} drivers, {} change ideas, {} cycles in {} ramps, {} notes of which {} lessons) + {} measures x {} points, {} tags; {} files, {:.1} MB in {}/site and {}/hugo (Hugo should render {} pages)",
        corpus.cfg.items,
        corpus.aims.len(),
        corpus.drivers.len(),
        corpus.changes.len(),
        corpus.cycles.len(),
        ramps,
        corpus.notes.len(),
        lessons,
        corpus.measures.len(),
        corpus.cfg.points,
        out.tags.len(),
        out.files,
        out.bytes as f64 / 1e6,
        corpus.cfg.out.display(),
        corpus.cfg.out.display(),
        hugo_pages
    );
    ExitCode::SUCCESS
}
