// pgcache console: a plain ES module, no build step. Everything it shows comes from the /v1 API,
// called with the user's own key; the server decides what that key may see and do.
//
// Rules kept throughout:
// - every value from the server (names, keys, values, tags, problem details) reaches the page
//   through textContent or createTextNode, never innerHTML: keys and values are chosen by callers;
// - the key lives in sessionStorage only (this tab, until it is closed or "Log out"), and travels
//   only in the Authorization header: never in a URL, a cookie or localStorage.
import uPlot from '/console/uplot.js';

const KEY_ITEM = 'pgcache.console.key';
const POLL_MS = 5000;
const NAMESPACES_POLL_MS = 30000; // /v1/namespaces scans the table: less often
const PAGE = 50;

const $ = (id) => document.getElementById(id);

const state = {
  me: null,          // GET /v1/me: any valid key may ask who it is
  admin: false,
  namespaces: [],    // GET /v1/namespaces (admin)
  stats: null,       // the last GET /v1/stats
  statsBefore: null, // the one before, for rates
  namespace: null, prefix: '', next: null,
  searchSeq: 0,      // answers of a search that a newer one replaced are dropped
  timers: [],
  charts: null,
};

// ---- DOM, text only ----

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function say(text, isError = false) {
  const m = $('message');
  m.textContent = text || '';
  m.classList.toggle('error', !!isError);
}

// ---- formatting ----

const fmtInt = (n) => (n == null ? '–' : Number(n).toLocaleString('en'));
const fmtRate = (n) => (n == null ? '–' : n < 10 ? n.toFixed(2) : n.toFixed(0));
const fmtRatio = (r) => (r == null ? '–' : (r * 100).toFixed(1) + ' %');
const fmtMs = (ms) => (ms == null ? '–' : ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

function fmtBytes(b) {
  if (b == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = Number(b);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}

function fmtSeconds(s) {
  if (s == null) return 'never expires';
  if (s === 0) return '0 s';
  const parts = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
  for (const [n, u] of parts) if (s % n === 0) return (s / n) + ' ' + u;
  return s + ' s';
}

function fmtTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString('en-GB', { hour12: false });
}

// ---- the API ----

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const key = sessionStorage.getItem(KEY_ITEM);
  const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
  if (key) headers.Authorization = 'Bearer ' + key;
  const response = await fetch(path, {
    method: options.method || 'GET', headers, body: options.body,
    credentials: 'omit', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer',
  });
  const text = await response.text();
  if (!response.ok) {
    let detail = response.status + ' ' + response.statusText;
    try {
      const p = JSON.parse(text);
      if (p && typeof p.detail === 'string') detail = p.detail;
    } catch (_) { /* not problem+json: keep the status line */ }
    throw new ApiError(response.status, detail);
  }
  return { text, json: () => (text ? JSON.parse(text) : null) };
}

const getJson = async (path) => (await api(path)).json();

// ---- login ----

async function login(key) {
  sessionStorage.setItem(KEY_ITEM, key);
  try {
    state.me = await getJson('/v1/me');
  } catch (e) {
    sessionStorage.removeItem(KEY_ITEM);
    throw e;
  }
  state.admin = state.me.scopes.includes('admin');
  if (!state.me.scopes.includes('read') && !state.admin) {
    sessionStorage.removeItem(KEY_ITEM);
    throw new ApiError(403, 'this key has neither the read nor the admin scope: the console has nothing to show it');
  }
  start();
}

function logout() {
  sessionStorage.removeItem(KEY_ITEM);
  state.timers.forEach(clearInterval);
  state.timers = [];
  location.replace('/console');
}

