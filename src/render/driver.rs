//! Driver diagrams as SVG: an aim, its primary and secondary drivers and the change ideas
//! serving them, in four columns joined by lines; each change idea is a link, coloured,
//! labelled and marked by a shape for the state of the latest cycle of its ramp.

use super::chart::escape;
use super::incremental::{self, Dep};
use crate::content::items::{CycleStatus, Decision};
use crate::resolve::Library;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Where a change idea stands, read from the latest cycle of its ramp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeState {
    /// No cycle has tested it yet.
    Untested,
    /// The latest cycle is planned, under way, or ended in `adapt`.
    Testing,
    /// The latest cycle ended in `adopt`.
    Adopted,
    /// The latest cycle was abandoned, or ended in `abandon`.
    Abandoned,
}

impl ChangeState {
    /// In the order the legend shows them.
    pub const ALL: [ChangeState; 4] = [
        ChangeState::Adopted,
        ChangeState::Testing,
        ChangeState::Abandoned,
        ChangeState::Untested,
    ];

    /// The state given by the latest cycle of a ramp (`None`: the ramp is empty).
    pub fn of_latest(latest: Option<(CycleStatus, Option<Decision>)>) -> ChangeState {
        match latest {
            None => ChangeState::Untested,
            Some((CycleStatus::Abandoned, _) | (_, Some(Decision::Abandon))) => {
                ChangeState::Abandoned
            }
            Some((_, Some(Decision::Adopt))) => ChangeState::Adopted,
            Some(_) => ChangeState::Testing,
        }
    }

    /// For CSS classes (`state-adopted`) and templates.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeState::Untested => "untested",
            ChangeState::Testing => "testing",
            ChangeState::Adopted => "adopted",
            ChangeState::Abandoned => "abandoned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeState::Untested => "Not yet tested",
            ChangeState::Testing => "Testing",
            ChangeState::Adopted => "Adopted",
            ChangeState::Abandoned => "Abandoned",
        }
    }

    /// The colour of the state in the default palette, for readers without the stylesheet
    /// (the stylesheet's variables win, for dark mode).
    fn fallback_colour(self) -> &'static str {
        match self {
            ChangeState::Untested => "#5a6272",
            ChangeState::Testing => "#005eb8",
            ChangeState::Adopted => "#006747",
            ChangeState::Abandoned => "#a4262c",
        }
    }

    /// The box's outline: solid when adopted, dashed while testing, dotted when abandoned.
    fn dash(self) -> Option<&'static str> {
        match self {
            ChangeState::Untested => Some("2 4"),
            ChangeState::Testing => Some("7 4"),
            ChangeState::Adopted => None,
            ChangeState::Abandoned => Some("2 3"),
        }
    }
}

/// A change idea's state and the number of cycles in its ramp; notes what it read (the
/// ramp, and the latest cycle's card) as read by the page being rendered.
pub(super) fn tested(library: &Library, change: usize) -> (ChangeState, usize) {
    incremental::read(Dep::Item(library.items[change].id.clone()));
    let ramp = library.ramps.get(&change).map_or(&[][..], Vec::as_slice);
    let latest = ramp.last().map(|&c| {
        let cycle = &library.items[c];
        incremental::read(Dep::Card(cycle.id.clone()));
        let c = cycle.cycle();
        (
            c.map_or(CycleStatus::Planned, |c| c.status),
            c.and_then(|c| c.decision),
        )
    });
    (ChangeState::of_latest(latest), ramp.len())
}

/// A driver as the diagram draws it.
#[derive(Debug, Clone)]
pub struct Driver {
    pub id: String,
    pub title: String,
}

