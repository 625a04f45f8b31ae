//! Site search: a full-text index of the cycles, notes, measures, change ideas and aims,
//! written as many small JSON files under `search/` that `search.js` fetches as a query needs.
//!
//! # Why our own index, not pagefind
//!
//! The `pagefind` crate indexes the *built HTML*: it would parse every page again on every
//! build, inside a tokio runtime, and it cannot update its index incrementally, so each
//! save under `serve` would re-index the whole site. Everything search needs is already
//! in the resolved [`Library`] (titles, summaries, tags, bodies, front matter), so we index
//! that directly: no second parse of the output, no async runtime. The work is in two
//! steps: [`item_terms`] (an item's words and weights; it depends on the item's file alone,
//! so it could be kept by `item.source.revision` between rebuilds, and runs in parallel),
//! then [`Index::assemble`] (postings, shards, chunks). On a 10,000-item site the two take
//! about 0.35 s and 0.2 s; the unit reads every item, so `serve` runs both on each edit.
//!
//! # Ranking
//!
//! A word's weight in an item is the sum over fields of `weight × occurrences` (capped):
//! title 10 (once), tags 6 (once), summary 4 (once), front matter 2 (twice: predictions,
//! team, definition, unit, drivers), body 1 (five times), id 1 (once). `search.js` scores
//! an item by the sum over the query's words of weight × ln(1 + documents / documents
//! with the word), a longer word found by its start counting 0.6 of that.
//!
//! # The files
//!
//! Documents are numbered by their place in the library (sorted by kind, then id), so
//! each kind is one range of numbers.
//!
//! - `search/meta.json`: the number of documents, the kinds with their ranges, the shard
//!   keys, the chunk size, the word rules (stop words, folds, limits) and the filter
//!   vocabularies (tags, cycle statuses, teams, with counts). Read first, once.
//! - `search/shards/<key>.json`: `{"term": [doc, weight, Δdoc, weight, …], …}`, the
//!   postings of every term that starts with `key` (doc numbers delta-encoded, ascending).
//!   Keys start as the first character of a term; a shard over [`SHARD_LIMIT`] bytes is
//!   split by one more character, the small parts folding back into the shorter key. A
//!   term's shard is the longest key that is a prefix of it. (`key` is written as is when
//!   it is lowercase ASCII letters and digits, else as `x-` and the hex of its UTF-8
//!   bytes.) A single word's postings are never split, so one very common word can make
//!   a shard larger than the limit.
//! - `search/docs/<n>.json`: documents `n × chunk … n × chunk + chunk − 1`, each
//!   `[title, url, summary, date, status]` (url relative to the site root; null when
//!   absent), so twenty results fetch at most twenty small files.
//! - `search/filters/{tag,status,team}/<slug>.json`: the documents with that tag, cycle
//!   status or team member (`[doc, Δdoc, …]`), fetched only when that filter is used.
//!
//! # Words
//!
//! Text is lowercased, decomposed (NFD) with its combining marks dropped (so `é` is `e`),
//! a few letters without a decomposition folded (`ß` → `ss`, `ø` → `o`, …), and split at
//! every character that is not a letter or digit. Words are cut to [`MAX_TERM_CHARS`];
//! single letters and [`STOP_WORDS`] are dropped (single digits stay: "ward 7").
//! `search.js` applies the same rules, reading the lists from `meta.json`.

use super::incremental::{self, Dep, SearchTerms};
use super::Output;
use crate::content::items::{CycleStatus, Details, Item, Kind, NoteKind};
use crate::hash::FastMap;
use crate::resolve::Library;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Declares the stop-word list and a test for it (a `match`, compiled to a few compares).
macro_rules! stop_words {
    ($($word:literal)+) => {
        /// Words too common to be worth a posting list (a short English list).
        pub const STOP_WORDS: &[&str] = &[$($word),+];
        fn is_stop_word(word: &str) -> bool {
            matches!(word, $($word)|+)
        }
    };
}

