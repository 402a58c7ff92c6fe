// Judge console, two more tabs beside marking: the live (unfrozen) leaderboard, with a look at the
// board at any past moment, and any team's event history.
//
// Blind marking stays blind: the three tabs are one tablist and only the selected panel is shown;
// the others carry the `hidden` attribute, so a report being marked never shares the page (nor
// document.body.innerText) with a team's name or id. Going to a report's address (#R-…) always
// brings the marking tab back first.
//
// The board follows the change stream while its tab is open; the stream says nothing about
// scores while the public board is frozen, so then the board is also fetched every 5 seconds.
// The history is fetched when a team is chosen and on "Reload" (a team's log can hold thousands
// of attack/defend events); it shows the newest 200 entries, more on request, and groups one
// round's service checks into one line.
//
// judge.js calls init(ctx) once, start() on signing in, stop() on signing out and setStaff() when
// it learns whether the caller may mark.

import {
  addTexts, t, pick, formatNumber, formatTime, isValidTimeZone, onLangChange, el, serverText,
  SERVICE_STATES,
} from './i18n.js';
import * as api from './api.js';
import { subscribe, statusIndicator, throttle } from './live.js';

addTexts({
  'jx.tabs_label': { vi: 'Các phần của trang chấm điểm', en: 'Parts of the judge console' },
  'jx.tab_marking': { vi: 'Chấm điểm báo cáo', en: 'Marking' },
  'jx.tab_board': { vi: 'Bảng xếp hạng trực tiếp', en: 'Live leaderboard' },
  'jx.tab_history': { vi: 'Lịch sử đội', en: 'Team history' },

  // The live board.
  'jx.board_heading': { vi: 'Bảng xếp hạng trực tiếp', en: 'Live leaderboard' },
  'jx.refresh': { vi: 'Làm mới', en: 'Refresh' },
  'jx.live_frozen': {
    vi: 'Bảng xếp hạng trực tiếp; các đội và người xem đang thấy bảng xếp hạng đóng băng lúc {time}.',
    en: 'Live board; the public sees the board frozen at {time}.',
  },
  'jx.live_open': {
    vi: 'Bảng xếp hạng trực tiếp; bảng xếp hạng chưa bị đóng băng, các đội và người xem thấy cùng số liệu.',
    en: 'Live board; the board is not frozen, so the public sees the same standings.',
  },
  'jx.freeze_planned': { vi: 'Bảng xếp hạng công khai sẽ đóng băng lúc {time}.', en: 'The public board freezes at {time}.' },
  'jx.poll_frozen': {
    vi: 'Trong thời gian đóng băng, bảng này tự cập nhật mỗi 5 giây.',
    en: 'While the public board is frozen, this board updates itself every 5 seconds.',
  },
  'jx.auto': { vi: 'Bảng tự cập nhật khi có thay đổi.', en: 'The board updates itself on every change.' },
  'jx.as_of': { vi: 'Số liệu tính đến {time}', en: 'Standings as of {time}' },
  'jx.ranked': { vi: '{n} đội được xếp hạng', en: '{n} teams ranked' },
  'jx.server_frozen': {
    vi: 'Máy chủ trả về bảng xếp hạng đóng băng, không phải bảng trực tiếp.',
    en: 'The server sent the frozen board, not the live one.',
  },
  'jx.at_legend': { vi: 'Xem bảng xếp hạng tại một thời điểm khác', en: 'See the board at another moment' },
  'jx.at_label': { vi: 'Ngày giờ (múi giờ {tz})', en: 'Date and time ({tz})' },
  'jx.at_help': {
    vi: 'Theo giờ của cuộc diễn tập, không phải giờ trên máy của bạn; bây giờ ở đó là {example}.',
    en: 'In the exercise’s time, not your computer’s; it is now {example} there.',
  },
  'jx.at_show': { vi: 'Xem', en: 'Show' },
  'jx.at_live': { vi: 'Về bảng trực tiếp', en: 'Back to the live board' },
  'jx.at_empty': { vi: 'Nhập ngày giờ cần xem.', en: 'Enter the date and time to show.' },
  'jx.at_bad': {
    vi: 'Ngày giờ không hợp lệ. Hãy nhập theo dạng {example}.',
    en: 'That is not a valid date and time. Use the form {example}.',
  },
  'jx.at_notice': {
    vi: 'Đang xem bảng xếp hạng lúc {time}; bảng này không tự cập nhật.',
    en: 'Showing the board at {time}; it does not update itself.',
  },
  'jx.caption_live': {
    vi: 'Bảng xếp hạng trực tiếp, số liệu tính đến {time}',
    en: 'Live leaderboard, standings as of {time}',
  },
  'jx.caption_at': { vi: 'Bảng xếp hạng lúc {time}', en: 'Leaderboard at {time}' },
  'jx.col_adjustments': { vi: 'Điều chỉnh', en: 'Adjustments' },
  'jx.col_adjustments_long': { vi: 'Điểm điều chỉnh của ban tổ chức', en: 'Adjustments by the organisers' },
  'jx.history_btn': { vi: 'Lịch sử', en: 'History' },
  'jx.history_btn_long': { vi: 'Xem lịch sử của đội {team}', en: 'See the history of {team}' },
  'jx.no_ranked': { vi: 'Chưa có đội nào được xếp hạng.', en: 'No team is ranked yet.' },
  'jx.no_scenario': { vi: 'Chưa có kịch bản nào được nạp.', en: 'No scenario is loaded yet.' },
  'jx.load_failed': { vi: 'Không tải được ({message}).', en: 'Could not load ({message}).' },
  'jx.load_failed_kept': {
    vi: 'Không tải được ({message}). Đang hiển thị số liệu lần trước.',
    en: 'Could not load ({message}). Showing the data loaded before.',
  },

  // Team history.
  'jx.history_heading': { vi: 'Lịch sử sự kiện của đội', en: 'Team event history' },
  'jx.history_intro': {
    vi: 'Mọi sự kiện tính điểm của một đội, mới nhất trước; giờ theo múi giờ {tz}. Phần này là một thẻ riêng, không bao giờ hiện cùng báo cáo đang chấm (chấm điểm ẩn danh).',
    en: 'Every scoring event of one team, newest first; times in {tz}. This is a separate tab, never shown together with a report being marked (blind marking).',
  },
  'jx.no_grades_note': {
    vi: 'Giám khảo không thấy sự kiện chấm điểm báo cáo sự cố của từng đội; điểm báo cáo đã công bố nằm trên bảng xếp hạng.',
    en: 'Judges do not see the grading events of each team’s incident reports; released report points are on the leaderboard.',
  },
  'jx.victim_note': {
    vi: 'Cờ (flag) bị đội khác lấy được ghi trong lịch sử của đội tấn công, nên không có ở đây; điểm phòng thủ trên bảng xếp hạng đã tính chúng.',
    en: 'Flags lost to other teams are logged under the attacking team, so they are not listed here; the defence points on the leaderboard count them.',
  },
  'jx.team_label': { vi: 'Đội', en: 'Team' },
  'jx.team_pick': { vi: '— Chọn đội —', en: '— Choose a team —' },
  'jx.team_hidden': { vi: '{name} (không xếp hạng)', en: '{name} (not ranked)' },
  'jx.type_label': { vi: 'Loại sự kiện', en: 'Event type' },
  'jx.type_all': { vi: 'Tất cả ({n})', en: 'All ({n})' },
  'jx.type_n': { vi: '{label} ({n})', en: '{label} ({n})' },
  'jx.reload': { vi: 'Tải lại', en: 'Reload' },
  'jx.pick_team': { vi: 'Chọn một đội để xem lịch sử.', en: 'Choose a team to see its history.' },
  'jx.teams_loading': { vi: 'Đang tải danh sách đội…', en: 'Loading the teams…' },
  'jx.teams_failed': { vi: 'Không tải được danh sách đội ({message}).', en: 'Could not load the teams ({message}).' },
  'jx.events_loading': { vi: 'Đang tải lịch sử…', en: 'Loading the history…' },
  'jx.events_loaded': { vi: 'Đã tải {n} sự kiện lúc {time}.', en: '{n} events loaded at {time}.' },
  'jx.events_failed': { vi: 'Không tải được lịch sử ({message}).', en: 'Could not load the history ({message}).' },
  'jx.events_none': { vi: 'Đội này chưa có sự kiện nào.', en: 'This team has no events yet.' },
  'jx.events_none_type': { vi: 'Không có sự kiện nào thuộc loại này.', en: 'No events of this type.' },
  'jx.log_heading': { vi: 'Lịch sử của {team}', en: 'History of {team}' },
  'jx.showing': {
    vi: 'Đang hiển thị {shown}/{total} mục, mới nhất trước.',
    en: 'Showing {shown} of {total} entries, newest first.',
  },
  'jx.more': { vi: 'Hiển thị thêm {n} mục cũ hơn', en: 'Show {n} older entries' },
  'jx.by': { vi: 'bởi {actor}', en: 'by {actor}' },
  'jx.seq': { vi: 'sự kiện #{seq}', en: 'event #{seq}' },
  'jx.seqs': { vi: 'sự kiện #{from}–#{to}', en: 'events #{from}–#{to}' },

  'jx.type.solve': { vi: 'Giải thử thách', en: 'Challenge solved' },
  'jx.type.hint_unlock': { vi: 'Mở gợi ý', en: 'Hint unlocked' },
  'jx.type.adjustment': { vi: 'Điều chỉnh điểm', en: 'Score adjustment' },
  'jx.type.disqualify': { vi: 'Loại khỏi bảng xếp hạng', en: 'Disqualified' },
  'jx.type.reinstate': { vi: 'Đưa trở lại bảng xếp hạng', en: 'Reinstated' },
  'jx.type.report_graded': { vi: 'Báo cáo sự cố có điểm', en: 'Report graded' },
  'jx.type.grades_released': { vi: 'Công bố điểm báo cáo', en: 'Grades released' },
  'jx.type.flag_captured': { vi: 'Lấy được cờ (flag)', en: 'Flag captured' },
  'jx.type.service_checked': { vi: 'Kiểm tra dịch vụ', en: 'Service check' },
  'jx.type.round_voided': { vi: 'Hủy kết quả vòng', en: 'Round voided' },

  'jx.ev.solve': { vi: 'Giải thử thách “{title}”', en: 'Solved the challenge “{title}”' },
  'jx.ev.hint_unlock': { vi: 'Mở gợi ý {hint} của thử thách “{title}”', en: 'Unlocked hint {hint} of the challenge “{title}”' },
  'jx.ev.hint_cost': { vi: '(trừ {cost} điểm)', en: '(costs {cost} points)' },
  'jx.ev.adjustment': { vi: 'Điều chỉnh điểm: {points} điểm. Lý do: {reason}', en: 'Score adjustment: {points} points. Reason: {reason}' },
  'jx.ev.disqualify': { vi: 'Bị loại khỏi bảng xếp hạng. Lý do: {reason}', en: 'Disqualified from the ranking. Reason: {reason}' },
  'jx.ev.reinstate': { vi: 'Được đưa trở lại bảng xếp hạng', en: 'Reinstated in the ranking' },
  'jx.ev.report_graded': {
    vi: 'Báo cáo sự cố cho tình huống “{inject}” đã có điểm chính thức: {total} điểm theo thang chấm điểm',
    en: 'The incident report for the inject “{inject}” was graded: {total} rubric points',
  },
  'jx.ev.grades_released': {
    vi: 'Ban tổ chức công bố điểm báo cáo của tình huống “{inject}”',
    en: 'The organisers released the grades of the inject “{inject}”',
  },
  'jx.ev.flag_captured': {
    vi: 'Lấy được cờ (flag) của {victim} trên dịch vụ {service} (cờ của vòng {round}, vị trí {place})',
    en: 'Captured a flag of {victim} on the service {service} (flag of round {round}, place {place})',
  },
  'jx.ev.service_checked': { vi: 'Vòng {round}, dịch vụ {service}: {state}', en: 'Round {round}, service {service}: {state}' },
  'jx.ev.checks': { vi: 'Vòng {round}, kết quả kiểm tra dịch vụ:', en: 'Round {round}, service checks:' },
  'jx.ev.voided_mark': { vi: '(vòng đã bị hủy kết quả, không tính)', en: '(round voided, does not count)' },
  'jx.ev.round_voided': {
    vi: 'Kết quả vòng {round} của dịch vụ {service} bị hủy, không tính',
    en: 'Round {round} of the service {service} was voided: it does not count',
  },
  'jx.ev.unknown': { vi: 'Sự kiện “{type}”', en: 'Event “{type}”' },
  'jx.state.unknown': { vi: 'không rõ ({state})', en: 'unknown ({state})' },
});

