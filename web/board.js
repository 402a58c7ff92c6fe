// Public leaderboard: exercise clock, standings with their components and rank movement, the
// per-team breakdown, the score-over-time chart, the attack/defend service grid, first bloods,
// announcements, and a big-screen mode for a projector. Kept current by the change stream
// (live.js), with a slow safety refresh.

import {
  initI18n, onLangChange, t, pick, formatNumber, formatTime, statusLabel, clockLines, el, serverText,
  serviceStateKey, serviceStateBadge,
} from './i18n.js';
import * as api from './api.js';
import { solveLines } from './breakdown.js';
import { ALL, subscribe, statusIndicator, throttle, announcementsPanel } from './live.js';
import { createProjector } from './projector.js';

/** Everything is fetched again this often even when the stream says nothing. */
const SAFETY_MS = 30000;
/**
 * Organisers and judges who open this page see the live board; while the public board is frozen
 * the stream does not tell about scores, so their board is polled this often instead.
 */
const STAFF_POLL_MS = 5000;
/** The chart's right edge follows the clock while the exercise runs. */
const CHART_REDRAW_MS = 15000;
const CHART_TOP = 8;
const KNOWN_STATUS = new Set(['not_started', 'running', 'paused', 'ended']);
const AD_PARTS = ['attack', 'defense', 'sla'];

const state = {
  exercise: null,
  board: null,
  services: null, // GET /api/v1/services, null without attack/defend
  history: null, // GET /api/v1/scoreboard/history, null when the server has none
  skewMs: 0, // server clock minus local clock
  expanded: new Set(), // team ids whose breakdown is open
  errors: { exercise: null, board: null, services: null, history: null },
  updatedAt: null, // server time of the last good board refresh (ms)
  details: new Map(), // team id → GET /api/v1/scoreboard/teams/{id} (open breakdowns only)
  announcements: [], // GET /api/v1/announcements, newest first (the projector shows the latest)
  solversOpen: new Set(), // challenge ids whose solvers are shown
  solvers: new Map(), // challenge id → GET /api/v1/scoreboard/challenges/{id}
};

const $ = (id) => document.getElementById(id);
let lastAnnouncedError = null;
let announcements = null;
let projector = null;

const serverNow = () => Date.now() + state.skewMs;
const zone = () => (state.exercise ? state.exercise.timezone : undefined);
const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);
const teamId = (s, i) => (s.team && s.team.id !== undefined && s.team.id !== null ? String(s.team.id) : `#${i}`);

function errorText(e) {
  if (!e) return '';
  if (e.status === 0) return t('error.network');
  return serverText(e);
}

function signed(n) {
  if (n > 0) return `+${formatNumber(n)}`;
  if (n < 0) return `\u2212${formatNumber(-n)}`;
  return formatNumber(0);
}

function announce(text) {
  const live = $('live');
  if (live) live.textContent = text;
}

// ------------------------------------------------------------------ data

/** GET a public endpoint; a stale token must not hide it, so a 401 retries without it. */
async function publicGet(path) {
  const hadToken = Boolean(api.getToken());
  try {
    return await api.get(path);
  } catch (e) {
    if (hadToken && e.status === 401) {
      api.clearToken();
      return api.get(path);
    }
    throw e;
  }
}

async function loadExercise() {
  const tzBefore = zone();
  const sentAt = Date.now();
  try {
    const ex = await publicGet('/api/v1/exercise');
    const gotAt = Date.now();
    state.exercise = ex;
    const now = Date.parse(ex && ex.now);
    if (Number.isFinite(now)) state.skewMs = now - (sentAt + gotAt) / 2;
    state.errors.exercise = null;
  } catch (e) {
    state.errors.exercise = e;
  }
  if (zone() !== tzBefore) {
    // Every time on the page is shown in the exercise time zone.
    render();
    announcements.redraw();
    return;
  }
  renderExercise();
  renderFrozen();
  renderStatus();
  drawChart();
}

async function loadBoard() {
  try {
    state.board = api.decodeBoard(await publicGet('/api/v1/scoreboard'));
    state.errors.board = null;
    state.updatedAt = serverNow();
    // Open breakdowns follow the board; closed ones are fetched again when opened.
    for (const id of state.details.keys()) if (!state.expanded.has(id)) state.details.delete(id);
    for (const id of state.expanded) loadDetail(id);
    for (const id of state.solversOpen) loadSolvers(id);
  } catch (e) {
    state.errors.board = e;
  }
  renderFrozen();
  renderStandings();
  renderChallenges();
  renderBloods();
  renderStatus();
}

/** One team's breakdown (its solves, report grades and adjustments), for an open row. */
async function loadDetail(id) {
  if (id.startsWith('#')) return;
  // Only the latest request for a team counts: an older answer arriving late is dropped.
  const seq = (detailSeq.get(id) || 0) + 1;
  detailSeq.set(id, seq);
  let detail;
  try {
    detail = await publicGet(`/api/v1/scoreboard/teams/${encodeURIComponent(id)}`);
  } catch (e) {
    detail = { error: e };
  }
  if (detailSeq.get(id) !== seq) return;
  state.details.set(id, detail);
  if (state.expanded.has(id)) renderStandings();
}

const detailSeq = new Map(); // team id → number of the latest breakdown request

async function loadServices() {
  try {
    state.services = await publicGet('/api/v1/services');
    state.errors.services = null;
  } catch (e) {
    // 404: no attack/defend part (or no scenario yet).
    if (e.status === 404) state.services = null;
    state.errors.services = e.status === 404 ? null : e;
  }
  renderStandings();
  renderGrid();
  renderBloods();
}

async function loadHistory() {
  try {
    state.history = await publicGet(`/api/v1/scoreboard/history?top=${CHART_TOP}`);
    state.errors.history = null;
  } catch (e) {
    if (e.status === 404) state.history = null;
    state.errors.history = e.status === 404 ? null : e;
  }
  drawChart();
}

async function loadAnnouncements() {
  try {
    const answer = await publicGet('/api/v1/announcements');
    state.announcements = Array.isArray(answer && answer.announcements) ? answer.announcements : [];
    const arrived = announcements.update(answer);
    refreshProjector();
    if (arrived.length) announce(t('ann.arrived', { text: pick(arrived[0].text) }));
  } catch (e) {
    announcements.fail(e);
  }
}

