//! Front matter in the common subset skips serde_yaml (see src/content/quick_yaml.rs);
//! the values must not change. Every front matter and YAML file of the project (docs,
//! example site, fixtures, test data) is parsed both ways, with variants of each that
//! leave the subset or stay in it.

use cyclebook::content::frontmatter::parse_yaml;
use std::path::{Path, PathBuf};

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, found);
        } else if path
            .extension()
            .is_some_and(|e| e == "md" || e == "yml" || e == "yaml")
        {
            found.push(path);
        }
    }
}

/// The YAML of a file: a Markdown file's front matter, or a YAML file whole.
fn yaml_of(path: &Path, text: &str) -> Option<String> {
    if path.extension().is_some_and(|e| e != "md") {
        return Some(text.to_string());
    }
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---")?;
    Some(rest[..end + 1].to_string())
}

#[test]
fn front_matter_parses_to_the_values_serde_yaml_gives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in ["docs", "example-site", "tests/fixtures", "tests/data"] {
        files(&root.join(dir), &mut found);
    }
    let mut yamls: Vec<(String, String)> = found
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            Some((f.display().to_string(), yaml_of(f, &text)?))
        })
        .collect();
    assert!(yamls.len() > 40, "{} files", yamls.len());
    // Each with a comment line, an extra plain and quoted key, a trailing comment and
    // an indented continuation: in and out of the subset.
    let variants: Vec<(String, String)> = yamls
        .iter()
        .flat_map(|(file, yaml)| {
            [
                format!("# first\n{yaml}"),
                format!(
                    "{yaml}zz_plain: 2025-01-08\nzz_quoted: \"a: b\"\nzz_list: [x, \"y z\", 3]\n"
                ),
                format!("{yaml}zz_comment: value # comment\n"),
                format!("{yaml}zz_folded: one\n  two\n"),
                yaml.replace("\n", "\n\n"),
            ]
            .map(|v| (format!("{file} (variant)"), v))
        })
        .collect();
    yamls.extend(variants);
    let mut compared = 0;
    for (file, yaml) in &yamls {
        let expected = serde_yaml::from_str::<serde_yaml::Value>(yaml);
        let got = parse_yaml(yaml);
        match (expected, got) {
            (Ok(expected), Ok(got)) => {
                assert_eq!(got, expected, "{file}:\n{yaml}");
                compared += 1;
            }
            (Err(_), Err(_)) => {}
            (expected, got) => panic!("{file}: serde_yaml {expected:?}, cyclebook {got:?}\n{yaml}"),
        }
    }
    assert!(compared > 200, "{compared} compared");
}