function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  const who = 'key ' + state.me.key + ' · ' + state.me.scopes.join(', ');
  $('who').textContent = who;
  $('overview').hidden = !state.admin;
  $('activity').hidden = !state.admin;
  $('status').hidden = !state.admin;
  $('browser').hidden = !state.me.scopes.includes('read'); // a key with admin alone reads no entries
  fillNamespaceChoices();
  if (state.admin) {
    setUpCharts();
    refreshNamespaces();
    refreshStats();
    refreshActivity();
    refreshStatus();
    state.timers.push(setInterval(refreshStats, POLL_MS));
    state.timers.push(setInterval(refreshActivity, POLL_MS));
    state.timers.push(setInterval(refreshStatus, POLL_MS));
    state.timers.push(setInterval(refreshNamespaces, NAMESPACES_POLL_MS));
  } else {
    $('overview-note').textContent = '';
  }
}

// ---- namespaces and counters (admin) ----

async function refreshNamespaces() {
  try {
    state.namespaces = (await getJson('/v1/namespaces')).namespaces || [];
    renderNamespaces();
    fillNamespaceChoices();
  } catch (e) {
    say('namespaces: ' + e.message, true);
  }
}

async function refreshStats() {
  try {
    const stats = await getJson('/v1/stats');
    state.statsBefore = state.stats;
    state.stats = Object.assign({ receivedAt: Date.now() }, stats);
    renderNamespaces();
  } catch (e) {
    say('stats: ' + e.message, true);
  }
}

/** Per second, from the last two polls of /v1/stats; null until there are two. */
function rate(ns, field) {
  const a = state.statsBefore && state.statsBefore.namespaces && state.statsBefore.namespaces[ns];
  const b = state.stats && state.stats.namespaces && state.stats.namespaces[ns];
  if (!a || !b || typeof a[field] !== 'number' || typeof b[field] !== 'number') return null;
  const seconds = (state.stats.receivedAt - state.statsBefore.receivedAt) / 1000;
  return seconds > 0 ? Math.max(0, b[field] - a[field]) / seconds : null;
}

// The counters the table has columns for; anything else /v1/stats says about a namespace (fields
// added later, such as evictions by cause) is shown as it comes, under "more".
const KNOWN_STATS = new Set(['hits', 'staleHits', 'misses', 'writes', 'invalidations', 'purged', 'evicted', 'hitRatio']);

function describeExtra(value) {
  if (value == null) return '–';
  if (typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => k + ' ' + (typeof v === 'object' ? JSON.stringify(v) : v)).join(', ');
  }
  return String(value);
}

function renderNamespaces() {
  const body = $('namespaces-table').tBodies[0];
  clear(body);
  const stats = (state.stats && state.stats.namespaces) || {};
  const settings = new Map(((state.me && state.me.namespaces) || []).map((n) => [n.name, n]));
  const names = new Set(state.namespaces.map((n) => n.name));
  Object.keys(stats).forEach((n) => names.add(n));
  const byName = new Map(state.namespaces.map((n) => [n.name, n]));
  for (const name of [...names].sort()) {
    const n = byName.get(name) || {};
    const s = stats[name] || {};
    const set = settings.get(name);
    const policy = n.policy || {};
    const extra = Object.entries(s).filter(([k]) => !KNOWN_STATS.has(k)).map(([k, v]) => k + ': ' + describeExtra(v));
    Object.entries(n).filter(([k]) => !['name', 'declared', 'entries', 'fresh', 'stale', 'gone', 'bytes', 'policy'].includes(k))
      .forEach(([k, v]) => extra.push(k + ': ' + describeExtra(v)));
    const open = el('button', { class: 'small', type: 'button', text: name, dataset: { namespace: name },
      on: { click: () => openNamespace(name) } });
    body.append(el('tr', { dataset: { namespace: name } },
      el('td', {}, open),
      el('td', { title: 'fresh ' + fmtInt(n.fresh) + ', stale ' + fmtInt(n.stale) + ', gone ' + fmtInt(n.gone) }, fmtInt(n.entries)),
      el('td', {}, fmtBytes(n.bytes)),
      el('td', {}, fmtRatio(s.hitRatio)),
      el('td', {}, fmtRate(rate(name, 'hits'))),
      el('td', {}, fmtRate(rate(name, 'misses'))),
      el('td', {}, fmtRate(rate(name, 'staleHits'))),
      el('td', {}, fmtInt(s.evicted)),
      el('td', {}, n.policy ? fmtSeconds(policy.ttlSeconds) : set ? fmtSeconds(set.ttlSeconds) : '–'),
      el('td', {}, n.policy ? fmtSeconds(policy.staleSeconds) : set ? fmtSeconds(set.staleSeconds) : '–'),
      el('td', {}, set ? (set.nearCache ? 'on' : 'off') : '–'),
      el('td', { class: 'wrap' }, set ? bounds(set) : '–'),
      el('td', { class: 'wrap' }, extra.join('; ') || '–')));
  }
  const since = state.stats && state.stats.since ? 'Counters since ' + fmtTime(state.stats.since) + ' (this replica). ' : '';
  $('overview-note').textContent = since + 'Entries and bytes scan the table (every 30 s); rates are between the last two polls.';
}

