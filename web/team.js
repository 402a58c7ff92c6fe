// Team page: sign in, read injects and submit incident reports, list challenges by category,
// unlock hints, submit flags; announcements, and for attack/defend how to submit captured flags
// and the team's own services. Kept current by the change stream (live.js) and a slow poll.

import {
  initI18n, onLangChange, getLang, t, pick, formatNumber, formatTime, formatDuration, formatBytes,
  formatPercent, statusLabel, clockLines, el, serverText, serviceStateKey, serviceStateBadge,
} from './i18n.js';
import * as api from './api.js';
import { renderSignIn, signIn } from './signin.js';
import {
  subscribe, statusIndicator, throttle, announcementsPanel,
} from './live.js';
import { teamExtra } from './team-extra.js'; // team-extra: API tokens, score breakdown

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
  services: null, // GET /api/v1/services (attack/defend), null without it
};

let refreshTimer = null;
let announcements = null;
let loading = false;
let loadAgain = false;
let dialogOpen = false;

// team-extra: the team's API tokens and "why we have N points" (team-extra.js).
const extra = teamExtra({
  me: () => state.me,
  exercise: () => state.exercise,
  zone: () => zone(),
  confirm: (title, text, okText) => confirmDialog(title, text, okText),
  announce: (text) => announce(text),
  expire: () => {
    if (state.view === 'team') expire();
  },
  errorText: (e) => errorText(e),
  injectTitle: (id) => {
    const it = injById(id);
    return it ? pick(it.title) : '';
  },
  challengeTitle: (id) => {
    const c = state.challenges && state.challenges.find((x) => x.id === id);
    return c ? pick(c.title) : '';
  },
});

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
  return serverText(e);
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
  state.services = null;
  $('ad-section').hidden = true;
  state.drafts.clear();
  state.feedback.clear();
  state.hintMsgs.clear();
  state.busy.clear();
  state.loginNotice = notice || null;
  state.loginError = null;
  rendered.structure = null;
  $('challenges').replaceChildren();
  resetInjects();
  extra.reset(); // team-extra
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
  renderInjects();
  renderChallenges();
  refreshSide();
  await loadAll();
  if (state.view !== 'team') return;
  if (focusHeading) $('team-name').focus();
  startTimers();
}

function startTimers() {
  stopTimers();
  refreshTimer = setInterval(() => {
    if (document.hidden) return;
    refreshSide();
    if (dialogOpen || state.busy.size || inj.busy.size) return;
    loadAll();
  }, REFRESH_MS);
}

function stopTimers() {
  clearInterval(refreshTimer);
  refreshTimer = null;
}

// ------------------------------------------------------------------ data

