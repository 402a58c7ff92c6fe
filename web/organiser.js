// Organiser console: scenario, clock, announcements, teams and logins, adjustments,
// attack/defend rounds, exports and the logs, all through the JSON API.
//
// Secrets (generated passwords and tokens) are shown once, kept in memory only, and can be saved
// as CSV built in the browser; nothing is sent anywhere but the drillboard server.

import './organiser-texts.js';
import { codedText, problemHint, problemMessage } from './problem-texts.js';
import {
  initI18n, onLangChange, t, pick, formatNumber, formatTime, statusLabel, clockLines, el, serverText,
} from './i18n.js';
import * as api from './api.js';
import { renderSignIn, signIn } from './signin.js';
import { subscribe, statusIndicator } from './live.js';

const TEXT_TIMEOUT_MS = 120000;
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MIN_REASON = 3;
const MAX_EXTEND = 10080;
const PAGE = { audit: 100, events: 100, rounds: 20 };
/** Events fetched per page of the log; the most of one type read for the teams and adjustments. */
const EVENTS_PAGE = 200;
const EVENTS_MAX = 1000;
const STATUSES = new Set(['not_started', 'running', 'paused', 'ended']);
const ROUND_STATUSES = new Set(['running', 'done', 'interrupted']);
const ROLES = new Set(['organiser', 'judge', 'team']);
/** Clock actions and the states in which the server allows them (null: whenever there is a scenario). */
const ALLOWED = {
  start: ['not_started'],
  pause: ['running'],
  resume: ['paused'],
  end: ['running', 'paused'],
  extend: ['running', 'paused', 'ended'],
  freeze: null,
  unfreeze: null,
};

const $ = (id) => document.getElementById(id);
const seg = encodeURIComponent;

const state = {
  view: null, // 'login' | 'console'
  me: null,
  meError: null,
  exercise: null, // GET /api/v1/exercise
  noScenario: false, // the exercise answered 404
  exerciseError: null,
  exerciseSeen: false,
  skewMs: 0,
  // undefined: not loaded yet; for the scenario null means "none loaded".
  data: {
    scenario: undefined,
    teams: undefined,
    users: undefined,
    events: undefined, // the newest page of the event log (filtered), then older pages appended
    adjustments: undefined, // every adjustment, newest first
    standing: undefined, // disqualify and reinstate events, oldest first
    announcements: undefined,
    rounds: undefined,
    alerts: undefined,
    injects: undefined,
    reports: undefined,
    audit: undefined,
  },
  errors: {},
  msgs: new Map(), // area → {kind, text: () => string, err?, details?: () => string[]}
  problems: new Map(), // 'scenario' | 'import' → [{line, column, message, hint}]
  creds: new Map(), // area → {list, downloaded: filename | null}
  tokens: new Map(), // team id → {list, error, loading}
  newTokens: new Map(), // team id → the answer of POST /teams/{id}/tokens (shown once)
  openTokens: new Set(),
  tokenLabels: new Map(),
  voidChoice: new Map(), // round number → service id
  shown: { ...PAGE },
  eventsTeam: '',
  pending: new Set(),
  loginNotice: null,
  loginError: null,
};

let dialogOpen = false;
let live = null; // the stream subscription

// ------------------------------------------------------------------ small helpers

const serverNow = () => Date.now() + state.skewMs;
const zone = () => (state.exercise && state.exercise.timezone) || undefined;
const time = (v, style) => formatTime(v, zone(), style);

function roleLabel(role) {
  return ROLES.has(role) ? t(`role.${role}`) : String(role || '');
}

function signed(n) {
  const x = Number(n);
  return x > 0 ? `+${formatNumber(x)}` : formatNumber(x);
}

function teamName(id) {
  const team = (state.data.teams || []).find((x) => x.id === id);
  return team ? `${team.name} (${id})` : String(id || '');
}

function listOf(value, key) {
  if (Array.isArray(value)) return value;
  if (value && Array.isArray(value[key])) return value[key];
  return [];
}

/** replaceChildren without the optional parts (replaceChildren would show null as "null"). */
function fill(root, ...nodes) {
  root.replaceChildren(...nodes.flat().filter((x) => x !== null && x !== undefined && x !== false));
}

function announce(text) {
  const live = $('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => {
    live.textContent = text;
  }, 60);
}

/** Lines that explain an API error: the server's message, the field or position, the code. */
function errorLines(e) {
  if (!e) return [];
  if (e.status === 0 && e.code === 'timeout') return [t('org.err.timeout')];
  if (e.status === 0 && e.code === 'network_error') return [t('error.network')];
  if (e.status === 0) return [t('org.err.client', { message: e.message || String(e) })];
  const out = [];
  if (e.message || e.code) out.push(t('fb.server', { message: serverText(e) }));
  const where = [];
  if (e.field !== undefined && e.field !== null && e.field !== '') {
    where.push(t('org.err.field', { field: e.field }));
  }
  if (Number(e.line) > 0) {
    where.push(Number(e.column) > 0
      ? t('org.err.line_col', { line: e.line, column: e.column })
      : t('org.err.line', { line: e.line }));
  }
  if (where.length) out.push(where.join(' · '));
  out.push(t('org.err.code', { status: e.status, code: e.code }));
  return out;
}

function captureFocus(root) {
  const a = document.activeElement;
  if (!a || !a.id || !root.contains(a)) return null;
  const f = { id: a.id };
  if (a.tagName === 'INPUT' && a.type === 'text') {
    try {
      f.start = a.selectionStart;
      f.end = a.selectionEnd;
    } catch {
      // No selection on this input.
    }
  }
  return f;
}

function restoreFocus(f) {
  if (!f) return;
  const n = document.getElementById(f.id);
  if (!n || document.activeElement === n) return;
  n.focus({ preventScroll: true });
  if (f.start !== undefined && f.start !== null) {
    try {
      n.setSelectionRange(f.start, f.end);
    } catch {
      // Not a text input any more.
    }
  }
}

/** Mark one form control invalid (from the server's `field`), clearing the others of the form. */
function markInvalid(ids, which) {
  for (const id of ids) {
    const n = $(id);
    if (!n) continue;
    if (id === which) n.setAttribute('aria-invalid', 'true');
    else n.removeAttribute('aria-invalid');
  }
  if (which && $(which)) $(which).focus();
}

// ------------------------------------------------------------------ feedback messages

function setMsg(area, kind, text, extra) {
  state.msgs.set(area, { kind, text, ...extra });
  renderMsg(area);
}

function clearMsg(area) {
  state.msgs.delete(area);
  renderMsg(area);
}

function msgNode(area) {
  const m = state.msgs.get(area);
  if (!m) return null;
  const details = m.err ? errorLines(m.err) : m.details ? m.details() : [];
  return el('div', { class: `msg msg-${m.kind}`, id: `${area}-msg`, tabindex: '-1' },
    el('span', { class: 'msg-title', text: m.text() }),
    details.map((d) => el('span', { class: 'msg-detail', text: d })));
}

function renderMsg(area) {
  const box = $(`${area}-feedback`);
  if (!box) return;
  const n = msgNode(area);
  if (n) box.replaceChildren(n);
  else box.replaceChildren();
}

function loadingOrError(key) {
  const e = state.errors[key];
  if (!e) return el('p', { class: 'muted', text: t('loading') });
  return el('div', { class: 'msg msg-error' },
    el('span', { class: 'msg-title', text: t('org.load_failed') }),
    errorLines(e).map((d) => el('span', { class: 'msg-detail', text: d })));
}

/**
 * Run one action: refuse a second click while it runs, show a failure in `area` (with the
 * server's message, field and position) and send an expired session back to the sign-in.
 * Returns fn's result, or undefined when it failed.
 */
async function act(key, area, failText, fn, btn) {
  if (state.pending.has(key)) return undefined;
  state.pending.add(key);
  if (btn) {
    btn.setAttribute('aria-busy', 'true');
    btn.setAttribute('aria-disabled', 'true');
  }
  try {
    return await fn();
  } catch (e) {
    if (e && e.status === 401) {
      expire();
      return undefined;
    }
    if (!(e instanceof api.ApiError)) console.error(e);
    const err = e instanceof api.ApiError ? e : new api.ApiError(0, { code: 'client_error', message: String((e && e.message) || e) });
    setMsg(area, 'error', failText, { err });
    return undefined;
  } finally {
    state.pending.delete(key);
    if (btn) {
      btn.removeAttribute('aria-busy');
      btn.removeAttribute('aria-disabled');
    }
  }
}

// ------------------------------------------------------------------ the confirmation dialog

/**
 * Ask before an action. With `reason`, the dialog also asks for a reason of at least
 * MIN_REASON characters and will not confirm without one. Resolves {ok, reason}.
 */
function ask({ title, text, ok, danger = true, reason = false, alt = null }) {
  const dlg = $('confirm-dialog');
  if (!dlg || typeof dlg.showModal !== 'function') {
    if (reason) {
      const r = window.prompt(`${title}\n\n${text}\n\n${t('org.dialog.reason_help')}`);
      const v = (r || '').trim();
      return Promise.resolve({ ok: r !== null && [...v].length >= MIN_REASON, reason: v });
    }
    return Promise.resolve({ ok: window.confirm(`${title}\n\n${text}`), reason: '' });
  }
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  // A second way to confirm (e.g. resume without extending), when asked for.
  const altBtn = $('confirm-alt');
  altBtn.hidden = !alt;
  altBtn.textContent = alt || '';
  const okBtn = $('confirm-ok');
  okBtn.textContent = ok;
  okBtn.className = danger ? 'btn btn-danger' : 'btn';
  const field = $('confirm-reason-field');
  const input = $('confirm-reason');
  field.hidden = !reason;
  input.value = '';
  const valid = () => !reason || [...input.value.trim()].length >= MIN_REASON;
  const sync = () => {
    okBtn.disabled = !valid();
    altBtn.disabled = !valid();
  };
  input.oninput = sync;
  sync();
  const opener = document.activeElement;
  const openerId = opener && opener.id;
  dlg.returnValue = '';
  dialogOpen = true;
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => {
      dialogOpen = false;
      input.oninput = null;
      const chosen = (dlg.returnValue === 'confirm' || dlg.returnValue === 'alt') && valid();
      resolve({ ok: chosen, alt: chosen && dlg.returnValue === 'alt', reason: input.value.trim() });
      const back = opener && opener.isConnected ? opener : openerId && document.getElementById(openerId);
      if (back) back.focus();
    }, { once: true });
    dlg.showModal();
    (reason ? input : $('confirm-cancel')).focus(); // Safe default: Enter cancels.
  });
}

// ------------------------------------------------------------------ raw-text requests

/**
 * Send a YAML or CSV body, with time enough for a load that hashes a password per new team.
 * Errors are api.ApiError, so `problems`, `field`, `line` and `column` are on the error.
 */
function sendText(method, path, text, contentType) {
  return api.request(method, path, { text, contentType, timeout: TEXT_TIMEOUT_MS });
}

const byteLength = (s) => new TextEncoder().encode(s).length;

// ------------------------------------------------------------------ CSV and downloads

