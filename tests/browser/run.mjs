#!/usr/bin/env node
// Browser checks of a site built by cyclebook (issue 7), in Debian's Chromium driven by
// playwright-core, over a tiny local HTTP server.
//
//   node run.mjs SITE_DIR [--prefix /ward7/] [--screenshots DIR | --no-screenshots]
//                         [--no-crawl] [--axe-all] [--report FILE] [--search-query WORD]
//                         [--chromium PATH] [--serve [--port N]]
//
// --serve only serves the site (for a look in a browser) until interrupted.
//
// Checks: every page loads (crawl), navigation dashboard → cycle → measure → lesson via
// backlinks, charts render at 1280 px and 390 px with a text alternative (and what
// Chromium's accessibility tree makes of them), axe-core on one page per template
// (light and dark colour schemes), the 404 page, keyboard (skip link, visible focus),
// search (skipped while the site has none), screenshots, dark mode and print (a cycle
// on A4, black on white). Exits 1 if any check fails, 2 on a usage error.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- command line

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error(
    'usage: node run.mjs SITE_DIR [--prefix /sub/] [--screenshots DIR | --no-screenshots]\n' +
      '                   [--no-crawl] [--axe-all] [--report FILE] [--search-query WORD] [--chromium PATH] [--serve [--port N]]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    site: null,
    prefix: '/',
    screenshots: path.join(HERE, 'screenshots'),
    crawl: true,
    axeAll: false,
    report: null,
    searchQuery: null,
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--prefix') opts.prefix = value();
    else if (a === '--screenshots') opts.screenshots = path.resolve(value());
    else if (a === '--no-screenshots') opts.screenshots = null;
    else if (a === '--no-crawl') opts.crawl = false;
    else if (a === '--axe-all') opts.axeAll = true;
    else if (a === '--serve') opts.serveOnly = true;
    else if (a === '--port') opts.port = Number(value());
    else if (a === '--report') opts.report = path.resolve(value());
    else if (a === '--search-query') opts.searchQuery = value();
    else if (a === '--chromium') opts.chromium = value();
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (opts.site === null) opts.site = path.resolve(a);
    else usage(`unexpected argument ${a}`);
  }
  if (!opts.site) usage('no site folder given');
  if (!fs.existsSync(path.join(opts.site, 'index.html')))
    usage(`${opts.site} has no index.html: build the site first`);
  let p = opts.prefix.trim();
  if (!p.startsWith('/')) p = '/' + p;
  if (!p.endsWith('/')) p += '/';
  if (p.includes('..') || p.includes('//')) usage(`bad --prefix ${opts.prefix}`);
  opts.prefix = p;
  if (!fs.existsSync(opts.chromium)) usage(`no Chromium at ${opts.chromium} (apt-get install chromium)`);
  return opts;
}

// ---------------------------------------------------------------- static server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml',
  '.atom': 'application/atom+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
};

/** Serves `root` under `prefix` like GitHub Pages: `/x/` → `x/index.html`, `/x` → 301
 * to `/x/` when x is a folder, anything missing → the site's `404.html` with status 404,
 * and nothing outside `root` (`..`, encoded or not, and symlinks out are refused). */
function startServer(root, prefix, port = 0) {
  const rootReal = fs.realpathSync(root);
  const inside = (p) => p === rootReal || p.startsWith(rootReal + path.sep);
  const served = []; // [status, path] of every request, for the report

  const server = http.createServer((req, res) => {
    const send = (status, headers, body) => {
      served.push([status, req.url]);
      res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = (withSitePage) => {
      const page = path.join(rootReal, '404.html');
      if (withSitePage && fs.existsSync(page))
        send(404, { 'Content-Type': TYPES['.html'] }, fs.readFileSync(page));
      else send(404, { 'Content-Type': TYPES['.txt'] }, 'not found\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, { Allow: 'GET, HEAD', 'Content-Type': TYPES['.txt'] }, 'method not allowed\n');

    let url, pathname;
    try {
      url = new URL(req.url, 'http://localhost');
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return send(400, { 'Content-Type': TYPES['.txt'] }, 'bad request\n');
    }
    if (pathname.includes('\0') || pathname.includes('\\'))
      return send(400, { 'Content-Type': TYPES['.txt'] }, 'bad request\n');
    if (prefix !== '/' && pathname === prefix.slice(0, -1))
      return send(301, { Location: prefix + url.search }, '');
    if (!pathname.startsWith(prefix)) return notFound(false);

    const rel = pathname.slice(prefix.length);
    const target = path.resolve(rootReal, '.' + path.sep + rel);
    if (!inside(target)) return notFound(true);

    let file = target;
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      return notFound(true);
    }
    if (stat.isDirectory()) {
      if (!url.pathname.endsWith('/')) return send(301, { Location: url.pathname + '/' + url.search }, '');
      file = path.join(file, 'index.html');
    }
    let real;
    try {
      real = fs.realpathSync(file);
      if (!fs.statSync(real).isFile()) return notFound(true);
    } catch {
      return notFound(true);
    }
    if (!inside(real)) return notFound(true);
    const type = TYPES[path.extname(real).toLowerCase()] || 'application/octet-stream';
    const body = fs.readFileSync(real);
    send(200, { 'Content-Type': type, 'Content-Length': body.length }, body);
  });

  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ server, origin: `http://127.0.0.1:${port}`, served });
    });
  });
}

// ---------------------------------------------------------------- results

const checks = [];
function newCheck(name, title) {
  const c = { name, title, status: 'pass', failures: [], warnings: [], info: [], skipped: null };
  checks.push(c);
  return c;
}
const fail = (c, msg) => {
  c.status = 'fail';
  c.failures.push(msg);
};
const skip = (c, msg) => {
  if (c.status !== 'fail') c.status = 'skip';
  c.skipped = msg;
};

async function guarded(c, fn) {
  try {
    await fn();
  } catch (e) {
    fail(c, `unexpected error: ${e && e.stack ? e.stack.split('\n').slice(0, 4).join('\n    ') : e}`);
  }
}

// ---------------------------------------------------------------- browser helpers

// Without the background-networking flags Chromium keeps trying to reach Google's hosts,
// which a closed network refuses.
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const ITEM = /^(cycles|notes|measures|changes|aims)\/[^/]+\/$/;

let ORIGIN, PREFIX, BASE; // BASE = ORIGIN + PREFIX

/** The site-relative path of an absolute URL (`cycles/x/`), or null when it is not in the site. */
function siteRel(href) {
  let u;
  try {
    u = new URL(href, BASE);
  } catch {
    return null;
  }
  if (u.origin !== ORIGIN || !u.pathname.startsWith(PREFIX)) return null;
  return decodeURIComponent(u.pathname.slice(PREFIX.length));
}
const abs = (rel) => new URL(rel, BASE).href;
const show = (href) => {
  const r = siteRel(href);
  return r === null ? href : r === '' ? '(dashboard)' : r;
};

