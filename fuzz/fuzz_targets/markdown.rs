//! Markdown bodies: `scan_links` and `render_with_charts`, with a resolver that knows a
//! few ids and files and an embedder that draws a small SVG. The first byte picks
//! trusted or untrusted HTML; untrusted output must carry nothing that runs.
#![no_main]

use cyclebook::render::markdown::{
    render_with_charts, scan_links, ChartBlock, LinkTarget, Resolved,
};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fn resolve(target: &LinkTarget) -> Option<Resolved> {
    match target {
        LinkTarget::Wiki { id, fragment } if id.len() % 2 == 0 || id == "falls-huddle-1" => {
            Some(Resolved {
                href: format!(
                    "../../cycles/{}/{}",
                    cyclebook::content::slugify(id),
                    fragment
                        .as_ref()
                        .map(|f| format!("#{}", cyclebook::content::slugify(f)))
                        .unwrap_or_default()
                ),
                title: format!("Title of {id}"),
            })
        }
        LinkTarget::File { path, .. } if path.starts_with("cycles") => Some(Resolved {
            href: "../../cycles/falls-huddle-1/".into(),
            title: "Falls huddle".into(),
        }),
        LinkTarget::Asset { path, .. } if path.starts_with("static") => Some(Resolved {
            href: "../../plan.pdf".into(),
            title: String::new(),
        }),
        _ => None,
    }
}

fn embed(block: &ChartBlock) -> Option<String> {
    (block.measure.len() % 3 != 0).then(|| {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>".to_string()
    })
}

/// Decodes the few entities html5ever writes in attribute values, and any numeric ones.
fn decode(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "nbsp" => Some('\u{a0}'),
            "colon" => Some(':'),
            "Tab" => Some('\t'),
            "NewLine" => Some('\n'),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every (tag, attribute name, decoded value) in serialized HTML. Text escapes `<`, so
/// each `<` starts a tag; values are double-quoted with `"` escaped.
fn attributes(html: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
            i += 1;
        }
        let tag = html[name_start..i].to_ascii_lowercase();
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i += 1;
                break;
            }
            let a = i;
            while i < bytes.len()
                && !bytes[i].is_ascii_whitespace()
                && !matches!(bytes[i], b'=' | b'>')
            {
                i += 1;
            }
            let attr = html[a..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                if i < bytes.len() && bytes[i] == b'"' {
                    i += 1;
                    let v = i;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += 1;
                    }
                    value = decode(&html[v..i.min(bytes.len())]);
                    i += 1;
                } else {
                    let v = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = decode(&html[v..i]);
                }
            }
            found.push((tag.clone(), attr, value));
        }
    }
    found
}

fn check_safe(body: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script", "<iframe", "<object", "<embed", "<style", "<form", "<meta", "<base", "<link",
    ] {
        assert!(
            !lower.contains(bad),
            "untrusted output contains `{bad}`\nbody: {body:?}\nhtml: {html}"
        );
    }
    for (tag, attr, value) in attributes(html) {
        assert!(
            !attr.starts_with("on"),
            "untrusted output has an event handler <{tag} {attr}=\"{value}\">\nbody: {body:?}\nhtml: {html}"
        );
        // As a browser's URL parser reads it: leading and trailing C0 controls and spaces
        // trimmed, tabs and newlines removed everywhere (other controls stay, and make
        // the scheme invalid).
        let squeezed: String = value
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect::<String>()
            .to_ascii_lowercase();
        if matches!(
            attr.as_str(),
            "href" | "src" | "action" | "formaction" | "xlink:href" | "data" | "poster" | "cite"
        ) {
            assert!(
                !squeezed.starts_with("javascript:") && !squeezed.starts_with("vbscript:") && !squeezed.starts_with("data:text/html"),
                "untrusted output has a script URL <{tag} {attr}=\"{value}\">\nbody: {body:?}\nhtml: {html}"
            );
        }
        if attr == "style" {
            assert!(
                !squeezed.contains("url(") && !squeezed.contains("expression("),
                "untrusted output has an active style <{tag} style=\"{value}\">\nbody: {body:?}\nhtml: {html}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(rest);
    let trusted = flags & 1 == 1;
    let source = if flags & 2 == 0 {
        Path::new("notes/fuzz-note.md")
    } else {
        Path::new("cycles/deep/fuzz-cycle.md")
    };
    let body_line = 1 + (flags as usize >> 2);
    for link in scan_links(&body, body_line, source) {
        assert!(link.pos.line >= body_line, "{link:?}");
        assert!(link.pos.col >= 1, "{link:?}");
    }
    let rendered = render_with_charts(&body, source, trusted, &resolve, &embed);
    for h in &rendered.headings {
        assert!((1..=6).contains(&h.level));
        assert!(!h.id.is_empty());
    }
    // Heading ids are unique on the page (a numbered `plan-1` once collided with a
    // heading titled `Plan 1` or written `{#plan-1}`: see tests/fuzz_regressions.rs).
    let mut ids = std::collections::HashSet::new();
    for h in &rendered.headings {
        assert!(
            ids.insert(h.id.as_str()),
            "heading id `{}` used twice: {:?}",
            h.id,
            rendered.headings
        );
    }
    if !trusted {
        check_safe(&body, &rendered.html);
    }
});