const POLL_MS = 5000;
const PAGE = 200;
const TABS = ['marking', 'board', 'history'];
const PANELS = { marking: 'jx-panel-marking', board: 'jx-board', history: 'jx-history' };
const TYPES = [
  'solve', 'hint_unlock', 'adjustment', 'disqualify', 'reinstate', 'report_graded',
  'grades_released', 'flag_captured', 'service_checked', 'round_voided',
];
const AD_PARTS = ['attack', 'defense', 'sla'];

const $ = (id) => document.getElementById(id);
const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

let ctx = { zone: () => undefined, expire: () => {} };

const st = {
  active: false, // signed in and on the judge view
  staff: true,
  tab: 'marking',
  // Board.
  ex: null, // GET /api/v1/exercise
  board: null, // GET /api/v1/scoreboard[?at=]
  boardAt: null, // the `at` the board on screen was fetched for (null: live)
  boardErr: null,
  at: null, // {rfc, ms} chosen in the time-travel form, null: live
  atErr: null, // () => string
  // History.
  teams: null, // GET /api/v1/teams, sorted by name
  teamsErr: null,
  teamsLoading: false,
  team: '',
  events: null, // GET /api/v1/events?team=, by seq
  eventsTeam: null,
  eventsErr: null,
  eventsLoading: false,
  loadingTeam: null, // the team whose events are being fetched
  eventsAt: null,
  type: 'all',
  shown: PAGE,
  names: null, // {challenges, hints, services, voided, injects}
};

