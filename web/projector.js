// The projector view of the board (`/?screen=1`): one line per team in type readable from the
// back of a hall, as many lines as fit the screen, the top three always shown and the rest paged
// automatically; the attack/defend service grid on pages of its own; empty panels left out.
// It draws from the board page's state and never fetches by itself.

import {
  t, pick, formatNumber, clockLines, el, serviceStateKey, serviceStateGlyph, serviceStateLabel,
} from './i18n.js';

/** Teams always shown above the paged rows. */
const PINNED = 3;
/** Seconds a page stays by default (`?page=N`, 2 to 120, changes it). */
const PAGE_SECONDS = 10;
/** Smallest type of a team line, in CSS pixels (readable at 15 m on a 3 m wide image). */
const MIN_TEXT_PX = 28;
const AD_PARTS = ['attack', 'defense', 'sla'];
/** How long an announcement stays on the projector. */
const NEWS_MS = 30 * 60 * 1000;

const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

/**
 * The projector inside `root`. `get()` returns the board page's state ({exercise, board,
 * services, skewMs}); `onExit` leaves the view.
 */
export function createProjector(root, { get, onExit }) {
  const seconds = Math.min(120, Math.max(2, Number(new URLSearchParams(window.location.search).get('page')) || PAGE_SECONDS));
  let page = 0; // index into the cycle of pages
  let timer = null;
  let clockTimer = null;

  /** The board's components worth a column: those in the scenario (or with points). */
  function components(standings, hasAD) {
    const any = (k) => standings.some((s) => s.components && num(s.components[k]) !== 0);
    const st = get();
    const parts = (st.exercise && st.exercise.parts) || {};
    const cols = [];
    if (parts.tasks || any('tasks')) cols.push('tasks');
    if (hasAD) cols.push(...AD_PARTS);
    if (parts.reports || any('reports')) cols.push('reports');
    if (any('adjustments')) cols.push('adjustments');
    return cols;
  }

  /** Rows that fit under the header at the current size. */
  function rowsPerScreen() {
    const head = root.querySelector('.pj-head');
    const news = root.querySelector('.pj-news');
    const used = (head ? head.offsetHeight : 80) + 56 /* table head */ + 24 + (news ? news.offsetHeight : 0);
    const first = root.querySelector('#pj-table tbody tr');
    const rowH = first ? first.getBoundingClientRect().height : Math.max(MIN_TEXT_PX * 1.5, window.innerHeight / 22);
    return Math.max(PINNED + 3, Math.floor((window.innerHeight - used) / rowH));
  }

  /** The cycle: ranking pages, then grid pages; each {kind, from, to}. */
  function cycle() {
    const st = get();
    const standings = st.board && Array.isArray(st.board.standings) ? st.board.standings : [];
    const fit = rowsPerScreen();
    const pages = [];
    const rest = Math.max(0, standings.length - PINNED);
    const per = fit - PINNED;
    const n = Math.max(1, Math.ceil(rest / per));
    for (let i = 0; i < n; i += 1) pages.push({ kind: 'board', from: PINNED + i * per, to: PINNED + (i + 1) * per });
    const sv = st.services;
    const services = sv && Array.isArray(sv.services) ? sv.services : [];
    const teams = sv && Array.isArray(sv.teams) ? sv.teams : [];
    if (services.length && teams.length) {
      const g = Math.max(1, Math.ceil(teams.length / fit));
      for (let i = 0; i < g; i += 1) pages.push({ kind: 'grid', from: i * fit, to: (i + 1) * fit });
    }
    return pages;
  }

  function header(pages, current) {
    const st = get();
    const ex = st.exercise;
    const now = Date.now() + (st.skewMs || 0);
    const frozen = Boolean((st.board && st.board.frozen) || (ex && ex.frozen));
    const clock = ex ? clockLines(ex, now)[0] || '' : '';
    return el('div', { class: 'pj-head' },
      el('span', { class: 'pj-title', text: (ex && pick(ex.title)) || t('board.heading') }),
      el('span', { class: 'pj-clock', id: 'pj-clock', text: clock }),
      frozen ? el('span', { class: 'pj-frozen', text: t('pj.frozen') }) : null,
      // A board that could not be refreshed says so, rather than showing old standings as live.
      st.errors && st.errors.board ? el('span', { class: 'pj-stale', text: t('pj.stale') }) : null,
      el('span', { class: 'pj-page', text: pages.length > 1 ? t('pj.page', { n: current + 1, of: pages.length }) : '' }),
      el('button', { type: 'button', class: 'pj-exit', id: 'pj-exit', onclick: onExit }, t('pj.exit')));
  }

  function boardRow(s, cols, of) {
    const team = s.team || {};
    const rank = s.rank ?? '';
    const d = Number(s.movement);
    const move = s.movement === null || s.movement === undefined || !Number.isFinite(d) || d === 0
      ? el('td', { class: 'pj-move' })
      : el('td', { class: `pj-move ${d > 0 ? 'up' : 'down'}`, text: d > 0 ? `\u25b2${d}` : `\u25bc${-d}` });
    const top = Number(rank) >= 1 && Number(rank) <= 3 ? ` top-${rank}` : '';
    const comp = s.components || {};
    return el('tr', { class: `pj-row${top}`, dataset: { team: String(team.id ?? '') } },
      el('td', { class: 'pj-rank' }, el('span', { text: String(rank) }), el('span', { class: 'pj-of', text: ` / ${of}` })),
      move,
      el('th', { scope: 'row', class: 'pj-team', text: team.name || String(team.id ?? '') }),
      el('td', { class: 'pj-num pj-score', text: formatNumber(num(s.score)) }),
      cols.map((k) => el('td', { class: 'pj-num pj-comp', text: formatNumber(num(comp[k])) })));
  }

  function boardPage(p) {
    const st = get();
    const standings = st.board && Array.isArray(st.board.standings) ? st.board.standings : [];
    const sv = st.services;
    const hasAD = Boolean(sv && Array.isArray(sv.services) && sv.services.length)
      || standings.some((s) => s.components && AD_PARTS.some((k) => num(s.components[k]) !== 0));
    const cols = components(standings, hasAD);
    const of = st.board && st.board.of !== undefined && st.board.of !== null ? st.board.of : standings.length;
    const shown = [...standings.slice(0, PINNED), ...standings.slice(p.from, p.to)];
    const rows = shown.map((s, i) => {
      const tr = boardRow(s, cols, of);
      if (i === PINNED - 1 && shown.length > PINNED) tr.classList.add('pj-pinned-last');
      return tr;
    });
    return el('table', { class: 'pj-table', id: 'pj-table' },
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', class: 'pj-rank', text: t('col.rank') }),
        el('th', { scope: 'col', class: 'pj-move', text: '' }),
        el('th', { scope: 'col', class: 'pj-team', text: t('col.team') }),
        el('th', { scope: 'col', class: 'pj-num', text: t('col.total') }),
        cols.map((k) => el('th', { scope: 'col', class: 'pj-num pj-comp', text: t(`col.${k}`) })))),
      el('tbody', null, rows));
  }

  function gridPage(p) {
    const sv = get().services;
    const services = sv.services;
    const teams = sv.teams.slice(p.from, p.to);
    return el('table', { class: 'pj-table pj-grid', id: 'pj-table' },
      el('thead', null, el('tr', null,
        el('th', { scope: 'col', class: 'pj-team', text: sv.round ? t('svc.round', { n: formatNumber(sv.round) }) : t('svc.team') }),
        services.map((x) => el('th', { scope: 'col', class: 'pj-svc', text: pick(x.name) || String(x.id) })))),
      el('tbody', null, teams.map((row) => {
        const cells = new Map((Array.isArray(row.services) ? row.services : []).map((c) => [c.service, c]));
        return el('tr', { class: 'pj-row', dataset: { team: String((row.team && row.team.id) ?? '') } },
          el('th', { scope: 'row', class: 'pj-team', text: (row.team && (row.team.name || row.team.id)) || '' }),
          services.map((x) => {
            const c = cells.get(x.id);
            const st = c && c.state;
            const key = serviceStateKey(st);
            return el('td', { class: `pj-svc svc-${key}` },
              el('span', { 'aria-hidden': 'true', text: serviceStateGlyph(key) }), ' ',
              el('span', { text: serviceStateLabel(st) }));
          }));
      })));
  }

  function render() {
    if (root.hidden) return;
    const pages = cycle();
    if (page >= pages.length) page = 0;
    const p = pages[page];
    const st = get();
    const body = !st.board
      ? el('p', { class: 'pj-wait', text: t('loading') })
      : p.kind === 'grid' ? gridPage(p) : boardPage(p);
    // The latest announcement of the last half hour, in a strip at the bottom.
    const latest = (st.announcements || [])[0];
    const fresh = latest && Date.parse(latest.at) > Date.now() + (st.skewMs || 0) - NEWS_MS;
    root.replaceChildren(header(pages, page), body,
      fresh ? el('p', { class: 'pj-news', id: 'pj-news' }, el('strong', { text: `${t('ann.heading')}: ` }), pick(latest.text)) : null);
    root.dataset.page = String(page + 1);
    root.dataset.pages = String(pages.length);
    root.dataset.kind = p.kind;
  }

  function tick() {
    const st = get();
    const ex = st.exercise;
    const c = root.querySelector('#pj-clock');
    if (c && ex) c.textContent = clockLines(ex, Date.now() + (st.skewMs || 0))[0] || '';
  }

  function next() {
    page += 1;
    render();
  }

  function onKey(e) {
    if (e.key === 'Escape') onExit();
    if (e.key === 'ArrowRight' || e.key === 'PageDown') next();
  }

  return {
    start() {
      root.hidden = false;
      page = 0;
      render();
      clearInterval(timer);
      clearInterval(clockTimer);
      timer = setInterval(next, seconds * 1000);
      clockTimer = setInterval(tick, 1000);
      window.addEventListener('resize', render);
      window.addEventListener('keydown', onKey);
    },
    stop() {
      root.hidden = true;
      clearInterval(timer);
      clearInterval(clockTimer);
      window.removeEventListener('resize', render);
      window.removeEventListener('keydown', onKey);
    },
    render,
  };
}
