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
//! steps: [`Batch::terms`] (an item's words and weights; it depends on the item's file
//! alone, so it is kept while `item.source.revision` holds, and runs on all cores), then
//! [`Assembled`] (postings, shards, chunks, filters). The unit reads every item, so
//! `serve` runs it after each edit. When the documents are the ones of the last build
//! (an edit, not a file added, deleted or renamed), the last index is patched: the
//! postings of the words an edited item gained, lost or weighs differently, the group of
//! shards under each such word's first character (no shard mixes two first characters,
//! so a group is split as a clean build splits it), and the chunks of edited records;
//! every other file keeps its bytes. On a 10,000-item site a clean index takes about
//! 0.25 s, most of it tokenizing; a patch takes a millisecond or two.
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

use super::incremental::{self, Dep};
use super::Output;
use crate::content::items::{CycleStatus, Details, Item, Kind, NoteKind};
use crate::hash::FastMap;
use crate::resolve::Library;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Words too common to be worth a posting list (a short English list).
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "did", "do",
    "does", "for", "from", "had", "has", "have", "he", "her", "his", "i", "if", "in", "into", "is",
    "it", "its", "me", "my", "of", "on", "or", "our", "she", "so", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "to", "us", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "will", "with", "would", "you", "your",
];

/// Up to eight bytes as one number (words hold no zero byte, so none is another's).
const fn packed(word: &[u8]) -> u64 {
    let mut n = 0u64;
    let mut i = 0;
    while i < word.len() {
        n |= (word[i] as u64) << (8 * i);
        i += 1;
    }
    n
}

/// The multiplier of [`stop_slot`]: the first of `0x9E3779B97F4A7C15 * k | 1` (k = 1,
/// 2, …) that gives each of [`STOP_WORDS`] a slot of its own, found by trying them (the
/// table below fails to compile if the list changes and two words then share a slot).
const STOP_MULTIPLIER: u64 = 0xa363_c23a_6e5b_8c43;

/// A packed word's slot in [`STOP_TABLE`]: the top eight bits of a multiplicative hash.
const fn stop_slot(packed: u64) -> usize {
    (packed.wrapping_mul(STOP_MULTIPLIER) >> 56) as usize
}

/// [`STOP_WORDS`] packed, each in its slot (0 where none is): a test is one hash and one
/// comparison. (A binary search of the sorted list was half of `keep`, itself a tenth
/// of tokenizing; a `match` on the strings was slower still.)
const STOP_TABLE: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < STOP_WORDS.len() {
        assert!(STOP_WORDS[i].len() <= 8, "stop words fit in eight bytes");
        let word = packed(STOP_WORDS[i].as_bytes());
        assert!(
            table[stop_slot(word)] == 0,
            "two stop words share a slot: choose another STOP_MULTIPLIER"
        );
        table[stop_slot(word)] = word;
        i += 1;
    }
    table
};

/// The longest of [`STOP_WORDS`], in bytes: longer words need no search.
const STOP_WORD_MAX_LEN: usize = {
    let mut longest = 0;
    let mut i = 0;
    while i < STOP_WORDS.len() {
        if STOP_WORDS[i].len() > longest {
            longest = STOP_WORDS[i].len();
        }
        i += 1;
    }
    longest
};

fn is_stop_word(word: &str) -> bool {
    if word.is_empty() || word.len() > STOP_WORD_MAX_LEN {
        return false;
    }
    let word = packed(word.as_bytes());
    STOP_TABLE[stop_slot(word)] == word
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
    fn flush(word: &mut String, chars: &mut usize, each: &mut impl FnMut(&str)) {
        if *chars > 0 && keep(word, *chars) {
            each(word);
        }
        word.clear();
        *chars = 0;
    }
    fn push(word: &mut String, chars: &mut usize, c: char) {
        if *chars < MAX_TERM_CHARS {
            word.push(c);
            *chars += 1;
        }
    }
    let bytes = text.as_bytes();
    let mut word = String::new();
    let mut chars = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        // Most words are a run of ASCII letters and digits between ASCII characters:
        // taken whole, and without a copy when already in lower case.
        if b.is_ascii_alphanumeric() && chars == 0 {
            let end = bytes[at..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .map_or(bytes.len(), |n| at + n);
            if end < bytes.len() && !bytes[end].is_ascii() {
                // A letter beyond ASCII may go on with the word: one at a time, below.
                for &b in &bytes[at..end] {
                    push(&mut word, &mut chars, char::from(b.to_ascii_lowercase()));
                }
            } else {
                let run = &text[at..end.min(at + MAX_TERM_CHARS)];
                if run.bytes().any(|b| b.is_ascii_uppercase()) {
                    word.push_str(run);
                    word.make_ascii_lowercase();
                    chars = run.len();
                    flush(&mut word, &mut chars, &mut each);
                } else if keep(run, run.len()) {
                    each(run);
                }
            }
            at = end;
            continue;
        }
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                push(&mut word, &mut chars, char::from(b.to_ascii_lowercase()));
            } else {
                flush(&mut word, &mut chars, &mut each);
            }
            at += 1;
            continue;
        }
        let c = text[at..].chars().next().expect("a character starts here");
        at += c.len_utf8();
        // Lowercasing and decomposing one character at a time gives the same letters
        // as doing so to the whole text (only combining marks, dropped here, move).
        for d in c.to_lowercase().nfd() {
            if is_combining_mark(d) {
                continue;
            }
            if !d.is_alphanumeric() {
                flush(&mut word, &mut chars, &mut each);
                continue;
            }
            match FOLDS.iter().find(|(from, _)| *from == d) {
                Some((_, to)) => to.chars().for_each(|f| push(&mut word, &mut chars, f)),
                None => push(&mut word, &mut chars, d),
            }
        }
    }
    flush(&mut word, &mut chars, &mut each);
}

fn keep(word: &str, chars: usize) -> bool {
    if chars == 1 && !word.chars().all(char::is_numeric) {
        return false;
    }
    !is_stop_word(word)
}

/// A Markdown body as plain text (chart blocks and raw HTML left out).
pub fn plain_text(body: &str) -> String {
    plain(body, false)
}

