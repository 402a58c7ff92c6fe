// Judge console: sign in, the blind marking queue, read a report and mark it against the rubric.
// Blind: the API never sends a team; this page shows report codes only.
// The queue follows the change stream (live.js): a submitted report is an event, so it comes as a
// "scoreboard" change — except while the board is frozen, when the stream is silent about
// scores and the 20-second poll finds new reports.

import {
  initI18n, onLangChange, t, pick, formatNumber, formatTime, formatBytes, statusLabel, clockLines, el,
  serverText,
} from './i18n.js';
import * as api from './api.js';
import { renderSignIn, signIn } from './signin.js';
import { subscribe, statusIndicator, throttle } from './live.js';
import * as extra from './judge-extra.js'; // judge-extra: live board and team history tabs

const REFRESH_MS = 20000;
const KNOWN_STATUS = new Set(['not_started', 'running', 'paused', 'ended']);
const STAGES = new Set(['first', 'second', 'moderation']);
const MAX_COMMENT = 2000;
const MAX_OVERALL = 4000;

const $ = (id) => document.getElementById(id);
const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

/**
 * Messages are kept as {kind, text: () => string, server?: string} so they can be shown again
 * in the other language. kind: success | error | warn | info.
 */
const state = {
  view: null, // 'login' | 'judge'
  me: null,
  exercise: null,
  skewMs: 0,
  queue: null,
  queueError: null,
  loadError: null,
  updatedAt: null,
  selected: null, // report code from the address (#R-…)
  detail: null, // GET /api/v1/marking/{code} for `selected`
  detailError: null,
  detailLoading: false,
  drafts: new Map(), // code → {version, scores: {id: raw}, bad: {id: bool}, comments: {id: text}, comment, carried}
  fieldErrors: new Map(), // 'scores.<id>' | 'comments.<id>' | 'comment' → () => string
  formMsgs: new Map(), // code → message about the form
  results: new Map(), // code → {version, m}: message after a mark was recorded
  draftOwner: null, // username the drafts belong to
  busy: false,
  loginNotice: null,
  loginError: null,
};

let refreshTimer = null;
let loadingQueue = false;
let detailSeq = 0;
let dialogOpen = false;

// ------------------------------------------------------------------ helpers

/** A criterion's guidance, formatted as the server rendered it (plain text when it did not). */
function guidanceText(c, plain) {
  const box = el('div', { class: 'guidance-text description' });
  const html = c.guidance_html ? pick(c.guidance_html) : '';
  if (html) box.innerHTML = html; // Rendered and sanitised by the server.
  else box.textContent = plain;
  return box;
}

function errorText(e) {
  if (!e) return '';
  if (e.status === 0) return t('error.network');
  return serverText(e);
}

function announce(text) {
  const live = $('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => {
    live.textContent = text;
  }, 60);
}

function roleLabel(role) {
  return ['organiser', 'judge', 'team'].includes(role) ? t(`role.${role}`) : String(role || '');
}

const serverNow = () => Date.now() + state.skewMs;
const zone = () => (state.exercise ? state.exercise.timezone : undefined);
const isStaff = () => !state.me || state.me.role === 'judge' || state.me.role === 'organiser';

function stageLabel(stage) {
  return STAGES.has(stage) ? t(`stage.${stage}`) : String(stage || '');
}

function stageBadge(stage) {
  const known = STAGES.has(stage);
  return el('span', { class: `badge stage-badge${known ? ` stage-${stage}` : ''}`, text: stageLabel(stage) });
}

/** Where a report stands: {state: 'awaiting', stage} or {state: 'final', criteria, by}. */
function statusText(st) {
  if (!st || typeof st !== 'object') return t('dash');
  if (st.state === 'awaiting') return t('mstatus.awaiting', { stage: stageLabel(st.stage) });
  if (st.state === 'final') {
    const by = ['single', 'agreed', 'moderated'].includes(st.by) ? t(`by.${st.by}`) : String(st.by || '');
    return t('mstatus.final', { by });
  }
  return String(st.state || '');
}

function lateText(minutes, factor) {
  return num(minutes) > 0
    ? t('rep.late_by', { m: formatNumber(minutes), f: formatNumber(factor) })
    : t('rep.on_time');
}

/** The report code in the address, if it looks like one. */
function codeFromHash() {
  let h = window.location.hash.slice(1);
  try {
    h = decodeURIComponent(h);
  } catch {
    return null;
  }
  return /^[A-Za-z0-9_-]{1,64}$/.test(h) ? h : null;
}

function msgEl(m, id) {
  if (!m) return el('p', { class: 'msg', id, hidden: true });
  const text = m.text();
  return el('p', { class: `msg msg-${m.kind}`, id, tabindex: '-1' },
    el('span', { class: 'msg-title', text }),
    m.server && m.server !== text ? el('span', { class: 'msg-server', text: t('fb.server', { message: m.server }) }) : null);
}

function captureFocus(root) {
  const a = document.activeElement;
  if (!a || !a.id || !root.contains(a)) return null;
  const f = { id: a.id, node: a };
  if (a.tagName === 'INPUT' || a.tagName === 'TEXTAREA') {
    try {
      f.start = a.selectionStart;
      f.end = a.selectionEnd;
    } catch {
      // No selection on this input type.
    }
    f.scroll = a.scrollTop;
  }
  return f;
}