function csvCell(v) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A spreadsheet would run a cell that starts like a formula.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(header, rows) {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Save text as a file through a temporary object URL (with a BOM so spreadsheets read UTF-8). */
function saveText(text, filename, type) {
  const blob = new Blob(['\uFEFF', text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return blob.size;
}

/** Now as YYYYMMDD-HHMM in the exercise's time zone, for file names. */
function stamp() {
  const parts = {};
  try {
    for (const p of new Intl.DateTimeFormat('en-GB', {
      timeZone: zone(), year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(serverNow()))) parts[p.type] = p.value;
    return `${parts.year}${parts.month}${parts.day}-${parts.hour}${parts.minute}`;
  } catch {
    return new Date(serverNow()).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  }
}

function exerciseId() {
  return (state.exercise && state.exercise.id) || 'drillboard';
}

// ------------------------------------------------------------------ views

function showLogin(notice) {
  state.view = 'login';
  state.loginNotice = notice || null;
  state.loginError = null;
  $('boot').hidden = true;
  $('org-view').hidden = true;
  $('login-view').hidden = false;
  renderLogin();
  document.title = t('org.page_title');
  if (notice) $('login-heading').focus();
}

function expire() {
  api.clearToken();
  state.me = null;
  // One-time credentials stay in memory: they are shown again after signing in.
  showLogin({ kind: 'warn', text: () => t('login.expired') });
}

async function enterConsole(focusHeading) {
  state.view = 'console';
  state.meError = null;
  if (!state.me) {
    // Until the server says whose session this is, show neither the console nor the sign-in.
    $('login-view').hidden = true;
    $('org-view').hidden = true;
    $('boot').hidden = false;
    try {
      state.me = await api.getMe();
    } catch (e) {
      if (state.view !== 'console') return;
      if (e.status === 401) {
        expire();
        return;
      }
      state.meError = e;
    }
  }
  if (state.view !== 'console') return;
  if (state.me && state.me.role !== 'organiser') {
    const { username, role } = state.me;
    state.me = null;
    // Another page's session (a team or a judge): keep it, and ask for an organiser login.
    showLogin({ kind: 'warn', text: () => t('org.wrong_role', { user: username || '', role: roleLabel(role) }) });
    return;
  }
  $('boot').hidden = true;
  $('login-view').hidden = true;
  $('org-view').hidden = false;
  renderAll();
  if (state.meError) return;
  if (focusHeading) $('org-heading').focus();
  loadEverything();
}

function loadEverything() {
  loadExercise();
  for (const key of Object.keys(LOADERS)) load(key);
}

// ------------------------------------------------------------------ data

const LOADERS = {
  scenario: () => api.get('/api/v1/scenario'),
  teams: async () => listOf(await api.get('/api/v1/teams'), 'teams'),
  users: async () => listOf(await api.get('/api/v1/users'), 'users'),
  events: async () => listOf(await api.get(eventsPath(null)), 'events'),
  adjustments: async () => listOf(await api.get(`/api/v1/events?type=adjustment&limit=${EVENTS_MAX}`), 'events'),
  standing: async () => {
    const [d, r] = await Promise.all(['disqualify', 'reinstate']
      .map((k) => api.get(`/api/v1/events?type=${k}&limit=${EVENTS_MAX}`)));
    return [...listOf(d, 'events'), ...listOf(r, 'events')].sort((a, b) => Number(a.seq) - Number(b.seq));
  },
  announcements: async () => listOf(await api.get('/api/v1/announcements'), 'announcements'),
  rounds: async () => listOf(await api.get('/api/v1/rounds'), 'rounds'),
  alerts: async () => listOf(await api.get('/api/v1/alerts'), 'alerts'),
  workers: async () => api.get('/api/v1/workers'),
  injects: async () => listOf(await api.get('/api/v1/injects'), 'injects'),
  reports: async () => listOf(await api.get('/api/v1/reports'), 'reports'),
  audit: async () => listOf(await api.get('/api/v1/audit'), 'audit'),
};

const RENDERERS = {
  scenario: () => {
    renderScenarioInfo();
    renderRounds();
  },
  teams: () => {
    renderReports();
    renderTeams();
    renderTeamOptions();
    renderUsers();
    renderAdjustList();
    renderEvents();
  },
  users: renderUsers,
  events: renderEvents,
  adjustments: renderAdjustList,
  standing: renderTeams,
  announcements: renderAnnouncements,
  rounds: () => {
    renderRounds();
    renderAlerts();
  },
  alerts: renderAlerts,
  workers: renderWorkers,
  injects: renderReports,
  reports: renderReports,
  audit: renderAudit,
};

const seqs = {};

/** Fetch one list; a failed fetch keeps the data shown before and says why. */
async function load(key) {
  if (state.view !== 'console') return;
  seqs[key] = (seqs[key] || 0) + 1;
  const seq = seqs[key];
  let value;
  let err = null;
  try {
    value = await LOADERS[key]();
  } catch (e) {
    err = e;
  }
  if (seq !== seqs[key] || state.view !== 'console') return;
  if (err && err.status === 401) {
    expire();
    return;
  }
  if (err && err.status === 404 && key === 'scenario') {
    state.data.scenario = null;
    state.errors.scenario = null;
  } else if (err) {
    state.errors[key] = err;
  } else {
    state.data[key] = value;
    state.errors[key] = null;
  }
  RENDERERS[key]();
}

let exerciseSeq = 0;
let shownZone;

async function loadExercise() {
  if (state.view !== 'console') return;
  const seq = ++exerciseSeq;
  const sentAt = Date.now();
  let ex = null;
  let err = null;
  try {
    ex = await api.getExercise();
  } catch (e) {
    err = e;
  }
  const gotAt = Date.now();
  if (seq !== exerciseSeq || state.view !== 'console') return;
  if (err && err.status === 401) {
    expire();
    return;
  }
  const first = !state.exerciseSeen;
  const before = state.exercise && state.exercise.id;
  if (err && err.status === 404) {
    state.exercise = null;
    state.noScenario = true;
    state.exerciseError = null;
  } else if (err) {
    state.exerciseError = err;
  } else {
    state.exerciseSeen = true;
    state.exercise = ex;
    state.noScenario = false;
    state.exerciseError = null;
    const now = Date.parse(ex.now);
    if (Number.isFinite(now)) state.skewMs = now - (sentAt + gotAt) / 2;
  }
  renderHeader();
  renderClock();
  // Lists drawn before the time zone was known (or under another one) show times again.
  const tz = zone();
  if (tz !== shownZone) {
    shownZone = tz;
    renderAll();
  }
  const after = state.exercise && state.exercise.id;
  if (err && err.status === 404) state.exerciseSeen = true;
  if (!first && after !== before) {
    // A scenario was loaded elsewhere (another tab, the command line).
    load('scenario');
    load('teams');
  }
}

// ------------------------------------------------------------------ rendering: chrome

function renderLogin() {
  renderSignIn(state, 'org-login-error');
}

function renderHeader() {
  document.title = t('org.page_title');
  const me = state.me;
  $('org-user').textContent = me
    ? t('team.signed_in_as', { user: me.username || '', role: roleLabel(me.role) })
    : '';
  const ex = state.exercise;
  $('ex-title').textContent = ex ? pick(ex.title) : state.noScenario ? t('org.scenario.none_short') : '';
  const notice = $('not-organiser');
  if (state.meError) {
    notice.hidden = false;
    $('not-organiser-text').textContent = t('org.me_failed', { message: errorLines(state.meError).join(' ') });
    $('console').hidden = true;
  } else {
    notice.hidden = true;
    $('console').hidden = false;
  }
}

function renderAll() {
  if (state.view === 'login') {
    renderLogin();
    document.title = t('org.page_title');
    return;
  }
  if (state.view !== 'console') return;
  renderHeader();
  renderClock();
  renderScenarioInfo();
  renderCursorPos();
  renderProblems('scenario', 'scenario-text');
  renderProblems('import', 'import-text');
  for (const area of ['scenario', 'import', 'user', 'reset']) renderCreds(area);
  for (const area of state.msgs.keys()) renderMsg(area);
  renderAnnouncements();
  renderTeams();
  renderTeamOptions();
  renderUsers();
  renderAdjustList();
  renderReports();
  renderRounds();
  renderAlerts();
  renderAudit();
  renderEvents();
  syncAdjustButton();
  syncLead();
}

// ------------------------------------------------------------------ 1. scenario

function renderScenarioInfo() {
  const p = $('scenario-current');
  const s = state.data.scenario;
  if (s === undefined) {
    p.textContent = state.errors.scenario ? t('org.load_failed') : t('loading');
    return;
  }
  if (s === null) {
    p.textContent = t('org.scenario.none');
    return;
  }
  const sc = s.scenario || {};
  const ex = sc.exercise || {};
  const parts = [t('org.scenario.current', { id: ex.id || '', title: pick(ex.title) })];
  parts.push(t('org.scenario.counts', {
    teams: formatNumber((sc.teams || []).length),
    challenges: formatNumber((sc.challenges || []).length),
    injects: formatNumber((sc.injects || []).length),
  }));
  if (hasAttackDefense()) parts.push(t('org.scenario.services', { n: formatNumber((sc.services || []).length) }));
  p.textContent = parts.join(' · ');
}

/** Offset in the textarea's value of a 1-based line and column (columns count characters). */
function offsetOf(text, line, column) {
  if (!(Number(line) >= 1)) return 0;
  let pos = 0;
  for (let l = 1; l < line; l += 1) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return text.length;
    pos = nl + 1;
  }
  let end = text.indexOf('\n', pos);
  if (end < 0) end = text.length;
  for (let c = 1; c < Number(column) && pos < end; c += 1) {
    const cp = text.codePointAt(pos);
    pos += cp > 0xffff ? 2 : 1;
  }
  return pos;
}

/** 1-based line and column of an offset (columns count characters). */
function lineColOf(text, off) {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < off; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  return { line, column: [...text.slice(start, off)].length + 1 };
}

function goTo(textareaId, line, column) {
  const ta = $(textareaId);
  if (!ta) return;
  const off = offsetOf(ta.value, line, column);
  ta.focus();
  ta.setSelectionRange(off, off);
  // Show the line about a third of the way down (the textarea does not wrap lines).
  const cs = window.getComputedStyle(ta);
  let lh = parseFloat(cs.lineHeight);
  if (!Number.isFinite(lh)) lh = (parseFloat(cs.fontSize) || 14) * 1.5;
  ta.scrollTop = Math.max(0, (Math.max(1, Number(line) || 1) - 1) * lh - ta.clientHeight / 3);
  if (textareaId === 'scenario-text') renderCursorPos();
}

let cursorFrame = 0;

function renderCursorPos() {
  const ta = $('scenario-text');
  const out = $('scenario-pos');
  if (!ta || !out) return;
  const { line, column } = lineColOf(ta.value, ta.selectionStart || 0);
  out.textContent = t('org.scenario.cursor', { line, column, bytes: formatNumber(byteLength(ta.value)) });
}

function scheduleCursorPos() {
  if (cursorFrame) return;
  cursorFrame = requestAnimationFrame(() => {
    cursorFrame = 0;
    renderCursorPos();
  });
}

function positionText(p) {
  const line = Number(p.line);
  if (!(line > 0)) return t('org.problem.whole_file');
  return Number(p.column) > 0
    ? t('org.err.line_col', { line, column: p.column })
    : t('org.err.line', { line });
}

function renderProblems(area, textareaId) {
  const list = $(`${area}-problems`);
  const ta = $(textareaId);
  if (!list) return;
  const probs = state.problems.get(area) || [];
  list.hidden = !probs.length;
  if (ta) {
    if (probs.length) ta.setAttribute('aria-invalid', 'true');
    else ta.removeAttribute('aria-invalid');
  }
  const focus = captureFocus(list);
  list.replaceChildren(...probs.map((p, i) => el('li', null,
    el('button', {
      type: 'button',
      class: 'link-button',
      id: `${area}-problem-${i}`,
      onclick: () => goTo(textareaId, p.line, p.column),
    },
    el('span', { class: 'problem-pos', text: positionText(p) }), ': ', problemMessage(p)),
    p.hint ? el('span', { class: 'hint', text: t('org.problem.hint', { hint: problemHint(p) }) }) : null)));
  restoreFocus(focus);
}

function setProblems(area, textareaId, e) {
  const list = e && Array.isArray(e.problems) ? e.problems : [];
  state.problems.set(area, list);
  renderProblems(area, textareaId);
  return list;
}

function scenarioText() {
  const text = $('scenario-text').value;
  if (!text.trim()) {
    setMsg('scenario', 'error', () => t('org.scenario.empty'));
    $('scenario-text').focus();
    return null;
  }
  const n = byteLength(text);
  if (n > MAX_BODY_BYTES) {
    setMsg('scenario', 'error', () => t('org.too_big', { n: formatNumber(n), max: formatNumber(MAX_BODY_BYTES) }));
    return null;
  }
  return text;
}

/** Show a refused scenario or CSV: the list of problems for 422, the server's message otherwise. */
function showRefusal(area, textareaId, failText, e) {
  if (e && e.status === 401) {
    expire();
    return;
  }
  const probs = setProblems(area, textareaId, e);
  if (probs.length) {
    setMsg(area, 'error', () => t('org.problems', { n: formatNumber(probs.length) }), {
      details: () => [t('org.problem.click')],
    });
  } else {
    setMsg(area, 'error', failText, { err: e });
  }
}

async function onValidate() {
  const btn = $('scenario-validate');
  const text = scenarioText();
  if (text === null || state.pending.has('scenario')) return;
  state.pending.add('scenario');
  btn.setAttribute('aria-busy', 'true');
  setMsg('scenario', 'info', () => t('org.scenario.validating'));
  try {
    const r = await sendText('POST', '/api/v1/scenario/validate', text, 'application/yaml');
    setProblems('scenario', 'scenario-text', null);
    setMsg('scenario', 'success', () => t('org.scenario.valid', {
      id: r.exercise ?? '',
      teams: formatNumber(r.teams),
      challenges: formatNumber(r.challenges),
    }));
  } catch (e) {
    showRefusal('scenario', 'scenario-text', () => t('org.scenario.validate_failed'), e);
  } finally {
    state.pending.delete('scenario');
    btn.removeAttribute('aria-busy');
  }
}

async function onLoad() {
  const btn = $('scenario-load');
  const text = scenarioText();
  if (text === null || state.pending.has('scenario')) return;
  const loaded = (state.exercise && state.exercise.id)
    || (state.data.scenario && state.data.scenario.scenario && state.data.scenario.scenario.exercise
      && state.data.scenario.scenario.exercise.id);
  if (loaded) {
    const { ok } = await ask({
      title: t('org.scenario.confirm_title'),
      text: t('org.scenario.confirm_text', { id: loaded }),
      ok: t('org.scenario.confirm_ok'),
    });
    if (!ok || state.view !== 'console') return;
  }
  if (state.pending.has('scenario')) return;
  state.pending.add('scenario');
  btn.setAttribute('aria-busy', 'true');
  setMsg('scenario', 'info', () => t('org.scenario.loading'));
  try {
    const r = await sendText('PUT', '/api/v1/scenario', text, 'application/yaml');
    setProblems('scenario', 'scenario-text', null);
    const creds = Array.isArray(r.credentials) ? r.credentials : [];
    const id = r.loaded ?? '';
    setMsg('scenario', 'success', () => t('org.scenario.loaded', { id, n: formatNumber(creds.length) }));
    if (creds.length) showCreds('scenario', creds);
    announce(t('org.scenario.loaded', { id, n: formatNumber(creds.length) }));
    loadExercise();
    for (const key of ['scenario', 'teams', 'users', 'rounds', 'alerts', 'injects', 'reports', 'audit']) load(key);
    loadLog();
  } catch (e) {
    showRefusal('scenario', 'scenario-text', () => t('org.scenario.load_failed'), e);
  } finally {
    state.pending.delete('scenario');
    btn.removeAttribute('aria-busy');
  }
}

async function onShowCurrent() {
  const btn = $('scenario-show');
  let none = false;
  const r = await act('scenario', 'scenario', () => t('org.scenario.show_failed'), async () => {
    try {
      return await api.get('/api/v1/scenario');
    } catch (e) {
      if (e.status === 404) {
        none = true;
        return null;
      }
      throw e;
    }
  }, btn);
  if (none) {
    state.data.scenario = null;
    renderScenarioInfo();
    setMsg('scenario', 'info', () => t('org.scenario.none'));
    return;
  }
  if (!r) return;
  const ta = $('scenario-text');
  const yaml = typeof r.yaml === 'string' ? r.yaml : '';
  if (ta.value.trim() && ta.value !== yaml) {
    const { ok } = await ask({
      title: t('org.scenario.replace_title'),
      text: t('org.scenario.replace_text'),
      ok: t('org.scenario.replace_ok'),
      danger: false,
    });
    if (!ok) return;
  }
  ta.value = yaml;
  ta.scrollTop = 0;
  state.data.scenario = r;
  state.errors.scenario = null;
  setProblems('scenario', 'scenario-text', null);
  renderScenarioInfo();
  renderRounds();
  renderCursorPos();
  const id = r.scenario && r.scenario.exercise ? r.scenario.exercise.id : '';
  const lines = yaml ? yaml.split('\n').length : 0;
  setMsg('scenario', 'info', () => t('org.scenario.shown', { id, n: formatNumber(lines) }));
}

/** Fill a textarea from a chosen file. */
async function readInto(input, textareaId, area) {
  const file = input.files && input.files[0];
  if (!file) return;
  if (file.size > MAX_BODY_BYTES) {
    setMsg(area, 'error', () => t('org.too_big', { n: formatNumber(file.size), max: formatNumber(MAX_BODY_BYTES) }));
    input.value = '';
    return;
  }
  try {
    const text = await file.text();
    const ta = $(textareaId);
    ta.value = text;
    ta.scrollTop = 0;
    setProblems(area, textareaId, null);
    const name = file.name;
    setMsg(area, 'info', () => t('org.file_read', { name, n: formatNumber(file.size) }));
    if (textareaId === 'scenario-text') renderCursorPos();
  } catch (e) {
    const name = file.name;
    setMsg(area, 'error', () => t('org.file_failed', { name, message: String((e && e.message) || e) }));
  }
  input.value = '';
}

// ------------------------------------------------------------------ one-time credentials

function showCreds(area, list) {
  state.creds.set(area, { list, downloaded: null });
  renderCreds(area);
  const h = $(`${area}-cred-h`);
  if (h) h.focus();
}

function renderCreds(area) {
  const box = $(`${area}-credentials`);
  if (!box) return;
  const c = state.creds.get(area);
  if (!c) {
    box.replaceChildren();
    return;
  }
  const teams = c.list.some((x) => x.team || x.team_token);
  const rows = c.list.map((x) => el('tr', null,
    el('td', { text: roleLabel(x.role) }),
    el('td', { class: 'mono', text: String(x.username ?? '') }),
    el('td', null, el('span', { class: 'secret', text: String(x.password ?? '') })),
    teams ? el('td', { text: String(x.team ?? '') }) : null,
    teams ? el('td', null, el('span', { class: 'secret', text: String(x.team_token ?? '') })) : null));
  const focus = captureFocus(box);
  box.replaceChildren(el('section', { class: 'credentials', 'aria-labelledby': `${area}-cred-h` },
    el('h3', { id: `${area}-cred-h`, tabindex: '-1', text: t('org.cred.heading', { n: formatNumber(c.list.length) }) }),
    el('p', { text: t('org.cred.once') }),
    el('div', { class: 'table-wrap' },
      el('table', { class: 'org-table', id: `${area}-credentials-table` },
        el('caption', { class: 'sr-only', text: t('org.cred.caption') }),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: t('org.col.role') }),
          el('th', { scope: 'col', text: t('login.username') }),
          el('th', { scope: 'col', text: t('login.password') }),
          teams ? el('th', { scope: 'col', text: t('org.col.team') }) : null,
          teams ? el('th', { scope: 'col', text: t('org.col.team_token') }) : null)),
        el('tbody', null, rows))),
    el('div', { class: 'btn-row' },
      el('button', {
        type: 'button', class: 'btn', id: `${area}-credentials-csv`, onclick: () => downloadCreds(area),
      }, t('org.cred.csv')),
      el('button', {
        type: 'button', class: 'btn btn-secondary', id: `${area}-credentials-hide`, onclick: () => hideCreds(area),
      }, t('org.cred.hide'))),
    c.downloaded ? el('p', { class: 'muted small', text: t('org.cred.saved', { name: c.downloaded }) }) : null));
  restoreFocus(focus);
}