let stream = null;
let setLive = () => {};
let pollTimer = null;
let boardSeq = 0;
let teamsSeq = 0;
let eventsSeq = 0;

// ------------------------------------------------------------------ helpers

function errorText(e) {
  if (!e) return '';
  if (e.status === 0) return t('error.network');
  if (e.status === 403) return t('error.forbidden');
  return serverText(e);
}

const zone = () => (st.ex && st.ex.timezone) || ctx.zone();

function signed(n) {
  const x = num(n);
  return x > 0 ? `+${formatNumber(x)}` : formatNumber(x);
}

function isExpired(...results) {
  return results.some((r) => r && r.status === 'rejected' && r.reason && r.reason.status === 401);
}

/** Keep keyboard focus on the element with the same id after `root` was redrawn. */
function keepFocus(root, draw) {
  const a = document.activeElement;
  const id = a && a.id && root.contains(a) ? a.id : null;
  draw();
  if (id && !(document.activeElement && document.activeElement.id === id)) {
    const n = document.getElementById(id);
    if (n && root.contains(n)) n.focus({ preventScroll: true });
  }
}

function msg(kind, text) {
  return el('p', { class: `msg msg-${kind}` }, el('span', { class: 'msg-title', text }));
}

/** A team id as part of an element id. */
const idPart = (s) => String(s).replace(/[^A-Za-z0-9_-]/g, '_');

// ------------------------------------------------------------------ time in the exercise zone

const partFormats = new Map();

/** Wall-clock fields of instant ms in zone tz (the browser's zone when tz is unknown). */
function zoneParts(ms, tz) {
  const z = isValidTimeZone(tz) ? tz : '';
  let f = partFormats.get(z);
  if (!f) {
    const o = {
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    };
    if (z) o.timeZone = z;
    f = new Intl.DateTimeFormat('en-US', o);
    partFormats.set(z, f);
  }
  const p = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute, s: +p.second };
}