function restoreFocus(f) {
  if (!f) return;
  if (f.node.isConnected && document.activeElement === f.node) return;
  const n = f.node.isConnected ? f.node : document.getElementById(f.id);
  if (!n) return;
  n.focus({ preventScroll: true });
  if ((n.tagName === 'INPUT' || n.tagName === 'TEXTAREA') && f.start !== undefined && f.start !== null) {
    try {
      n.setSelectionRange(f.start, f.end);
    } catch {
      // Not a text input.
    }
  }
  if (f.scroll) n.scrollTop = f.scroll;
}

// ------------------------------------------------------------------ views

function showLogin(notice) {
  stopTimers();
  extra.stop(); // judge-extra
  state.view = 'login';
  state.me = null;
  state.queue = null;
  state.queueError = null;
  state.detail = null;
  state.detailError = null;
  state.busy = false;
  state.loginNotice = notice || null;
  state.loginError = null;
  $('queue').replaceChildren();
  $('detail-body').replaceChildren();
  $('boot').hidden = true;
  $('judge-view').hidden = true;
  $('login-view').hidden = false;
  renderLogin();
  document.title = t('judge.page_title');
  if (notice) $('login-heading').focus();
}

function expire() {
  api.clearToken();
  // Marks being typed stay in memory: they are still there after signing in again.
  showLogin({ kind: 'warn', text: () => t('login.expired') });
}

async function enterJudgeView(focusHeading) {
  state.view = 'judge';
  $('boot').hidden = true;
  $('login-view').hidden = true;
  $('judge-view').hidden = false;
  extra.start(); // judge-extra
  state.selected = codeFromHash();
  renderHeader();
  renderQueue();
  renderDetail();
  await loadQueue();
  if (state.view !== 'judge') return;
  if (state.selected && isStaff()) loadDetail(state.selected, false);
  if (focusHeading) $('judge-heading').focus();
  startTimers();
}

function startTimers() {
  stopTimers();
  refreshTimer = setInterval(() => {
    if (document.hidden || dialogOpen || state.busy) return;
    loadQueue();
  }, REFRESH_MS);
}

function stopTimers() {
  clearInterval(refreshTimer);
  refreshTimer = null;
}

/** The queue again after a change, at most every 2 s; not while a mark is being confirmed or sent. */
const liveQueue = throttle(async () => {
  if (state.view !== 'judge') return;
  if (dialogOpen || state.busy) {
    setTimeout(liveQueue, 1000);
    return;
  }
  await loadQueue();
}, 2000);

function onUpdate(kinds) {
  if (state.view !== 'judge') return;
  if (kinds.includes('scoreboard') || kinds.includes('exercise')) liveQueue();
}

// ------------------------------------------------------------------ data

async function loadQueue() {
  if (loadingQueue || state.view !== 'judge') return;
  loadingQueue = true;
  const sentAt = Date.now();
  const [me, ex] = await Promise.allSettled([
    state.me ? Promise.resolve(state.me) : api.getMe(),
    api.getExercise(),
  ]);
  const gotAt = Date.now();
  let q = null;
  if (me.status === 'fulfilled') {
    state.me = me.value;
    if (state.draftOwner === null) state.draftOwner = state.me.username ?? null;
  }
  if (isStaff() && !(me.status === 'rejected' && me.reason && me.reason.status === 401)) {
    [q] = await Promise.allSettled([api.getMarkingQueue()]);
  }
  loadingQueue = false;
  if (state.view !== 'judge') return;

  const results = [me, ex, q].filter(Boolean);
  if (results.some((r) => r.status === 'rejected' && r.reason && r.reason.status === 401)) {
    expire();
    return;
  }

  let err = null;
  if (me.status === 'rejected') err = me.reason;
  if (ex.status === 'fulfilled' && ex.value) {
    state.exercise = ex.value;
    const now = Date.parse(ex.value.now);
    if (Number.isFinite(now)) state.skewMs = now - (sentAt + gotAt) / 2;
  } else if (ex.status === 'rejected') {
    err = err || ex.reason;
  }
  if (q && q.status === 'fulfilled') {
    state.queue = Array.isArray(q.value) ? q.value : [];
    state.queueError = null;
  } else if (q) {
    state.queueError = q.reason;
    if (!(q.reason && q.reason.status === 403)) err = err || q.reason;
  }
  state.loadError = err;
  if (!err) state.updatedAt = serverNow();
  renderHeader();
  renderQueue();
  updateStale();
}

async function loadDetail(code, focus) {
  const seq = ++detailSeq;
  state.detailLoading = true;
  state.detailError = null;
  if (!state.detail || state.detail.code !== code) state.detail = null;
  renderDetail();
  if (focus) $('detail-heading').focus();
  let d = null;
  let err = null;
  try {
    d = await api.getMarking(code);
  } catch (e) {
    err = e;
  }
  if (seq !== detailSeq || state.view !== 'judge' || state.selected !== code) return;
  state.detailLoading = false;
  if (err) {
    if (err.status === 401) {
      expire();
      return;
    }
    state.detail = null;
    state.detailError = err;
  } else {
    state.detail = d;
    prepareDraft(d);
  }
  renderDetail();
}

