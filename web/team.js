// Team page: sign in, list challenges by category, unlock hints, submit flags.

import {
  initI18n, onLangChange, getLang, t, pick, formatNumber, formatTime, statusLabel, clockLines, el,
} from './i18n.js';
import * as api from './api.js';

const REFRESH_MS = 30000;
const KNOWN_STATUS = new Set(['not_started', 'running', 'paused', 'ended']);

const $ = (id) => document.getElementById(id);
const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

/**
 * Messages are kept as {kind, text: () => string, server?: string} so they can be shown again
 * in the other language. kind: success | error | warn | info.
 */
const state = {
  view: null, // 'login' | 'team'
  me: null,
  exercise: null,
  skewMs: 0,
  challenges: null,
  challengesError: null,
  loadError: null,
  standing: null,
  boardFrozen: false,
  updatedAt: null,
  loginNotice: null, // message
  loginError: null, // () => string
  drafts: new Map(), // challenge id → flag being typed
  feedback: new Map(), // challenge id → message
  hintMsgs: new Map(), // `${challenge}\u0000${hint}` → message
  busy: new Set(), // challenge ids with a request in flight
  versions: new Map(), // challenge id → counter bumped whenever its card must be redrawn
  cooldownUntil: 0, // local ms until which the server asked us to wait (per team)
};

let refreshTimer = null;
let loading = false;
let dialogOpen = false;

// ------------------------------------------------------------------ helpers

const domKeys = new Map();
/** A stable, DOM-safe key for a challenge id. */
function keyOf(id) {
  if (!domKeys.has(id)) domKeys.set(id, `c${domKeys.size + 1}`);
  return domKeys.get(id);
}

function bump(id) {
  state.versions.set(id, (state.versions.get(id) || 0) + 1);
}

function hintKey(cid, hid) {
  return `${cid}\u0000${hid}`;
}

function errorText(e) {
  if (!e) return '';
  if (e.status === 0) return t('error.network');
  return e.message || e.code || String(e);
}

function serverMessage(m) {
  if (m === null || m === undefined) return '';
  return typeof m === 'object' ? pick(m) : String(m);
}

function announce(text) {
  const live = $('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => {
    live.textContent = text;
  }, 60);
}

function cooldownLeft() {
  return Math.max(0, Math.ceil((state.cooldownUntil - Date.now()) / 1000));
}

function roleLabel(role) {
  return ['organiser', 'judge', 'team'].includes(role) ? t(`role.${role}`) : String(role || '');
}

const serverNow = () => Date.now() + state.skewMs;
const zone = () => (state.exercise ? state.exercise.timezone : undefined);

// ------------------------------------------------------------------ views

function showLogin(notice) {
  stopTimers();
  state.view = 'login';
  state.me = null;
  state.challenges = null;
  state.challengesError = null;
  state.loadError = null;
  state.standing = null;
  state.drafts.clear();
  state.feedback.clear();
  state.hintMsgs.clear();
  state.busy.clear();
  state.loginNotice = notice || null;
  state.loginError = null;
  rendered.structure = null;
  $('challenges').replaceChildren();
  $('boot').hidden = true;
  $('team-view').hidden = true;
  $('login-view').hidden = false;
  renderLogin();
  document.title = t('team.page_title');
  if (notice) $('login-heading').focus();
}

function expire() {
  api.clearToken();
  showLogin({ kind: 'warn', text: () => t('login.expired') });
}

async function enterTeamView(focusHeading) {
  state.view = 'team';
  $('boot').hidden = true;
  $('login-view').hidden = true;
  $('team-view').hidden = false;
  renderHeader();
  renderChallenges();
  await loadAll();
  if (state.view !== 'team') return;
  if (focusHeading) $('team-name').focus();
  startTimers();
}

function startTimers() {
  stopTimers();
  refreshTimer = setInterval(() => {
    if (document.hidden || dialogOpen || state.busy.size) return;
    loadAll();
  }, REFRESH_MS);
}

function stopTimers() {
  clearInterval(refreshTimer);
  refreshTimer = null;
}

// ------------------------------------------------------------------ data