async function loadAll() {
  if (state.view !== 'team') return;
  if (loading) {
    // Something changed while a load was in flight (e.g. a report was just submitted).
    loadAgain = true;
    return;
  }
  loading = true;
  loadAgain = false;
  const sentAt = Date.now();
  const [me, ex, ch, sb, ij] = await Promise.allSettled([
    state.me ? Promise.resolve(state.me) : api.getMe(),
    api.getExercise(),
    api.getChallenges(),
    api.getScoreboard(),
    api.getInjects(),
  ]);
  const gotAt = Date.now();
  if (state.view !== 'team') {
    loading = false;
    return;
  }

  const results = [me, ex, ch, sb, ij];
  if (results.some((r) => r.status === 'rejected' && r.reason && r.reason.status === 401)) {
    loading = false;
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

  if (ij.status === 'fulfilled') {
    applyInjects(Array.isArray(ij.value) ? ij.value : []);
  } else if (ij.reason && ij.reason.status === 404) {
    applyInjects([]); // No scenario loaded yet: nothing released.
  } else {
    inj.error = ij.reason;
    err = err || ij.reason;
  }

  // Versions and grades of the reports this team has submitted.
  const reportsErr = await loadReports();
  loading = false;
  if (state.view !== 'team') return;
  if (reportsErr && reportsErr.status === 401) {
    expire();
    return;
  }

  state.loadError = err;
  if (!err) state.updatedAt = serverNow();
  renderHeader();
  renderInjects();
  renderChallenges();
  renderAttackDefend(); // the team is known now
  announcements.redraw(); // and the time zone
  extra.loaded(); // team-extra: breakdown with inject titles, tokens
  if (loadAgain) loadAll();
}

function applyScoreboard(sb) {
  state.boardFrozen = Boolean(sb.frozen);
  const team = state.me && state.me.team;
  state.standing = null;
  if (team && Array.isArray(sb.standings)) {
    const s = sb.standings.find((x) => x.team && String(x.team.id) === String(team.id));
    // The lines of the last breakdown stay until this board's breakdown arrives.
    if (s && ownLines && ownLines.team === String(team.id)) Object.assign(s, ownLines.lines);
    if (s) state.standing = { ...s, of: s.of ?? sb.of };
  }
  extra.board(sb); // team-extra: the score breakdown follows every scoreboard refresh
  const seq = ++boardSeq;
  if (team && state.standing) loadOwnScore(sb, String(team.id), seq);
}

let boardSeq = 0;
let ownLines = null; // {team, lines}: the team's last breakdown lines

/**
 * The board carries each team's summary; the team's own lines (solves, report grades,
 * adjustments with their reasons) come from its breakdown and join its row.
 */
async function loadOwnScore(sb, id, seq) {
  try {
    const d = await api.getTeamScore(id);
    const row = sb.standings.find((x) => x.team && String(x.team.id) === id);
    if (seq !== boardSeq || !row || !d) return;
    const lines = {
      challenges: d.challenges, adjustments: d.adjustments, hint_cost: d.hint_cost, reports: d.reports,
    };
    ownLines = { team: id, lines };
    Object.assign(row, lines);
    extra.board(sb);
  } catch (e) {
    // The summary stays on the page; the next refresh tries again.
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

// ------------------------------------------------------------------ live updates

const busyNow = () => dialogOpen || state.busy.size > 0 || inj.busy.size > 0;

/** fn, throttled; while a dialog is open or a submission is in flight it waits and tries again. */
function whenIdle(fn, gapMs) {
  let trigger = null;
  trigger = throttle(async () => {
    if (state.view !== 'team') return;
    if (busyNow()) {
      setTimeout(trigger, 1000);
      return;
    }
    await fn();
  }, gapMs);
  return trigger;
}

/**
 * Scores changed somewhere: challenge values and solve counts, and this team's standing. A change
 * of the team's own report points means a grade was released: then everything is reloaded.
 */
async function refreshPlay() {
  if (loading) {
    loadAgain = true;
    return;
  }
  const reportsBefore = state.standing && state.standing.components
    ? num(state.standing.components.reports) : null;
  const [ch, sb] = await Promise.allSettled([api.getChallenges(), api.getScoreboard()]);
  if (state.view !== 'team') return;
  if ([ch, sb].some((r) => r.status === 'rejected' && r.reason && r.reason.status === 401)) {
    expire();
    return;
  }
  if (ch.status === 'fulfilled') {
    state.challenges = Array.isArray(ch.value) ? ch.value : [];
    state.challengesError = null;
  }
  if (sb.status === 'fulfilled' && sb.value) applyScoreboard(sb.value);
  renderHeader();
  renderChallenges();
  const reportsAfter = state.standing && state.standing.components
    ? num(state.standing.components.reports) : null;
  if (reportsBefore !== null && reportsAfter !== null && reportsAfter !== reportsBefore) loadAll();
}

async function loadServices() {
  if (state.view !== 'team') return;
  try {
    state.services = await api.get('/api/v1/services');
  } catch (e) {
    if (e.status === 401) {
      expire();
      return;
    }
    // 404: no attack/defend part. Other errors keep what is shown.
    if (e.status === 404) state.services = null;
  }
  if (state.view === 'team') extra.services(state.services); // team-extra
  renderAttackDefend();
}

/** A new announcement in a pop-up that stays in view until the team dismisses it. */
function showAnnouncement(a, n) {
  const box = $('ann-popup');
  state.popup = { a, n };
  const more = n > 1 ? ` ${t('ann.popup_more', { n: formatNumber(n - 1) })}` : '';
  $('ann-popup-text').textContent = `${pick(a.text)}${more}`;
  box.hidden = false;
}

function closeAnnouncement() {
  $('ann-popup').hidden = true;
  state.popup = null;
}

async function loadAnnouncements() {
  try {
    const arrived = announcements.update(await api.get('/api/v1/announcements', { auth: false }));
    if (arrived.length && state.view === 'team') {
      announce(t('ann.arrived', { text: pick(arrived[0].text) }));
      showAnnouncement(arrived[0], arrived.length);
    }
  } catch (e) {
    announcements.fail(e);
  }
}

const live = {
  all: whenIdle(loadAll, 2000),
  play: whenIdle(refreshPlay, 3000),
  services: throttle(loadServices, 3000),
  announcements: throttle(loadAnnouncements, 1000),
};

/** What to fetch again for each kind of change the stream names. */
const KIND_LOADS = {
  exercise: ['all', 'services'],
  scoreboard: ['play', 'services'],
  rounds: ['services'],
  announcements: ['announcements'],
};

function onUpdate(kinds) {
  const todo = new Set();
  for (const k of kinds) for (const l of KIND_LOADS[k] || []) todo.add(l);
  if (todo.has('all')) todo.delete('play'); // loadAll fetches the same and more
  for (const l of todo) {
    // Announcements are public: the sign-in screen does not need the rest.
    if (state.view === 'team' || l === 'announcements') live[l]();
  }
}

/** The parts outside loadAll: services and announcements. */
function refreshSide() {
  live.services();
  live.announcements();
}

// ------------------------------------------------------------------ rendering: attack/defend

// ------------------------------------------------------------------ captured flags

/** The flags in pasted text: every match of the game's flag format, else one per line. */
function flagsIn(text) {
  const game = state.exercise && state.exercise.attack_defense;
  let found = [];
  if (game && game.flag_format) {
    try {
      found = text.match(new RegExp(game.flag_format, 'g')) || [];
    } catch {
      found = [];
    }
  }
  if (!found.length) found = text.split(/\s+/).map((x) => x.trim()).filter(Boolean);
  return [...new Set(found)];
}

/** Send pasted flags (in requests of at most the game's limit) and show each reply. */
async function sendCapturedFlags(e) {
  e.preventDefault();
  if (state.busy.has('ad-flags')) return;
  const flags = flagsIn($('ad-flags').value);
  const out = $('ad-flags-result');
  if (!flags.length) {
    out.replaceChildren(el('p', { class: 'msg msg-error', text: t('ad.send_none') }));
    $('ad-flags').focus();
    return;
  }
  const game = state.exercise && state.exercise.attack_defense;
  const per = Math.max(1, num(game && game.max_flags_per_request) || 100);
  const btn = $('ad-flags-send');
  state.busy.add('ad-flags');
  btn.setAttribute('aria-busy', 'true');
  const replies = [];
  let failure = null;
  try {
    for (let i = 0; i < flags.length; i += per) {
      const r = await api.put('/flags', flags.slice(i, i + per));
      replies.push(...(Array.isArray(r) ? r : []));
    }
  } catch (err) {
    if (err.status === 401) {
      expire();
      return;
    }
    failure = err;
  } finally {
    state.busy.delete('ad-flags');
    btn.removeAttribute('aria-busy');
  }
  const counts = new Map();
  for (const r of replies) counts.set(r.code, (counts.get(r.code) || 0) + 1);
  const summary = [...counts].map(([code, n]) => t('ad.reply_count', { n: formatNumber(n), what: replyText(code) })).join(t('list.sep'));
  out.replaceChildren(
    replies.length ? el('p', { class: `msg ${counts.get('accepted') ? 'msg-success' : 'msg-warn'}`, text: summary }) : null,
    failure ? el('p', { class: 'msg msg-error', text: t('ad.send_failed', { sent: formatNumber(replies.length), all: formatNumber(flags.length) }) },
      el('span', { class: 'msg-server', text: ` ${t('fb.server', { message: serverText(failure) })}` })) : null,
    replies.length ? el('ul', { class: 'ad-replies' }, replies.map((r) => el('li', { class: r.status ? 'ok' : null },
      el('code', { text: String(r.flag ?? '') }), ' — ', el('span', { text: replyText(r.code) })))) : null);
  if (replies.length && !failure) {
    // Keep only what must be sent again (try later); the rest is done.
    const again = replies.filter((r) => ['not_running', 'rate_limited', 'own_service_down', 'try_again'].includes(r.code));
    $('ad-flags').value = again.map((r) => r.flag).join('\n');
  }
  announce(summary);
}

const REPLY_CODES = new Set(['accepted', 'duplicate', 'own', 'too_old', 'invalid', 'unknown_team',
  'not_running', 'rate_limited', 'own_service_down', 'try_again']);

function replyText(code) {
  return REPLY_CODES.has(code) ? t(`ad.reply.${code}`) : String(code ?? '');
}

function renderAttackDefend() {
  const section = $('ad-section');
  const sv = state.services;
  const services = sv && Array.isArray(sv.services) ? sv.services : [];
  if (state.view !== 'team' || !services.length) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const round = num(sv.round);
  $('ad-round').textContent = round > 0 ? t('svc.round', { n: formatNumber(round) }) : t('svc.no_round');
  $('ad-frozen').hidden = !sv.frozen;
  $('ad-example').textContent = [
    `curl -X PUT ${window.location.origin}/flags \\`,
    `  -H 'X-Team-Token: ${t('ad.example_token')}' \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -d '["${t('ad.example_flag')}"]'`,
  ].join('\n');

  // The game's own facts, from GET /api/v1/exercise.
  const game = state.exercise && state.exercise.attack_defense;
  const regex = $('ad-regex');
  regex.hidden = !(game && game.flag_format);
  regex.textContent = game && game.flag_format ? game.flag_format : '';
  const limits = $('ad-limits');
  limits.hidden = !game;
  limits.textContent = game ? t('ad.limits', {
    rate: formatNumber(num(game.flags_per_second)),
    per: formatNumber(num(game.max_flags_per_request)),
    lifetime: formatNumber(num(game.flag_lifetime_rounds)),
    seconds: formatNumber(num(game.round_seconds)),
  }) : '';
  const tcp = $('ad-tcp');
  if (game && game.tcp_address) {
    tcp.textContent = t('ad.tcp_at', { addr: game.tcp_address });
  } else if (game && game.tcp_port) {
    tcp.textContent = t('ad.tcp_at', { addr: `${window.location.hostname}:${game.tcp_port}` });
  } else {
    tcp.textContent = t('ad.tcp');
  }

  const team = state.me && state.me.team;
  const row = team && Array.isArray(sv.teams)
    ? sv.teams.find((x) => x.team && String(x.team.id) === String(team.id)) : null;
  $('ad-own-wrap').hidden = !row;
  $('ad-own-empty').hidden = Boolean(row) || !team;
  if (!row) {
    $('ad-own').replaceChildren();
    return;
  }
  const cells = new Map((Array.isArray(row.services) ? row.services : []).map((c) => [c.service, c]));
  $('ad-own').replaceChildren(
    el('caption', { class: 'sr-only', text: t('ad.own_caption') }),
    el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: t('detail.service') }),
      el('th', { scope: 'col', text: t('judge.status') }),
      el('th', { scope: 'col', class: 'num', text: t('col.attack') }),
      el('th', { scope: 'col', class: 'num', text: t('col.defense') }),
      el('th', { scope: 'col', class: 'num' }, el('abbr', { title: t('col.sla_long'), text: t('col.sla') })),
      el('th', { scope: 'col', class: 'num', text: t('detail.flags') }))),
    el('tbody', null, services.map((x) => {
      const c = cells.get(x.id);
      const st = c ? c.state : null;
      const key = serviceStateKey(st);
      const note = [c && c.message ? String(c.message) : '',
        c && c.round ? t('svc.checked_round', { n: c.round }) : ''].filter(Boolean).join(' · ');
      return el('tr', null,
        el('th', { scope: 'row', text: pick(x.name) || String(x.id) }),
        el('td', { class: `svc-cell svc-${key}` },
          serviceStateBadge(st),
          note ? el('span', { class: 'svc-points', text: note }) : null),
        el('td', { class: 'num', text: formatNumber(num(c && c.attack)) }),
        el('td', { class: 'num', text: formatNumber(num(c && c.defense)) }),
        el('td', { class: 'num', text: formatNumber(num(c && c.sla)) }),
        el('td', { class: 'num', text: `${formatNumber(num(c && c.captured))} / ${formatNumber(num(c && c.lost))}` }));
    })));
}