/** Records console errors, page errors, failed requests and HTTP errors of a page. */
function track(page, externalLog) {
  page.cbLog = [];
  page.on('console', (m) => {
    // A blocked outside request is reported once, by the no-external check.
    if (m.type() === 'error' && !m.text().includes('ERR_BLOCKED_BY_CLIENT'))
      page.cbLog.push({ kind: 'console error', text: m.text(), url: m.location()?.url || '' });
  });
  page.on('pageerror', (e) => page.cbLog.push({ kind: 'page error', text: String(e?.message || e) }));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText || '';
    if (why.includes('ERR_BLOCKED_BY_CLIENT')) return; // reported by the no-external check
    page.cbLog.push({ kind: 'request failed', text: `${r.url()} (${why})`, url: r.url() });
  });
  page.on('response', (r) => {
    if (r.status() >= 400)
      page.cbLog.push({
        kind: `HTTP ${r.status()}`,
        text: r.url(),
        url: r.url(),
        mainDocument: r.request().isNavigationRequest() && r.frame() === page.mainFrame(),
      });
  });
  return page;
}

async function newContext(browser, opts, external) {
  const ctx = await browser.newContext({
    viewport: opts.viewport || DESKTOP,
    isMobile: !!opts.mobile,
    hasTouch: !!opts.mobile,
    deviceScaleFactor: 1,
    colorScheme: opts.colorScheme || 'light',
    reducedMotion: 'reduce',
    javaScriptEnabled: opts.javaScriptEnabled !== false,
    bypassCSP: true, // so that axe-core can be injected whatever the page's policy
  });
  // Readers' pages load nothing from elsewhere: block and report any outside request.
  await ctx.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(ORIGIN + '/') || u === ORIGIN) return route.continue();
    let from = '';
    try {
      from = route.request().frame().url();
    } catch {}
    external.add(`${u} (from ${show(from)})`);
    return route.abort('blockedbyclient');
  });
  ctx.setDefaultTimeout(15000);
  ctx.setDefaultNavigationTimeout(20000);
  return ctx;
}

async function settle(page) {
  const scripts = await page.evaluate(() => document.scripts.length).catch(() => 0);
  if (scripts > 0) await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
}

/** Problems logged since `mark`, less the expected 404 of the main document. */
function problemsSince(page, mark, expectedStatus) {
  return page.cbLog.slice(mark).filter((p) => {
    if (expectedStatus === 404) {
      if (p.mainDocument && p.kind === 'HTTP 404') return false;
      if (p.kind === 'console error' && /status of 404/.test(p.text) && (p.url === page.url() || !p.url))
        return false;
    }
    return true;
  });
}

async function visit(page, url, expectedStatus = 200) {
  const mark = page.cbLog.length;
  const resp = await page.goto(url, { waitUntil: 'load' });
  await settle(page);
  return { status: resp ? resp.status() : 0, problems: problemsSince(page, mark, expectedStatus) };
}

async function clickAndWait(page, locator) {
  const mark = page.cbLog.length;
  const navResponse = page.waitForEvent('response', {
    predicate: (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame(),
    timeout: 15000,
  });
  await locator.click();
  const resp = await navResponse;
  await page.waitForLoadState('load');
  await settle(page);
  return { status: resp.status(), problems: problemsSince(page, mark, 200) };
}

const describeProblems = (problems) => problems.map((p) => `${p.kind}: ${p.text}`);

/** Anchors in `main` (or the body) whose target, relative to the site, matches `pattern`;
 * each is tagged `data-cbt="N"` so that it can be clicked by a locator. */
async function linksMatching(page, pattern, scopeSelector = 'main') {
  const found = await page.evaluate(
    ({ base, prefixPath, origin, source, scopeSelector }) => {
      const re = new RegExp(source);
      const scope = document.querySelector(scopeSelector) || document.body;
      const out = [];
      let n = 0;
      for (const a of scope.querySelectorAll('a[href]')) {
        const u = new URL(a.getAttribute('href'), document.baseURI);
        if (u.origin !== origin || !u.pathname.startsWith(prefixPath)) continue;
        const rel = decodeURIComponent(u.pathname.slice(prefixPath.length));
        if (!re.test(rel)) continue;
        const id = String(n++);
        a.setAttribute('data-cbt', id);
        out.push({ id, href: u.href.split('#')[0], rel, text: a.textContent.trim().replace(/\s+/g, ' ') });
      }
      return out;
    },
    { base: BASE, prefixPath: PREFIX, origin: ORIGIN, source: pattern.source, scopeSelector },
  );
  return found;
}

/** Note links in the page's backlinks section(s), each with whether its card says "Lesson". */
async function backlinkNotes(page) {
  return page.evaluate(
    ({ prefixPath, origin }) => {
      const isBacklinks = (el) => {
        const cls = `${el.getAttribute('class') || ''} ${el.id || ''} ${el.getAttribute('aria-labelledby') || ''}`;
        if (/backlink/i.test(cls)) return true;
        const h = el.querySelector('h2, h3, h4');
        return !!h && /^\s*(linked from|backlinks|links here|referenced (by|from|in)|mentioned (by|in))/i.test(h.textContent);
      };
      const sections = [...document.querySelectorAll('main section, main aside, main nav, main div')].filter(isBacklinks);
      const seen = new Set();
      const out = [];
      let n = 0;
      for (const s of sections)
        for (const a of s.querySelectorAll('a[href]')) {
          if (seen.has(a)) continue;
          seen.add(a);
          const u = new URL(a.getAttribute('href'), document.baseURI);
          if (u.origin !== origin || !u.pathname.startsWith(prefixPath)) continue;
          const rel = decodeURIComponent(u.pathname.slice(prefixPath.length));
          if (!/^notes\/[^/]+\/$/.test(rel)) continue;
          const card = a.closest('li, article, .card, tr') || a.parentElement;
          const id = `bl${n++}`;
          a.setAttribute('data-cbt', id);
          out.push({ id, href: u.href.split('#')[0], rel, text: a.textContent.trim(), lesson: /\blesson\b/i.test(card.textContent) });
        }
      return { sections: sections.length, notes: out };
    },
    { prefixPath: PREFIX, origin: ORIGIN },
  );
}

// ---------------------------------------------------------------- the checks

/** Every .html file of the site as a site-relative address (`x/index.html` → `x/`), but 404.html. */
function siteAddresses(site) {
  const files = [];
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) files.push(path.relative(site, p).split(path.sep).join('/'));
    }
  })(site);
  return files
    .filter((f) => f !== '404.html') // checked at a missing address instead
    .map((f) => (f === 'index.html' ? '' : f.endsWith('/index.html') ? f.slice(0, -'index.html'.length) : f));
}