async function loadAll() {
  if (loading || state.view !== 'team') return;
  loading = true;
  const sentAt = Date.now();
  const [me, ex, ch, sb] = await Promise.allSettled([
    state.me ? Promise.resolve(state.me) : api.getMe(),
    api.getExercise(),
    api.getChallenges(),
    api.getScoreboard(),
  ]);
  const gotAt = Date.now();
  loading = false;
  if (state.view !== 'team') return;

  const results = [me, ex, ch, sb];
  if (results.some((r) => r.status === 'rejected' && r.reason && r.reason.status === 401)) {
    expire();
    return;
  }

  let err = null;
  if (me.status === 'fulfilled') state.me = me.value;
  else err = me.reason;

  if (ex.status === 'fulfilled' && ex.value) {
    state.exercise = ex.value;
    const now = Date.parse(ex.value.now);
    if (Number.isFinite(now)) state.skewMs = now - (sentAt + gotAt) / 2;
  } else if (ex.status === 'rejected') {
    err = err || ex.reason;
  }

  if (ch.status === 'fulfilled') {
    state.challenges = Array.isArray(ch.value) ? ch.value : [];
    state.challengesError = null;
  } else {
    state.challengesError = ch.reason;
    if (ch.reason && ch.reason.status !== 403) err = err || ch.reason;
  }

  if (sb.status === 'fulfilled' && sb.value) {
    applyScoreboard(sb.value);
  } else if (sb.status === 'rejected') {
    err = err || sb.reason;
  }

  state.loadError = err;
  if (!err) state.updatedAt = serverNow();
  renderHeader();
  renderChallenges();
}

function applyScoreboard(sb) {
  state.boardFrozen = Boolean(sb.frozen);
  const team = state.me && state.me.team;
  state.standing = null;
  if (team && Array.isArray(sb.standings)) {
    const s = sb.standings.find((x) => x.team && String(x.team.id) === String(team.id));
    if (s) state.standing = { ...s, of: s.of ?? sb.of };
  }
}

async function refreshStanding() {
  try {
    applyScoreboard(await api.getScoreboard());
    renderHeader();
  } catch (e) {
    if (e.status === 401) expire();
  }
}

// ------------------------------------------------------------------ rendering: login + header

function renderLogin() {
  const n = $('login-notice');
  if (state.loginNotice) {
    n.className = `msg msg-${state.loginNotice.kind}`;
    n.textContent = state.loginNotice.text();
    n.hidden = false;
  } else {
    n.textContent = '';
    n.hidden = true;
  }
  $('login-error').textContent = state.loginError ? state.loginError() : '';
}

function renderHeader() {
  const me = state.me;
  if (me) {
    const name = (me.team && me.team.name) || me.username || '';
    $('team-name').textContent = name;
    document.title = `${name} — ${t('nav.team')}`;
    $('team-user').textContent = t('team.signed_in_as', {
      user: me.username || '',
      role: roleLabel(me.role),
    });
    $('not-team').hidden = me.role === 'team' || Boolean(me.team);
  }

  const s = state.standing;
  const st = $('team-standing');
  if (s) {
    st.textContent = t('team.standing', {
      score: formatNumber(s.score),
      rank: s.rank ?? t('dash'),
      of: s.of ?? t('dash'),
    }) + (state.boardFrozen ? ` ${t('team.standing_frozen')}` : '');
    st.hidden = false;
  } else {
    st.textContent = '';
    st.hidden = true;
  }

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
  if (!ex || state.view !== 'team') return;
  const now = serverNow();
  const lines = clockLines(ex, now);
  $('ex-clock-main').textContent = lines[0] || '';
  $('ex-clock-rest').textContent = lines.slice(1).join(' · ');
  $('ex-tz').textContent = [
    t('clock.timezone', { tz: ex.timezone || t('dash') }),
    t('clock.now', { time: formatTime(now, ex.timezone, 'time') }),
  ].join(' · ');
}

// ------------------------------------------------------------------ rendering: challenges

/** What was drawn last, so a refresh only redraws cards that changed (keeps selection/focus). */
const rendered = { structure: null, sigs: new Map() };

function groupByCategory(list) {
  const groups = new Map();
  for (const c of list) {
    const name = c.category || '';
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(c);
  }
  return [...groups.entries()].map(([name, items]) => ({ name, items }));
}

function captureFocus(root) {
  const a = document.activeElement;
  if (!a || !a.id || !root.contains(a)) return null;
  const f = { id: a.id, node: a };
  if (a.tagName === 'INPUT') {
    f.start = a.selectionStart;
    f.end = a.selectionEnd;
  }
  return f;
}