// ------------------------------------------------------------------ rendering: login + header

function renderLogin() {
  renderSignIn(state, 'login-error');
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
    const key = c.category || '';
    if (!groups.has(key)) groups.set(key, { label: c.category_text, items: [] });
    groups.get(key).items.push(c);
  }
  // Grouped by the category's key, shown in the reader's language.
  return [...groups.entries()].map(([key, g]) => ({ name: (g.label && pick(g.label)) || key, items: g.items }));
}

const isTextField = (n) => n.tagName === 'INPUT' || n.tagName === 'TEXTAREA';

function captureFocus(root) {
  const a = document.activeElement;
  if (!a || !a.id || !root.contains(a)) return null;
  const f = { id: a.id, node: a };
  if (isTextField(a)) {
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
  if (isTextField(n) && f.start !== undefined && f.start !== null) {
    try {
      n.setSelectionRange(f.start, f.end);
    } catch {
      // Not a text input.
    }
  }
  if (f.scroll) n.scrollTop = f.scroll;
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
        e.status === 403 && e.message ? el('span', { class: 'msg-server', text: t('fb.server', { message: serverText(e) }) }) : null));
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

  if (c.connection_info) {
    card.append(el('p', { class: 'connection-info' },
      el('span', { class: 'muted small', text: `${t('ch.connection')} ` }),
      el('code', { text: String(c.connection_info) })));
  }
  if (c.max_attempts !== null && c.max_attempts !== undefined && c.attempts_left !== null && c.attempts_left !== undefined) {
    card.append(el('p', { class: `small ${Number(c.attempts_left) > 0 ? 'muted' : 'msg-error'}`, id: `${k}-attempts`,
      text: t('ch.attempts_left', { n: formatNumber(Number(c.attempts_left)), max: formatNumber(Number(c.max_attempts)) }) }));
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
    const hint = el('div', { class: 'hint-content description', id: `hintc-${k}-${i}`, tabindex: '-1' });
    const hintHtml = h.content_html ? pick(h.content_html) : '';
    if (hintHtml) hint.innerHTML = hintHtml; // Rendered and sanitised by the server.
    else hint.textContent = pick(h.content);
    li.append(hint);
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
    const points = Number((r && r.points) ?? 0);
    const bonus = Number((r && r.first_blood_bonus) ?? 0);
    const status = r && r.status;
    if (status === 'accepted' || (status === undefined && r && r.correct)) {
      m = bonus > 0
        ? {
          kind: 'success',
          text: () => t('fb.accepted_blood', {
            points: formatNumber(points + bonus), value: formatNumber(points), bonus: formatNumber(bonus),
          }),
        }
        : { kind: 'success', text: () => t('fb.accepted', { points: formatNumber(points) }) };
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
      // A wrong flag uses up one of a limited challenge's attempts.
      const ch = state.challenges && state.challenges.find((x) => x.id === cid);
      if (ch && ch.attempts_left !== null && ch.attempts_left !== undefined) {
        ch.attempts_left = Math.max(0, Number(ch.attempts_left) - 1);
      }
    }
    // A reply this page knows is said in the reader's language; the server's English sentence
    // is shown only for one it does not know.
    if (!['accepted', 'already_solved', 'incorrect'].includes(status)) m.server = serverMessage(r && r.message);
  } catch (e) {
    if (e.status === 401) {
      state.busy.delete(cid);
      expire();
      return;
    }
    if (e.status === 409 && e.code === 'exercise_not_running') {
      m = { kind: 'warn', text: () => t('fb.not_running'), server: serverText(e) };
    } else if (e.status === 409 && e.code === 'no_attempts_left') {
      m = { kind: 'error', text: () => t('fb.no_attempts_left') };
    } else if (e.status === 429) {
      const s = Number(e.retry_after);
      if (Number.isFinite(s) && s > 0) state.cooldownUntil = Date.now() + s * 1000;
      m = rateLimited(serverText(e));
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

function confirmDialog(title, text, okText) {
  const dlg = $('confirm-dialog');
  if (!dlg || typeof dlg.showModal !== 'function') {
    return Promise.resolve(window.confirm(`${title}\n\n${text}`));
  }
  $('confirm-title').textContent = title;
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
  let text = cost > 0
    ? t('hint.confirm_text', { n, title, cost: formatNumber(cost) })
    : t('hint.confirm_free', { n, title });
  // Solved already: the hint no longer helps, but it still costs.
  if (cost > 0 && c.solved) text = `${text} ${t('hint.confirm_solved', { cost: formatNumber(cost) })}`;
  const ok = await confirmDialog(t('hint.confirm_title'), text, cost > 0 ? t('hint.confirm_ok', { cost: formatNumber(cost) }) : t('hint.confirm_ok_free'));
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
      if (got.content_html !== undefined) hh.content_html = got.content_html;
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
      m = { kind: 'warn', text: () => t('fb.not_running'), server: serverText(e) };
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

// ------------------------------------------------------------------ injects and incident reports

/** What the server accepts as report attachments (crates/api/src/routes/reports.rs). */
const REPORT_EXTS = ['pdf', 'png', 'jpg', 'jpeg', 'txt', 'log', 'md', 'csv', 'json', 'zip', 'pcap', 'pcapng'];
const MAX_REPORT_FILES = 3;
const MAX_REPORT_FILE_BYTES = 2 * 1024 * 1024;
const MAX_REPORT_BYTES = 100000;
const MAX_FILENAME_CHARS = 100;
/** Below this much time to the due time, the countdown is highlighted (and announced once). */
const SOON_MS = 5 * 60 * 1000;

const inj = {
  list: null, // GET /api/v1/injects, newest first
  error: null,
  owner: null, // username whose drafts are kept in memory
  seen: null, // ids known since the first load (null: not loaded yet)
  fresh: new Set(), // ids released while this page was open
  reports: new Map(), // inject id → GET /injects/{id}/report answer
  reportKeys: new Map(), // inject id → my_report signature that answer belongs to
  reportErrors: new Map(), // inject id → ApiError
  drafts: new Map(), // inject id → report text typed (absent: start from the latest version)
  sent: new Map(), // inject id → text of the last successful submission from this page
  files: new Map(), // inject id → [File] chosen for the next version
  fileMsgs: new Map(), // inject id → message about rejected files
  preview: new Set(), // inject ids showing the preview instead of the editor
  previewHtml: new Map(), // inject id → {text, html} the server rendered for the preview
  previewErr: new Map(), // inject id → error of the last preview request
  feedback: new Map(), // inject id → message after submitting
  busy: new Set(), // inject ids with a submission in flight
  phase: new Map(), // inject id → 'reading' | 'sending'
  versions: new Map(), // inject id → counter bumped whenever its card must be redrawn
  deadline: new Map(), // inject id → deadline state last shown (to redraw/announce changes)
  rendered: { lang: null, sigs: new Map() },
};

function resetInjects() {
  inj.list = null;
  inj.error = null;
  inj.seen = null;
  inj.fresh.clear();
  inj.reports.clear();
  inj.reportKeys.clear();
  inj.reportErrors.clear();
  inj.feedback.clear();
  inj.fileMsgs.clear();
  inj.busy.clear();
  inj.phase.clear();
  inj.deadline.clear();
  inj.rendered = { lang: null, sigs: new Map() };
  $('injects').replaceChildren();
  $('injects-meta').textContent = '';
}

/** Forget what was typed (sign-out, or another account signs in). */
function clearInjectDrafts() {
  inj.drafts.clear();
  inj.sent.clear();
  inj.files.clear();
  inj.preview.clear();
  inj.owner = null;
}

function injBump(id) {
  inj.versions.set(id, (inj.versions.get(id) || 0) + 1);
}

function injById(id) {
  return inj.list ? inj.list.find((x) => x.id === id) : undefined;
}

function applyInjects(list) {
  if (state.me && inj.owner === null) inj.owner = state.me.username ?? null;
  const order = new Map(list.map((x, i) => [x.id, i]));
  // Newest first: a freshly released inject appears at the top.
  const sorted = [...list].sort((a, b) => {
    const ta = Date.parse(a.released_at);
    const tb = Date.parse(b.released_at);
    if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return tb - ta;
    return order.get(a.id) - order.get(b.id);
  });
  const isTeam = !state.me || state.me.role === 'team';
  if (inj.seen === null) {
    inj.seen = new Set(sorted.map((x) => x.id));
  } else {
    const arrived = sorted.filter((x) => !inj.seen.has(x.id));
    for (const x of arrived) {
      inj.seen.add(x.id);
      inj.fresh.add(x.id);
    }
    if (arrived.length && isTeam) {
      announce(arrived.length === 1
        ? t('inj.arrived', { title: pick(arrived[0].title) || String(arrived[0].id) })
        : t('inj.arrived_n', { n: arrived.length }));
    }
  }
  inj.list = sorted;
  inj.error = null;
}

/**
 * Fetch the versions (and released grade) of every report this team has submitted, when its
 * submission changed since the last fetch or while no grade is shown yet. Returns the first
 * error, if any.
 */
async function loadReports() {
  if (!inj.list || (state.me && state.me.role !== 'team')) return null;
  const todo = inj.list.filter((it) => {
    if (!it.report || !it.my_report) return false;
    const key = JSON.stringify(it.my_report);
    const have = inj.reports.get(it.id);
    return inj.reportKeys.get(it.id) !== key || !have || !have.grade;
  });
  if (!todo.length) return null;
  const results = await Promise.allSettled(todo.map((it) => api.getReport(it.id)));
  let first = null;
  results.forEach((r, i) => {
    const it = todo[i];
    if (r.status === 'fulfilled' && r.value) {
      const before = inj.reports.get(it.id);
      if (!before || JSON.stringify(before) !== JSON.stringify(r.value)) injBump(it.id);
      inj.reports.set(it.id, r.value);
      inj.reportKeys.set(it.id, JSON.stringify(it.my_report));
      if (inj.reportErrors.delete(it.id)) injBump(it.id);
    } else if (r.status === 'rejected') {
      first = first || r.reason;
      inj.reportErrors.set(it.id, r.reason);
      injBump(it.id);
    }
  });
  return first;
}

function latestVersion(id) {
  const r = inj.reports.get(id);
  const vs = r && Array.isArray(r.versions) ? r.versions : [];
  let best = null;
  for (const v of vs) if (!best || num(v.version) > num(best.version)) best = v;
  return best;
}

/** The text in the editor: what was typed, else the latest submitted version. */
function draftOf(id) {
  if (inj.drafts.has(id)) return inj.drafts.get(id);
  const v = latestVersion(id);
  return v && typeof v.body === 'string' ? v.body : '';
}

function hasUnsentReport() {
  for (const [id, text] of inj.drafts) {
    if (!text.trim()) continue;
    const v = latestVersion(id);
    if (inj.sent.get(id) === text) continue;
    if (!v || String(v.body ?? '') !== text) return true;
  }
  for (const files of inj.files.values()) if (files.length) return true;
  return false;
}

function extOf(name) {
  const i = name.lastIndexOf('.');
  return i > 0 || (i === 0 && name.length > 1) ? name.slice(i + 1).toLowerCase() : '';
}

/** A problem with a chosen file (as a message function), or null. */
function fileProblem(f) {
  const name = f.name || '';
  if (!REPORT_EXTS.includes(extOf(name))) {
    return () => t('rep.file_type', { name, list: REPORT_EXTS.join(', ') });
  }
  if ([...name].length > MAX_FILENAME_CHARS) {
    return () => t('rep.file_name_long', { name, n: MAX_FILENAME_CHARS });
  }
  if (f.size > MAX_REPORT_FILE_BYTES) {
    return () => {
      let size = formatBytes(f.size);
      let max = formatBytes(MAX_REPORT_FILE_BYTES);
      if (size === max) {
        // Just over the limit: rounding would show the same figure twice.
        size = `${formatNumber(f.size)} B`;
        max = `${formatNumber(MAX_REPORT_FILE_BYTES)} B`;
      }
      return t('rep.file_big', { name, size, max });
    };
  }
  return null;
}

function lateFor(r, atMs) {
  const due = Date.parse(r.due_at);
  if (!Number.isFinite(due) || !Number.isFinite(atMs)) return { minutes: 0, factor: 1 };
  const over = atMs - due - Math.max(0, num(r.grace_seconds)) * 1000;
  const minutes = over > 0 ? Math.ceil(over / 60000) : 0;
  const closes = r.closes_at ? Date.parse(r.closes_at) : NaN;
  if (Number.isFinite(closes) && atMs > closes) return { minutes, factor: 0 };
  return { minutes, factor: Math.max(0, 1 - Math.max(0, num(r.penalty_per_minute)) * minutes) };
}

/** Where a report requirement stands at server time `now`. */
function deadline(r, now) {
  const ex = state.exercise;
  if (ex && ex.status === 'ended') return { kind: 'ended' };
  const due = Date.parse(r.due_at);
  const closes = r.closes_at ? Date.parse(r.closes_at) : NaN;
  const grace = Math.max(0, num(r.grace_seconds)) * 1000;
  if (Number.isFinite(closes) && now > closes) return { kind: 'closed' };
  if (!Number.isFinite(due)) return { kind: 'none' };
  if (now <= due) return { kind: 'open', left: due - now, soon: due - now <= SOON_MS };
  if (now <= due + grace) return { kind: 'grace', left: due + grace - now };
  const { minutes, factor } = lateFor(r, now);
  return {
    kind: 'late',
    minutes,
    factor,
    free: num(r.penalty_per_minute) <= 0,
    closesLeft: Number.isFinite(closes) ? closes - now : null,
  };
}

function countdownText(d, r) {
  switch (d.kind) {
    case 'open':
      return t('inj.due_in', { d: formatDuration(d.left) });
    case 'grace':
      return t('inj.grace', { d: formatDuration(d.left) });
    case 'late': {
      const s = d.free
        ? t('inj.late_free', { m: formatNumber(d.minutes) })
        : t('inj.late', {
          m: formatNumber(d.minutes),
          p: formatPercent(1 - d.factor),
          f: formatNumber(d.factor),
        });
      return d.closesLeft !== null ? `${s} ${t('inj.closes_in', { d: formatDuration(d.closesLeft) })}` : s;
    }
    case 'closed':
      return t('inj.closed', { time: formatTime(r.closes_at, zone()) });
    case 'ended':
      return t('inj.ended');
    default:
      return '';
  }
}

function countdownClass(d) {
  return `countdown is-${d.kind}${d.soon ? ' is-soon' : ''}`;
}

const deadlineKey = (d) => `${d.kind}${d.soon ? '-soon' : ''}`;

/** A length of time given in seconds, in words: "5 phút", "90 giây". */
function secondsText(sec) {
  const s = Math.max(0, Math.round(num(sec)));
  if (s >= 60 && s % 60 === 0) return t('unit.minutes', { n: formatNumber(s / 60) });
  return t('unit.seconds', { n: formatNumber(s) });
}

function lateRuleText(r) {
  const ppm = num(r.penalty_per_minute);
  if (ppm <= 0) return t('rep.late_rule_none');
  const p = formatPercent(ppm);
  const grace = num(r.grace_seconds);
  return grace > 0
    ? t('rep.late_rule_grace', { grace: secondsText(grace), p })
    : t('rep.late_rule', { p });
}

function lateText(minutes, factor) {
  return num(minutes) > 0
    ? t('rep.late_by', { m: formatNumber(minutes), f: formatNumber(factor) })
    : t('rep.on_time');
}

// ---- rendering

function injSig(it) {
  return `${JSON.stringify(it)}|${inj.versions.get(it.id) || 0}`;
}

function renderInjects() {
  if (state.view !== 'team') return;
  const section = $('injects-section');
  const root = $('injects');
  const meta = $('injects-meta');
  const isTeam = !state.me || state.me.role === 'team';
  section.hidden = !isTeam;
  if (!isTeam) {
    root.replaceChildren();
    inj.rendered = { lang: null, sigs: new Map() };
    return;
  }
  const list = inj.list;
  if (!list) {
    inj.rendered = { lang: null, sigs: new Map() };
    meta.textContent = '';
    if (inj.error) {
      const e = inj.error;
      root.replaceChildren(el('p', { class: 'msg msg-error' },
        el('span', { class: 'msg-title', text: e.status === 403 ? t('error.forbidden') : t('error.generic', { message: errorText(e) }) })));
    } else {
      root.replaceChildren(el('p', { class: 'muted', text: t('loading') }));
    }
    return;
  }
  const now = serverNow();
  const pending = list.filter((it) => it.report && !it.my_report
    && !['closed', 'ended'].includes(deadline(it.report, now).kind)).length;
  meta.textContent = [
    t('inj.count', { n: formatNumber(list.length) }),
    pending ? t('inj.pending', { n: formatNumber(pending) }) : null,
  ].filter(Boolean).join(' · ');

  if (!list.length) {
    inj.rendered = { lang: null, sigs: new Map() };
    root.replaceChildren(el('p', { class: 'notice', text: t('inj.none') }));
    return;
  }

  const focus = captureFocus(root);
  let wrap = root.firstElementChild;
  if (inj.rendered.lang !== getLang() || !wrap || !wrap.classList.contains('injects')) {
    inj.rendered = { lang: getLang(), sigs: new Map() };
    wrap = el('div', { class: 'injects' });
    root.replaceChildren(wrap);
  }
  // Redraw only the cards that changed, in place, so typing and focus are kept elsewhere.
  const want = new Set();
  let prev = null;
  for (const it of list) {
    const nodeId = `inj-${keyOf(it.id)}`;
    want.add(nodeId);
    const sig = injSig(it);
    let node = document.getElementById(nodeId);
    if (!node || !wrap.contains(node) || inj.rendered.sigs.get(it.id) !== sig) {
      const fresh = buildInject(it);
      if (node && wrap.contains(node)) node.replaceWith(fresh);
      node = fresh;
      inj.rendered.sigs.set(it.id, sig);
    }
    const at = prev ? prev.nextSibling : wrap.firstChild;
    if (at !== node) wrap.insertBefore(node, at);
    prev = node;
  }
  for (const child of [...wrap.children]) {
    if (!want.has(child.id)) child.remove();
  }
  restoreFocus(focus);
}

function buildInject(it) {
  const k = keyOf(it.id);
  const title = pick(it.title) || String(it.id);
  const r = it.report;
  const mine = it.my_report;
  const card = el('article', {
    class: `inject${r ? ' has-report' : ''}${mine ? ' is-submitted' : ''}`,
    id: `inj-${k}`,
    'aria-labelledby': `inj-title-${k}`,
  });
  let badge = null;
  if (r && mine) {
    badge = el('span', { class: 'badge badge-solved' },
      el('span', { 'aria-hidden': 'true', text: '\u2713 ' }), t('inj.submitted_badge', { n: formatNumber(mine.versions) }));
  } else if (r) {
    badge = el('span', { class: 'badge badge-report', text: t('inj.report_required') });
  }
  card.append(el('h3', { id: `inj-title-${k}` },
    el('span', { text: title }),
    inj.fresh.has(it.id) ? el('span', { class: 'badge badge-new', text: t('inj.new') }) : null,
    badge));
  card.append(el('p', { class: 'meta', text: t('inj.released_at', { time: formatTime(it.released_at, zone()) }) }));

  const html = pick(it.body_html);
  if (html) {
    const d = el('div', { class: 'description' });
    d.innerHTML = html; // Rendered and sanitised by the server (body_html is safe HTML).
    card.append(d);
  }

  if (Array.isArray(it.attachments) && it.attachments.length) {
    card.append(el('h4', { text: t('inj.files') }),
      el('ul', { class: 'files' }, it.attachments.map((f) => el('li', null, fileLink(f)))));
  }

  if (r) card.append(buildReport(it, k, title));
  return card;
}

function buildReport(it, k, title) {
  const r = it.report;
  const d = deadline(r, serverNow());
  inj.deadline.set(it.id, deadlineKey(d));
  const part = el('section', { class: 'report', 'aria-labelledby': `rep-h-${k}` });
  part.append(el('h4', { id: `rep-h-${k}`, text: t('rep.heading') }));

  part.append(el('dl', { class: 'kv deadlines' },
    el('dt', { text: t('rep.due_at') }),
    el('dd', null, el('strong', { text: formatTime(r.due_at, zone()) })),
    el('dt', { text: t('rep.closes_at') }),
    el('dd', { text: r.closes_at ? formatTime(r.closes_at, zone()) : t('rep.closes_never') }),
    el('dt', { text: t('rep.late_label') }),
    el('dd', { text: lateRuleText(r) }),
    el('dt', { text: t('rep.weight_label') }),
    el('dd', { text: t('rep.weight_value', { max: formatNumber(r.max_total), w: formatNumber(r.weight) }) })));
  part.append(el('p', {
    class: countdownClass(d),
    id: `inj-cd-${k}`,
    role: 'timer',
    'aria-atomic': 'true',
    text: countdownText(d, r),
  }));
  if (state.exercise && state.exercise.status === 'paused') {
    part.append(el('p', { class: 'muted small', text: t('inj.paused') }));
  }

  part.append(rubricTable(r, k));
  part.append(...statusPart(it, k));
  part.append(reportForm(it, k, title, d));
  const versions = versionsPart(it, k);
  if (versions) part.append(versions);
  return part;
}

function rubricTable(r, k) {
  const rows = Array.isArray(r.rubric) ? r.rubric : [];
  return el('div', { class: 'table-wrap' },
    el('table', { class: 'rubric' },
      el('caption', { text: t('rep.rubric') }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: t('rep.criterion') }),
        el('th', { scope: 'col', class: 'num', text: t('rep.max_points') }))),
      el('tbody', null, rows.map((c) => el('tr', null,
        el('th', { scope: 'row', text: pick(c.title) || String(c.id) }),
        el('td', { class: 'num', text: formatNumber(c.max) })))),
      el('tfoot', null, el('tr', null,
        el('th', { scope: 'row', text: t('rep.rubric_total') }),
        el('td', { class: 'num', text: formatNumber(r.max_total) })))));
}