async function crawlCheck(ctx, site) {
  const c = newCheck('crawl', 'every page loads with status 200 and no console errors');
  await guarded(c, async () => {
    const pages = siteAddresses(site);
    const page = track(await ctx.newPage(), ctx.external);
    let ok = 0;
    for (const rel of pages) {
      const { status, problems } = await visit(page, abs(rel));
      if (status !== 200) fail(c, `${rel || '(dashboard)'}: status ${status}`);
      for (const p of describeProblems(problems)) fail(c, `${rel || '(dashboard)'}: ${p}`);
      if (status === 200 && !problems.length) ok++;
    }
    c.info.push(`${ok} of ${pages.length} pages clean`);
    await page.close();
  });
}

/** Dashboard → a cycle → one of its measures → a lesson in that measure's backlinks. */
async function navigationCheck(ctx, state) {
  const c = newCheck('navigation', 'dashboard → a cycle → its measure → a lesson via backlinks');
  await guarded(c, async () => {
    // Find a route first, in a scratch page: a cycle on the dashboard whose measure has a
    // lesson among its backlinks.
    const probe = track(await ctx.newPage(), ctx.external);
    await visit(probe, BASE);
    const cycles = await linksMatching(probe, /^cycles\/[^/]+\/$/);
    if (!cycles.length) return fail(c, 'the dashboard links to no cycle page (cycles/ID/) inside <main>');
    let route = null;
    const tried = [];
    outer: for (const cy of uniqueBy(cycles, 'href').slice(0, 25)) {
      await visit(probe, cy.href);
      const measures = uniqueBy(await linksMatching(probe, /^measures\/[^/]+\/$/), 'href');
      for (const m of measures.slice(0, 10)) {
        await visit(probe, m.href);
        const { notes } = await backlinkNotes(probe);
        const lesson = notes.find((n) => n.lesson);
        tried.push(`${cy.rel} → ${m.rel}: ${notes.length} note backlinks, ${notes.filter((n) => n.lesson).length} lessons`);
        if (lesson) {
          route = { cycle: cy, measure: m, lesson };
          break outer;
        }
      }
    }
    await probe.close();
    if (!route) {
      fail(c, 'no cycle linked from the dashboard has a measure whose backlinks ("Linked from") include a lesson');
      c.info.push(...tried);
      return;
    }

    // Now walk it by clicking, as a reader would.
    const page = track(await ctx.newPage(), ctx.external);
    const step = (label, { status, problems }, expectedRel) => {
      const rel = siteRel(page.url());
      if (status !== 200) fail(c, `${label}: status ${status} at ${show(page.url())}`);
      if (expectedRel !== undefined && rel !== expectedRel)
        fail(c, `${label}: expected to arrive at ${expectedRel || '(dashboard)'}, arrived at ${show(page.url())}`);
      for (const p of describeProblems(problems)) fail(c, `${label} (${show(page.url())}): ${p}`);
    };
    step('dashboard', await visit(page, BASE), '');
    const h1 = async () => (await page.locator('h1').first().textContent({ timeout: 2000 }).catch(() => ''))?.trim();

    const cyc = (await linksMatching(page, /^cycles\/[^/]+\/$/)).find((l) => l.href === route.cycle.href);
    step('dashboard → cycle', await clickAndWait(page, page.locator(`[data-cbt="${cyc.id}"]`).first()), route.cycle.rel);
    if (!(await h1())) fail(c, `${route.cycle.rel} has no <h1>`);

    const mea = (await linksMatching(page, /^measures\/[^/]+\/$/)).find((l) => l.href === route.measure.href);
    step('cycle → measure', await clickAndWait(page, page.locator(`[data-cbt="${mea.id}"]`).first()), route.measure.rel);
    if (!(await h1())) fail(c, `${route.measure.rel} has no <h1>`);

    const les = (await backlinkNotes(page)).notes.find((n) => n.href === route.lesson.href);
    step('measure → lesson (backlinks)', await clickAndWait(page, page.locator(`[data-cbt="${les.id}"]`).first()), route.lesson.rel);
    const title = await h1();
    if (!title) fail(c, `${route.lesson.rel} has no <h1>`);
    c.info.push(`(dashboard) → ${route.cycle.rel} → ${route.measure.rel} → ${route.lesson.rel} ("${title}")`);
    state.cycle = route.cycle.rel;
    state.measure = route.measure.rel;
    state.lesson = route.lesson.rel;
    state.lessonTitle = title;
    await page.close();
  });
}

function uniqueBy(list, key) {
  const seen = new Set();
  return list.filter((x) => (seen.has(x[key]) ? false : (seen.add(x[key]), true)));
}

