// Public leaderboard: exercise clock, standings refreshed every 5 seconds, per-team breakdown.

import {
  initI18n, onLangChange, t, pick, formatNumber, formatTime, statusLabel, clockLines, el,
} from './i18n.js';
import * as api from './api.js';

const REFRESH_MS = 5000;
const KNOWN_STATUS = new Set(['not_started', 'running', 'paused', 'ended']);

const state = {
  exercise: null,
  board: null,
  skewMs: 0, // server clock minus local clock
  expanded: new Set(), // team ids whose breakdown is open
  error: null,
  updatedAt: null, // server time of the last good refresh (ms)
};

const $ = (id) => document.getElementById(id);
let timer = null;
let inFlight = false;
let lastAnnouncedError = null;

const serverNow = () => Date.now() + state.skewMs;
const zone = () => (state.exercise ? state.exercise.timezone : undefined);
const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

function errorText(e) {
  if (!e) return '';
  if (e.status === 0) return t('error.network');
  return e.message || e.code || String(e);
}

function signed(n) {
  if (n > 0) return `+${formatNumber(n)}`;
  if (n < 0) return `\u2212${formatNumber(-n)}`;
  return formatNumber(0);
}

// ------------------------------------------------------------------ data

async function fetchScoreboard() {
  const hadToken = Boolean(api.getToken());
  try {
    return await api.getScoreboard();
  } catch (e) {
    // The board is public: a stale token must not hide it.
    if (hadToken && e.status === 401) {
      api.clearToken();
      return api.getScoreboard();
    }
    throw e;
  }
}

async function refresh() {
  if (inFlight) return;
  inFlight = true;
  clearTimeout(timer);
  const sentAt = Date.now();
  const [ex, sb] = await Promise.allSettled([api.getExercise(), fetchScoreboard()]);
  const gotAt = Date.now();
  let err = null;
  if (ex.status === 'fulfilled' && ex.value) {
    state.exercise = ex.value;
    const now = Date.parse(ex.value.now);
    if (Number.isFinite(now)) state.skewMs = now - (sentAt + gotAt) / 2;
  } else if (ex.status === 'rejected') {
    err = ex.reason;
  }
  if (sb.status === 'fulfilled' && sb.value) {
    state.board = sb.value;
  } else if (sb.status === 'rejected') {
    err = err || sb.reason;
  }
  state.error = err;
  if (!err) state.updatedAt = serverNow();
  inFlight = false;
  render();
  schedule();
}

function schedule() {
  clearTimeout(timer);
  if (!document.hidden) timer = setTimeout(refresh, REFRESH_MS);
}

// ------------------------------------------------------------------ rendering

function render() {
  renderExercise();
  renderFrozen();
  renderStandings();
  renderChallenges();
  renderStatus();
}

function renderExercise() {
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
  $('ex-desc').hidden = !desc;
  const st = $('ex-status');
  st.textContent = statusLabel(ex.status);
  st.className = `badge badge-status status-${KNOWN_STATUS.has(ex.status) ? ex.status : 'unknown'}`;
  st.hidden = false;
  renderClock();
}