function downloadCreds(area) {
  const c = state.creds.get(area);
  if (!c) return;
  const csv = toCsv(
    ['role', 'username', 'password', 'team', 'team_token'],
    c.list.map((x) => [x.role, x.username, x.password, x.team ?? '', x.team_token ?? '']),
  );
  const name = `${exerciseId()}-logins-${stamp()}.csv`;
  saveText(csv, name, 'text/csv;charset=utf-8');
  c.downloaded = name;
  renderCreds(area);
}

async function hideCreds(area) {
  const c = state.creds.get(area);
  if (!c) return;
  if (!c.downloaded) {
    const { ok } = await ask({
      title: t('org.cred.hide_title'),
      text: t('org.cred.hide_text'),
      ok: t('org.cred.hide_ok'),
    });
    if (!ok) return;
  }
  state.creds.delete(area);
  renderCreds(area);
}

function unsavedSecrets() {
  for (const c of state.creds.values()) if (!c.downloaded) return true;
  return state.newTokens.size > 0;
}

// ------------------------------------------------------------------ 2. clock

function available(action) {
  const ex = state.exercise;
  if (!ex) return false;
  if (action === 'freeze') return !ex.frozen && ex.status !== 'ended';
  if (action === 'unfreeze') return Boolean(ex.frozen || ex.freeze_at);
  const allowed = ALLOWED[action];
  return !allowed || allowed.includes(ex.status);
}

function renderClock() {
  if (state.view !== 'console') return;
  const ex = state.exercise;
  const badge = $('clock-status');
  let cls;
  if (ex) {
    cls = STATUSES.has(ex.status) ? ex.status : 'unknown';
    badge.textContent = statusLabel(ex.status);
    badge.dataset.status = String(ex.status);
  } else if (state.noScenario) {
    cls = 'none';
    badge.textContent = t('org.clock.no_scenario');
    badge.dataset.status = 'none';
  } else {
    cls = 'unknown';
    badge.textContent = state.exerciseError ? t('status.unknown') : t('loading');
    badge.dataset.status = 'unknown';
  }
  badge.className = `badge badge-status status-${cls}`;
  $('clock-frozen').hidden = !(ex && ex.frozen);

  const facts = [];
  const fact = (label, value) => facts.push(el('dt', { text: label }), el('dd', { text: value }));
  if (ex) {
    fact(t('org.clock.planned_start'), ex.planned_start ? time(ex.planned_start) : t('dash'));
    fact(t('org.clock.started_at'), ex.started_at ? time(ex.started_at) : t('dash'));
    fact(t('org.clock.ends_at'), ex.ends_at ? time(ex.ends_at) : t('dash'));
    fact(t('org.clock.freeze_at'), ex.freeze_at ? time(ex.freeze_at) : t('org.clock.no_freeze'));
    if (Number(ex.duration_seconds) > 0) {
      fact(t('org.clock.duration'), t('org.minutes', { n: formatNumber(Number(ex.duration_seconds) / 60) }));
    }
  }
  $('clock-facts').replaceChildren(...facts);

  const can = [];
  for (const b of document.querySelectorAll('.clock-btn')) {
    const a = b.dataset.action;
    const yes = available(a);
    b.classList.toggle('is-available', yes);
    b.classList.toggle('is-unavailable', Boolean(ex) && !yes);
    if (yes) can.push(t(`org.clock.${a}`));
  }
  if (available('extend')) can.push(t('org.clock.extend'));
  $('clock-hint').textContent = ex
    ? (can.length ? t('org.clock.can', { list: can.join(t('list.sep')) }) : '')
    : state.noScenario ? t('org.clock.load_first') : '';
  if (state.exerciseError) {
    $('clock-hint').textContent = t('updated.failed', { message: errorLines(state.exerciseError)[0] || '' });
  }
  renderClockTick();
}

