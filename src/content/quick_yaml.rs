//! A fast path for the YAML that front matter is nearly always written in: a block
//! mapping of keys to scalars, one-line flow sequences (`tags: [a, b]`), block
//! sequences of scalars and one level of nested mapping (`extra:`). It gives the very
//! value serde_yaml would, or `None` for anything else (anchors, block scalars, escapes,
//! comments after values, plain scalars over several lines, deeper nesting, anything
//! malformed), which then goes to serde_yaml: errors are always serde_yaml's.
//!
//! libyaml took ~290 instructions a byte, about 8% of a 10,000-item build; the fast
//! path reads each line once.

use serde_yaml::{Mapping, Number, Value};

/// The value of `yaml` if it is in the subset, else `None`.
pub fn parse(yaml: &str) -> Option<Value> {
    // Tabs, carriage returns and characters YAML does not allow (serde_yaml's errors).
    let unusual = |c: char| {
        (c.is_control() && c != '\n') || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}')
    };
    if yaml.contains(unusual) {
        return None;
    }
    let mut lines = yaml
        .split('\n')
        .filter(|line| {
            let content = line.trim_start_matches(' ');
            !content.is_empty() && !content.starts_with('#')
        })
        .peekable();
    let mut root = Mapping::new();
    while let Some(line) = lines.next() {
        if line.starts_with(' ') {
            return None;
        }
        let (key, rest) = key_and_rest(line)?;
        let value = if rest.is_empty() {
            // A nested block, if the next line is indented; else null.
            match lines.peek() {
                Some(next) if next.starts_with(' ') => {
                    let indent = next.len() - next.trim_start_matches(' ').len();
                    let mut block = Vec::new();
                    while let Some(next) = lines.next_if(|l| l.starts_with(' ')) {
                        if next.len() - next.trim_start_matches(' ').len() != indent {
                            return None;
                        }
                        block.push(&next[indent..]);
                    }
                    nested_block(&block)?
                }
                _ => Value::Null,
            }
        } else {
            inline_value(rest)?
        };
        if root.insert(Value::String(key.to_string()), value).is_some() {
            // A duplicate key: serde_yaml's error.
            return None;
        }
    }
    // Only comments: serde_yaml reads no document at all.
    (!root.is_empty()).then_some(Value::Mapping(root))
}

/// `key: rest` with a plain key that resolves to a string: the key, and the rest
/// without its surrounding spaces.
fn key_and_rest(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    let after = &line[colon + 1..];
    let key_ok = key.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !is_null_or_bool(key)
        // libyaml's limit on a simple key.
        && key.len() < 1024;
    if !key_ok || !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((key, after.trim_matches(' ')))
}

/// The lines of a nested block (indentation removed): a sequence of scalars or a
/// mapping of keys to inline values.
fn nested_block(block: &[&str]) -> Option<Value> {
    if block[0].starts_with('-') {
        let mut items = Vec::with_capacity(block.len());
        for line in block {
            // `- key: value` (a mapping in the sequence), `- ` (a nested block) and
            // `- - x` are not scalars: `inline_value` refuses them.
            let item = line.strip_prefix("- ")?.trim_matches(' ');
            items.push(inline_value(item)?);
        }
        Some(Value::Sequence(items))
    } else {
        let mut map = Mapping::new();
        for line in block {
            let (key, rest) = key_and_rest(line)?;
            if rest.is_empty() {
                return None;
            }
            if map
                .insert(Value::String(key.to_string()), inline_value(rest)?)
                .is_some()
            {
                return None;
            }
        }
        Some(Value::Mapping(map))
    }
}

/// A value written on the rest of a line: a quoted string, a flow sequence of scalars,
/// or a plain scalar.
fn inline_value(text: &str) -> Option<Value> {
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        if inner.trim_matches(' ').is_empty() {
            return Some(Value::Sequence(Vec::new()));
        }
        return inner
            .split(',')
            .map(|item| {
                let item = item.trim_matches(' ');
                if item.starts_with('"') {
                    quoted(item)
                } else if item.contains(['[', ']', '{', '}']) {
                    None
                } else {
                    plain(item)
                }
            })
            .collect::<Option<Vec<Value>>>()
            .map(Value::Sequence);
    }
    if text.starts_with('"') {
        return quoted(text);
    }
    plain(text)
}

/// A double-quoted string with no escapes, and nothing after its closing quote.
fn quoted(text: &str) -> Option<Value> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains(['"', '\\']) {
        return None;
    }
    Some(Value::String(inner.to_string()))
}