function statusPart(it, k) {
  const out = [];
  const mine = it.my_report;
  if (!mine) {
    out.push(el('p', { class: 'report-status muted', text: t('rep.none_yet') }));
  } else {
    const late = num(mine.minutes_late) > 0;
    out.push(el('p', { class: `report-status${late ? ' is-late' : ''}` },
      el('strong', { text: t('rep.summary', { n: formatNumber(mine.versions), time: formatTime(mine.last_submitted_at, zone()) }) }),
      ' ',
      lateText(mine.minutes_late, mine.late_factor)));
  }
  const detail = inj.reports.get(it.id);
  const err = inj.reportErrors.get(it.id);
  if (mine && err && !detail) {
    out.push(el('p', { class: 'msg msg-error', text: t('rep.load_failed', { message: errorText(err) }) }));
  }
  if (detail) {
    if (detail.grades_released && detail.grade) {
      out.push(gradeBlock(detail.grade, it.report, k));
    } else if (detail.grades_released) {
      out.push(el('p', { class: 'muted small', text: t('grade.pending') }));
    } else if (mine) {
      out.push(el('p', { class: 'muted small', text: t('grade.not_released') }));
    }
  }
  return out;
}

function gradeBlock(g, r, k) {
  const criteria = Array.isArray(g.criteria) ? g.criteria : [];
  const overall = Array.isArray(g.comments) ? g.comments.filter((c) => String(c).trim()) : [];
  const box = el('div', { class: 'grade', id: `grade-${k}` });
  box.append(el('h5', { text: g.version ? t('grade.heading_v', { n: formatNumber(g.version) }) : t('grade.heading') }));
  box.append(el('div', { class: 'table-wrap' },
    el('table', { class: 'grade-table' },
      el('caption', { class: 'sr-only', text: t('grade.caption') }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: t('rep.criterion') }),
        el('th', { scope: 'col', class: 'num', text: t('grade.score') }),
        el('th', { scope: 'col', text: t('grade.comments') }))),
      el('tbody', null, criteria.map((c) => {
        const comments = Array.isArray(c.comments) ? c.comments.filter((x) => String(x).trim()) : [];
        return el('tr', null,
          el('th', { scope: 'row', text: pick(c.title) || String(c.id) }),
          el('td', { class: 'num', text: t('grade.of', { score: formatNumber(c.score), max: formatNumber(c.max) }) }),
          el('td', null, comments.length
            ? el('ul', { class: 'comments' }, comments.map((x) => el('li', { text: String(x) })))
            : el('span', { class: 'muted', text: t('dash') })));
      })),
      el('tfoot', null, el('tr', null,
        el('th', { scope: 'row', text: t('grade.total') }),
        el('td', { class: 'num', text: t('grade.of', { score: formatNumber(g.total), max: formatNumber(g.max_total ?? r.max_total) }) }),
        el('td', null))))));
  if (overall.length) {
    box.append(el('p', { class: 'grade-overall-title', text: t('grade.overall') }),
      el('ul', { class: 'comments' }, overall.map((x) => el('li', { text: String(x) }))));
  }
  box.append(el('dl', { class: 'components' },
    el('dt', { text: t('grade.total') }),
    el('dd', { text: t('grade.of', { score: formatNumber(g.total), max: formatNumber(g.max_total ?? r.max_total) }) }),
    el('dt', { text: t('grade.lateness') }),
    el('dd', { text: num(g.minutes_late) > 0 ? t('grade.late_minutes', { m: formatNumber(g.minutes_late) }) : t('rep.on_time_short') }),
    el('dt', { text: t('grade.late_factor') }),
    el('dd', { text: formatNumber(g.late_factor) }),
    el('dt', { text: t('grade.weight') }),
    el('dd', { text: formatNumber(g.weight) }),
    el('dt', { class: 'total', text: t('grade.points') }),
    el('dd', { class: 'total', text: formatNumber(g.points) })));
  box.append(el('p', { class: 'muted small', text: t('grade.formula') }));
  return box;
}