function renderClockTick() {
  if (state.view !== 'console') return;
  const ex = state.exercise;
  const now = serverNow();
  const lines = ex ? clockLines(ex, now) : [];
  // The other lines (end, freeze) are in the facts list below.
  $('clock-main').textContent = lines[0] || '';
  $('clock-tz').textContent = ex
    ? [t('clock.timezone', { tz: ex.timezone || t('dash') }), t('clock.now', { time: formatTime(now, ex.timezone, 'time') })].join(' · ')
    : '';
}

async function clockAction(action, btn) {
  if (state.view !== 'console') return;
  const label = t(`org.clock.${action}`);
  let body;
  if (action === 'extend') {
    const input = $('clock-extend-minutes');
    const raw = input.value.trim();
    const n = Number(raw);
    if (!raw || !Number.isInteger(n) || n < 1 || n > MAX_EXTEND) {
      markInvalid(['clock-extend-minutes'], 'clock-extend-minutes');
      setMsg('clock', 'error', () => t('org.clock.bad_minutes', { max: formatNumber(MAX_EXTEND) }));
      return;
    }
    markInvalid(['clock-extend-minutes'], null);
    body = { minutes: n };
  }
  if (action === 'end' || action === 'unfreeze') {
    const { ok } = await ask({
      title: t(`org.clock.confirm_${action}_title`),
      text: t(`org.clock.confirm_${action}_text`),
      ok: t(`org.clock.confirm_${action}_ok`),
      danger: action === 'end',
    });
    if (!ok || state.view !== 'console') return;
  }
  // Pausing and freezing change what every team sees: confirmed, with a reason for the log.
  if (action === 'pause' || action === 'freeze') {
    const { ok, reason } = await ask({
      title: t(`org.clock.confirm_${action}_title`),
      text: t(`org.clock.confirm_${action}_text`),
      ok: t(`org.clock.confirm_${action}_ok`),
      danger: false,
      reason: true,
    });
    if (!ok || state.view !== 'console') return;
    body = { reason };
  }
  // Resuming offers to give the teams back the time paused.
  if (action === 'resume') {
    const ex = state.exercise || {};
    const pausedMs = ex.paused_at ? Math.max(0, serverNow() - Date.parse(ex.paused_at)) : 0;
    // Minutes and seconds, as the server extends by the exact time paused.
    const secs = Math.round(pausedMs / 1000);
    const span = `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, '0')}`;
    if (pausedMs >= 1000) {
      const { ok, alt } = await ask({
        title: t('org.clock.confirm_resume_title'),
        text: t('org.clock.confirm_resume_text', { n: span }),
        ok: t('org.clock.confirm_resume_extend', { n: span }),
        alt: t('org.clock.confirm_resume_keep'),
        danger: false,
      });
      if (!ok || state.view !== 'console') return;
      body = { extend: !alt };
    }
  }
  const r = await act('clock', 'clock', () => t('org.clock.failed', { action: label }),
    () => api.post(`/api/v1/exercise/${seg(action)}`, body), btn);
  if (!r) {
    const e = state.msgs.get('clock');
    if (e && e.err && e.err.field === 'minutes') markInvalid(['clock-extend-minutes'], 'clock-extend-minutes');
    return;
  }
  state.exercise = { ...(state.exercise || {}), ...r };
  state.noScenario = false;
  const minutes = body ? body.minutes : 0;
  setMsg('clock', 'success', () => t(`org.clock.done_${action}`, {
    n: formatNumber(minutes),
    status: statusLabel(r.status),
    time: r.ends_at ? time(r.ends_at) : t('dash'),
  }));
  renderClock();
  loadExercise();
  load('audit');
}

// ------------------------------------------------------------------ 3. announcements

function renderAnnouncements() {
  const root = $('announce-list');
  const list = state.data.announcements;
  if (!list) {
    fill(root, loadingOrError('announcements'));
    return;
  }
  if (!list.length) {
    fill(root, el('p', { class: 'muted', text: t('org.announce.none') }));
    return;
  }
  fill(root, el('ul', { class: 'announcements', id: 'announce-items', 'aria-labelledby': 'h-announce-list' },
    list.map((a) => {
      const text = a.text || {};
      return el('li', { id: `announcement-${a.id}` },
        el('time', { datetime: a.at, text: time(a.at) }),
        text.vi ? el('p', { class: 'text', lang: 'vi' }, el('span', { class: 'lang-tag', text: 'VI' }), String(text.vi)) : null,
        text.en ? el('p', { class: 'text', lang: 'en' }, el('span', { class: 'lang-tag', text: 'EN' }), String(text.en)) : null);
    })));
  if (state.errors.announcements) root.append(loadingOrError('announcements'));
}

async function onAnnounce(e) {
  e.preventDefault();
  const vi = $('announce-vi').value.trim();
  const en = $('announce-en').value.trim();
  const ids = ['announce-vi', 'announce-en'];
  if (!vi && !en) {
    markInvalid(ids, 'announce-vi');
    setMsg('announce', 'error', () => t('org.announce.empty'));
    return;
  }
  markInvalid(ids, null);
  const r = await act('announce', 'announce', () => t('org.announce.failed'),
    () => api.post('/api/v1/announcements', { text: { vi, en } }), $('announce-send'));
  if (!r) {
    const m = state.msgs.get('announce');
    const f = m && m.err && m.err.field;
    if (f === 'text.en') markInvalid(ids, 'announce-en');
    else if (f === 'text' || f === 'text.vi') markInvalid(ids, 'announce-vi');
    return;
  }
  $('announce-vi').value = '';
  $('announce-en').value = '';
  const at = r.at;
  setMsg('announce', 'success', () => t('org.announce.sent', { time: at ? time(at) : t('dash') }));
  if (r && r.id !== undefined) {
    const list = (state.data.announcements || []).filter((a) => a.id !== r.id);
    state.data.announcements = [r, ...list];
    renderAnnouncements();
  }
  load('announcements');
  load('audit');
}

// ------------------------------------------------------------------ 4. teams, tokens, logins

/** The event log's page before `before` (null: the newest), with the chosen team and type. */
function eventsPath(before) {
  const q = new URLSearchParams({ limit: String(EVENTS_PAGE) });
  if (state.eventsTeam) q.set('team', state.eventsTeam);
  if (state.eventsType) q.set('type', state.eventsType);
  if (before !== null && before !== undefined) q.set('before', String(before));
  return `/api/v1/events?${q}`;
}

/** Load the next older page of the event log and add it below. */
async function olderEvents(btn) {
  const list = state.data.events || [];
  const last = list.length ? list[list.length - 1].seq : null;
  const more = await act('events-older', 'events', () => t('org.load_failed'),
    () => api.get(eventsPath(last)), btn);
  if (!more) return;
  const page = listOf(more, 'events');
  state.data.events = [...list, ...page];
  state.eventsDone = page.length < EVENTS_PAGE;
  state.shown.events = state.data.events.length;
  renderEvents();
}

/** Everything read from the event log. */
function loadLog() {
  state.eventsDone = false;
  load('events');
  load('adjustments');
  load('standing');
}

/** Disqualified teams (id → reason), from the event log: the last disqualify or reinstate wins. */
function disqualified() {
  const out = new Map();
  for (const e of state.data.standing || []) {
    const kind = e && e.event && e.event.type;
    if (kind === 'disqualify') out.set(e.team, e.event.reason || '');
    else if (kind === 'reinstate') out.delete(e.team);
  }
  return out;
}

function renderTeams() {
  const root = $('teams-list');
  if (state.view !== 'console') return;
  const teams = state.data.teams;
  if (!teams) {
    fill(root, loadingOrError('teams'));
    return;
  }
  if (!teams.length) {
    fill(root, el('p', { class: 'muted', text: t('org.teams.none') }));
    return;
  }
  const dq = disqualified();
  const known = Boolean(state.data.standing);
  const focus = captureFocus(root);
  const rows = [];
  for (const team of teams) {
    const id = String(team.id);
    const isDq = dq.has(id);
    const open = state.openTokens.has(id);
    const members = Array.isArray(team.members) ? team.members : [];
    const badges = [];
    if (isDq) badges.push(el('span', { class: 'badge badge-dq', text: t('org.teams.dq') }));
    if (team.hidden) badges.push(el('span', { class: 'badge badge-hidden', text: t('org.teams.hidden') }));
    if (!badges.length) {
      badges.push(known
        ? el('span', { class: 'badge badge-ok', text: t('org.teams.active') })
        : el('span', { class: 'muted', text: t('dash') }));
    }
    rows.push(el('tr', { class: isDq ? 'is-dq' : null, id: `team-row-${id}` },
      el('td', { class: 'mono', 'data-label': t('org.col.id'), text: id }),
      el('td', { 'data-label': t('org.col.team') },
        el('span', { class: 'block', text: String(team.name ?? '') }),
        team.organisation ? el('span', { class: 'block muted small', text: String(team.organisation) }) : null),
      el('td', { 'data-label': t('org.col.members') },
        el('span', { class: 'block', text: formatNumber(members.length) }),
        members.length ? el('span', { class: 'block muted small', text: members.join(t('list.sep')) }) : null),
      el('td', { 'data-label': t('org.col.status') }, badges, isDq && dq.get(id)
        ? el('span', { class: 'block muted small', text: t('org.teams.dq_reason', { reason: dq.get(id) }) })
        : null),
      el('td', { class: 'actions', 'data-label': t('org.col.actions') },
        el('button', {
          type: 'button',
          class: 'btn btn-secondary btn-small',
          id: `tokens-toggle-${id}`,
          'aria-expanded': String(open),
          'aria-controls': open ? `tokens-${id}` : null,
          onclick: () => toggleTokens(id),
        }, t('org.tokens.button'), el('span', { class: 'sr-only', text: ` — ${team.name}` })),
        isDq
          ? el('button', {
            type: 'button', class: 'btn btn-secondary btn-small', id: `reinstate-${id}`, onclick: () => reinstate(team),
          }, t('org.teams.reinstate'), el('span', { class: 'sr-only', text: ` — ${team.name}` }))
          : el('button', {
            type: 'button', class: 'btn btn-danger btn-small', id: `disqualify-${id}`, onclick: () => disqualify(team),
          }, t('org.teams.disqualify'), el('span', { class: 'sr-only', text: ` — ${team.name}` })))));
    if (open) rows.push(el('tr', { class: 'tokens-row' }, el('td', { colspan: '5' }, tokensPanel(team))));
  }
  fill(root, el('div', { class: 'table-wrap' },
    el('table', { class: 'org-table stack', id: 'teams-table' },
      el('caption', { class: 'sr-only', text: t('org.teams.list') }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: t('org.col.id') }),
        el('th', { scope: 'col', text: t('org.col.team') }),
        el('th', { scope: 'col', text: t('org.col.members') }),
        el('th', { scope: 'col', text: t('org.col.status') }),
        el('th', { scope: 'col', text: t('org.col.actions') }))),
      el('tbody', null, rows))),
  el('p', { class: 'muted small', text: t('org.teams.count', { n: formatNumber(teams.length), dq: formatNumber(dq.size) }) }));
  restoreFocus(focus);
}