/** The draft for a report at its current version; a draft for an older version is carried over. */
function prepareDraft(d) {
  if (!d || d.stage === null || d.stage === undefined) return;
  let draft = state.drafts.get(d.code);
  if (!draft) {
    draft = { version: d.version, scores: {}, bad: {}, comments: {}, comment: '', carried: false };
    state.drafts.set(d.code, draft);
  } else if (draft.version !== d.version) {
    draft.version = d.version;
    draft.carried = true;
  }
}

function select(code, focus) {
  if (code === state.selected && (state.detail || state.detailLoading)) {
    if (focus) $('detail-heading').focus();
    return;
  }
  state.selected = code;
  state.detail = null;
  state.detailError = null;
  state.fieldErrors.clear();
  renderQueue();
  if (code) {
    loadDetail(code, focus);
  } else {
    renderDetail();
  }
}

// ------------------------------------------------------------------ rendering: login + header

function renderLogin() {
  renderSignIn(state, 'login-error');
}

function renderHeader() {
  const me = state.me;
  if (me) {
    $('judge-user').textContent = t('team.signed_in_as', {
      user: me.username || '',
      role: roleLabel(me.role),
    });
  }
  const staff = isStaff() && !(state.queueError && state.queueError.status === 403);
  $('not-judge').hidden = staff;
  $('console').hidden = !staff;
  extra.setStaff(staff); // judge-extra
  document.title = state.selected && staff
    ? `${state.selected} — ${t('judge.page_title')}`
    : t('judge.page_title');

  const ex = state.exercise;
  if (ex) {
    $('ex-title').textContent = pick(ex.title);
    const badge = $('ex-status');
    badge.textContent = statusLabel(ex.status);
    badge.className = `badge badge-status status-${KNOWN_STATUS.has(ex.status) ? ex.status : 'unknown'}`;
    badge.hidden = false;
  }
  renderClock();

  const rs = $('refresh-status');
  if (state.loadError) {
    rs.textContent = t('updated.failed', { message: errorText(state.loadError) });
    rs.parentElement.classList.add('is-error');
  } else {
    rs.textContent = state.updatedAt ? t('updated.at', { time: formatTime(state.updatedAt, zone(), 'time') }) : '';
    rs.parentElement.classList.remove('is-error');
  }
}

function renderClock() {
  const ex = state.exercise;
  if (!ex || state.view !== 'judge') return;
  const now = serverNow();
  const lines = clockLines(ex, now);
  $('ex-clock-main').textContent = lines[0] || '';
  $('ex-clock-rest').textContent = lines.slice(1).join(' · ');
  $('ex-tz').textContent = [
    t('clock.timezone', { tz: ex.timezone || t('dash') }),
    t('clock.now', { time: formatTime(now, ex.timezone, 'time') }),
  ].join(' · ');
}

// ------------------------------------------------------------------ rendering: queue

function renderQueue() {
  const root = $('queue');
  if (state.view !== 'judge') return;
  const list = state.queue;
  const count = $('queue-count');
  if (!list) {
    count.textContent = '';
    if (state.queueError && state.queueError.status !== 403) {
      root.replaceChildren(el('p', { class: 'msg msg-error' },
        el('span', { class: 'msg-title', text: t('error.generic', { message: errorText(state.queueError) }) })));
    } else if (!state.queueError) {
      root.replaceChildren(el('p', { class: 'muted', text: t('loading') }));
    } else {
      root.replaceChildren();
    }
    return;
  }
  count.textContent = t('judge.queue_count', { n: formatNumber(list.length) });
  if (!list.length) {
    root.replaceChildren(el('p', { class: 'notice', text: t('judge.queue_empty') }));
    return;
  }
  const focus = captureFocus(root);
  root.replaceChildren(el('ul', { class: 'queue', 'aria-labelledby': 'queue-heading' }, list.map((item, i) => {
    const code = String(item.code);
    const current = code === state.selected;
    const a = el('a', {
      class: `queue-item${current ? ' is-current' : ''}${item.stage === 'moderation' ? ' is-moderation' : ''}`,
      href: `#${encodeURIComponent(code)}`,
      id: `q-${i}-${code}`,
      'aria-current': current ? 'true' : null,
    },
    el('span', { class: 'queue-top' },
      el('span', { class: 'code', text: code }),
      stageBadge(item.stage)),
    el('span', { class: 'queue-title', text: pick(item.inject && item.inject.title) || String(item.inject && item.inject.id) }),
    el('span', {
      class: 'queue-meta',
      text: `${t('judge.version_n', { n: formatNumber(item.version) })} · ${t('judge.submitted_at', { time: formatTime(item.submitted_at, zone(), 'short') })}`,
    }));
    a.addEventListener('click', (e) => {
      if (code === state.selected) {
        e.preventDefault();
        select(code, true);
      }
    });
    return el('li', null, a);
  })));
  restoreFocus(focus);
}

/** Tell the judge when the queue shows a newer version than the one on screen. */
function updateStale() {
  const box = $('detail-stale');
  const d = state.detail;
  if (!box || !d || !state.queue) return;
  const item = state.queue.find((x) => x.code === d.code);
  const newer = item && num(item.version) > num(d.version);
  box.hidden = !newer;
  if (newer) {
    box.querySelector('.msg-title').textContent = t('judge.newer_version', { n: formatNumber(item.version) });
  }
}

// ------------------------------------------------------------------ rendering: detail

