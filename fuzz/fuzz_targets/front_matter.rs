//! Front matter of every item kind: split at the `---` fences, parse the YAML, then run
//! the same typed readers `content::read_item` runs, and render every diagnostic (their
//! positions index into the text). The whole input is also read as a `cyclebook.yml`.
#![no_main]

use cyclebook::config::Config;
use cyclebook::content::frontmatter::Fields;
use cyclebook::content::items::{self, Kind};
use cyclebook::content::slugify;
use cyclebook::content::source::SourceFile;
use cyclebook::diagnostics::Diagnostic;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fn read_item(kind: Kind, file: &SourceFile) -> Vec<Diagnostic> {
    let split = match file.split_front_matter() {
        Ok(s) => s,
        Err(d) => return vec![d],
    };
    assert!(split.body_line >= 2, "the body starts after the fences");
    let mut fields = match Fields::parse(
        file,
        split.front_matter,
        split.front_matter_line,
        "fuzz front matter",
    ) {
        Ok(f) => f,
        Err(d) => return vec![d],
    };
    fields.deny_unknown_keys(items::allowed_keys(kind));
    let _title = fields.required_string("title");
    let _summary = fields.string("summary");
    // content::read_tags (private): string_list + slugify.
    for (tag, _pos) in fields.string_list("tags") {
        let _ = slugify(tag.trim());
    }
    match kind {
        Kind::Cycle => {
            let _ = items::read_cycle(&mut fields);
        }
        Kind::Note => {
            let _ = items::read_note(&mut fields);
        }
        Kind::Measure => {
            let m = items::read_measure(&mut fields, PathBuf::from("measures/fuzz.csv"));
            // The load stage checks settings against the CSV when there is one.
            items::check_settings_against_data(&mut fields, &m);
        }
        Kind::Change => {
            let _ = items::read_change(&mut fields);
        }
        Kind::Aim => {
            let _ = items::read_aim(&mut fields);
        }
    }
    let _json = fields.to_json();
    fields.finish()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    for kind in Kind::ALL {
        let path = PathBuf::from(format!("{}/fuzz-item.md", kind.folder()));
        let file = SourceFile::new(path, text.clone());
        for d in read_item(kind, &file) {
            let _ = d.render_human();
        }
    }
    let config = SourceFile::new(PathBuf::from("cyclebook.yml"), text);
    let (_config, diagnostics) = Config::parse(&config);
    for d in &diagnostics {
        let _ = d.render_human();
    }
    let _ = cyclebook::diagnostics::render_json(&diagnostics);
});