function tokensPanel(team) {
  const id = String(team.id);
  const area = `tok-${id}`;
  const tk = state.tokens.get(id) || { loading: true };
  let list;
  if (tk.list) {
    list = tk.list.length
      ? el('div', { class: 'table-wrap' }, el('table', { class: 'org-table stack', id: `tokens-table-${id}` },
        el('caption', { class: 'sr-only', text: t('org.tokens.heading', { team: team.name }) }),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: t('org.col.id') }),
          el('th', { scope: 'col', text: t('org.tokens.prefix') }),
          el('th', { scope: 'col', text: t('org.tokens.label') }),
          el('th', { scope: 'col', text: t('org.tokens.created') }),
          el('th', { scope: 'col', text: t('org.col.status') }),
          el('th', { scope: 'col', text: t('org.col.actions') }))),
        el('tbody', null, tk.list.map((k) => el('tr', { class: k.revoked_at ? 'is-revoked' : null },
          el('td', { class: 'mono', 'data-label': t('org.col.id'), text: String(k.id) }),
          el('td', { class: 'mono', 'data-label': t('org.tokens.prefix'), text: String(k.prefix ?? '') }),
          el('td', { 'data-label': t('org.tokens.label'), text: k.label ? String(k.label) : t('dash') }),
          el('td', { 'data-label': t('org.tokens.created'), text: time(k.created_at) }),
          el('td', { 'data-label': t('org.col.status') }, k.revoked_at
            ? el('span', { class: 'badge badge-revoked', text: t('org.tokens.revoked_at', { time: time(k.revoked_at) }) })
            : el('span', { class: 'badge badge-ok', text: t('org.tokens.active') })),
          el('td', { class: 'actions', 'data-label': t('org.col.actions') }, k.revoked_at ? t('dash') : el('button', {
            type: 'button',
            class: 'btn btn-danger btn-small',
            id: `revoke-${k.id}`,
            onclick: () => revokeToken(team, k),
          }, t('org.tokens.revoke'), el('span', { class: 'sr-only', text: ` ${k.prefix}` }))))))))
      : el('p', { class: 'muted', text: t('org.tokens.none') });
  } else if (tk.error) {
    list = el('div', { class: 'msg msg-error' },
      el('span', { class: 'msg-title', text: t('org.load_failed') }),
      errorLines(tk.error).map((d) => el('span', { class: 'msg-detail', text: d })));
  } else {
    list = el('p', { class: 'muted', text: t('loading') });
  }
  const fresh = state.newTokens.get(id);
  const label = el('input', {
    type: 'text', id: `tok-label-${id}`, maxlength: '100', autocomplete: 'off',
  });
  label.value = state.tokenLabels.get(id) || '';
  label.addEventListener('input', () => state.tokenLabels.set(id, label.value));
  const form = el('form', { class: 'inline-form', novalidate: true },
    el('div', { class: 'field' },
      el('label', { for: `tok-label-${id}`, text: t('org.tokens.new_label') }),
      label),
    el('button', { type: 'submit', class: 'btn btn-small', id: `tok-create-${id}` }, t('org.tokens.create')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    createToken(team);
  });
  return el('div', { class: 'tokens-panel', id: `tokens-${id}` },
    el('h4', { text: t('org.tokens.heading', { team: team.name }) }),
    list,
    fresh ? el('div', { class: 'credentials' },
      el('p', { text: t('org.tokens.fresh', { prefix: fresh.prefix ?? '' }) }),
      el('label', { for: `tok-new-${id}`, text: t('org.tokens.fresh_label') }),
      el('input', {
        type: 'text', readonly: true, class: 'secret-input', id: `tok-new-${id}`, value: String(fresh.token ?? ''),
        onfocus: (e) => e.target.select(),
      }),
      el('div', { class: 'btn-row' }, el('button', {
        type: 'button',
        class: 'btn btn-secondary btn-small',
        id: `tok-new-hide-${id}`,
        onclick: () => {
          state.newTokens.delete(id);
          renderTeams();
          const b = $(`tok-create-${id}`);
          if (b) b.focus();
        },
      }, t('org.tokens.fresh_hide')))) : null,
    form,
    el('div', { class: 'feedback', id: `${area}-feedback`, 'aria-live': 'polite' }, msgNode(area)));
}

function toggleTokens(id) {
  if (state.openTokens.has(id)) {
    state.openTokens.delete(id);
  } else {
    state.openTokens.add(id);
    loadTokens(id);
  }
  renderTeams();
}

async function loadTokens(id) {
  const prev = state.tokens.get(id) || {};
  state.tokens.set(id, { ...prev, loading: true });
  try {
    const list = await api.get(`/api/v1/teams/${seg(id)}/tokens`);
    state.tokens.set(id, { list: listOf(list, 'tokens'), error: null, loading: false });
  } catch (e) {
    if (e.status === 401) {
      expire();
      return;
    }
    state.tokens.set(id, { ...prev, error: e, loading: false });
  }
  if (state.openTokens.has(id)) renderTeams();
}

async function createToken(team) {
  const id = String(team.id);
  const area = `tok-${id}`;
  const label = (state.tokenLabels.get(id) || '').trim();
  const r = await act(`tok-create-${id}`, area, () => t('org.tokens.create_failed'),
    () => api.post(`/api/v1/teams/${seg(id)}/tokens`, label ? { label } : undefined));
  if (!r) {
    renderTeams();
    return;
  }
  state.newTokens.set(id, r);
  state.tokenLabels.delete(id);
  setMsg(area, 'success', () => t('org.tokens.created_msg', { prefix: r.prefix ?? '' }));
  await loadTokens(id);
  renderTeams();
  const n = $(`tok-new-${id}`);
  if (n) n.focus();
  load('audit');
}

async function revokeToken(team, k) {
  const id = String(team.id);
  const area = `tok-${id}`;
  const { ok } = await ask({
    title: t('org.tokens.confirm_title'),
    text: t('org.tokens.confirm_text', { prefix: k.prefix ?? '', team: team.name }),
    ok: t('org.tokens.confirm_ok'),
  });
  if (!ok) return;
  const r = await act(`revoke-${k.id}`, area, () => t('org.tokens.revoke_failed'),
    () => api.request('DELETE', `/api/v1/tokens/${seg(k.id)}`));
  if (!r) {
    renderTeams();
    return;
  }
  setMsg(area, 'success', () => t('org.tokens.revoked', { prefix: k.prefix ?? '', time: time(r.revoked_at) }));
  await loadTokens(id);
  const b = $(`tok-create-${id}`);
  if (b) b.focus();
  load('audit');
}

async function disqualify(team) {
  const { ok, reason } = await ask({
    title: t('org.teams.dq_title'),
    text: t('org.teams.dq_text', { team: `${team.name} (${team.id})` }),
    ok: t('org.teams.disqualify'),
    reason: true,
  });
  if (!ok) return;
  const r = await act(`dq-${team.id}`, 'teams', () => t('org.teams.dq_failed', { team: team.name }),
    () => api.post(`/api/v1/teams/${seg(team.id)}/disqualify`, { reason }));
  if (!r) return;
  setMsg('teams', 'success', () => t('org.teams.dq_done', { team: team.name, seq: r.seq }));
  loadLog();
  await load('standing');
  const b = $(`reinstate-${team.id}`);
  if (b) b.focus();
  load('audit');
}

async function reinstate(team) {
  const { ok } = await ask({
    title: t('org.teams.reinstate_title'),
    text: t('org.teams.reinstate_text', { team: `${team.name} (${team.id})` }),
    ok: t('org.teams.reinstate'),
    danger: false,
  });
  if (!ok) return;
  const r = await act(`dq-${team.id}`, 'teams', () => t('org.teams.reinstate_failed', { team: team.name }),
    () => api.post(`/api/v1/teams/${seg(team.id)}/reinstate`));
  if (!r) return;
  setMsg('teams', 'success', () => t('org.teams.reinstate_done', { team: team.name, seq: r.seq }));
  loadLog();
  await load('standing');
  const b = $(`disqualify-${team.id}`);
  if (b) b.focus();
  load('audit');
}

async function onImport() {
  const btn = $('import-send');
  const text = $('import-text').value;
  if (!text.trim()) {
    setMsg('import', 'error', () => t('org.import.empty'));
    $('import-text').focus();
    return;
  }
  const n = byteLength(text);
  if (n > MAX_BODY_BYTES) {
    setMsg('import', 'error', () => t('org.too_big', { n: formatNumber(n), max: formatNumber(MAX_BODY_BYTES) }));
    return;
  }
  if (state.pending.has('import')) return;
  state.pending.add('import');
  btn.setAttribute('aria-busy', 'true');
  setMsg('import', 'info', () => t('org.import.sending'));
  try {
    const r = await sendText('POST', '/api/v1/teams/import', text, 'text/csv');
    setProblems('import', 'import-text', null);
    const creds = Array.isArray(r.credentials) ? r.credentials : [];
    setMsg('import', 'success', () => t('org.import.done', { n: formatNumber(creds.length) }));
    if (creds.length) showCreds('import', creds);
    for (const key of ['teams', 'users', 'audit']) load(key);
  } catch (e) {
    showRefusal('import', 'import-text', () => t('org.import.failed'), e);
  } finally {
    state.pending.delete('import');
    btn.removeAttribute('aria-busy');
  }
}

function renderUsers() {
  const root = $('users-list');
  if (state.view !== 'console') return;
  const users = state.data.users;
  const dl = $('usernames');
  if (!users) {
    fill(root, state.errors.users
      ? el('p', { class: 'msg msg-warn' },
        el('span', { class: 'msg-title', text: t('org.users.unavailable') }),
        errorLines(state.errors.users).map((d) => el('span', { class: 'msg-detail', text: d })))
      : el('p', { class: 'muted', text: t('loading') }));
    return;
  }
  dl.replaceChildren(...users.map((u) => el('option', { value: String(u.username) })));
  if (!users.length) {
    fill(root, el('p', { class: 'muted', text: t('org.users.none') }));
    return;
  }
  const focus = captureFocus(root);
  const order = { organiser: 0, judge: 1, team: 2 };
  const sorted = [...users].sort((a, b) => (order[a.role] ?? 9) - (order[b.role] ?? 9)
    || String(a.username).localeCompare(String(b.username)));
  fill(root, el('div', { class: 'table-wrap' },
    el('table', { class: 'org-table stack', id: 'users-table' },
      el('caption', { class: 'sr-only', text: t('org.users.heading') }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: t('login.username') }),
        el('th', { scope: 'col', text: t('org.col.role') }),
        el('th', { scope: 'col', text: t('org.col.team') }),
        el('th', { scope: 'col', text: t('org.col.actions') }))),
      el('tbody', null, sorted.map((u) => {
        const name = String(u.username);
        const notes = [];
        if (u.lead) notes.push(t('org.users.lead'));
        if (u.disabled) notes.push(t('org.users.disabled'));
        return el('tr', { class: u.disabled ? 'is-revoked' : null },
          el('td', { class: 'mono', 'data-label': t('login.username'), text: name }),
          el('td', { 'data-label': t('org.col.role') }, roleLabel(u.role),
            notes.length ? el('span', { class: 'block muted small', text: notes.join(t('list.sep')) }) : null),
          el('td', { 'data-label': t('org.col.team'), text: u.team ? teamName(u.team) : t('dash') }),
          el('td', { class: 'actions', 'data-label': t('org.col.actions') }, el('button', {
            type: 'button',
            class: 'btn btn-danger btn-secondary btn-small',
            id: `reset-user-${name}`,
            onclick: () => resetPassword(name),
          }, t('org.reset.send'), el('span', { class: 'sr-only', text: ` — ${name}` }))));
      })))));
  restoreFocus(focus);
}

async function resetPassword(username) {
  const name = String(username || '').trim();
  if (!name) {
    markInvalid(['reset-username'], 'reset-username');
    setMsg('reset', 'error', () => t('org.reset.empty'));
    return;
  }
  markInvalid(['reset-username'], null);
  const { ok } = await ask({
    title: t('org.reset.confirm_title'),
    text: t('org.reset.confirm_text', { user: name }),
    ok: t('org.reset.send'),
  });
  if (!ok) return;
  const r = await act(`reset-${name}`, 'reset', () => t('org.reset.failed', { user: name }),
    () => api.post(`/api/v1/users/${seg(name)}/reset-password`), $('reset-send'));
  if (!r) return;
  setMsg('reset', 'success', () => t('org.reset.done', { user: r.username ?? name }));
  showCreds('reset', [r]);
  $('reset-username').value = '';
  load('audit');
}