function renderDetail() {
  const root = $('detail-body');
  const heading = $('detail-heading');
  if (state.view !== 'judge') return;
  const code = state.selected;
  heading.textContent = code ? t('judge.report_code', { code }) : t('judge.detail');
  document.title = code ? `${code} — ${t('judge.page_title')}` : t('judge.page_title');
  if (!code) {
    root.replaceChildren(el('p', { class: 'muted', text: t('judge.pick') }));
    return;
  }
  const d = state.detail;
  if (!d) {
    if (state.detailError) {
      const e = state.detailError;
      let text;
      if (e.status === 404) text = t('judge.not_found', { code });
      else if (e.status === 403) text = t('error.forbidden');
      else text = t('error.generic', { message: errorText(e) });
      root.replaceChildren(el('p', { class: 'msg msg-error' }, el('span', { class: 'msg-title', text })),
        el('p', null, el('button', {
          type: 'button', class: 'btn btn-secondary btn-small', id: 'detail-retry', onclick: () => loadDetail(code, false),
        }, t('judge.retry'))));
    } else {
      root.replaceChildren(el('p', { class: 'muted', text: t('loading') }));
    }
    return;
  }

  const focus = captureFocus(root);
  const parts = [];
  const result = state.results.get(d.code);
  if (result && result.version === d.version) parts.push(msgEl(result.m, 'mark-result'));

  parts.push(el('p', { class: 'msg msg-warn', id: 'detail-stale', hidden: true },
    el('span', { class: 'msg-title' }),
    el('button', {
      type: 'button', class: 'btn btn-secondary btn-small', id: 'detail-reload', onclick: () => loadDetail(d.code, false),
    }, t('judge.load_newer'))));

  if (d.stage === 'moderation') {
    parts.push(el('div', { class: 'notice notice-moderation' },
      el('p', { class: 'moderation-title' }, stageBadge('moderation'), ' ', el('strong', { text: t('mark.moderation_title') })),
      el('p', { text: t('mark.moderation_text', { thr: formatNumber(d.disagreement_threshold) }) })));
  }

  parts.push(el('dl', { class: 'kv report-facts' },
    el('dt', { text: t('judge.inject') }),
    el('dd', { text: pick(d.inject && d.inject.title) || String(d.inject && d.inject.id) }),
    el('dt', { text: t('judge.version') }),
    el('dd', { text: formatNumber(d.version) }),
    el('dt', { text: t('judge.submitted') }),
    el('dd', { text: formatTime(d.submitted_at, zone()) }),
    el('dt', { text: t('judge.lateness') }),
    el('dd', { class: num(d.minutes_late) > 0 ? 'late-text' : null, text: lateText(d.minutes_late, d.late_factor) }),
    el('dt', { text: t('judge.marking') }),
    el('dd', {
      text: d.double_marking
        ? t('judge.double', { thr: formatNumber(d.disagreement_threshold) })
        : t('judge.single'),
    }),
    el('dt', { text: t('judge.status') }),
    el('dd', { text: statusText(d.status) })));

  const injectHtml = pick(d.inject && d.inject.body_html);
  if (injectHtml) {
    const body = el('div', { class: 'description' });
    body.innerHTML = injectHtml; // Rendered and sanitised by the server.
    parts.push(el('details', { class: 'inject-body' }, el('summary', { text: t('judge.inject_body') }), body));
  }

  parts.push(el('h3', { id: 'report-body-h', text: t('judge.report_body') }));
  const body = el('div', { class: 'description report-body', 'aria-labelledby': 'report-body-h', role: 'region' });
  body.innerHTML = typeof d.body_html === 'string' ? d.body_html : ''; // Sanitised by the server.
  if (Number(d.redacted) > 0) {
    parts.push(el('p', { class: 'muted small', id: 'report-redacted', text: t('judge.redacted', { n: formatNumber(Number(d.redacted)) }) }));
  }
  parts.push(body);

  const files = Array.isArray(d.attachments) ? d.attachments : [];
  parts.push(el('h3', { text: t('judge.files') }));
  if (files.length) {
    parts.push(el('ul', { class: 'files' }, files.map((f) => el('li', null,
      downloadButton(f.id, f.name, `dl-${f.id}`),
      el('span', { class: 'muted small', text: ` (${formatBytes(f.size)})` })))));
  } else {
    parts.push(el('p', { class: 'muted small', text: t('rep.no_files') }));
  }

  const marks = Array.isArray(d.marks) ? d.marks : [];
  if (marks.length) parts.push(marksTable(d, marks));

  if (d.stage) {
    parts.push(markForm(d));
  } else {
    parts.push(whyNoForm(d));
  }

  root.replaceChildren(...parts);
  updateStale();
  restoreFocus(focus);
}

function whyNoForm(d) {
  const st = d.status || {};
  const mine = d.my_mark;
  let text;
  if (mine) {
    text = t('mark.done_mine', {
      stage: stageLabel(mine.stage),
      time: formatTime(mine.submitted_at, zone()),
      total: formatNumber(mine.total),
      max: formatNumber(d.max_total),
    });
  } else if (st.state === 'final') {
    text = t('mark.done_final');
  } else if (st.state === 'awaiting' && st.stage === 'moderation') {
    text = t('mark.needs_lead');
  } else {
    text = t('mark.not_now');
  }
  const out = el('div', { class: 'mark-closed' }, el('p', { class: 'msg msg-info' },
    el('span', { class: 'msg-title', text }),
    el('span', { class: 'msg-server', text: statusText(st) })));
  if (st.state === 'awaiting' && mine) {
    out.append(el('p', { class: 'muted small', text: t('mark.wait_others') }));
  }
  return out;
}