/// A plain scalar on one line, resolved as serde_yaml resolves it (null, bool, integer,
/// float or string), for the forms whose resolution is certain.
fn plain(text: &str) -> Option<Value> {
    let first = *text.as_bytes().first()?;
    if is_null_or_bool(text) {
        return Some(match text {
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            _ => Value::Null,
        });
    }
    // Indicators that start something else (`- `, `? `, `[`, `{`, `&`, `*`, `!`, `|`,
    // `>`, quotes, `%`, `@`, backtick), a comment, or a `: ` that YAML rejects.
    if !(first.is_ascii_alphanumeric() || first == b'_' || first == b'(')
        || text.contains(" #")
        || text.contains(": ")
        || text.ends_with(':')
    {
        return None;
    }
    if first.is_ascii_alphabetic() || first == b'_' || first == b'(' {
        // Not an integer, and a float only as `inf`, `infinity` or `nan` in some case,
        // which serde_yaml reads as strings (it takes finite floats only).
        return Some(Value::String(text.to_string()));
    }
    let digits = text.bytes().all(|b| b.is_ascii_digit());
    if digits {
        // YAML 1.2: leading zeros make a string (serde_yaml's digits_but_not_number).
        if text.len() > 1 && first == b'0' {
            return Some(Value::String(text.to_string()));
        }
        return text
            .parse::<u64>()
            .ok()
            .map(|n| Value::Number(Number::from(n)));
    }
    if let Some((whole, fraction)) = text.split_once('.') {
        let decimal = !whole.is_empty()
            && !fraction.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit());
        return decimal
            .then(|| text.parse::<f64>().ok())
            .flatten()
            .map(|f| Value::Number(Number::from(f)));
    }
    // A date or a range (`2025-01-08`, `3-4`): digits and inner hyphens parse as
    // neither integer nor float.
    let dated = text.bytes().all(|b| b.is_ascii_digit() || b == b'-') && !text.ends_with('-');
    dated.then(|| Value::String(text.to_string()))
}

fn is_null_or_bool(text: &str) -> bool {
    matches!(
        text,
        "null" | "Null" | "NULL" | "~" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path agrees with serde_yaml wherever it answers.
    fn agrees(yaml: &str) -> bool {
        match parse(yaml) {
            Some(fast) => {
                let slow: Value = serde_yaml::from_str(yaml).expect("serde_yaml parses it");
                assert_eq!(fast, slow, "{yaml}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn front_matter_as_written_takes_the_fast_path() {
        let cycle = r#"title: "Removal protocol, test 5: every shift"
change: removal-protocol-c307
status: done
started: 2024-11-29
ended: 2024-12-30
decision: abandon
predictions:
  - "There will be no more than 2 infections during the test."
  - Staff will rate it workable
measures: [catheter-days-i-m67]
team: ["nurse in charge", "outreach nurse", physio]
tags: []
# a comment line

summary: "The removal protocol on every shift. Decision: abandon."
extra:
  source: synthetic
  refreshed: weekly
  weeks: 12
target: 9.1
baseline: 0
zip: 007
flag: true
off: False
nothing: ~
empty:
url: https://example.nhs.uk/a?b=c
"#;
        assert!(agrees(cycle));
        let value = parse(cycle).unwrap();
        assert_eq!(value["target"], Value::Number(Number::from(9.1)));
        assert_eq!(value["zip"], Value::String("007".into()));
        assert_eq!(value["empty"], Value::Null);
        assert_eq!(
            value["predictions"][1],
            Value::String("Staff will rate it workable".into())
        );
    }

    #[test]
    fn scalars_resolve_as_serde_yaml_resolves_them() {
        for scalar in [
            "12",
            "0",
            "00",
            "0123",
            "1.5",
            "01.50",
            "10.0",
            "2025-01-08",
            "3-4",
            "inf",
            "Infinity",
            "nan",
            "NaN",
            "yes",
            "no",
            "on",
            "None",
            "null",
            "NULL",
            "~",
            "True",
            "FALSE",
            "word",
            "two words",
            "(aside)",
            "_private",
            "a:b",
            "a#b",
            "18446744073709551615",
        ] {
            let yaml = format!("key: {scalar}\nlist: [{scalar}, x]\nblock:\n  - {scalar}\n");
            assert!(agrees(&yaml), "{scalar} should take the fast path");
        }
    }

    #[test]
    fn anything_else_is_left_to_serde_yaml() {
        for yaml in [
            "key: |\n  literal\n",
            "key: >\n  folded\n",
            "key: &a value\nother: *a\n",
            "key: !tag value\n",
            "key: \"esc\\\"aped\"\n",
            "key: 'single'\n",
            "key: value # comment\n",
            "key: \"quoted\" # comment\n",
            "key: one: two\n",
            "key: plain\n  continued\n",
            "key: [a, [b]]\n",
            "key: [a,\n  b]\n",
            "key: {a: 1}\n",
            "key: -5\n",
            "key: +5\n",
            "key: .5\n",
            "key: 1e3\n",
            "key: 0x1F\n",
            "key: 18446744073709551616\n",
            "key: 1.\n",
            "dup: 1\ndup: 2\n",
            "nested:\n  - id: x\n    title: y\n",
            "nested:\n  deeper:\n    x: 1\n",
            "nested:\n  - a\n   - b\n",
            "nested:\n  - \n",
            "nested:\n  - - x\n",
            "nested:\n  - id: x\n",
            "nested:\n  - id:\n",
            "true: x\n",
            "1: x\n",
            "\"quoted key\": x\n",
            "key:value\n",
            " indented: x\n",
            "key: x\r\n",
            "key:\tx\n",
            "- a\n- b\n",
            "---\nkey: x\n",
            "key: @x\n",
            "key: `x`\n",
            "key: %x\n",
            "key: bell\u{7}\n",
            "# only a comment\n",
        ] {
            assert_eq!(parse(yaml), None, "{yaml:?}");
        }
    }
}