stop_words! {
    "a" "about" "an" "and" "are" "as" "at" "be" "been" "but" "by" "can" "did" "do" "does"
    "for" "from" "had" "has" "have" "he" "her" "his" "i" "if" "in" "into" "is" "it" "its"
    "me" "my" "of" "on" "or" "our" "she" "so" "than" "that" "the" "their" "them" "then"
    "there" "these" "they" "this" "those" "to" "us" "was" "we" "were" "what" "when" "where"
    "which" "while" "who" "will" "with" "would" "you" "your"
}

/// Letters that NFD does not decompose, and what they are searched as.
const FOLDS: &[(char, &str)] = &[
    ('ß', "ss"),
    ('æ', "ae"),
    ('œ', "oe"),
    ('ø', "o"),
    ('đ', "d"),
    ('ð', "d"),
    ('ħ', "h"),
    ('ı', "i"),
    ('ł', "l"),
    ('þ', "th"),
    ('ς', "σ"),
];

/// Longer words are cut to this many characters (in the index and in queries).
pub const MAX_TERM_CHARS: usize = 32;
/// The last word of a query is matched as a prefix once it has this many characters.
pub const PREFIX_MIN_CHARS: usize = 3;
/// A shard larger than this (in bytes) is split by one more character of its key, unless
/// it is a single term.
pub const SHARD_LIMIT: usize = 32 * 1024;
/// Documents per `docs/<n>.json` file.
pub const DOCS_PER_CHUNK: usize = 8;
/// The longest snippet taken from a body (in characters).
const SNIPPET_CHARS: usize = 160;

/// How much a word weighs in each field, and how many of its occurrences there count.
#[derive(Clone, Copy)]
struct Field {
    weight: u32,
    most: u32,
}

const TITLE: Field = Field {
    weight: 10,
    most: 1,
};
const TAGS: Field = Field { weight: 6, most: 1 };
const SUMMARY: Field = Field { weight: 4, most: 1 };
/// Front matter worth finding: a cycle's predictions and team, a measure's definition and
/// unit, an aim's drivers.
const DETAILS: Field = Field { weight: 2, most: 2 };
const BODY: Field = Field { weight: 1, most: 5 };
const ID: Field = Field { weight: 1, most: 1 };
const FIELDS: [Field; 6] = [TITLE, TAGS, SUMMARY, DETAILS, BODY, ID];

/// Calls `each` with every searchable word of `text`, in order (see the module doc).
pub fn words(text: &str, mut each: impl FnMut(&str)) {
    let mut word = String::new();
    let mut chars = 0usize;
    let mut flush = |word: &mut String, chars: &mut usize| {
        if *chars > 0 && keep(word, *chars) {
            each(word);
        }
        word.clear();
        *chars = 0;
    };
    let push = |word: &mut String, chars: &mut usize, c: char| {
        if *chars < MAX_TERM_CHARS {
            word.push(c);
            *chars += 1;
        }
    };
    for c in text.chars() {
        // ASCII needs neither decomposing nor folding: the common case, made fast.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                push(&mut word, &mut chars, c.to_ascii_lowercase());
            } else {
                flush(&mut word, &mut chars);
            }
            continue;
        }
        // Lowercasing and decomposing one character at a time gives the same letters
        // as doing so to the whole text (only combining marks, dropped here, move).
        for d in c.to_lowercase().nfd() {
            if is_combining_mark(d) {
                continue;
            }
            if !d.is_alphanumeric() {
                flush(&mut word, &mut chars);
                continue;
            }
            match FOLDS.iter().find(|(from, _)| *from == d) {
                Some((_, to)) => to.chars().for_each(|f| push(&mut word, &mut chars, f)),
                None => push(&mut word, &mut chars, d),
            }
        }
    }
    flush(&mut word, &mut chars);
}

fn keep(word: &str, chars: usize) -> bool {
    if chars == 1 && !word.chars().all(char::is_numeric) {
        return false;
    }
    !is_stop_word(word)
}