function scoreOf(mark, id) {
  const list = Array.isArray(mark.scores) ? mark.scores : [];
  const hit = list.find((s) => Array.isArray(s) && s[0] === id);
  return hit ? num(hit[1]) : null;
}

function commentOf(mark, id) {
  const c = mark.comments && typeof mark.comments === 'object' ? mark.comments[id] : null;
  return typeof c === 'string' && c.trim() ? c : null;
}

/** Other judges' marks side by side, with the difference between first and second marks. */
function marksTable(d, marks) {
  const order = { first: 0, second: 1, moderation: 2 };
  const cols = [...marks].sort((a, b) => (order[a.stage] ?? 9) - (order[b.stage] ?? 9));
  const first = cols.find((m) => m.stage === 'first');
  const second = cols.find((m) => m.stage === 'second');
  const both = Boolean(first && second);
  const me = state.me && state.me.username;
  const thr = num(d.disagreement_threshold);
  const rubric = Array.isArray(d.rubric) ? d.rubric : [];

  const cell = (score, comment, cls) => el('td', { class: cls },
    el('span', { class: 'score', text: score === null ? t('dash') : formatNumber(score) }),
    comment ? el('span', { class: 'mark-comment', text: comment }) : null);

  const head = el('tr', null,
    el('th', { scope: 'col', text: t('rep.criterion') }),
    cols.map((m) => el('th', { scope: 'col', class: 'num' },
      el('span', { class: 'block', text: stageLabel(m.stage) }),
      el('span', { class: 'block muted small', text: m.judge === me ? t('marks.you', { judge: m.judge }) : String(m.judge || '') }),
      el('span', { class: 'block muted small', text: formatTime(m.submitted_at, zone(), 'short') }))),
    both ? el('th', { scope: 'col', class: 'num', text: t('marks.diff') }) : null);

  const rows = rubric.map((c) => {
    const a = first ? scoreOf(first, c.id) : null;
    const b = second ? scoreOf(second, c.id) : null;
    return el('tr', null,
      el('th', { scope: 'row' }, pick(c.title) || String(c.id),
        el('span', { class: 'block muted small', text: t('mark.max', { max: formatNumber(c.max) }) })),
      cols.map((m) => cell(scoreOf(m, c.id), commentOf(m, c.id), 'num')),
      both ? el('td', { class: 'num', text: a === null || b === null ? t('dash') : formatNumber(Math.abs(a - b)) }) : null);
  });

  let diffCell = null;
  let verdict = null;
  if (both) {
    const diff = Math.abs(num(first.total) - num(second.total));
    const over = diff > thr;
    diffCell = el('td', { class: `num ${over ? 'diff-over' : 'diff-ok'}` },
      el('strong', { text: formatNumber(diff) }),
      el('span', { class: 'block small', text: over ? t('marks.over_short', { thr: formatNumber(thr) }) : t('marks.within_short', { thr: formatNumber(thr) }) }));
    verdict = el('p', { class: `msg ${over ? 'msg-warn' : 'msg-info'}` }, el('span', {
      class: 'msg-title',
      text: over
        ? t('marks.over', { d: formatNumber(diff), thr: formatNumber(thr) })
        : t('marks.within', { d: formatNumber(diff), thr: formatNumber(thr) }),
    }));
  }

  const overall = cols.some((m) => commentOf(m, ''))
    ? el('tr', null,
      el('th', { scope: 'row', text: t('mark.overall') }),
      cols.map((m) => el('td', null, el('span', { class: 'mark-comment', text: commentOf(m, '') || t('dash') }))),
      both ? el('td', null) : null)
    : null;

  return el('section', { class: 'marks', 'aria-labelledby': 'marks-h' },
    el('h3', { id: 'marks-h', text: d.stage === 'moderation' ? t('marks.heading_moderation') : t('marks.heading') }),
    el('div', { class: 'table-wrap' },
      el('table', { class: 'marks-table' },
        el('caption', { class: 'sr-only', text: t('marks.caption', { code: d.code }) }),
        el('thead', null, head),
        el('tbody', null, rows, overall),
        el('tfoot', null, el('tr', null,
          el('th', { scope: 'row' }, t('mark.total'),
            el('span', { class: 'block muted small', text: t('mark.max', { max: formatNumber(d.max_total) }) })),
          cols.map((m) => el('td', { class: 'num' }, el('strong', { text: formatNumber(m.total) }))),
          diffCell)))),
    verdict);
}

// ------------------------------------------------------------------ the marking form

function draftTotal(d, draft) {
  let total = 0;
  let missing = 0;
  let invalid = 0;
  for (const c of d.rubric || []) {
    const raw = draft.scores[c.id];
    if (draft.bad[c.id]) {
      invalid += 1;
    } else if (raw === undefined || raw === '') {
      missing += 1;
    } else {
      const x = Number(raw);
      if (Number.isFinite(x) && x >= 0 && x <= num(c.max)) total += x;
      else invalid += 1;
    }
  }
  return { total, missing, invalid };
}