/// A secondary driver, once however many primaries it serves.
#[derive(Debug, Clone)]
pub struct Secondary {
    pub driver: Driver,
    /// Indices of the primary drivers it serves.
    pub primaries: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct ChangeIdea {
    pub title: String,
    /// The page's address relative to the site root.
    pub href: String,
    pub state: ChangeState,
    /// The number of cycles in its ramp.
    pub cycles: usize,
    /// Primary drivers it names directly.
    pub primaries: Vec<usize>,
    /// Secondary drivers it names.
    pub secondaries: Vec<usize>,
}

/// One aim's driver diagram, ready to draw.
#[derive(Debug, Clone)]
pub struct Diagram {
    /// Unique on the page: the id of the diagram's title derives from it.
    pub id: String,
    pub aim: String,
    pub primaries: Vec<Driver>,
    pub secondaries: Vec<Secondary>,
    /// In the order of the drivers they serve, top to bottom.
    pub changes: Vec<ChangeIdea>,
}

/// The driver diagram of aim `aim`, or `None` when it has no drivers. Notes what it read.
pub(super) fn diagram(library: &Library, aim: usize) -> Option<Diagram> {
    let item = &library.items[aim];
    incremental::read(Dep::Item(item.id.clone()));
    let a = item.aim()?;
    if a.drivers.is_empty() {
        return None;
    }
    let driver = |d: &crate::content::items::Driver| Driver {
        id: d.id.clone(),
        title: d.title.clone(),
    };
    let primaries: Vec<Driver> = a.drivers.iter().map(|p| driver(&p.driver)).collect();
    let mut secondaries: Vec<Secondary> = Vec::new();
    let mut secondary_index: HashMap<&str, usize> = HashMap::new();
    for (p, primary) in a.drivers.iter().enumerate() {
        for s in &primary.secondary {
            match secondary_index.get(s.id.as_str()) {
                Some(&si) => {
                    if !secondaries[si].primaries.contains(&p) {
                        secondaries[si].primaries.push(p);
                    }
                }
                None => {
                    secondary_index.insert(&s.id, secondaries.len());
                    secondaries.push(Secondary {
                        driver: driver(s),
                        primaries: vec![p],
                    });
                }
            }
        }
    }
    // Change ideas in the order of the drivers they serve: a primary's own, then those
    // of its secondary drivers, so that lines cross as little as the order allows.
    let mut changes: Vec<ChangeIdea> = Vec::new();
    let mut change_index: HashMap<usize, usize> = HashMap::new();
    let mut add = |ci: usize, primary: Option<usize>, secondary: Option<usize>| {
        let at = *change_index.entry(ci).or_insert_with(|| {
            let change = &library.items[ci];
            incremental::read(Dep::Card(change.id.clone()));
            let (state, cycles) = tested(library, ci);
            changes.push(ChangeIdea {
                title: change.title.clone(),
                href: change.href(),
                state,
                cycles,
                primaries: Vec::new(),
                secondaries: Vec::new(),
            });
            changes.len() - 1
        });
        let change = &mut changes[at];
        if let Some(p) = primary.filter(|p| !change.primaries.contains(p)) {
            change.primaries.push(p);
        }
        if let Some(s) = secondary.filter(|s| !change.secondaries.contains(s)) {
            change.secondaries.push(s);
        }
    };
    let mut visited = vec![false; secondaries.len()];
    for (p, primary) in a.drivers.iter().enumerate() {
        incremental::read(Dep::Driver(primary.driver.id.clone()));
        for &ci in library
            .changes_by_driver
            .get(&primary.driver.id)
            .into_iter()
            .flatten()
        {
            add(ci, Some(p), None);
        }
        for s in &primary.secondary {
            let si = secondary_index[s.id.as_str()];
            if std::mem::replace(&mut visited[si], true) {
                continue;
            }
            incremental::read(Dep::Driver(s.id.clone()));
            for &ci in library.changes_by_driver.get(&s.id).into_iter().flatten() {
                add(ci, None, Some(si));
            }
        }
    }
    Some(Diagram {
        id: format!("driver-diagram-{}", item.id),
        aim: item.title.clone(),
        primaries,
        secondaries,
        changes,
    })
}

/// The width of the drawing, in its own units (CSS pixels at scale 1).
pub const WIDTH: f64 = 960.0;
/// Every text's size. The stylesheet (`parts/diagrams.css`) keeps the drawing at least
/// `WIDTH × 12 / FONT` pixels wide, so that text is never shown smaller than 12 px: a
/// narrower screen scrolls the diagram sideways.
pub const FONT: f64 = 13.0;
const LINE: f64 = 17.0;
const PAD_X: f64 = 10.0;
const PAD_Y: f64 = 8.0;
/// Between boxes of a column.
const GAP: f64 = 12.0;
/// The columns' left edges and widths: aim, primary, secondary drivers, change ideas.
const COLUMNS: [(f64, f64); 4] = [(1.0, 170.0), (211.0, 220.0), (471.0, 220.0), (731.0, 228.0)];
const LEGEND_Y: f64 = 16.0;
const HEADINGS_Y: f64 = 50.0;
/// The top of the first box.
const TOP: f64 = 64.0;
const BOTTOM: f64 = 4.0;
const MAX_LINES: usize = 6;
const MAX_AIM_LINES: usize = 10;

/// An estimate of a character's width, in ems, as wide as DejaVu Sans (the widest of
/// the common system sans-serif fonts), so that wrapped lines fit their box in any.
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'l' | 'j' | '\'' | '.' | ',' | ':' | ';' | '!' | '|' | '’' | '‘' => 0.34,
        ' ' | 'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' | '/' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '@' | '—' => 1.0,
        c if c.is_ascii_uppercase() => 0.78,
        c if c.is_ascii() => 0.64,
        // Accented Latin letters are like ASCII ones; anything else may be wide.
        c if (c as u32) < 0x0250 => 0.7,
        _ => 1.0,
    }
}