async function chartCheck(contexts, state) {
  const c = newCheck('charts', 'measure charts render at 1280×800 and 390×844 (SVG present, sized, with points)');
  await guarded(c, async () => {
    const probe = track(await contexts.desktop.newPage(), contexts.desktop.external);
    const { status } = await visit(probe, abs('measures/'));
    if (status !== 200) return fail(c, `measures/: status ${status}`);
    const measures = uniqueBy(await linksMatching(probe, /^measures\/[^/]+\/$/), 'rel').map((l) => l.rel);
    await probe.close();
    if (state.measure && !measures.includes(state.measure)) measures.unshift(state.measure);
    if (!measures.length) return fail(c, 'measures/ links to no measure page');
    if (!state.measure) state.measure = measures[0];

    for (const [label, ctx] of [
      ['1280', contexts.desktop],
      ['390', contexts.phone],
    ]) {
      const page = track(await ctx.newPage(), ctx.external);
      const wide = [];
      for (const rel of measures) {
        const { status, problems } = await visit(page, abs(rel));
        if (status !== 200) {
          fail(c, `${rel} @${label}: status ${status}`);
          continue;
        }
        for (const p of describeProblems(problems)) fail(c, `${rel} @${label}: ${p}`);
        const r = await page.evaluate(() => {
          const main = document.querySelector('main') || document.body;
          let chart = main.querySelector('svg.chart');
          if (!chart) {
            // The largest SVG in main that is not decoration.
            let best = 0;
            for (const s of main.querySelectorAll('svg')) {
              if (s.closest('[aria-hidden="true"]')) continue;
              const b = s.getBoundingClientRect();
              if (b.width * b.height > best) (best = b.width * b.height), (chart = s);
            }
          }
          if (!chart) return { found: false };
          const b = chart.getBoundingClientRect();
          // Data points are `.pt` (or `.point`, `[data-value]`); failing those, the shapes
          // of a `.series`/`.points` group. Annotation and note markers are not data.
          let pts = [...chart.querySelectorAll('.pt, .point, [data-value]')];
          const byClass = pts.length > 0;
          if (!byClass)
            pts = [...chart.querySelectorAll('.series circle, .series rect, .points circle, .points rect, .points path')];
          const visible = pts.filter((p) => {
            const pb = p.getBoundingClientRect();
            const cs = getComputedStyle(p);
            return pb.width > 0 && pb.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none' && cs.opacity !== '0';
          }).length;
          const labelledby = (chart.getAttribute('aria-labelledby') || '')
            .split(/\s+/)
            .filter(Boolean)
            .map((id) => document.getElementById(id)?.textContent || '')
            .join(' ');
          const name = (chart.getAttribute('aria-label') || labelledby || chart.querySelector(':scope > title')?.textContent || '').trim();
          // A chart with links (cycle markers) is not role="img" (an image may not hold
          // links) but a named graphic (the SVG's own role, graphics-document) or group:
          // its links need names, and the rest of the drawing (tick labels, point
          // tooltips) is hidden from screen readers, so that they hear the summary and
          // then the links.
          const links = [...chart.querySelectorAll('a')];
          const unnamedLinks = links.filter(
            (a) => !(a.getAttribute('aria-label') || a.querySelector(':scope > title')?.textContent || '').trim(),
          ).length;
          const exposedText = [...chart.querySelectorAll('text, title')].filter(
            (t) => t.parentElement !== chart && !t.closest('a') && !t.closest('[aria-hidden="true"]'),
          ).length;
          return {
            found: true,
            cls: chart.getAttribute('class') || '',
            width: Math.round(b.width),
            height: Math.round(b.height),
            right: Math.round(b.right),
            points: pts.length,
            visible,
            byClass,
            role: chart.getAttribute('role'),
            hidden: chart.getAttribute('aria-hidden') === 'true',
            links: links.length,
            unnamedLinks,
            exposedText,
            name,
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
          };
        });
        const where = `${rel} @${label}`;
        if (!r.found) {
          fail(c, `${where}: no chart <svg> in <main>`);
          continue;
        }
        if (!(r.width > 0 && r.height > 0)) fail(c, `${where}: chart SVG has size ${r.width}×${r.height}`);
        if (r.points === 0) fail(c, `${where}: chart SVG has no data points (.pt elements)`);
        else if (r.visible === 0) fail(c, `${where}: none of the chart's ${r.points} points is visible`);
        const graphic = r.role === null || r.role === 'group' || r.role === 'graphics-document' || r.role === 'document';
        if (!r.hidden && !((r.role === 'img' || (graphic && r.links)) && r.name))
          fail(c, `${where}: chart SVG has no text alternative (role="img", or its own role when it holds links, named by aria-label/aria-labelledby/<title>); role ${r.role}`);
        if (r.links && r.role === 'img')
          fail(c, `${where}: chart SVG is role="img" but holds ${r.links} link(s): an image may not contain interactive elements (axe nested-interactive)`);
        if (r.unnamedLinks) fail(c, `${where}: ${r.unnamedLinks} link(s) in the chart have no name (<title> or aria-label)`);
        if (graphic && r.exposedText)
          fail(c, `${where}: the chart holds links but ${r.exposedText} of its text/title elements outside them are not aria-hidden (screen readers would read tick labels)`);
        if (r.right > r.innerWidth + 1) wide.push(`${rel} (${r.width}px)`);
        if (r.scrollWidth > r.innerWidth + 1)
          c.warnings.push(`${where}: the page scrolls sideways (document ${r.scrollWidth}px wide in a ${r.innerWidth}px viewport)`);
        if (rel === state.measure) {
          c.info.push(`${where}: svg.${r.cls.split(' ').join('.')} ${r.width}×${r.height}px, ${r.points} points (${r.visible} visible)`);
          if (label === '1280') {
            // What a screen reader is given, from Chromium's accessibility tree: the
            // chart's name (its title and summary), then only its links.
            const ax = await chartAccessibility(page);
            const desc = await page.evaluate(() => document.querySelector('main svg.chart > desc')?.textContent.trim() || '');
            const firstSentence = desc.split(/(?<=\.)\s/)[0];
            if (!ax) fail(c, `${where}: the chart is not in the accessibility tree`);
            else {
              if (!ax.name) fail(c, `${where}: the chart has no accessible name (role ${ax.role})`);
              else if (firstSentence && !ax.name.includes(firstSentence.slice(0, 60)))
                fail(c, `${where}: the chart's accessible name does not include its summary ("${firstSentence.slice(0, 60)}…"): "${ax.name.slice(0, 160)}"`);
              const notLinks = ax.inside.filter((n) => n.role !== 'link');
              if (notLinks.length)
                fail(c, `${where}: screen readers get more than the chart's links inside it: ${notLinks.slice(0, 5).map((n) => `${n.role} "${n.name}"`).join(', ')}`);
              const unnamed = ax.inside.filter((n) => n.role === 'link' && !n.name);
              if (unnamed.length) fail(c, `${where}: ${unnamed.length} link(s) in the chart have no accessible name`);
              c.info.push(`${where}: read as ${ax.role} "${ax.name.slice(0, 60)}…", then ${ax.inside.length} link(s)${ax.inside[0] ? `, e.g. "${ax.inside[0].name}"` : ''}`);
            }
          }
        }
      }
      if (wide.length)
        c.warnings.push(`@${label}: charts wider than the ${label}px viewport (readers scroll sideways inside the figure): ${wide.join(', ')}`);
      await page.close();
    }
    c.info.push(`${measures.length} measure pages checked at both widths`);
  });
}

/** The first chart of the page in Chromium's accessibility tree: its role and name, and
 * the nodes a screen reader reaches inside it (links, and anything else that is not
 * inside a link; generic containers and text inside links are left out). */
async function chartAccessibility(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result } = await cdp.send('Runtime.evaluate', { expression: "document.querySelector('main svg.chart')" });
    if (!result.objectId) return null;
    const { node } = await cdp.send('DOM.describeNode', { objectId: result.objectId });
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const svg = nodes.find((n) => n.backendDOMNodeId === node.backendNodeId);
    if (!svg || svg.ignored) return null;
    const inside = [];
    const walk = (n) => {
      for (const id of n.childIds || []) {
        const child = byId.get(id);
        if (!child) continue;
        const role = child.role?.value || '';
        if (child.ignored || ['generic', 'none', 'InlineTextBox'].includes(role)) walk(child);
        else if (role === 'link') inside.push({ role, name: child.name?.value || '' });
        else if (role === 'StaticText' && !(child.name?.value || '').trim()) continue;
        else {
          inside.push({ role, name: child.name?.value || '' });
          walk(child);
        }
      }
    };
    walk(svg);
    return { role: svg.role?.value, name: svg.name?.value || '', inside };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** One page per template: name → site-relative address (null when the site has none). */
async function templatePages(ctx, state) {
  const probe = track(await ctx.newPage(), ctx.external);
  const first = async (listRel, pattern) => {
    const { status } = await visit(probe, abs(listRel));
    if (status !== 200) return null;
    const links = await linksMatching(probe, pattern);
    return links.length ? links[0].rel : null;
  };
  const exists = async (rel) => {
    const r = await fetch(abs(rel), { method: 'HEAD', redirect: 'manual' });
    return r.status === 200;
  };
  const pages = [
    ['dashboard', ''],
    ['cycles list', 'cycles/'],
    ['cycle', state.cycle || (await first('cycles/', /^cycles\/[^/]+\/$/))],
    ['notes list', 'notes/'],
    ['note', state.lesson || (await first('notes/', /^notes\/[^/]+\/$/))],
    ['measures list', 'measures/'],
    ['measure', state.measure || (await first('measures/', /^measures\/[^/]+\/$/))],
    ['changes list', 'changes/'],
    ['change', await first('changes/', /^changes\/[^/]+\/$/)],
    ['aims list', 'aims/'],
    ['aim', await first('aims/', /^aims\/[^/]+\/$/)],
    ['tags', 'tags/'],
    ['tag', await first('tags/', /^tags\/[^/]+\/$/)],
    ['recent', (await exists('recent/')) ? 'recent/' : null],
    ['search', state.search || ((await exists('search/')) ? 'search/' : null)],
    ['404', 'no-such-page-cyclebook-test/'],
  ];
  await probe.close();
  state.aim = pages.find(([n]) => n === 'aim')[1];
  return pages;
}