function bounds(n) {
  const b = [];
  if (n.maxEntries != null) b.push(fmtInt(n.maxEntries) + ' entries');
  if (n.maxBytes != null) b.push(fmtBytes(n.maxBytes));
  if (n.readThrough) b.push('read-through');
  return b.join(', ') || 'none';
}

function fillNamespaceChoices() {
  const list = $('namespace-list');
  clear(list);
  const names = new Set(((state.me && state.me.namespaces) || []).filter((n) => n.read).map((n) => n.name));
  if (state.me && state.me.scopes.includes('read')) state.namespaces.forEach((n) => names.add(n.name));
  [...names].sort().forEach((n) => list.append(el('option', { value: n })));
  if (!$('namespace').value && names.size > 0) $('namespace').placeholder = [...names].sort()[0];
}

// ---- the live chart (admin) ----

function setUpCharts() {
  if (state.charts) return;
  const width = () => Math.max(240, $('chart-rates').clientWidth || 600);
  const rates = new uPlot({
    width: width(), height: 200, title: 'reads per second',
    series: [{}, { label: 'hits', stroke: '#2a8f4f' }, { label: 'misses', stroke: '#c0392b' }, { label: 'stale', stroke: '#d68910' }],
    axes: [{}, { size: 50 }],
  }, [[], [], [], []], $('chart-rates'));
  const latency = new uPlot({
    width: width(), height: 200, title: 'latency of /v1 requests, ms',
    series: [{}, { label: 'p50', stroke: '#2a6fb0' }, { label: 'p99', stroke: '#7d3c98' }],
    axes: [{}, { size: 50 }],
  }, [[], [], []], $('chart-latency'));
  state.charts = { rates, latency };
  window.addEventListener('resize', () => {
    rates.setSize({ width: width(), height: 200 });
    latency.setSize({ width: width(), height: 200 });
  });
}

async function refreshActivity() {
  try {
    const samples = (await getJson('/v1/admin/activity')).samples || [];
    const t = samples.map((s) => Date.parse(s.at) / 1000);
    state.charts.rates.setData([t, samples.map((s) => s.hitsPerSecond), samples.map((s) => s.missesPerSecond),
      samples.map((s) => s.staleHitsPerSecond)]);
    state.charts.latency.setData([t, samples.map((s) => s.p50Ms), samples.map((s) => s.p99Ms)]);
  } catch (e) {
    say('activity: ' + e.message, true);
  }
}

// ---- purge and upstreams (admin) ----