function reportForm(it, k, title, d) {
  const id = it.id;
  const busy = inj.busy.has(id);
  const preview = inj.preview.has(id);
  const closed = d.kind === 'closed' || d.kind === 'ended';
  const latest = latestVersion(id);
  const submitted = num(it.my_report && it.my_report.versions);
  const draft = draftOf(id);

  const textarea = el('textarea', {
    id: `rep-text-${k}`,
    name: 'body',
    rows: '14',
    spellcheck: 'true',
    readonly: closed,
    hidden: preview,
    'aria-describedby': `rep-help-${k} rep-fb-${k}`,
  });
  textarea.value = draft;
  textarea.addEventListener('input', () => inj.drafts.set(id, textarea.value));

  const form = el('form', { class: 'report-form', novalidate: true, 'aria-labelledby': `rep-form-h-${k}` });
  form.append(el('h5', { id: `rep-form-h-${k}`, text: submitted ? t('rep.form_new') : t('rep.form') }));

  form.append(el('div', { class: 'editor-head' },
    el('label', { for: `rep-text-${k}` }, t('rep.body_label'),
      el('span', { class: 'sr-only', text: ` ${t('rep.for', { title })}` })),
    el('button', {
      type: 'button',
      class: 'btn btn-secondary btn-small',
      id: `rep-prevbtn-${k}`,
      'aria-controls': `rep-prev-${k}`,
      onclick: () => togglePreview(id),
    }, preview ? t('rep.edit') : t('rep.preview'))));
  form.append(el('p', { class: 'muted small', id: `rep-help-${k}`, text: t('rep.body_help') }));
  form.append(textarea, previewPanel(id, k, preview, draft, latest));

  if (closed) {
    form.append(el('p', { class: 'msg msg-warn', id: `rep-fb-${k}` },
      el('span', { class: 'msg-title', text: d.kind === 'ended' ? t('inj.ended') : t('rep.closed_hint') })));
    return form;
  }

  // Files for this version.
  const files = inj.files.get(id) || [];
  const input = el('input', {
    type: 'file',
    id: `rep-files-${k}`,
    name: 'attachments',
    multiple: true,
    accept: REPORT_EXTS.map((e) => `.${e}`).join(','),
    'aria-describedby': `rep-files-help-${k} rep-files-msg-${k}`,
  });
  input.addEventListener('change', () => addFiles(id, input));
  form.append(el('div', { class: 'field file-field' },
    el('label', { for: `rep-files-${k}` }, t('rep.files_label')),
    el('p', {
      class: 'muted small',
      id: `rep-files-help-${k}`,
      text: t('rep.files_help', {
        n: MAX_REPORT_FILES,
        max: formatBytes(MAX_REPORT_FILE_BYTES),
        list: REPORT_EXTS.join(', '),
      }),
    }),
    input,
    files.length ? el('ul', { class: 'chosen-files', 'aria-label': t('rep.chosen') }, files.map((f, i) => el('li', null,
      el('span', { class: 'file-name', text: f.name }),
      el('span', { class: 'muted small', text: ` (${formatBytes(f.size)}) ` }),
      el('button', {
        type: 'button',
        class: 'btn btn-secondary btn-small',
        id: `rep-rm-${k}-${i}`,
        'aria-label': t('rep.remove_file_named', { name: f.name }),
        onclick: () => removeFile(id, i),
      }, t('rep.remove_file'))))) : null,
    msgEl(inj.fileMsgs.get(id), `rep-files-msg-${k}`)));

  const phase = inj.phase.get(id);
  let label = submitted ? t('rep.submit_new', { n: formatNumber(submitted + 1) }) : t('rep.submit');
  if (busy) label = phase === 'reading' ? t('rep.reading') : t('rep.sending');
  form.append(el('div', { class: 'actions' },
    el('button', {
      type: 'submit',
      class: 'btn',
      id: `rep-submit-${k}`,
      'aria-disabled': busy ? 'true' : null,
    }, label)));
  if (submitted) form.append(el('p', { class: 'muted small', text: t('rep.latest_marked') }));
  if (state.exercise && state.exercise.status !== 'running') {
    form.append(el('p', { class: 'muted small', text: t('rep.not_running_hint') }));
  }
  form.append(msgEl(inj.feedback.get(id), `rep-fb-${k}`));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitReport(id);
  });
  return form;
}

