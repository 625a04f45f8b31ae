//! Finds identifiers that must never be published — NHS numbers, email addresses, UK
//! phone numbers, full postcodes and dates of birth — in Markdown, front matter and CSV.
//!
//! [`scan`] reads a whole file line by line with small hand-written matchers (no
//! backtracking: time is linear in the input) and reports each match as a [`Finding`]
//! with its 1-based line and column in characters. What each rule matches is described
//! on [`Rule`]. Scanning is deliberately biased towards reporting: a false positive costs
//! a marker, a false negative can publish a patient.
//!
//! # Allowing a deliberate match
//!
//! A line that contains the allow marker is not scanned for the rules it names:
//!
//! - `cyclebook:allow` allows every rule on that line;
//! - `cyclebook:allow=email,phone` allows only the named rules (names as in
//!   [`Rule::as_str`]: `nhs-number`, `email`, `phone`, `postcode`, `date-of-birth`;
//!   spaces after the commas are fine); other rules are still reported.
//!
//! The marker is case-sensitive, applies to its own line only, and can sit anywhere on
//! it: in Markdown an HTML comment (`<!-- cyclebook:allow=email -->`), in YAML front
//! matter a comment (`# cyclebook:allow`), in a CSV row a cell of its own. Unknown rule
//! names allow nothing, so a typo leaves the finding in place.

use crate::diagnostics::Pos;

/// Marks a line whose matches are deliberate; see the module documentation.
pub const ALLOW_MARKER: &str = "cyclebook:allow";

/// One kind of identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// Ten digits written `9434765919`, `943 476 5919` or `943-476-5919`, not touching
    /// other letters or digits, whose last digit passes the modulus 11 check
    /// ([`nhs_number_is_valid`]). Repeated digits (`0000000000`) are placeholders and
    /// are not reported.
    NhsNumber,
    /// `local@domain.tld`: a local part of letters, digits and `._%+-'`, a domain of at
    /// least two dot-separated labels and an alphabetic top-level label. Documentation
    /// domains (`example.org`) are reported too; file names such as `chart@2x.png` are
    /// not.
    Email,
    /// A UK number: `01…`/`02…`/`03…`/`07…` or `+44`/`0044` (optionally `(0)`), in
    /// groups separated by single spaces or hyphens, the area code optionally in
    /// brackets. After normalising to the national form it has 11 digits (10 or 11 for
    /// `01`). When grouped, the first group has 3–6 digits (1–6 after `+44`) and later
    /// groups 3–8, so dates like `01-03-2026` are not phone-shaped.
    Phone,
    /// A full postcode, outward and inward code (`SW1A 1AA`, `m1 1ae`, `B338TH`), in the
    /// official shape and letter sets, standing as a word on its own. Outward codes alone
    /// (`SW1A`) are not reported, nor a lower-case ordinal after a space (`b2 3rd`).
    Postcode,
    /// A date (`12/03/1941`, `12-03-41`, `1941-03-12`, `12 March 1941`, `12th Mar 1941`,
    /// `March 12, 1941`) within 20 characters of `DOB`, `D.O.B`, `date of birth`, `birth
    /// date` or `born` on the same line (either side, the nearest date only), or straight
    /// after `b.`; or a date in a table column (CSV, or Markdown pipe table) whose header
    /// is one of those keywords.
    DateOfBirth,
}

impl Rule {
    pub const ALL: [Rule; 5] = [
        Rule::NhsNumber,
        Rule::Email,
        Rule::Phone,
        Rule::Postcode,
        Rule::DateOfBirth,
    ];

    /// The name used in allow markers and diagnostics.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NhsNumber => "nhs-number",
            Rule::Email => "email",
            Rule::Phone => "phone",
            Rule::Postcode => "postcode",
            Rule::DateOfBirth => "date-of-birth",
        }
    }

    /// What was found, in the reader's words.
    pub fn description(self) -> &'static str {
        match self {
            Rule::NhsNumber => "an NHS number (ten digits with a valid check digit)",
            Rule::Email => "an email address",
            Rule::Phone => "a UK phone number",
            Rule::Postcode => "a full UK postcode",
            Rule::DateOfBirth => "a date of birth (a date next to DOB, born or date of birth)",
        }
    }

    /// The rule called `name` (as in [`Rule::as_str`]).
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.as_str() == name)
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// One identifier found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Length in characters.
    pub len: usize,
    /// The text that matched.
    pub text: String,
}

impl Finding {
    /// Where the finding is, for [`crate::diagnostics::Diagnostic::at`].
    pub fn pos(&self) -> Pos {
        Pos::new(self.line, self.col, self.len)
    }
}

/// Scans whole-file text (Markdown with front matter, or CSV). Lines carrying the allow
/// marker are skipped for the rules it names. Findings come in order of place.
pub fn scan(text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut hits = Vec::new();
    // A table (the CSV itself, or a Markdown pipe table) with a date-of-birth column.
    let mut table: Option<DobTable> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        // Every rule needs an ASCII digit (numbers, dates, postcodes) or an `@` (emails):
        // most lines of prose have neither and are passed over in one quick look.
        let (digits, at) = digits_and_at(line.as_bytes());
        if digits == 0 && !at {
            table = DobTable::after_line(table, index, line);
            continue;
        }
        let allowed = allowed_rules(line);
        let wanted = |rule: Rule| allowed & rule.bit() == 0;
        let bytes = line.as_bytes();
        hits.clear();
        // An NHS number is ten digits, a phone number at least ten (eleven in the
        // national form, less its 0 after +44): most lines with a number have fewer.
        if digits >= 10 && wanted(Rule::NhsNumber) {
            find_nhs_numbers(bytes, &mut hits);
        }
        if at && wanted(Rule::Email) {
            find_emails(line, &mut hits);
        }
        if digits >= 10 && wanted(Rule::Phone) {
            find_phones(bytes, &mut hits);
        }
        if wanted(Rule::Postcode) {
            find_postcodes(bytes, &mut hits);
        }
        // The shortest date, `1/3/41`, has four digits.
        if digits >= 4 && wanted(Rule::DateOfBirth) {
            find_dates_of_birth(line, &mut hits);
            if let Some(table) = &table {
                find_dates_of_birth_in_column(bytes, table, &mut hits);
            }
        }
        hits.sort_unstable();
        hits.dedup();
        push_findings(index + 1, line, &hits, &mut findings);
        table = DobTable::after_line(table, index, line);
    }
    findings
}

