//! YAML front matter: the one place that parses YAML (so the parser can be swapped in
//! one spot), plus typed readers that collect every problem with its line and column.

use super::source::SourceFile;
use crate::date::Date;
use crate::diagnostics::{did_you_mean, Diagnostic, Pos};
use crate::hash::FastMap;
use serde_yaml::{Mapping, Value};

/// A reference to another item (or driver) by id, remembering where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub id: String,
    pub pos: Pos,
}

/// A YAML syntax error: the message without serde_yaml's own "at line L column C"
/// phrases, the place of the problem, and the place of the construct being parsed
/// when the parser names one (an unclosed `[`, say), all 1-based within the YAML.
#[derive(Debug)]
pub struct YamlError {
    pub message: String,
    pub line: usize,
    pub col: usize,
    pub context: Option<(String, usize, usize)>,
}

/// Parses YAML text.
pub fn parse_yaml(yaml: &str) -> Result<Value, YamlError> {
    if yaml.trim().is_empty() {
        return Ok(Value::Mapping(Mapping::new()));
    }
    if let Some(value) = super::quick_yaml::parse(yaml) {
        return Ok(value);
    }
    serde_yaml::from_str::<Value>(yaml).map_err(|e| {
        let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        let raw = e.to_string();
        // "…, while parsing a flow sequence at line 2 column 8": keep where that began.
        let context = raw.rfind(", while parsing ").and_then(|i| {
            let phrase = &raw[i + ", while parsing ".len()..];
            let (what, place) = phrase.split_once(" at line ")?;
            let (l, c) = place.split_once(" column ")?;
            Some((
                what.to_string(),
                l.trim().parse().ok()?,
                c.trim().parse().ok()?,
            ))
        });
        let head = raw.split(", while parsing").next().unwrap_or(&raw);
        let message = head
            .find(" at line ")
            .map_or(head, |i| &head[..i])
            .to_string();
        YamlError {
            message,
            line,
            col,
            context,
        }
    })
}

/// Where each key and sequence item of a block-style YAML document is written, by
/// path (`drivers[0].secondary[1].id`). serde_yaml's values carry no positions, so
/// this scan of the text recovers them for diagnostics.
#[derive(Debug, Default)]
pub struct KeyIndex {
    /// By path: where its key is written (not for the items of a `[a, b]`), and its value.
    places: FastMap<String, (Option<Pos>, Pos)>,
}

impl KeyIndex {
    /// `first_line` is the file line of the first line of `yaml`.
    pub fn scan(yaml: &str, first_line: usize) -> KeyIndex {
        #[derive(PartialEq)]
        enum Node {
            Key,
            Item,
        }
        let mut index = KeyIndex::default();
        let mut stack: Vec<(usize, Node, String)> = Vec::new();
        let mut item_counts: FastMap<String, usize> = FastMap::default();
        let mut block_scalar_indent: Option<usize> = None;
        for (i, raw) in yaml.lines().enumerate() {
            let line_no = first_line + i;
            let line = raw.trim_end();
            let indent = line.len() - line.trim_start().len();
            let content = line.trim_start();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if let Some(block) = block_scalar_indent {
                if indent > block {
                    continue;
                }
                block_scalar_indent = None;
            }
            let mut col = indent;
            let mut rest = content;
            let mut is_item = false;
            // `- ` opens a sequence item; `- - x` nests, rarely, but is handled.
            while rest == "-" || rest.starts_with("- ") {
                while stack
                    .last()
                    .is_some_and(|(n, kind, _)| *n > col || (*n == col && *kind == Node::Item))
                {
                    stack.pop();
                }
                let parent = stack.last().map_or(String::new(), |(_, _, p)| p.clone());
                let count = item_counts.entry(parent.clone()).or_insert(0);
                let path = format!("{parent}[{count}]");
                *count += 1;
                let after = rest[1..].trim_start();
                let value_col = col + (rest.len() - after.len());
                index.places.insert(
                    path.clone(),
                    (
                        Some(Pos::new(line_no, col + 1, 1)),
                        Pos::new(line_no, value_col + 1, scalar_len(after)),
                    ),
                );
                stack.push((col, Node::Item, path));
                col = value_col;
                rest = after;
                is_item = true;
            }
            let Some((key, value, value_offset)) = split_key(rest) else {
                let _ = is_item;
                continue;
            };
            while stack.last().is_some_and(|(n, _, _)| *n >= col) {
                stack.pop();
            }
            let parent = stack.last().map_or(String::new(), |(_, _, p)| p.clone());
            let path = if parent.is_empty() {
                key.to_string()
            } else {
                format!("{parent}.{key}")
            };
            let value_col = col + value_offset;
            index.places.insert(
                path.clone(),
                (
                    Some(Pos::new(line_no, col + 1, key.chars().count().max(1))),
                    Pos::new(line_no, value_col + 1, scalar_len(value)),
                ),
            );
            if value.starts_with('[') {
                index.scan_flow_sequence(&path, value, line_no, value_col);
            }
            if value.starts_with('|') || value.starts_with('>') {
                block_scalar_indent = Some(col);
            }
            stack.push((col, Node::Key, path));
        }
        index
    }