function restoreFocus(f) {
  if (!f || f.node.isConnected) return;
  const n = document.getElementById(f.id);
  if (!n) return;
  n.focus({ preventScroll: true });
  if (n.tagName === 'INPUT' && f.start !== undefined && f.start !== null) {
    try {
      n.setSelectionRange(f.start, f.end);
    } catch {
      // Not a text input.
    }
  }
}

function cardSig(c) {
  return `${JSON.stringify(c)}|${state.versions.get(c.id) || 0}`;
}

function renderChallenges() {
  const root = $('challenges');
  if (state.view !== 'team') return;
  const list = state.challenges;

  if (!list) {
    rendered.structure = null;
    if (state.challengesError) {
      const e = state.challengesError;
      root.replaceChildren(el('p', { class: 'msg msg-error' },
        el('span', { class: 'msg-title', text: e.status === 403 ? t('error.forbidden') : t('error.generic', { message: errorText(e) }) }),
        e.status === 403 && e.message ? el('span', { class: 'msg-server', text: t('fb.server', { message: e.message }) }) : null));
    } else {
      root.replaceChildren(el('p', { class: 'muted', text: t('loading') }));
    }
    return;
  }
  if (!list.length) {
    rendered.structure = null;
    root.replaceChildren(el('p', { class: 'notice', text: t('team.no_challenges') }));
    return;
  }

  const groups = groupByCategory(list);
  const titles = new Map(list.map((c) => [c.id, pick(c.title) || String(c.id)]));
  const structure = `${getLang()}|${groups.map((g) => `${g.name}:${g.items.map((c) => c.id).join(',')}`).join(';')}`;
  const focus = captureFocus(root);

  if (structure !== rendered.structure) {
    rendered.sigs = new Map();
    const sections = groups.map((g, gi) => {
      const hid = `cat-${gi}`;
      return el('section', { class: 'category', 'aria-labelledby': hid },
        el('h2', { id: hid },
          el('span', { text: g.name || t('category.other') }),
          el('span', { class: 'progress', id: `${hid}-progress`, text: progressText(g) })),
        el('div', { class: 'cards' }, g.items.map((c) => {
          rendered.sigs.set(c.id, cardSig(c));
          return buildCard(c, titles);
        })));
    });
    root.replaceChildren(...sections);
    rendered.structure = structure;
  } else {
    groups.forEach((g, gi) => {
      const p = document.getElementById(`cat-${gi}-progress`);
      if (p) p.textContent = progressText(g);
      for (const c of g.items) {
        const sig = cardSig(c);
        if (rendered.sigs.get(c.id) === sig) continue;
        const old = document.getElementById(`card-${keyOf(c.id)}`);
        if (old) old.replaceWith(buildCard(c, titles));
        rendered.sigs.set(c.id, sig);
      }
    });
  }
  restoreFocus(focus);
}

function progressText(g) {
  const solved = g.items.filter((c) => c.solved).length;
  return t('team.category_progress', { solved, total: g.items.length });
}

function msgEl(m, id) {
  if (!m) return el('p', { class: 'msg', id, hidden: true });
  const text = m.text();
  return el('p', { class: `msg msg-${m.kind}`, id },
    el('span', { class: 'msg-title', text }),
    m.server && m.server !== text ? el('span', { class: 'msg-server', text: t('fb.server', { message: m.server }) }) : null);
}

function buildCard(c, titles) {
  const k = keyOf(c.id);
  const title = pick(c.title) || String(c.id);
  const card = el('article', {
    class: `challenge${c.solved ? ' is-solved' : ''}`,
    id: `card-${k}`,
    'aria-labelledby': `title-${k}`,
  });

  card.append(el('h3', { id: `title-${k}` },
    el('span', { text: title }),
    c.solved ? el('span', { class: 'badge badge-solved' },
      el('span', { 'aria-hidden': 'true', text: '\u2713 ' }), t('ch.solved')) : null));

  card.append(el('p', { class: 'meta' },
    el('strong', { text: t('ch.value', { n: formatNumber(c.value) }) }),
    ' · ',
    t('ch.solves', { n: formatNumber(c.solves) })));

  if (Array.isArray(c.requires) && c.requires.length) {
    card.append(el('p', {
      class: 'muted small',
      text: t('ch.requires', { list: c.requires.map((r) => titles.get(r) || String(r)).join(t('list.sep')) }),
    }));
  }

  const html = pick(c.description_html);
  if (html) {
    const d = el('div', { class: 'description' });
    d.innerHTML = html; // Sanitised by the server (contract: description_html is safe HTML).
    card.append(d);
  }

  if (Array.isArray(c.files) && c.files.length) {
    card.append(el('h4', { text: t('ch.files') }),
      el('ul', { class: 'files' }, c.files.map((f) => el('li', null, fileLink(f)))));
  }

  if (Array.isArray(c.hints) && c.hints.length) {
    card.append(el('h4', { text: t('ch.hints') }),
      el('ul', { class: 'hints' }, c.hints.map((h, i) => hintItem(c, h, i, k))));
  }

  card.append(flagForm(c, k, title));
  return card;
}