/** axe rules that fail whatever their impact: the page structure issue 7 asks for
 * (landmarks, one h1, headings in order, a way past the header). axe rates some of
 * them "moderate". */
const STRICT_RULES = new Set([
  'heading-order',
  'page-has-heading-one',
  'empty-heading',
  'landmark-one-main',
  'landmark-no-duplicate-main',
  'landmark-no-duplicate-banner',
  'landmark-no-duplicate-contentinfo',
  'landmark-unique',
  'region',
  'bypass',
  'skip-link',
]);

async function axeCheck(ctx, pages, all, basePath) {
  const c = newCheck(
    'axe',
    `axe-core: no serious or critical violations, nor any of ${[...STRICT_RULES].join(', ')}, on ${all ? 'every page' : 'one page per template'} (light and dark); no console errors in either`,
  );
  const minor = new Map(); // rule → {impact, help, pages:Set}
  const serious = new Map(); // rule|page|target → {v, template, rel, n, schemes}
  await guarded(c, async () => {
    const axeSource = fs.readFileSync(path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    const page = track(await ctx.newPage(), ctx.external);
    // The 404 page links its stylesheet absolutely, under base_url's path: when the site
    // is served elsewhere, fetch those from where the site is, so that axe sees the page
    // as readers of a correct deployment do (unstyled, it is judged on the browser's
    // default colours).
    if (basePath && basePath !== PREFIX)
      await page.route(
        (u) => u.origin === ORIGIN && u.pathname.startsWith(basePath),
        (route) => {
          const u = new URL(route.request().url());
          return route.continue({ url: ORIGIN + PREFIX + u.pathname.slice(basePath.length) + u.search });
        },
      );
    let runs = 0;
    for (const [template, rel] of pages) {
      if (rel === null) {
        if (template === 'recent' || template === 'search') c.info.push(`${template}: no such page in this site, not checked`);
        else fail(c, `${template}: could not find a page of this template to check`);
        continue;
      }
      const expected = template === '404' ? 404 : 200;
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        const { status, problems } = await visit(page, abs(rel), expected);
        if (status !== expected) {
          fail(c, `${template} (${rel || '(dashboard)'}): status ${status}, expected ${expected}`);
          break;
        }
        // (The 404 page's own links are checked, and excused when served elsewhere than
        // base_url, by the 404 check.)
        if (template !== '404')
          for (const p of describeProblems(problems)) fail(c, `${template} (${rel || '(dashboard)'}) in ${scheme}: ${p}`);
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(async () => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, { resultTypes: ['violations'] });
          return r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({
              target: n.target.map(String).join(' '),
              html: (n.html || '').replace(/\s+/g, ' ').slice(0, 140),
              summary: (n.failureSummary || '').replace(/\s+/g, ' ').trim(),
              data: n.any?.[0]?.data || null,
            })),
          }));
        });
        runs++;
        for (const v of result) {
          if (v.impact === 'serious' || v.impact === 'critical' || STRICT_RULES.has(v.id)) {
            for (const n of v.nodes) {
              const key = `${v.id}|${rel}|${n.target}`;
              const found = serious.get(key) || { v, template, rel, n, schemes: [] };
              let extra = '';
              if (v.id === 'color-contrast' && n.data && n.data.contrastRatio)
                extra = `${n.data.fgColor} on ${n.data.bgColor}: ${n.data.contrastRatio}:1, needs ${n.data.expectedContrastRatio}`;
              found.schemes.push(extra ? `${scheme}: ${extra}` : scheme);
              serious.set(key, found);
            }
          } else {
            const m = minor.get(v.id) || { impact: v.impact, help: v.help, pages: new Set(), targets: new Set() };
            m.pages.add(rel || '(dashboard)');
            v.nodes.slice(0, 3).forEach((n) => m.targets.add(n.target));
            minor.set(v.id, m);
          }
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.close();
    c.info.push(`${runs} axe runs (axe-core ${JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', 'axe-core', 'package.json'))).version})`);
    const byRule = new Map();
    for (const { v, template, rel, n, schemes } of serious.values()) {
      fail(c, `${v.id} (${v.impact}) on ${template} ${rel || '(dashboard)'} [${schemes.join('; ')}]: ${n.target} — ${v.help}\n        ${n.html}`);
      const r = byRule.get(v.id) || { impact: v.impact, help: v.help, url: v.helpUrl, pages: new Set(), nodes: 0 };
      r.pages.add(rel || '(dashboard)');
      r.nodes++;
      byRule.set(v.id, r);
    }
    for (const [id, r] of byRule)
      c.info.push(`${id} (${r.impact}): ${r.nodes} element(s) on ${r.pages.size} page(s): ${[...r.pages].join(', ')} — ${r.help} (${r.url})`);
    for (const [id, m] of minor)
      c.warnings.push(`${id} (${m.impact}, not failing): ${m.help} — on ${[...m.pages].join(', ')}; e.g. ${[...m.targets].slice(0, 3).join(' | ')}`);
  });
}

async function notFoundCheck(ctx, basePath) {
  const c = newCheck('404', 'a missing address gets the site\'s 404 page with status 404, and its links work');
  await guarded(c, async () => {
    const page = track(await ctx.newPage(), ctx.external);
    const mark = page.cbLog.length;
    const resp = await page.goto(abs('no-such-page-cyclebook-test/'), { waitUntil: 'load' });
    await settle(page);
    if (resp.status() !== 404) fail(c, `status ${resp.status()}, expected 404`);
    const mismatch = basePath && basePath !== PREFIX;
    const mismatched = new Set();
    const problems = problemsSince(page, mark, 404);
    for (const p of problems) {
      const under = p.url && mismatch && new URL(p.url).pathname.startsWith(basePath);
      if (under) mismatched.add(new URL(p.url).pathname);
      else fail(c, `${p.kind}: ${p.text}`);
    }
    if (!(await page.locator('h1').count())) fail(c, 'the 404 page has no <h1>');
    const hrefs = await page.evaluate(() =>
      [...document.querySelectorAll('a[href]')].map((a) => new URL(a.getAttribute('href'), document.baseURI).href),
    );
    const here = page.url().split('#')[0];
    for (const href of uniqueBy(hrefs.map((h) => ({ h })), 'h').map((x) => x.h)) {
      const u = new URL(href);
      if (u.origin !== ORIGIN || href.split('#')[0] === here) continue; // same-page anchors (the skip link)
      const r = await fetch(href.split('#')[0]);
      if (r.status !== 200) {
        if (mismatch && u.pathname.startsWith(basePath)) mismatched.add(u.pathname);
        else fail(c, `link on the 404 page to ${u.pathname}: status ${r.status}`);
      }
    }
    if (mismatched.size)
      c.warnings.push(
        `the 404 page's stylesheet and links are absolute to base_url's path ${basePath}, but the site is served at ${PREFIX}: ` +
          `${[...mismatched].join(', ')} unreachable here (expected for this deployment; serve at ${basePath} to check them)`,
      );
    await page.close();
  });
}