const loaders = {
  exercise: throttle(loadExercise, 1000),
  board: throttle(loadBoard, 1000),
  services: throttle(loadServices, 2000),
  history: throttle(loadHistory, 5000),
  announcements: throttle(loadAnnouncements, 1000),
};

/** What to fetch again for each kind of change the stream names. */
const KIND_LOADS = {
  scoreboard: ['board', 'services', 'history'],
  exercise: ['exercise', 'board', 'services', 'history'], // the freeze, a new scenario
  rounds: ['services'],
  announcements: ['announcements'],
};

function onUpdate(kinds) {
  const todo = new Set();
  for (const k of kinds) for (const l of KIND_LOADS[k] || []) todo.add(l);
  for (const l of todo) loaders[l]();
}

/** A staff member's live board while the public one is frozen: the stream is silent about it. */
function staffBoardDuringFreeze() {
  return Boolean(state.exercise && state.exercise.frozen && state.board && !state.board.frozen);
}

// ------------------------------------------------------------------ rendering

function render() {
  renderExercise();
  renderFrozen();
  renderStandings();
  renderChallenges();
  renderGrid();
  renderBloods();
  drawChart();
  renderStatus();
}

function renderExercise() {
  refreshProjector();
  const ex = state.exercise;
  const h1 = $('ex-title');
  if (!ex) {
    document.title = t('board.page_title');
    return;
  }
  const title = pick(ex.title);
  if (title) {
    delete h1.dataset.i18n;
    h1.textContent = title;
    document.title = `${title} — ${t('board.heading')}`;
  }
  // description_html is rendered and sanitised by the server (raw HTML is never passed through).
  const html = ex.description_html ? pick(ex.description_html) : '';
  const desc = pick(ex.description);
  if (html) {
    $('ex-desc').innerHTML = html;
  } else {
    $('ex-desc').textContent = desc;
  }
  // The rules are open before the start; once the drill runs, the board comes first.
  const about = $('ex-about');
  about.hidden = !desc;
  if (state.aboutStatus !== ex.status) {
    about.open = ex.status === 'not_started';
    state.aboutStatus = ex.status;
  }
  const st = $('ex-status');
  st.textContent = statusLabel(ex.status);
  st.className = `badge badge-status status-${KNOWN_STATUS.has(ex.status) ? ex.status : 'unknown'}`;
  st.hidden = false;
  renderClock();
}

// ------------------------------------------------------------------ earlier rounds

/** The round picker: played rounds, newest first (fetched when the history is opened). */
async function loadRoundList() {
  const pick = $('round-pick');
  try {
    const r = await publicGet('/api/v1/rounds');
    const rounds = (Array.isArray(r && r.rounds) ? r.rounds : []).filter((x) => x.status !== 'running')
      .sort((a, b) => num(b.number) - num(a.number));
    const keep = pick.value;
    pick.replaceChildren(...rounds.map((x) => el('option', { value: String(x.number), text: t('svc.round', { n: formatNumber(num(x.number)) }) })));
    if (keep && rounds.some((x) => String(x.number) === keep)) pick.value = keep;
    if (pick.value) loadRound(pick.value);
    else $('round-view').replaceChildren(el('p', { class: 'muted small', text: t('svc.no_round') }));
  } catch (e) {
    $('round-view').replaceChildren(el('p', { class: 'status-line is-error', text: t('error.generic', { message: errorText(e) }) }));
  }
}

/** One round's verdicts: per team and service, the state and the checker's public message. */
async function loadRound(n) {
  const view = $('round-view');
  let r;
  try {
    r = await publicGet(`/api/v1/rounds/${encodeURIComponent(n)}`);
  } catch (e) {
    view.replaceChildren(el('p', { class: 'muted small', text: errorText(e) }));
    return;
  }
  const services = state.services && Array.isArray(state.services.services) ? state.services.services : [];
  const checks = Array.isArray(r.checks) ? r.checks : [];
  const teams = [...new Set(checks.map((c) => String(c.team)))];
  const voided = new Set(Array.isArray(r.voided) ? r.voided : []);
  const names = new Map((state.board && state.board.standings ? state.board.standings : []).map((x) => [String(x.team && x.team.id), x.team && x.team.name]));
  view.replaceChildren(el('div', { class: 'table-wrap' },
    el('table', { class: 'service-grid', id: 'round-table' },
      el('caption', { class: 'sr-only', text: t('svc.round', { n: formatNumber(num(n)) }) }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: t('svc.team') }),
        services.map((x) => el('th', { scope: 'col', text: `${pick(x.name) || x.id}${voided.has(x.id) ? ` (${t('svc.voided')})` : ''}` })))),
      el('tbody', null, teams.map((team) => el('tr', null,
        el('th', { scope: 'row', text: names.get(team) || team }),
        services.map((x) => {
          const c = checks.find((k) => String(k.team) === team && k.service === x.id);
          const st = c ? c.state : null;
          return el('td', { class: `svc-cell svc-${serviceStateKey(st)}`, title: c && c.message ? String(c.message) : null },
            serviceStateBadge(st),
            c && c.message ? el('span', { class: 'svc-points', text: String(c.message) }) : null);
        })))))));
}