function previewPanel(id, k, open, draft, latest) {
  const panel = el('div', { class: 'preview', id: `rep-prev-${k}`, hidden: !open });
  if (!open) return panel;
  const html = latest && typeof latest.body_html === 'string' ? latest.body_html : '';
  if (latest && html && draft === String(latest.body ?? '')) {
    panel.append(el('p', { class: 'muted small', text: t('rep.preview_submitted', { n: formatNumber(latest.version) }) }));
    const box = el('div', { class: 'description report-body' });
    box.innerHTML = html; // Rendered and sanitised by the server.
    panel.append(box);
    return panel;
  }
  if (!draft.trim()) {
    panel.append(el('div', { class: 'report-body plain-text', text: t('rep.preview_empty') }));
    return panel;
  }
  // The draft, rendered by the server exactly as the judges will see it once submitted.
  const got = inj.previewHtml.get(id);
  if (got && got.text === draft) {
    panel.append(el('p', { class: 'muted small', text: t('rep.preview_draft') }));
    const box = el('div', { class: 'description report-body', id: `rep-prev-body-${k}` });
    box.innerHTML = got.html; // Rendered and sanitised by the server.
    panel.append(box);
  } else if (inj.previewErr.has(id)) {
    panel.append(el('p', { class: 'muted small', text: t('rep.preview_plain') }));
    panel.append(el('div', { class: 'report-body plain-text', text: draft }));
  } else {
    panel.append(el('p', { class: 'muted small', text: t('loading') }));
    renderPreview(id, draft);
  }
  if (latest && html) {
    const box = el('div', { class: 'description report-body' });
    box.innerHTML = html; // Rendered and sanitised by the server.
    panel.append(el('details', { class: 'version-body' },
      el('summary', { text: t('rep.preview_last', { n: formatNumber(latest.version) }) }), box));
  }
  return panel;
}