/// A Markdown body as plain text (chart blocks and raw HTML left out), and its first
/// paragraph with spaces collapsed.
pub fn plain_text(body: &str) -> (String, String) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_WIKILINKS;
    let mut text = String::with_capacity(body.len());
    let mut first = String::new();
    let mut in_chart = false;
    let mut paragraphs = 0usize;
    let mut in_paragraph = false;
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if lang.trim() == "chart" => {
                in_chart = true
            }
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::CodeBlock) => {
                in_chart = false;
                text.push('\n');
            }
            Event::End(TagEnd::Paragraph) => {
                in_paragraph = false;
                paragraphs += 1;
                text.push('\n');
            }
            Event::Text(t) | Event::Code(t) if !in_chart => {
                text.push_str(&t);
                if in_paragraph && paragraphs == 0 {
                    first.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                text.push(' ');
                if in_paragraph && paragraphs == 0 {
                    first.push(' ');
                }
            }
            // Block ends part words; inline ones (emphasis, links) do not.
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
                | TagEnd::Superscript
                | TagEnd::Subscript,
            ) => {}
            Event::End(_) => text.push('\n'),
            _ => {}
        }
    }
    (text, first.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `text` cut to at most [`SNIPPET_CHARS`] characters at a space, with `…` if cut.
fn snippet(text: &str) -> String {
    if text.chars().count() <= SNIPPET_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(SNIPPET_CHARS).collect();
    let at = cut
        .rfind(' ')
        .filter(|i| *i > SNIPPET_CHARS / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ':', '.', ' ']))
}

/// The searchable words of one item with their weights, sorted by word. Depends only on
/// the item's own file, so a caller may keep it while `item.source.revision` holds.
pub fn item_terms(item: &Item) -> Vec<(String, u32)> {
    // Each word once, with how often it occurs in each field (in the order of FIELDS).
    let mut counts: FastMap<String, [u32; 6]> = FastMap::default();
    let mut add = |text: &str, field: usize| {
        words(text, |w| match counts.get_mut(w) {
            Some(n) => n[field] += 1,
            None => {
                let mut n = [0; 6];
                n[field] = 1;
                counts.insert(w.to_string(), n);
            }
        });
    };
    add(&item.title, 0);
    for tag in &item.tags {
        add(tag, 1);
    }
    if let Some(summary) = &item.summary {
        add(summary, 2);
    }
    match &item.details {
        Details::Cycle(c) => c.predictions.iter().chain(&c.team).for_each(|t| add(t, 3)),
        Details::Measure(m) => m.definition.iter().chain(&m.unit).for_each(|t| add(t, 3)),
        Details::Aim(a) => a
            .drivers
            .iter()
            .flat_map(|p| std::iter::once(&p.driver).chain(&p.secondary))
            .for_each(|d| add(&d.title, 3)),
        Details::Note(_) | Details::Change(_) => {}
    }
    add(&plain_text(&item.body).0, 4);
    add(&item.id, 5);
    let mut terms: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(w, n)| {
            let score = FIELDS
                .iter()
                .zip(n)
                .map(|(field, n)| field.weight * n.min(field.most))
                .sum();
            (w, score)
        })
        .collect();
    terms.sort_unstable();
    terms
}

#[derive(Serialize)]
struct KindEntry {
    kind: &'static str,
    label: &'static str,
    href: String,
    first: usize,
    count: usize,
}

#[derive(Serialize)]
struct Vocabulary {
    name: String,
    slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
    count: usize,
    #[serde(skip)]
    docs: Vec<usize>,
}