/// The first paragraph of a Markdown body as plain text, with spaces collapsed.
pub fn first_paragraph(body: &str) -> String {
    let first = plain(body, true);
    let mut collapsed = String::with_capacity(first.len());
    for word in first.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// The body's text, or only that of its first paragraph (then read no further).
fn plain(body: &str, first_only: bool) -> String {
    let mut text = PlainText::new(if first_only { 256 } else { body.len() }, first_only);
    for event in Parser::new_ext(body, super::markdown::options()) {
        if !text.event(&event) {
            break;
        }
    }
    text.into_text()
}

/// A body's plain text, gathered from its parse events: chart blocks and raw HTML left
/// out, a line break after each block. Resolve gathers it while parsing a body for its
/// links ([`super::markdown::scan_body`]), so that the search index need not parse the
/// body again.
pub(crate) struct PlainText {
    text: String,
    first_only: bool,
    in_chart: bool,
    in_paragraph: bool,
}

impl PlainText {
    pub(crate) fn new(capacity: usize, first_only: bool) -> PlainText {
        PlainText {
            text: String::with_capacity(capacity),
            first_only,
            in_chart: false,
            in_paragraph: false,
        }
    }

    /// Takes the next event; false once the first paragraph is read (when only that is
    /// wanted).
    pub(crate) fn event(&mut self, event: &Event) -> bool {
        let whole = !self.first_only;
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if lang.trim() == "chart" => {
                self.in_chart = true
            }
            Event::Start(Tag::Paragraph) => self.in_paragraph = true,
            Event::End(TagEnd::CodeBlock) => {
                self.in_chart = false;
                self.text.push('\n');
            }
            Event::End(TagEnd::Paragraph) => {
                if self.first_only {
                    return false;
                }
                self.in_paragraph = false;
                self.text.push('\n');
            }
            Event::Text(t) | Event::Code(t) if !self.in_chart && (self.in_paragraph || whole) => {
                self.text.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak if self.in_paragraph || whole => {
                self.text.push(' ');
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
            Event::End(_) if whole => self.text.push('\n'),
            _ => {}
        }
        true
    }

    pub(crate) fn into_text(self) -> String {
        self.text
    }
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

/// Items tokenized together, on one thread: their words are numbered within the batch,
/// then given their numbers in the [`Dictionary`] batch by batch (so that tokenizing
/// runs on all cores, the dictionary is asked once per word and batch rather than per
/// word and item, and no word is copied for each item having it).
#[derive(Default)]
struct Batch {
    numbers: FastMap<Box<str>, u32>,
    words: Vec<Box<str>>,
    /// By batch number: how often the word occurs in each field (in the order of
    /// FIELDS) of the item being read.
    counts: Vec<[u32; 6]>,
    /// The batch numbers of that item's words, as first met.
    seen: Vec<u32>,
    /// The terms of the batch's items, in order.
    items: Vec<Vec<(u32, u32)>>,
}

impl Batch {
    /// The searchable words of one item (by batch number, unsorted) with their weights,
    /// given its body's plain text if resolve kept it. Depends only on the item's own
    /// file, so it is kept while `item.source.revision` holds.
    fn terms(&mut self, item: &Item, body_text: Option<String>) -> Vec<(u32, u32)> {
        let mut add = |text: &str, field: usize| {
            words(text, |w| {
                let n = match self.numbers.get(w) {
                    Some(&n) => n,
                    None => {
                        let n = u32::try_from(self.words.len()).expect("fewer than 2^32 words");
                        self.words.push(w.into());
                        self.numbers.insert(w.into(), n);
                        self.counts.push([0; 6]);
                        n
                    }
                };
                let counts = &mut self.counts[n as usize];
                if *counts == [0; 6] {
                    self.seen.push(n);
                }
                counts[field] += 1;
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
        add(&body_text.unwrap_or_else(|| plain_text(item.body())), 4);
        add(&item.id, 5);
        let counts = &mut self.counts;
        self.seen
            .drain(..)
            .map(|n| {
                let score = FIELDS
                    .iter()
                    .zip(std::mem::take(&mut counts[n as usize]))
                    .map(|(field, n)| field.weight * n.min(field.most))
                    .sum();
                (n, score)
            })
            .collect()
    }
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

/// What a result shows of an item, `[title, url, summary, date, status]`, as JSON.
fn doc_record(item: &Item) -> Vec<u8> {
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
        None => Some(snippet(&first_paragraph(item.body()))).filter(|s| !s.is_empty()),
    };
    // A tuple is written as the array `json!` would make, without building a `Value`.
    serde_json::to_vec(&(&item.title, item.href(), summary, date, status)).expect("JSON serializes")
}

/// What an item's record is made from, besides its file: a note's date may come from git.
fn same_record(a: &Arc<Item>, b: &Arc<Item>) -> bool {
    let date = |item: &Item| match &item.details {
        Details::Note(n) => n.date,
        _ => None,
    };
    Arc::ptr_eq(a, b) || (a.source.revision == b.source.revision && date(a) == date(b))
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

/// Splits the terms (sorted, each with its size in a shard) into shards: see the module
/// doc. Returns each shard's key and the indices of its terms, in term order. Terms with
/// different first characters never share a shard, so each such group can be split alone.
fn shards(entries: &[(&str, usize)]) -> Vec<(String, Vec<usize>)> {
    let size = |i: usize| entries[i].1;
    // Consecutive runs of `indices` sharing their first `n` characters.
    fn runs<'a>(
        entries: &[(&'a str, usize)],
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
        entries: &[(&str, usize)],
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

/// Appends `n` in decimal (without `fmt`: the index writes millions of numbers, most of
/// them one or two digits).
fn push_number(out: &mut Vec<u8>, n: usize) {
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    if n < 100 {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
        return;
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    while n > 0 {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits[at..]);
}

/// `[d0, Δd1, …]` of ascending numbers.
fn delta_list(docs: &[usize]) -> Vec<u8> {
    let mut out = Vec::with_capacity(docs.len() * 4 + 3);
    out.push(b'[');
    let mut last = 0;
    for (n, d) in docs.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_number(&mut out, d - last);
        last = *d;
    }
    out.push(b']');
    out
}

/// A filter's choices as `meta.json` lists them.
fn vocabulary(list: &[Vocabulary]) -> Vec<Value> {
    list.iter()
        .map(|v| json!({ "name": v.name, "slug": v.slug, "count": v.count }))
        .collect()
}

fn bytes(text: Vec<u8>) -> Output {
    Output::Bytes(Arc::new(text))
}

/// One item's terms: (word number, weight), ascending by number.
type Terms = Arc<Vec<(u32, u32)>>;

/// Every word any item has had, numbered as first met. Items' terms are kept as numbers
/// so that gathering postings is indexing into a list, not hashing strings: hashing the
/// 1.8 million postings of a 10,000-item site was most of the index's time.
#[derive(Default)]
struct Dictionary {
    numbers: FastMap<Box<str>, u32>,
    words: Vec<Box<str>>,
}

impl Dictionary {
    fn number(&mut self, word: &str) -> u32 {
        if let Some(&n) = self.numbers.get(word) {
            return n;
        }
        let n = u32::try_from(self.words.len()).expect("fewer than 2^32 words");
        self.words.push(word.into());
        self.numbers.insert(word.into(), n);
        n
    }

    fn word(&self, n: u32) -> &str {
        &self.words[n as usize]
    }
}

/// What the search unit keeps between builds (in the render cache): the words met so
/// far, and the last index with each document's terms, which the next build reuses for
/// the items whose files were not read again.
#[derive(Default)]
pub(super) struct Cache {
    dictionary: Dictionary,
    last: Option<Assembled>,
    /// Nothing is kept for a next build (a one-off build): what the index is made of
    /// is dropped as soon as the files are made from it.
    one_off: bool,
}

impl Cache {
    /// For a build that has no next one.
    pub(super) fn one_off() -> Cache {
        Cache {
            one_off: true,
            ..Cache::default()
        }
    }
}

/// One word's postings and the text its shard holds of them.
#[derive(Default)]
struct Posting {
    /// (document, weight), ascending by document.
    docs: Vec<(u32, u32)>,
    /// `"word":[d0,w0,Δd1,w1,…]`; empty when no document has the word.
    entry: Vec<u8>,
    /// Where the `[…]` list starts in `entry`.
    list: usize,
}

impl Posting {
    fn write(&mut self, word: &str) {
        self.entry.clear();
        if self.docs.is_empty() {
            self.entry.shrink_to_fit();
            return;
        }
        // Most numbers are a digit or two: this is about what the entry takes.
        self.entry.reserve(word.len() + 5 + self.docs.len() * 6);
        serde_json::to_writer(&mut self.entry, word).expect("a string serializes");
        self.entry.push(b':');
        self.list = self.entry.len();
        self.entry.push(b'[');
        let mut last = 0;
        for (n, &(doc, weight)) in self.docs.iter().enumerate() {
            if n > 0 {
                self.entry.push(b',');
            }
            push_number(&mut self.entry, (doc - last) as usize);
            self.entry.push(b',');
            push_number(&mut self.entry, weight as usize);
            last = doc;
        }
        self.entry.push(b']');
    }

    /// What the shard layout counts of it (the word unquoted, its list, and 4).
    fn size(&self, word: &str) -> usize {
        word.len() + (self.entry.len() - self.list) + 4
    }
}

/// The words sharing a first character and their shards: no shard mixes two such groups,
/// so one is laid out again without the others.
struct Group {
    /// Word numbers, sorted by word.
    words: Vec<u32>,
    shards: Vec<(String, PathBuf, Output)>,
}

impl Group {
    fn new(words: Vec<u32>, postings: &[Posting], dictionary: &Dictionary) -> Group {
        let mut group = Group {
            words,
            shards: Vec::new(),
        };
        group.lay_out(postings, dictionary);
        group
    }

    fn lay_out(&mut self, postings: &[Posting], dictionary: &Dictionary) {
        let entries: Vec<(&str, usize)> = self
            .words
            .iter()
            .map(|&n| {
                let word = dictionary.word(n);
                (word, postings[n as usize].size(word))
            })
            .collect();
        self.shards = shards(&entries)
            .into_iter()
            .map(|(key, members)| {
                let length: usize = members
                    .iter()
                    .map(|&i| postings[self.words[i] as usize].entry.len() + 1)
                    .sum();
                let mut text = Vec::with_capacity(length + 2);
                text.push(b'{');
                for (n, &i) in members.iter().enumerate() {
                    if n > 0 {
                        text.push(b',');
                    }
                    text.extend_from_slice(&postings[self.words[i] as usize].entry);
                }
                text.extend_from_slice(b"}\n");
                let path = PathBuf::from(format!("search/shards/{}.json", shard_file(&key)));
                (key, path, bytes(text))
            })
            .collect();
    }
}

/// The filters: their choices (for `meta.json` and the page) and their files.
struct Filters {
    tags: Vec<Vocabulary>,
    statuses: Vec<Vocabulary>,
    teams: Vec<Vocabulary>,
    files: Vec<(PathBuf, Output)>,
}

impl Filters {
    fn new(library: &Library) -> Filters {
        let tags: Vec<Vocabulary> = library
            .tags
            .values()
            .map(|t| {
                let docs = tag_docs(&t.items);
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
        // Team members by their name in lower case: (key, name as first met, documents).
        let mut by_team: Vec<(String, String, Vec<usize>)> = Vec::new();
        let mut by_key: FastMap<String, usize> = FastMap::default();
        // Each spelling is tidied once, not once per cycle naming it.
        let mut spellings: FastMap<&str, Option<usize>> = FastMap::default();
        for (doc, item) in library.items.iter().enumerate() {
            let Some(cycle) = item.cycle() else { continue };
            let order = CycleStatus::WORDS
                .iter()
                .position(|w| *w == cycle.status.as_str())
                .unwrap_or(0);
            by_status.entry(order).or_default().push(doc);
            for member in &cycle.team {
                let team = *spellings.entry(member.as_str()).or_insert_with(|| {
                    let name = member.split_whitespace().collect::<Vec<_>>().join(" ");
                    if name.is_empty() {
                        return None;
                    }
                    let key = name.to_lowercase();
                    Some(*by_key.entry(key.clone()).or_insert_with(|| {
                        by_team.push((key, name, Vec::new()));
                        by_team.len() - 1
                    }))
                });
                let Some(team) = team else { continue };
                let docs = &mut by_team[team].2;
                if docs.last() != Some(&doc) {
                    docs.push(doc);
                }
            }
        }
        by_team.sort_unstable_by(|a, b| a.0.cmp(&b.0));
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
            .into_iter()
            .enumerate()
            .map(|(n, (_, name, docs))| {
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
        let mut files = Vec::new();
        for (folder, vocabulary) in [("tag", &tags), ("status", &statuses), ("team", &teams)] {
            for v in vocabulary {
                let mut text = delta_list(&v.docs);
                text.push(b'\n');
                files.push((
                    PathBuf::from(format!("search/filters/{folder}/{}.json", v.slug)),
                    bytes(text),
                ));
            }
        }
        Filters {
            tags,
            statuses,
            teams,
            files,
        }
    }

    /// Whether the tag list these were made from is still `library`'s.
    fn same_tags(&self, library: &Library) -> bool {
        self.tags.len() == library.tags.len()
            && self.tags.iter().zip(library.tags.values()).all(|(v, t)| {
                v.name == t.name
                    && v.slug == t.slug
                    && if t.items.windows(2).all(|w| w[0] < w[1]) {
                        v.docs == t.items
                    } else {
                        v.docs == tag_docs(&t.items)
                    }
            })
    }
}

/// A tag's documents, ascending, each once.
fn tag_docs(items: &[usize]) -> Vec<usize> {
    let mut docs = items.to_vec();
    docs.sort_unstable();
    docs.dedup();
    docs
}

/// What the status and team filters read of an item.
fn cycle_filters(item: &Item) -> Option<(CycleStatus, &[String])> {
    item.cycle().map(|c| (c.status, c.team.as_slice()))
}

/// Kinds are ranges of documents.
fn kinds(library: &Library) -> Vec<KindEntry> {
    Kind::ALL
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
        .collect()
}

/// `docs/<n>.json` from its documents' records.
fn chunk(n: usize, records: &[Vec<u8>]) -> (PathBuf, Output) {
    let length: usize = records.iter().map(|r| r.len() + 1).sum();
    let mut text = Vec::with_capacity(length + 2);
    text.push(b'[');
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            text.push(b',');
        }
        text.extend_from_slice(record);
    }
    text.extend_from_slice(b"]\n");
    (PathBuf::from(format!("search/docs/{n}.json")), bytes(text))
}

/// The index as the last build left it, in the pieces that an edit changes.
struct Assembled {
    /// The documents, in order: what their records were made from.
    items: Vec<Arc<Item>>,
    terms: Vec<Terms>,
    records: Vec<Vec<u8>>,
    /// By word number.
    postings: Vec<Posting>,
    /// By first character.
    groups: BTreeMap<char, Group>,
    chunks: Vec<(PathBuf, Output)>,
    kinds: Arc<Vec<KindEntry>>,
    filters: Arc<Filters>,
    meta: (PathBuf, Output),
}

impl Assembled {
    /// Puts the whole index together; records of documents `last` had are reused.
    /// Without `keep`, each part is dropped once made into the next (the files are all
    /// that is left): a one-off build's peak memory.
    fn new(
        library: &Library,
        terms: Vec<Terms>,
        dictionary: &Dictionary,
        last: Option<Assembled>,
        keep: bool,
    ) -> Assembled {
        use rayon::prelude::*;
        // Postings by ranges of word numbers, a range per task: each document's terms
        // are sorted by number, so its part in a range is one run. Each list fills in
        // document order.
        let mut postings: Vec<Posting> = Vec::new();
        postings.resize_with(dictionary.words.len(), Posting::default);
        let range = postings
            .len()
            .div_ceil(rayon::current_num_threads() * 8)
            .max(256);
        postings
            .par_chunks_mut(range)
            .enumerate()
            .for_each(|(r, postings)| {
                let (low, high) = ((r * range) as u32, (r * range + postings.len()) as u32);
                let runs: Vec<&[(u32, u32)]> = terms
                    .iter()
                    .map(|list| {
                        let start = list.partition_point(|t| t.0 < low);
                        let end = start + list[start..].partition_point(|t| t.0 < high);
                        &list[start..end]
                    })
                    .collect();
                let mut lengths = vec![0usize; postings.len()];
                for run in &runs {
                    for &(word, _) in *run {
                        lengths[(word - low) as usize] += 1;
                    }
                }
                for (posting, n) in postings.iter_mut().zip(lengths) {
                    posting.docs.reserve_exact(n);
                }
                for (doc, run) in runs.iter().enumerate() {
                    for &(word, weight) in *run {
                        postings[(word - low) as usize]
                            .docs
                            .push((doc as u32, weight));
                    }
                }
                for (n, posting) in postings.iter_mut().enumerate() {
                    if !posting.docs.is_empty() {
                        posting.write(dictionary.word(low + n as u32));
                        if !keep {
                            posting.docs = Vec::new();
                        }
                    }
                }
            });
        let terms = if keep { terms } else { Vec::new() };
        // A word is in the index when a document has it, and then its entry is written.
        let mut live: Vec<u32> = (0..postings.len() as u32)
            .filter(|n| !postings[*n as usize].entry.is_empty())
            .collect();
        live.sort_unstable_by(|a, b| dictionary.word(*a).cmp(dictionary.word(*b)));
        let mut by_first: Vec<(char, Vec<u32>)> = Vec::new();
        for n in live {
            let first = first_char(dictionary.word(n));
            match by_first.last_mut() {
                Some((c, words)) if *c == first => words.push(n),
                _ => by_first.push((first, vec![n])),
            }
        }
        let groups: BTreeMap<char, Group> = by_first
            .into_par_iter()
            .map(|(first, words)| (first, Group::new(words, &postings, dictionary)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let postings = if keep { postings } else { Vec::new() };

        // What results show: records of documents read before are kept.
        let earlier: FastMap<u64, (&Arc<Item>, &Vec<u8>)> = last
            .as_ref()
            .map(|last| {
                last.items
                    .iter()
                    .zip(&last.records)
                    .map(|(item, record)| (item.source.revision, (item, record)))
                    .collect()
            })
            .unwrap_or_default();
        let records: Vec<Vec<u8>> = library
            .items
            .par_iter()
            .map(|item| match earlier.get(&item.source.revision) {
                Some((was, record)) if same_record(was, item) => (*record).clone(),
                _ => doc_record(item),
            })
            .collect();
        let chunks = records
            .chunks(DOCS_PER_CHUNK)
            .enumerate()
            .map(|(n, records)| chunk(n, records))
            .collect();

        let records = if keep { records } else { Vec::new() };
        let kinds = Arc::new(kinds(library));
        let filters = Arc::new(Filters::new(library));
        let meta = meta(library, &kinds, &groups, &filters);
        Assembled {
            items: library.items.clone(),
            terms,
            records,
            postings,
            groups,
            chunks,
            kinds,
            filters,
            meta,
        }
    }

    /// Whether `library` has the same documents in the same order (and so the same
    /// numbers): then [`Assembled::patch`] applies.
    fn same_documents(&self, library: &Library) -> bool {
        self.items.len() == library.items.len()
            && self
                .items
                .iter()
                .zip(&library.items)
                .all(|(a, b)| Arc::ptr_eq(a, b) || (a.kind == b.kind && a.id == b.id))
    }

    /// Brings the index up to date with `library` (the same documents, some edited):
    /// only the groups of shards holding a word whose postings changed are laid out
    /// again, and only the chunks of edited records are written again.
    fn patch(&mut self, library: &Library, terms: Vec<Terms>, dictionary: &Dictionary) {
        let edited: Vec<usize> = (0..library.items.len())
            .filter(|&d| !same_record(&self.items[d], &library.items[d]))
            .collect();
        self.postings
            .resize_with(dictionary.words.len(), Posting::default);
        // What changes: (word, document, its new weight there or none), from each edited
        // document's terms before and after (both sorted by word number).
        let mut changes: Vec<(u32, u32, Option<u32>)> = Vec::new();
        for &d in &edited {
            let (old, new) = (&self.terms[d], &terms[d]);
            if Arc::ptr_eq(old, new) || old == new {
                continue;
            }
            let doc = d as u32;
            let (mut i, mut j) = (0, 0);
            loop {
                match (old.get(i), new.get(j)) {
                    (Some(a), Some(b)) if a.0 == b.0 => {
                        if a.1 != b.1 {
                            changes.push((b.0, doc, Some(b.1)));
                        }
                        i += 1;
                        j += 1;
                    }
                    (Some(a), Some(b)) if a.0 < b.0 => {
                        changes.push((a.0, doc, None));
                        i += 1;
                    }
                    (Some(a), None) => {
                        changes.push((a.0, doc, None));
                        i += 1;
                    }
                    (_, Some(b)) => {
                        changes.push((b.0, doc, Some(b.1)));
                        j += 1;
                    }
                    (None, None) => break,
                }
            }
        }
        // Each word's changes merged into its list in one pass (the sort is stable, so
        // they stay in document order): however many documents changed, no worse than
        // making the lists anew.
        changes.sort_by_key(|c| c.0);
        let mut touched: Vec<u32> = Vec::new();
        for run in changes.chunk_by(|a, b| a.0 == b.0) {
            let word = run[0].0;
            let old = std::mem::take(&mut self.postings[word as usize].docs);
            let mut merged = Vec::with_capacity(old.len() + run.len());
            let mut old = old.into_iter().peekable();
            for &(_, doc, weight) in run {
                while let Some(posting) = old.next_if(|p| p.0 < doc) {
                    merged.push(posting);
                }
                // The document's posting, replaced or dropped.
                old.next_if(|p| p.0 == doc);
                if let Some(weight) = weight {
                    merged.push((doc, weight));
                }
            }
            merged.extend(old);
            self.postings[word as usize].docs = merged;
            touched.push(word);
        }
        self.terms = terms;
        let mut regroup: Vec<char> = Vec::new();
        for n in touched {
            let word = dictionary.word(n);
            let posting = &mut self.postings[n as usize];
            let was = !posting.entry.is_empty();
            posting.write(word);
            let is = !posting.entry.is_empty();
            let first = first_char(word);
            let group = self.groups.entry(first).or_insert_with(|| Group {
                words: Vec::new(),
                shards: Vec::new(),
            });
            if was != is {
                let at = group
                    .words
                    .binary_search_by(|m| dictionary.word(*m).cmp(word));
                match (at, is) {
                    (Err(at), true) => group.words.insert(at, n),
                    (Ok(at), false) => {
                        group.words.remove(at);
                    }
                    _ => {}
                }
            }
            if regroup.last() != Some(&first) {
                regroup.push(first);
            }
        }
        regroup.sort_unstable();
        regroup.dedup();
        let mut keys_changed = false;
        for first in regroup {
            let group = self.groups.get_mut(&first).expect("touched groups exist");
            let keys = |g: &Group| g.shards.iter().map(|s| s.0.clone()).collect::<Vec<_>>();
            let before = keys(group);
            if group.words.is_empty() {
                self.groups.remove(&first);
                keys_changed |= !before.is_empty();
                continue;
            }
            group.lay_out(&self.postings, dictionary);
            keys_changed |= keys(group) != before;
        }

        let mut rewrite: Vec<usize> = Vec::new();
        for &d in &edited {
            let record = doc_record(&library.items[d]);
            if record != self.records[d] {
                self.records[d] = record;
                rewrite.push(d / DOCS_PER_CHUNK);
            }
        }
        rewrite.dedup();
        for n in rewrite {
            let end = (n * DOCS_PER_CHUNK + DOCS_PER_CHUNK).min(self.records.len());
            self.chunks[n] = chunk(n, &self.records[n * DOCS_PER_CHUNK..end]);
        }

        let same_filters = self.filters.same_tags(library)
            && edited
                .iter()
                .all(|&d| cycle_filters(&self.items[d]) == cycle_filters(&library.items[d]));
        if !same_filters {
            self.filters = Arc::new(Filters::new(library));
        }
        if keys_changed || !same_filters {
            self.meta = meta(library, &self.kinds, &self.groups, &self.filters);
        }
        self.items.clone_from(&library.items);
    }

    fn files(&self) -> Vec<(PathBuf, Output)> {
        let shards = self.groups.values().flat_map(|g| &g.shards);
        let mut files = Vec::with_capacity(
            self.chunks.len() + self.filters.files.len() + 1 + shards.clone().count(),
        );
        files.extend(shards.map(|(_, path, output)| (path.clone(), output.clone())));
        files.extend(self.chunks.iter().cloned());
        files.extend(self.filters.files.iter().cloned());
        files.push(self.meta.clone());
        files
    }
}

fn first_char(word: &str) -> char {
    word.chars().next().expect("words are not empty")
}

/// `search/meta.json`.
fn meta(
    library: &Library,
    kinds: &[KindEntry],
    groups: &BTreeMap<char, Group>,
    filters: &Filters,
) -> (PathBuf, Output) {
    let folds: BTreeMap<String, &str> = FOLDS
        .iter()
        .map(|(from, to)| (from.to_string(), *to))
        .collect();
    // Groups go by first character, and keys within one sorted: all keys are in order.
    let shards: Vec<&str> = groups
        .values()
        .flat_map(|g| g.shards.iter().map(|s| s.0.as_str()))
        .collect();
    let meta = json!({
        "version": 1,
        "docs": library.items.len(),
        "chunk": DOCS_PER_CHUNK,
        "fields": ["title", "url", "summary", "date", "status"],
        "kinds": kinds,
        "shards": shards,
        "words": {
            "max_chars": MAX_TERM_CHARS,
            "prefix_min": PREFIX_MIN_CHARS,
            "stop": STOP_WORDS,
            "folds": folds,
        },
        "tags": vocabulary(&filters.tags),
        "statuses": vocabulary(&filters.statuses),
        "teams": vocabulary(&filters.teams),
    });
    let mut text = serde_json::to_vec(&meta).expect("JSON serializes");
    text.push(b'\n');
    (PathBuf::from("search/meta.json"), bytes(text))
}

/// The search page's data and the index files.
pub(super) struct Index {
    kinds: Arc<Vec<KindEntry>>,
    filters: Arc<Filters>,
    pub files: Vec<(PathBuf, Output)>,
}

impl Index {
    /// Reads every item (noted for incremental rebuilds) and writes the index. `cache`
    /// holds what earlier builds made: items whose files were not read again are not
    /// tokenized again, and when the documents are the same ones, the last index is
    /// patched where their words and records changed.
    pub(super) fn build(library: &Library, cache: &mut Cache) -> Index {
        use rayon::prelude::*;
        let started = std::time::Instant::now();
        for kind in Kind::ALL {
            incremental::read(Dep::Kind(kind));
        }
        incremental::read(Dep::Tags);
        for item in &library.items {
            incremental::read(Dep::Item(item.id.clone()));
        }
        let last = cache.last.take();
        let same = last
            .as_ref()
            .is_some_and(|last| last.same_documents(library));
        // Each item's terms: the last build's while its file was not read again (by
        // place when the documents are the same, else by revision).
        let earlier: FastMap<u64, &Terms> = match &last {
            Some(last) if !same => last
                .items
                .iter()
                .zip(&last.terms)
                .map(|(item, terms)| (item.source.revision, terms))
                .collect(),
            _ => FastMap::default(),
        };
        let mut terms: Vec<Option<Terms>> = library
            .items
            .iter()
            .enumerate()
            .map(|(d, item)| match &last {
                Some(last) if same => {
                    let was = &last.items[d];
                    (Arc::ptr_eq(was, item) || was.source.revision == item.source.revision)
                        .then(|| last.terms[d].clone())
                }
                _ => earlier.get(&item.source.revision).map(|t| (*t).clone()),
            })
            .collect();
        drop(earlier);
        let missing: Vec<usize> = (0..terms.len()).filter(|d| terms[*d].is_none()).collect();
        let size = missing
            .len()
            .div_ceil(rayon::current_num_threads() * 4)
            .max(64);
        let batches: Vec<Batch> = missing
            .par_chunks(size)
            .map(|docs| {
                let mut batch = Batch::default();
                for &d in docs {
                    let item = &library.items[d];
                    let text = library.body_texts.take(d, item.source.revision);
                    let terms = batch.terms(item, text);
                    batch.items.push(terms);
                }
                batch
            })
            .collect();
        let numbers: Vec<Vec<u32>> = batches
            .iter()
            .map(|batch| {
                let words = batch.words.iter();
                words.map(|w| cache.dictionary.number(w)).collect()
            })
            .collect();
        let fresh: Vec<Terms> = batches
            .into_par_iter()
            .zip(numbers)
            .flat_map_iter(|(batch, numbers)| {
                batch.items.into_iter().map(move |mut terms| {
                    for term in &mut terms {
                        term.0 = numbers[term.0 as usize];
                    }
                    terms.sort_unstable();
                    Arc::new(terms)
                })
            })
            .collect();
        for (d, terms_of) in missing.into_iter().zip(fresh) {
            terms[d] = Some(terms_of);
        }
        let terms: Vec<Terms> = terms
            .into_iter()
            .map(|t| t.expect("every item has its terms"))
            .collect();
        let words_took = started.elapsed();
        let assembled = match last {
            Some(mut last) if same => {
                last.patch(library, terms, &cache.dictionary);
                last
            }
            last => Assembled::new(library, terms, &cache.dictionary, last, !cache.one_off),
        };
        let index = Index {
            kinds: assembled.kinds.clone(),
            filters: assembled.filters.clone(),
            files: assembled.files(),
        };
        if !cache.one_off {
            cache.last = Some(assembled);
        }
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

    /// The search page's variables (see docs/templates.md).
    pub(super) fn insert_context(&self, ctx: &mut tera::Context) {
        ctx.insert("kinds", &*self.kinds);
        ctx.insert("tags", &self.filters.tags);
        ctx.insert("statuses", &self.filters.statuses);
        ctx.insert("teams", &self.filters.teams);
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
        let body = "## Plan\n\nTry *the* huddle\non [[falls-rate|the rate]].\n\n```chart\nmeasure: falls-rate\n```\n\n<b>raw</b> text\n";
        let (text, first) = (plain_text(body), first_paragraph(body));
        assert!(text.contains("huddle"));
        assert!(text.contains("the rate"));
        assert!(!text.contains("measure:"));
        assert!(!text.contains("<b>"));
        assert_eq!(first, "Try the huddle on the rate.");
    }

    #[test]
    fn the_text_kept_from_the_link_scan_is_the_plain_text() {
        let bodies = [
            "## Plan {#plan}\n\nTry *the* huddle\non [[falls-rate|the rate]].\n\n```chart\nmeasure: falls-rate\n```\n\n<b>raw</b> text\n",
            "> [!NOTE]\n> Alerts keep their words, not their marker.\n\n\"Quotes\" -- dashes... and don't\n",
            "| a | b |\n|---|---|\n| *c* | `d` |\n\n- [x] done\n- [ ] to do\n\nA footnote[^1].\n\n[^1]: Its text.\n",
            "```\ncode block\n```\n\n    indented code\n\n<!-- a comment -->\n\nLine  \nbreak ~~struck~~ é ß\n",
            "",
        ];
        for body in bodies {
            let (_, kept) =
                super::super::markdown::scan_body(body, 1, std::path::Path::new("n.md"), true);
            assert_eq!(kept.as_deref(), Some(plain_text(body).as_str()), "{body:?}");
            let (_, none) =
                super::super::markdown::scan_body(body, 1, std::path::Path::new("n.md"), false);
            assert_eq!(none, None);
        }
        let alert = plain_text(bodies[1]);
        assert!(alert.contains("Alerts keep their words"), "{alert:?}");
        assert!(
            !alert.contains("NOTE"),
            "the alert's marker is not text: {alert:?}"
        );
    }

    #[test]
    fn the_first_paragraph_is_the_first_paragraph_block_wherever_it_is() {
        let cases = [
            (
                "# Title\n\n- item one\n- item two\n\nThe  first\nparagraph.\n\nSecond.",
                "The first paragraph.",
            ),
            (
                "```chart\nmeasure: x\n```\n\n> Quoted *words*  `code`\n\nNext",
                "Quoted words code",
            ),
            ("- loose\n\n- list\n\nAfter", "loose"),
            ("| a | b |\n|---|---|\n| c | d |\n\nText", "Text"),
            ("", ""),
        ];
        for (body, first) in cases {
            assert_eq!(first_paragraph(body), first, "{body:?}");
        }
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
        let mut entries: Vec<(&str, usize)> = terms
            .iter()
            .map(|t| (t.as_str(), t.len() + "[1,2,3,4,5,6,7,8]".len() + 4))
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let shards = shards(&entries);
        let keys: Vec<&str> = shards.iter().map(|(k, _)| k.as_str()).collect();
        assert!(keys.len() > 2, "{keys:?}");
        for (key, members) in &shards {
            let size: usize = members.iter().map(|i| entries[*i].1).sum();
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

    /// `words` as it was, a character at a time: the reference for the fast one.
    fn words_one_at_a_time(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut word = String::new();
        let mut chars = 0usize;
        let mut flush = |word: &mut String, chars: &mut usize| {
            if *chars > 0 && keep(word, *chars) {
                out.push(word.clone());
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
        out
    }

    #[test]
    fn words_match_a_character_at_a_time() {
        let pieces = [
            "a",
            "b",
            "Z",
            "Q",
            "7",
            "0",
            " ",
            ",",
            "-",
            "_",
            "\n",
            "é",
            "É",
            "ß",
            "ø",
            "Œ",
            "\u{301}",
            "ﬁ",
            "Σ",
            "ς",
            "İ",
            "漢",
            "’",
            "٣",
            "the",
            "THE",
            "with",
            "Ward",
            "abcdefghijklmnopqrstuvwxyz0123456789",
            "ÉCOLE",
            "naïve",
            "x\u{300}",
        ];
        let mut next = crate::test_support::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let len = next(24);
            let text: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            assert_eq!(all(&text), words_one_at_a_time(&text), "{text:?}");
        }
    }

    #[test]
    fn stop_words_are_exactly_the_list() {
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        let mut short: Vec<String> = vec![String::new()];
        for len in 1..=3 {
            let mut n = vec![0usize; len];
            loop {
                short.push(n.iter().map(|i| char::from(letters[*i])).collect());
                let Some(i) = n.iter().rposition(|i| *i + 1 < letters.len()) else {
                    break;
                };
                n[i] += 1;
                n[i + 1..].iter_mut().for_each(|i| *i = 0);
            }
        }
        let near = STOP_WORDS
            .iter()
            .flat_map(|w| [format!("{w}s"), format!("a{w}"), w[1..].to_string()]);
        for word in short.into_iter().chain(near) {
            assert_eq!(
                is_stop_word(&word),
                STOP_WORDS.contains(&word.as_str()),
                "{word}"
            );
        }
        assert!(!is_stop_word("therefore"));
    }

    /// A copy of the example site, rebuilt as `serve` does and checked against clean
    /// builds.
    struct Session {
        _dir: tempfile::TempDir,
        site: PathBuf,
        cache: crate::Cache,
        /// The search files of the last rebuild.
        last: BTreeMap<PathBuf, Output>,
    }

    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    fn search_files(files: crate::render::SiteFiles) -> BTreeMap<PathBuf, Output> {
        files
            .into_iter()
            .filter(|(path, _)| path.starts_with("search"))
            .collect()
    }

    fn text(output: &Output) -> &str {
        match output {
            Output::Bytes(b) => std::str::from_utf8(b).unwrap(),
            other => panic!("{other:?} is not a page made whole"),
        }
    }

    impl Session {
        fn new() -> Session {
            let dir = tempfile::tempdir().unwrap();
            let site = dir.path().join("site");
            copy_dir(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-site"),
                &site,
            );
            let mut session = Session {
                _dir: dir,
                site,
                cache: crate::Cache::default(),
                last: BTreeMap::new(),
            };
            session.step("the first build", &[]);
            session
        }

        fn edit(&self, rel: &str, change: impl FnOnce(String) -> String) {
            let path = self.site.join(rel);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let changed = change(text.clone());
            assert_ne!(changed, text, "the edit of {rel} changes it");
            std::fs::write(&path, changed).unwrap();
        }

        /// Rebuilds after `changed` were edited; the search files must be a clean
        /// build's, byte for byte. Returns the files before and after.
        fn step(&mut self, what: &str, changed: &[&str]) -> BTreeMap<PathBuf, Output> {
            let paths: Vec<PathBuf> = changed.iter().map(|c| self.site.join(c)).collect();
            self.cache.load.forget(paths.iter().map(PathBuf::as_path));
            let rebuilt = crate::compile_cached(&self.site, None, false, false, &mut self.cache)
                .unwrap_or_else(|e| panic!("{what}: the site builds: {e}"));
            let rebuilt = search_files(rebuilt.files);
            let clean = search_files(
                crate::compile(&self.site, None, false, false)
                    .unwrap()
                    .files,
            );
            assert_eq!(
                rebuilt.keys().collect::<Vec<_>>(),
                clean.keys().collect::<Vec<_>>(),
                "{what}: the same files"
            );
            for (path, output) in &clean {
                assert_eq!(
                    text(&rebuilt[path]),
                    text(output),
                    "{what}: {}",
                    path.display()
                );
            }
            std::mem::replace(&mut self.last, rebuilt)
        }

        /// The files of the last step that are the very ones (not copies) of the step
        /// before: what the index reused.
        fn reused(&self, before: &BTreeMap<PathBuf, Output>) -> Vec<&PathBuf> {
            self.last
                .iter()
                .filter(|(path, output)| match (output, before.get(*path)) {
                    (Output::Bytes(a), Some(Output::Bytes(b))) => Arc::ptr_eq(a, b),
                    _ => false,
                })
                .map(|(path, _)| path)
                .collect()
        }
    }

    const NOTE: &str = "notes/patient-rep-feedback.md";

    #[test]
    fn a_body_edit_adding_and_dropping_words_matches_a_clean_build() {
        let mut s = Session::new();
        // A word no other document has: only the `z` shards (and the page, and the list
        // of shards when it changes) are written again.
        s.edit(NOTE, |t| t + "\nZyzzogeton.\n");
        let before = s.step("a new word", &[NOTE]);
        let meta: Value =
            serde_json::from_str(text(&s.last[&PathBuf::from("search/meta.json")])).unwrap();
        let shard = |term: &str| {
            let keys = meta["shards"].as_array().unwrap().iter();
            let key = keys
                .filter_map(|k| k.as_str())
                .filter(|k| term.starts_with(k))
                .max_by_key(|k| k.len())
                .unwrap();
            PathBuf::from(format!("search/shards/{}.json", shard_file(key)))
        };
        assert!(text(&s.last[&shard("zyzzogeton")]).contains("\"zyzzogeton\":["));
        let reused = s.reused(&before);
        let rewritten: Vec<&PathBuf> = s.last.keys().filter(|p| !reused.contains(p)).collect();
        assert!(
            rewritten.contains(&&shard("zyzzogeton"))
                && rewritten.iter().all(|p| {
                    let p = p.to_string_lossy();
                    p.starts_with("search/shards/z")
                        || p == "search/index.html"
                        || p == "search/meta.json"
                }),
            "rewritten: {rewritten:?}"
        );

        // The word dropped again, and a word the note shares with others.
        s.edit(NOTE, |t| {
            t.replace("\nZyzzogeton.\n", "")
                .replace("Twice a year", "Each year")
        });
        s.step("words dropped", &[NOTE]);
        assert!(s.last.values().all(|o| !text(o).contains("zyzzogeton")));
    }

    #[test]
    fn a_title_edit_matches_a_clean_build() {
        let mut s = Session::new();
        s.edit(NOTE, |t| {
            t.replace(
                "title: \"What our patient and carer representatives told us",
                "title: \"What patient representatives said",
            )
        });
        s.step("a title", &[NOTE]);
        s.edit(NOTE, |t| t.replace("on Ward 7\"", "on WARD 7\""));
        s.step("a title's case", &[NOTE]);
    }

    #[test]
    fn a_group_of_shards_splits_and_joins_as_an_edit_grows_and_shrinks_it() {
        let mut s = Session::new();
        let many = |n: usize| -> String {
            (0..n)
                .map(|i| format!("q{}{i} ", ["a", "u", "e", "é"][i % 4]))
                .collect()
        };
        let note = |n: usize| {
            format!(
                "---\ntitle: Many words\ndate: 2026-11-20\n---\n\n{}\nÆrø ﬁsh œuvre.\n",
                many(n)
            )
        };
        let rel = "notes/many-words.md";
        std::fs::write(s.site.join(rel), note(3000)).unwrap();
        s.step("a note with many words", &[rel]);
        let keys = |s: &Session| {
            let meta = text(&s.last[&PathBuf::from("search/meta.json")]);
            let meta: Value = serde_json::from_str(meta).unwrap();
            meta["shards"].as_array().unwrap().len()
        };
        let split = keys(&s);
        s.edit(rel, |_| note(40));
        s.step("most words dropped", &[rel]);
        let joined = keys(&s);
        assert!(joined < split, "the `q` shards join");
        s.edit(rel, |_| note(2500));
        s.step("words added again", &[rel]);
        assert!(keys(&s) > joined, "the `q` shards split again");
        s.edit(rel, |_| note(2499));
        s.step("one word dropped", &[rel]);
        std::fs::remove_file(s.site.join(rel)).unwrap();
        s.step("the note deleted", &[rel]);
    }
}
