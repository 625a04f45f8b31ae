//! Bodies without raw HTML skip the sanitizer's re-parse; the pages must not change.
//! The project's own Markdown (README, docs, example site, fixtures) is rendered as it
//! is and with an HTML comment after it, which sends it through the sanitizer.

use cyclebook::render::markdown::{render, LinkTarget, Resolved};
use std::path::{Path, PathBuf};

fn resolver(target: &LinkTarget) -> Option<Resolved> {
    match target {
        LinkTarget::Wiki { id, .. } if id.len() % 2 == 0 => Some(Resolved {
            href: format!("../../{id}/"),
            title: format!("Title of {id} & \"more\""),
        }),
        _ => None,
    }
}

fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            markdown_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
}

#[test]
fn the_projects_markdown_renders_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for dir in ["docs", "example-site", "tests/fixtures"] {
        markdown_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "{files:?}");
    let mut texts: Vec<(String, String)> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("UTF-8");
            (f.display().to_string(), text)
        })
        .collect();
    // What those lack: forms that html5ever writes back differently.
    texts.push((
        "written here".into(),
        "a  \nb\\\nc\n\n---\n\n![i 'q' \"d\"](p.png \"t\") [[ab]] [[abc]]\n\n| a | b |\n|:-:|--:|\n| &nbsp; | \"q\" |\n".into(),
    ));
    for (file, text) in texts {
        let body = match text
            .strip_prefix("---\n")
            .and_then(|t| t.split_once("\n---\n"))
        {
            Some((_, body)) => body,
            None => text.as_str(),
        };
        let source = Path::new("notes/n.md");
        let plain = render(body, source, false, &resolver).html;
        let commented = format!("{body}\n\n<!-- sends the body to the sanitizer -->\n");
        let sanitized = render(&commented, source, false, &resolver).html;
        // The sanitizer drops the comment and keeps the line end after it.
        assert_eq!(format!("{plain}\n"), sanitized, "{file}");
    }
}

#[test]
fn links_that_run_code_are_removed_without_raw_html_too() {
    let body = "[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) ![d](javascript:y) <javascript:z> [e](https://example.org/)";
    let html = render(body, Path::new("n.md"), false, &resolver).html;
    assert_eq!(
        html,
        "<p><a>a</a> <a>b</a> <a>c</a> <img alt=\"d\"> <a>javascript:z</a> <a href=\"https://example.org/\">e</a></p>\n"
    );
}