/** "Next round in 0:12" beside the grid, while the game runs. */
function renderNextRound() {
  const box = $('services-next');
  if (!box) return;
  const ex = state.exercise;
  const game = ex && ex.attack_defense;
  const started = game && game.round_started_at ? Date.parse(game.round_started_at) : NaN;
  if (!game || ex.status !== 'running' || !Number.isFinite(started) || !num(game.round_seconds)) {
    box.textContent = '';
    return;
  }
  const left = Math.max(0, Math.ceil((started + num(game.round_seconds) * 1000 - serverNow()) / 1000));
  box.textContent = t('svc.next', { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` });
}

function renderClock() {
  renderNextRound();
  const ex = state.exercise;
  if (!ex) return;
  const now = serverNow();
  const lines = clockLines(ex, now);
  $('ex-clock-main').textContent = lines[0] || '';
  $('ex-clock-rest').textContent = lines.slice(1).join(' · ');
  $('ex-tz').textContent = [
    t('clock.timezone', { tz: ex.timezone || t('dash') }),
    t('clock.now', { time: formatTime(now, ex.timezone, 'time') }),
  ].join(' · ');
}

function renderFrozen() {
  const frozen = Boolean((state.board && state.board.frozen) || (state.exercise && state.exercise.frozen));
  $('frozen-notice').hidden = !frozen;
  if (!frozen) return;
  $('frozen-text').textContent = t('board.frozen');
  const since = state.exercise && state.exercise.freeze_at;
  $('frozen-since').textContent = since ? t('board.frozen_since', { time: formatTime(since, zone()) }) : '';
  $('frozen-since').hidden = !since;
}

/** Does the scenario have attack/defend? (the grid lists services, or a standing has A/D points) */
function hasAD() {
  const sv = state.services;
  if (sv && Array.isArray(sv.services) && sv.services.length) return true;
  const standings = state.board && Array.isArray(state.board.standings) ? state.board.standings : [];
  return standings.some((s) => s.components && AD_PARTS.some((k) => num(s.components[k]) !== 0));
}

/** Do two teams have the same total (then the time they reached it decides)? */
function hasTies() {
  const standings = state.board && Array.isArray(state.board.standings) ? state.board.standings : [];
  return standings.some((s, i) => i > 0 && s.reached_at && standings[i - 1].reached_at
    && num(s.score) === num(standings[i - 1].score));
}

function columns() {
  const ad = hasAD();
  const cols = [
    { key: 'rank', text: t('col.rank') },
    { key: 'move', text: t('col.move'), cls: 'col-move' },
    { key: 'team', text: t('col.team') },
    { key: 'score', text: t('col.total'), cls: 'num' },
    { key: 'tasks', text: t('col.tasks'), cls: 'num col-comp' },
  ];
  if (ad) {
    cols.push(
      { key: 'attack', text: t('col.attack'), cls: 'num col-comp' },
      { key: 'defense', text: t('col.defense'), cls: 'num col-comp' },
      { key: 'sla', text: t('col.sla'), cls: 'num col-comp', title: t('col.sla_long') },
    );
  }
  cols.push(
    { key: 'reports', text: t('col.reports'), cls: 'num col-comp', title: t('col.reports_long') },
    { key: 'solves', text: t('col.solves'), cls: 'num col-solves' },
  );
  // When the score was reached only matters where it breaks a tie.
  if (hasTies()) cols.push({ key: 'reached', text: t('col.reached'), cls: 'col-reached' });
  return cols;
}

function renderHead(cols) {
  $('board-head').replaceChildren(el('tr', null, cols.map((c) => el('th', {
    scope: 'col', class: c.cls || null,
  }, c.title ? el('abbr', { title: c.title, text: c.text }) : c.text))));
}

/** Places gained (or lost) since the chart point at least one step back (the server's `movement`). */
function moveCell(s) {
  const td = el('td', { class: 'move col-move' });
  if (s.movement === null || s.movement === undefined || !Number.isFinite(Number(s.movement))) return td;
  const d = Number(s.movement);
  if (d > 0) {
    td.classList.add('move-up');
    td.append(el('span', { 'aria-hidden': 'true', text: `\u25b2 ${d}` }), el('span', { class: 'sr-only', text: t('move.up', { n: d }) }));
  } else if (d < 0) {
    td.classList.add('move-down');
    td.append(el('span', { 'aria-hidden': 'true', text: `\u25bc ${-d}` }), el('span', { class: 'sr-only', text: t('move.down', { n: -d }) }));
  } else {
    td.append(el('span', { class: 'muted', 'aria-hidden': 'true', text: '\u2013' }), el('span', { class: 'sr-only', text: t('move.same') }));
  }
  return td;
}

/** The projector follows every change of the board, the grid and the exercise. */
function refreshProjector() {
  if (projector && document.body.classList.contains('big-screen')) projector.render();
}

function renderStandings() {
  refreshProjector();
  const body = $('board-body');
  const sb = state.board;
  const cols = columns();
  renderHead(cols);
  const span = cols.length;
  if (!sb) {
    const e = state.errors.board;
    const text = e ? t('error.generic', { message: errorText(e) }) : t('loading');
    body.replaceChildren(el('tr', null, el('td', { colspan: span, text })));
    $('board-meta').textContent = '';
    $('weighted-note').hidden = true;
    return;
  }

  const meta = [];
  if (sb.as_of) meta.push(t('board.as_of', { time: formatTime(sb.as_of, zone()) }));
  if (sb.of !== undefined && sb.of !== null) meta.push(t('board.teams', { n: formatNumber(sb.of) }));
  $('board-meta').textContent = meta.join(' · ');

  const standings = Array.isArray(sb.standings) ? sb.standings : [];
  // The columns add up to the total only with weights 1 and no adjustments: say so otherwise.
  $('weighted-note').hidden = !standings.some((s) => {
    const c = s.components || {};
    const sum = ['tasks', 'reports', ...AD_PARTS].reduce((a, k) => a + num(c[k]), 0);
    return Math.abs(sum - num(s.score)) > 0.005;
  });
  if (standings.length === 0) {
    body.replaceChildren(el('tr', null, el('td', { colspan: span, text: t('board.empty') })));
    return;
  }

  // Keep keyboard focus on the same team across refreshes.
  const active = document.activeElement;
  const focusedTeam = active && active.classList && active.classList.contains('team-toggle')
    ? active.dataset.team : null;

  const challenges = new Map((sb.challenges || []).map((c) => [c.id, c]));
  const rows = [];
  standings.forEach((s, i) => {
    const team = s.team || {};
    const id = teamId(s, i);
    const open = state.expanded.has(id);
    const detailId = `detail-${i}`;
    const of = s.of !== undefined && s.of !== null ? s.of : sb.of;
    const rank = s.rank !== undefined && s.rank !== null ? s.rank : t('dash');
    const top = Number(s.rank) >= 1 && Number(s.rank) <= 3 ? ` top-${s.rank}` : '';
    const comp = s.components && typeof s.components === 'object' ? s.components : {};
    const cells = {
      rank: () => el('td', { class: 'rank' },
        el('span', { 'aria-hidden': 'true' },
          el('span', { class: 'rank-n', text: rank }),
          of !== undefined && of !== null ? el('span', { class: 'of', text: ` / ${of}` }) : null),
        el('span', { class: 'sr-only', text: t('rank.sr', { rank, of: of ?? t('dash') }) })),
      move: () => moveCell(s),
      team: () => el('th', { scope: 'row' },
        el('button', {
          type: 'button',
          class: 'team-toggle',
          'aria-expanded': String(open),
          'aria-controls': detailId,
          dataset: { team: id },
        },
        el('span', { class: 'chev', 'aria-hidden': 'true' }),
        el('span', null,
          el('span', { class: 'team-name', text: team.name || id }),
          team.organisation ? el('span', { class: 'team-org', text: team.organisation }) : null))),
      score: () => el('td', { class: 'num score', text: formatNumber(s.score) }),
      solves: () => el('td', { class: 'num col-solves', text: formatNumber(s.solves) }),
      // The time of day is what breaks a tie within one drill; the date is in the title and
      // in the team's breakdown.
      reached: () => el('td', {
        class: 'time col-reached',
        text: formatTime(s.reached_at, zone(), 'time'),
        title: formatTime(s.reached_at, zone()),
      }),
    };
    rows.push(el('tr', { class: `team-row${open ? ' is-open' : ''}${top}`, dataset: { team: id } },
      cols.map((c) => (cells[c.key]
        ? cells[c.key]()
        : el('td', { class: c.cls, text: formatNumber(num(comp[c.key])) })))));

    rows.push(el('tr', { class: 'detail-row', id: detailId, hidden: !open },
      el('td', { colspan: span }, open ? detailOf(s, id, challenges) : null)));
  });
  body.replaceChildren(...rows);

  if (focusedTeam !== null) {
    const b = [...body.querySelectorAll('button.team-toggle')].find((x) => x.dataset.team === focusedTeam);
    if (b) b.focus({ preventScroll: true });
  }
}

/** An open row's breakdown once its details are in (a line saying so until then). */
function detailOf(s, id, challenges) {
  const d = state.details.get(id);
  if (!d) return el('p', { class: 'muted', text: t('loading') });
  if (d.error) return el('p', { class: 'error', text: t('error.generic', { message: errorText(d.error) }) });
  // The row's summary is the board's; the lines come with the team's own answer.
  return breakdown({ ...d, ...s, challenges: d.challenges, adjustments: d.adjustments, hint_cost: d.hint_cost }, challenges);
}

/** The explanation of one team's score: every challenge line, then the components. */
function breakdown(s, challenges) {
  const team = s.team || {};
  const wrap = el('div', { class: 'breakdown' });
  const { lines, sum, unsolvedHints } = solveLines(s);
  const rows = lines.map(({ c, p, b, h }) => {
    const info = challenges.get(c.challenge);
    return el('tr', { class: c.solved_at ? null : 'unsolved' },
      el('th', { scope: 'row' },
        info ? pick(info.title) || String(c.challenge) : String(c.challenge),
        info && info.category ? el('span', { class: 'team-org', text: (info.category_text && pick(info.category_text)) || info.category }) : null),
      el('td', { class: 'num', text: formatNumber(p) }),
      el('td', { class: `num${b > 0 ? ' pos' : ''}`, text: signed(b) }),
      el('td', { class: `num${h > 0 ? ' neg' : ''}`, text: signed(-h) }),
      el('td', { class: 'num', text: signed(p + b - h) }),
      el('td', { class: 'time', text: c.solved_at ? formatTime(c.solved_at, zone()) : t('detail.not_solved') }));
  });
  // Hints bought on challenges not (yet) solved: shown so that the sum still explains the
  // tasks component.
  if (unsolvedHints > 0) {
    rows.push(el('tr', { class: 'unsolved' },
      el('th', { scope: 'row', text: t('detail.unsolved_hints') }),
      el('td', { class: 'num', text: formatNumber(0) }),
      el('td', { class: 'num', text: signed(0) }),
      el('td', { class: 'num neg', text: signed(-unsolvedHints) }),
      el('td', { class: 'num', text: signed(-unsolvedHints) }),
      el('td', { class: 'time', text: t('detail.not_solved') })));
  }

  if (rows.length) {
    wrap.append(el('table', null,
      el('caption', { text: t('detail.caption', { team: team.name || '' }) }),
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', text: t('detail.challenge') }),
        el('th', { scope: 'col', class: 'num', text: t('detail.points') }),
        el('th', { scope: 'col', class: 'num', text: t('detail.first_blood') }),
        el('th', { scope: 'col', class: 'num', text: t('detail.hint_cost') }),
        el('th', { scope: 'col', class: 'num', text: t('detail.net') }),
        el('th', { scope: 'col', text: t('detail.solved_at') }))),
      el('tbody', null, rows),
      el('tfoot', null, el('tr', null,
        el('th', { scope: 'row', text: t('detail.sum') }),
        el('td', { class: 'num', text: formatNumber(sum.p) }),
        el('td', { class: 'num', text: signed(sum.b) }),
        el('td', { class: 'num', text: signed(-sum.h) }),
        el('td', { class: 'num', text: signed(sum.p + sum.b - sum.h) }),
        el('td', null)))));
  } else {
    wrap.append(el('p', { class: 'muted', text: t('detail.none') }));
  }

  const services = serviceBreakdown(s);
  if (services) wrap.append(services);

  const comp = s.components && typeof s.components === 'object' ? s.components : {};
  const dl = el('dl', { class: 'components' });
  const line = (label, value, cls) => {
    dl.append(el('dt', { class: cls, text: label }), el('dd', { class: cls, text: value }));
  };
  const has = (k) => comp[k] !== undefined && comp[k] !== null;
  const ad = hasAD();
  const labels = { reports: 'detail.reports', attack: 'detail.attack', defense: 'detail.defense', sla: 'detail.sla' };
  if (has('tasks')) line(t('detail.tasks'), formatNumber(comp.tasks));
  // The other components: reports, attack/defend when the scenario has it, and any component
  // the server may add later (shown under its own name).
  let others = 0;
  for (const [k, v] of Object.entries(comp)) {
    if (k === 'tasks' || k === 'adjustments' || !Number.isFinite(Number(v))) continue;
    if (AD_PARTS.includes(k) && !ad) continue;
    others += Math.abs(Number(v));
    line(labels[k] ? t(labels[k]) : k, signed(Number(v)));
  }
  const unweighted = Object.entries(comp)
    .filter(([k, v]) => k !== 'adjustments' && Number.isFinite(Number(v)))
    .reduce((a, [, v]) => a + Number(v), 0);
  const weighted = Math.abs(num(s.score) - num(comp.adjustments) - unweighted) > 0.005;
  if (has('tasks') && num(comp.tasks) !== 0 && others === 0) {
    // Only the tasks component: its weight can be read off the total.
    const w = (num(s.score) - num(comp.adjustments)) / num(comp.tasks);
    if (Number.isFinite(w) && Math.abs(w - 1) > 0.0001) {
      line(t('detail.weight'), `\u00d7 ${formatNumber(w)} = ${formatNumber(w * num(comp.tasks))}`);
    }
  } else if (weighted) {
    line(t('detail.weighted'), '');
  }
  if (has('adjustments')) line(t('detail.adjustments'), signed(num(comp.adjustments)));
  // Each adjustment with the organisers' reason: every point traces back to an event.
  for (const a of Array.isArray(s.adjustments) ? s.adjustments : []) {
    line(`${formatTime(a.at, zone())} · ${String(a.reason || '')}`, signed(num(a.points)));
  }
  line(t('detail.total'), formatNumber(s.score), 'total');
  line(t('detail.reached'), formatTime(s.reached_at, zone()));
  wrap.append(dl);
  return wrap;
}

/** The team's attack/defend points per service, from the service grid. */
function serviceBreakdown(s) {
  const sv = state.services;
  if (!sv || !Array.isArray(sv.teams) || !Array.isArray(sv.services) || !sv.services.length) return null;
  const id = s.team && String(s.team.id);
  const row = sv.teams.find((x) => x.team && String(x.team.id) === id);
  if (!row || !Array.isArray(row.services)) return null;
  const names = new Map(sv.services.map((x) => [x.id, pick(x.name) || String(x.id)]));
  return el('table', { class: 'service-points' },
    el('caption', { text: t('detail.services_caption', { team: (s.team && s.team.name) || '' }) }),
    el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: t('detail.service') }),
      el('th', { scope: 'col', class: 'num', text: t('col.attack') }),
      el('th', { scope: 'col', class: 'num', text: t('col.defense') }),
      el('th', { scope: 'col', class: 'num' }, el('abbr', { title: t('col.sla_long'), text: t('col.sla') })),
      el('th', { scope: 'col', class: 'num', text: t('detail.flags') }))),
    el('tbody', null, row.services.map((c) => el('tr', null,
      el('th', { scope: 'row', text: names.get(c.service) || String(c.service) }),
      el('td', { class: 'num', text: formatNumber(num(c.attack)) }),
      el('td', { class: `num${num(c.defense) < 0 ? ' neg' : ''}`, text: signed(num(c.defense)) }),
      el('td', { class: 'num', text: formatNumber(num(c.sla)) }),
      el('td', { class: 'num', text: `${formatNumber(num(c.captured))} / ${formatNumber(num(c.lost))}` })))));
}

function renderChallenges() {
  const body = $('challenge-body');
  const list = state.board && Array.isArray(state.board.challenges) ? state.board.challenges : null;
  if (!list) {
    body.replaceChildren();
    return;
  }
  if (!list.length) {
    body.replaceChildren(el('tr', null, el('td', { colspan: 4, text: t('board.no_challenges') })));
    return;
  }
  const rows = [];
  list.forEach((c, i) => {
    const id = String(c.id);
    const open = state.solversOpen.has(id);
    const detailId = `solvers-${i}`;
    const title = pick(c.title) || id;
    const canOpen = num(c.solves) > 0;
    rows.push(el('tr', null,
      el('th', { scope: 'row' }, canOpen
        ? el('button', {
          type: 'button', class: 'team-toggle', 'aria-expanded': String(open), 'aria-controls': detailId,
          onclick: () => toggleSolvers(id),
        }, el('span', { class: 'chev', 'aria-hidden': 'true' }), el('span', { text: title }))
        : title),
      el('td', { class: 'col-cat', text: (c.category_text && pick(c.category_text)) || c.category || '' }),
      el('td', { class: 'num', text: formatNumber(c.value) }),
      el('td', { class: 'num', text: formatNumber(c.solves) })));
    if (open) rows.push(el('tr', { class: 'detail-row', id: detailId }, el('td', { colspan: 4 }, solversOf(id))));
  });
  body.replaceChildren(...rows);
}

/** The solvers of an open challenge, first first (or a line saying they are on their way). */
function solversOf(id) {
  const got = state.solvers.get(id);
  if (!got) return el('p', { class: 'muted small', text: t('loading') });
  if (got.error) return el('p', { class: 'status-line is-error', text: t('error.generic', { message: errorText(got.error) }) });
  const list = Array.isArray(got.solvers) ? got.solvers : [];
  return el('ol', { class: 'solvers' }, list.map((x) => el('li', null,
    el('span', { class: 'team-name', text: (x.team && (x.team.name || x.team.id)) || '' }), ' ',
    el('time', { class: 'muted small', datetime: x.solved_at || null, text: formatTime(x.solved_at, zone()) }),
    num(x.first_blood_bonus) > 0
      ? el('span', { class: 'badge badge-new', text: t('solvers.bonus', { n: formatNumber(num(x.first_blood_bonus)) }) })
      : null)));
}

async function loadSolvers(id) {
  try {
    state.solvers.set(id, await publicGet(`/api/v1/scoreboard/challenges/${encodeURIComponent(id)}`));
  } catch (e) {
    state.solvers.set(id, { error: e });
  }
  renderChallenges();
}

function toggleSolvers(id) {
  if (state.solversOpen.has(id)) {
    state.solversOpen.delete(id);
  } else {
    state.solversOpen.add(id);
    loadSolvers(id);
  }
  renderChallenges();
}

// ------------------------------------------------------------------ service grid, first bloods

function renderGrid() {
  const section = $('services-section');
  const sv = state.services;
  const services = sv && Array.isArray(sv.services) ? sv.services : [];
  if (!services.length) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const round = num(sv.round);
  $('services-meta').textContent = round > 0 ? t('svc.round', { n: formatNumber(round) }) : t('svc.no_round');
  renderNextRound();
  $('services-frozen').hidden = !sv.frozen;
  $('services-error').textContent = state.errors.services
    ? t('updated.failed', { message: errorText(state.errors.services) }) : '';

  const teams = Array.isArray(sv.teams) ? sv.teams : [];
  $('service-grid').replaceChildren(
    el('caption', { class: 'sr-only', text: t('svc.caption') }),
    el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: t('svc.team') }),
      services.map((x) => el('th', { scope: 'col', text: pick(x.name) || String(x.id) })))),
    el('tbody', null, teams.map((row) => {
      const cells = new Map((Array.isArray(row.services) ? row.services : []).map((c) => [c.service, c]));
      return el('tr', null,
        el('th', { scope: 'row' },
          row.rank !== undefined && row.rank !== null ? el('span', { class: 'grid-rank', text: `${row.rank}.` }) : null,
          ' ',
          (row.team && (row.team.name || row.team.id)) || ''),
        services.map((x) => serviceCell(cells.get(x.id))));
    })));
}

function serviceCell(c) {
  const st = c ? c.state : null;
  const key = serviceStateKey(st);
  const a = formatNumber(num(c && c.attack));
  const d = formatNumber(num(c && c.defense));
  const s = formatNumber(num(c && c.sla));
  const title = [c && c.message ? String(c.message) : '',
    c && c.round ? t('svc.checked_round', { n: c.round }) : ''].filter(Boolean).join(' · ');
  return el('td', { class: `svc-cell svc-${key}`, title: title || null },
    serviceStateBadge(st),
    el('span', { class: 'svc-points', 'aria-hidden': 'true', text: t('svc.short', { a, d, s }) }),
    el('span', { class: 'svc-points svc-flags', 'aria-hidden': 'true', text: t('svc.flags', { c: formatNumber(num(c && c.captured)), l: formatNumber(num(c && c.lost)) }) }),
    el('span', { class: 'sr-only', text: `, ${t('svc.long', { a, d, s, c: num(c && c.captured), l: num(c && c.lost) })}` }));
}

/** The first solve of each challenge (the board names it with each challenge). */
function challengeBloods() {
  const sb = state.board;
  if (!sb || !Array.isArray(sb.challenges)) return [];
  const teams = new Map((Array.isArray(sb.standings) ? sb.standings : [])
    .filter((s) => s.team).map((s) => [String(s.team.id), s.team]));
  return sb.challenges
    .filter((c) => c.first_solve && Number.isFinite(Date.parse(c.first_solve.at)))
    .map((c) => ({
      title: pick(c.title) || String(c.id),
      at: Date.parse(c.first_solve.at),
      team: teams.get(String(c.first_solve.team)) || { id: c.first_solve.team, name: String(c.first_solve.team) },
    }));
}

function renderBloods() {
  const section = $('bloods-section');
  const root = $('first-bloods');
  const sv = state.services;
  const ad = Boolean(sv && Array.isArray(sv.services) && sv.services.length);
  const released = state.board && Array.isArray(state.board.challenges) && state.board.challenges.length > 0;
  if (!ad && !released) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const parts = [];
  const list = (items) => (items.length
    ? el('ul', { class: 'bloods' }, items)
    : el('p', { class: 'muted small', text: t('blood.none') }));
  if (ad) {
    const names = new Map(sv.services.map((x) => [x.id, pick(x.name) || String(x.id)]));
    const teams = new Map((sv.teams || []).filter((x) => x.team).map((x) => [String(x.team.id), x.team.name]));
    const items = (Array.isArray(sv.first_bloods) ? sv.first_bloods : []).map((f) => el('li', null,
      el('span', { class: 'blood-what', text: names.get(f.service) || String(f.service) }),
      ' ',
      el('strong', { text: f.name || teams.get(String(f.team)) || String(f.team) }),
      f.victim ? el('span', { class: 'muted', text: ` (${t('blood.victim', { team: teams.get(String(f.victim)) || String(f.victim) })})` }) : null,
      ' ',
      el('time', { class: 'blood-time', datetime: f.at || null, text: formatTime(f.at, zone(), 'time') })));
    parts.push(el('h3', { text: t('blood.services') }), list(items));
  }
  if (released) {
    const items = challengeBloods().map((b) => el('li', null,
      el('span', { class: 'blood-what', text: b.title }),
      ' ',
      el('strong', { text: b.team.name || String(b.team.id ?? '') }),
      ' ',
      el('time', { class: 'blood-time', datetime: new Date(b.at).toISOString(), text: formatTime(b.at, zone(), 'time') })));
    parts.push(el('h3', { text: t('blood.challenges') }), list(items));
  }
  root.replaceChildren(...parts);
}

// ------------------------------------------------------------------ chart

/** The SVG namespace, taken from the HTML parser so that no address is written here. */
const SVG_NS = (() => {
  const tpl = document.createElement('template');
  tpl.innerHTML = '<svg></svg>';
  return tpl.content.firstChild.namespaceURI;
})();

/** Like el(), for SVG: attributes as given (presentation attributes are allowed by the CSP). */
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const CHART = { w: 960, h: 380, left: 64, right: 28, top: 16, bottom: 46 };
// Okabe–Ito hues (darkened where they are too light on white), each with its own dash pattern
// and end marker, so that lines can be told apart without colour.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#000000', '#8C6D00', '#5A3D99', '#6B6B6B'];
const DASHES = ['', '10 5', '2 4', '14 4 3 4', '6 6', '3 2 3 8', '18 4', '8 3 2 3 2 3'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'cross', 'plus', 'star'];
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * 60000);
const round1 = (x) => Math.round(x * 10) / 10;

function marker(kind, x, y, colour, r = 5) {
  const filled = { fill: colour, stroke: '#ffffff', 'stroke-width': 1.5 };
  const lined = { fill: 'none', stroke: colour, 'stroke-width': 2.5 };
  const p = (pts) => `M${pts.map(([a, b]) => `${round1(a)},${round1(b)}`).join(' L')} Z`;
  switch (kind) {
    case 'square':
      return svg('rect', { x: x - r * 0.9, y: y - r * 0.9, width: r * 1.8, height: r * 1.8, ...filled });
    case 'triangle':
      return svg('path', { d: p([[x, y - r * 1.1], [x + r, y + r * 0.8], [x - r, y + r * 0.8]]), ...filled });
    case 'triangle-down':
      return svg('path', { d: p([[x, y + r * 1.1], [x + r, y - r * 0.8], [x - r, y - r * 0.8]]), ...filled });
    case 'diamond':
      return svg('path', { d: p([[x, y - r * 1.2], [x + r, y], [x, y + r * 1.2], [x - r, y]]), ...filled });
    case 'cross':
      return svg('path', { d: `M${x - r},${y - r} L${x + r},${y + r} M${x + r},${y - r} L${x - r},${y + r}`, ...lined });
    case 'plus':
      return svg('path', { d: `M${x - r},${y} L${x + r},${y} M${x},${y - r} L${x},${y + r}`, ...lined });
    case 'star': {
      const pts = [];
      for (let i = 0; i < 10; i += 1) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const rr = i % 2 ? r * 0.5 : r * 1.25;
        pts.push([x + rr * Math.cos(a), y + rr * Math.sin(a)]);
      }
      return svg('path', { d: p(pts), ...filled });
    }
    default:
      return svg('circle', { cx: x, cy: y, r, ...filled });
  }
}

/** Round ticks covering lo..hi. */
function niceTicks(lo, hi, n = 5) {
  let top = hi;
  if (top - lo < 1e-9) top = lo + 1;
  const raw = (top - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((x) => x >= raw - 1e-12) || 10 * mag;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(top / step) * step;
  const ticks = [];
  for (let i = 0; start + i * step <= end + step * 1e-9 && i < 50; i += 1) {
    ticks.push(Number((start + i * step).toFixed(10)));
  }
  return { lo: start, hi: end, ticks };
}

/** Offset of time zone tz from UTC at ms (whole seconds), or the browser's if tz is unknown. */
function zoneOffset(ms, tz) {
  try {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24,
      Number(p.minute), Number(p.second));
    return asUtc - Math.floor(ms / 1000) * 1000;
  } catch {
    return -new Date(ms).getTimezoneOffset() * 60000;
  }
}

/** Ticks on round local times of the exercise time zone. */
function timeTicks(t0, t1, tz, max = 8) {
  const span = t1 - t0;
  const step = TIME_STEPS.find((s) => span / s <= max) || Math.ceil(span / max / 86400000) * 86400000;
  const off = zoneOffset(t0, tz);
  const ticks = [];
  for (let x = Math.ceil((t0 + off) / step) * step - off; x <= t1 && ticks.length < 50; x += step) ticks.push(x);
  return ticks;
}

/**
 * Draw the score-over-time chart of `series` (GET /api/v1/scoreboard/history) as step lines up
 * to `end` (ms) into `box`, with its legend in `legend`; times in time zone `tz`.
 */
function renderChart({ box, legend, series, end, tz }) {
  const lines = series
    .map((x) => ({
      team: String(x.team ?? ''),
      name: x.name || String(x.team ?? ''),
      points: (Array.isArray(x.points) ? x.points : [])
        .map((p) => ({ at: Date.parse(p.at), score: Number(p.score) }))
        .filter((p) => Number.isFinite(p.at) && Number.isFinite(p.score))
        .sort((a, b) => a.at - b.at),
    }))
    .filter((x) => x.points.length);
  if (!lines.length) {
    box.replaceChildren(el('p', { class: 'muted', text: t('chart.empty') }));
    legend.replaceChildren();
    return;
  }
  const all = lines.flatMap((x) => x.points);
  const t0 = Math.min(...all.map((p) => p.at));
  let t1 = Math.max(end, ...all.map((p) => p.at));
  if (t1 - t0 < 60000) t1 = t0 + 60000;
  const y = niceTicks(Math.min(0, ...all.map((p) => p.score)), Math.max(0, ...all.map((p) => p.score)));
  const { w, h, left, right, top, bottom } = CHART;
  const X = (ms) => round1(left + ((ms - t0) / (t1 - t0)) * (w - left - right));
  const Y = (v) => round1(top + (1 - (v - y.lo) / (y.hi - y.lo)) * (h - top - bottom));
  const longSpan = t1 - t0 > 20 * 3600000;
  const timeLabel = (ms) => formatTime(ms, tz, longSpan ? 'short' : 'hm');
  const last = (x) => x.points[x.points.length - 1];

  const grid = y.ticks.map((v) => svg('g', null,
    svg('line', { x1: left, x2: w - right, y1: Y(v), y2: Y(v), class: v === 0 ? 'chart-zero' : 'chart-gridline' }),
    svg('text', { x: left - 8, y: Y(v), class: 'chart-label', 'text-anchor': 'end', 'dominant-baseline': 'middle' },
      formatNumber(v))));
  const xTicks = timeTicks(t0, t1, tz).map((ms) => svg('g', null,
    svg('line', { x1: X(ms), x2: X(ms), y1: h - bottom, y2: h - bottom + 5, class: 'chart-axis' }),
    svg('text', { x: X(ms), y: h - bottom + 18, class: 'chart-label', 'text-anchor': 'middle' }, timeLabel(ms))));
  const style = (i) => ({ colour: COLOURS[i % COLOURS.length], dash: DASHES[i % DASHES.length], mark: MARKERS[i % MARKERS.length] });
  // Drawn from the last team up, so that the leader's line is on top.
  const paths = lines.map((x, i) => {
    const s = style(i);
    let d = `M${X(x.points[0].at)},${Y(x.points[0].score)}`;
    for (const p of x.points.slice(1)) d += ` H${X(p.at)} V${Y(p.score)}`;
    d += ` H${X(t1)}`;
    return svg('g', { class: 'chart-series' },
      svg('path', {
        d, fill: 'none', stroke: s.colour, 'stroke-width': 2.5, 'stroke-dasharray': s.dash || null,
        'stroke-linejoin': 'round',
      }),
      marker(s.mark, X(t1), Y(last(x).score), s.colour));
  }).reverse();

  const tzName = tz || t('dash');
  const titleText = t('chart.title', { n: lines.length });
  const descText = t('chart.desc', {
    tz: tzName,
    from: timeLabel(t0),
    to: timeLabel(t1),
    lines: lines.map((x) => t('chart.line', { team: x.name, score: formatNumber(last(x).score) })).join('; '),
  });
  box.replaceChildren(svg('svg', {
    viewBox: `0 0 ${w} ${h}`, class: 'chart-svg', role: 'img', 'aria-labelledby': 'chart-title chart-desc',
  },
  svg('title', { id: 'chart-title' }, titleText),
  svg('desc', { id: 'chart-desc' }, descText),
  grid,
  svg('line', { x1: left, x2: w - right, y1: h - bottom, y2: h - bottom, class: 'chart-axis' }),
  svg('line', { x1: left, x2: left, y1: top, y2: h - bottom, class: 'chart-axis' }),
  xTicks,
  svg('text', { x: (left + w - right) / 2, y: h - 6, class: 'chart-axis-title', 'text-anchor': 'middle' },
    t('chart.axis_time', { tz: tzName })),
  svg('text', {
    x: 14, y: (top + h - bottom) / 2, class: 'chart-axis-title', 'text-anchor': 'middle',
    transform: `rotate(-90 14 ${(top + h - bottom) / 2})`,
  }, t('chart.axis_score')),
  paths));

  legend.replaceChildren(...lines.map((x, i) => {
    const s = style(i);
    return el('li', null,
      svg('svg', { viewBox: '0 0 48 16', class: 'legend-swatch', 'aria-hidden': 'true', focusable: 'false' },
        svg('line', { x1: 2, x2: 46, y1: 8, y2: 8, stroke: s.colour, 'stroke-width': 2.5, 'stroke-dasharray': s.dash || null }),
        marker(s.mark, 24, 8, s.colour, 4.5)),
      el('span', { class: 'legend-name', text: x.name }),
      el('span', { class: 'legend-score', text: formatNumber(last(x).score) }));
  }));
}

function drawChart() {
  const section = $('chart-section');
  const h = state.history;
  if (!h) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const ex = state.exercise;
  // The right edge: the clock while running (scores hold until the next change, which the
  // stream reports), else the moment the history is as of.
  const asOf = Date.parse(h.as_of);
  let end = Number.isFinite(asOf) ? asOf : serverNow();
  if (!h.frozen && ex && ex.status === 'running') {
    const endsAt = ex.ends_at ? Date.parse(ex.ends_at) : Infinity;
    end = Math.max(end, Math.min(serverNow(), endsAt));
  }
  renderChart({
    box: $('score-chart'),
    legend: $('chart-legend'),
    series: Array.isArray(h.series) ? h.series : [],
    end,
    tz: zone(),
  });
  $('chart-note').hidden = !h.frozen;
  $('chart-note').textContent = h.frozen ? t('chart.frozen') : '';
  $('chart-error').textContent = state.errors.history
    ? t('updated.failed', { message: errorText(state.errors.history) }) : '';
}

// ------------------------------------------------------------------ status

function renderStatus() {
  const p = $('refresh-status');
  const err = state.errors.board || state.errors.exercise;
  if (err) {
    const msg = t('updated.failed', { message: errorText(err) });
    p.textContent = msg;
    p.classList.add('is-error');
    if (lastAnnouncedError !== msg) announce(msg);
    lastAnnouncedError = msg;
  } else {
    p.textContent = state.updatedAt ? t('updated.at', { time: formatTime(state.updatedAt, zone(), 'time') }) : '';
    p.classList.remove('is-error');
    if (lastAnnouncedError) announce('');
    lastAnnouncedError = null;
  }
}

// ------------------------------------------------------------------ big screen

/** Big-screen mode for a projector (projector.js); remembered in the URL only (`?screen=1`). */
function setBigScreen(on) {
  document.body.classList.toggle('big-screen', on);
  $('big-screen').setAttribute('aria-pressed', String(on));
  if (on) projector.start();
  else projector.stop();
  const url = new URL(window.location.href);
  if (on) url.searchParams.set('screen', '1');
  else url.searchParams.delete('screen');
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url.href);
}

// ------------------------------------------------------------------ events

function toggle(teamId) {
  if (state.expanded.has(teamId)) {
    state.expanded.delete(teamId);
  } else {
    state.expanded.add(teamId);
    loadDetail(teamId);
  }
  renderStandings();
}

function init() {
  initI18n();
  $('round-history').addEventListener('toggle', (e) => {
    if (e.target.open) loadRoundList();
  });
  $('round-pick').addEventListener('change', (e) => loadRound(e.target.value));
  projector = createProjector($('projector'), {
    get: () => state,
    onExit: () => {
      setBigScreen(false);
      $('big-screen').focus();
    },
  });
  setBigScreen(new URLSearchParams(window.location.search).get('screen') === '1');
  $('big-screen').addEventListener('click', () => setBigScreen(!document.body.classList.contains('big-screen')));
  $('board-body').addEventListener('click', (e) => {
    const row = e.target.closest('tr.team-row');
    if (!row) return;
    // Let people select text in a row without toggling it.
    if (!e.target.closest('button')) {
      const sel = window.getSelection && window.getSelection();
      if (sel && String(sel).length > 0) return;
    }
    toggle(row.dataset.team);
  });
  announcements = announcementsPanel($('announcements-section'), $('announcements'), zone, 5, { hideEmpty: true });
  onLangChange(render);
  subscribe(onUpdate, statusIndicator($('live-status')));
  setInterval(() => {
    if (!document.hidden) onUpdate(ALL);
  }, SAFETY_MS);
  setInterval(() => {
    if (!document.hidden && staffBoardDuringFreeze()) onUpdate(['scoreboard']);
  }, STAFF_POLL_MS);
  setInterval(() => {
    if (!document.hidden && state.exercise && state.exercise.status === 'running') drawChart();
  }, CHART_REDRAW_MS);
  setInterval(renderClock, 1000);
  render();
  onUpdate(ALL);
}

init();