fn capitalized(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What a result shows of item `i`: `[title, url, summary, date, status]`.
fn doc_record(item: &Item) -> Value {
    let date = match &item.details {
        Details::Cycle(c) => c.started.map(|d| d.display()),
        Details::Note(n) => n.date.map(|d| d.display()),
        Details::Aim(a) => a.by.map(|d| format!("by {}", d.display())),
        Details::Measure(_) | Details::Change(_) => None,
    };
    let status = match &item.details {
        Details::Cycle(c) => Some(c.status.label().to_string()),
        Details::Change(c) => c.status.map(|s| capitalized(s.as_str())),
        Details::Note(n) => (n.kind == NoteKind::Lesson).then(|| "Lesson".to_string()),
        Details::Measure(m) => m
            .measure_kind
            .map(|k| format!("{} measure", capitalized(k.as_str()))),
        Details::Aim(_) => None,
    };
    let summary = match &item.summary {
        Some(s) => Some(snippet(s.trim())),
        None => Some(snippet(&plain_text(&item.body).1)).filter(|s| !s.is_empty()),
    };
    json!([item.title, item.href(), summary, date, status])
}

/// A shard file's name for its key.
pub fn shard_file(key: &str) -> String {
    if key
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        key.to_string()
    } else {
        let mut name = String::from("x-");
        for b in key.bytes() {
            let _ = write!(name, "{b:02x}");
        }
        name
    }
}