async function refreshStatus() {
  try {
    const s = await getJson('/v1/admin/status');
    const p = s.purge || {};
    const meta = $('purge-meta');
    clear(meta);
    const holder = p.lockHolder
      ? 'pid ' + p.lockHolder.pid + ' (' + (p.lockHolder.applicationName || '?') + (p.lockHolder.clientAddress ? ' at ' + p.lockHolder.clientAddress : '')
        + '), since ' + fmtTime(p.lockHolder.since)
      : 'nobody (no batch running now)';
    const rows = [['enabled', p.enabled ? 'yes, every ' + fmtSeconds(p.intervalSeconds) : 'no'],
      ['last completed', fmtTime(p.lastCompletedAt)], ['last outcome', p.lastOutcome],
      ['lag', fmtSeconds(p.secondsSinceProgress) + ' since the last completed run'], ['lock holder', holder]];
    for (const [k, v] of rows) meta.append(el('dt', { text: k }), el('dd', { text: v == null ? '–' : v }));
    const runs = $('purge-runs').tBodies[0];
    clear(runs);
    for (const r of p.recentRuns || []) {
      runs.append(el('tr', {}, el('td', {}, fmtTime(r.at)), el('td', {}, r.lockHeld ? 'yes' : 'no'), el('td', {}, fmtInt(r.purged)),
        el('td', {}, fmtInt(r.evicted)), el('td', {}, fmtInt(r.batches)), el('td', {}, r.complete ? 'yes' : 'no'), el('td', {}, fmtInt(r.durationMs))));
    }
    if (!(p.recentRuns || []).length) runs.append(el('tr', {}, el('td', { colspan: 7, text: 'no run completed yet on this replica' })));
    const ups = $('upstreams').tBodies[0];
    clear(ups);
    for (const u of s.upstreams || []) {
      ups.append(el('tr', {}, el('td', {}, u.name), el('td', {}, u.namespace), el('td', {}, fmtInt(u.head)), el('td', {}, fmtInt(u.finalized)),
        el('td', {}, fmtInt(u.reorgs))));
    }
    if (!(s.upstreams || []).length) ups.append(el('tr', {}, el('td', { colspan: 5, text: 'no JSON-RPC upstream configured' })));
    const nodes = $('rpc-nodes').tBodies[0];
    clear(nodes);
    for (const u of s.upstreams || []) {
      for (const n of u.nodes || []) {
        const head = fmtInt(n.head) + (n.lagging ? ' (lagging)' : '');
        nodes.append(el('tr', {}, el('td', {}, u.name), el('td', { title: n.origin }, n.id), el('td', {}, n.role), el('td', {}, fmtInt(n.weight)),
          el('td', {}, head), el('td', {}, n.breaker), el('td', {}, fmtInt(n.calls)), el('td', {}, fmtInt(n.errors)),
          el('td', {}, fmtMs(n.p50Ms)), el('td', {}, fmtMs(n.p90Ms))));
      }
    }
    if (!nodes.rows.length) nodes.append(el('tr', {}, el('td', { colspan: 10, text: 'no JSON-RPC node configured' })));
  } catch (e) {
    say('status: ' + e.message, true);
  }
}

// ---- the key browser ----

function mayWrite(ns) {
  if (!state.me || !state.me.scopes.includes('write')) return false;
  const declared = state.me.namespaces.find((n) => n.name === ns);
  // an undeclared namespace: the key's patterns are not known here, so offer it and let the server decide
  return declared ? declared.write : state.me.undeclaredNamespacesAllowed;
}

function openNamespace(ns) {
  $('namespace').value = ns;
  $('prefix').value = '';
  search();
  $('browser').scrollIntoView();
}

async function search(more = false) {
  const ns = $('namespace').value.trim();
  if (!ns) return;
  const seq = ++state.searchSeq;
  if (!more) {
    state.namespace = ns;
    state.prefix = $('prefix').value;
    state.next = null;
    clear($('keys'));
    $('entry').hidden = true;
  }
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (state.prefix) q.set('prefix', state.prefix);
  if (more && state.next) q.set('after', state.next);
  $('invalidate-form').hidden = !mayWrite(ns);
  try {
    const page = await getJson('/v1/cache/' + encodeURIComponent(ns) + '?' + q);
    if (seq !== state.searchSeq) return;
    for (const item of page.items || []) {
      const b = el('button', { type: 'button', class: 'key', on: { click: () => showEntry(ns, item) } }, item.key,
        el('span', { class: 'state', text: item.state }));
      $('keys').append(el('li', {}, b));
    }
    state.next = page.next || null;
    $('more').hidden = !state.next;
    const shown = $('keys').children.length;
    say(shown === 0 ? 'no live key in ' + ns + (state.prefix ? ' starts with "' + state.prefix + '"' : '') : shown + ' key(s) shown in ' + ns);
  } catch (e) {
    if (seq === state.searchSeq) say(ns + ': ' + e.message, true);
  }
}