fn text_width(text: &str) -> f64 {
    text.chars().map(char_em).sum::<f64>() * FONT
}

/// `text` broken into lines no wider than `width`, at spaces where it can, within a word
/// where it must; at most `max_lines`, the last ending in `…` when text was left out.
pub fn wrap(text: &str, width: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word wider than the box is cut where it must be.
        for c in word.chars() {
            line.push(c);
            if text_width(&line) > width {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = lines.last_mut().expect("max_lines > 0");
        while !last.is_empty() && text_width(&format!("{last}…")) > width {
            last.pop();
        }
        *last = format!("{}…", last.trim_end());
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Places boxes of `heights` in order, each at least [`GAP`] below the one before, as
/// close as possible (least squares) to the `desired` tops: isotonic regression by pool
/// adjacent violators, on the tops less the space the boxes above need.
fn place(desired: &[f64], heights: &[f64]) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(heights.len());
    let mut below = 0.0;
    for h in heights {
        offsets.push(below);
        below += h + GAP;
    }
    // Blocks of (sum, count) whose means increase.
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (d, o) in desired.iter().zip(&offsets) {
        blocks.push((d - o, 1));
        while blocks.len() > 1 {
            let (s2, n2) = blocks[blocks.len() - 1];
            let (s1, n1) = blocks[blocks.len() - 2];
            if s1 / n1 as f64 <= s2 / n2 as f64 {
                break;
            }
            blocks.pop();
            *blocks.last_mut().expect("two blocks") = (s1 + s2, n1 + n2);
        }
    }
    let mut tops = Vec::with_capacity(desired.len());
    for (sum, n) in blocks {
        for _ in 0..n {
            let o = offsets[tops.len()];
            tops.push(sum / n as f64 + o);
        }
    }
    tops
}

/// A line between two boxes: (column, index) to (column, index). A line that skips a
/// column (a change idea naming a primary driver directly) is drawn dashed.
type Edge = ((usize, usize), (usize, usize));

/// The tops of every box, column by column. The column that needs the most height is
/// stacked first; each other column, nearest first, is placed where its boxes' neighbours
/// already placed are, so that lines run as level as they can.
fn layout(heights: &[Vec<f64>; 4], edges: &[Edge]) -> [Vec<f64>; 4] {
    let stack = |h: &[f64]| -> Vec<f64> {
        let mut y = 0.0;
        h.iter()
            .map(|h| {
                let top = y;
                y += h + GAP;
                top
            })
            .collect()
    };
    let mut tops: [Vec<f64>; 4] = std::array::from_fn(|c| stack(&heights[c]));
    let total = |c: usize| heights[c].iter().map(|h| h + GAP).sum::<f64>();
    let anchor = (0..4)
        .max_by(|a, b| total(*a).total_cmp(&total(*b)).then(b.cmp(a)))
        .expect("four columns");
    let mut order: Vec<usize> = (0..4).filter(|c| *c != anchor).collect();
    order.sort_by_key(|c| (c.abs_diff(anchor), *c));
    let mut placed = [false; 4];
    placed[anchor] = true;
    for col in order {
        let n = heights[col].len();
        let mut sums = vec![(0.0, 0usize); n];
        for &((c1, i1), (c2, i2)) in edges {
            for ((c, i), (other_c, other_i)) in [((c1, i1), (c2, i2)), ((c2, i2), (c1, i1))] {
                if c == col && placed[other_c] {
                    let centre = tops[other_c][other_i] + heights[other_c][other_i] / 2.0;
                    sums[i].0 += centre;
                    sums[i].1 += 1;
                }
            }
        }
        let mut desired: Vec<Option<f64>> = sums
            .iter()
            .enumerate()
            .map(|(i, (sum, k))| (*k > 0).then(|| sum / *k as f64 - heights[col][i] / 2.0))
            .collect();
        // Boxes with no placed neighbour follow the box above (or precede the one below).
        for i in 1..n {
            if desired[i].is_none() {
                desired[i] = desired[i - 1].map(|d| d + heights[col][i - 1] + GAP);
            }
        }
        for i in (0..n.saturating_sub(1)).rev() {
            if desired[i].is_none() {
                desired[i] = desired[i + 1].map(|d| d - heights[col][i] - GAP);
            }
        }
        if desired.iter().all(Option::is_some) {
            let desired: Vec<f64> = desired.into_iter().flatten().collect();
            tops[col] = place(&desired, &heights[col]);
        }
        placed[col] = true;
    }
    let min = tops.iter().flatten().copied().fold(f64::INFINITY, f64::min);
    if min.is_finite() {
        for t in tops.iter_mut().flatten() {
            *t += TOP - min;
        }
    }
    tops
}

/// A number for an SVG attribute: one decimal at most.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The lines of a box's text, from its top-left corner.
fn text_lines(svg: &mut String, class: &str, x: f64, top: f64, lines: &[String]) {
    let _ = write!(
        svg,
        r##"<text class="{class}" x="{}" y="{}" font-size="{}" fill="#1d2330">"##,
        n(x),
        n(top + PAD_Y + 12.0),
        n(FONT)
    );
    for (i, line) in lines.iter().enumerate() {
        let space = if i + 1 < lines.len() { " " } else { "" };
        if i == 0 {
            let _ = write!(svg, "<tspan>{}{space}</tspan>", escape(line));
        } else {
            let _ = write!(
                svg,
                r#"<tspan x="{}" dy="{}">{}{space}</tspan>"#,
                n(x),
                n(LINE),
                escape(line)
            );
        }
    }
    svg.push_str("</text>");
}

/// The state's mark, a 12-unit shape centred at (`cx`, `cy`): a tick in a disc when
/// adopted, a half-filled circle while testing, a cross when abandoned, a dotted circle
/// when not yet tested.
fn state_icon(svg: &mut String, state: ChangeState, cx: f64, cy: f64) {
    let colour = state.fallback_colour();
    let (x, y) = (n(cx), n(cy));
    let _ = write!(svg, r#"<g class="state-icon" aria-hidden="true">"#);
    match state {
        ChangeState::Adopted => {
            let _ = write!(
                svg,
                r##"<circle class="icon-solid" cx="{x}" cy="{y}" r="6" fill="{colour}"/><path class="icon-mark" d="M{} {}l2.2 2.4l4.3-4.8" fill="none" stroke="#fff" stroke-width="1.8"/>"##,
                n(cx - 3.2),
                n(cy)
            );
        }
        ChangeState::Testing => {
            let _ = write!(
                svg,
                r##"<circle class="icon-ring" cx="{x}" cy="{y}" r="5.5" fill="#fff" stroke="{colour}" stroke-width="1.5"/><path class="icon-solid" d="M{x} {}A5.5 5.5 0 0 1 {x} {}Z" fill="{colour}"/>"##,
                n(cy - 5.5),
                n(cy + 5.5)
            );
        }
        ChangeState::Abandoned => {
            let _ = write!(
                svg,
                r##"<circle class="icon-ring" cx="{x}" cy="{y}" r="5.5" fill="#fff" stroke="{colour}" stroke-width="1.5"/><path class="icon-line" d="M{} {}l5 5m0-5l-5 5" stroke="{colour}" stroke-width="1.6"/>"##,
                n(cx - 2.5),
                n(cy - 2.5)
            );
        }
        ChangeState::Untested => {
            let _ = write!(
                svg,
                r##"<circle class="icon-ring" cx="{x}" cy="{y}" r="5.5" fill="#fff" stroke="{colour}" stroke-width="1.5" stroke-dasharray="2 2"/>"##
            );
        }
    }
    svg.push_str("</g>");
}

/// What a change idea's box says under its title: its state and how many cycles tested it.
pub fn state_text(state: ChangeState, cycles: usize) -> String {
    match cycles {
        0 => state.label().to_string(),
        1 => format!("{} · 1 cycle", state.label()),
        k => format!("{} · {k} cycles", state.label()),
    }
}

struct NodeBox {
    lines: Vec<String>,
    height: f64,
}

fn node_box(title: &str, column: usize, max_lines: usize, extra: f64) -> NodeBox {
    let lines = wrap(title, COLUMNS[column].1 - 2.0 * PAD_X, max_lines);
    let height = 2.0 * PAD_Y + lines.len() as f64 * LINE + extra;
    NodeBox { lines, height }
}

impl Diagram {
    /// The diagram as inline SVG. Links start with `root` (the way back to the site's
    /// root from the page). Text is escaped; the drawing holds no script or style.
    ///
    /// The drawing is named by its `<title>` and keeps the SVG's own role (SVG-AAM:
    /// `graphics-document`), as linked charts do: `img` would hide its links (axe
    /// `nested-interactive`), and `group` is not allowed on `<svg>` by the Nu HTML
    /// Checker.
    pub fn to_svg(&self, root: &str) -> String {
        let boxes: [Vec<NodeBox>; 4] = [
            vec![node_box(&self.aim, 0, MAX_AIM_LINES, 0.0)],
            self.primaries
                .iter()
                .map(|d| node_box(&d.title, 1, MAX_LINES, 0.0))
                .collect(),
            self.secondaries
                .iter()
                .map(|s| node_box(&s.driver.title, 2, MAX_LINES, 0.0))
                .collect(),
            self.changes
                .iter()
                .map(|c| node_box(&c.title, 3, MAX_LINES, LINE + 2.0))
                .collect(),
        ];
        let mut edges: Vec<Edge> = Vec::new();
        for p in 0..self.primaries.len() {
            edges.push(((0, 0), (1, p)));
        }
        for (s, secondary) in self.secondaries.iter().enumerate() {
            for &p in &secondary.primaries {
                edges.push(((1, p), (2, s)));
            }
        }
        for (c, change) in self.changes.iter().enumerate() {
            for &s in &change.secondaries {
                edges.push(((2, s), (3, c)));
            }
            for &p in &change.primaries {
                edges.push(((1, p), (3, c)));
            }
        }
        let heights: [Vec<f64>; 4] =
            std::array::from_fn(|c| boxes[c].iter().map(|b| b.height).collect());
        let tops = layout(&heights, &edges);
        let bottom = (0..4)
            .flat_map(|c| tops[c].iter().zip(&heights[c]).map(|(t, h)| t + h))
            .fold(TOP, f64::max);
        let height = (bottom + BOTTOM).ceil();

        let id = &self.id;
        let mut svg = String::with_capacity(4096 + 600 * self.changes.len());
        let _ = write!(
            svg,
            r#"<svg class="driver-svg" viewBox="0 0 {} {}" aria-labelledby="{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">Driver diagram: {}</title>"#,
            n(WIDTH),
            n(height),
            escape(&self.aim),
        );

        // The legend: what the colours, outlines and marks of change ideas mean.
        svg.push_str(r#"<g class="driver-legend">"#);
        let lead = "Change ideas by their latest cycle:";
        let _ = write!(
            svg,
            r##"<text x="1" y="{}" font-size="{}" fill="#5a6272" class="legend-lead">{lead}</text>"##,
            n(LEGEND_Y),
            n(FONT)
        );
        let mut x = 1.0 + text_width(lead) + 16.0;
        for state in ChangeState::ALL {
            let _ = write!(svg, r#"<g class="legend-item state-{}">"#, state.as_str());
            state_icon(&mut svg, state, x + 6.0, LEGEND_Y - 4.5);
            let _ = write!(
                svg,
                r#"<text class="state-label" x="{}" y="{}" font-size="{}" fill="{}">{}</text></g>"#,
                n(x + 16.0),
                n(LEGEND_Y),
                n(FONT),
                state.fallback_colour(),
                state.label()
            );
            x += 16.0 + text_width(state.label()) + 20.0;
        }
        svg.push_str("</g>");

        svg.push_str(r#"<g class="driver-headings">"#);
        for (c, heading) in [
            "Aim",
            "Primary drivers",
            "Secondary drivers",
            "Change ideas",
        ]
        .iter()
        .enumerate()
        {
            let _ = write!(
                svg,
                r##"<text x="{}" y="{}" font-size="{}" font-weight="700" fill="#1d2330">{heading}</text>"##,
                n(COLUMNS[c].0),
                n(HEADINGS_Y),
                n(FONT)
            );
        }
        svg.push_str("</g>");

        // Lines first, so that boxes sit on them.
        svg.push_str(r##"<g class="driver-edges" fill="none" stroke="#5a6272" stroke-width="1.3" aria-hidden="true">"##);
        for &((c1, i1), (c2, i2)) in &edges {
            let x1 = COLUMNS[c1].0 + COLUMNS[c1].1;
            let y1 = tops[c1][i1] + heights[c1][i1] / 2.0;
            let x2 = COLUMNS[c2].0;
            let y2 = tops[c2][i2] + heights[c2][i2] / 2.0;
            let bend = (x2 - x1) / 2.0;
            let direct = if c2 - c1 > 1 {
                r#" class="direct" stroke-dasharray="5 3""#
            } else {
                ""
            };
            let _ = write!(
                svg,
                r#"<path{direct} d="M{} {}C{} {} {} {} {} {}"/>"#,
                n(x1),
                n(y1),
                n(x1 + bend),
                n(y1),
                n(x2 - bend),
                n(y2),
                n(x2),
                n(y2)
            );
        }
        svg.push_str("</g>");

        let rect = |svg: &mut String, c: usize, top: f64, h: f64, attrs: &str| {
            let _ = write!(
                svg,
                r#"<rect class="box" x="{}" y="{}" width="{}" height="{}" rx="5"{attrs}/>"#,
                n(COLUMNS[c].0),
                n(top),
                n(COLUMNS[c].1),
                n(h)
            );
        };
        for (c, class) in [(0, "aim"), (1, "primary"), (2, "secondary")] {
            let attrs = match c {
                0 => r##" fill="#f4f6f9" stroke="#005eb8" stroke-width="2.5""##,
                1 => r##" fill="#f4f6f9" stroke="#005eb8" stroke-width="1.5""##,
                _ => r##" fill="#fff" stroke="#5a6272" stroke-width="1.2""##,
            };
            for (i, b) in boxes[c].iter().enumerate() {
                let data = match c {
                    0 => String::new(),
                    1 => format!(r#" data-driver="{}""#, escape(&self.primaries[i].id)),
                    _ => format!(
                        r#" data-driver="{}""#,
                        escape(&self.secondaries[i].driver.id)
                    ),
                };
                let _ = write!(svg, r#"<g class="driver-node driver-{class}"{data}>"#);
                rect(&mut svg, c, tops[c][i], b.height, attrs);
                text_lines(
                    &mut svg,
                    "node-title",
                    COLUMNS[c].0 + PAD_X,
                    tops[c][i],
                    &b.lines,
                );
                svg.push_str("</g>");
            }
        }
        for (i, (change, b)) in self.changes.iter().zip(&boxes[3]).enumerate() {
            let state = change.state;
            let top = tops[3][i];
            let status = state_text(state, change.cycles);
            let _ = write!(
                svg,
                r#"<a class="driver-node driver-change state-{}" href="{}{}"><title>{}: {}</title>"#,
                state.as_str(),
                escape(root),
                escape(&change.href),
                escape(&change.title),
                escape(&status)
            );
            let dash = state
                .dash()
                .map(|d| format!(r#" stroke-dasharray="{d}""#))
                .unwrap_or_default();
            let width = if state == ChangeState::Adopted {
                "2.5"
            } else {
                "2"
            };
            rect(
                &mut svg,
                3,
                top,
                b.height,
                &format!(
                    r##" fill="#fff" stroke="{}" stroke-width="{width}"{dash}"##,
                    state.fallback_colour()
                ),
            );
            text_lines(&mut svg, "node-title", COLUMNS[3].0 + PAD_X, top, &b.lines);
            let state_y = top + PAD_Y + b.lines.len() as f64 * LINE + 2.0 + 12.0;
            state_icon(&mut svg, state, COLUMNS[3].0 + PAD_X + 6.0, state_y - 4.5);
            let _ = write!(
                svg,
                r#"<text class="state-label" x="{}" y="{}" font-size="{}" fill="{}">{}</text></a>"#,
                n(COLUMNS[3].0 + PAD_X + 18.0),
                n(state_y),
                n(FONT),
                state.fallback_colour(),
                escape(&status)
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr_values<'a>(svg: &'a str, attr: &str) -> Vec<&'a str> {
        let needle = format!(" {attr}=\"");
        svg.match_indices(&needle)
            .map(|(i, _)| {
                let rest = &svg[i + needle.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect()
    }

    fn view_box_height(svg: &str) -> f64 {
        let vb = attr_values(svg, "viewBox")[0];
        vb.split(' ').nth(3).unwrap().parse().unwrap()
    }

    /// An aim with `p` primaries, `s` secondaries spread over them and `c` change ideas
    /// spread over the secondaries, with long, realistic titles.
    fn sized(p: usize, s: usize, c: usize) -> Diagram {
        let states = ChangeState::ALL;
        Diagram {
            id: "driver-diagram-big".into(),
            aim: "Reduce inpatient falls with harm across the medical wards by 30% from 2.1 to 1.5 per 1,000 occupied bed days by March 2027".into(),
            primaries: (0..p)
                .map(|i| Driver {
                    id: format!("p{i}"),
                    title: format!("Primary driver {i}: every patient's risks are found early and known to the whole team"),
                })
                .collect(),
            secondaries: (0..s)
                .map(|i| Secondary {
                    driver: Driver {
                        id: format!("s{i}"),
                        title: format!("Secondary driver {i}: multifactorial assessment within 6 hours of arrival"),
                    },
                    primaries: vec![i * p / s.max(1)],
                })
                .collect(),
            changes: (0..c)
                .map(|i| ChangeIdea {
                    title: format!("Change idea {i}: a falls safety huddle at every shift handover, red and amber patients only"),
                    href: format!("changes/c{i}/"),
                    state: states[i % 4],
                    cycles: i % 5,
                    primaries: Vec::new(),
                    secondaries: if s == 0 { Vec::new() } else { vec![i * s / c.max(1)] },
                })
                .collect(),
        }
    }

    #[test]
    fn the_state_comes_from_the_latest_cycle() {
        use ChangeState::*;
        let of = |s, d| ChangeState::of_latest(Some((s, d)));
        assert_eq!(ChangeState::of_latest(None), Untested);
        assert_eq!(of(CycleStatus::Planned, None), Testing);
        assert_eq!(of(CycleStatus::Doing, None), Testing);
        assert_eq!(of(CycleStatus::Studying, None), Testing);
        assert_eq!(of(CycleStatus::Done, Some(Decision::Adapt)), Testing);
        assert_eq!(of(CycleStatus::Done, Some(Decision::Adopt)), Adopted);
        assert_eq!(of(CycleStatus::Done, Some(Decision::Abandon)), Abandoned);
        assert_eq!(of(CycleStatus::Abandoned, None), Abandoned);
        assert_eq!(of(CycleStatus::Abandoned, Some(Decision::Adopt)), Abandoned);
    }

    #[test]
    fn long_titles_wrap_within_the_box() {
        let lines = wrap(
            "Multifactorial falls assessment completed within 6 hours of arrival",
            200.0,
            6,
        );
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l) <= 200.0), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "Multifactorial falls assessment completed within 6 hours of arrival"
        );
        // A word wider than the box is cut; too many lines end in an ellipsis.
        let long = wrap(&"x".repeat(200), 100.0, 3);
        assert_eq!(long.len(), 3);
        assert!(long[2].ends_with('…'));
        assert!(long.iter().all(|l| text_width(l) <= 100.0));
        assert_eq!(wrap("", 100.0, 3), vec![String::new()]);
    }

    #[test]
    fn placed_boxes_keep_their_order_and_do_not_overlap() {
        let heights = [30.0, 50.0, 20.0, 40.0];
        // Everyone wants the same place.
        let tops = place(&[100.0; 4], &heights);
        for i in 1..4 {
            assert!(
                tops[i] >= tops[i - 1] + heights[i - 1] + GAP - 1e-9,
                "{tops:?}"
            );
        }
        // Boxes that fit where they want stay there.
        assert_eq!(place(&[0.0, 100.0], &[20.0, 20.0]), vec![0.0, 100.0]);
    }

    #[test]
    fn every_change_idea_is_a_link_with_its_state() {
        let svg = sized(2, 3, 4).to_svg("../../");
        assert_eq!(svg.matches("<a ").count(), 4);
        for (i, state) in ChangeState::ALL.iter().enumerate() {
            assert!(
                svg.contains(&format!(
                    r#"<a class="driver-node driver-change state-{}" href="../../changes/c{i}/">"#,
                    state.as_str()
                )),
                "{svg}"
            );
        }
        assert!(svg.contains(">Adopted</text>"));
        assert!(svg.contains(">Testing · 1 cycle</text>"));
        assert!(svg.contains(">Abandoned · 2 cycles</text>"));
        assert!(svg.contains(">Not yet tested · 3 cycles</text>"));
        // A named container of links, not an image (whose links would be hidden).
        assert!(svg.contains(r#"<svg class="driver-svg" viewBox="0 0 960 "#));
        assert!(svg.contains(r#" aria-labelledby="driver-diagram-big-title""#));
        assert!(!svg.contains("role="));
    }

    #[test]
    fn a_large_diagram_grows_taller_and_keeps_its_text_size() {
        let small = sized(2, 3, 4).to_svg("");
        let large = sized(5, 15, 30).to_svg("");
        assert!(view_box_height(&large) > 2.0 * view_box_height(&small));
        assert_eq!(
            attr_values(&large, "viewBox")[0].split(' ').nth(2),
            Some("960")
        );
        for size in attr_values(&large, "font-size") {
            assert!(size.parse::<f64>().unwrap() >= 12.0, "font-size {size}");
        }
        // The stylesheet never lets the drawing shrink text below 12 px.
        let css = include_str!("../../themes/default/static/parts/diagrams.css");
        let rule = &css[css.find(".driver-svg {").expect("a .driver-svg rule")..];
        let min: f64 = rule[rule.find("min-width:").unwrap() + 10..rule.find("px").unwrap()]
            .trim()
            .parse()
            .unwrap();
        assert!(min * FONT / WIDTH >= 12.0, "min-width {min}px");
        assert_eq!(
            large.matches(r#"class="driver-node driver-change"#).count(),
            30
        );
        assert_eq!(
            large
                .matches(r#"class="driver-node driver-secondary""#)
                .count(),
            15
        );
        assert_eq!(
            large
                .matches(r#"class="driver-node driver-primary""#)
                .count(),
            5
        );
        // Every box lies within the drawing, and boxes of a column do not overlap.
        let height = view_box_height(&large);
        let mut columns: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
        for (i, _) in large.match_indices("<rect class=\"box\"") {
            let tag = &large[i..i + large[i..].find("/>").unwrap()];
            let x = attr_values(tag, "x")[0].to_string();
            let y: f64 = attr_values(tag, "y")[0].parse().unwrap();
            let h: f64 = attr_values(tag, "height")[0].parse().unwrap();
            assert!(y >= TOP - 1e-9 && y + h <= height, "{tag}");
            columns.entry(x).or_default().push((y, h));
        }
        for boxes in columns.values() {
            for pair in boxes.windows(2) {
                assert!(pair[1].0 >= pair[0].0 + pair[0].1, "{boxes:?}");
            }
        }
    }

    #[test]
    fn text_is_escaped() {
        let mut d = sized(1, 1, 1);
        d.aim = "<script>alert(1)</script> & \"quotes\"".into();
        d.changes[0].title = "<b>bold</b>".into();
        d.changes[0].href = "changes/x\"onmouseover=\"y/".into();
        let svg = d.to_svg("");
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("&amp; &quot;quotes&quot;"));
        assert!(!svg.contains("x\"onmouseover"));
    }

    #[test]
    fn shared_secondary_drivers_are_drawn_once_with_a_line_from_each_primary() {
        let d = Diagram {
            id: "d".into(),
            aim: "Aim".into(),
            primaries: vec![
                Driver {
                    id: "a".into(),
                    title: "A".into(),
                },
                Driver {
                    id: "b".into(),
                    title: "B".into(),
                },
            ],
            secondaries: vec![Secondary {
                driver: Driver {
                    id: "s".into(),
                    title: "Shared".into(),
                },
                primaries: vec![0, 1],
            }],
            changes: vec![ChangeIdea {
                title: "Direct".into(),
                href: "changes/direct/".into(),
                state: ChangeState::Untested,
                cycles: 0,
                primaries: vec![1],
                secondaries: Vec::new(),
            }],
        };
        let svg = d.to_svg("");
        assert_eq!(svg.matches(">Shared</tspan>").count(), 1);
        // aim→a, aim→b, a→s, b→s, b→direct (dashed: it skips a column).
        assert_eq!(svg.matches("<path d=\"M").count(), 4);
        assert_eq!(svg.matches("<path class=\"direct\"").count(), 1);
    }
}