/// The first `n` characters of `s` (all of it when shorter).
fn prefix(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// Splits the terms (sorted, each with its serialized postings) into shards: see the
/// module doc. Returns each shard's key and the indices of its terms, in term order.
fn shards(entries: &[(&str, String)]) -> Vec<(String, Vec<usize>)> {
    let size = |i: usize| entries[i].0.len() + entries[i].1.len() + 4;
    // Consecutive runs of `indices` sharing their first `n` characters.
    fn runs<'a>(
        entries: &[(&'a str, String)],
        indices: &[usize],
        n: usize,
    ) -> Vec<(&'a str, Vec<usize>)> {
        let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
        for &i in indices {
            let p = prefix(entries[i].0, n);
            match out.last_mut() {
                Some((last, members)) if *last == p => members.push(i),
                _ => out.push((p, vec![i])),
            }
        }
        out
    }
    fn place(
        entries: &[(&str, String)],
        size: &dyn Fn(usize) -> usize,
        key: &str,
        n: usize,
        members: Vec<usize>,
        out: &mut Vec<(String, Vec<usize>)>,
    ) {
        let total: usize = members.iter().map(|i| size(*i)).sum();
        if total <= SHARD_LIMIT || members.len() == 1 {
            out.push((key.to_string(), members));
            return;
        }
        // Terms that are the key itself stay; longer ones group by one more character.
        let (mut rest, longer): (Vec<usize>, Vec<usize>) = members
            .into_iter()
            .partition(|i| entries[*i].0.chars().count() == n);
        let mut children: Vec<(&str, Vec<usize>, usize)> = runs(entries, &longer, n + 1)
            .into_iter()
            .map(|(k, m)| {
                let s = m.iter().map(|i| size(*i)).sum();
                (k, m, s)
            })
            .collect();
        // The smallest parts fold back into this key while it stays under the limit.
        children.sort_by(|a, b| a.2.cmp(&b.2).then_with(|| a.0.cmp(b.0)));
        let mut rest_size: usize = rest.iter().map(|i| size(*i)).sum();
        for (child, members, s) in children {
            if rest_size + s <= SHARD_LIMIT {
                rest.extend(members);
                rest_size += s;
            } else {
                place(entries, size, child, n + 1, members, out);
            }
        }
        if !rest.is_empty() {
            rest.sort_unstable();
            out.push((key.to_string(), rest));
        }
    }
    let all: Vec<usize> = (0..entries.len()).collect();
    let mut out = Vec::new();
    for (key, members) in runs(entries, &all, 1) {
        place(entries, &size, key, 1, members, &mut out);
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Appends `n` in decimal (without `fmt`: the index writes millions of numbers).
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
}

/// `[d0, Δd1, …]` of ascending numbers.
fn delta_list(docs: &[usize]) -> String {
    let mut out = String::with_capacity(docs.len() * 4 + 2);
    out.push('[');
    let mut last = 0;
    for (n, d) in docs.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_number(&mut out, d - last);
        last = *d;
    }
    out.push(']');
    out
}

/// A filter's choices as `meta.json` lists them.
fn vocabulary(list: &[Vocabulary]) -> Vec<Value> {
    list.iter()
        .map(|v| json!({ "name": v.name, "slug": v.slug, "count": v.count }))
        .collect()
}

fn bytes(text: String) -> Output {
    Output::Bytes(Arc::new(text.into_bytes()))
}

/// The search page's data and the index files.
pub(super) struct Index {
    kinds: Vec<KindEntry>,
    tags: Vec<Vocabulary>,
    statuses: Vec<Vocabulary>,
    teams: Vec<Vocabulary>,
    pub files: Vec<(PathBuf, Output)>,
}

impl Index {
    /// Reads every item (noted for incremental rebuilds) and writes the index.
    /// `terms` holds each item's terms by file revision from earlier builds: only items
    /// read again are tokenized again. It is left holding this build's.
    pub(super) fn build(library: &Library, terms_cache: &mut SearchTerms) -> Index {
        let started = std::time::Instant::now();
        for kind in Kind::ALL {
            incremental::read(Dep::Kind(kind));
        }
        incremental::read(Dep::Tags);
        for item in &library.items {
            incremental::read(Dep::Item(item.id.clone()));
        }
        let terms: Vec<Arc<Vec<(String, u32)>>> = {
            use rayon::prelude::*;
            let cached = &*terms_cache;
            library
                .items
                .par_iter()
                .map(|item| match cached.get(&item.source.revision) {
                    Some(terms) => terms.clone(),
                    None => Arc::new(item_terms(item)),
                })
                .collect()
        };
        *terms_cache = library
            .items
            .iter()
            .zip(&terms)
            .map(|(item, terms)| (item.source.revision, terms.clone()))
            .collect();
        let words_took = started.elapsed();
        let index = Index::assemble(library, &terms);
        if std::env::var_os("CYCLEBOOK_TIMINGS").is_some() {
            eprintln!(
                "{:>24}: {:8.1} ms (words {:.1} ms, assembly {:.1} ms; {} files)",
                "(render) search index",
                started.elapsed().as_secs_f64() * 1000.0,
                words_took.as_secs_f64() * 1000.0,
                (started.elapsed() - words_took).as_secs_f64() * 1000.0,
                index.files.len()
            );
        }
        index
    }

    /// Puts the index together from each item's [`item_terms`].
    fn assemble(library: &Library, terms: &[Arc<Vec<(String, u32)>>]) -> Index {
        let mut files: Vec<(PathBuf, Output)> = Vec::new();
        // Postings: each list fills in document order.
        let mut postings: FastMap<&str, Vec<(usize, u32)>> = FastMap::default();
        for (doc, item_terms) in terms.iter().enumerate() {
            for (term, weight) in item_terms.iter() {
                postings
                    .entry(term.as_str())
                    .or_default()
                    .push((doc, *weight));
            }
        }
        let mut entries: Vec<(&str, String)> = postings
            .into_iter()
            .map(|(term, list)| {
                let mut text = String::with_capacity(list.len() * 5 + 2);
                text.push('[');
                let mut last = 0;
                for (n, (doc, w)) in list.iter().enumerate() {
                    if n > 0 {
                        text.push(',');
                    }
                    push_number(&mut text, doc - last);
                    text.push(',');
                    push_number(&mut text, *w as usize);
                    last = *doc;
                }
                text.push(']');
                (term, text)
            })
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let shards = shards(&entries);
        for (key, members) in &shards {
            let mut text = String::from("{");
            for (n, i) in members.iter().enumerate() {
                if n > 0 {
                    text.push(',');
                }
                let (term, list) = &entries[*i];
                text.push_str(&serde_json::to_string(term).expect("a string serializes"));
                text.push(':');
                text.push_str(list);
            }
            text.push_str("}\n");
            files.push((
                PathBuf::from(format!("search/shards/{}.json", shard_file(key))),
                bytes(text),
            ));
        }

        // What results show, a chunk of documents per file.
        for (n, chunk) in library.items.chunks(DOCS_PER_CHUNK).enumerate() {
            let records: Vec<Value> = chunk.iter().map(|item| doc_record(item)).collect();
            let mut text = serde_json::to_string(&records).expect("JSON serializes");
            text.push('\n');
            files.push((PathBuf::from(format!("search/docs/{n}.json")), bytes(text)));
        }

        // Kinds are ranges of documents.
        let kinds: Vec<KindEntry> = Kind::ALL
            .iter()
            .map(|kind| {
                let first = library.items.iter().position(|i| i.kind == *kind);
                let count = library.of_kind(*kind).count();
                KindEntry {
                    kind: kind.as_str(),
                    label: kind.plural_label(),
                    href: format!("{}/", kind.folder()),
                    first: first.unwrap_or(0),
                    count,
                }
            })
            .collect();

        // Filters.
        let tags: Vec<Vocabulary> = library
            .tags
            .values()
            .map(|t| {
                let mut docs = t.items.clone();
                docs.sort_unstable();
                docs.dedup();
                Vocabulary {
                    name: t.name.clone(),
                    slug: t.slug.clone(),
                    href: Some(format!("tags/{}/", t.slug)),
                    count: docs.len(),
                    docs,
                }
            })
            .collect();
        let mut by_status: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut by_team: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
        for (doc, item) in library.items.iter().enumerate() {
            let Some(cycle) = item.cycle() else { continue };
            let order = CycleStatus::WORDS
                .iter()
                .position(|w| *w == cycle.status.as_str())
                .unwrap_or(0);
            by_status.entry(order).or_default().push(doc);
            for member in &cycle.team {
                let name = member.split_whitespace().collect::<Vec<_>>().join(" ");
                if name.is_empty() {
                    continue;
                }
                let key = name.to_lowercase();
                let entry = by_team.entry(key).or_insert_with(|| (name, Vec::new()));
                if entry.1.last() != Some(&doc) {
                    entry.1.push(doc);
                }
            }
        }
        let statuses: Vec<Vocabulary> = by_status
            .into_iter()
            .map(|(order, docs)| {
                let status =
                    CycleStatus::from_word(CycleStatus::WORDS[order]).expect("a status word");
                Vocabulary {
                    name: status.label().to_string(),
                    slug: status.as_str().to_string(),
                    href: None,
                    count: docs.len(),
                    docs,
                }
            })
            .collect();
        // Team members by slug; a name without one (or sharing one) gets a numbered slug.
        let mut taken = std::collections::BTreeSet::new();
        let teams: Vec<Vocabulary> = by_team
            .into_values()
            .enumerate()
            .map(|(n, (name, docs))| {
                let mut slug = crate::content::slugify(&name);
                if slug.is_empty() || !taken.insert(slug.clone()) {
                    slug = format!("team-{}", n + 1);
                    taken.insert(slug.clone());
                }
                Vocabulary {
                    name,
                    slug,
                    href: None,
                    count: docs.len(),
                    docs,
                }
            })
            .collect();
        for (folder, vocabulary) in [("tag", &tags), ("status", &statuses), ("team", &teams)] {
            for v in vocabulary {
                files.push((
                    PathBuf::from(format!("search/filters/{folder}/{}.json", v.slug)),
                    bytes(format!("{}\n", delta_list(&v.docs))),
                ));
            }
        }

        let folds: BTreeMap<String, &str> = FOLDS
            .iter()
            .map(|(from, to)| (from.to_string(), *to))
            .collect();
        let meta = json!({
            "version": 1,
            "docs": library.items.len(),
            "chunk": DOCS_PER_CHUNK,
            "fields": ["title", "url", "summary", "date", "status"],
            "kinds": kinds,
            "shards": shards.iter().map(|(key, _)| key).collect::<Vec<_>>(),
            "words": {
                "max_chars": MAX_TERM_CHARS,
                "prefix_min": PREFIX_MIN_CHARS,
                "stop": STOP_WORDS,
                "folds": folds,
            },
            "tags": vocabulary(&tags),
            "statuses": vocabulary(&statuses),
            "teams": vocabulary(&teams),
        });
        let mut text = serde_json::to_string(&meta).expect("JSON serializes");
        text.push('\n');
        files.push((PathBuf::from("search/meta.json"), bytes(text)));
        Index {
            kinds,
            tags,
            statuses,
            teams,
            files,
        }
    }

    /// The search page's variables (see docs/templates.md).
    pub(super) fn insert_context(&self, ctx: &mut tera::Context) {
        ctx.insert("kinds", &self.kinds);
        ctx.insert("tags", &self.tags);
        ctx.insert("statuses", &self.statuses);
        ctx.insert("teams", &self.teams);
        ctx.insert("index_href", "search/");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        words(text, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn stop_words_are_sorted_and_dropped() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| is_stop_word(w)));
        assert!(all("the ward and THE huddle")
            .iter()
            .all(|w| !is_stop_word(w)));
    }

    #[test]
    fn words_are_lowercased_folded_and_filtered() {
        assert_eq!(
            all("The Café's naïve Straße: ward 7, a B, Œdème, ÉCOLE"),
            ["cafe", "naive", "strasse", "ward", "7", "oedeme", "ecole"]
        );
        assert_eq!(all("falls-huddle_2"), ["falls", "huddle", "2"]);
        let long = "a".repeat(40);
        assert_eq!(all(&long), ["a".repeat(MAX_TERM_CHARS)]);
    }

    #[test]
    fn plain_text_leaves_out_charts_and_html() {
        let (text, first) = plain_text(
            "## Plan\n\nTry *the* huddle\non [[falls-rate|the rate]].\n\n```chart\nmeasure: falls-rate\n```\n\n<b>raw</b> text\n",
        );
        assert!(text.contains("huddle"));
        assert!(text.contains("the rate"));
        assert!(!text.contains("measure:"));
        assert!(!text.contains("<b>"));
        assert_eq!(first, "Try the huddle on the rate.");
    }

    #[test]
    fn snippets_are_cut_at_a_space() {
        let long = "word ".repeat(60);
        let s = snippet(long.trim());
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn shard_files_are_ascii() {
        assert_eq!(shard_file("fa"), "fa");
        assert_eq!(shard_file("é"), "x-c3a9");
    }

    #[test]
    fn big_shards_split_and_every_term_finds_its_shard() {
        let terms: Vec<String> = (0..4000)
            .map(|n| format!("h{}{n}", ["a", "u", "e"][n % 3]))
            .chain(["h".to_string(), "ha".to_string(), "zz".to_string()])
            .collect();
        let mut entries: Vec<(&str, String)> = terms
            .iter()
            .map(|t| (t.as_str(), "[1,2,3,4,5,6,7,8]".to_string()))
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let shards = shards(&entries);
        let keys: Vec<&str> = shards.iter().map(|(k, _)| k.as_str()).collect();
        assert!(keys.len() > 2, "{keys:?}");
        for (key, members) in &shards {
            let size: usize = members
                .iter()
                .map(|i| entries[*i].0.len() + entries[*i].1.len() + 4)
                .sum();
            assert!(size <= SHARD_LIMIT || members.len() == 1, "{key}: {size}");
            for i in members {
                let term = entries[*i].0;
                // The longest key that is a prefix of the term is this one.
                let longest = keys
                    .iter()
                    .filter(|k| term.starts_with(**k))
                    .max_by_key(|k| k.len())
                    .unwrap();
                assert_eq!(longest, key, "{term}");
            }
        }
        let placed: usize = shards.iter().map(|(_, m)| m.len()).sum();
        assert_eq!(placed, entries.len());
    }
}