/** First Tab reaches a visible skip link to the main content; every early Tab stop shows focus. */
async function keyboardCheck(ctx) {
  const c = newCheck('keyboard', 'skip link first, and a visible focus indicator on the dashboard\'s first tab stops');
  await guarded(c, async () => {
    const page = track(await ctx.newPage(), ctx.external);
    await visit(page, BASE);
    // Styles of every focusable element while nothing has focus.
    await page.evaluate(() => {
      const props = ['outline-style', 'outline-width', 'outline-color', 'box-shadow', 'background-color', 'color', 'text-decoration-line', 'border-top-color', 'border-bottom-color', 'border-bottom-width'];
      window.__cbStyle = (el) => props.map((p) => getComputedStyle(el).getPropertyValue(p)).join('|');
      window.__cbBefore = new Map();
      for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]'))
        window.__cbBefore.set(el, window.__cbStyle(el));
    });
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      const r = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const b = el.getBoundingClientRect();
        const desc = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : '') + (el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : '');
        const before = window.__cbBefore.get(el);
        const outlineNow = getComputedStyle(el);
        const visibleRing =
          (outlineNow.outlineStyle !== 'none' && parseFloat(outlineNow.outlineWidth) > 0) || outlineNow.boxShadow !== 'none';
        return {
          desc,
          text: el.textContent.trim().slice(0, 40),
          href: el.getAttribute('href'),
          inView: b.width > 0 && b.height > 0 && b.bottom > 0 && b.right > 0 && b.top < innerHeight && b.left < innerWidth,
          changed: before === undefined ? true : before !== window.__cbStyle(el),
          visibleRing,
          targetExists: el.getAttribute('href')?.startsWith('#') ? !!document.getElementById(el.getAttribute('href').slice(1)) : null,
          targetIsMain: el.getAttribute('href')?.startsWith('#') ? document.getElementById(el.getAttribute('href').slice(1))?.tagName === 'MAIN' || !!document.getElementById(el.getAttribute('href').slice(1))?.closest('main') : null,
        };
      });
      if (!r) {
        fail(c, `Tab ${i + 1}: focus went nowhere`);
        break;
      }
      if (i === 0) {
        if (!(r.href && r.href.startsWith('#'))) fail(c, `the first Tab stop is ${r.desc} ("${r.text}"), not a skip link`);
        else {
          if (!r.targetExists) fail(c, `the skip link points at ${r.href}, which is not on the page`);
          else if (!r.targetIsMain) fail(c, `the skip link points at ${r.href}, which is not the main content`);
          if (!r.inView) fail(c, 'the skip link is not visible when it has focus');
          c.info.push(`skip link: ${r.desc} "${r.text}"`);
        }
      }
      if (!r.inView) fail(c, `Tab ${i + 1}: focused ${r.desc} is not visible in the viewport`);
      else if (!r.changed && !r.visibleRing) fail(c, `Tab ${i + 1}: focused ${r.desc} ("${r.text}") looks the same as when unfocused (no visible focus)`);
    }
    for (const p of describeProblems(page.cbLog)) fail(c, p);
    await page.close();
  });
}

async function screenshotCheck(contexts, state, dir) {
  const c = newCheck('screenshots', 'dashboard, a cycle, a measure and an aim, desktop (1280) and phone (390), full page');
  if (!dir) return skip(c, 'turned off (--no-screenshots)');
  await guarded(c, async () => {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.png') || f.endsWith('.pdf')) fs.unlinkSync(path.join(dir, f));
    const targets = [
      ['dashboard', ''],
      ['cycle', state.cycle],
      ['measure', state.measure],
      ['aim', state.aim],
    ];
    const shots = [
      ['desktop', contexts.desktop, 'light'],
      ['phone', contexts.phone, 'light'],
      ['desktop-dark', contexts.desktop, 'dark'],
      ['phone-dark', contexts.phone, 'dark'],
    ];
    let n = 0;
    const sameInDark = [];
    for (const [name, rel] of targets) {
      if (rel == null) {
        fail(c, `no ${name} page found to photograph`);
        continue;
      }
      for (const [label, ctx, scheme] of shots) {
        const page = track(await ctx.newPage(), ctx.external);
        await page.emulateMedia({ colorScheme: scheme });
        const { status } = await visit(page, abs(rel));
        if (status !== 200) fail(c, `${name} (${rel}): status ${status}`);
        const file = path.join(dir, `${name}-${label}.png`);
        await page.screenshot({ path: file, fullPage: true });
        if (scheme === 'dark') {
          const light = path.join(dir, `${name}-${label.replace('-dark', '')}.png`);
          if (fs.existsSync(light) && fs.readFileSync(light).equals(fs.readFileSync(file))) sameInDark.push(`${name}-${label}`);
        }
        n++;
        await page.close();
      }
    }
    c.info.push(`${n} screenshots in ${path.relative(process.cwd(), dir) || dir}`);
    if (sameInDark.length)
      fail(c, `no dark mode: with prefers-color-scheme: dark these look exactly as in light: ${sameInDark.join(', ')}`);
  });
}

/** The colours a page is drawn in under a colour scheme: body text and background, and
 * the fills of the first chart's points. */
async function schemeColours(page) {
  return page.evaluate(() => {
    const cs = getComputedStyle(document.body);
    const pt = document.querySelector('main svg.chart .pt');
    return { color: cs.color, background: cs.backgroundColor, point: pt ? getComputedStyle(pt).fill : null };
  });
}

/** The dark scheme follows the system setting, and a page prints as a clean record:
 * black on white on A4 (whatever the scheme), without navigation, skip link, search or
 * footer, charts at the page's width; the PDF and a picture of it go to `dir`. */