function totalText(d, draft) {
  const { total, missing, invalid } = draftTotal(d, draft);
  const parts = [t('mark.live_total', { total: formatNumber(total), max: formatNumber(d.max_total) })];
  if (missing) parts.push(t('mark.missing_n', { n: missing }));
  if (invalid) parts.push(t('mark.invalid_n', { n: invalid }));
  if (num(d.late_factor) < 1 && !missing && !invalid) {
    parts.push(t('mark.after_late', { f: formatNumber(d.late_factor), v: formatNumber(total * num(d.late_factor)) }));
  }
  return parts.join(' · ');
}

function markForm(d) {
  prepareDraft(d);
  const draft = state.drafts.get(d.code);
  const rubric = Array.isArray(d.rubric) ? d.rubric : [];
  const errs = state.fieldErrors;
  const form = el('form', { class: 'mark-form', id: 'mark-form', novalidate: true, 'aria-labelledby': 'mark-h' });
  form.append(el('h3', { id: 'mark-h' }, t('mark.heading'), ' ', stageBadge(d.stage)));
  form.append(el('p', { class: 'muted', text: t(`mark.intro_${STAGES.has(d.stage) ? d.stage : 'first'}`, { thr: formatNumber(d.disagreement_threshold) }) }));
  if (num(d.late_factor) < 1) {
    form.append(el('p', { class: 'muted small', text: t('mark.late_note', { f: formatNumber(d.late_factor) }) }));
  }
  if (draft.carried && !state.formMsgs.has(d.code)) {
    form.append(el('p', { class: 'msg msg-warn' }, el('span', { class: 'msg-title', text: t('mark.carried', { n: formatNumber(d.version) }) })));
  }

  if (errs.size) {
    const items = [];
    for (const [key, fn] of errs) {
      const target = fieldId(d, key);
      items.push(el('li', null, target
        ? el('a', {
          href: `#${target}`,
          onclick: (e) => {
            e.preventDefault();
            const n = document.getElementById(target);
            if (n) n.focus();
          },
        }, fn())
        : fn()));
    }
    form.append(el('div', { class: 'msg msg-error error-summary', id: 'mark-errors', tabindex: '-1', role: 'alert' },
      el('span', { class: 'msg-title', text: t('mark.errors', { n: errs.size }) }),
      el('ul', null, items)));
  }

  rubric.forEach((c, i) => {
    const title = pick(c.title) || String(c.id);
    const scoreErr = errs.get(`scores.${c.id}`);
    const commentErr = errs.get(`comments.${c.id}`);
    const guidance = pick(c.guidance);
    const score = el('input', {
      type: 'number',
      id: `score-${i}`,
      name: `score-${c.id}`,
      min: '0',
      max: String(num(c.max)),
      step: '0.5',
      inputmode: 'decimal',
      required: true,
      'aria-invalid': scoreErr ? 'true' : null,
      'aria-describedby': [guidance ? `guide-${i}` : null, `score-err-${i}`].filter(Boolean).join(' '),
    });
    score.value = draft.scores[c.id] ?? '';
    score.addEventListener('input', () => {
      draft.scores[c.id] = score.value;
      draft.bad[c.id] = Boolean(score.validity && score.validity.badInput);
      updateTotal(d, draft);
    });
    const comment = el('textarea', {
      id: `comment-${i}`,
      name: `comment-${c.id}`,
      rows: '3',
      maxlength: String(MAX_COMMENT),
      'aria-invalid': commentErr ? 'true' : null,
      'aria-describedby': `comment-err-${i}`,
    });
    comment.value = draft.comments[c.id] ?? '';
    comment.addEventListener('input', () => {
      draft.comments[c.id] = comment.value;
    });
    form.append(el('fieldset', { class: `criterion${scoreErr || commentErr ? ' has-error' : ''}` },
      el('legend', null, el('span', { text: title }), ' ',
        el('span', { class: 'muted', text: t('mark.max_paren', { max: formatNumber(c.max) }) })),
      guidance ? el('div', { class: 'guidance', id: `guide-${i}` },
        el('span', { class: 'guidance-title', text: t('mark.guidance') }),
        guidanceText(c, guidance)) : null,
      el('div', { class: 'criterion-inputs' },
        el('div', { class: 'field score-field' },
          el('label', { for: `score-${i}` }, t('mark.score_label', { max: formatNumber(c.max) }),
            el('span', { class: 'sr-only', text: ` — ${title}` })),
          score,
          el('p', { class: 'field-error', id: `score-err-${i}`, text: scoreErr ? scoreErr() : '' })),
        el('div', { class: 'field' },
          el('label', { for: `comment-${i}` }, t('mark.comment_label'),
            el('span', { class: 'sr-only', text: ` — ${title}` })),
          comment,
          el('p', { class: 'field-error', id: `comment-err-${i}`, text: commentErr ? commentErr() : '' })))));
  });

  const overallErr = errs.get('comment');
  const overall = el('textarea', {
    id: 'overall',
    name: 'comment',
    rows: '4',
    maxlength: String(MAX_OVERALL),
    'aria-invalid': overallErr ? 'true' : null,
    'aria-describedby': 'overall-help overall-err',
  });
  overall.value = draft.comment || '';
  overall.addEventListener('input', () => {
    draft.comment = overall.value;
  });
  form.append(el('div', { class: 'field' },
    el('label', { for: 'overall', text: t('mark.overall') }),
    el('p', { class: 'muted small', id: 'overall-help', text: t('mark.comments_shown') }),
    overall,
    el('p', { class: 'field-error', id: 'overall-err', text: overallErr ? overallErr() : '' })));

  form.append(el('p', { class: 'live-total', id: 'live-total', role: 'status', 'aria-live': 'polite', text: totalText(d, draft) }));
  form.append(el('div', { class: 'actions' },
    el('button', {
      type: 'submit',
      class: 'btn',
      id: 'mark-submit',
      'aria-disabled': state.busy ? 'true' : null,
    }, state.busy ? t('mark.sending') : t('mark.submit'))));
  form.append(el('p', { class: 'muted small', text: t('mark.final_note') }));
  form.append(msgEl(state.formMsgs.get(d.code), 'mark-msg'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitMark();
  });
  return form;
}