function syncLead() {
  const role = $('user-role').value;
  const lead = $('user-lead');
  lead.disabled = role !== 'judge';
  if (lead.disabled) lead.checked = false;
}

async function onCreateUser(e) {
  e.preventDefault();
  const ids = ['user-username', 'user-role', 'user-lead', 'user-password'];
  const username = $('user-username').value.trim();
  const role = $('user-role').value;
  const password = $('user-password').value;
  const lead = $('user-lead').checked && role === 'judge';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(username)) {
    markInvalid(ids, 'user-username');
    setMsg('user', 'error', () => t('org.user.bad_username'));
    return;
  }
  if (password && [...password].length < 10) {
    markInvalid(ids, 'user-password');
    setMsg('user', 'error', () => t('org.user.short_password'));
    return;
  }
  markInvalid(ids, null);
  const body = { username, role };
  if (password) body.password = password;
  if (lead) body.lead = true;
  const r = await act('user', 'user', () => t('org.user.failed', { user: username }),
    () => api.post('/api/v1/users', body), $('user-send'));
  if (!r) {
    const m = state.msgs.get('user');
    const f = m && m.err && m.err.field;
    if (f && ids.includes(`user-${f}`)) markInvalid(ids, `user-${f}`);
    return;
  }
  $('user-username').value = '';
  $('user-password').value = '';
  $('user-lead').checked = false;
  const who = r.username ?? username;
  setMsg('user', 'success', () => t('org.user.done', { user: who, role: roleLabel(r.role ?? role) }));
  if (r.password) showCreds('user', [r]);
  load('users');
  load('audit');
}

// ------------------------------------------------------------------ 5. adjustments

function renderTeamOptions() {
  const teams = state.data.teams || [];
  for (const [id, first] of [['adjust-team', 'org.adjust.choose'], ['events-team', 'org.events.all']]) {
    const sel = $(id);
    const keep = sel.value || (id === 'events-team' ? state.eventsTeam : '');
    sel.replaceChildren(el('option', { value: '', text: t(first) }),
      ...teams.map((x) => el('option', { value: String(x.id), text: `${x.name} (${x.id})` })));
    sel.value = teams.some((x) => String(x.id) === keep) ? keep : '';
  }
}

function syncAdjustButton() {
  const reason = $('adjust-reason').value.trim();
  $('adjust-send').disabled = [...reason].length < MIN_REASON;
}

async function onAdjust(e) {
  e.preventDefault();
  const ids = ['adjust-team', 'adjust-points', 'adjust-reason'];
  const team = $('adjust-team').value;
  const input = $('adjust-points');
  const raw = input.value.trim();
  const reason = $('adjust-reason').value.trim();
  const points = Number(raw);
  if (!team) {
    markInvalid(ids, 'adjust-team');
    setMsg('adjust', 'error', () => t('org.adjust.no_team'));
    return;
  }
  if ((input.validity && input.validity.badInput) || !raw || !Number.isFinite(points) || points === 0
    || Math.abs(points) > 1e9) {
    markInvalid(ids, 'adjust-points');
    setMsg('adjust', 'error', () => t('org.adjust.bad_points'));
    return;
  }
  if ([...reason].length < MIN_REASON) {
    markInvalid(ids, 'adjust-reason');
    setMsg('adjust', 'error', () => t('org.adjust.no_reason', { n: MIN_REASON }));
    return;
  }
  markInvalid(ids, null);
  const { ok } = await ask({
    title: t('org.adjust.confirm_title'),
    text: t('org.adjust.confirm_text', { points: signed(points), team: teamName(team), reason }),
    ok: t('org.adjust.send'),
    danger: points < 0,
  });
  if (!ok) return;
  const r = await act('adjust', 'adjust', () => t('org.adjust.failed'),
    () => api.post('/api/v1/adjustments', { team, points, reason }), $('adjust-send'));
  if (!r) {
    const m = state.msgs.get('adjust');
    const f = m && m.err && m.err.field;
    if (f && ids.includes(`adjust-${f}`)) markInvalid(ids, `adjust-${f}`);
    return;
  }
  input.value = '';
  $('adjust-reason').value = '';
  syncAdjustButton();
  const got = r.event && r.event.points !== undefined ? r.event.points : points;
  setMsg('adjust', 'success', () => t('org.adjust.done', { points: signed(got), team: teamName(r.team ?? team), seq: r.seq }));
  loadLog();
  load('audit');
}

function renderAdjustList() {
  const root = $('adjust-list');
  if (state.view !== 'console') return;
  const events = state.data.adjustments;
  if (!events) {
    fill(root, loadingOrError('adjustments'));
    return;
  }
  const list = events.filter((e) => e && e.event && e.event.type === 'adjustment');
  if (!list.length) {
    fill(root, el('p', { class: 'muted', text: t('org.adjust.none') }));
    return;
  }
  fill(root, el('div', { class: 'table-wrap' },
    el('table', { class: 'org-table', id: 'adjust-table' },
      el('caption', { class: 'sr-only', text: t('org.adjust.list') }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: t('org.col.time') }),
        el('th', { scope: 'col', text: t('org.col.team') }),
        el('th', { scope: 'col', class: 'num', text: t('org.col.points') }),
        el('th', { scope: 'col', text: t('org.col.reason') }),
        el('th', { scope: 'col', text: t('org.col.actor') }))),
      el('tbody', null, list.slice(0, 50).map((e) => el('tr', null,
        el('td', { class: 'time', text: time(e.at) }),
        el('td', { text: teamName(e.team) }),
        el('td', { class: `num ${Number(e.event.points) < 0 ? 'neg' : 'pos'}`, text: signed(e.event.points) }),
        el('td', { class: 'detail', text: String(e.event.reason ?? '') }),
        el('td', { class: 'mono', text: String(e.actor ?? '') })))))));
}

// ------------------------------------------------------------------ 6. attack/defend rounds

function scenarioServices() {
  const s = state.data.scenario;
  const list = s && s.scenario && Array.isArray(s.scenario.services) ? s.scenario.services : [];
  return list.filter((x) => x && x.id);
}

function hasAttackDefense() {
  const s = state.data.scenario;
  const sc = s && s.scenario;
  const rounds = state.data.rounds;
  return Boolean((rounds && rounds.length) || (sc && (sc.attack_defense || scenarioServices().length)));
}

function roundStatus(s) {
  return ROUND_STATUSES.has(s) ? t(`org.round.${s}`) : String(s || '');
}

function serviceName(id) {
  const svc = scenarioServices().find((x) => x.id === id);
  const name = svc ? pick(svc.name) : '';
  return name && name !== id ? `${name} (${id})` : String(id);
}

function renderRounds() {
  if (state.view !== 'console') return;
  const show = hasAttackDefense();
  $('sec-rounds').hidden = !show;
  $('nav-rounds').hidden = !show;
  if (!show) return;
  const root = $('rounds-list');
  const rounds = state.data.rounds;
  if (!rounds) {
    fill(root, loadingOrError('rounds'));
    return;
  }
  if (!rounds.length) {
    fill(root, el('p', { class: 'muted', text: t('org.rounds.none') }));
    return;
  }
  const services = scenarioServices();
  const focus = captureFocus(root);
  const sorted = [...rounds].sort((a, b) => Number(b.number) - Number(a.number));
  const shown = sorted.slice(0, state.shown.rounds);
  const rows = shown.map((r) => {
    const n = Number(r.number);
    const voided = Array.isArray(r.voided) ? r.voided.map(String) : [];
    const open = services.filter((s) => !voided.includes(s.id));
    let action;
    if (r.status === 'running') {
      action = el('span', { class: 'muted small', text: t('org.rounds.running_note') });
    } else if (!services.length) {
      action = el('span', { class: 'muted small', text: t('org.rounds.no_services') });
    } else if (!open.length) {
      action = el('span', { class: 'muted small', text: t('org.rounds.all_void') });
    } else {
      const sel = el('select', { id: `void-service-${n}`, 'aria-label': t('org.rounds.service_for', { n }) },
        open.map((s) => el('option', { value: s.id, text: serviceName(s.id) })));
      const keep = state.voidChoice.get(n);
      if (keep && open.some((s) => s.id === keep)) sel.value = keep;
      sel.addEventListener('change', () => state.voidChoice.set(n, sel.value));
      action = el('div', { class: 'void-form' }, sel, el('button', {
        type: 'button',
        class: 'btn btn-danger btn-small',
        id: `void-${n}`,
        onclick: () => voidRound(n, sel.value),
      }, t('org.rounds.void'), el('span', { class: 'sr-only', text: ` — ${t('org.rounds.round_n', { n })}` })));
    }
    return el('tr', { id: `round-${n}` },
      el('td', { class: 'num', 'data-label': t('org.col.round'), text: formatNumber(n) }),
      el('td', { class: 'time', 'data-label': t('org.col.start'), text: time(r.started_at) }),
      el('td', { class: 'time', 'data-label': t('org.col.end'), text: r.ended_at ? time(r.ended_at) : t('dash') }),
      el('td', { 'data-label': t('org.col.status'), text: roundStatus(r.status) }),
      el('td', { 'data-label': t('org.rounds.voided'), text: voided.length ? voided.map(serviceName).join(t('list.sep')) : t('dash') }),
      el('td', { class: 'actions', 'data-label': t('org.rounds.void_col') }, action));
  });
  fill(root, el('div', { class: 'table-wrap' },
    el('table', { class: 'org-table stack', id: 'rounds-table' },
      el('caption', { class: 'sr-only', text: t('org.rounds.heading') }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', class: 'num', text: t('org.col.round') }),
        el('th', { scope: 'col', text: t('org.col.start') }),
        el('th', { scope: 'col', text: t('org.col.end') }),
        el('th', { scope: 'col', text: t('org.col.status') }),
        el('th', { scope: 'col', text: t('org.rounds.voided') }),
        el('th', { scope: 'col', text: t('org.rounds.void_col') }))),
      el('tbody', null, rows))),
  moreButton('rounds', sorted.length, renderRounds));
  restoreFocus(focus);
}

// ------------------------------------------------------------------ 5b. incident reports

/** Per inject that asks for a report: how many reports are at each marking stage. */
function reportCounts(injectId) {
  const counts = { n: 0, first: 0, second: 0, moderation: 0, final: 0 };
  for (const r of state.data.reports || []) {
    if (!r || r.inject !== injectId) continue;
    counts.n += 1;
    const st = r.status || {};
    if (st.state === 'final') counts.final += 1;
    else if (st.stage in counts) counts[st.stage] += 1;
  }
  return counts;
}