/** Ask the server to render a draft for its preview, then redraw the card. */
async function renderPreview(id, text) {
  try {
    const r = await api.post('/api/v1/markdown', { text });
    inj.previewHtml.set(id, { text, html: String((r && r.html) || '') });
    inj.previewErr.delete(id);
  } catch (e) {
    if (e.status === 401) {
      expire();
      return;
    }
    inj.previewErr.set(id, e);
  }
  if (!inj.preview.has(id)) return;
  injBump(id);
  renderInjects();
}

function versionsPart(it, k) {
  const detail = inj.reports.get(it.id);
  const r = it.report;
  const list = detail && Array.isArray(detail.versions) ? [...detail.versions] : [];
  if (!it.my_report && !list.length) return null;
  const box = el('div', { class: 'versions' }, el('h5', { id: `rep-v-${k}`, text: t('rep.versions') }));
  if (!detail) {
    if (!inj.reportErrors.has(it.id)) box.append(el('p', { class: 'muted small', text: t('loading') }));
    return box;
  }
  list.sort((a, b) => num(b.version) - num(a.version));
  box.append(el('ol', { class: 'version-list', 'aria-labelledby': `rep-v-${k}` }, list.map((v) => {
    const late = lateFor(r, Date.parse(v.submitted_at));
    const files = Array.isArray(v.attachments) ? v.attachments : [];
    const li = el('li', null,
      el('p', { class: 'version-head' },
        el('strong', { text: t('rep.version_n', { n: formatNumber(v.version) }) }),
        ' · ',
        el('span', { class: 'time', text: formatTime(v.submitted_at, zone()) }),
        ' · ',
        el('span', { class: late.minutes > 0 ? 'late-text' : 'muted', text: lateText(late.minutes, late.factor) })));
    if (files.length) {
      li.append(el('ul', { class: 'files' }, files.map((f) => el('li', null,
        downloadButton(f.id, f.filename, `dl-${k}-${v.version}-${f.id}`),
        el('span', { class: 'muted small', text: ` (${formatBytes(f.size)})` })))));
    } else {
      li.append(el('p', { class: 'muted small', text: t('rep.no_files') }));
    }
    if (typeof v.body_html === 'string' && v.body_html) {
      const body = el('div', { class: 'description report-body' });
      body.innerHTML = v.body_html; // Rendered and sanitised by the server.
      li.append(el('details', { class: 'version-body' },
        el('summary', { text: t('rep.view_version', { n: formatNumber(v.version) }) }), body));
    }
    return li;
  })));
  return box;
}

/** A button that downloads a report file with the session token (no plain link can send it). */
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

// ---- actions

function setInjFeedback(id, m, say = true) {
  if (m) inj.feedback.set(id, m);
  else inj.feedback.delete(id);
  injBump(id);
  renderInjects();
  if (m && say) announce(m.server && m.server !== m.text() ? `${m.text()} ${m.server}` : m.text());
}

function togglePreview(id) {
  if (inj.preview.has(id)) inj.preview.delete(id);
  else {
    inj.preview.add(id);
    inj.previewErr.delete(id);
  }
  injBump(id);
  renderInjects();
}

function addFiles(id, input) {
  const chosen = [...(input.files || [])];
  input.value = ''; // The list below holds them; the same file can be chosen again after removal.
  if (!chosen.length) return;
  const files = [...(inj.files.get(id) || [])];
  const problems = [];
  for (const f of chosen) {
    const p = fileProblem(f);
    if (p) {
      problems.push(p);
    } else if (files.some((x) => x.name === f.name && x.size === f.size)) {
      problems.push(() => t('rep.file_twice', { name: f.name }));
    } else if (files.length >= MAX_REPORT_FILES) {
      problems.push(() => t('rep.file_too_many', { name: f.name, n: MAX_REPORT_FILES }));
    } else {
      files.push(f);
    }
  }
  inj.files.set(id, files);
  if (problems.length) {
    const m = { kind: 'error', text: () => problems.map((p) => p()).join(' ') };
    inj.fileMsgs.set(id, m);
    injBump(id);
    renderInjects();
    announce(m.text());
  } else {
    inj.fileMsgs.delete(id);
    injBump(id);
    renderInjects();
    announce(t('rep.files_chosen', { n: files.length }));
  }
}

function removeFile(id, i) {
  const files = [...(inj.files.get(id) || [])];
  const [gone] = files.splice(i, 1);
  inj.files.set(id, files);
  inj.fileMsgs.delete(id);
  injBump(id);
  renderInjects();
  const k = keyOf(id);
  const next = document.getElementById(`rep-rm-${k}-${Math.min(i, files.length - 1)}`)
    || document.getElementById(`rep-files-${k}`);
  if (next) next.focus();
  if (gone) announce(t('rep.file_removed', { name: gone.name }));
}

/** A file's bytes as base64 (standard alphabet, no data: prefix). */
function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const s = String(reader.result || '');
      const i = s.indexOf(',');
      resolve(i >= 0 ? s.slice(i + 1) : '');
    };
    reader.onerror = () => reject(reader.error || new Error('read error'));
    reader.readAsDataURL(file);
  });
}

function focusEditor(id) {
  const k = keyOf(id);
  if (inj.preview.delete(id)) {
    injBump(id);
    renderInjects();
  }
  const ta = document.getElementById(`rep-text-${k}`);
  if (ta) ta.focus();
}

/**
 * The words of `text` that name this team: its name, id, organisation or a member, matched as
 * whole words ignoring case (the rule the server hides them from judges by).
 */
function namesOwnTeam(text) {
  const team = state.me && state.me.team;
  if (!team) return [];
  const words = [team.name, team.id, team.organisation, ...(Array.isArray(team.members) ? team.members : [])]
    .map((w) => String(w || '').trim())
    .filter((w) => [...w].length >= 3);
  const lower = text.toLocaleLowerCase();
  const isWordChar = (ch) => /[\p{L}\p{N}]/u.test(ch || '');
  const found = [];
  for (const w of words) {
    const lw = w.toLocaleLowerCase();
    let at = lower.indexOf(lw);
    while (at >= 0) {
      if (!isWordChar(lower[at - 1]) && !isWordChar(lower[at + lw.length])) {
        if (!found.includes(w)) found.push(w);
        break;
      }
      at = lower.indexOf(lw, at + 1);
    }
  }
  return found;
}