async function showEntry(ns, item) {
  $('entry').hidden = false;
  $('entry-key').textContent = item.key;
  const meta = $('entry-meta');
  clear(meta);
  const rows = [['state', item.state], ['version', item.version], ['revision', item.revision == null ? '–' : item.revision],
    ['fetched', fmtTime(item.fetchedAt)], ['expires', item.expiresAt ? fmtTime(item.expiresAt) : 'never'],
    ['stale until', item.staleUntil ? fmtTime(item.staleUntil) : '–'], ['size', fmtBytes(item.sizeBytes)],
    ['tags', (item.tags || []).join(', ') || '–'], ['hits', fmtInt(item.hitCount)]];
  for (const [k, v] of rows) meta.append(el('dt', { text: k }), el('dd', { text: String(v) }));
  const pre = $('entry-value');
  pre.textContent = 'loading…';
  const del = $('delete-key');
  del.hidden = !mayWrite(ns);
  del.onclick = () => confirmThen('Delete key "' + item.key + '" from ' + ns + '?', () => deleteKey(ns, item.key));
  if (item.key === '.' || item.key === '..') {
    pre.textContent = 'a key that is "." or ".." cannot be read through a URL path; use batch-get';
    return;
  }
  try {
    const r = await api(keyPath(ns, item.key));
    let text = r.text;
    try { text = JSON.stringify(JSON.parse(r.text), null, 2); } catch (_) { /* shown as it came */ }
    pre.textContent = text;
  } catch (e) {
    pre.textContent = e.status === 404 ? '(gone: expired or removed since the list was read)' : e.message;
  }
}

const keyPath = (ns, key) => '/v1/cache/' + encodeURIComponent(ns) + '/' + encodeURIComponent(key);

async function deleteKey(ns, key) {
  let outcome;
  try {
    await api(keyPath(ns, key), { method: 'DELETE' });
    outcome = ['deleted "' + key + '" from ' + ns, false];
  } catch (e) {
    outcome = ['delete: ' + e.message, true];
  }
  await search();
  say(...outcome);
}

async function invalidate(ns, by, value) {
  let outcome;
  try {
    const r = (await api('/v1/cache/' + encodeURIComponent(ns) + '?' + new URLSearchParams({ [by]: value }), { method: 'DELETE' })).json();
    outcome = ['invalidated ' + r.invalidated + ' entr' + (r.invalidated === 1 ? 'y' : 'ies') + ' of ' + ns + ' by ' + by + ' "' + value + '"', false];
  } catch (e) {
    outcome = ['invalidate: ' + e.message, true];
  }
  await search();
  say(...outcome);
}

function confirmThen(text, action) {
  const d = $('confirm');
  $('confirm-text').textContent = text;
  $('confirm-yes').onclick = () => { d.close(); action(); };
  $('confirm-no').onclick = () => d.close();
  d.showModal();
}

// ---- wiring ----

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = $('key');
  const key = input.value.trim();
  input.value = '';
  $('login-error').textContent = '';
  try {
    await login(key);
  } catch (e) {
    $('login-error').textContent = e.status === 401 ? 'The key was not accepted.' : e.message;
  }
});
$('logout').addEventListener('click', logout);
$('refresh').addEventListener('click', () => { refreshNamespaces(); refreshStats(); });
$('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); search(); });
$('more').addEventListener('click', () => search(true));
$('invalidate-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const ns = state.namespace || $('namespace').value.trim();
  const by = $('invalidate-by').value;
  const value = $('invalidate-value').value;
  if (!ns || !value) return;
  confirmThen('Invalidate every entry of ' + ns + ' whose ' + (by === 'tag' ? 'tags include' : 'key starts with') + ' "' + value + '"?',
    () => invalidate(ns, by, value));
});

if (sessionStorage.getItem(KEY_ITEM)) {
  login(sessionStorage.getItem(KEY_ITEM)).catch((e) => {
    $('login-error').textContent = e.message;
  });
}