async function schemeAndPrintCheck(contexts, state, dir) {
  const c = newCheck('dark-and-print', 'dark mode follows the system setting (page and charts); a cycle prints on A4, black on white, charts included');
  await guarded(c, async () => {
    const ctx = contexts.desktop;
    // Dark mode: the page and the chart change colour with the setting.
    if (state.measure) {
      const page = track(await ctx.newPage(), ctx.external);
      const seen = {};
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme, media: 'screen' });
        const { status, problems } = await visit(page, abs(state.measure));
        if (status !== 200) fail(c, `${state.measure}: status ${status}`);
        for (const p of describeProblems(problems)) fail(c, `${state.measure} (${scheme}): ${p}`);
        seen[scheme] = await schemeColours(page);
      }
      const { light, dark } = seen;
      const lum = (rgb) => {
        const [r, g, b] = (rgb.match(/[\d.]+/g) || []).map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      if (light.background === dark.background || !(lum(dark.background) < lum(light.background)))
        fail(c, `${state.measure}: the page background does not darken in the dark scheme (${light.background} → ${dark.background})`);
      if (light.point && light.point === dark.point)
        fail(c, `${state.measure}: the chart's points keep their light-scheme colour in the dark scheme (${light.point})`);
      c.info.push(`${state.measure}: light ${light.color} on ${light.background}, dark ${dark.color} on ${dark.background}; chart points ${light.point} → ${dark.point}`);
      await page.close();
    }

    // Print: the cycle, and the measure and the lesson (which have charts), in both
    // schemes, laid out at the width of an A4 page's text (180 mm).
    if (!state.cycle) return fail(c, 'no cycle page found to print');
    const page = track(await ctx.newPage(), ctx.external);
    await page.setViewportSize({ width: 680, height: 1000 });
    const printed = [
      ['cycle', state.cycle],
      ['measure', state.measure],
      ['lesson', state.lesson],
    ].filter(([, rel]) => rel != null);
    for (const [what, rel] of printed)
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ media: 'print', colorScheme: scheme });
        const { status } = await visit(page, abs(rel));
        if (status !== 200) fail(c, `${rel}: status ${status}`);
        const r = await page.evaluate(() => {
          const shown = (sel) =>
            [...document.querySelectorAll(sel)].filter((el) => {
              const b = el.getBoundingClientRect();
              return getComputedStyle(el).display !== 'none' && b.width > 0 && b.height > 0;
            }).length;
          const body = getComputedStyle(document.body);
          const h1 = document.querySelector('h1');
          const charts = [...document.querySelectorAll('main svg.chart')].map((s) => Math.round(s.getBoundingClientRect().width));
          return {
            color: body.color,
            background: body.backgroundColor,
            h1: h1 ? getComputedStyle(h1).color : null,
            furniture: {
              navigation: shown('.site-header nav'),
              'skip link': shown('.skip'),
              search: shown('.site-header form, .site-header [role="search"], .site-header input'),
              footer: shown('.site-footer'),
              'history list': shown('.history details'),
              'ramp navigation': shown('.ramp-nav'),
            },
            headings: [...document.querySelectorAll('main h2')].map((h) => h.textContent.trim()),
            charts,
            mainWidth: Math.round(document.querySelector('main').getBoundingClientRect().width),
            scrollWidth: document.documentElement.scrollWidth,
          };
        });
        const where = `${rel} printed (${scheme} scheme)`;
        if (r.color !== 'rgb(0, 0, 0)' || !/^rgba?\(255, 255, 255/.test(r.background))
          fail(c, `${where}: text ${r.color} on ${r.background}, expected black on white`);
        if (r.h1 !== 'rgb(0, 0, 0)') fail(c, `${where}: the title is ${r.h1}, expected black`);
        for (const [part, n] of Object.entries(r.furniture)) if (n) fail(c, `${where}: the ${part} is printed`);
        for (const w of r.charts) if (w === 0 || w > r.mainWidth + 1) fail(c, `${where}: a chart is ${w}px wide in a ${r.mainWidth}px page`);
        if (what !== 'cycle' && !r.charts.length) fail(c, `${where}: no chart is printed`);
        if (r.scrollWidth > 681) fail(c, `${where}: the page is ${r.scrollWidth}px wide, wider than an A4 page's 680px of text`);
        if (scheme === 'light') {
          const pdsa = what === 'cycle' ? `; ${['Plan', 'Do', 'Study', 'Act'].filter((h) => r.headings.includes(h)).length} of Plan/Do/Study/Act` : '';
          c.info.push(`${rel} printed: sections ${r.headings.join(', ')}${pdsa}; ${r.charts.length} chart(s)${r.charts.length ? ` ${r.charts.join(', ')}px wide of ${r.mainWidth}px` : ''}`);
        }
      }
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    await visit(page, abs(state.cycle));
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: false });
    const sizes = [...pdf.toString('latin1').matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const pages = sizes.length;
    const a4 = sizes.every(([w, h]) => Math.abs(w - 595.28) < 2 && Math.abs(h - 841.89) < 2);
    if (!pages) c.warnings.push('could not count the pages of the PDF');
    else if (!a4) fail(c, `${state.cycle} printed: pages are ${sizes[0].join('×')} pt, expected A4 (595×842 pt)`);
    c.info.push(`${state.cycle} prints on ${pages || '?'} A4 page(s)`);
    if (dir) {
      fs.writeFileSync(path.join(dir, 'cycle-print.pdf'), pdf);
      await page.screenshot({ path: path.join(dir, 'cycle-print.png'), fullPage: true });
      c.info.push(`cycle-print.pdf and cycle-print.png in ${path.relative(process.cwd(), dir) || dir}`);
    }
    await page.close();
  });
}

/** Finds the search page: a link to search/ anywhere on the dashboard, or a search/ page. */
async function findSearch(ctx) {
  const page = track(await ctx.newPage(), ctx.external);
  await visit(page, BASE);
  const links = await linksMatching(page, /^search\/?(index\.html)?$/, 'body');
  const hasField = await page.locator('input[type="search"], [role="search"] input').count();
  await page.close();
  if (links.length) return links[0].rel;
  const r = await fetch(abs('search/'), { method: 'HEAD' });
  if (r.status === 200) return 'search/';
  if (hasField) return '';
  return null;
}