function fieldId(d, key) {
  const rubric = d.rubric || [];
  if (key === 'comment') return 'overall';
  const [kind, id] = [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)];
  const i = rubric.findIndex((c) => c.id === id);
  if (i < 0) return null;
  return kind === 'scores' ? `score-${i}` : `comment-${i}`;
}

function updateTotal(d, draft) {
  const n = $('live-total');
  if (n) n.textContent = totalText(d, draft);
}

/** Check the draft; returns the request body, or null with state.fieldErrors filled. */
function validate(d, draft) {
  state.fieldErrors.clear();
  const scores = {};
  const comments = {};
  for (const c of d.rubric || []) {
    const title = pick(c.title) || String(c.id);
    const raw = draft.scores[c.id];
    const max = num(c.max);
    if (draft.bad[c.id]) {
      state.fieldErrors.set(`scores.${c.id}`, () => t('mark.err_nan', { title }));
    } else if (raw === undefined || String(raw).trim() === '') {
      state.fieldErrors.set(`scores.${c.id}`, () => t('mark.err_missing', { title }));
    } else {
      const x = Number(raw);
      if (!Number.isFinite(x)) {
        state.fieldErrors.set(`scores.${c.id}`, () => t('mark.err_nan', { title }));
      } else if (x < 0 || x > max) {
        state.fieldErrors.set(`scores.${c.id}`, () => t('mark.err_range', { title, max: formatNumber(max) }));
      } else {
        scores[c.id] = x;
      }
    }
    const text = (draft.comments[c.id] || '').trim();
    if ([...text].length > MAX_COMMENT) {
      state.fieldErrors.set(`comments.${c.id}`, () => t('mark.err_comment', { title, n: formatNumber(MAX_COMMENT) }));
    } else if (text) {
      comments[c.id] = text;
    }
  }
  const comment = (draft.comment || '').trim();
  if ([...comment].length > MAX_OVERALL) {
    state.fieldErrors.set('comment', () => t('mark.err_overall', { n: formatNumber(MAX_OVERALL) }));
  }
  if (state.fieldErrors.size) return null;
  return { version: d.version, scores, comments, comment };
}

function confirmDialog(text) {
  const dlg = $('confirm-dialog');
  if (!dlg || typeof dlg.showModal !== 'function') {
    return Promise.resolve(window.confirm(text));
  }
  $('confirm-text').textContent = text;
  const opener = document.activeElement;
  dlg.returnValue = '';
  dialogOpen = true;
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => {
      dialogOpen = false;
      resolve(dlg.returnValue === 'confirm');
      if (opener && opener.isConnected) opener.focus();
    }, { once: true });
    dlg.showModal();
    $('confirm-cancel').focus(); // Safe default: Enter cancels.
  });
}

async function submitMark() {
  const d = state.detail;
  if (!d || !d.stage || state.busy) return;
  const code = d.code;
  const draft = state.drafts.get(code);
  if (!draft) return;
  state.formMsgs.delete(code);
  const body = validate(d, draft);
  if (!body) {
    renderDetail();
    const summary = $('mark-errors');
    if (summary) summary.focus();
    return;
  }
  const total = Object.values(body.scores).reduce((a, b) => a + b, 0);
  const ok = await confirmDialog(t('mark.confirm_text', {
    code,
    total: formatNumber(total),
    max: formatNumber(d.max_total),
    stage: stageLabel(d.stage),
  }));
  if (!ok || state.view !== 'judge' || state.detail !== d) return;

  state.busy = true;
  renderDetail();
  let m = null;
  let reload = false;
  let done = false;
  try {
    const r = await api.submitMark(code, body);
    done = true;
    const stage = r && r.stage;
    const st = r && r.status;
    const sum = formatNumber(r && r.total);
    const max = formatNumber(d.max_total);
    state.results.set(code, {
      version: d.version,
      m: {
        kind: 'success',
        text: () => `${t('mark.recorded', { stage: stageLabel(stage), total: sum, max })} ${statusText(st)}`,
      },
    });
    state.drafts.delete(code);
    state.fieldErrors.clear();
    // Until the reload below: this judge has marked, so no form.
    if (state.detail === d) {
      state.detail = {
        ...d,
        stage: null,
        status: st ?? d.status,
        my_mark: { stage, total: r && r.total, submitted_at: new Date(serverNow()).toISOString() },
      };
    }
    reload = true;
  } catch (e) {
    if (e.status === 401) {
      state.busy = false;
      expire();
      return;
    }
    const server = serverText(e);
    if (e.status === 409 && e.code === 'revised') {
      m = { kind: 'warn', text: () => t('mark.revised'), server };
      reload = true;
    } else if (e.status === 409 && ['already_marked', 'already_graded', 'stage_taken'].includes(e.code)) {
      const key = e.code;
      m = { kind: 'warn', text: () => t(`mark.${key}`), server };
      reload = true;
    } else if (e.status === 403) {
      m = { kind: 'error', text: () => t('mark.forbidden'), server };
    } else if (e.status === 400 && typeof e.field === 'string' && fieldId(d, e.field)) {
      const field = e.field;
      state.fieldErrors.set(field, () => t('mark.err_server', { message: server }));
      m = { kind: 'error', text: () => t('mark.rejected'), server };
    } else if (e.status === 404) {
      m = { kind: 'error', text: () => t('judge.not_found', { code }), server };
    } else if (e.status === 0) {
      m = { kind: 'error', text: () => `${t('error.network')} ${t('mark.kept')}` };
    } else {
      const msg = errorText(e);
      m = { kind: 'error', text: () => `${t('error.generic', { message: msg })} ${t('mark.kept')}` };
    }
  }
  state.busy = false;
  if (m) state.formMsgs.set(code, m);
  else state.formMsgs.delete(code);
  if (state.selected !== code) return;
  renderDetail();
  if (done) {
    const res = $('mark-result');
    if (res) res.focus();
    announce(state.results.get(code).m.text());
  } else if (m) {
    const target = state.fieldErrors.size ? $('mark-errors') : $('mark-msg');
    if (target) target.focus();
    announce(m.server && m.server !== m.text() ? `${m.text()} ${m.server}` : m.text());
  }
  if (reload) {
    await loadDetail(code, false);
    if (done) {
      const res = $('mark-result');
      if (res) res.focus();
    }
    loadQueue();
  }
}