function renderReports() {
  if (state.view !== 'console') return;
  const root = $('reports-list');
  if (!root) return;
  const injects = state.data.injects;
  if (!injects || !state.data.reports) {
    fill(root, loadingOrError(!injects ? 'injects' : 'reports'));
    return;
  }
  const asking = injects.filter((i) => i && i.report);
  if (!asking.length) {
    fill(root, el('p', { class: 'muted', text: t('org.reports.none') }));
    return;
  }
  const focus = captureFocus(root);
  const teams = (state.data.teams || []).filter((x) => x && !x.hidden).length;
  const rows = asking.map((i) => {
    const c = reportCounts(i.id);
    const audience = Array.isArray(i.audience) && i.audience.length ? i.audience.length : teams;
    const title = pick(i.title) || i.id;
    const grades = i.grades_released_at
      ? el('span', { text: t('org.reports.released_at', { time: time(i.grades_released_at) }) })
      : el('button', {
        type: 'button',
        class: 'btn btn-small',
        id: `release-${i.id}`,
        onclick: (e) => releaseGrades(i, c, e.currentTarget),
      }, t('org.reports.release'), el('span', { class: 'sr-only', text: ` — ${title}` }));
    const num = (label, v) => el('td', { class: 'num', 'data-label': t(label), text: formatNumber(v) });
    return el('tr', { id: `report-row-${i.id}` },
      el('th', { scope: 'row', 'data-label': t('org.reports.inject'), text: title }),
      el('td', { class: 'time', 'data-label': t('org.reports.released') },
        i.released_at ? time(i.released_at) : t('org.reports.not_released'),
        i.released_at && Date.parse(i.released_at) > serverNow()
          ? el('button', {
            type: 'button', class: 'btn btn-secondary btn-small', id: `release-now-${i.id}`,
            onclick: (e) => releaseInjectNow(i, e.currentTarget),
          }, t('org.reports.release_now'), el('span', { class: 'sr-only', text: ` — ${title}` }))
          : null),
      el('td', { class: 'time', 'data-label': t('org.reports.due'), text: i.report.due_at ? time(i.report.due_at) : t('dash') }),
      el('td', { class: 'num', 'data-label': t('org.reports.in'), text: t('org.reports.in_of', { n: formatNumber(c.n), of: formatNumber(audience) }) }),
      num('org.reports.first', c.first),
      num('org.reports.second', c.second),
      num('org.reports.moderation', c.moderation),
      num('org.reports.final', c.final),
      el('td', { class: 'actions', 'data-label': t('org.reports.grades') }, grades));
  });
  const th = (key, cls) => el('th', { scope: 'col', class: cls, text: t(key) });
  fill(root, el('div', { class: 'table-wrap' },
    el('table', { class: 'org-table stack', id: 'reports-table' },
      el('caption', { class: 'sr-only', text: t('org.reports.heading') }),
      el('thead', null, el('tr', null,
        th('org.reports.inject'), th('org.reports.released'), th('org.reports.due'),
        th('org.reports.in', 'num'), th('org.reports.first', 'num'), th('org.reports.second', 'num'),
        th('org.reports.moderation', 'num'), th('org.reports.final', 'num'), th('org.reports.grades'))),
      el('tbody', null, rows))));
  restoreFocus(focus);
}

/** Release an inject before its scheduled time: its deadlines count from now. */
async function releaseInjectNow(inject, btn) {
  const title = pick(inject.title) || inject.id;
  const { ok } = await ask({
    title: t('org.reports.release_now_title', { inject: title }),
    text: t('org.reports.release_now_text', { time: time(inject.released_at) }),
    ok: t('org.reports.release_now'),
    danger: false,
  });
  if (!ok) return;
  const r = await act(`release-now-${inject.id}`, 'reports', () => t('org.reports.release_now_failed', { inject: title }),
    () => api.post(`/api/v1/injects/${seg(inject.id)}/release`, {}), btn);
  if (!r) return;
  setMsg('reports', 'success', () => t('org.reports.release_now_done', { inject: title }));
  await load('injects');
  load('audit');
}

async function releaseGrades(inject, counts, btn) {
  const title = pick(inject.title) || inject.id;
  const pending = counts.n - counts.final;
  const text = t('org.reports.confirm_text', { final: formatNumber(counts.final), n: formatNumber(counts.n) })
    + (pending > 0 ? ` ${t('org.reports.confirm_pending', { pending: formatNumber(pending) })}` : '');
  const { ok } = await ask({ title: t('org.reports.confirm_title', { inject: title }), text, ok: t('org.reports.release'), danger: false });
  if (!ok) return;
  const r = await act(`release-${inject.id}`, 'reports', () => t('org.reports.failed', { inject: title }),
    () => api.post(`/api/v1/injects/${seg(inject.id)}/release-grades`, {}), btn);
  if (!r) return;
  setMsg('reports', 'success', () => t('org.reports.done', { inject: title }));
  await load('injects');
  const h = $('h-reports');
  if (h && !$(`release-${inject.id}`)) h.focus();
  load('audit');
}

/** Alerts shown at once: the newest that are not void yet. */
const ALERTS_SHOWN = 10;

/**
 * Checker failures of the latest rounds, newest first: per round and service, each team with
 * the step, what failed, how the service's policy decided it and the checker's stderr, and a
 * button to void that round of that service.
 */
/**
 * The checker workers, when there are any: alive and capacity, jobs waiting, and how the last
 * round's jobs went (late jobs are checker failures, not the teams' fault).
 */
function renderWorkers() {
  if (state.view !== 'console') return;
  const root = $('workers-list');
  if (!root) return;
  const w = state.data.workers;
  const list = w && Array.isArray(w.workers) ? w.workers : [];
  if (!list.length) {
    fill(root);
    return;
  }
  const alive = list.filter((x) => x.alive);
  const capacity = alive.reduce((n, x) => n + Number(x.capacity || 0), 0);
  const last = w.last_round;
  const lateCount = last ? Number(last.late || 0) : 0;
  fill(root, el('div', { class: `notice ${alive.length && !lateCount ? '' : 'warn'}`, role: 'status' },
    el('h3', { text: t('org.workers.heading') }),
    el('p', {
      text: t('org.workers.summary', {
        alive: formatNumber(alive.length),
        all: formatNumber(list.length),
        capacity: formatNumber(capacity),
        queued: formatNumber(Number(w.queued || 0)),
      }),
    }),
    last ? el('p', {
      text: t('org.workers.last_round', {
        n: last.round,
        done: formatNumber(Number(last.done || 0)),
        jobs: formatNumber(Number(last.jobs || 0)),
        late: formatNumber(lateCount),
        again: formatNumber(Number(last.run_again || 0)),
      }),
    }) : null,
    el('ul', { class: 'small' }, list.map((x) => el('li', {
      text: t(x.alive ? 'org.workers.one' : 'org.workers.one_gone', {
        name: String(x.name || ''),
        running: formatNumber(Number(x.running || 0)),
        capacity: formatNumber(Number(x.capacity || 0)),
        seen: formatTime(x.seen_at, zone(), 'time'),
      }),
    })))));
}

function renderAlerts() {
  if (state.view !== 'console') return;
  const root = $('alerts-list');
  if (!root) return;
  const alerts = (state.data.alerts || []).filter((a) => a && !a.voided).slice(0, ALERTS_SHOWN);
  if (!alerts.length) {
    fill(root);
    return;
  }
  const items = alerts.map((a) => {
    const n = Number(a.round);
    const service = String(a.service || '');
    const teams = Array.isArray(a.teams) ? a.teams : [];
    const lines = teams.map((x) => el('li', null,
      el('strong', { text: String(x.team || '') }),
      ` — ${x.step || ''}: ${codedText(x.what_code, x.what_params, x.what || '')}`,
      x.decided ? el('span', { class: 'muted', text: ` (${codedText(x.decided_code, x.decided_params, x.decided)})` }) : null,
      x.stderr ? el('pre', { class: 'checker-tail', text: String(x.stderr) }) : null));
    // Voiding helps when teams were judged by a broken checker, not for a problem of the
    // checker as a whole (its variants, its description).
    const voidable = teams.length > 0
      && (state.data.rounds || []).some((r) => Number(r.number) === n && r.status !== 'running');
    const summary = teams.length
      ? t('org.alerts.summary', { n, service: serviceName(service), count: teams.length })
      : t('org.alerts.summary_service', { n, service: serviceName(service) });
    return el('li', { class: 'checker-alert' },
      el('details', null,
        el('summary', { text: summary }),
        a.problem ? el('p', { text: codedText(a.problem_code, a.problem_params, String(a.problem)) }) : null,
        lines.length ? el('ul', null, lines) : null),
      voidable ? el('button', {
        type: 'button',
        class: 'btn btn-danger btn-small',
        id: `alert-void-${a.id}`,
        onclick: () => voidRound(n, service),
      }, t('org.alerts.void', { n, service: serviceName(service) })) : null);
  });
  fill(root, el('div', { class: 'notice warn', role: 'status' },
    el('h3', { text: t('org.alerts.heading') }),
    el('p', { class: 'small', text: t('org.alerts.intro') }),
    el('ul', { class: 'alert-list' }, items)));
}

async function voidRound(n, service) {
  if (!service) return;
  const { ok, reason } = await ask({
    title: t('org.rounds.confirm_title', { n }),
    text: t('org.rounds.confirm_text', { n, service: serviceName(service) }),
    ok: t('org.rounds.void'),
    reason: true,
  });
  if (!ok) return;
  const r = await act(`void-${n}`, 'rounds', () => t('org.rounds.failed', { n, service: serviceName(service) }),
    () => api.post(`/api/v1/rounds/${seg(n)}/void`, { service, reason }));
  if (!r) return;
  state.voidChoice.delete(n);
  setMsg('rounds', 'success', () => t('org.rounds.done', { n, service: serviceName(service) }));
  load('alerts');
  await load('rounds');
  const h = $('h-rounds');
  if (h && !$(`void-${n}`)) {
    h.setAttribute('tabindex', '-1');
    h.focus();
  }
  load('audit');
}

// ------------------------------------------------------------------ 7. exports

async function onExportJson() {
  const btn = $('export-json');
  const name = `${exerciseId()}-export-${stamp()}.json`;
  setMsg('export', 'info', () => t('file.downloading'));
  const r = await act('export-json', 'export', () => t('org.export.failed'),
    () => api.downloadFile('/api/v1/export', name), btn);
  if (!r) return;
  setMsg('export', 'success', () => t('org.export.saved', { name: r.filename, size: formatNumber(r.size) }));
  load('audit');
}

async function onExportCsv() {
  // The server writes the live results table (UTF-8 with a BOM, formula-safe cells).
  const btn = $('export-csv');
  const name = `${exerciseId()}-results-${stamp()}.csv`;
  setMsg('export', 'info', () => t('file.downloading'));
  const r = await act('export-csv', 'export', () => t('org.export.failed'),
    () => api.downloadFile('/api/v1/export?format=csv', name), btn);
  if (!r) return;
  setMsg('export', 'success', () => t('org.export.saved', { name: r.filename, size: formatNumber(r.size) }));
}

// ------------------------------------------------------------------ 8. logs

function moreButton(key, total, rerender) {
  if (total <= state.shown[key]) {
    return total > PAGE[key]
      ? el('p', { class: 'muted small more-row', text: t('org.showing_all', { n: formatNumber(total) }) })
      : null;
  }
  return el('p', { class: 'more-row' },
    el('span', { class: 'muted small', text: `${t('org.showing', { shown: formatNumber(state.shown[key]), n: formatNumber(total) })} ` }),
    el('button', {
      type: 'button',
      class: 'btn btn-secondary btn-small',
      id: `${key}-more`,
      onclick: () => {
        state.shown[key] += PAGE[key];
        rerender();
        const b = $(`${key}-more`);
        if (b) b.focus();
      },
    }, t('org.show_more')));
}

/** Audit actions the console names in words (others are shown as their code). */
const AUDIT_ACTIONS = [
  'announcement.create', 'checker.alert', 'event.append', 'inject.release', 'exercise.clock', 'exercise.extend',
  'report.finalise', 'report.mark', 'report.release', 'report.submit', 'round.interrupted',
  'round.void', 'scenario.load', 'team.create', 'token.create', 'token.revoke', 'user.create',
  'user.lead', 'user.logout_everywhere', 'user.reset_password',
];
/** Event types, as GET /api/v1/events?type= names them. */
const EVENT_TYPES = ['solve', 'hint', 'adjustment', 'disqualify', 'reinstate', 'report_graded',
  'grades_released', 'flag_captured', 'service_checked', 'round_voided'];
const CLOCK_ACTIONS = ['start', 'pause', 'resume', 'end', 'freeze', 'unfreeze', 'extend'];
/** Detail fields the console names in words. */
const AUDIT_KEYS = ['action', 'reason', 'team', 'inject', 'round', 'service', 'minutes', 'points',
  'username', 'role', 'kind', 'at', 'extended_ms', 'why', 'stage', 'code', 'version', 'teams', 'problem'];