async function submitReport(id) {
  if (inj.busy.has(id)) return;
  const it = injById(id);
  if (!it || !it.report) return;
  const text = draftOf(id);
  const files = inj.files.get(id) || [];

  if (!text.trim()) {
    setInjFeedback(id, { kind: 'error', text: () => t('rep.empty') });
    focusEditor(id);
    return;
  }
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_REPORT_BYTES) {
    setInjFeedback(id, {
      kind: 'error',
      text: () => t('rep.too_long', { n: formatNumber(bytes), max: formatNumber(MAX_REPORT_BYTES) }),
    });
    focusEditor(id);
    return;
  }
  const problems = files.map(fileProblem).filter(Boolean);
  if (files.length > MAX_REPORT_FILES) problems.push(() => t('rep.files_max', { n: MAX_REPORT_FILES }));
  if (problems.length) {
    setInjFeedback(id, { kind: 'error', text: () => problems.map((p) => p()).join(' ') });
    return;
  }

  // Judges mark blind: a report that names the team gives it away. The judges will see those
  // words hidden; say so before sending, so the team can reword it.
  const named = namesOwnTeam(text);
  if (named.length) {
    const ok = await confirmDialog(t('rep.names_title'), t('rep.names_text', { words: named.join(', ') }), t('rep.names_ok'));
    if (!ok || state.view !== 'team') return;
  }

  // An on-time version would be replaced by a late one: judges mark the latest version.
  const d = deadline(it.report, serverNow());
  const mine = it.my_report;
  if (d.kind === 'late' && !d.free && mine && num(mine.minutes_late) < d.minutes) {
    const ok = await confirmDialog(
      t('rep.confirm_late_title'),
      t('rep.confirm_late_text', {
        n: formatNumber(mine.versions),
        m: formatNumber(d.minutes),
        p: formatPercent(1 - d.factor),
      }),
      t('rep.confirm_late_ok'),
    );
    if (!ok || state.view !== 'team') return;
  }

  inj.busy.add(id);
  inj.phase.set(id, 'reading');
  inj.feedback.delete(id);
  injBump(id);
  renderInjects();

  let m;
  let done = false;
  try {
    const attachments = [];
    for (const f of files) {
      let content;
      try {
        content = await readBase64(f);
      } catch {
        const name = f.name;
        throw Object.assign(new Error('read'), { readFailed: name });
      }
      attachments.push({ filename: f.name, content_base64: content });
    }
    inj.phase.set(id, 'sending');
    injBump(id);
    renderInjects();
    const r = await api.submitReport(id, text, attachments);
    done = true;
    const late = num(r && r.minutes_late) > 0;
    const version = formatNumber(r && r.version);
    const time = formatTime(r && r.submitted_at, zone());
    const minutes = formatNumber(r && r.minutes_late);
    const factor = formatNumber(r && r.late_factor);
    m = late
      ? { kind: 'warn', text: () => `${t('rep.accepted', { n: version, time })} ${t('rep.accepted_late', { m: minutes, f: factor })}` }
      : { kind: 'success', text: () => t('rep.accepted', { n: version, time }) };
    inj.sent.set(id, text);
    inj.files.delete(id);
    inj.fileMsgs.delete(id);
    // Show the new state at once; the reload below brings the versions list.
    const cur = injById(id);
    if (cur && r) {
      cur.my_report = {
        versions: num(r.version) || num(cur.my_report && cur.my_report.versions) + 1,
        last_submitted_at: r.submitted_at,
        minutes_late: r.minutes_late,
        late_factor: r.late_factor,
      };
    }
  } catch (e) {
    if (e.status === 401) {
      inj.busy.delete(id);
      inj.phase.delete(id);
      expire(); // The draft and files stay in memory for after signing in again.
      return;
    }
    m = reportError(e);
  }
  inj.busy.delete(id);
  inj.phase.delete(id);
  setInjFeedback(id, m);
  if (done) loadAll();
}

function reportError(e) {
  const server = serverText(e);
  if (e.readFailed) {
    const name = e.readFailed;
    return { kind: 'error', text: () => t('rep.read_failed', { name }) };
  }
  if (e.status === 409 && e.code === 'exercise_not_running') {
    return { kind: 'warn', text: () => t('rep.not_running'), server };
  }
  if (e.status === 409 && e.code === 'submissions_closed') {
    return { kind: 'error', text: () => t('rep.closed'), server };
  }
  if (e.status === 413) {
    return { kind: 'error', text: () => t('rep.too_large', { max: formatBytes(MAX_REPORT_FILE_BYTES) }), server };
  }
  if (e.status === 415) {
    return { kind: 'error', text: () => t('rep.bad_type', { list: REPORT_EXTS.join(', ') }), server };
  }
  if (e.status === 400 && typeof e.field === 'string') {
    if (e.field === 'body') return { kind: 'error', text: () => t('rep.body_rejected'), server };
    if (e.field.startsWith('attachments')) return { kind: 'error', text: () => t('rep.file_rejected'), server };
  }
  if (e.status === 404) return { kind: 'error', text: () => t('rep.gone'), server };
  if (e.status === 0) return { kind: 'error', text: () => `${t('error.network')} ${t('rep.kept')}` };
  const msg = errorText(e);
  return { kind: 'error', text: () => `${t('error.generic', { message: msg })} ${t('rep.kept')}` };
}

/** Every second: countdowns in place; a card is redrawn when its deadline state changes. */
function tickInjects() {
  if (!inj.list || (state.me && state.me.role !== 'team')) return;
  const now = serverNow();
  let redraw = false;
  for (const it of inj.list) {
    if (!it.report) continue;
    const d = deadline(it.report, now);
    const key = deadlineKey(d);
    const before = inj.deadline.get(it.id);
    if (before !== undefined && before !== key) {
      const title = pick(it.title) || String(it.id);
      if (!it.my_report) {
        if (d.kind === 'open' && d.soon) announce(t('inj.soon', { title, d: formatDuration(d.left) }));
        else if (d.kind === 'grace' || d.kind === 'late') announce(t('inj.now_late', { title }));
      }
      if (d.kind === 'closed') announce(t('inj.now_closed', { title }));
      injBump(it.id);
      redraw = true;
    }
    inj.deadline.set(it.id, key);
    const node = document.getElementById(`inj-cd-${keyOf(it.id)}`);
    if (node) {
      node.className = countdownClass(d);
      node.textContent = countdownText(d, it.report);
    }
  }
  if (redraw) renderInjects();
}

/** Every second: exercise clock, report deadlines, and the rate-limit countdown in place. */
function tick() {
  if (state.view !== 'team') return;
  renderClock();
  tickInjects();
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

function onLogin(e) {
  return signIn(e, { user: 'username', pass: 'password', button: 'login-submit' }, state, renderLogin, {
    async enter(r, username) {
      // Report drafts survive an expired session, but not a different account.
      const who = r.username ?? username;
      if (inj.owner !== null && inj.owner !== who) clearInjectDrafts();
      inj.owner = who;
      state.me = { username: who, role: r.role, team: r.team ?? null };
      await enterTeamView(true);
    },
  });
}

function onLogout() {
  api.clearToken();
  clearInjectDrafts();
  showLogin({ kind: 'info', text: () => t('login.logged_out') });
}

function rerender() {
  if (state.view === 'login') {
    renderLogin();
    document.title = t('team.page_title');
  } else if (state.view === 'team') {
    renderHeader();
    renderInjects();
    renderChallenges();
    renderAttackDefend();
    extra.rerender(); // team-extra
  }
}

function init() {
  initI18n();
  $('ann-popup-close').addEventListener('click', closeAnnouncement);
  $('ann-popup-all').addEventListener('click', closeAnnouncement);
  onLangChange(() => {
    if (state.popup) showAnnouncement(state.popup.a, state.popup.n);
  });
  $('ad-flags-form').addEventListener('submit', sendCapturedFlags);
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  $('refresh').addEventListener('click', () => loadAll());
  onLangChange(rerender);
  announcements = announcementsPanel($('announcements-section'), $('announcements'), zone);
  const setLive = statusIndicator($('live-status'));
  subscribe(onUpdate, setLive);
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
  // A report typed but not submitted is lost with the page: ask first.
  window.addEventListener('beforeunload', (e) => {
    if (state.view !== 'team' || !hasUnsentReport()) return;
    e.preventDefault();
    e.returnValue = '';
  });

  if (api.getToken()) enterTeamView(false);
  else showLogin(null);
}

init();