/** A button that downloads an attachment with the session token (under its blind name). */
function downloadButton(fileId, name, domId) {
  const status = el('span', { class: 'dl-status small', id: `${domId}-st`, role: 'status' });
  const btn = el('button', {
    type: 'button',
    class: 'link-button',
    id: domId,
    'aria-describedby': `${domId}-st`,
  }, el('span', { 'aria-hidden': 'true', text: '\u2913 ' }), el('span', { class: 'sr-only', text: `${t('file.download')} ` }), name || String(fileId));
  btn.addEventListener('click', async () => {
    if (btn.getAttribute('aria-disabled') === 'true') return;
    btn.setAttribute('aria-disabled', 'true');
    status.className = 'dl-status small muted';
    status.textContent = ` ${t('file.downloading')}`;
    try {
      await api.downloadReportFile(fileId, name);
      status.textContent = '';
    } catch (e) {
      if (e.status === 401) {
        expire();
        return;
      }
      status.className = 'dl-status small is-error';
      status.textContent = ` ${t('file.failed', { message: errorText(e) })}`;
    } finally {
      btn.removeAttribute('aria-disabled');
    }
  });
  return el('span', { class: 'download' }, btn, status);
}

// ------------------------------------------------------------------ sign-in

function onLogin(e) {
  return signIn(e, { user: 'username', pass: 'password', button: 'login-submit' }, state, renderLogin, {
    async enter(r, username) {
      const who = r.username ?? username;
      // Drafts survive an expired session, not a change of account.
      if (state.draftOwner !== null && state.draftOwner !== who) state.drafts.clear();
      state.draftOwner = who;
      state.me = { username: who, role: r.role, team: r.team ?? null };
      await enterJudgeView(true);
    },
  });
}

function onLogout() {
  api.clearToken();
  state.drafts.clear();
  state.results.clear();
  state.formMsgs.clear();
  state.fieldErrors.clear();
  state.draftOwner = null;
  showLogin({ kind: 'info', text: () => t('login.logged_out') });
}

function hasUnsentMarks() {
  for (const draft of state.drafts.values()) {
    if (Object.values(draft.scores).some((v) => String(v).trim() !== '')) return true;
    if (Object.values(draft.comments).some((v) => String(v).trim() !== '')) return true;
    if ((draft.comment || '').trim()) return true;
  }
  return false;
}

function rerender() {
  if (state.view === 'login') {
    renderLogin();
    document.title = t('judge.page_title');
  } else if (state.view === 'judge') {
    renderHeader();
    renderQueue();
    renderDetail();
  }
}

function init() {
  initI18n();
  extra.init({ zone, expire }); // judge-extra
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  $('refresh').addEventListener('click', () => {
    loadQueue();
    if (state.selected && !state.busy) loadDetail(state.selected, false);
  });
  onLangChange(rerender);
  subscribe(onUpdate, statusIndicator($('live-status')));
  window.addEventListener('hashchange', () => {
    if (state.view !== 'judge') return;
    select(codeFromHash(), true);
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.view === 'judge' && !dialogOpen) loadQueue();
  });
  // Signing in or out in another tab.
  window.addEventListener('storage', (e) => {
    if (e.key !== api.TOKEN_KEY) return;
    if (!e.newValue && state.view === 'judge') onLogout();
    else if (e.newValue && state.view === 'login') {
      state.me = null;
      enterJudgeView(false);
    }
  });
  window.addEventListener('beforeunload', (e) => {
    if (state.view !== 'judge' || !hasUnsentMarks()) return;
    e.preventDefault();
    e.returnValue = '';
  });
  setInterval(() => {
    if (state.view === 'judge') renderClock();
  }, 1000);

  if (api.getToken()) enterJudgeView(false);
  else showLogin(null);
}

init();