/// How many ASCII digits `line` has, and whether it has an `@`: counted in blocks with
/// byte counters, which the compiler turns into vector instructions.
fn digits_and_at(line: &[u8]) -> (usize, bool) {
    let (mut digits, mut at) = (0, false);
    for block in line.chunks(255) {
        let (d, a) = block.iter().fold((0u8, 0u8), |(d, a), &c| {
            (
                d + u8::from(c.wrapping_sub(b'0') < 10),
                a | u8::from(c == b'@'),
            )
        });
        digits += usize::from(d);
        at |= a != 0;
    }
    (digits, at)
}

/// The NHS modulus 11 check: weights 10 down to 2 on the first nine digits, check digit
/// 11 − (sum mod 11), where 11 means 0 and 10 means no valid number. `digits` is the ten
/// digits, optionally with the spaces or hyphens people write in them; anything else
/// (letters, the wrong number of digits) is not valid.
pub fn nhs_number_is_valid(digits: &str) -> bool {
    let mut d = [0u32; 10];
    let mut n = 0;
    for c in digits.chars() {
        match c {
            '0'..='9' => {
                if n == 10 {
                    return false;
                }
                d[n] = c as u32 - '0' as u32;
                n += 1;
            }
            ' ' | '-' => {}
            _ => return false,
        }
    }
    if n != 10 {
        return false;
    }
    let sum: u32 = (0..9).map(|i| d[i] * (10 - i as u32)).sum();
    match 11 - sum % 11 {
        11 => d[9] == 0,
        10 => false,
        check => d[9] == check,
    }
}

/// A match on one line, in bytes. Field order is the sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    start: usize,
    rule: Rule,
    end: usize,
}

fn push_findings(line_no: usize, line: &str, hits: &[Hit], findings: &mut Vec<Finding>) {
    // Hits are sorted by start, so columns are counted once across the line.
    let mut counted = 0;
    let mut chars_before = 0;
    for hit in hits {
        let (Some(gap), Some(text)) = (line.get(counted..hit.start), line.get(hit.start..hit.end))
        else {
            debug_assert!(false, "hit off a character boundary: {hit:?}");
            continue;
        };
        chars_before += gap.chars().count();
        counted = hit.start;
        findings.push(Finding {
            rule: hit.rule,
            line: line_no,
            col: chars_before + 1,
            len: text.chars().count(),
            text: text.to_string(),
        });
    }
}

// ---------------------------------------------------------------------------------------
// The allow marker

const ALL_RULES: u8 = (1 << Rule::ALL.len()) - 1;

/// The rules the line's markers allow, as bits.
fn allowed_rules(line: &str) -> u8 {
    let bytes = line.as_bytes();
    let mut allowed = 0;
    // Each marker found by its `:` (a few per line at most) rather than by a substring
    // search set up for every line.
    let (name, rest) = ALLOW_MARKER.split_at(ALLOW_MARKER.find(':').expect("a colon") + 1);
    let markers = bytes.iter().enumerate().filter_map(|(colon, &c)| {
        let start = (colon + 1).checked_sub(name.len())?;
        (c == b':'
            && bytes[start..=colon] == *name.as_bytes()
            && bytes[colon + 1..].starts_with(rest.as_bytes()))
        .then_some(colon + 1 + rest.len())
    });
    for after in markers {
        match bytes.get(after) {
            Some(b'=') => allowed |= named_rules(&bytes[after + 1..]),
            // `cyclebook:allowed`, `cyclebook:allow-list`: another word.
            Some(c) if c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-' => {}
            _ => allowed = ALL_RULES,
        }
    }
    allowed
}