async function searchCheck(contexts, state) {
  const c = newCheck('search', 'search: type a query, follow a result; without JavaScript the page offers tag and kind listings');
  await guarded(c, async () => {
    const rel = await findSearch(contexts.desktop);
    if (rel === null) return skip(c, 'search not built yet: no search/ page, no link to one and no search field on the dashboard');
    state.search = rel;
    const page = track(await contexts.desktop.newPage(), contexts.desktop.external);
    let bytes = 0;
    page.on('requestfinished', async (r) => {
      try {
        bytes += (await r.sizes()).responseBodySize;
      } catch {}
    });
    const loaded = await visit(page, abs(rel));
    if (loaded.status !== 200) return fail(c, `${rel}: status ${loaded.status}`);
    for (const p of describeProblems(loaded.problems)) fail(c, `${rel || '(dashboard)'}: ${p}`);
    const pageBytes = bytes;
    const field = page.locator('input[type="search"], [role="search"] input:not([type="hidden"]), input[name="q"], input[name="query"]').first();
    if (!(await field.count())) return fail(c, `${rel}: no search field (input[type=search])`);

    const query =
      state.searchQuery ||
      (state.lessonTitle || '')
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter((w) => w.length >= 5)
        .sort((a, b) => b.length - a.length)[0] ||
      'huddle';
    await page.evaluate(() => document.querySelectorAll('a[href]').forEach((a) => a.setAttribute('data-cbt-before', '')));
    const mark = page.cbLog.length;
    bytes = 0;
    await field.fill(query);
    const newResults = () =>
      page.evaluate(
        ({ prefixPath, origin }) =>
          [...document.querySelectorAll('a[href]:not([data-cbt-before])')]
            .map((a, i) => {
              const u = new URL(a.getAttribute('href'), document.baseURI);
              if (u.origin !== origin || !u.pathname.startsWith(prefixPath)) return null;
              const rel = decodeURIComponent(u.pathname.slice(prefixPath.length));
              if (!/^(cycles|notes|measures|changes|aims)\/[^/]+\/$/.test(rel)) return null;
              a.setAttribute('data-cbt', `r${i}`);
              return { id: `r${i}`, rel, text: a.textContent.trim().slice(0, 80) };
            })
            .filter(Boolean),
        { prefixPath: PREFIX, origin: ORIGIN },
      );
    let results = [];
    for (let t = 0; t < 30 && !results.length; t++) {
      await page.waitForTimeout(100);
      results = await newResults();
    }
    if (!results.length) {
      // A form that submits: press Enter and wait for the results page.
      await Promise.all([page.waitForLoadState('load'), field.press('Enter')]);
      for (let t = 0; t < 50 && !results.length; t++) {
        await page.waitForTimeout(100);
        results = await newResults().catch(() => []);
      }
    }
    for (const p of describeProblems(problemsSince(page, mark, 200))) fail(c, `typing "${query}": ${p}`);
    c.info.push(`query "${query}": ${results.length} result links, ${Math.round(bytes / 1024)} KiB downloaded for the query (the page itself: ${Math.round(pageBytes / 1024)} KiB)`);
    if (!results.length) fail(c, `query "${query}" shows no result linking to an item page`);
    else {
      const nav = await clickAndWait(page, page.locator(`[data-cbt="${results[0].id}"]`).first());
      if (nav.status !== 200) fail(c, `following result ${results[0].rel}: status ${nav.status}`);
      if (siteRel(page.url()) !== results[0].rel) fail(c, `following result ${results[0].rel} arrived at ${show(page.url())}`);
      for (const p of describeProblems(nav.problems)) fail(c, `result page ${results[0].rel}: ${p}`);
      c.info.push(`followed "${results[0].text}" → ${results[0].rel}`);
    }
    await page.close();

    // Without JavaScript: the page still leads to the tag and kind listings.
    const nojs = track(await contexts.nojs.newPage(), contexts.nojs.external);
    const r = await visit(nojs, abs(rel));
    if (r.status !== 200) fail(c, `${rel} without JavaScript: status ${r.status}`);
    const tags = await linksMatching(nojs, /^tags\//);
    const kinds = await linksMatching(nojs, /^(cycles|notes|measures|changes|aims)\/$/);
    if (!tags.length) fail(c, `${rel} without JavaScript: <main> has no links to tag listings (tags/…)`);
    if (!kinds.length) fail(c, `${rel} without JavaScript: <main> has no links to kind listings (cycles/, notes/, …)`);
    await nojs.close();
  });
}

// ---------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const { server, origin, served } = await startServer(opts.site, opts.prefix, opts.port || 0);
  ORIGIN = origin;
  PREFIX = opts.prefix;
  BASE = origin + PREFIX;

  // The path of the site's base_url, from the dashboard's canonical link (the 404 page's
  // links are absolute to it).
  const indexHtml = fs.readFileSync(path.join(opts.site, 'index.html'), 'utf8');
  const canonical = /<link[^>]+rel="canonical"[^>]+href="([^"]+)"/.exec(indexHtml)?.[1];
  const basePath = canonical ? new URL(canonical, 'http://x/').pathname : null;

  if (opts.serveOnly) {
    console.log(`serving ${opts.site} at ${BASE} (Ctrl-C to stop)`);
    return;
  }
  console.log(`cyclebook browser checks: ${opts.site}`);
  console.log(`  served at ${BASE} (base_url path: ${basePath ?? 'unknown'}), Chromium ${opts.chromium}`);

  const browser = await chromium.launch({ executablePath: opts.chromium, args: LAUNCH_ARGS, headless: true });
  const mk = async (o) => {
    const external = new Set();
    const ctx = await newContext(browser, o, external);
    ctx.external = external;
    return ctx;
  };
  const contexts = {
    desktop: await mk({ viewport: DESKTOP }),
    phone: await mk({ viewport: PHONE, mobile: true }),
    nojs: await mk({ viewport: DESKTOP, javaScriptEnabled: false }),
  };
  const state = { searchQuery: opts.searchQuery };

  try {
    if (opts.crawl) await crawlCheck(contexts.desktop, opts.site);
    await navigationCheck(contexts.desktop, state);
    await chartCheck(contexts, state);
    await searchCheck(contexts, state);
    const pages = await templatePages(contexts.desktop, state);
    if (opts.axeAll) {
      // Every page, not only one per template: content (task lists, tables, embedded
      // charts) brings its own markup.
      const have = new Set(pages.map(([, rel]) => rel));
      for (const rel of siteAddresses(opts.site))
        if (!have.has(rel)) pages.push([rel.split('/').length > 2 ? rel.split('/')[0].replace(/s$/, '') : 'page', rel]);
    }
    await axeCheck(contexts.desktop, pages, opts.axeAll, basePath);
    await notFoundCheck(contexts.desktop, basePath);
    await keyboardCheck(contexts.desktop);
    await screenshotCheck(contexts, state, opts.screenshots);
    await schemeAndPrintCheck(contexts, state, opts.screenshots);

    const external = new Set([...contexts.desktop.external, ...contexts.phone.external, ...contexts.nojs.external]);
    const ext = newCheck('no-external', 'pages load nothing from other hosts');
    for (const u of external) fail(ext, `blocked request to ${u}`);
  } finally {
    await browser.close();
    server.close();
  }

  // ---- summary
  const mark = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };
  console.log('');
  for (const c of checks) {
    console.log(`${mark[c.status]}  ${c.name}: ${c.title}`);
    if (c.skipped) console.log(`      skipped: ${c.skipped}`);
    for (const i of c.info) console.log(`      ${i}`);
    for (const w of c.warnings) console.log(`      warning: ${w}`);
  }
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.length) {
    console.log('\nFailures:');
    for (const c of failed) {
      console.log(`  [${c.name}] ${c.failures.length} problem(s)`);
      for (const f of c.failures) console.log(`    - ${f}`);
    }
  }
  if (opts.report) {
    fs.mkdirSync(path.dirname(opts.report), { recursive: true });
    fs.writeFileSync(
      opts.report,
      JSON.stringify({ site: opts.site, served_at: BASE, checks, requests: served.length }, null, 2) + '\n',
    );
    console.log(`\nreport: ${opts.report}`);
  }
  const count = (s) => checks.filter((c) => c.status === s).length;
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`browser: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