function auditAction(code) {
  return AUDIT_ACTIONS.includes(code) ? t(`org.audit.a.${code}`) : String(code ?? '');
}

/** One detail value, readable: times in the exercise's zone, durations in minutes and seconds. */
function auditValue(k, v) {
  if (v === null || v === undefined) return t('dash');
  const n = Number(v);
  if ((k === 'at' || k.endsWith('_at')) && Number.isFinite(n) && n > 1e11) return time(n);
  if (k.endsWith('_ms') && Number.isFinite(n)) {
    const s = Math.round(n / 1000);
    return t('org.audit.duration', { m: formatNumber(Math.floor(s / 60)), s: formatNumber(s % 60) });
  }
  if (k === 'action' && CLOCK_ACTIONS.includes(v)) return t(`org.clock.${v}`);
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' ? (x.team ?? JSON.stringify(x)) : String(x))).join(t('list.sep'));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function detailText(d) {
  if (d === null || d === undefined) return '';
  if (typeof d !== 'object') return String(d);
  return Object.entries(d)
    .map(([k, v]) => `${AUDIT_KEYS.includes(k) ? t(`org.audit.k.${k}`) : k}: ${auditValue(k, v)}`)
    .join(' · ');
}

function renderAudit() {
  const root = $('audit-list');
  if (state.view !== 'console') return;
  const list = state.data.audit;
  if (!list) {
    fill(root, loadingOrError('audit'));
    return;
  }
  // The action filter lists the actions present, in words.
  const select = $('audit-action');
  const chosen = select.value;
  const present = [...new Set(list.map((a) => String(a.action ?? '')))].sort();
  select.replaceChildren(el('option', { value: '', text: t('org.audit.all') }),
    ...present.map((code) => el('option', { value: code, text: auditAction(code) })));
  select.value = present.includes(chosen) ? chosen : '';
  const needle = $('audit-search').value.trim().toLocaleLowerCase();
  const shown = list.filter((a) => (!select.value || a.action === select.value)
    && (!needle || `${a.actor} ${auditAction(a.action)} ${detailText(a.detail)}`.toLocaleLowerCase().includes(needle)));
  if (!shown.length) {
    fill(root, el('p', { class: 'muted', text: list.length ? t('org.audit.no_match') : t('org.audit.none') }));
    return;
  }
  const focus = captureFocus(root);
  // The API lists oldest first; the newest matter most here.
  const sorted = [...shown].sort((a, b) => (Number(b.id) - Number(a.id)) || (Date.parse(b.at) - Date.parse(a.at)));
  fill(root, el('div', { class: 'table-wrap' },
    el('table', { class: 'org-table', id: 'audit-table' },
      el('caption', { class: 'sr-only', text: t('org.audit.list') }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: t('org.col.time') }),
        el('th', { scope: 'col', text: t('org.col.actor') }),
        el('th', { scope: 'col', text: t('org.col.action') }),
        el('th', { scope: 'col', text: t('org.col.details') }))),
      el('tbody', null, sorted.slice(0, state.shown.audit).map((a) => el('tr', null,
        el('td', { class: 'time', text: time(a.at) }),
        el('td', { text: String(a.actor ?? '') }),
        el('td', { title: String(a.action ?? ''), text: auditAction(a.action) }),
        el('td', { class: 'detail', text: detailText(a.detail) })))))),
  moreButton('audit', sorted.length, renderAudit),
  state.errors.audit ? loadingOrError('audit') : null);
  restoreFocus(focus);
}

function renderEvents() {
  const root = $('events-list');
  if (state.view !== 'console') return;
  // The type filter, in the reader's language.
  const typeSel = $('events-type');
  typeSel.replaceChildren(el('option', { value: '', text: t('org.events.all_types') }),
    ...EVENT_TYPES.map((k) => el('option', { value: k, text: t(`org.events.t.${k}`) })));
  typeSel.value = state.eventsType || '';
  const list = state.data.events;
  if (!list) {
    fill(root, loadingOrError('events'));
    return;
  }
  const picked = list;
  if (!picked.length) {
    fill(root, el('p', { class: 'muted', text: t('org.events.none') }));
    return;
  }
  const focus = captureFocus(root);
  fill(root, el('div', { class: 'table-wrap' },
    el('table', { class: 'org-table', id: 'events-table' },
      el('caption', { class: 'sr-only', text: t('org.events.heading') }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', class: 'num', text: '#' }),
        el('th', { scope: 'col', text: t('org.col.time') }),
        el('th', { scope: 'col', text: t('org.col.team') }),
        el('th', { scope: 'col', text: t('org.col.actor') }),
        el('th', { scope: 'col', text: t('org.col.type') }),
        el('th', { scope: 'col', text: t('org.col.details') }))),
      el('tbody', null, picked.slice(0, state.shown.events).map((e) => {
        const { type, ...rest } = e.event || {};
        return el('tr', null,
          el('td', { class: 'num', text: String(e.seq ?? '') }),
          el('td', { class: 'time', text: time(e.at) }),
          el('td', { text: e.team ? teamName(e.team) : t('dash') }),
          el('td', { class: 'mono', text: String(e.actor ?? '') }),
          el('td', { text: EVENT_TYPES.includes(type) ? t(`org.events.t.${type}`) : String(type ?? '') }),
          el('td', { class: 'detail', text: detailText(rest) }));
      })))),
  picked.length > state.shown.events
    ? moreButton('events', picked.length, renderEvents)
    : (picked.length >= EVENTS_PAGE && !state.eventsDone
      ? el('div', { class: 'btn-row' }, el('button', {
        type: 'button', class: 'btn btn-secondary btn-small', id: 'events-older', onclick: (e) => olderEvents(e.currentTarget),
      }, t('org.events.older')))
      : null),
  state.errors.events ? loadingOrError('events') : null);
  restoreFocus(focus);
}

// ------------------------------------------------------------------ 9. live updates

/**
 * What the stream says changed. live.js also sends every kind after each (re)connection and,
 * while the stream is down, every few seconds, so nothing here polls by itself.
 */
function onLiveUpdate(what) {
  if (state.view !== 'console') return;
  const kinds = Array.isArray(what) ? what : [what];
  if (kinds.includes('exercise')) {
    loadExercise();
    load('injects');
  }
  if (kinds.includes('announcements')) load('announcements');
  if (kinds.includes('rounds')) {
    load('rounds');
    load('workers');
  }
  if (kinds.includes('alerts')) load('alerts');
}

// ------------------------------------------------------------------ sign-in

function onLogin(e) {
  return signIn(e, { user: 'org-username', pass: 'org-password', button: 'org-login-submit' }, state, renderLogin, {
    // Not stored: a team or judge session is of no use here.
    refuse: (r) => (r.role !== 'organiser'
      ? () => t('org.login_not_organiser', { role: roleLabel(r.role) })
      : null),
    async enter(r, username) {
      state.me = { username: r.username ?? username, role: r.role, team: null };
      await enterConsole(true);
    },
  });
}

async function onLogout() {
  if (unsavedSecrets()) {
    const { ok } = await ask({
      title: t('org.logout_title'),
      text: t('org.logout_text'),
      ok: t('team.logout'),
    });
    if (!ok) return;
  }
  api.clearToken();
  resetData();
  showLogin({ kind: 'info', text: () => t('login.logged_out') });
}

function resetData() {
  state.me = null;
  for (const k of Object.keys(state.data)) state.data[k] = undefined;
  state.errors = {};
  state.msgs.clear();
  state.problems.clear();
  state.creds.clear();
  state.tokens.clear();
  state.newTokens.clear();
  state.openTokens.clear();
  state.tokenLabels.clear();
  state.voidChoice.clear();
  state.shown = { ...PAGE };
  for (const area of ['scenario', 'import', 'user', 'reset']) renderCreds(area);
  for (const id of ['scenario-problems', 'import-problems']) {
    $(id).replaceChildren();
    $(id).hidden = true;
  }
  for (const n of document.querySelectorAll('#org-view .feedback')) n.replaceChildren();
  $('scenario-text').value = '';
  $('import-text').value = '';
}

// ------------------------------------------------------------------ start

function init() {
  initI18n();
  $('org-login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  $('org-retry').addEventListener('click', () => {
    state.me = null;
    enterConsole(false);
  });

  $('scenario-validate').addEventListener('click', onValidate);
  $('scenario-load').addEventListener('click', onLoad);
  $('scenario-show').addEventListener('click', onShowCurrent);
  $('scenario-file').addEventListener('change', (e) => readInto(e.target, 'scenario-text', 'scenario'));
  const ta = $('scenario-text');
  for (const ev of ['input', 'keyup', 'click', 'select', 'focus']) ta.addEventListener(ev, scheduleCursorPos);

  for (const b of document.querySelectorAll('.clock-btn')) {
    b.addEventListener('click', () => clockAction(b.dataset.action, b));
  }
  $('clock-extend-form').addEventListener('submit', (e) => {
    e.preventDefault();
    clockAction('extend', $('clock-extend'));
  });

  $('announce-form').addEventListener('submit', onAnnounce);
  $('announce-refresh').addEventListener('click', () => load('announcements'));

  $('teams-refresh').addEventListener('click', () => {
    load('teams');
    loadLog();
    for (const id of state.openTokens) loadTokens(id);
  });
  $('import-file').addEventListener('change', (e) => readInto(e.target, 'import-text', 'import'));
  $('import-send').addEventListener('click', onImport);
  $('users-refresh').addEventListener('click', () => load('users'));
  $('reset-form').addEventListener('submit', (e) => {
    e.preventDefault();
    resetPassword($('reset-username').value);
  });
  $('user-form').addEventListener('submit', onCreateUser);
  $('user-role').addEventListener('change', syncLead);

  $('adjust-form').addEventListener('submit', onAdjust);
  $('adjust-reason').addEventListener('input', syncAdjustButton);

  $('reports-refresh').addEventListener('click', () => {
    load('injects');
    load('reports');
  });
  $('audit-action').addEventListener('change', renderAudit);
  $('audit-search').addEventListener('input', renderAudit);
  $('rounds-refresh').addEventListener('click', () => {
    load('rounds');
    load('scenario');
  });
  $('export-json').addEventListener('click', onExportJson);
  $('export-csv').addEventListener('click', onExportCsv);
  $('audit-refresh').addEventListener('click', () => load('audit'));
  $('events-refresh').addEventListener('click', () => loadLog());
  $('events-team').addEventListener('change', (e) => {
    state.eventsTeam = e.target.value;
    state.shown.events = PAGE.events;
    state.eventsDone = false;
    load('events');
  });
  $('events-type').addEventListener('change', (e) => {
    state.eventsType = e.target.value;
    state.shown.events = PAGE.events;
    state.eventsDone = false;
    load('events');
  });

  onLangChange(renderAll);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.view === 'console' && !dialogOpen) loadExercise();
  });
  // Signing in or out in another tab.
  window.addEventListener('storage', (e) => {
    if (e.key !== api.TOKEN_KEY) return;
    if (!e.newValue && state.view === 'console') {
      resetData();
      showLogin({ kind: 'info', text: () => t('login.logged_out') });
    } else if (e.newValue && state.view === 'login') {
      state.me = null;
      enterConsole(false);
    } else if (e.newValue && state.view === 'console') {
      // Another account in another tab: check who we are now.
      state.me = null;
      enterConsole(false);
    }
  });
  window.addEventListener('beforeunload', (e) => {
    if (state.view !== 'console' || !unsavedSecrets()) return;
    e.preventDefault();
    e.returnValue = '';
  });
  live = subscribe(onLiveUpdate, statusIndicator($('live-status')));
  window.addEventListener('pagehide', () => {
    if (live && typeof live.close === 'function') live.close();
  });
  setInterval(renderClockTick, 1000);

  syncAdjustButton();
  syncLead();
  renderCursorPos();
  if (api.getToken()) enterConsole(false);
  else showLogin(null);
}

init();