/// Parses `email, phone` at the start of `bytes` (stopping at anything else, such as
/// the `-->` closing an HTML comment).
fn named_rules(bytes: &[u8]) -> u8 {
    let mut allowed = 0;
    let mut p = 0;
    loop {
        while bytes.get(p) == Some(&b' ') {
            p += 1;
        }
        let start = p;
        while bytes
            .get(p)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            p += 1;
        }
        let mut end = p;
        while end > start && bytes[end - 1] == b'-' {
            end -= 1;
        }
        let name = String::from_utf8_lossy(&bytes[start..end]).to_ascii_lowercase();
        if let Some(rule) = Rule::from_name(&name) {
            allowed |= rule.bit();
        }
        while bytes.get(p) == Some(&b' ') {
            p += 1;
        }
        if bytes.get(p) == Some(&b',') {
            p += 1;
        } else {
            return allowed;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Small byte helpers. The matchers work on ASCII bytes (emails on characters), so every
// offset they return is on a character boundary.

fn is_digit_at(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(u8::is_ascii_digit)
}

fn is_alnum_at(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(u8::is_ascii_alphanumeric)
}

/// How many ASCII digits start at `i`, counting at most `cap`.
fn digit_run(b: &[u8], i: usize, cap: usize) -> usize {
    let mut n = 0;
    while n < cap && is_digit_at(b, i + n) {
        n += 1;
    }
    n
}

fn number_of(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

/// A number can start at `i`: no letter or digit before it, and not the decimals of
/// `0.5`.
fn number_starts(b: &[u8], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let prev = b[i - 1];
    let decimals = prev == b'.' && i >= 2 && b[i - 2].is_ascii_digit();
    !(prev.is_ascii_alphanumeric() || decimals)
}

/// A number can end at `i`: no letter or digit after it, and no decimals.
fn number_ends(b: &[u8], i: usize) -> bool {
    match b.get(i) {
        None => true,
        Some(c) => {
            let decimals = *c == b'.' && is_digit_at(b, i + 1);
            !(c.is_ascii_alphanumeric() || decimals)
        }
    }
}

fn starts_with_ignore_case(b: &[u8], i: usize, word: &str) -> bool {
    b.get(i..i + word.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(word.as_bytes()))
}

fn word_ends(b: &[u8], i: usize) -> bool {
    !is_alnum_at(b, i)
}

// ---------------------------------------------------------------------------------------
// NHS numbers

fn find_nhs_numbers(b: &[u8], hits: &mut Vec<Hit>) {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let run = digit_run(b, i, usize::MAX);
        if number_starts(b, i) {
            if let Some(end) = nhs_number_at(b, i, run) {
                hits.push(Hit {
                    start: i,
                    rule: Rule::NhsNumber,
                    end,
                });
                i = end;
                continue;
            }
        }
        i += run;
    }
}

/// An NHS number starting at `i`, whose first run of digits is `run` long.
fn nhs_number_at(b: &[u8], i: usize, run: usize) -> Option<usize> {
    let end = if run == 10 {
        i + 10
    } else if run == 3 {
        let sep = *b.get(i + 3)?;
        let shaped = matches!(sep, b' ' | b'-')
            && digit_run(b, i + 4, 4) == 3
            && b.get(i + 7) == Some(&sep)
            && digit_run(b, i + 8, 5) == 4;
        if !shaped {
            return None;
        }
        // `12-943-476-5919` is some other hyphenated code.
        let end = i + 12;
        if sep == b'-'
            && ((i >= 2 && b[i - 1] == b'-' && b[i - 2].is_ascii_digit())
                || (b.get(end) == Some(&b'-') && is_digit_at(b, end + 1)))
        {
            return None;
        }
        end
    } else {
        return None;
    };
    if !number_ends(b, end) {
        return None;
    }
    let digits: Vec<u8> = b[i..end]
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .collect();
    let placeholder = digits.iter().all(|d| *d == digits[0]);
    let valid = std::str::from_utf8(&digits).is_ok_and(nhs_number_is_valid);
    (valid && !placeholder).then_some(end)
}

// ---------------------------------------------------------------------------------------
// Email addresses

/// File extensions that follow `@` in names like `chart@2x.png` and are not top-level
/// domains.
const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "pdf", "csv", "tsv", "html", "htm", "css",
    "js", "json", "yml", "yaml", "txt", "xlsx", "xls", "docx", "doc", "pptx",
];

fn find_emails(line: &str, hits: &mut Vec<Hit>) {
    for (at, _) in line.bytes().enumerate().filter(|(_, c)| *c == b'@') {
        if let Some((start, end)) = email_at(line, at) {
            hits.push(Hit {
                start,
                rule: Rule::Email,
                end,
            });
        }
    }
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

/// The address around the `@` at byte `at`. Looks at most 64 characters left and 253
/// right, so each `@` costs a bounded amount.
fn email_at(line: &str, at: usize) -> Option<(usize, usize)> {
    let b = line.as_bytes();
    let mut start = at;
    for (count, (idx, c)) in line[..at].char_indices().rev().enumerate() {
        if !is_local_char(c) {
            break;
        }
        if count == 64 {
            return None;
        }
        start = idx;
    }
    // Quotes and Markdown emphasis before an address are not part of it.
    while start < at && matches!(b[start], b'.' | b'\'' | b'_' | b'-') {
        start += 1;
    }
    if !line[start..at].chars().any(char::is_alphanumeric) {
        return None;
    }
    let mut end = at + 1;
    for (count, (idx, c)) in line[at + 1..].char_indices().enumerate() {
        if !is_domain_char(c) {
            break;
        }
        if count == 253 {
            return None;
        }
        end = at + 1 + idx + c.len_utf8();
    }
    // The full stop ending a sentence is not part of the domain.
    while end > at + 1 && matches!(b[end - 1], b'.' | b'-') {
        end -= 1;
    }
    domain_is_plausible(&line[at + 1..end]).then_some((start, end))
}

fn domain_is_plausible(domain: &str) -> bool {
    let mut labels = 0;
    let mut last = "";
    for label in domain.split('.') {
        if label.is_empty()
            || label.chars().count() > 63
            || label.starts_with('-')
            || label.ends_with('-')
        {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2
        && last.chars().count() >= 2
        && last.chars().all(char::is_alphabetic)
        && !FILE_EXTENSIONS.contains(&last.to_ascii_lowercase().as_str())
}

// ---------------------------------------------------------------------------------------
// UK phone numbers

fn find_phones(b: &[u8], hits: &mut Vec<Hit>) {
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b'+' | b'(' | b'0') && number_starts(b, i) {
            if let Some(end) = phone_at(b, i) {
                hits.push(Hit {
                    start: i,
                    rule: Rule::Phone,
                    end,
                });
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

fn is_separator_before_digit(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), Some(b' ' | b'-')) && is_digit_at(b, i + 1)
}

/// The longest phone-shaped number starting at `i`. Reads at most 12 digits.
fn phone_at(b: &[u8], i: usize) -> Option<usize> {
    let (mut q, international, bracketed) = if b[i] == b'+' && b.get(i + 1..i + 3) == Some(b"44") {
        (i + 3, true, false)
    } else if b.get(i..i + 4) == Some(b"0044") {
        (i + 4, true, false)
    } else if b[i] == b'(' && b.get(i + 1) == Some(&b'0') {
        (i + 1, false, true)
    } else if b[i] == b'0' {
        (i, false, false)
    } else {
        return None;
    };
    if international {
        if matches!(b.get(q), Some(b' ' | b'-'))
            && (is_digit_at(b, q + 1) || b.get(q + 1) == Some(&b'('))
        {
            q += 1;
        }
        if b.get(q..q + 3) == Some(b"(0)") {
            q += 3;
            if is_separator_before_digit(b, q) {
                q += 1;
            }
        }
    }
    let mut digits = [0u8; 12];
    let mut total = 0;
    let mut groups = 0;
    let mut first_len = 0;
    let mut best = None;
    loop {
        let n = digit_run(b, q, 13);
        if n == 0 || total + n > digits.len() {
            break;
        }
        digits[total..total + n].copy_from_slice(&b[q..q + n]);
        total += n;
        groups += 1;
        q += n;
        if groups == 1 {
            first_len = n;
            if bracketed {
                if b.get(q) != Some(&b')') {
                    return None;
                }
                q += 1;
            }
        } else if !(3..=8).contains(&n) {
            break;
        }
        let national_len = total + usize::from(international && digits[0] != b'0');
        let lead = if international && digits[0] != b'0' {
            digits[0]
        } else if total >= 2 {
            digits[1]
        } else {
            0
        };
        let length_ok = match lead {
            b'1' => national_len == 10 || national_len == 11,
            b'2' | b'3' | b'7' => national_len == 11,
            _ => false,
        };
        let grouping_ok = if groups == 1 {
            !bracketed
        } else if international {
            (1..=6).contains(&first_len)
        } else {
            (3..=6).contains(&first_len)
        };
        if length_ok && grouping_ok && number_ends(b, q) {
            best = Some(q);
        }
        if national_len >= 11 {
            break;
        }
        if is_separator_before_digit(b, q) {
            q += 1;
        } else if !(bracketed && groups == 1 && is_digit_at(b, q)) {
            break;
        }
    }
    best
}

// ---------------------------------------------------------------------------------------
// Postcodes

fn find_postcodes(b: &[u8], hits: &mut Vec<Hit>) {
    // An outward code has a digit one or two bytes after its start (A9, AA9), and
    // `GIR 0AA` its 0 three or four after: only starts that near a digit are tried, in
    // order, none inside a postcode already found.
    let mut next = 0;
    for digit in (0..b.len()).filter(|&d| b[d].is_ascii_digit()) {
        for i in digit.saturating_sub(4).max(next)..digit {
            if b[i].is_ascii_alphabetic() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
                if let Some(end) = postcode_at(b, i) {
                    hits.push(Hit {
                        start: i,
                        rule: Rule::Postcode,
                        end,
                    });
                    next = end;
                    break;
                }
            }
        }
        next = next.max(digit);
    }
}

/// Letters allowed in each position of an outward code (A9, A99, AA9, AA99, A9A, AA9A)
/// and of an inward code (9AA).
const FIRST_LETTERS: u32 = letters(b"ABCDEFGHIJKLMNOPRSTUWYZ");
const SECOND_LETTERS: u32 = letters(b"ABCDEFGHKLMNOPQRSTUVWXY");
const THIRD_LETTERS_A9A: u32 = letters(b"ABCDEFGHJKPSTUW");
const FOURTH_LETTERS_AA9A: u32 = letters(b"ABEHMNPRVWXY");
const INWARD_LETTERS: u32 = letters(b"ABDEFGHJLNPQRSTUWXYZ");

/// `set` (capital letters) as a bit per letter, so that a look-up is one test.
const fn letters(set: &[u8]) -> u32 {
    let mut mask = 0;
    let mut k = 0;
    while k < set.len() {
        mask |= 1 << (set[k] - b'A');
        k += 1;
    }
    mask
}

fn in_set(c: u8, set: u32) -> bool {
    let c = c.to_ascii_uppercase();
    c.is_ascii_uppercase() && set & (1 << (c - b'A')) != 0
}

fn postcode_at(b: &[u8], i: usize) -> Option<usize> {
    for outward_len in 2..=4 {
        let Some(outward) = b.get(i..i + outward_len) else {
            break;
        };
        let girobank = outward.eq_ignore_ascii_case(b"GIR");
        if !girobank && !outward_is_valid(outward) {
            continue;
        }
        let mut j = i + outward_len;
        let spaced = b.get(j) == Some(&b' ');
        if spaced {
            j += 1;
        }
        let Some(inward) = b.get(j..j + 3) else {
            continue;
        };
        let inward_ok = if girobank {
            inward.eq_ignore_ascii_case(b"0AA")
        } else {
            inward_is_valid(inward) && !(spaced && is_lower_case_ordinal(inward))
        };
        if inward_ok && word_ends(b, j + 3) {
            return Some(j + 3);
        }
    }
    None
}

fn outward_is_valid(o: &[u8]) -> bool {
    let digit = |k: usize| o[k].is_ascii_digit();
    if !in_set(o[0], FIRST_LETTERS) {
        return false;
    }
    match o.len() {
        2 => digit(1),
        3 => {
            (digit(1) && digit(2))
                || (in_set(o[1], SECOND_LETTERS) && digit(2))
                || (digit(1) && in_set(o[2], THIRD_LETTERS_A9A))
        }
        4 => {
            in_set(o[1], SECOND_LETTERS)
                && digit(2)
                && (digit(3) || in_set(o[3], FOURTH_LETTERS_AA9A))
        }
        _ => false,
    }
}

fn inward_is_valid(w: &[u8]) -> bool {
    w[0].is_ascii_digit() && in_set(w[1], INWARD_LETTERS) && in_set(w[2], INWARD_LETTERS)
}

/// `3rd` in `ward b2 3rd floor`: an ordinal after a word, not an inward code.
fn is_lower_case_ordinal(w: &[u8]) -> bool {
    let suffix: &[u8] = match w[0] {
        b'1' => b"st",
        b'2' => b"nd",
        b'3' => b"rd",
        _ => b"th",
    };
    &w[1..3] == suffix
}

// ---------------------------------------------------------------------------------------
// Dates of birth

/// How far (in characters) a keyword may be from the date it labels.
const KEYWORD_REACH: usize = 20;

fn find_dates_of_birth(line: &str, hits: &mut Vec<Hit>) {
    let b = line.as_bytes();
    // Strong keywords (`DOB`, `born`, …) label a date on either side within
    // KEYWORD_REACH; weak ones (`b.`) only a date straight after them.
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    for (i, c) in b.iter().enumerate() {
        // Every keyword starts with a `b` or a `d`.
        if matches!(c.to_ascii_lowercase(), b'b' | b'd')
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            match keyword_at(b, i) {
                Some((end, true)) => strong.push((i, end)),
                Some((end, false)) => weak.push((i, end)),
                None => {}
            }
        }
    }
    if strong.is_empty() && weak.is_empty() {
        return;
    }
    let near = |from: usize, to: usize| {
        let gap = &line[from..to];
        gap.len() <= 4 * KEYWORD_REACH && gap.chars().count() <= KEYWORD_REACH
    };
    // Keywords are letters and dates start with a digit or a month, so they never
    // overlap: walk all three lists in order, each once. A keyword labels only the
    // nearest date on its side (`born 1/2/1941, seen 3/4/2026`).
    let dates = find_dates(b);
    let (mut s, mut w) = (0, 0);
    for (d, &(start, end)) in dates.iter().enumerate() {
        while s < strong.len() && strong[s].0 < start {
            s += 1;
        }
        while w < weak.len() && weak[w].0 < start {
            w += 1;
        }
        let previous_date_end = d.checked_sub(1).map_or(0, |p| dates[p].1);
        let next_date_start = dates.get(d + 1).map_or(usize::MAX, |next| next.0);
        let before = s > 0 && {
            let (k_start, k_end) = strong[s - 1];
            previous_date_end <= k_start && k_end <= start && near(k_end, start)
        };
        let after = strong
            .get(s)
            .is_some_and(|&(k, _)| k >= end && k < next_date_start && near(end, k));
        let initial = w > 0 && {
            let k = weak[w - 1].1;
            k <= start && start - k <= 2 && b[k..start].iter().all(u8::is_ascii_whitespace)
        };
        if before || after || initial {
            hits.push(Hit {
                start,
                rule: Rule::DateOfBirth,
                end,
            });
        }
    }
}

/// A keyword starting at `i` (the caller checks the word boundary before it): its end
/// and whether it is strong.
fn keyword_at(b: &[u8], i: usize) -> Option<(usize, bool)> {
    if starts_with_ignore_case(b, i, "d.o.b") {
        let end = if b.get(i + 5) == Some(&b'.') {
            i + 6
        } else {
            i + 5
        };
        return Some((end, true));
    }
    for word in ["dob", "born"] {
        if starts_with_ignore_case(b, i, word) && word_ends(b, i + word.len()) {
            return Some((i + word.len(), true));
        }
    }
    for phrase in [&["date", "of", "birth"][..], &["birth", "date"][..]] {
        if let Some(end) = phrase_at(b, i, phrase) {
            return Some((end, true));
        }
    }
    if starts_with_ignore_case(b, i, "b.") {
        return Some((i + 2, false));
    }
    None
}

/// `date of birth`, `date_of_birth`, `date-of-birth`, `dateofbirth`, any case.
fn phrase_at(b: &[u8], i: usize, words: &[&str]) -> Option<usize> {
    let mut p = i;
    for (k, word) in words.iter().enumerate() {
        if k > 0 && matches!(b.get(p), Some(b' ' | b'_' | b'-')) {
            p += 1;
        }
        if !starts_with_ignore_case(b, p, word) {
            return None;
        }
        p += word.len();
    }
    word_ends(b, p).then_some(p)
}

/// Every date on the line, as byte spans.
fn find_dates(b: &[u8]) -> Vec<(usize, usize)> {
    let mut dates = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = if b[i].is_ascii_digit() {
            i == 0 || !b[i - 1].is_ascii_digit()
        } else {
            b[i].is_ascii_alphabetic() && (i == 0 || !b[i - 1].is_ascii_alphabetic())
        };
        if starts {
            if let Some(end) = date_at(b, i) {
                dates.push((i, end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    dates
}

/// A date starting at `i`. Every form reads a bounded number of bytes.
fn date_at(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i)?.is_ascii_digit() {
        day_first_date_at(b, i).or_else(|| year_first_date_at(b, i))
    } else {
        month_first_date_at(b, i)
    }
}

fn year_is_plausible(year: u32) -> bool {
    (1800..=2099).contains(&year)
}

/// `1941-03-12`, `1941/3/12`, `1941.03.12`.
fn year_first_date_at(b: &[u8], i: usize) -> Option<usize> {
    if digit_run(b, i, 5) != 4 {
        return None;
    }
    let sep = *b.get(i + 4)?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let p = i + 5;
    let month_len = digit_run(b, p, 3);
    if !(1..=2).contains(&month_len) || b.get(p + month_len) != Some(&sep) {
        return None;
    }
    let q = p + month_len + 1;
    let day_len = digit_run(b, q, 3);
    if !(1..=2).contains(&day_len) {
        return None;
    }
    let (year, month, day) = (
        number_of(&b[i..i + 4]),
        number_of(&b[p..p + month_len]),
        number_of(&b[q..q + day_len]),
    );
    (year_is_plausible(year) && (1..=12).contains(&month) && (1..=31).contains(&day))
        .then_some(q + day_len)
}

/// `12/03/1941`, `12-03-41`, `12.3.1941`, `12 March 1941`, `12th of Mar. 1941`,
/// `12-Mar-1941`.
fn day_first_date_at(b: &[u8], i: usize) -> Option<usize> {
    let day_len = digit_run(b, i, 3);
    if !(1..=2).contains(&day_len) {
        return None;
    }
    let day = number_of(&b[i..i + day_len]);
    let p = i + day_len;
    let sep = *b.get(p)?;
    if matches!(sep, b'/' | b'-' | b'.') {
        let month_len = digit_run(b, p + 1, 3);
        if (1..=2).contains(&month_len) && b.get(p + 1 + month_len) == Some(&sep) {
            let month = number_of(&b[p + 1..p + 1 + month_len]);
            let q = p + 2 + month_len;
            let year_len = digit_run(b, q, 5);
            let year_ok = match year_len {
                2 => true,
                4 => year_is_plausible(number_of(&b[q..q + 4])),
                _ => false,
            };
            // Day first in the UK, but `03/12/1941` may be either way round.
            let parts_ok =
                (1..=31).contains(&day) && (1..=31).contains(&month) && day.min(month) <= 12;
            if year_ok && parts_ok {
                return Some(q + year_len);
            }
        }
    }
    if !(1..=31).contains(&day) {
        return None;
    }
    let mut q = skip_ordinal(b, p);
    q = skip_spaces_or_hyphens(b, q)?;
    if starts_with_ignore_case(b, q, "of ") {
        q += 3;
    }
    let (_, after_month) = month_name_at(b, q)?;
    q = after_month;
    if b.get(q) == Some(&b'.') {
        q += 1;
    }
    if b.get(q) == Some(&b',') {
        q += 1;
    }
    q = skip_spaces_or_hyphens(b, q)?;
    year_at(b, q)
}

/// `March 12, 1941`, `Mar 12th 1941`.
fn month_first_date_at(b: &[u8], i: usize) -> Option<usize> {
    let (_, mut q) = month_name_at(b, i)?;
    if b.get(q) == Some(&b'.') {
        q += 1;
    }
    q = skip_spaces_or_hyphens(b, q)?;
    let day_len = digit_run(b, q, 3);
    if !(1..=2).contains(&day_len) || !(1..=31).contains(&number_of(&b[q..q + day_len])) {
        return None;
    }
    q = skip_ordinal(b, q + day_len);
    if b.get(q) == Some(&b',') {
        q += 1;
    }
    q = skip_spaces_or_hyphens(b, q)?;
    year_at(b, q)
}

fn year_at(b: &[u8], q: usize) -> Option<usize> {
    (digit_run(b, q, 5) == 4 && year_is_plausible(number_of(&b[q..q + 4]))).then_some(q + 4)
}

fn skip_ordinal(b: &[u8], q: usize) -> usize {
    let suffix = ["st", "nd", "rd", "th"]
        .iter()
        .any(|s| starts_with_ignore_case(b, q, s));
    if suffix {
        q + 2
    } else {
        q
    }
}

/// One or two spaces or hyphens; `None` if there are none.
fn skip_spaces_or_hyphens(b: &[u8], q: usize) -> Option<usize> {
    let n = (0..2)
        .take_while(|k| matches!(b.get(q + k), Some(b' ' | b'-')))
        .count();
    (n > 0).then_some(q + n)
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month's name or abbreviation (`Mar`, `Sept`) as a whole word: its number and end.
fn month_name_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut n = 0;
    while n < 10 && b.get(i + n).is_some_and(u8::is_ascii_alphabetic) {
        n += 1;
    }
    if !(3..=9).contains(&n) {
        return None;
    }
    let word = std::str::from_utf8(&b[i..i + n]).ok()?.to_ascii_lowercase();
    let month = MONTHS
        .iter()
        .position(|m| *m == word || (word.len() == 3 && m.starts_with(word.as_str())))
        .or_else(|| (word == "sept").then_some(8))?;
    Some((month + 1, i + n))
}

/// A table whose header names date-of-birth columns: a CSV whose first line does
/// (every later line is a row), or a Markdown pipe table whose header line does (the
/// rows run until a line without `|`).
#[derive(Debug)]
struct DobTable {
    separator: u8,
    columns: Vec<usize>,
}

impl DobTable {
    /// The table that applies to the line after `line` (number `index`, from 0).
    fn after_line(current: Option<DobTable>, index: usize, line: &str) -> Option<DobTable> {
        match current {
            Some(table) if table.separator == b',' => Some(table),
            Some(table) if line.contains('|') => Some(table),
            _ => {
                let header = line.trim_start_matches('\u{feff}');
                [(b',', index == 0), (b'|', true)]
                    .into_iter()
                    .filter(|&(separator, allowed)| allowed && header.contains(separator as char))
                    .map(|(separator, _)| DobTable {
                        separator,
                        columns: dob_columns(header.as_bytes(), separator),
                    })
                    .find(|table| !table.columns.is_empty())
            }
        }
    }
}

/// The indices of the header cells that are date-of-birth keywords.
fn dob_columns(header: &[u8], separator: u8) -> Vec<usize> {
    cells(header, separator)
        .enumerate()
        .filter(|(_, (start, end))| {
            let cell = &header[*start..*end];
            keyword_at(cell, 0).is_some_and(|(len, strong)| strong && len == cell.len())
        })
        .map(|(index, _)| index)
        .collect()
}

fn find_dates_of_birth_in_column(b: &[u8], table: &DobTable, hits: &mut Vec<Hit>) {
    // `columns` is in increasing order: walk it alongside the cells.
    let mut columns = table.columns.iter().peekable();
    for (index, (start, end)) in cells(b, table.separator).enumerate() {
        if columns.next_if_eq(&&index).is_none() {
            continue;
        }
        if start < end && date_at(b, start) == Some(end) {
            hits.push(Hit {
                start,
                rule: Rule::DateOfBirth,
                end,
            });
        }
        if columns.peek().is_none() {
            return;
        }
    }
}

/// The cells of a table row, as byte spans trimmed of spaces, quotes and Markdown
/// emphasis. In a CSV (`,`) separators inside double quotes do not split.
fn cells(b: &[u8], separator: u8) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    let mut quoted = false;
    let mut i = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while i < b.len() {
            match b[i] {
                b'"' if separator == b',' => quoted = !quoted,
                c if c == separator && !quoted => {
                    let cell = trim_cell(b, start, i);
                    i += 1;
                    start = i;
                    return Some(cell);
                }
                _ => {}
            }
            i += 1;
        }
        done = true;
        Some(trim_cell(b, start, b.len()))
    })
}

fn trim_cell(b: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    let padding = |c: u8| matches!(c, b' ' | b'\t' | b'"' | b'*' | b'_' | b'`');
    while start < end && padding(b[start]) {
        start += 1;
    }
    while end > start && padding(b[end - 1]) {
        end -= 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule and text of every finding.
    fn found(text: &str) -> Vec<(Rule, String)> {
        scan(text).into_iter().map(|f| (f.rule, f.text)).collect()
    }

    fn found_rule(text: &str, rule: Rule) -> Vec<String> {
        scan(text)
            .into_iter()
            .filter(|f| f.rule == rule)
            .map(|f| f.text)
            .collect()
    }

    fn spaced(digits: &str, sep: &str) -> String {
        format!(
            "{}{sep}{}{sep}{}",
            &digits[..3],
            &digits[3..6],
            &digits[6..]
        )
    }

    const VALID_NHS: [&str; 6] = [
        "9434765919", // the NHS's published example
        "4857773457",
        "4010232137",
        "4505577104",
        "6400012346",
        "7123456785",
    ];
    const INVALID_NHS: [&str; 6] = [
        "9434765918", // wrong check digit
        "4857773456",
        "4010232138",
        "6400012345",
        "9991234560", // check digit would be 10: no valid number
        "1234567890",
    ];

    #[test]
    fn modulus_11_check() {
        for n in VALID_NHS {
            assert!(nhs_number_is_valid(n), "{n}");
            assert!(nhs_number_is_valid(&spaced(n, " ")), "{n}");
            assert!(nhs_number_is_valid(&spaced(n, "-")), "{n}");
        }
        for n in INVALID_NHS {
            assert!(!nhs_number_is_valid(n), "{n}");
        }
        assert!(!nhs_number_is_valid("943476591"));
        assert!(!nhs_number_is_valid("94347659190"));
        assert!(!nhs_number_is_valid("943476591x"));
        assert!(!nhs_number_is_valid(""));
        assert!(!nhs_number_is_valid("９４３４７６５９１９"));
    }

    #[test]
    fn check_digit_eleven_becomes_zero() {
        // Find nine digits whose weighted sum is a multiple of 11.
        let n = (400_000_000u32..400_001_000)
            .map(|p| p.to_string())
            .find(|p| {
                let sum: u32 = p
                    .bytes()
                    .enumerate()
                    .map(|(i, d)| u32::from(d - b'0') * (10 - i as u32))
                    .sum();
                sum.is_multiple_of(11)
            })
            .unwrap();
        assert!(nhs_number_is_valid(&format!("{n}0")));
        assert!(!nhs_number_is_valid(&format!("{n}1")));
    }

    #[test]
    fn nhs_numbers_in_every_written_form() {
        for n in VALID_NHS {
            for written in [n.to_string(), spaced(n, " "), spaced(n, "-")] {
                let text = format!("Patient {written} was seen.");
                assert_eq!(found(&text), [(Rule::NhsNumber, written.clone())], "{text}");
            }
        }
        for n in INVALID_NHS {
            for written in [n.to_string(), spaced(n, " "), spaced(n, "-")] {
                assert_eq!(found(&format!("Ref {written}.")), [], "{written}");
            }
        }
        assert_eq!(
            found("nhs_number,9434765919"),
            [(Rule::NhsNumber, "9434765919".into())]
        );
    }

    #[test]
    fn nhs_numbers_inside_longer_runs_are_not_flagged() {
        for text in [
            "19434765919",
            "94347659190",
            "x9434765919",
            "9434765919b",
            "0.9434765919",
            "9434765919.5",
            "1-943-476-5919",
            "943-476-5919-2",
            "943 476 59190",
            "1943 476 5919",
            "0000000000",
            "1111111111",
        ] {
            assert_eq!(
                found_rule(text, Rule::NhsNumber),
                Vec::<String>::new(),
                "{text}"
            );
        }
    }

    #[test]
    fn emails() {
        for email in [
            "jo.bloggs@nhs.net",
            "a.n.other+qi@example.org",
            "team@example.com",
            "x_y-z%1@mail.trust.example",
            "o'brien@nhs.net",
            "JO@NHS.UK",
            "josé@hôpital.fr",
        ] {
            let text = format!("Contact <{email}> or ask.");
            assert_eq!(found(&text), [(Rule::Email, email.to_string())], "{text}");
        }
        assert_eq!(
            found("mailto:jo@nhs.net."),
            [(Rule::Email, "jo@nhs.net".into())]
        );
        assert_eq!(found("_jo@nhs.net_"), [(Rule::Email, "jo@nhs.net".into())]);
        for text in [
            "@jane said",
            "jo@localhost",
            "serde@1.0.2",
            "![chart](img/run@2x.png)",
            "a@b.c",
            "jo@nhs..net",
            "jo@-nhs.net",
            "a @ b.com",
            "@@@@",
        ] {
            assert_eq!(
                found_rule(text, Rule::Email),
                Vec::<String>::new(),
                "{text}"
            );
        }
    }

    #[test]
    fn phone_numbers() {
        for phone in [
            "07700 900123",
            "07700 900 123",
            "07700-900-123",
            "07700900123",
            "020 7946 0958",
            "0161 496 0000",
            "01632 960123",
            "01632 96012",
            "0300 123 4567",
            "(020) 7946 0958",
            "(01632) 960123",
            "+44 20 7946 0958",
            "+44 (0)20 7946 0958",
            "+44(0)7700 900123",
            "+447700900123",
            "+44 7700 900123",
            "0044 20 7946 0958",
        ] {
            let text = format!("Call {phone} today.");
            assert_eq!(found(&text), [(Rule::Phone, phone.to_string())], "{text}");
        }
        // The number ends where the grouping does.
        assert_eq!(
            found_rule("Ring 020 7946 0958 12 times", Rule::Phone),
            ["020 7946 0958"]
        );
        for text in [
            "077009001234",    // 12 digits
            "107700900123",    // longer run
            "0800 123 4567",   // freephone, not a person
            "020 7946 095",    // too short
            "07700 90012",     // mobiles have 11 digits
            "01-03-2026 17",   // a date
            "0.07700900123",   // decimals
            "07 700 900 123",  // a two-digit first group is not phone-shaped
            "v07700900123",    // part of an identifier
            "0123-45-67-8901", // two-digit groups
            "+44 2",
        ] {
            assert_eq!(
                found_rule(text, Rule::Phone),
                Vec::<String>::new(),
                "{text}"
            );
        }
    }

    #[test]
    fn postcodes() {
        for postcode in [
            "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX",
            "sw1a 1aa", "m1 1ae", "SW1A1AA", "b338th", "B33 8TH", "GIR 0AA",
        ] {
            let text = format!("Lives at {postcode}, near the hospital.");
            assert_eq!(
                found(&text),
                [(Rule::Postcode, postcode.to_string())],
                "{text}"
            );
        }
        for text in [
            "SW1A", // outward only
            "Ward AB12 opened",
            "AB12",
            "SW1A 1CA",  // C is not an inward letter
            "M1 1AEX",   // too long
            "XSW1A 1AA", // inside a word
            "QA1 1AA",   // Q never starts a postcode
            "Ward b2 3rd floor",
            "b33 8th",   // the price of the line above
            "SW1A  1AA", // two spaces
            "SW1A-1AA",
        ] {
            assert_eq!(
                found_rule(text, Rule::Postcode),
                Vec::<String>::new(),
                "{text}"
            );
        }
    }

    #[test]
    fn dates_of_birth_need_a_keyword() {
        let dates = [
            "12/03/1941",
            "12-03-1941",
            "1941-03-12",
            "12 March 1941",
            "12 Mar 1941",
            "12th March 1941",
            "March 12, 1941",
            "12/03/41",
        ];
        let keyworded = [
            "DOB: {}",
            "dob {}",
            "D.O.B. {}",
            "d.o.b {}",
            "Date of birth: {}",
            "date_of_birth: {}",
            "Birth date {}",
            "born on {}",
            "Mrs X, b. {}",
            "{} (DOB)",
            "{}, born in Leeds",
        ];
        for date in dates {
            for template in keyworded {
                let text = template.replace("{}", date);
                assert_eq!(
                    found(&text),
                    [(Rule::DateOfBirth, date.to_string())],
                    "{text}"
                );
            }
            for text in [
                format!("Cycle started {date}."),
                format!("Audit b {date}"),
                format!("newborn checks from {date}"),
                format!("DOB field added to the form; first audit was on {date}"),
                format!("b. audit {date}"),
            ] {
                assert_eq!(found(&text), [], "{text}");
            }
        }
        // A keyword labels the nearest date only.
        assert_eq!(
            found_rule(
                "Born 1/2/1941, seen 3/4/2026 and 4/4/2026",
                Rule::DateOfBirth
            ),
            ["1/2/1941"]
        );
        assert_eq!(
            found_rule("Seen 3/4/2026; 1/2/1941 (DOB)", Rule::DateOfBirth),
            ["1/2/1941"]
        );
        for text in [
            "DOB 32/03/1941",
            "DOB 13/13/1941",
            "DOB 1941-13-12",
            "born in 1941",
        ] {
            assert_eq!(found(text), [], "{text}");
        }
    }

    #[test]
    fn dates_of_birth_in_a_csv_column() {
        let csv = "\u{feff}id,\"Date of Birth\",admitted\n1,12/03/1941,2026-01-05\n2,\"1950-07-01\",2026-01-06\n3,,2026-01-07\n";
        let f = scan(csv);
        let got: Vec<_> = f.iter().map(|f| (f.line, f.col, f.text.as_str())).collect();
        assert_eq!(got, [(2, 3, "12/03/1941"), (3, 4, "1950-07-01")]);
        assert!(f.iter().all(|f| f.rule == Rule::DateOfBirth));
        // Without a date-of-birth header nothing is flagged.
        assert_eq!(scan("id,admitted\n1,12/03/1941\n"), []);
        // A Markdown pipe table, up to its last row.
        let md = "Intro 12/03/1941\n\n| Bed | **DOB** | Seen |\n|---|---|---|\n| 4 | 12/03/1941 | 2026-03-02 |\n| 5 | `1 Mar 1950` | 2026-03-03 |\n\n| 6 | 12/03/1941 |\n";
        let got: Vec<_> = scan(md)
            .iter()
            .map(|f| (f.line, f.col, f.text.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (5, 7, "12/03/1941".to_string()),
                (6, 8, "1 Mar 1950".to_string())
            ]
        );
    }

    #[test]
    fn allow_marker() {
        let line = "jo@nhs.net 07700 900123 SW1A 1AA";
        assert_eq!(found(line).len(), 3);
        assert_eq!(found(&format!("{line} <!-- cyclebook:allow -->")), []);
        assert_eq!(
            found(&format!("{line} <!-- cyclebook:allow=email -->")),
            [
                (Rule::Phone, "07700 900123".into()),
                (Rule::Postcode, "SW1A 1AA".into())
            ]
        );
        assert_eq!(
            found(&format!("{line} <!-- cyclebook:allow=email, phone-->")),
            [(Rule::Postcode, "SW1A 1AA".into())]
        );
        assert_eq!(
            found(&format!("contact: {line} # cyclebook:allow=postcode,phone")),
            [(Rule::Email, "jo@nhs.net".into())]
        );
        // A CSV cell; another rule named is no help; a typo allows nothing.
        assert_eq!(found("DOB 12/03/1941,cyclebook:allow=date-of-birth"), []);
        assert_eq!(
            found("DOB 12/03/1941,cyclebook:allow=email"),
            [(Rule::DateOfBirth, "12/03/1941".into())]
        );
        assert_eq!(found(&format!("{line} cyclebook:allow=emial")).len(), 3);
        assert_eq!(found(&format!("{line} cyclebook:allowed")).len(), 3);
        // Only its own line.
        let text = format!("<!-- cyclebook:allow -->\n{line}");
        assert_eq!(scan(&text).len(), 3);
        assert!(scan(&text).iter().all(|f| f.line == 2));
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "---\ntitle: Café £5\n€ £12: email «jo@nhs.net», then 943 476 5919\r\n";
        let f = scan(text);
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].rule, f[0].line, f[0].col, f[0].len),
            (Rule::Email, 3, 15, 10)
        );
        assert_eq!(f[0].text, "jo@nhs.net");
        assert_eq!(
            (f[1].rule, f[1].line, f[1].col, f[1].len),
            (Rule::NhsNumber, 3, 33, 12)
        );
        assert_eq!(f[1].pos(), Pos::new(3, 33, 12));
        let line = text.lines().nth(2).unwrap();
        let shown: String = line.chars().skip(f[1].col - 1).take(f[1].len).collect();
        assert_eq!(shown, "943 476 5919");
    }

    #[test]
    fn no_false_positives_in_a_qi_note() {
        let note = "---
title: Cycle 3 - sepsis screening in ED
date: 2026-03-02
period: 2026-W10
status: done
tags: [sepsis, ed]
---
Between 2026-03-02 and 2026-03-15 (2026-W10 to 2026-W11) we screened 155 of 178
patients (87.1%, up from 72% in cycle 2). Huddles ran at 08:30 and 17:00 on Ward B12 3rd
floor; the laminated cards cost £1,234.50 (v2.1.0 of the form, PDSA ref 3.2). Median time
to antibiotics fell from 94 to 61 minutes; 12 patients were born before 1950 but that is
not recorded here. Next audit 02/04/2026, 10:00-11:30. See [run chart](charts/run@2x.png)
and @sam's comments. Target: 95% by 2026-06-30 (n=1,240 per quarter; 0.0512 p-value).
";
        assert_eq!(scan(note), []);
        let csv = "week,date,numerator,denominator,rate\n\
                   2026-W01,2026-01-05,12,190,0.0631578947\n\
                   2026-W02,2026-01-12,155,178,0.8707865168\n\
                   2026-W03,2026-01-19,0,0,\n\
                   2026-W04,2026-01-26,1240,1301,0.9531129900\n";
        assert_eq!(scan(csv), []);
    }

    #[test]
    fn findings_are_in_order_and_each_rule_is_named() {
        let text = "a 943 476 5919 b jo@nhs.net\nDOB 1941-03-12, SW1A 1AA, 07700 900123";
        let got: Vec<_> = scan(text)
            .iter()
            .map(|f| (f.line, f.col, f.rule.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, 3, "nhs-number"),
                (1, 18, "email"),
                (2, 5, "date-of-birth"),
                (2, 17, "postcode"),
                (2, 27, "phone"),
            ]
        );
        for rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.as_str()), Some(rule));
            assert!(!rule.description().is_empty());
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let samples = [
            "",
            "\n",
            "\r\n",
            "@",
            "é@",
            "@é",
            "+",
            "+4",
            "+44",
            "(",
            "(0",
            "(0)",
            "0044",
            "b.",
            "d.o.b",
            "DOB",
            "DOB 1",
            "12/",
            "12 Mar",
            "Mar 12",
            "cyclebook:allow=",
            "cyclebook:allow=,,,",
            "\"",
            ",\"",
            "SW1A ",
            "9434765919\u{0301}",
            "日本語@例え.テスト",
            "\u{feff}dob\n\u{feff}",
            "dob,born\n\"a,b\",12/03/1941",
        ];
        for s in samples {
            let _ = scan(s);
            // Every prefix, cut at every character boundary.
            for (i, _) in s.char_indices() {
                let _ = scan(&s[..i]);
            }
        }
    }

    #[test]
    fn findings_point_at_their_text_in_random_input() {
        // Pseudo-random lines from characters the matchers care about, checking that no
        // input panics and every finding's line:col:len shows exactly its text.
        let alphabet: Vec<char> = "0123456789 -/.,@+()_'\"abdehilmnorsAWBDOS:é£\r\n"
            .chars()
            .collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut total = 0;
        for _ in 0..3_000 {
            let len = (next() % 200) as usize;
            let mut text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            // Seed real identifiers in, so findings are common.
            if next() % 2 == 0 {
                text.insert_str(
                    0,
                    ["DOB 1/2/1941 ", "943 476 5919 ", "a@b.co ", "M1 1AE "][(next() % 4) as usize],
                );
            }
            for f in scan(&text) {
                total += 1;
                let line = text.split('\n').nth(f.line - 1).unwrap();
                let shown: String = line.chars().skip(f.col - 1).take(f.len).collect();
                assert_eq!(shown, f.text, "{text:?}");
            }
        }
        assert!(total > 1_000, "{total}");
    }

    #[test]
    fn a_ten_megabyte_line_scans_quickly() {
        let unit = "é DOB 12/03/1941 jo@nhs.net 943 476 5919 +44 (0)20 7946 0958 SW1A 1AA @@a@b. 0";
        let units = 10_000_000 / unit.len() + 1;
        let line = unit.repeat(units);
        let started = std::time::Instant::now();
        let findings = scan(&line);
        let elapsed = started.elapsed();
        assert_eq!(findings.len(), 5 * units);
        let last = findings.last().unwrap();
        let in_unit = unit[..unit.find("SW1A").unwrap()].chars().count();
        assert_eq!((last.rule, last.line), (Rule::Postcode, 1));
        assert_eq!(last.col, (units - 1) * unit.chars().count() + in_unit + 1);
        if !cfg!(debug_assertions) {
            assert!(elapsed.as_millis() < 1000, "took {elapsed:?}");
        }
        // Pathological runs: one long run of each kind of character.
        for c in ['1', '@', 'a', '0', ' ', '-', 'é', '.'] {
            let run: String = std::iter::repeat_n(c, 1_000_000).collect();
            let _ = scan(&run);
        }
        let _ = scan(&"a@".repeat(500_000));
        let _ = scan(&"0 ".repeat(500_000));
        let _ = scan(&"cyclebook:allow=email,".repeat(50_000));
    }
}
