/* cyclebook search: runs on /search/, reading the sharded index that
   src/render/search.rs writes under search/ (meta.json, shards/, docs/, filters/).
   Fetches only what a query needs, from this site only. Without JavaScript the page
   keeps its kind and tag listings. */
(function () {
  'use strict';
  const app = document.getElementById('search-app');
  if (!app || !window.fetch || !window.Map || !''.normalize || !window.URL) return;

  // Addresses come from the page's own root, so the site works from any folder.
  const root = app.getAttribute('data-root') || '';
  const indexBase = new URL(app.getAttribute('data-index') || root + 'search/', document.baseURI);
  const form = app.querySelector('form');
  const input = document.getElementById('search-q');
  const count = document.getElementById('search-count');
  const results = document.getElementById('search-results');
  const filters = {
    kind: document.getElementById('search-kind'),
    tag: document.getElementById('search-tag'),
    status: document.getElementById('search-status-filter'),
    team: document.getElementById('search-team'),
  };
  const FIRST = 20; // results shown at first
  const AT_LEAST = 3; // of each kind that matches, among those
  const MORE = 10; // added by "Show more"
  const MAX_PREFIX_SHARDS = 6;

  let SPLIT, MARKS, NUMBER, WORDISH;
  try {
    SPLIT = new RegExp('[^\\p{Alphabetic}\\p{N}]+', 'u');
    WORDISH = new RegExp('([\\p{Alphabetic}\\p{N}\\p{M}]+)', 'u');
    MARKS = new RegExp('\\p{M}', 'gu');
    NUMBER = new RegExp('^\\p{N}+$', 'u');
  } catch (e) {
    // Browsers without Unicode property escapes: near enough for Latin scripts.
    SPLIT = /[^0-9a-z\u00aa-\u02af\u0370-\u1fff\u3040-\uffef]+/;
    WORDISH = /([0-9A-Za-z\u00aa-\u02af\u0300-\u036f\u0370-\u1fff\u3040-\uffef]+)/;
    MARKS = /[\u0300-\u036f]/g;
    NUMBER = /^[0-9]+$/;
  }

  // ---------------------------------------------------------------- fetching

  const cache = new Map();
  function load(path) {
    const url = new URL(path, indexBase).href;
    if (!cache.has(url)) {
      cache.set(
        url,
        fetch(url)
          .then((r) => {
            if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
            return r.json();
          })
          .catch((e) => {
            cache.delete(url); // so that a later search tries again
            throw e;
          }),
      );
    }
    return cache.get(url);
  }

  let meta = null;
  let stop, folds, foldPattern, shardKeys, longestKey;
  async function loadMeta() {
    if (meta) return meta;
    const m = await load('meta.json');
    if (!meta) {
      stop = new Set(m.words.stop);
      folds = m.words.folds;
      const from = Object.keys(folds);
      foldPattern = from.length ? new RegExp(`[${from.join('')}]`, 'gu') : null;
      shardKeys = new Set(m.shards);
      longestKey = m.shards.reduce((n, k) => Math.max(n, Array.from(k).length), 0);
      meta = m;
    }
    return meta;
  }

  // ---------------------------------------------------------------- words

  /** The folded form of a piece of text: lowercase, no accents, folds applied. */
  function fold(text) {
    let s = text.toLowerCase().normalize('NFD').replace(MARKS, '');
    if (foldPattern) s = s.replace(foldPattern, (c) => folds[c]);
    return s;
  }

  /** The searchable words of `text`, as the index has them (see search.rs). */
  function words(text) {
    const out = [];
    for (let w of fold(text).split(SPLIT)) {
      if (!w) continue;
      let chars = Array.from(w);
      if (chars.length > meta.words.max_chars) {
        chars = chars.slice(0, meta.words.max_chars);
        w = chars.join('');
      }
      if (chars.length === 1 && !NUMBER.test(w)) continue;
      if (stop.has(w)) continue;
      out.push(w);
    }
    return out;
  }

  /** The words of a query; the last is a prefix while it is still being typed. */
  function parseQuery(q) {
    const list = words(q);
    const raw = fold(q).split(SPLIT);
    const lastRaw = raw[raw.length - 1];
    const open = lastRaw !== '' && list.length > 0 && list[list.length - 1] === lastRaw;
    const last = list[list.length - 1];
    const prefix = open && Array.from(last).length >= meta.words.prefix_min;
    return { words: Array.from(new Set(list)), prefix: prefix ? last : null };
  }

  // ---------------------------------------------------------------- the index

  function shardFile(key) {
    if (/^[a-z0-9]+$/.test(key)) return key;
    let hex = 'x-';
    for (const b of new TextEncoder().encode(key)) hex += b.toString(16).padStart(2, '0');
    return hex;
  }

  /** The shard that holds `term`: the longest key that is a prefix of it. */
  function shardOf(term) {
    const chars = Array.from(term);
    for (let n = Math.min(chars.length, longestKey); n > 0; n--) {
      const key = chars.slice(0, n).join('');
      if (shardKeys.has(key)) return key;
    }
    return null;
  }

  /** The shards that may hold words starting with `prefix`. */
  function shardsFrom(prefix) {
    const keys = [];
    const own = shardOf(prefix);
    if (own !== null) keys.push(own);
    for (const key of meta.shards) if (key !== prefix && key.startsWith(prefix) && key !== own) keys.push(key);
    return keys;
  }

  const decoded = new Map();
  /** `[d0, w0, Δd1, w1, …]` → Map doc → weight. */
  function postings(key, term, list) {
    const id = key + '\u0000' + term;
    let m = decoded.get(id);
    if (!m) {
      m = new Map();
      let d = 0;
      for (let i = 0; i + 1 < list.length; i += 2) {
        d += list[i];
        m.set(d, list[i + 1]);
      }
      decoded.set(id, m);
    }
    return m;
  }

  function deltas(list) {
    const out = new Set();
    let d = 0;
    for (const x of list) {
      d += x;
      out.add(d);
    }
    return out;
  }

  /** Documents matching one word, with scores (weight × idf); a prefix also matches longer words. */
  async function match(word, asPrefix) {
    let keys = asPrefix ? shardsFrom(word) : [];
    if (!asPrefix || keys.length > MAX_PREFIX_SHARDS) {
      asPrefix = false;
      const own = shardOf(word);
      keys = own === null ? [] : [own];
    }
    const shards = await Promise.all(keys.map((k) => load(`shards/${shardFile(k)}.json`)));
    const scores = new Map();
    shards.forEach((shard, n) => {
      const terms = asPrefix ? Object.keys(shard).filter((t) => t.startsWith(word)) : word in shard ? [word] : [];
      for (const term of terms) {
        const docs = postings(keys[n], term, shard[term]);
        const idf = Math.log(1 + meta.docs / docs.size);
        // A longer word found by its start counts for less than the word itself.
        const factor = term === word ? 1 : 0.6;
        for (const [d, w] of docs) {
          const s = w * idf * factor;
          if (s > (scores.get(d) || 0)) scores.set(d, s);
        }
      }
    });
    return scores;
  }

  function kindOf(doc) {
    for (const k of meta.kinds) if (k.count && doc >= k.first && doc < k.first + k.count) return k;
    return null;
  }

  /** The filters chosen, as sets of documents (null: no filter). */
  async function filterSets(chosen) {
    const sets = [];
    if (chosen.kind) {
      const k = meta.kinds.find((x) => x.kind === chosen.kind);
      sets.push({ has: (d) => !!k && d >= k.first && d < k.first + k.count });
    }
    const files = [];
    for (const name of ['tag', 'status', 'team'])
      if (chosen[name]) files.push(load(`filters/${name}/${encodeURIComponent(chosen[name])}.json`));
    for (const list of await Promise.all(files)) {
      const set = deltas(list);
      sets.push({ has: (d) => set.has(d), set });
    }
    return sets;
  }

  async function search(q, chosen) {
    await loadMeta();
    const query = parseQuery(q);
    const sets = await filterSets(chosen);
    let ranked;
    if (query.words.length) {
      const perWord = await Promise.all(query.words.map((w) => match(w, w === query.prefix)));
      perWord.sort((a, b) => a.size - b.size);
      let scores = perWord[0];
      for (const other of perWord.slice(1)) {
        const next = new Map();
        for (const [d, s] of scores) {
          const t = other.get(d);
          if (t !== undefined) next.set(d, s + t);
        }
        scores = next;
      }
      ranked = [...scores].filter(([d]) => sets.every((f) => f.has(d)));
      ranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    } else if (sets.length) {
      // Filters alone: every document they allow, in site order.
      const base = sets.find((f) => f.set);
      const candidates = base ? [...base.set] : Array.from({ length: meta.docs }, (_, i) => i);
      ranked = candidates.filter((d) => sets.every((f) => f.has(d))).sort((a, b) => a - b).map((d) => [d, 0]);
    } else {
      ranked = null;
    }
    return { query, ranked };
  }

  // ---------------------------------------------------------------- showing results

  async function records(docs) {
    const chunks = await Promise.all(docs.map((d) => load(`docs/${Math.floor(d / meta.chunk)}.json`)));
    return docs.map((d, i) => chunks[i][d % meta.chunk]);
  }

  /** `text` as nodes, the words the query matched in <mark>. */
  function highlighted(text, query) {
    const frag = document.createDocumentFragment();
    const parts = text.split(WORDISH);
    parts.forEach((part, i) => {
      if (!part) return;
      if (i % 2 === 1) {
        const w = fold(part);
        const hit =
          query.words.indexOf(w) >= 0 || (query.prefix !== null && w.startsWith(query.prefix));
        if (hit) {
          const mark = document.createElement('mark');
          mark.textContent = part;
          frag.appendChild(mark);
          return;
        }
      }
      frag.appendChild(document.createTextNode(part));
    });
    return frag;
  }

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function resultItem(doc, rec, query) {
    const kind = kindOf(doc);
    const [title, url, summary, date, status] = rec;
    const li = el('li', 'search-result');
    const a = el('a', 'search-title');
    a.href = root + url;
    a.appendChild(highlighted(title, query));
    li.appendChild(a);
    const details = [kind ? singular(kind) : null, date, status].filter(Boolean);
    li.appendChild(el('p', 'search-meta', details.join(' · ')));
    if (summary) {
      const p = el('p', 'search-snippet');
      p.appendChild(highlighted(summary, query));
      li.appendChild(p);
    }
    return li;
  }

  const SINGULAR = { aim: 'Aim', change: 'Change idea', cycle: 'PDSA cycle', measure: 'Measure', note: 'Note' };
  const singular = (k) => SINGULAR[k.kind] || k.label;
  const NOUNS = {
    aim: ['aim', 'aims'],
    change: ['change idea', 'change ideas'],
    cycle: ['PDSA cycle', 'PDSA cycles'],
    measure: ['measure', 'measures'],
    note: ['note or lesson', 'notes and lessons'],
  };

  function plural(n, one, many) {
    return `${n.toLocaleString()} ${n === 1 ? one : many}`;
  }

  let generation = 0;

  async function show(q, chosen) {
    const mine = ++generation;
    let found;
    try {
      found = await search(q, chosen);
    } catch (e) {
      if (mine !== generation) return;
      results.textContent = '';
      count.textContent = 'Search is not available: its index could not be loaded.';
      return;
    }
    if (mine !== generation) return;
    const { query, ranked } = found;
    if (ranked === null) {
      results.textContent = '';
      count.textContent = q.trim() ? 'Type a longer word: very common words and single letters are not searched.' : '';
      return;
    }
    // By kind: the first results overall, and at least a few of each kind that matched.
    const byKind = new Map();
    for (const [d] of ranked) {
      const k = kindOf(d);
      if (!k) continue;
      if (!byKind.has(k.kind)) byKind.set(k.kind, { kind: k, docs: [], shown: 0 });
      byKind.get(k.kind).docs.push(d);
    }
    for (const g of byKind.values()) g.shown = Math.min(AT_LEAST, g.docs.length);
    let total = [...byKind.values()].reduce((n, g) => n + g.shown, 0);
    const seen = new Map();
    for (const [d] of ranked) {
      if (total >= FIRST) break;
      const k = kindOf(d);
      if (!k) continue;
      const g = byKind.get(k.kind);
      const place = seen.get(g) || 0; // how many of this kind rank above it
      seen.set(g, place + 1);
      if (place >= g.shown) {
        g.shown++;
        total++;
      }
    }
    const groups = [...byKind.values()]; // in order of each kind's best result
    const first = [];
    for (const g of groups) first.push(...g.docs.slice(0, g.shown));
    let recs;
    try {
      recs = await records(first);
    } catch (e) {
      if (mine !== generation) return;
      count.textContent = 'Search is not available: its index could not be loaded.';
      return;
    }
    if (mine !== generation) return;
    const recOf = new Map(first.map((d, i) => [d, recs[i]]));

    results.textContent = '';
    const described = describe(query, q, chosen);
    // Words that are all too common to search, with filters: say the words were left out.
    const ignored =
      q.trim() && !query.words.length ? 'Very common words and single letters are not searched. ' : '';
    if (!ranked.length) {
      count.textContent = `${ignored}No results ${described}.`;
      return;
    }
    count.textContent = `${ignored}${plural(ranked.length, 'result', 'results')} ${described}: ${groups
      .map((g) => plural(g.docs.length, ...(NOUNS[g.kind.kind] || [g.kind.label, g.kind.label])))
      .join(', ')}.`;
    for (const g of groups) {
      const section = el('section', 'search-group');
      const id = `results-${g.kind.kind}`;
      section.setAttribute('aria-labelledby', id);
      const h = el('h2', null, g.kind.label + ' ');
      h.id = id;
      h.appendChild(el('span', 'count', g.docs.length.toLocaleString()));
      section.appendChild(h);
      const list = el('ol', 'search-list');
      for (const d of g.docs.slice(0, g.shown)) list.appendChild(resultItem(d, recOf.get(d), query));
      section.appendChild(list);
      if (g.docs.length > g.shown) {
        const more = el('button', 'search-more');
        more.type = 'button';
        const label = () => `Show more ${(NOUNS[g.kind.kind] || [0, g.kind.label])[1]} (${g.shown} of ${g.docs.length.toLocaleString()} shown)`;
        more.textContent = label();
        more.addEventListener('click', async () => {
          const next = g.docs.slice(g.shown, g.shown + MORE);
          more.disabled = true;
          let nextRecs;
          try {
            nextRecs = await records(next);
          } catch (e) {
            more.disabled = false;
            return;
          }
          let firstNew = null;
          next.forEach((d, i) => {
            const li = resultItem(d, nextRecs[i], query);
            if (!firstNew) firstNew = li;
            list.appendChild(li);
          });
          g.shown += next.length;
          if (g.shown >= g.docs.length) more.remove();
          else {
            more.textContent = label();
            more.disabled = false;
          }
          if (firstNew) firstNew.querySelector('a').focus();
        });
        section.appendChild(more);
      }
      results.appendChild(section);
    }
  }

  /** What was searched for: `for “falls huddle” (tag: falls; cycle status: Done)`. */
  function describe(query, q, chosen) {
    const filtersChosen = [];
    for (const [name, select] of Object.entries(filters)) {
      if (!select || !chosen[name]) continue;
      const option = select.options[select.selectedIndex];
      const text = option ? option.textContent.replace(/\s*\([\d,.\s]+\)$/, '') : chosen[name];
      const label = document.querySelector(`label[for="${select.id}"]`);
      filtersChosen.push(`${label ? label.textContent.toLowerCase() : name}: ${text}`);
    }
    const parts = [];
    if (query.words.length) parts.push(`for “${q.trim()}”`);
    if (filtersChosen.length) parts.push(`(${filtersChosen.join('; ')})`);
    return parts.join(' ');
  }

  // ---------------------------------------------------------------- the form

  function chosenFilters() {
    const chosen = {};
    for (const [name, select] of Object.entries(filters)) chosen[name] = select ? select.value : '';
    return chosen;
  }

  /** Keeps the address in step with the form, so a search can be bookmarked or shared. */
  function remember(q, chosen) {
    if (!window.history || !history.replaceState) return;
    const url = new URL(location.href);
    url.search = '';
    if (q) url.searchParams.set('q', q);
    for (const [name, value] of Object.entries(chosen)) if (value) url.searchParams.set(name, value);
    history.replaceState(null, '', url.href);
  }

  function run() {
    const q = input.value;
    const chosen = chosenFilters();
    remember(q, chosen);
    return show(q, chosen);
  }

  let timer = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  for (const select of Object.values(filters)) if (select) select.addEventListener('change', run);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  // The index description is small: fetch it once the reader shows interest.
  input.addEventListener('focus', () => loadMeta().catch(() => {}), { once: true });

  // A search given in the address (the header's search form sends ?q=…).
  const params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  for (const [name, select] of Object.entries(filters)) {
    const value = params.get(name);
    if (select && value && [...select.options].some((o) => o.value === value)) select.value = value;
  }
  app.hidden = false;
  const note = document.getElementById('search-nojs');
  if (note) note.hidden = true;
  if (input.value || Object.values(chosenFilters()).some(Boolean)) run();
})();