function safeUrl(u) {
  if (typeof u !== 'string' || !u) return null;
  try {
    const x = new URL(u, window.location.href);
    if (x.protocol === 'http:' || x.protocol === 'https:') return x.href;
  } catch {
    // Not a URL.
  }
  return null;
}

function baseName(u) {
  const clean = String(u).split(/[?#]/)[0].replace(/\/+$/, '');
  const last = clean.slice(clean.lastIndexOf('/') + 1) || String(u);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** A file entry: a URL/path string, or an object with url/href/path and name. */
function fileLink(f) {
  let href = null;
  let name = null;
  if (typeof f === 'string') {
    href = f;
  } else if (f && typeof f === 'object') {
    href = f.url || f.href || f.path || null;
    name = f.name || f.filename || null;
  }
  const label = name || (href ? baseName(href) : JSON.stringify(f));
  const url = safeUrl(href);
  if (!url) return el('code', { text: label });
  return el('a', { href: url, title: href, rel: 'noopener noreferrer' }, label);
}

function hintItem(c, h, i, k) {
  const n = i + 1;
  const cost = num(h.cost);
  const head = el('div', { class: 'hint-head' },
    el('strong', { text: t('ch.hint_n', { n }) }),
    el('span', { class: 'muted', text: cost > 0 ? t('ch.hint_cost', { n: formatNumber(cost) }) : t('ch.hint_free') }));
  const li = el('li', null, head);
  if (h.unlocked) {
    head.append(el('span', { class: 'badge badge-neutral', text: t('ch.hint_unlocked') }));
    li.append(el('div', { class: 'hint-content', id: `hintc-${k}-${i}`, tabindex: '-1', text: pick(h.content) }));
  } else {
    const busy = state.busy.has(hintKey(c.id, h.id));
    head.append(el('button', {
      type: 'button',
      class: 'btn btn-secondary btn-small',
      id: `hint-${k}-${i}`,
      'aria-disabled': busy ? 'true' : null,
      onclick: () => unlockHint(c.id, h.id, n),
    }, t('ch.hint_unlock', { n })));
  }
  const m = state.hintMsgs.get(hintKey(c.id, h.id));
  if (m) li.append(msgEl(m, `hintmsg-${k}-${i}`));
  return li;
}

function flagForm(c, k, title) {
  const busy = state.busy.has(c.id);
  const input = el('input', {
    id: `flag-${k}`,
    name: 'flag',
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'off',
    autocorrect: 'off',
    spellcheck: 'false',
    placeholder: t('ch.flag_placeholder'),
    'aria-describedby': `fb-${k}`,
  });
  input.value = state.drafts.get(c.id) || '';
  input.addEventListener('input', () => state.drafts.set(c.id, input.value));

  const form = el('form', { class: 'flag-form', novalidate: true },
    el('label', { for: `flag-${k}` }, t('ch.flag'), el('span', { class: 'sr-only', text: ` ${t('ch.flag_for', { title })}` })),
    el('div', { class: 'controls' },
      input,
      el('button', {
        type: 'submit',
        class: 'btn',
        id: `submit-${k}`,
        'aria-disabled': busy ? 'true' : null,
      }, busy ? t('ch.submitting') : t('ch.submit'))),
    msgEl(state.feedback.get(c.id), `fb-${k}`));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitFlag(c.id, input);
  });
  return form;
}

// ------------------------------------------------------------------ actions

function setFeedback(cid, m, say = true) {
  if (m) state.feedback.set(cid, m);
  else state.feedback.delete(cid);
  bump(cid);
  renderChallenges();
  if (m && say) announce(m.server && m.server !== m.text() ? `${m.text()} ${m.server}` : m.text());
}

function rateLimited(server) {
  const hadWait = cooldownLeft() > 0;
  return {
    kind: 'warn',
    cooldown: hadWait,
    server,
    text: () => {
      const s = cooldownLeft();
      if (s > 0) return t('fb.rate_limited_wait', { s });
      return hadWait ? t('fb.rate_limit_over') : t('fb.rate_limited');
    },
  };
}

async function submitFlag(cid, input) {
  if (state.busy.has(cid)) return;
  const flag = input.value.trim();
  if (!flag) {
    setFeedback(cid, { kind: 'error', text: () => t('fb.empty') });
    const again = document.getElementById(`flag-${keyOf(cid)}`);
    if (again) again.focus();
    return;
  }
  if (cooldownLeft() > 0) {
    setFeedback(cid, rateLimited());
    return;
  }

  state.busy.add(cid);
  state.feedback.delete(cid);
  bump(cid);
  renderChallenges();

  let m;
  let reload = false;
  try {
    const r = await api.submitFlag(cid, flag);
    const points = r && r.points;
    const status = r && r.status;
    if (status === 'accepted' || (status === undefined && r && r.correct)) {
      m = { kind: 'success', text: () => t('fb.accepted', { points: formatNumber(points ?? 0) }) };
      state.drafts.delete(cid);
      markSolved(cid);
      reload = true;
    } else if (status === 'already_solved') {
      m = { kind: 'info', text: () => t('fb.already_solved') };
      state.drafts.delete(cid);
      markSolved(cid);
      reload = true;
    } else {
      m = { kind: 'error', text: () => t('fb.incorrect') };
    }
    m.server = serverMessage(r && r.message);
  } catch (e) {
    if (e.status === 401) {
      state.busy.delete(cid);
      expire();
      return;
    }
    if (e.status === 409 && e.code === 'exercise_not_running') {
      m = { kind: 'warn', text: () => t('fb.not_running'), server: e.message };
    } else if (e.status === 429) {
      const s = Number(e.retry_after);
      if (Number.isFinite(s) && s > 0) state.cooldownUntil = Date.now() + s * 1000;
      m = rateLimited(e.message);
    } else if (e.status === 0) {
      m = { kind: 'error', text: () => t('error.network') };
    } else {
      const msg = errorText(e);
      m = { kind: 'error', text: () => t('error.generic', { message: msg }) };
    }
  }
  state.busy.delete(cid);
  setFeedback(cid, m);
  if (reload) loadAll();
}

function markSolved(cid) {
  const c = state.challenges && state.challenges.find((x) => x.id === cid);
  if (c) c.solved = true;
}

function confirmUnlock(text, okText) {
  const dlg = $('confirm-dialog');
  if (!dlg || typeof dlg.showModal !== 'function') {
    return Promise.resolve(window.confirm(text));
  }
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = okText;
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

async function unlockHint(cid, hid, n) {
  const hk = hintKey(cid, hid);
  if (state.busy.has(hk)) return;
  const c = state.challenges && state.challenges.find((x) => x.id === cid);
  const h = c && (c.hints || []).find((x) => x.id === hid);
  if (!c || !h) return;
  const title = pick(c.title) || String(cid);
  const cost = num(h.cost);
  const text = cost > 0
    ? t('hint.confirm_text', { n, title, cost: formatNumber(cost) })
    : t('hint.confirm_free', { n, title });
  const ok = await confirmUnlock(text, cost > 0 ? t('hint.confirm_ok', { cost: formatNumber(cost) }) : t('hint.confirm_ok_free'));
  if (!ok || state.view !== 'team') return;

  state.busy.add(hk);
  state.hintMsgs.delete(hk);
  bump(cid);
  renderChallenges();
  let m;
  let unlocked = false;
  try {
    const r = await api.unlockHint(cid, hid);
    const got = (r && r.hint) || {};
    // The list may have been reloaded meanwhile: update whatever is current.
    const cc = state.challenges && state.challenges.find((x) => x.id === cid);
    const hh = cc && (cc.hints || []).find((x) => x.id === hid);
    if (hh) {
      hh.unlocked = true;
      if (got.content !== undefined) hh.content = got.content;
      if (got.cost !== undefined) hh.cost = got.cost;
    }
    const charged = got.cost !== undefined ? num(got.cost) : cost;
    m = r && r.charged
      ? { kind: 'info', text: () => t('hint.charged', { cost: formatNumber(charged) }) }
      : { kind: 'info', text: () => t('hint.not_charged') };
    unlocked = true;
  } catch (e) {
    if (e.status === 401) {
      state.busy.delete(hk);
      expire();
      return;
    }
    if (e.status === 409 && e.code === 'exercise_not_running') {
      m = { kind: 'warn', text: () => t('fb.not_running'), server: e.message };
    } else if (e.status === 0) {
      m = { kind: 'error', text: () => t('error.network') };
    } else {
      const msg = errorText(e);
      m = { kind: 'error', text: () => t('error.generic', { message: msg }) };
    }
  }
  state.busy.delete(hk);
  state.hintMsgs.set(hk, m);
  bump(cid);
  renderChallenges();
  announce(m.server ? `${m.text()} ${m.server}` : m.text());

  if (unlocked) {
    const k = keyOf(cid);
    const idx = (c.hints || []).findIndex((x) => x.id === hid);
    const content = document.getElementById(`hintc-${k}-${idx}`);
    if (content) content.focus();
    refreshStanding();
  }
}

/** Every second: exercise clock, and the rate-limit countdown in place. */
function tick() {
  if (state.view !== 'team') return;
  renderClock();
  for (const [cid, m] of state.feedback) {
    if (!m.cooldown) continue;
    const p = document.getElementById(`fb-${keyOf(cid)}`);
    const title = p && p.querySelector('.msg-title');
    if (cooldownLeft() > 0) {
      if (title) title.textContent = m.text();
    } else {
      m.cooldown = false;
      m.kind = 'info';
      bump(cid);
      renderChallenges();
      announce(m.text());
    }
  }
}

async function onLogin(e) {
  e.preventDefault();
  const user = $('username');
  const pass = $('password');
  const btn = $('login-submit');
  const username = user.value.trim();
  const password = pass.value;
  state.loginNotice = null;
  if (!username || !password) {
    state.loginError = () => t('login.missing');
    renderLogin();
    (username ? pass : user).focus();
    return;
  }
  if (btn.getAttribute('aria-disabled') === 'true') return;
  btn.setAttribute('aria-disabled', 'true');
  btn.textContent = t('login.submitting');
  state.loginError = null;
  renderLogin();
  try {
    const r = await api.login(username, password);
    api.setToken(r.token);
    state.me = { username: r.username ?? username, role: r.role, team: r.team ?? null };
    pass.value = '';
    btn.removeAttribute('aria-disabled');
    btn.textContent = t('login.submit');
    await enterTeamView(true);
    return;
  } catch (err) {
    if (err.status === 401) {
      state.loginError = () => t('login.bad');
    } else if (err.status === 429) {
      const s = Number(err.retry_after);
      state.loginError = Number.isFinite(s) && s > 0
        ? () => t('login.too_many_wait', { s })
        : () => t('login.too_many');
    } else if (err.status === 0) {
      state.loginError = () => t('error.network');
    } else {
      const msg = errorText(err);
      state.loginError = () => t('error.generic', { message: msg });
    }
    pass.select();
    pass.focus();
  }
  btn.removeAttribute('aria-disabled');
  btn.textContent = t('login.submit');
  renderLogin();
}

function onLogout() {
  api.clearToken();
  showLogin({ kind: 'info', text: () => t('login.logged_out') });
}

function rerender() {
  if (state.view === 'login') {
    renderLogin();
    document.title = t('team.page_title');
  } else if (state.view === 'team') {
    renderHeader();
    renderChallenges();
  }
}

function init() {
  initI18n();
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  $('refresh').addEventListener('click', () => loadAll());
  onLangChange(rerender);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.view === 'team' && !dialogOpen) loadAll();
  });
  // Signing in or out in another tab.
  window.addEventListener('storage', (e) => {
    if (e.key !== api.TOKEN_KEY) return;
    if (!e.newValue && state.view === 'team') onLogout();
    else if (e.newValue && state.view === 'login') {
      state.me = null;
      enterTeamView(false);
    }
  });
  setInterval(tick, 1000);

  if (api.getToken()) enterTeamView(false);
  else showLogin(null);
}

init();