    /// Positions of the items of a one-line `[a, b, c]`.
    fn scan_flow_sequence(&mut self, path: &str, value: &str, line: usize, col: usize) {
        let Some(close) = value.find(']') else { return };
        let inner = &value[1..close];
        let mut offset = 1;
        for (n, part) in inner.split(',').enumerate() {
            let trimmed = part.trim_start();
            let lead = part.len() - trimmed.len();
            let item = trimmed.trim_end();
            let start = col + offset + lead;
            let value = Pos::new(line, start + 1, item.chars().count().max(1));
            self.places
                .entry(format!("{path}[{n}]"))
                .and_modify(|(_, v)| *v = value)
                .or_insert((None, value));
            offset += part.len() + 1;
        }
    }

    /// Position of a key, or of the nearest enclosing key that was found.
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.nearest_key(path)
    }

    /// Position of a value, or of the nearest enclosing value that was found.
    pub fn value(&self, path: &str) -> Option<Pos> {
        match self.places.get(path) {
            Some(&(_, value)) => Some(value),
            None => self.nearest_key(path),
        }
    }

    fn nearest_key(&self, path: &str) -> Option<Pos> {
        let mut path = path;
        loop {
            if let Some(&(Some(key), _)) = self.places.get(path) {
                return Some(key);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

/// `key: value` → (key, value, byte offset of value), for plain or quoted keys.
fn split_key(s: &str) -> Option<(&str, &str, usize)> {
    let (key, after) = if let Some(q) = s.strip_prefix('"').or_else(|| s.strip_prefix('\'')) {
        let quote = s.as_bytes()[0] as char;
        let end = q.find(quote)?;
        let after = q[end + 1..].trim_start();
        (&q[..end], after)
    } else {
        let colon = s
            .find(": ")
            .or_else(|| s.strip_suffix(':').map(|k| k.len()))?;
        let key = s[..colon].trim_end();
        if key.is_empty() || key.contains(['{', '[', '"', '\'']) {
            return None;
        }
        (key, &s[colon..])
    };
    let value = after.strip_prefix(':')?;
    let trimmed = value.trim_start();
    let offset = s.len() - trimmed.len();
    Some((key, trimmed, offset))
}

/// Characters of a plain scalar before any trailing comment.
fn scalar_len(value: &str) -> usize {
    let end = value.find(" #").unwrap_or(value.len());
    value[..end].trim_end().chars().count().max(1)
}

/// A YAML syntax error as a diagnostic at its place in the file, with the most
/// useful hint for the commonest causes (tabs, repeated keys, unclosed brackets).
fn yaml_diagnostic(
    file: &SourceFile,
    yaml: &str,
    first_line: usize,
    what: &str,
    e: YamlError,
) -> Diagnostic {
    let to_file_line = |line: usize| first_line + line - 1;
    if let Some(key) = e
        .message
        .strip_prefix("duplicate entry with key ")
        .map(|k| k.trim_matches('"').to_string())
    {
        // serde_yaml points at the mapping; point at the second writing of the key.
        let places: Vec<usize> = yaml
            .lines()
            .enumerate()
            .filter(|(_, l)| {
                l.strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
            .map(|(i, _)| to_file_line(i + 1))
            .collect();
        let line = places
            .get(1)
            .or(places.first())
            .copied()
            .unwrap_or(to_file_line(e.line));
        let mut d = file
            .error(
                "E0102",
                format!("key `{key}` is written twice in {what}"),
                Pos::new(line, 1, key.chars().count().max(1)),
            )
            .label("written again here")
            .hint(format!("keep one `{key}:` line"));
        if let Some(first) = places.first().filter(|f| **f != line) {
            d = d.related(
                &file.path,
                Pos::new(*first, 1, key.len()),
                "first written here",
            );
        }
        return d;
    }
    let line = to_file_line(e.line);
    let len = file
        .line_len(line)
        .saturating_sub(e.col.saturating_sub(1))
        .clamp(1, 40);
    let line_text = file.text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let hint = if e.message.contains("tab") || line_text.starts_with('\t') {
        "YAML indents with spaces only: replace the tab at the start of this line with spaces"
    } else {
        "check indentation (spaces, not tabs), a missing `:` after a key, and quote values that contain `: ` or start with `[`, `{`, `*`, `&` or `@`"
    };
    let mut d = file
        .error(
            "E0102",
            format!("malformed YAML in {what}: {}", e.message),
            Pos::new(line, e.col, len),
        )
        .label("YAML could not be read from here")
        .hint(hint);
    if let Some((construct, l, c)) = e.context {
        let context_line = to_file_line(l);
        if context_line != line {
            d = d.related(
                &file.path,
                Pos::new(context_line, c, 1),
                format!("while reading {construct} that starts here"),
            );
        }
    }
    d
}

/// Reads typed fields out of one front matter, collecting diagnostics as it goes.
pub struct Fields<'a> {
    pub file: &'a SourceFile,
    map: Mapping,
    index: KeyIndex,
    start: Pos,
    /// The kind of document, for messages: "cycle", "note", "cyclebook.yml".
    what: &'static str,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    /// Parses `yaml` (starting at file line `first_line`). A syntax error, or a
    /// document that is not a mapping, is returned as the only diagnostic.
    pub fn parse(
        file: &'a SourceFile,
        yaml: &str,
        first_line: usize,
        what: &'static str,
    ) -> Result<Fields<'a>, Diagnostic> {
        let value =
            parse_yaml(yaml).map_err(|e| yaml_diagnostic(file, yaml, first_line, what, e))?;
        let start = Pos::new(first_line.saturating_sub(1).max(1), 1, 3);
        let map = match value {
            Value::Mapping(map) => map,
            Value::Null => Mapping::new(),
            _ => {
                return Err(file
                    .error(
                        "E0103",
                        format!("{what} must be a set of `key: value` lines"),
                        Pos::new(first_line, 1, file.line_len(first_line).max(1)),
                    )
                    .hint("write each setting on its own line as `key: value`"))
            }
        };
        Ok(Fields {
            file,
            index: KeyIndex::scan(yaml, first_line),
            map,
            start,
            what,
            diagnostics: Vec::new(),
        })
    }

    /// The front matter as data, for `site.json`.
    pub fn to_json(&self) -> serde_json::Value {
        yaml_to_json(&Value::Mapping(self.map.clone()))
    }

    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Whether a misspelling of `key` is present (already reported as unknown), so
    /// that its absence need not be reported as well.
    pub fn has_key_close_to(&self, key: &str) -> bool {
        self.map
            .keys()
            .filter_map(Value::as_str)
            .any(|k| k != key && did_you_mean(k, [key]).is_some())
    }

    fn key_pos(&self, path: &str) -> Pos {
        self.index.key(path).unwrap_or(self.start)
    }

    fn value_pos(&self, path: &str) -> Pos {
        self.index.value(path).unwrap_or(self.start)
    }

    pub fn error_at_key(
        &mut self,
        key: &str,
        code: &'static str,
        message: String,
    ) -> &mut Diagnostic {
        let pos = self.key_pos(key);
        self.diagnostics.push(self.file.error(code, message, pos));
        self.diagnostics.last_mut().expect("just pushed")
    }

    pub fn error_at_value(
        &mut self,
        path: &str,
        code: &'static str,
        message: String,
    ) -> &mut Diagnostic {
        let pos = self.value_pos(path);
        self.diagnostics.push(self.file.error(code, message, pos));
        self.diagnostics.last_mut().expect("just pushed")
    }

    pub fn pos_of_value(&self, path: &str) -> Pos {
        self.value_pos(path)
    }

    pub fn pos_of_key(&self, path: &str) -> Pos {
        self.key_pos(path)
    }

    /// Reports every key not in `allowed`, with a "did you mean" where one is close.
    pub fn deny_unknown_keys(&mut self, allowed: &[&str]) {
        let keys: Vec<Value> = self.map.keys().cloned().collect();
        for key in keys {
            let Value::String(name) = &key else {
                let pos = self.start;
                self.diagnostics.push(
                    self.file
                        .error("E0104", format!("keys of {} must be text", self.what), pos)
                        .hint("write keys as plain words, e.g. `title:`"),
                );
                continue;
            };
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let what = self.what;
            let hint = match did_you_mean(name, allowed.iter().copied()) {
                Some(close) => {
                    format!("did you mean `{close}`? (free-form data goes under `extra:`)")
                }
                None => format!(
                    "{what} keys are: {}; put free-form data under `extra:`",
                    allowed.join(", ")
                ),
            };
            let d = self.error_at_key(name, "E0104", format!("unknown key `{name}` in {what}"));
            d.label = Some("unknown key".into());
            d.hint = Some(hint);
        }
    }

    /// Reports a key of a nested mapping (`columns`, a driver, `privacy`) that is not one
    /// of `allowed`, at `path`, with a suggestion.
    pub fn unknown_nested_key(&mut self, path: &str, key: &str, allowed: &[&str], within: &str) {
        let hint = match did_you_mean(key, allowed.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("{within} takes: {}", allowed.join(", ")),
        };
        let d = self.error_at_key(path, "E0104", format!("unknown key `{key}` in {within}"));
        d.label = Some("unknown key".into());
        d.hint = Some(hint);
    }

    fn get(&self, key: &str) -> Option<&Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    fn type_error(&mut self, path: &str, expected: &str, found: &Value) {
        let what = describe(found);
        let d = self.error_at_value(
            path,
            "E0105",
            format!("`{path}` must be {expected}, found {what}"),
        );
        d.label = Some(format!("expected {expected}"));
        d.hint = Some(type_hint(path, expected, found));
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        let value = self.get(key)?.clone();
        match scalar_text(&value) {
            Some(s) => Some(s),
            None => {
                self.type_error(key, "text", &value);
                None
            }
        }
    }

    pub fn required_string(&mut self, key: &str) -> Option<String> {
        let s = self.string(key);
        if s.as_deref().is_some_and(|s| !s.trim().is_empty()) {
            return s;
        }
        if !self.map.contains_key(key) || self.get(key).is_none() {
            let pos = self.start;
            let what = self.what;
            self.diagnostics.push(
                self.file
                    .error(
                        "E0106",
                        format!("{what} is missing required key `{key}`"),
                        pos,
                    )
                    .label("in this front matter")
                    .hint(format!("add a line `{key}: …` to the front matter")),
            );
        } else if s.is_some() {
            self.error_at_value(key, "E0106", format!("`{key}` must not be empty"));
        }
        None
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        let value = self.get(key)?.clone();
        match value {
            Value::Bool(b) => Some(b),
            other => {
                self.type_error(key, "true or false", &other);
                None
            }
        }
    }

    pub fn number(&mut self, key: &str) -> Option<f64> {
        let value = self.get(key)?.clone();
        match value.as_f64() {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                self.type_error(key, "a number", &value);
                None
            }
        }
    }

    /// A whole number, 0 allowed.
    pub fn whole_number(&mut self, key: &str) -> Option<usize> {
        let value = self.get(key)?.clone();
        match value.as_u64() {
            Some(n) => Some(n as usize),
            None => {
                self.type_error(key, "a whole number (0 or more)", &value);
                None
            }
        }
    }

    pub fn positive_integer(&mut self, key: &str) -> Option<usize> {
        let value = self.get(key)?.clone();
        match value.as_u64() {
            Some(n) if n > 0 => Some(n as usize),
            _ if value.is_number() => {
                let d = self.error_at_value(
                    key,
                    "E0107",
                    format!(
                        "`{key}` must be a whole number above 0, not {}",
                        scalar_text(&value).unwrap_or_default()
                    ),
                );
                d.label = Some("expected a whole number above 0".into());
                None
            }
            _ => {
                self.type_error(key, "a whole number above 0", &value);
                None
            }
        }
    }

    /// One of `allowed`, with a "did you mean" for near misses.
    pub fn choice(&mut self, key: &str, allowed: &[&'static str]) -> Option<&'static str> {
        let text = self.string(key)?;
        if let Some(found) = allowed.iter().find(|a| **a == text) {
            return Some(found);
        }
        let hint = match did_you_mean(&text.to_lowercase(), allowed.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("use one of: {}", allowed.join(", ")),
        };
        let d = self.error_at_value(key, "E0107", format!("`{text}` is not a valid `{key}`"));
        d.label = Some(format!("expected one of {}", allowed.join(" | ")));
        d.hint = Some(hint);
        None
    }

    pub fn date(&mut self, key: &str) -> Option<(Date, Pos)> {
        let text = self.string(key)?;
        let pos = self.value_pos(key);
        match Date::parse_iso(text.trim()) {
            Ok(date) => Some((date, pos)),
            Err(message) => {
                let d =
                    self.error_at_value(key, "E0108", format!("bad date in `{key}`: {message}"));
                d.label = Some("expected YYYY-MM-DD".into());
                d.hint = Some("write dates as year-month-day, e.g. 2026-03-02".into());
                None
            }
        }
    }

    /// A list of text; a single text value is taken as a list of one.
    pub fn string_list(&mut self, key: &str) -> Vec<(String, Pos)> {
        let Some(value) = self.get(key).cloned() else {
            return Vec::new();
        };
        match value {
            Value::Sequence(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{key}[{i}]");
                    match scalar_text(item) {
                        Some(s) => out.push((s, self.value_pos(&path))),
                        None => self.type_error(&path, "text", item),
                    }
                }
                out
            }
            other => match scalar_text(&other) {
                Some(s) => vec![(s, self.value_pos(key))],
                None => {
                    self.type_error(key, "a list of text", &other);
                    Vec::new()
                }
            },
        }
    }

    pub fn refs(&mut self, key: &str) -> Vec<Ref> {
        self.string_list(key)
            .into_iter()
            .map(|(id, pos)| Ref {
                id: id.trim().to_string(),
                pos,
            })
            .collect()
    }

    pub fn single_ref(&mut self, key: &str) -> Option<Ref> {
        let id = self.string(key)?;
        Some(Ref {
            id: id.trim().to_string(),
            pos: self.value_pos(key),
        })
    }

    pub fn date_list(&mut self, key: &str) -> Vec<Date> {
        let mut out = Vec::new();
        for (text, pos) in self.string_list(key) {
            match Date::parse_period(&text) {
                Ok((date, _)) => out.push(date),
                Err(message) => {
                    let d = self
                        .file
                        .error("E0108", format!("bad date in `{key}`: {message}"), pos)
                        .label("expected a date, month or ISO week")
                        .hint("write the period as in the CSV: 2026-03-02, 2026-03 or 2026-W10");
                    self.diagnostics.push(d);
                }
            }
        }
        out
    }

    /// A free-form value, kept as data.
    pub fn json(&self, key: &str) -> Option<serde_json::Value> {
        self.get(key).map(yaml_to_json)
    }

    pub fn raw(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }

    /// A nested mapping read with the same rules (for `columns`, `drivers` items).
    pub fn sub_mapping(&mut self, path: &str, value: &Value) -> Option<Mapping> {
        match value {
            Value::Mapping(m) => Some(m.clone()),
            other => {
                self.type_error(path, "a set of `key: value` pairs", other);
                None
            }
        }
    }

    pub fn type_error_at(&mut self, path: &str, expected: &str, found: &Value) {
        self.type_error(path, expected, found);
    }

    pub fn finish(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

/// How to write a value of the expected type, in the team's terms.
fn type_hint(path: &str, expected: &str, found: &Value) -> String {
    let key = path.rsplit('.').next().unwrap_or(path);
    if expected.starts_with("a list") {
        return format!(
            "write a list, e.g. `{key}: [first, second]`, or one item per line starting with `- `"
        );
    }
    if expected == "text" && matches!(found, Value::Sequence(_)) {
        return format!("`{key}` takes one value; write it without brackets or dashes");
    }
    if expected == "text" && matches!(found, Value::Mapping(_)) {
        return "a value containing `: ` must be quoted, e.g. \"Aim: fewer falls\"".into();
    }
    if expected.starts_with("a number") || expected.starts_with("a whole number") {
        return format!("write a plain number without units or `%`, e.g. `{key}: 90`");
    }
    if expected == "true or false" {
        return format!("write `{key}: true` or `{key}: false`");
    }
    format!("write `{key}` as {expected}")
}

/// Text of a scalar: numbers and booleans are taken as written (`tags: [2026]`).
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar_text(&t.value),
        _ => None,
    }
}

pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a set of key: value pairs",
        Value::Tagged(_) => "a tagged value",
    }
}

pub fn yaml_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into()
            } else if let Some(u) = n.as_u64() {
                u.into()
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
        }
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Sequence(items) => {
            serde_json::Value::Array(items.iter().map(yaml_to_json).collect())
        }
        Value::Mapping(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (scalar_text(k).unwrap_or_default(), yaml_to_json(v)))
                .collect(),
        ),
        Value::Tagged(t) => yaml_to_json(&t.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn indexes_nested_keys_and_items() {
        let yaml = "title: Aim\ndrivers:\n  - id: a\n    title: A\n    secondary:\n      - id: s1\n        title: S1\n  - id: b\ntags: [x, yy]\n";
        let index = KeyIndex::scan(yaml, 2);
        assert_eq!(index.key("title"), Some(Pos::new(2, 1, 5)));
        assert_eq!(index.key("drivers[0].id"), Some(Pos::new(4, 5, 2)));
        assert_eq!(
            index.value("drivers[0].secondary[0].id"),
            Some(Pos::new(7, 13, 2))
        );
        assert_eq!(index.key("drivers[1].id"), Some(Pos::new(9, 5, 2)));
        assert_eq!(index.value("tags[1]"), Some(Pos::new(10, 11, 2)));
        // Unknown deeper paths fall back to the nearest known ancestor.
        assert_eq!(index.key("drivers[1].title"), Some(Pos::new(9, 3, 1)));
    }

    #[test]
    fn indexes_sequences_at_the_parent_indent_and_skips_block_scalars() {
        let yaml = "measures:\n- a\n- b\ndefinition: |\n  numerator: x\nstatus: done\n";
        let index = KeyIndex::scan(yaml, 1);
        assert_eq!(index.value("measures[1]"), Some(Pos::new(3, 3, 1)));
        assert_eq!(index.key("status"), Some(Pos::new(6, 1, 6)));
        assert!(!index.places.contains_key("definition.numerator"));
    }

    #[test]
    fn typed_reads_collect_every_problem() {
        let text = "---\ntitle: T\nstauts: done\nstarted: 2026-02-30\nstatus: finished\ntags: {a: 1}\n---\n";
        let file = SourceFile::new(PathBuf::from("cycles/c.md"), text.into());
        let split = file.split_front_matter().unwrap();
        let mut f =
            Fields::parse(&file, split.front_matter, split.front_matter_line, "cycle").unwrap();
        f.deny_unknown_keys(&["title", "status", "started", "tags"]);
        assert!(f.date("started").is_none());
        assert!(f.choice("status", &["planned", "done"]).is_none());
        assert!(f.string_list("tags").is_empty());
        let d = f.finish();
        let summary: Vec<_> = d.iter().map(|d| (d.code, d.line, d.column)).collect();
        assert_eq!(
            summary,
            [
                ("E0104", 3, 1),
                ("E0108", 4, 10),
                ("E0107", 5, 9),
                ("E0105", 6, 7)
            ]
        );
        assert_eq!(
            d[0].hint.as_deref(),
            Some("did you mean `status`? (free-form data goes under `extra:`)")
        );
    }

    #[test]
    fn yaml_syntax_errors_point_into_the_file() {
        let text = "---\ntitle: T\nstatus: [done\n---\n";
        let file = SourceFile::new(PathBuf::from("cycles/c.md"), text.into());
        let split = file.split_front_matter().unwrap();
        let err = Fields::parse(&file, split.front_matter, split.front_matter_line, "cycle")
            .err()
            .unwrap();
        assert_eq!(err.code, "E0102");
        assert!(err.line >= 3, "line {}", err.line);
        assert!(!err.message.contains(" at line "), "{}", err.message);
    }
}