/** Milliseconds the zone is ahead of UTC at instant ms. */
function offsetAt(ms, tz) {
  const p = zoneParts(ms, tz);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** "2026-12-01 09:30" for instant ms in the exercise zone (an example for the time field). */
function wallText(ms, tz) {
  const p = zoneParts(ms, tz);
  return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}`;
}

/**
 * Read "YYYY-MM-DD[T ]HH:MM[:SS]" as a wall-clock time in zone tz.
 * Returns {rfc, ms} (rfc: RFC 3339 with the zone's offset), or null when it is not a time.
 */
function parseWall(text, tz) {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*$/.exec(text || '');
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number);
  const s = m[6] ? Number(m[6]) : 0;
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null; // 31 February
  let ms = wall - offsetAt(wall, tz);
  const off = offsetAt(ms, tz);
  ms = wall - off;
  const a = Math.round(Math.abs(off) / 60000);
  const zoneText = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  const rfc = `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${zoneText}`;
  return { rfc, ms };
}

// ------------------------------------------------------------------ tabs

function tabButton(name) {
  return $(`jx-tab-${name}`);
}

function selectTab(name, focusTab) {
  if (!TABS.includes(name)) return;
  if (!st.staff || !st.active) name = 'marking';
  st.tab = name;
  for (const n of TABS) {
    const b = tabButton(n);
    const on = n === name;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    // Only the selected panel is ever shown: this is what keeps marking blind.
    $(PANELS[n]).hidden = !on;
  }
  if (focusTab) tabButton(name).focus();
  if (name === 'board') openBoard();
  else closeBoard();
  if (name === 'history') openHistory();
}

function onTabKey(e) {
  const i = TABS.indexOf(st.tab);
  let next = null;
  if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = TABS[(i + 1) % TABS.length];
  else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = TABS[(i + TABS.length - 1) % TABS.length];
  else if (e.key === 'Home') next = TABS[0];
  else if (e.key === 'End') next = TABS[TABS.length - 1];
  if (!next) return;
  e.preventDefault();
  selectTab(next, true);
}

/**
 * A report code in the address (as judge.js reads it) means a report is opened for marking; an
 * address that names an element of the page (the skip link's #main) does not.
 */
function hashIsReport() {
  let h = window.location.hash.slice(1);
  try {
    h = decodeURIComponent(h);
  } catch {
    return false;
  }
  return /^[A-Za-z0-9_-]{1,64}$/.test(h) && !document.getElementById(h);
}

// ------------------------------------------------------------------ board: data

function openBoard() {
  if (!st.active) return;
  if (!stream) stream = subscribe(onUpdate, (up) => setLive(up));
  if (!pollTimer) {
    pollTimer = setInterval(() => {
      // The stream is silent about scores while the public board is frozen: poll then.
      if (document.hidden || st.tab !== 'board' || st.at || !(st.ex && st.ex.frozen)) return;
      loadBoard();
    }, POLL_MS);
  }
  renderBoard();
  loadBoard();
}

function closeBoard() {
  if (stream) {
    stream.close();
    stream = null;
    setLive(null);
  }
  clearInterval(pollTimer);
  pollTimer = null;
}

const liveBoard = throttle(() => loadBoard(), 1000);

function onUpdate(kinds) {
  if (!st.active || st.tab !== 'board' || st.at) return;
  if (kinds.includes('scoreboard') || kinds.includes('exercise')) liveBoard();
}

async function loadBoard() {
  if (!st.active || st.tab !== 'board') return;
  const seq = ++boardSeq;
  const at = st.at;
  const path = at ? `/api/v1/scoreboard?at=${encodeURIComponent(at.rfc)}` : '/api/v1/scoreboard';
  const [ex, b] = await Promise.allSettled([api.getExercise(), api.get(path)]);
  if (seq !== boardSeq || !st.active) return;
  if (isExpired(ex, b)) {
    ctx.expire();
    return;
  }
  if (ex.status === 'fulfilled' && ex.value) st.ex = ex.value;
  if (b.status === 'fulfilled' && b.value && typeof b.value === 'object') {
    st.board = api.decodeBoard(b.value);
    st.boardAt = at;
    st.boardErr = null;
  } else if (b.status === 'rejected') {
    const e = b.reason;
    if (at && e && e.status === 400) {
      // The server could not read the time: say so at the field, keep the board shown.
      const server = serverText(e);
      st.atErr = () => server;
      st.at = st.boardAt;
    } else {
      st.boardErr = e;
    }
  }
  if (st.tab === 'board') renderBoard();
}

function onAtSubmit(e) {
  e.preventDefault();
  const input = $('jx-at');
  const example = wallText(Date.now(), zone());
  st.atErr = null;
  if (input.validity && input.validity.badInput) {
    st.atErr = () => t('jx.at_bad', { example });
  } else if (!input.value.trim()) {
    st.atErr = () => t('jx.at_empty');
  } else {
    const at = parseWall(input.value, zone());
    if (!at) st.atErr = () => t('jx.at_bad', { example });
    else st.at = at;
  }
  renderBoard();
  if (st.atErr) {
    input.focus();
    return;
  }
  loadBoard();
}

function onAtLive() {
  st.at = null;
  st.atErr = null;
  $('jx-at').value = '';
  renderBoard();
  loadBoard();
}

// ------------------------------------------------------------------ board: rendering

function buildBoardPanel() {
  const panel = $('jx-board');
  const live = el('span', { id: 'jx-board-live' });
  const atInput = el('input', {
    type: 'datetime-local',
    id: 'jx-at',
    name: 'at',
    step: '1',
    'aria-describedby': 'jx-at-help jx-at-err',
  });
  panel.replaceChildren(
    el('div', { class: 'row' },
      el('h2', { id: 'jx-board-heading', tabindex: '-1', 'data-i18n': 'jx.board_heading', text: t('jx.board_heading') }),
      el('span', { class: 'spacer' }),
      el('button', {
        type: 'button', class: 'btn btn-secondary btn-small', id: 'jx-board-refresh', 'data-i18n': 'jx.refresh', text: t('jx.refresh'),
        onclick: () => loadBoard(),
      })),
    el('p', { class: 'status-line' }, live, ' ', el('span', { id: 'jx-board-status' })),
    el('div', { id: 'jx-board-note' }),
    el('form', { id: 'jx-at-form', class: 'jx-at-form', novalidate: true, onsubmit: onAtSubmit },
      el('fieldset', null,
        el('legend', { 'data-i18n': 'jx.at_legend', text: t('jx.at_legend') }),
        el('label', { for: 'jx-at', id: 'jx-at-label' }),
        el('p', { class: 'muted small', id: 'jx-at-help' }),
        el('div', { class: 'jx-at-row' },
          atInput,
          el('button', { type: 'submit', class: 'btn btn-small', id: 'jx-at-go', 'data-i18n': 'jx.at_show', text: t('jx.at_show') }),
          el('button', {
            type: 'button', class: 'btn btn-secondary btn-small', id: 'jx-at-live', 'data-i18n': 'jx.at_live', text: t('jx.at_live'),
            onclick: onAtLive,
          })),
        el('p', { class: 'field-error', id: 'jx-at-err', role: 'alert' }))),
    el('div', { id: 'jx-board-body' }));
  setLive = statusIndicator(live);
  setLive(null);
}

function renderBoard() {
  if (st.tab !== 'board' || !$('jx-board-body')) return;
  const tz = zone();
  const ex = st.ex;
  const b = st.board;

  // The time-travel form.
  $('jx-at-label').textContent = t('jx.at_label', { tz: tz || t('dash') });
  $('jx-at-help').textContent = t('jx.at_help', { example: wallText(Date.now(), tz) });
  const atErr = st.atErr ? st.atErr() : '';
  $('jx-at-err').textContent = atErr;
  if (atErr) $('jx-at').setAttribute('aria-invalid', 'true');
  else $('jx-at').removeAttribute('aria-invalid');
  $('jx-at-live').hidden = !st.at && !st.boardAt;
  $('jx-board-live').hidden = Boolean(st.boardAt);

  // What this board is.
  const notes = [];
  if (st.boardAt && b) {
    notes.push(el('p', { class: 'notice jx-note-past', id: 'jx-board-mode' },
      t('jx.at_notice', { time: formatTime(b.as_of || st.boardAt.ms, tz) })));
  } else if (ex && ex.frozen) {
    notes.push(el('div', { class: 'notice notice-frozen', id: 'jx-board-mode' },
      el('p', { text: t('jx.live_frozen', { time: formatTime(ex.freeze_at, tz, 'hm') }) }),
      el('p', { class: 'jx-note-sub', text: t('jx.poll_frozen') })));
  } else if (ex) {
    notes.push(el('div', { class: 'notice', id: 'jx-board-mode' },
      el('p', { text: t('jx.live_open') }),
      ex.freeze_at && ex.status !== 'ended'
        ? el('p', { class: 'jx-note-sub', text: t('jx.freeze_planned', { time: formatTime(ex.freeze_at, tz, 'hm') }) })
        : null,
      el('p', { class: 'jx-note-sub', text: t('jx.auto') })));
  }
  if (b && b.frozen === true) notes.push(msg('warn', t('jx.server_frozen')));
  $('jx-board-note').replaceChildren(...notes);

  const status = $('jx-board-status');
  status.textContent = b && b.as_of
    ? [
      t('jx.as_of', { time: formatTime(b.as_of, tz) }),
      t('jx.ranked', { n: formatNumber(b.of ?? (Array.isArray(b.standings) ? b.standings.length : 0)) }),
    ].join(' · ')
    : '';

  const body = $('jx-board-body');
  keepFocus(body, () => {
    const parts = [];
    if (st.boardErr) {
      const e = st.boardErr;
      if (e.status === 404) parts.push(msg('info', t('jx.no_scenario')));
      else parts.push(msg('error', t(b ? 'jx.load_failed_kept' : 'jx.load_failed', { message: errorText(e) })));
    }
    if (!b) {
      if (!st.boardErr) parts.push(el('p', { class: 'muted', text: t('loading') }));
    } else {
      parts.push(boardTable(b, tz));
    }
    body.replaceChildren(...parts);
  });
}

function boardTable(b, tz) {
  const list = Array.isArray(b.standings) ? b.standings : [];
  if (!list.length) return el('p', { class: 'notice', text: t('jx.no_ranked') });
  const ad = Boolean(st.ex && st.ex.attack_defense)
    || list.some((s) => s.components && AD_PARTS.some((k) => num(s.components[k]) !== 0));
  const of = b.of ?? list.length;
  const caption = st.boardAt
    ? t('jx.caption_at', { time: formatTime(b.as_of, tz) })
    : t('jx.caption_live', { time: formatTime(b.as_of, tz) });
  const cols = [
    ['tasks', t('col.tasks')],
    ...(ad ? [['attack', t('col.attack')], ['defense', t('col.defense')], ['sla', t('col.sla'), t('col.sla_long')]] : []),
    ['reports', t('col.reports'), t('col.reports_long')],
    ['adjustments', t('jx.col_adjustments'), t('jx.col_adjustments_long')],
  ];
  const head = el('tr', null,
    el('th', { scope: 'col', text: t('col.rank') }),
    el('th', { scope: 'col', text: t('col.team') }),
    el('th', { scope: 'col', class: 'num', text: t('col.total') }),
    cols.map(([, label, long]) => el('th', { scope: 'col', class: 'num jx-comp' },
      long ? el('abbr', { title: long, text: label }) : label)));
  const rows = list.map((s) => {
    const team = s.team && typeof s.team === 'object' ? s.team : { id: s.team, name: s.team };
    const id = String(team.id ?? '');
    const name = team.name || id;
    const rank = s.rank ?? t('dash');
    const c = s.components && typeof s.components === 'object' ? s.components : {};
    const n = Number(s.rank);
    return el('tr', { class: n >= 1 && n <= 3 ? `top-${n}` : null },
      el('td', { class: 'rank' },
        el('span', { 'aria-hidden': 'true' },
          el('span', { class: 'rank-n', text: String(rank) }),
          el('span', { class: 'of', text: ` / ${of}` })),
        el('span', { class: 'sr-only', text: t('rank.sr', { rank, of }) })),
      el('th', { scope: 'row', class: 'jx-team' },
        el('span', { class: 'team-name', text: name }),
        team.organisation ? el('span', { class: 'team-org', text: team.organisation }) : null,
        id ? el('button', {
          type: 'button',
          class: 'link-button jx-history-link',
          id: `jx-h-${idPart(id)}`,
          'aria-label': t('jx.history_btn_long', { team: name }),
          onclick: () => showHistoryOf(id),
        }, t('jx.history_btn')) : null),
      el('td', { class: 'num score', text: formatNumber(s.score) }),
      cols.map(([key]) => {
        const v = num(c[key]);
        return el('td', { class: `num jx-comp${v < 0 ? ' neg' : ''}`, text: formatNumber(v) });
      }));
  });
  return el('div', { class: 'table-wrap' },
    el('table', { class: 'board jx-board-table', id: 'jx-board-table' },
      el('caption', { class: 'sr-only', text: caption }),
      el('thead', null, head),
      el('tbody', null, rows)));
}

// ------------------------------------------------------------------ history: data

function showHistoryOf(teamId) {
  st.team = teamId;
  st.shown = PAGE;
  selectTab('history', false);
  const sel = $('jx-team');
  if (sel) sel.value = teamId;
  const h = $('jx-history-heading');
  if (h) h.focus();
}

function openHistory() {
  if (!st.active) return;
  renderHistory();
  if (!st.teams && !st.teamsLoading) loadTeams();
  if (st.team && st.loadingTeam !== st.team && (st.eventsTeam !== st.team || !st.events)) loadEvents();
}

async function loadTeams() {
  const seq = ++teamsSeq;
  st.teamsLoading = true;
  renderHistory();
  const [r] = await Promise.allSettled([api.get('/api/v1/teams')]);
  if (seq !== teamsSeq || !st.active) return;
  st.teamsLoading = false;
  if (isExpired(r)) {
    ctx.expire();
    return;
  }
  if (r.status === 'fulfilled') {
    const list = Array.isArray(r.value) ? r.value.filter((x) => x && x.id !== undefined && x.id !== null) : [];
    st.teams = list
      .map((x) => ({ ...x, id: String(x.id), name: String(x.name || x.id) }))
      .sort((a, b) => a.name.localeCompare(b.name, 'vi') || a.id.localeCompare(b.id));
    st.teamsErr = null;
  } else {
    st.teamsErr = r.reason;
  }
  renderHistory();
}

/** Names for the history lines; each part may fail (no attack/defend: no services). */
async function loadNames() {
  const [ch, sv, rd] = await Promise.allSettled([
    api.getChallenges(), api.get('/api/v1/services'), api.get('/api/v1/rounds'),
  ]);
  const names = { challenges: new Map(), hints: new Map(), services: new Map(), voided: new Set(), injects: null };
  if (ch.status === 'fulfilled' && Array.isArray(ch.value)) {
    for (const c of ch.value) {
      names.challenges.set(String(c.id), pick(c.title) || String(c.id));
      for (const h of Array.isArray(c.hints) ? c.hints : []) names.hints.set(`${c.id}\u0000${h.id}`, h.cost);
    }
  }
  if (sv.status === 'fulfilled' && sv.value && Array.isArray(sv.value.services)) {
    for (const s of sv.value.services) names.services.set(String(s.id), s.name);
  }
  if (rd.status === 'fulfilled' && rd.value && Array.isArray(rd.value.rounds)) {
    for (const r of rd.value.rounds) {
      for (const s of Array.isArray(r.voided) ? r.voided : []) names.voided.add(`${s}\u0000${r.number}`);
    }
  }
  return { names, expired: isExpired(ch, sv, rd) };
}

async function loadEvents() {
  const team = st.team;
  if (!team) return;
  const seq = ++eventsSeq;
  st.eventsLoading = true;
  st.loadingTeam = team;
  if (st.eventsTeam !== team) {
    st.events = null;
    st.eventsErr = null;
  }
  renderHistory();
  const [ev, nm] = await Promise.allSettled([
    api.get(`/api/v1/events?team=${encodeURIComponent(team)}`),
    st.names ? Promise.resolve(null) : loadNames(),
  ]);
  if (seq !== eventsSeq || !st.active) return;
  if (isExpired(ev) || (nm.status === 'fulfilled' && nm.value && nm.value.expired)) {
    ctx.expire();
    return;
  }
  if (nm.status === 'fulfilled' && nm.value) st.names = { ...nm.value.names, injects: st.names ? st.names.injects : null };
  if (ev.status === 'fulfilled') {
    const list = Array.isArray(ev.value) ? ev.value.filter((e) => e && typeof e === 'object') : [];
    st.events = list.slice().sort((a, b) => num(a.seq) - num(b.seq));
    st.eventsTeam = team;
    st.eventsErr = null;
    st.eventsAt = Date.now();
    if (!st.events.some((e) => typeOf(e) === st.type)) st.type = 'all';
    if (!st.names?.injects && st.events.some((e) => ['report_graded', 'grades_released'].includes(typeOf(e)))) {
      loadInjectNames();
    }
  } else {
    st.eventsErr = ev.reason;
  }
  st.eventsLoading = false;
  st.loadingTeam = null;
  renderHistory();
}

/** Inject titles, only when a report event needs one (organisers; judges get no grading events). */
async function loadInjectNames() {
  try {
    const list = await api.getInjects();
    const m = new Map();
    for (const i of Array.isArray(list) ? list : []) m.set(String(i.id), i.title);
    if (!st.names) st.names = { challenges: new Map(), hints: new Map(), services: new Map(), voided: new Set() };
    st.names.injects = m;
    if (st.tab === 'history') renderHistory();
  } catch (e) {
    if (e.status === 401) ctx.expire();
  }
}

function reloadHistory() {
  st.names = null;
  loadTeams();
  if (st.team) loadEvents();
}

// ------------------------------------------------------------------ history: lines

const typeOf = (e) => String((e && e.event && e.event.type) || '');

function typeLabel(type) {
  return TYPES.includes(type) ? t(`jx.type.${type}`) : type;
}

function teamName(id) {
  const x = st.teams && st.teams.find((tm) => tm.id === String(id));
  return x ? x.name : String(id ?? t('dash'));
}

function challengeTitle(id) {
  const n = st.names && st.names.challenges.get(String(id));
  if (n) return n;
  const c = st.board && Array.isArray(st.board.challenges) && st.board.challenges.find((x) => String(x.id) === String(id));
  return (c && pick(c.title)) || String(id ?? t('dash'));
}

function serviceName(id) {
  const n = st.names && st.names.services.get(String(id));
  return pick(n) || String(id ?? t('dash'));
}

function injectTitle(id) {
  const n = st.names && st.names.injects && st.names.injects.get(String(id));
  return pick(n) || String(id ?? t('dash'));
}

function stateLabel(s) {
  return SERVICE_STATES.has(s) ? t(`svc.state.${s}`) : t('jx.state.unknown', { state: String(s) });
}

const isVoided = (service, round) => Boolean(st.names && st.names.voided.has(`${service}\u0000${round}`));

/** The text of one event, in the current language. */
function eventText(e) {
  const x = e.event || {};
  switch (typeOf(e)) {
    case 'solve':
      return t('jx.ev.solve', { title: challengeTitle(x.challenge) });
    case 'hint_unlock': {
      const cost = st.names && st.names.hints.get(`${x.challenge}\u0000${x.hint}`);
      const base = t('jx.ev.hint_unlock', { hint: String(x.hint ?? ''), title: challengeTitle(x.challenge) });
      return cost !== undefined && cost !== null ? `${base} ${t('jx.ev.hint_cost', { cost: formatNumber(cost) })}` : base;
    }
    case 'adjustment':
      return t('jx.ev.adjustment', { points: signed(x.points), reason: String(x.reason ?? '') });
    case 'disqualify':
      return t('jx.ev.disqualify', { reason: String(x.reason ?? '') });
    case 'reinstate':
      return t('jx.ev.reinstate');
    case 'report_graded': {
      const total = Array.isArray(x.criteria) ? x.criteria.reduce((a, c) => a + num(Array.isArray(c) ? c[1] : 0), 0) : 0;
      return t('jx.ev.report_graded', { inject: injectTitle(x.inject), total: formatNumber(total) });
    }
    case 'grades_released':
      return t('jx.ev.grades_released', { inject: injectTitle(x.inject) });
    case 'flag_captured':
      return t('jx.ev.flag_captured', {
        victim: teamName(x.victim),
        service: serviceName(x.service),
        round: formatNumber(x.round),
        place: formatNumber(x.place),
      });
    case 'service_checked': {
      const line = t('jx.ev.service_checked', { round: formatNumber(x.round), service: serviceName(x.service), state: stateLabel(x.state) });
      return isVoided(x.service, x.round) ? `${line} ${t('jx.ev.voided_mark')}` : line;
    }
    case 'round_voided':
      return t('jx.ev.round_voided', { round: formatNumber(x.round), service: serviceName(x.service) });
    default:
      return t('jx.ev.unknown', { type: typeOf(e) || t('dash') });
  }
}

/**
 * The entries shown, newest first: one per event, except that one round's service checks make
 * one entry (placed where the round's newest check is).
 */
function entriesOf(events, type) {
  const out = [];
  const rounds = new Map();
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const e = events[i];
    const k = typeOf(e);
    if (type !== 'all' && k !== type) continue;
    if (k === 'service_checked' && e.event.round !== undefined) {
      let g = rounds.get(e.event.round);
      if (!g) {
        g = { checks: [], round: e.event.round, e };
        rounds.set(e.event.round, g);
        out.push(g);
      }
      g.checks.push(e);
    } else {
      out.push({ e });
    }
  }
  return out;
}

function entryItem(entry, tz, i) {
  const e = entry.e;
  const type = typeOf(e);
  const time = el('time', { class: 'jx-time', datetime: e.at || null, text: formatTime(e.at, tz) });
  const badge = el('span', { class: `badge badge-neutral jx-type jx-type-${idPart(type)}`, text: typeLabel(type) });
  let text;
  let meta;
  if (entry.checks && entry.checks.length > 1) {
    const checks = entry.checks.slice().sort((a, b) => String(a.event.service).localeCompare(String(b.event.service)));
    text = el('span', { class: 'jx-text' }, t('jx.ev.checks', { round: formatNumber(entry.round) }), ' ',
      el('span', { class: 'jx-checks' }, checks.map((c, j) => {
        const s = c.event.state;
        return el('span', { class: 'jx-check' },
          j ? '; ' : '',
          `${serviceName(c.event.service)}: `,
          el('span', { class: `jx-state jx-state-${SERVICE_STATES.has(s) ? s : 'unknown'}`, text: stateLabel(s) }),
          isVoided(c.event.service, c.event.round) ? ` ${t('jx.ev.voided_mark')}` : '');
      })));
    const seqs = checks.map((c) => num(c.seq));
    const actors = [...new Set(checks.map((c) => c.actor).filter((a) => a !== null && a !== undefined && a !== ''))];
    meta = [
      actors.length ? t('jx.by', { actor: actors.join(', ') }) : null,
      t('jx.seqs', { from: Math.min(...seqs), to: Math.max(...seqs) }),
    ];
  } else {
    text = el('span', { class: 'jx-text', text: eventText(e) });
    meta = [
      e.actor !== null && e.actor !== undefined && e.actor !== '' ? t('jx.by', { actor: String(e.actor) }) : null,
      t('jx.seq', { seq: e.seq ?? t('dash') }),
    ];
  }
  const points = type === 'adjustment' ? num(e.event.points) : 0;
  return el('li', { class: `jx-entry${points < 0 ? ' is-neg' : ''}`, id: `jx-entry-${i}`, tabindex: '-1' },
    el('span', { class: 'jx-head' }, time, ' ', badge),
    text,
    el('span', { class: 'jx-meta muted small', text: meta.filter(Boolean).join(' · ') }));
}

// ------------------------------------------------------------------ history: rendering

function buildHistoryPanel() {
  const panel = $('jx-history');
  const team = el('select', { id: 'jx-team', name: 'team' });
  team.addEventListener('change', () => {
    st.team = team.value;
    st.shown = PAGE;
    if (st.team) loadEvents();
    else renderHistory();
  });
  const type = el('select', { id: 'jx-type', name: 'type' });
  type.addEventListener('change', () => {
    st.type = type.value;
    st.shown = PAGE;
    renderHistory();
  });
  panel.replaceChildren(
    el('h2', { id: 'jx-history-heading', tabindex: '-1', 'data-i18n': 'jx.history_heading', text: t('jx.history_heading') }),
    el('p', { class: 'muted small', id: 'jx-history-intro' }),
    el('form', { class: 'jx-history-form', id: 'jx-history-form', novalidate: true, onsubmit: (e) => e.preventDefault() },
      el('div', { class: 'field' },
        el('label', { for: 'jx-team', 'data-i18n': 'jx.team_label', text: t('jx.team_label') }),
        team),
      el('div', { class: 'field' },
        el('label', { for: 'jx-type', 'data-i18n': 'jx.type_label', text: t('jx.type_label') }),
        type),
      el('div', { class: 'jx-form-actions' },
        el('button', {
          type: 'button', class: 'btn btn-secondary btn-small', id: 'jx-history-reload', 'data-i18n': 'jx.reload', text: t('jx.reload'),
          onclick: reloadHistory,
        }))),
    el('p', { class: 'status-line', id: 'jx-history-status', role: 'status' }),
    el('div', { id: 'jx-history-body' }));
}

function fillTeamSelect() {
  const sel = $('jx-team');
  const opts = [el('option', { value: '', text: st.teamsLoading && !st.teams ? t('jx.teams_loading') : t('jx.team_pick') })];
  const known = new Set();
  for (const tm of st.teams || []) {
    known.add(tm.id);
    opts.push(el('option', { value: tm.id, text: tm.hidden ? t('jx.team_hidden', { name: tm.name }) : tm.name }));
  }
  if (st.team && !known.has(st.team)) opts.push(el('option', { value: st.team, text: st.team }));
  sel.replaceChildren(...opts);
  sel.value = st.team;
}

function fillTypeSelect() {
  const sel = $('jx-type');
  const events = st.events || [];
  const counts = new Map();
  for (const e of events) counts.set(typeOf(e), (counts.get(typeOf(e)) || 0) + 1);
  const order = [...TYPES.filter((k) => counts.has(k)), ...[...counts.keys()].filter((k) => !TYPES.includes(k))];
  if (st.type !== 'all' && !order.includes(st.type)) order.push(st.type);
  sel.replaceChildren(
    el('option', { value: 'all', text: t('jx.type_all', { n: formatNumber(events.length) }) }),
    ...order.map((k) => el('option', { value: k, text: t('jx.type_n', { label: typeLabel(k), n: formatNumber(counts.get(k) || 0) }) })));
  sel.value = st.type;
  sel.disabled = !st.events;
}

function renderHistory() {
  if (st.tab !== 'history' || !$('jx-history-body')) return;
  const tz = zone();
  $('jx-history-intro').textContent = t('jx.history_intro', { tz: tz || t('dash') });
  fillTeamSelect();
  fillTypeSelect();

  const status = $('jx-history-status');
  status.classList.remove('is-error');
  if (st.teamsErr && !st.teams) {
    status.textContent = t('jx.teams_failed', { message: errorText(st.teamsErr) });
    status.classList.add('is-error');
  } else if (st.eventsLoading) {
    status.textContent = t('jx.events_loading');
  } else if (st.eventsErr) {
    status.textContent = t('jx.events_failed', { message: errorText(st.eventsErr) });
    status.classList.add('is-error');
  } else if (st.events && st.eventsTeam === st.team) {
    status.textContent = t('jx.events_loaded', { n: formatNumber(st.events.length), time: formatTime(st.eventsAt, tz, 'time') });
  } else {
    status.textContent = '';
  }

  const body = $('jx-history-body');
  keepFocus(body, () => {
    if (!st.team) {
      body.replaceChildren(el('p', { class: 'muted', text: t('jx.pick_team') }));
      return;
    }
    if (!st.events || st.eventsTeam !== st.team) {
      body.replaceChildren(...(st.eventsLoading ? [el('p', { class: 'muted', text: t('jx.events_loading') })] : []));
      return;
    }
    const parts = [el('h3', { id: 'jx-log-heading', text: t('jx.log_heading', { team: teamName(st.team) }) })];
    const notes = [];
    if (st.ex && st.ex.attack_defense) notes.push(t('jx.victim_note'));
    notes.push(t('jx.no_grades_note'));
    parts.push(el('p', { class: 'muted small' }, notes.join(' ')));
    if (!st.events.length) {
      parts.push(el('p', { class: 'notice', text: t('jx.events_none') }));
      body.replaceChildren(...parts);
      return;
    }
    const entries = entriesOf(st.events, st.type);
    if (!entries.length) {
      parts.push(el('p', { class: 'notice', text: t('jx.events_none_type') }));
      body.replaceChildren(...parts);
      return;
    }
    const shown = Math.min(st.shown, entries.length);
    parts.push(el('p', { class: 'muted small', id: 'jx-showing', text: t('jx.showing', { shown: formatNumber(shown), total: formatNumber(entries.length) }) }));
    parts.push(el('ol', { class: 'jx-log', id: 'jx-log', 'aria-labelledby': 'jx-log-heading' },
      entries.slice(0, shown).map((entry, i) => entryItem(entry, tz, i))));
    if (shown < entries.length) {
      const next = Math.min(PAGE, entries.length - shown);
      parts.push(el('p', null, el('button', {
        type: 'button',
        class: 'btn btn-secondary btn-small',
        id: 'jx-more',
        'aria-describedby': 'jx-showing',
        onclick: () => {
          const first = st.shown;
          st.shown += PAGE;
          renderHistory();
          const n = $(`jx-entry-${first}`);
          if (n) n.focus();
        },
      }, t('jx.more', { n: formatNumber(next) }))));
    }
    body.replaceChildren(...parts);
  });
}

// ------------------------------------------------------------------ lifecycle (called by judge.js)

/** Once, at page start: ctx = {zone: () => IANA zone, expire: () => void (session ended)}. */
export function init(context) {
  ctx = { ...ctx, ...context };
  for (const n of TABS) {
    const b = tabButton(n);
    b.addEventListener('click', () => selectTab(n, false));
    b.addEventListener('keydown', onTabKey);
  }
  buildBoardPanel();
  buildHistoryPanel();
  onLangChange(() => {
    if (st.tab === 'board') renderBoard();
    if (st.tab === 'history') renderHistory();
  });
  // Opening a report always shows the marking tab (and so hides the others).
  window.addEventListener('hashchange', () => {
    if (hashIsReport()) selectTab('marking', false);
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && st.active && st.tab === 'board' && !st.at) loadBoard();
  });
  selectTab('marking', false);
}

/** Signed in: the marking tab first. */
export function start() {
  st.active = true;
  selectTab('marking', false);
}

/** Signed out: stop following the board and forget what was loaded. */
export function stop() {
  st.active = false;
  selectTab('marking', false);
  boardSeq += 1;
  teamsSeq += 1;
  eventsSeq += 1;
  Object.assign(st, {
    ex: null, board: null, boardAt: null, boardErr: null, at: null, atErr: null,
    teams: null, teamsErr: null, teamsLoading: false, team: '', events: null, eventsTeam: null,
    eventsErr: null, eventsLoading: false, loadingTeam: null, eventsAt: null, type: 'all', shown: PAGE, names: null,
  });
  const at = $('jx-at');
  if (at) at.value = '';
  for (const id of ['jx-board-body', 'jx-board-note', 'jx-history-body']) {
    const n = $(id);
    if (n) n.replaceChildren();
  }
}

/** Whether the caller may mark (judge or organiser): the other tabs are for them only. */
export function setStaff(staff) {
  const v = Boolean(staff);
  $('jx-tabs').hidden = !v;
  if (v === st.staff) return;
  st.staff = v;
  if (!v) selectTab('marking', false);
}