function renderClock() {
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

function renderStandings() {
  const body = $('board-body');
  const sb = state.board;
  if (!sb) {
    const text = state.error ? t('error.generic', { message: errorText(state.error) }) : t('loading');
    body.replaceChildren(el('tr', null, el('td', { colspan: 5, text })));
    $('board-meta').textContent = '';
    return;
  }

  const meta = [];
  if (sb.as_of) meta.push(t('board.as_of', { time: formatTime(sb.as_of, zone()) }));
  if (sb.of !== undefined && sb.of !== null) meta.push(t('board.teams', { n: formatNumber(sb.of) }));
  $('board-meta').textContent = meta.join(' · ');

  const standings = Array.isArray(sb.standings) ? sb.standings : [];
  if (standings.length === 0) {
    body.replaceChildren(el('tr', null, el('td', { colspan: 5, text: t('board.empty') })));
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
    const id = team.id !== undefined && team.id !== null ? String(team.id) : `#${i}`;
    const open = state.expanded.has(id);
    const detailId = `detail-${i}`;
    const of = s.of !== undefined && s.of !== null ? s.of : sb.of;
    const rank = s.rank !== undefined && s.rank !== null ? s.rank : t('dash');
    const top = Number(s.rank) >= 1 && Number(s.rank) <= 3 ? ` top-${s.rank}` : '';

    rows.push(el('tr', { class: `team-row${open ? ' is-open' : ''}${top}`, dataset: { team: id } },
      el('td', { class: 'rank' },
        el('span', { 'aria-hidden': 'true' },
          el('span', { class: 'rank-n', text: rank }),
          of !== undefined && of !== null ? el('span', { class: 'of', text: ` / ${of}` }) : null),
        el('span', { class: 'sr-only', text: t('rank.sr', { rank, of: of ?? t('dash') }) })),
      el('th', { scope: 'row' },
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
      el('td', { class: 'num score', text: formatNumber(s.score) }),
      el('td', { class: 'num', text: formatNumber(s.solves) }),
      el('td', { class: 'time col-reached', text: formatTime(s.reached_at, zone()) })));

    rows.push(el('tr', { class: 'detail-row', id: detailId, hidden: !open },
      el('td', { colspan: 5 }, open ? breakdown(s, challenges) : null)));
  });
  body.replaceChildren(...rows);

  if (focusedTeam !== null) {
    const b = [...body.querySelectorAll('button.team-toggle')].find((x) => x.dataset.team === focusedTeam);
    if (b) b.focus({ preventScroll: true });
  }
}

/** The explanation of one team's score: every challenge line, then the components. */
function breakdown(s, challenges) {
  const team = s.team || {};
  const wrap = el('div', { class: 'breakdown' });
  const items = [...(s.challenges || [])].sort((a, b) => {
    const ta = a.solved_at ? Date.parse(a.solved_at) : Infinity;
    const tb = b.solved_at ? Date.parse(b.solved_at) : Infinity;
    return ta === tb ? 0 : ta - tb;
  });

  let sumP = 0;
  let sumB = 0;
  let sumH = 0;
  const rows = items.map((c) => {
    const p = num(c.points);
    const b = num(c.first_blood_bonus);
    const h = Math.abs(num(c.hint_cost)); // a cost is always a deduction
    sumP += p;
    sumB += b;
    sumH += h;
    const info = challenges.get(c.challenge);
    return el('tr', { class: c.solved_at ? null : 'unsolved' },
      el('th', { scope: 'row' },
        info ? pick(info.title) || String(c.challenge) : String(c.challenge),
        info && info.category ? el('span', { class: 'team-org', text: info.category }) : null),
      el('td', { class: 'num', text: formatNumber(p) }),
      el('td', { class: `num${b > 0 ? ' pos' : ''}`, text: signed(b) }),
      el('td', { class: `num${h > 0 ? ' neg' : ''}`, text: signed(-h) }),
      el('td', { class: 'num', text: signed(p + b - h) }),
      el('td', { class: 'time', text: c.solved_at ? formatTime(c.solved_at, zone()) : t('detail.not_solved') }));
  });
  // A team-level hint total larger than the per-challenge lines: hints bought on challenges
  // not (yet) solved. Shown so that the sum still explains the tasks component.
  const teamHints = s.hint_cost !== undefined && s.hint_cost !== null ? Math.abs(num(s.hint_cost)) : null;
  if (teamHints !== null && teamHints - sumH > 0.0001) {
    const extra = teamHints - sumH;
    sumH += extra;
    rows.push(el('tr', { class: 'unsolved' },
      el('th', { scope: 'row', text: t('detail.unsolved_hints') }),
      el('td', { class: 'num', text: formatNumber(0) }),
      el('td', { class: 'num', text: signed(0) }),
      el('td', { class: 'num neg', text: signed(-extra) }),
      el('td', { class: 'num', text: signed(-extra) }),
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
        el('td', { class: 'num', text: formatNumber(sumP) }),
        el('td', { class: 'num', text: signed(sumB) }),
        el('td', { class: 'num', text: signed(-sumH) }),
        el('td', { class: 'num', text: signed(sumP + sumB - sumH) }),
        el('td', null)))));
  } else {
    wrap.append(el('p', { class: 'muted', text: t('detail.none') }));
  }

  const comp = s.components && typeof s.components === 'object' ? s.components : {};
  const dl = el('dl', { class: 'components' });
  const line = (label, value, cls) => {
    dl.append(el('dt', { class: cls, text: label }), el('dd', { class: cls, text: value }));
  };
  const hasTasks = comp.tasks !== undefined && comp.tasks !== null;
  const hasAdj = comp.adjustments !== undefined && comp.adjustments !== null;
  if (hasTasks) line(t('detail.tasks'), formatNumber(comp.tasks));
  // Any other component the server may add later (shown under its own name).
  let others = 0;
  for (const [k, v] of Object.entries(comp)) {
    if (k === 'tasks' || k === 'adjustments' || !Number.isFinite(Number(v))) continue;
    others += Number(v);
    line(k, signed(Number(v)));
  }
  // The tasks component may be weighted: show the factor when the total says so.
  if (hasTasks && num(comp.tasks) !== 0) {
    const w = (num(s.score) - num(comp.adjustments) - others) / num(comp.tasks);
    if (Number.isFinite(w) && Math.abs(w - 1) > 0.0001) {
      line(t('detail.weight'), `\u00d7 ${formatNumber(w)} = ${formatNumber(w * num(comp.tasks))}`);
    }
  }
  if (hasAdj) line(t('detail.adjustments'), signed(num(comp.adjustments)));
  line(t('detail.total'), formatNumber(s.score), 'total');
  line(t('detail.reached'), formatTime(s.reached_at, zone()));
  wrap.append(dl);
  return wrap;
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
  body.replaceChildren(...list.map((c) => el('tr', null,
    el('th', { scope: 'row', text: pick(c.title) || String(c.id) }),
    el('td', { text: c.category || '' }),
    el('td', { class: 'num', text: formatNumber(c.value) }),
    el('td', { class: 'num', text: formatNumber(c.solves) }))));
}

function renderStatus() {
  const p = $('refresh-status');
  const live = $('live');
  if (state.error) {
    const msg = t('updated.failed', { message: errorText(state.error) });
    p.textContent = msg;
    p.classList.add('is-error');
    if (lastAnnouncedError !== msg && live) live.textContent = msg;
    lastAnnouncedError = msg;
  } else {
    p.textContent = state.updatedAt ? t('updated.at', { time: formatTime(state.updatedAt, zone(), 'time') }) : '';
    p.classList.remove('is-error');
    if (lastAnnouncedError && live) live.textContent = '';
    lastAnnouncedError = null;
  }
}

// ------------------------------------------------------------------ events

function toggle(teamId) {
  if (state.expanded.has(teamId)) state.expanded.delete(teamId);
  else state.expanded.add(teamId);
  renderStandings();
}

function init() {
  initI18n();
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
  onLangChange(render);
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) clearTimeout(timer);
    else refresh();
  });
  setInterval(renderClock, 1000);
  render();
  refresh();
}

init();
