// Team page additions, called by team.js:
// - "Why we have N points": the team's own score breakdown, from its row of the scoreboard and,
//   for attack/defend, its row of the service grid; redrawn whenever team.js gets either again.
// - The team's API tokens: list, create (shown once, with a copy button), revoke, and how to use
//   them. Only a password sign-in may manage tokens; an API-token caller gets 403.
// Vietnamese terms follow the shared glossary: đội, điểm, thử thách, gợi ý, giải nhanh nhất (first
// blood), tấn công / phòng thủ, dịch vụ, vòng, tình huống (inject), báo cáo sự cố, nộp muộn,
// đóng băng bảng xếp hạng, ban tổ chức, cờ (flag), nộp cờ, kịch bản.

import {
  addTexts, t, pick, el, getLang, formatNumber, formatTime, serverText,
} from './i18n.js';
import * as api from './api.js';
import { solveLines } from './breakdown.js';

addTexts({
  // ---- score breakdown
  'tx.sc.summary': { vi: 'Vì sao đội có {score} điểm', en: 'Why we have {score} points' },
  'tx.sc.summary_frozen': {
    vi: ' (tính đến lúc đóng băng bảng xếp hạng)',
    en: ' (as of the freeze)',
  },
  'tx.sc.summary_none': { vi: 'Cách tính điểm của đội', en: 'How our score is made up' },
  'tx.sc.not_ranked': {
    vi: 'Đội không có trên bảng xếp hạng, nên chưa có chi tiết điểm.',
    en: 'Your team is not on the leaderboard, so there is no breakdown to show.',
  },
  'tx.sc.frozen': {
    vi: 'Bảng xếp hạng đang đóng băng: chi tiết dưới đây là điểm của đội tại thời điểm đóng băng ({time}). Điểm ghi được sau đó vẫn được tính và sẽ hiện khi bảng xếp hạng được mở lại.',
    en: 'The leaderboard is frozen: this breakdown is your score as of the freeze ({time}). Points scored since then still count and show once the freeze is lifted.',
  },
  'tx.sc.components': { vi: 'Các thành phần điểm', en: 'Score components' },
  'tx.sc.components_caption': {
    vi: 'Các thành phần điểm của đội và tổng điểm',
    en: 'Your score components and the total',
  },
  'tx.sc.col_part': { vi: 'Thành phần', en: 'Component' },
  'tx.sc.col_points': { vi: 'Điểm (chưa nhân hệ số)', en: 'Points (before weights)' },
  'tx.sc.tasks': { vi: 'Thử thách', en: 'Challenges' },
  'tx.sc.tasks_how': {
    vi: 'điểm bài + thưởng giải nhanh nhất (first blood) − gợi ý đã mở',
    en: 'challenge points + first-blood bonuses − hints unlocked',
  },
  'tx.sc.attack': { vi: 'Tấn công', en: 'Attack' },
  'tx.sc.attack_how': {
    vi: 'cờ (flag) lấy được từ dịch vụ của các đội khác',
    en: 'flags captured from other teams’ services',
  },
  'tx.sc.defense': { vi: 'Phòng thủ', en: 'Defence' },
  'tx.sc.defense_how': {
    vi: 'cờ của đội bị các đội khác lấy (điểm âm)',
    en: 'your flags captured by other teams (negative)',
  },
  'tx.sc.sla': { vi: 'Duy trì dịch vụ (SLA)', en: 'Service availability (SLA)' },
  'tx.sc.sla_how': {
    vi: 'dịch vụ của đội hoạt động qua từng vòng',
    en: 'your services up, round after round',
  },
  'tx.sc.reports': { vi: 'Báo cáo sự cố', en: 'Incident reports' },
  'tx.sc.reports_how': {
    vi: 'hệ số báo cáo × điểm chấm × hệ số nộp muộn, khi ban tổ chức đã công bố kết quả chấm',
    en: 'report weight × marked total × late factor, once the organisers release the grades',
  },
  'tx.sc.adjustments': { vi: 'Điều chỉnh của ban tổ chức', en: 'Adjustments by the organisers' },
  'tx.sc.adj_heading': { vi: 'Các lần điều chỉnh điểm', en: 'Score adjustments' },
  'tx.sc.adj_at': { vi: 'Thời điểm', en: 'When' },
  'tx.sc.adj_reason': { vi: 'Lý do của ban tổ chức', en: 'The organisers’ reason' },
  'tx.sc.adj_points': { vi: 'Điểm', en: 'Points' },
  'tx.sc.adj_sum': { vi: 'Tổng điều chỉnh', en: 'Adjustments in all' },
  'tx.sc.adjustments_how': { vi: 'không nhân hệ số', en: 'not weighted' },
  'tx.sc.total': { vi: 'Tổng điểm', en: 'Total score' },
  'tx.sc.note': {
    vi: 'Tổng điểm = tổng có trọng số: mỗi thành phần nhân với hệ số của kịch bản (mặc định là 1), cộng điều chỉnh (không nhân hệ số); xem quy tắc tính điểm (docs/scoring.md). Máy chủ không gửi các hệ số, nên trang này hiển thị các thành phần và tổng điểm đúng như máy chủ gửi.',
    en: 'Total = weighted sum: each component times the scenario’s weight for it (1 unless the scenario sets another), plus adjustments (not weighted); see the scoring rules (docs/scoring.md). The server does not send the weights, so this page shows the components and the total exactly as the server sends them.',
  },
  'tx.sc.weighted_diff': {
    vi: 'Cộng thẳng các thành phần được {sum}; phần chênh lệch so với tổng điểm đến từ các hệ số của kịch bản.',
    en: 'The components add up to {sum}; the difference from the total comes from the scenario’s weights.',
  },
  'tx.sc.reached': { vi: 'Đội đạt số điểm này lúc {time}.', en: 'Score reached at {time}.' },
  'tx.sc.ch_heading': { vi: 'Thử thách đã giải', en: 'Challenges solved' },
  'tx.sc.ch_caption': {
    vi: 'Điểm từng thử thách đã giải, theo thứ tự giải',
    en: 'Points per solved challenge, in the order solved',
  },
  'tx.sc.ch_title': { vi: 'Thử thách', en: 'Challenge' },
  'tx.sc.ch_points': { vi: 'Điểm bài', en: 'Points' },
  'tx.sc.ch_bonus': { vi: 'Thưởng giải nhanh nhất (first blood)', en: 'First-blood bonus' },
  'tx.sc.ch_hints': { vi: 'Trừ điểm gợi ý', en: 'Hint cost' },
  'tx.sc.ch_net': { vi: 'Cộng', en: 'Net' },
  'tx.sc.ch_at': { vi: 'Thời điểm giải', en: 'Solved at' },
  'tx.sc.ch_unsolved_hints': {
    vi: 'Gợi ý đã mở ở thử thách chưa giải',
    en: 'Hints unlocked on challenges not solved',
  },
  'tx.sc.not_solved': { vi: 'Chưa giải', en: 'Not solved' },
  'tx.sc.ch_sum': { vi: 'Cộng (= thành phần thử thách)', en: 'Sum (= challenges component)' },
  'tx.sc.ch_none': { vi: 'Đội chưa có điểm từ thử thách.', en: 'No points from challenges yet.' },
  'tx.sc.ch_value_note': {
    vi: 'Điểm bài là giá trị hiện tại của thử thách: với thử thách có giá trị giảm dần, điểm giảm với mọi đội đã giải khi có thêm đội giải.',
    en: 'Points are the challenge’s current value: a dynamic value falls for every solver as more teams solve it.',
  },
  'tx.sc.rep_heading': { vi: 'Báo cáo sự cố được tính điểm', en: 'Incident reports counted' },
  'tx.sc.rep_caption': {
    vi: 'Điểm từng báo cáo sự cố: hệ số báo cáo × điểm chấm × hệ số nộp muộn',
    en: 'Points per incident report: weight × marked total × late factor',
  },
  'tx.sc.rep_inject': { vi: 'Tình huống (inject)', en: 'Inject' },
  'tx.sc.rep_total': { vi: 'Điểm chấm', en: 'Marked total' },
  'tx.sc.rep_late': { vi: 'Nộp muộn', en: 'Late' },
  'tx.sc.rep_factor': { vi: 'Hệ số nộp muộn', en: 'Late factor' },
  'tx.sc.rep_weight': { vi: 'Hệ số báo cáo', en: 'Weight' },
  'tx.sc.rep_points': { vi: 'Điểm', en: 'Points' },
  'tx.sc.rep_counted': { vi: 'Bắt đầu tính lúc', en: 'Counted from' },
  'tx.sc.rep_on_time': { vi: 'Đúng hạn', en: 'On time' },
  'tx.sc.rep_minutes': { vi: '{m} phút', en: '{m} min' },
  'tx.sc.rep_sum': { vi: 'Cộng (= thành phần báo cáo sự cố)', en: 'Sum (= reports component)' },
  'tx.sc.rep_none': {
    vi: 'Chưa có báo cáo sự cố nào được tính điểm: một báo cáo chỉ được tính khi ban tổ chức công bố kết quả chấm của tình huống.',
    en: 'No incident report counts yet: a report counts once the organisers release the grades of its inject.',
  },
  'tx.sc.svc_heading': { vi: 'Tấn công/phòng thủ theo dịch vụ', en: 'Attack/defend per service' },
  'tx.sc.svc_caption': {
    vi: 'Điểm tấn công, phòng thủ và duy trì dịch vụ (SLA) của đội trên từng dịch vụ, với số cờ lấy được và bị mất',
    en: 'Your attack, defence and availability (SLA) points on each service, with the flags captured and lost',
  },
  'tx.sc.svc_service': { vi: 'Dịch vụ', en: 'Service' },
  'tx.sc.svc_captured': { vi: 'Cờ lấy được', en: 'Flags captured' },
  'tx.sc.svc_lost': { vi: 'Cờ bị mất', en: 'Flags lost' },
  'tx.sc.svc_sum': { vi: 'Cộng', en: 'Total' },
  'tx.sc.svc_none': {
    vi: 'Đội chưa có trong bảng trạng thái dịch vụ.',
    en: 'Your team is not in the service grid yet.',
  },

  // ---- API tokens
  'tx.tok.jump': { vi: 'Tạo hoặc thu hồi mã truy cập API của đội', en: 'Create or revoke your team API tokens' },
  'tx.tok.heading': { vi: 'Mã truy cập API của đội', en: 'Team API tokens' },
  'tx.tok.intro': {
    vi: 'Mã truy cập API cho phép tập lệnh và máy nộp cờ tự động (exploit farm) hành động thay đội: nộp cờ, đọc thử thách và tình huống. Mỗi công cụ nên dùng một mã truy cập riêng có nhãn rõ ràng, để có thể thu hồi riêng mã truy cập bị lộ.',
    en: 'API tokens let scripts and exploit farms act as your team: submit flags, read challenges and injects. Give each tool its own token with a clear label, so that a leaked one can be revoked on its own.',
  },
  'tx.tok.password_only': {
    vi: 'Chỉ khi đăng nhập bằng mật khẩu của đội mới xem, tạo hay thu hồi được mã truy cập; yêu cầu gửi bằng mã truy cập API bị từ chối (lỗi 403).',
    en: 'Tokens can only be listed, created and revoked when signed in with the team’s password; a request made with an API token is refused (error 403).',
  },
  'tx.tok.denied': {
    vi: 'Trang này đang dùng mã truy cập API thay cho phiên đăng nhập bằng mật khẩu, nên máy chủ từ chối quản lý mã truy cập (403). Hãy đăng xuất rồi đăng nhập lại bằng tên đăng nhập và mật khẩu của đội.',
    en: 'This page is using an API token instead of a password sign-in, so the server refuses to manage tokens (403). Sign out and sign in again with the team’s username and password.',
  },
  'tx.tok.server': { vi: 'Máy chủ trả lời: {message}', en: 'The server says: {message}' },
  'tx.tok.list_heading': { vi: 'Các mã truy cập của đội', en: 'Your tokens' },
  'tx.tok.caption': {
    vi: 'Mã truy cập API của đội, mã tạo trước ở trên',
    en: 'Your API tokens, oldest first',
  },
  'tx.tok.col_label': { vi: 'Nhãn', en: 'Label' },
  'tx.tok.col_prefix': { vi: 'Tiền tố', en: 'Prefix' },
  'tx.tok.col_created': { vi: 'Tạo lúc', en: 'Created' },
  'tx.tok.col_status': { vi: 'Trạng thái', en: 'Status' },
  'tx.tok.col_action': { vi: 'Thao tác', en: 'Action' },
  'tx.tok.no_label': { vi: '(không có nhãn)', en: '(no label)' },
  'tx.tok.active': { vi: 'Đang dùng được', en: 'Active' },
  'tx.tok.revoked_at': { vi: 'Đã thu hồi lúc {time}', en: 'Revoked at {time}' },
  'tx.tok.revoke': { vi: 'Thu hồi', en: 'Revoke' },
  'tx.tok.revoke_named': { vi: 'Thu hồi mã truy cập {label} ({prefix})', en: 'Revoke token {label} ({prefix})' },
  'tx.tok.revoking': { vi: 'Đang thu hồi…', en: 'Revoking…' },
  'tx.tok.none': { vi: 'Đội chưa có mã truy cập nào.', en: 'Your team has no tokens.' },
  'tx.tok.count': {
    vi: '{active} mã truy cập đang dùng được, {revoked} mã truy cập đã thu hồi.',
    en: '{active} active, {revoked} revoked.',
  },
  'tx.tok.load_failed': {
    vi: 'Không tải được danh sách mã truy cập: {message}',
    en: 'Could not load the tokens: {message}',
  },
  'tx.tok.revoke_title': { vi: 'Thu hồi mã truy cập API?', en: 'Revoke this API token?' },
  'tx.tok.revoke_text': {
    vi: 'Mã truy cập “{label}” ({prefix}) sẽ bị vô hiệu ngay lập tức: mọi tập lệnh và máy nộp cờ đang dùng nó sẽ bị từ chối. Không thể hoàn tác.',
    en: 'Token “{label}” ({prefix}) stops working at once: every script and exploit farm using it will be refused. This cannot be undone.',
  },
  'tx.tok.revoke_ok': { vi: 'Thu hồi mã truy cập', en: 'Revoke token' },
  'tx.tok.revoked': { vi: 'Đã thu hồi mã truy cập {prefix} lúc {time}.', en: 'Token {prefix} revoked at {time}.' },
  'tx.tok.revoke_failed': {
    vi: 'Không thu hồi được mã truy cập: {message}',
    en: 'Could not revoke the token: {message}',
  },
  'tx.tok.form_heading': { vi: 'Tạo mã truy cập mới', en: 'Create a token' },
  'tx.tok.label': { vi: 'Nhãn (không bắt buộc)', en: 'Label (optional)' },
  'tx.tok.label_help': {
    vi: 'Mã truy cập dùng cho việc gì, ví dụ “máy nộp cờ” — tối đa 100 ký tự.',
    en: 'What the token is for, e.g. “exploit farm” — at most 100 characters.',
  },
  'tx.tok.label_long': {
    vi: 'Nhãn dài {n} ký tự; tối đa là 100.',
    en: 'The label is {n} characters long; the most is 100.',
  },
  'tx.tok.create': { vi: 'Tạo mã truy cập', en: 'Create token' },
  'tx.tok.creating': { vi: 'Đang tạo…', en: 'Creating…' },
  'tx.tok.create_failed': {
    vi: 'Không tạo được mã truy cập: {message}',
    en: 'Could not create the token: {message}',
  },
  'tx.tok.new_heading': { vi: 'Mã truy cập mới: {label}', en: 'New token: {label}' },
  'tx.tok.once': {
    vi: 'Chỉ hiển thị một lần! Hãy sao chép và lưu mã truy cập ngay bây giờ. Máy chủ chỉ giữ mã băm của mã truy cập: khi đóng khung này hoặc rời trang, không ai xem lại được mã truy cập nữa — nếu làm mất, hãy tạo mã truy cập mới và thu hồi mã truy cập này.',
    en: 'Shown only once! Copy the token and store it now. The server keeps only a hash of it: once you close this box or leave the page, nobody can show it again — if you lose it, create a new one and revoke this one.',
  },
  'tx.tok.value_label': { vi: 'Mã truy cập API (chỉ hiển thị một lần)', en: 'API token (shown only once)' },
  'tx.tok.copy': { vi: 'Sao chép mã truy cập', en: 'Copy token' },
  'tx.tok.copied': { vi: 'Đã sao chép mã truy cập vào bộ nhớ tạm.', en: 'Token copied to the clipboard.' },
  'tx.tok.selected': {
    vi: 'Đã chọn toàn bộ mã truy cập: nhấn Ctrl+C (⌘C trên máy Mac) hoặc dùng lệnh Sao chép của điện thoại.',
    en: 'The whole token is selected: press Ctrl+C (⌘C on a Mac) or use your phone’s Copy command.',
  },
  'tx.tok.done': { vi: 'Tôi đã lưu mã truy cập', en: 'I have saved the token' },
  'tx.tok.created_sr': {
    vi: 'Đã tạo mã truy cập {prefix}. Chỉ hiển thị một lần: hãy sao chép ngay.',
    en: 'Token {prefix} created. It is shown only once: copy it now.',
  },
  'tx.tok.usage_heading': { vi: 'Cách dùng mã truy cập', en: 'Using a token' },
  'tx.tok.usage_intro': {
    vi: 'Trong các ví dụ, biến DRILL_TOKEN là mã truy cập của đội (dbt_…).',
    en: 'In the examples, DRILL_TOKEN holds your team token (dbt_…).',
  },
  'tx.tok.use_flags_title': { vi: 'Nộp cờ tấn công/phòng thủ qua HTTP', en: 'Attack/defend flags over HTTP' },
  'tx.tok.use_flags': {
    vi: 'PUT /flags với tiêu đề X-Team-Token; nội dung là một mảng JSON các cờ, mỗi cờ một kết quả trả lời theo đúng thứ tự.',
    en: 'PUT /flags with the X-Team-Token header; the body is a JSON array of flags, answered with one result per flag, in order.',
  },
  'tx.tok.use_api_title': { vi: 'API JSON', en: 'The JSON API' },
  'tx.tok.use_api': {
    vi: 'Mọi yêu cầu /api/v1/… với tiêu đề Authorization: Bearer. Mã truy cập hành động như tài khoản của đội (đọc thử thách, nộp cờ thử thách, nộp báo cáo sự cố…), trừ việc quản lý mã truy cập.',
    en: 'Any /api/v1/… request with the Authorization: Bearer header. The token acts as your team (read challenges, submit challenge flags, submit incident reports…), except for managing tokens.',
  },
  'tx.tok.use_tcp_title': { vi: 'Máy chủ nhận cờ TCP', en: 'TCP flag server' },
  'tx.tok.use_tcp': {
    vi: 'Kết nối tới {addr}; dòng đầu tiên là mã truy cập, sau đó mỗi dòng một cờ, mỗi cờ nhận một dòng trả lời. Từ mạng của đội, máy chủ nhận cờ ngay mà không cần mã truy cập; gửi mã truy cập ở dòng đầu vẫn được.',
    en: 'Connect to {addr}; send the token on the first line, then one flag per line; each flag gets one line back. From your team network flags are accepted without the token; sending it first works too.',
  },
  'tx.tok.use_tcp_off': {
    vi: 'Máy chủ nhận cờ TCP đang tắt; hãy nộp cờ qua HTTP.',
    en: 'The TCP flag server is off; submit flags over HTTP.',
  },
  'tx.tok.use_no_ad': {
    vi: 'Cuộc diễn tập này không có phần tấn công/phòng thủ, nên không có PUT /flags và máy chủ nhận cờ TCP; mã truy cập dùng với API JSON.',
    en: 'This exercise has no attack/defend part, so there is no PUT /flags and no TCP flag server; use the token with the JSON API.',
  },
  'tx.tok.example_flag': { vi: 'CỜ_1', en: 'FLAG_1' },
});

const $ = (id) => document.getElementById(id);
const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);
const seg = encodeURIComponent;
/** Components in the order they are explained; any other component follows under its own name. */
const PARTS = ['tasks', 'attack', 'defense', 'sla', 'reports', 'adjustments'];
const AD_PARTS = ['attack', 'defense', 'sla'];
const EPS = 0.005;
const MAX_LABEL = 100;

function signed(n) {
  if (n > 0) return `+${formatNumber(n)}`;
  if (n < 0) return `\u2212${formatNumber(-n)}`;
  return formatNumber(0);
}

/** A 403 that says the caller is an API token (which may never manage tokens). */
function isTokenCaller(e, me) {
  if (!e || e.status !== 403) return false;
  if (/API tokens cannot/i.test(String(e.message || ''))) return true;
  return Boolean(me && typeof me.username === 'string' && me.username.startsWith('token:'));
}

function msgNode(m, id, focusable) {
  const props = { class: m ? `msg msg-${m.kind}` : 'msg', id, tabindex: focusable ? '-1' : null, hidden: !m };
  if (!m) return el('p', props);
  const text = m.text();
  return el('p', props,
    el('span', { class: 'msg-title', text }),
    m.server && m.server !== text ? el('span', { class: 'msg-server', text: t('tx.tok.server', { message: m.server }) }) : null);
}

function numCell(text, extra) {
  return el('td', { class: `num${extra ? ` ${extra}` : ''}`, text });
}

/** Where the TCP flag server listens, from GET /api/v1/exercise (null when it is off). */
function tcpTarget(game) {
  if (!game || game.tcp_port === null || game.tcp_port === undefined) return null;
  const unbracket = (h) => String(h).replace(/^\[(.*)\]$/, '$1');
  if (game.tcp_address) {
    const a = String(game.tcp_address);
    const i = a.lastIndexOf(':');
    if (i > 0) return { addr: a, host: unbracket(a.slice(0, i)), port: a.slice(i + 1) };
  }
  const host = window.location.hostname;
  return { addr: `${host}:${game.tcp_port}`, host: unbracket(host), port: String(game.tcp_port) };
}

/**
 * Wire the additions to the team page. deps (all functions):
 * me() and exercise(): what team.js knows; zone(): the exercise time zone;
 * confirm(title, text, okText) → Promise<boolean> (the page's dialog); announce(text);
 * expire(): the session ended (401); errorText(e); injectTitle(id), challengeTitle(id): titles
 * the page already has. Returns the hooks team.js calls.
 */
export function teamExtra(deps) {
  const d = {
    me: () => null,
    exercise: () => null,
    zone: () => undefined,
    confirm: (title, text) => Promise.resolve(window.confirm(`${title}\n\n${text}`)),
    announce: () => {},
    expire: () => {},
    errorText: (e) => (e ? serverText(e) : ''),
    injectTitle: () => '',
    challengeTitle: () => '',
    ...deps,
  };

  const sc = { board: null, services: null, sig: null };
  const tk = {
    list: null, // GET /api/v1/teams/{id}/tokens
    error: null, // load error (not 403 from an API token)
    denied: null, // server message when the caller is an API token
    loading: false,
    again: false,
    creating: false,
    revoking: new Set(),
    fresh: null, // {id, token, prefix, label}: the token just created, shown once
    copyMsg: null, // 'copied' | 'selected'
    listMsg: null, // message under the list (revocations)
    formMsg: null, // message under the form
    labelError: null, // () => string
    lang: null, // language the section was built in
    listSig: null,
    usageSig: null,
  };

  const isTeam = () => {
    const me = d.me();
    return Boolean(me && me.role === 'team' && me.team && me.team.id !== undefined && me.team.id !== null);
  };
  const teamId = () => String(d.me().team.id);

  // Leaving the page loses a token shown once: ask first.
  window.addEventListener('beforeunload', (e) => {
    if (!tk.fresh) return;
    e.preventDefault();
    e.returnValue = '';
  });

  // ---------------------------------------------------------------- score breakdown

  function myRow() {
    const sb = sc.board;
    if (!sb || !Array.isArray(sb.standings) || !isTeam()) return null;
    const id = teamId();
    return sb.standings.find((x) => x.team && String(x.team.id) === id) || null;
  }

  function myServices() {
    const sv = sc.services;
    if (!sv || !Array.isArray(sv.services) || !sv.services.length || !isTeam()) return null;
    const id = teamId();
    const row = Array.isArray(sv.teams) ? sv.teams.find((x) => x.team && String(x.team.id) === id) : null;
    return { services: sv.services, row: row || null };
  }

  function hasAD(comp) {
    const ex = d.exercise();
    return Boolean(ex && ex.attack_defense) || Boolean(myServices())
      || AD_PARTS.some((k) => num(comp[k]) !== 0);
  }

  function challengeTitles(row) {
    const board = sc.board && Array.isArray(sc.board.challenges) ? sc.board.challenges : [];
    const info = new Map(board.map((c) => [c.id, c]));
    const out = {};
    for (const c of Array.isArray(row.challenges) ? row.challenges : []) {
      const b = info.get(c.challenge);
      out[c.challenge] = {
        title: (b && pick(b.title)) || d.challengeTitle(c.challenge) || String(c.challenge),
        category: (b && b.category) || '',
      };
    }
    return out;
  }

  function injectTitles(row) {
    const out = {};
    for (const r of Array.isArray(row.reports) ? row.reports : []) {
      out[r.inject] = d.injectTitle(r.inject) || String(r.inject);
    }
    return out;
  }

  function renderScore() {
    const box = $('tx-score');
    const body = $('tx-score-body');
    const summary = $('tx-score-summary');
    if (!box || !body || !summary) return;
    if (!isTeam()) {
      box.hidden = true;
      sc.sig = null;
      return;
    }
    box.hidden = false;
    const sb = sc.board;
    const row = myRow();
    const frozen = Boolean(sb && sb.frozen);
    summary.textContent = row
      ? t('tx.sc.summary', { score: formatNumber(row.score) }) + (frozen ? t('tx.sc.summary_frozen') : '')
      : t('tx.sc.summary_none');

    const ch = row ? challengeTitles(row) : null;
    const inj = row ? injectTitles(row) : null;
    const svc = myServices();
    const comp = row && row.components && typeof row.components === 'object' ? row.components : {};
    const ad = row ? hasAD(comp) : false;
    // Redraw only when something shown changed (as_of moves on every live answer).
    const sig = JSON.stringify([getLang(), d.zone() || '', Boolean(sb), row, frozen, frozen ? sb.as_of : null,
      ch, inj, ad, svc]);
    if (sig === sc.sig) return;
    sc.sig = sig;
    body.replaceChildren(...buildScore(sb, row, comp, ad, ch, inj, svc));
  }

  function buildScore(sb, row, comp, ad, ch, inj, svc) {
    if (!sb) return [el('p', { class: 'muted', text: t('loading') })];
    if (!row) return [el('p', { class: 'notice', text: t('tx.sc.not_ranked') })];
    const zone = d.zone();
    const out = [];
    if (sb.frozen) {
      out.push(el('p', {
        class: 'notice notice-frozen',
        id: 'tx-score-frozen',
        text: t('tx.sc.frozen', { time: formatTime(sb.as_of, zone) }),
      }));
    }
    out.push(componentsPart(row, comp, ad));
    out.push(challengesPart(row, ch));
    out.push(reportsPart(row, inj));
    if (ad && svc) out.push(servicesPart(svc));
    const adj = adjustmentsPart(row);
    if (adj) out.push(adj);
    return out;
  }

  /** Each adjustment with the organisers' reason (nothing when there are none). */
  function adjustmentsPart(row) {
    const list = Array.isArray(row.adjustments) ? row.adjustments : [];
    if (!list.length) return null;
    const zone = d.zone();
    let sum = 0;
    const rows = list.map((a) => {
      const p = num(a.points);
      sum += p;
      return el('tr', null,
        el('td', { class: 'time', text: formatTime(a.at, zone) }),
        el('th', { scope: 'row', text: String(a.reason || '') }),
        numCell(signed(p), p < 0 ? 'neg' : null));
    });
    return el('div', { class: 'tx-part' }, el('h3', { text: t('tx.sc.adj_heading') }),
      el('div', { class: 'table-wrap' },
        el('table', { class: 'tx-table', id: 'tx-sc-adjustments' },
          el('caption', { class: 'sr-only', text: t('tx.sc.adj_heading') }),
          el('thead', null, el('tr', null,
            el('th', { scope: 'col', text: t('tx.sc.adj_at') }),
            el('th', { scope: 'col', text: t('tx.sc.adj_reason') }),
            el('th', { scope: 'col', class: 'num', text: t('tx.sc.adj_points') }))),
          el('tbody', null, rows),
          el('tfoot', null, el('tr', null,
            el('th', { scope: 'row', colspan: '2', text: t('tx.sc.adj_sum') }),
            numCell(signed(sum)))))));
  }

  function componentsPart(row, comp, ad) {
    const keys = [
      ...PARTS.filter((k) => k in comp),
      ...Object.keys(comp).filter((k) => !PARTS.includes(k)),
    ].filter((k) => Number.isFinite(Number(comp[k])) && (ad || !AD_PARTS.includes(k) || num(comp[k]) !== 0));
    const rows = keys.map((k) => {
      const known = PARTS.includes(k);
      return el('tr', null,
        el('th', { scope: 'row' },
          el('span', { text: known ? t(`tx.sc.${k}`) : k }),
          known ? el('span', { class: 'tx-how', text: t(`tx.sc.${k}_how`) }) : null),
        numCell(num(comp[k]) < 0 ? signed(num(comp[k])) : formatNumber(num(comp[k])), num(comp[k]) < 0 ? 'neg' : null));
    });
    const sum = keys.reduce((a, k) => a + num(comp[k]), 0);
    const part = el('div', { class: 'tx-part' },
      el('h3', { text: t('tx.sc.components') }),
      el('div', { class: 'table-wrap' },
        el('table', { class: 'tx-table', id: 'tx-components' },
          el('caption', { class: 'sr-only', text: t('tx.sc.components_caption') }),
          el('thead', null, el('tr', null,
            el('th', { scope: 'col', text: t('tx.sc.col_part') }),
            el('th', { scope: 'col', class: 'num', text: t('tx.sc.col_points') }))),
          el('tbody', null, rows),
          el('tfoot', null, el('tr', null,
            el('th', { scope: 'row', text: t('tx.sc.total') }),
            numCell(formatNumber(num(row.score)), 'tx-total'))))),
      el('p', { class: 'muted small', id: 'tx-score-note', text: t('tx.sc.note') }));
    if (Math.abs(sum - num(row.score)) > EPS) {
      part.append(el('p', { class: 'muted small', text: t('tx.sc.weighted_diff', { sum: formatNumber(sum) }) }));
    }
    if (row.reached_at) {
      part.append(el('p', { class: 'muted small', text: t('tx.sc.reached', { time: formatTime(row.reached_at, d.zone()) }) }));
    }
    return part;
  }

  function challengesPart(row, titles) {
    const zone = d.zone();
    const { lines, sum, unsolvedHints } = solveLines(row);
    const rows = lines.map(({ c, p, b, h }) => {
      const info = titles[c.challenge] || { title: String(c.challenge), category: '' };
      return el('tr', null,
        el('th', { scope: 'row' },
          el('span', { text: info.title }),
          info.category ? el('span', { class: 'tx-how', text: info.category }) : null),
        numCell(formatNumber(p)),
        numCell(signed(b), b > 0 ? 'pos' : null),
        numCell(signed(-h), h > 0 ? 'neg' : null),
        numCell(signed(p + b - h)),
        el('td', { class: 'time', text: c.solved_at ? formatTime(c.solved_at, zone) : t('tx.sc.not_solved') }));
    });
    // Hints bought on challenges not (yet) solved are in the team's hint total only.
    if (unsolvedHints > 0) {
      rows.push(el('tr', { class: 'tx-muted' },
        el('th', { scope: 'row', text: t('tx.sc.ch_unsolved_hints') }),
        numCell(formatNumber(0)),
        numCell(signed(0)),
        numCell(signed(-unsolvedHints), 'neg'),
        numCell(signed(-unsolvedHints)),
        el('td', { class: 'time', text: t('tx.sc.not_solved') })));
    }
    const part = el('div', { class: 'tx-part' }, el('h3', { text: t('tx.sc.ch_heading') }));
    if (!rows.length) {
      part.append(el('p', { class: 'muted', text: t('tx.sc.ch_none') }));
      return part;
    }
    part.append(el('div', { class: 'table-wrap' },
      el('table', { class: 'tx-table', id: 'tx-sc-challenges' },
        el('caption', { class: 'sr-only', text: t('tx.sc.ch_caption') }),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: t('tx.sc.ch_title') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.ch_points') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.ch_bonus') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.ch_hints') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.ch_net') }),
          el('th', { scope: 'col', text: t('tx.sc.ch_at') }))),
        el('tbody', null, rows),
        el('tfoot', null, el('tr', null,
          el('th', { scope: 'row', text: t('tx.sc.ch_sum') }),
          numCell(formatNumber(sum.p)),
          numCell(signed(sum.b)),
          numCell(signed(-sum.h)),
          numCell(signed(sum.p + sum.b - sum.h)),
          el('td', null))))),
    el('p', { class: 'muted small', text: t('tx.sc.ch_value_note') }));
    return part;
  }

  function reportsPart(row, titles) {
    const zone = d.zone();
    const list = Array.isArray(row.reports) ? row.reports : [];
    const part = el('div', { class: 'tx-part' }, el('h3', { text: t('tx.sc.rep_heading') }));
    if (!list.length) {
      part.append(el('p', { class: 'muted', text: t('tx.sc.rep_none') }));
      return part;
    }
    let sum = 0;
    const rows = list.map((r) => {
      const p = num(r.points);
      sum += p;
      const late = num(r.minutes_late);
      return el('tr', null,
        el('th', { scope: 'row', text: titles[r.inject] || String(r.inject) }),
        numCell(formatNumber(num(r.total))),
        numCell(late > 0 ? t('tx.sc.rep_minutes', { m: formatNumber(late) }) : t('tx.sc.rep_on_time'), late > 0 ? 'neg' : null),
        numCell(`\u00d7 ${formatNumber(num(r.late_factor))}`),
        numCell(`\u00d7 ${formatNumber(num(r.weight))}`),
        numCell(formatNumber(p)),
        el('td', { class: 'time', text: formatTime(r.counted_at, zone) }));
    });
    part.append(el('div', { class: 'table-wrap' },
      el('table', { class: 'tx-table', id: 'tx-sc-reports' },
        el('caption', { class: 'sr-only', text: t('tx.sc.rep_caption') }),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: t('tx.sc.rep_inject') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.rep_total') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.rep_late') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.rep_factor') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.rep_weight') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.rep_points') }),
          el('th', { scope: 'col', text: t('tx.sc.rep_counted') }))),
        el('tbody', null, rows),
        el('tfoot', null, el('tr', null,
          el('th', { scope: 'row', colspan: '5', text: t('tx.sc.rep_sum') }),
          numCell(formatNumber(sum)),
          el('td', null))))));
    return part;
  }

  function servicesPart(svc) {
    const part = el('div', { class: 'tx-part' }, el('h3', { text: t('tx.sc.svc_heading') }));
    if (!svc.row) {
      part.append(el('p', { class: 'muted', text: t('tx.sc.svc_none') }));
      return part;
    }
    const cells = new Map((Array.isArray(svc.row.services) ? svc.row.services : []).map((c) => [c.service, c]));
    const sums = { attack: 0, defense: 0, sla: 0, captured: 0, lost: 0 };
    const rows = svc.services.map((s) => {
      const c = cells.get(s.id) || {};
      for (const k of Object.keys(sums)) sums[k] += num(c[k]);
      return el('tr', null,
        el('th', { scope: 'row', text: pick(s.name) || String(s.id) }),
        numCell(formatNumber(num(c.attack))),
        numCell(signed(num(c.defense)), num(c.defense) < 0 ? 'neg' : null),
        numCell(formatNumber(num(c.sla))),
        numCell(formatNumber(num(c.captured))),
        numCell(formatNumber(num(c.lost))));
    });
    part.append(el('div', { class: 'table-wrap' },
      el('table', { class: 'tx-table', id: 'tx-sc-services' },
        el('caption', { class: 'sr-only', text: t('tx.sc.svc_caption') }),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: t('tx.sc.svc_service') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.attack') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.defense') }),
          el('th', { scope: 'col', class: 'num' }, el('abbr', { title: t('tx.sc.sla'), text: 'SLA' })),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.svc_captured') }),
          el('th', { scope: 'col', class: 'num', text: t('tx.sc.svc_lost') }))),
        el('tbody', null, rows),
        el('tfoot', null, el('tr', null,
          el('th', { scope: 'row', text: t('tx.sc.svc_sum') }),
          numCell(formatNumber(sums.attack)),
          numCell(signed(sums.defense), sums.defense < 0 ? 'neg' : null),
          numCell(formatNumber(sums.sla)),
          numCell(formatNumber(sums.captured)),
          numCell(formatNumber(sums.lost)))))));
    return part;
  }

  // ---------------------------------------------------------------- API tokens

  function activeId() {
    const a = document.activeElement;
    return a && a.id ? a.id : null;
  }

  function refocus(id) {
    if (!id || (document.activeElement && document.activeElement.id === id)) return;
    const n = document.getElementById(id);
    if (n) n.focus({ preventScroll: true });
  }

  function renderTokens() {
    const section = $('tx-tokens-section');
    if (!section) return;
    if (!isTeam()) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    if (tk.lang !== getLang() || !$('tx-tokens-heading')) buildTokens(section);
    updateDenied();
    updateFresh(false);
    updateList();
    updateForm();
    updateUsage();
  }

  /** The section's frame: heading, intro, and the places filled by the update functions. */
  function buildTokens(section) {
    const focus = activeId();
    const keep = $('tx-token-label') ? $('tx-token-label').value : '';
    tk.lang = getLang();
    tk.listSig = null;
    tk.usageSig = null;
    const input = el('input', {
      id: 'tx-token-label',
      name: 'label',
      type: 'text',
      maxlength: String(MAX_LABEL),
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'tx-token-label-help tx-token-label-error',
    });
    input.value = keep;
    const form = el('form', { id: 'tx-token-form', class: 'tx-token-form', novalidate: true, 'aria-labelledby': 'tx-token-form-h' },
      el('h3', { id: 'tx-token-form-h', text: t('tx.tok.form_heading') }),
      el('label', { for: 'tx-token-label', text: t('tx.tok.label') }),
      el('p', { class: 'muted small', id: 'tx-token-label-help', text: t('tx.tok.label_help') }),
      el('div', { class: 'controls' },
        input,
        el('button', { type: 'submit', class: 'btn', id: 'tx-token-create', text: t('tx.tok.create') })),
      el('p', { class: 'field-error', id: 'tx-token-label-error' }),
      el('p', { class: 'msg', id: 'tx-token-form-msg', hidden: true }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      createToken();
    });
    section.replaceChildren(
      el('h2', { id: 'tx-tokens-heading', tabindex: '-1', text: t('tx.tok.heading') }),
      el('p', { text: t('tx.tok.intro') }),
      el('p', { class: 'muted small', text: t('tx.tok.password_only') }),
      el('div', { id: 'tx-tok-denied', class: 'notice msg-warn', hidden: true }),
      el('div', { id: 'tx-new-token', class: 'tx-new-token', role: 'region', 'aria-labelledby': 'tx-new-token-h', hidden: true }),
      el('div', { class: 'tx-part' },
        el('h3', { id: 'tx-tok-list-h', tabindex: '-1', text: t('tx.tok.list_heading') }),
        el('p', { class: 'muted small', id: 'tx-tok-count', hidden: true }),
        el('div', { id: 'tx-token-list' }),
        el('p', { class: 'msg', id: 'tx-tok-msg', tabindex: '-1', hidden: true })),
      form,
      el('div', { class: 'tx-part tx-usage' },
        el('h3', { id: 'tx-tok-usage-h', text: t('tx.tok.usage_heading') }),
        el('p', { class: 'muted small', text: t('tx.tok.usage_intro') }),
        el('dl', { id: 'tx-tok-usage', class: 'tx-usage-list' })));
    updateFresh(true);
    refocus(focus);
  }

  function updateDenied() {
    const box = $('tx-tok-denied');
    if (!box) return;
    box.hidden = !tk.denied;
    box.replaceChildren(...(tk.denied ? [
      el('p', { class: 'msg-title', text: t('tx.tok.denied') }),
      el('p', { class: 'muted small', text: t('tx.tok.server', { message: tk.denied }) }),
    ] : []));
  }

  /** The token just created. Drawn only when it changes (keeps the selection in its field). */
  function updateFresh(force) {
    const box = $('tx-new-token');
    if (!box) return;
    const f = tk.fresh;
    const sig = f ? `${tk.lang}|${f.id}|${tk.copyMsg || ''}` : '';
    if (!force && box.dataset.sig === sig) return;
    box.dataset.sig = sig;
    box.hidden = !f;
    if (!f) {
      box.replaceChildren();
      return;
    }
    const focus = activeId();
    const value = el('textarea', {
      id: 'tx-new-token-value',
      class: 'tx-token-value',
      readonly: true,
      rows: '2',
      spellcheck: 'false',
      autocomplete: 'off',
      autocapitalize: 'off',
      'aria-describedby': 'tx-new-token-warn',
    });
    value.value = f.token;
    value.addEventListener('focus', () => value.select());
    const copyText = tk.copyMsg === 'copied' ? t('tx.tok.copied') : tk.copyMsg === 'selected' ? t('tx.tok.selected') : '';
    box.replaceChildren(
      el('h3', { id: 'tx-new-token-h', tabindex: '-1', text: t('tx.tok.new_heading', { label: f.label || t('tx.tok.no_label') }) }),
      el('p', { class: 'tx-once', id: 'tx-new-token-warn' },
        el('span', { 'aria-hidden': 'true', text: '\u26a0 ' }),
        t('tx.tok.once')),
      el('label', { for: 'tx-new-token-value', text: t('tx.tok.value_label') }),
      value,
      el('div', { class: 'tx-actions' },
        el('button', { type: 'button', class: 'btn', id: 'tx-copy', 'aria-describedby': 'tx-copy-status', onclick: copyToken, text: t('tx.tok.copy') }),
        el('button', { type: 'button', class: 'btn btn-secondary', id: 'tx-new-token-done', onclick: dismissFresh, text: t('tx.tok.done') })),
      el('p', { class: 'small tx-copy-status', id: 'tx-copy-status', role: 'status', text: copyText }));
    refocus(focus);
  }

  function updateList() {
    const root = $('tx-token-list');
    if (!root) return;
    const focus = activeId();
    const count = $('tx-tok-count');
    const msg = $('tx-tok-msg');
    if (msg) {
      const fresh = msgNode(tk.listMsg, 'tx-tok-msg', true);
      if (msg.outerHTML !== fresh.outerHTML) {
        msg.replaceWith(fresh);
        refocus(focus);
      }
    }
    const list = tk.list;
    const sig = JSON.stringify([tk.lang, d.zone() || '', list, tk.error && d.errorText(tk.error), Boolean(tk.denied), [...tk.revoking]]);
    if (sig === tk.listSig) return;
    tk.listSig = sig;
    if (!list) {
      count.hidden = true;
      if (tk.denied) {
        root.replaceChildren();
      } else if (tk.error) {
        root.replaceChildren(el('p', { class: 'msg msg-error', text: t('tx.tok.load_failed', { message: d.errorText(tk.error) }) }));
      } else {
        root.replaceChildren(el('p', { class: 'muted', text: t('loading') }));
      }
      refocus(focus);
      return;
    }
    const revoked = list.filter((k) => k.revoked_at).length;
    count.hidden = !list.length;
    count.textContent = t('tx.tok.count', { active: formatNumber(list.length - revoked), revoked: formatNumber(revoked) });
    if (!list.length) {
      root.replaceChildren(el('p', { class: 'muted', text: t('tx.tok.none') }));
      refocus(focus);
      return;
    }
    const zone = d.zone();
    const parts = [];
    if (tk.error) {
      parts.push(el('p', { class: 'msg msg-error', text: t('tx.tok.load_failed', { message: d.errorText(tk.error) }) }));
    }
    parts.push(el('div', { class: 'table-wrap' },
      el('table', { class: 'tx-table tx-token-table', id: 'tx-token-table' },
        el('caption', { class: 'sr-only', text: t('tx.tok.caption') }),
        el('thead', null, el('tr', null,
          el('th', { scope: 'col', text: t('tx.tok.col_label') }),
          el('th', { scope: 'col', text: t('tx.tok.col_prefix') }),
          el('th', { scope: 'col', text: t('tx.tok.col_created') }),
          el('th', { scope: 'col', text: t('tx.tok.col_status') }),
          el('th', { scope: 'col', text: t('tx.tok.col_action') }))),
        el('tbody', null, list.map((k) => {
          const label = k.label ? String(k.label) : '';
          const busy = tk.revoking.has(k.id);
          // data-label: the column name, shown before each value when a phone stacks the rows.
          return el('tr', { class: k.revoked_at ? 'tx-muted' : null },
            el('th', { scope: 'row', class: 'tx-label' }, label || el('span', { class: 'muted', text: t('tx.tok.no_label') })),
            el('td', { 'data-label': t('tx.tok.col_prefix') }, el('code', { text: String(k.prefix || '') })),
            el('td', { class: 'time', 'data-label': t('tx.tok.col_created'), text: formatTime(k.created_at, zone) }),
            el('td', { 'data-label': t('tx.tok.col_status'), text: k.revoked_at ? t('tx.tok.revoked_at', { time: formatTime(k.revoked_at, zone) }) : t('tx.tok.active') }),
            el('td', { class: 'tx-action' }, k.revoked_at || tk.denied ? el('span', { class: 'muted', text: t('dash') }) : el('button', {
              type: 'button',
              class: 'btn btn-secondary btn-small',
              id: `tx-revoke-${k.id}`,
              'aria-label': t('tx.tok.revoke_named', { label: label || t('tx.tok.no_label'), prefix: String(k.prefix || '') }),
              'aria-disabled': busy ? 'true' : null,
              onclick: () => revokeToken(k),
            }, busy ? t('tx.tok.revoking') : t('tx.tok.revoke'))));
        })))));
    root.replaceChildren(...parts);
    refocus(focus);
  }

  function updateForm() {
    const form = $('tx-token-form');
    if (!form) return;
    form.hidden = Boolean(tk.denied);
    const btn = $('tx-token-create');
    btn.textContent = tk.creating ? t('tx.tok.creating') : t('tx.tok.create');
    if (tk.creating) btn.setAttribute('aria-disabled', 'true');
    else btn.removeAttribute('aria-disabled');
    const input = $('tx-token-label');
    $('tx-token-label-error').textContent = tk.labelError ? tk.labelError() : '';
    if (tk.labelError) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    const old = $('tx-token-form-msg');
    const fresh = msgNode(tk.formMsg, 'tx-token-form-msg', false);
    if (old.outerHTML !== fresh.outerHTML) old.replaceWith(fresh);
  }

  function updateUsage() {
    const dl = $('tx-tok-usage');
    if (!dl) return;
    const ex = d.exercise();
    const game = ex && ex.attack_defense ? ex.attack_defense : null;
    const tcp = tcpTarget(game);
    const origin = window.location.origin;
    const sig = JSON.stringify([tk.lang, origin, Boolean(game), tcp]);
    if (sig === tk.usageSig) return;
    tk.usageSig = sig;
    const flag = t('tx.tok.example_flag');
    const code = (lines) => el('pre', null, el('code', { text: lines.join('\n') }));
    const items = [];
    items.push(
      el('dt', { text: t('tx.tok.use_api_title') }),
      el('dd', null,
        el('p', { text: t('tx.tok.use_api') }),
        code([
          'DRILL_TOKEN=dbt_\u2026',
          `curl -s ${origin}/api/v1/challenges \\`,
          '  -H "Authorization: Bearer $DRILL_TOKEN"',
        ])));
    if (game) {
      items.push(
        el('dt', { text: t('tx.tok.use_flags_title') }),
        el('dd', null,
          el('p', { text: t('tx.tok.use_flags') }),
          code([
            `curl -s -X PUT ${origin}/flags \\`,
            '  -H "X-Team-Token: $DRILL_TOKEN" \\',
            "  -H 'Content-Type: application/json' \\",
            `  -d '["${flag}"]'`,
          ])),
        el('dt', { text: t('tx.tok.use_tcp_title') }),
        tcp
          ? el('dd', null,
            el('p', { text: t('tx.tok.use_tcp', { addr: tcp.addr }) }),
            code([`printf '%s\\n' "$DRILL_TOKEN" ${flag} | nc ${tcp.host} ${tcp.port}`]))
          : el('dd', { text: t('tx.tok.use_tcp_off') }));
    } else {
      items.push(el('dt', { text: t('tx.tok.use_flags_title') }),
        el('dd', { class: 'muted', text: t('tx.tok.use_no_ad') }));
    }
    dl.replaceChildren(...items);
  }

  async function loadTokens() {
    if (!isTeam()) return;
    if (tk.loading) {
      tk.again = true;
      return;
    }
    tk.loading = true;
    tk.again = false;
    const id = teamId();
    try {
      const list = await api.get(`/api/v1/teams/${seg(id)}/tokens`);
      if (!isTeam() || teamId() !== id) return;
      tk.list = Array.isArray(list) ? list : [];
      tk.error = null;
      tk.denied = null;
    } catch (e) {
      if (!isTeam() || teamId() !== id) return;
      if (e.status === 401) {
        d.expire();
        return;
      }
      if (isTokenCaller(e, d.me())) {
        tk.denied = serverText(e) || t('error.forbidden');
        tk.list = null;
        tk.error = null;
      } else {
        tk.error = e; // What was shown stays shown, under the error.
      }
    } finally {
      tk.loading = false;
    }
    renderTokens();
    if (tk.again) loadTokens();
  }

  async function createToken() {
    if (tk.creating || !isTeam()) return;
    const input = $('tx-token-label');
    const label = input.value.trim();
    const n = [...label].length;
    tk.formMsg = null;
    if (n > MAX_LABEL) {
      tk.labelError = () => t('tx.tok.label_long', { n });
      updateForm();
      input.focus();
      return;
    }
    tk.labelError = null;
    tk.creating = true;
    updateForm();
    const id = teamId();
    let created = null;
    try {
      created = await api.post(`/api/v1/teams/${seg(id)}/tokens`, label ? { label } : undefined);
    } catch (e) {
      tk.creating = false;
      if (e.status === 401) {
        d.expire();
        return;
      }
      const server = serverText(e);
      if (isTokenCaller(e, d.me())) {
        tk.denied = server || t('error.forbidden');
      } else if (e.status === 400 && e.field === 'label') {
        tk.labelError = () => t('tx.tok.create_failed', { message: server });
      } else {
        const message = d.errorText(e);
        tk.formMsg = { kind: 'error', text: () => t('tx.tok.create_failed', { message }), server: e.status === 0 ? null : server };
      }
      renderTokens();
      if (tk.labelError) input.focus();
      else if (tk.denied) $('tx-tokens-heading').focus();
      else d.announce(tk.formMsg.text());
      return;
    }
    tk.creating = false;
    if (!isTeam() || teamId() !== id) return;
    tk.fresh = {
      id: created && created.id,
      token: String((created && created.token) || ''),
      prefix: String((created && created.prefix) || ''),
      label: created && typeof created.label === 'string' ? created.label : label,
    };
    tk.copyMsg = null;
    input.value = '';
    renderTokens();
    const value = $('tx-new-token-value');
    if (value) {
      value.focus();
      value.select();
    }
    d.announce(t('tx.tok.created_sr', { prefix: tk.fresh.prefix }));
    loadTokens();
  }

  async function copyToken() {
    const f = tk.fresh;
    const value = $('tx-new-token-value');
    if (!f || !value) return;
    let ok = false;
    if (window.isSecureContext && navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      try {
        await navigator.clipboard.writeText(f.token);
        ok = true;
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      // Plain http on a drill network has no clipboard API: select the token for the user.
      value.focus();
      value.select();
      try {
        value.setSelectionRange(0, value.value.length);
      } catch {
        // Selected already.
      }
      try {
        ok = typeof document.execCommand === 'function' && document.execCommand('copy');
      } catch {
        ok = false;
      }
    }
    tk.copyMsg = ok ? 'copied' : 'selected';
    const status = $('tx-copy-status');
    if (status) status.textContent = ok ? t('tx.tok.copied') : t('tx.tok.selected');
    const box = $('tx-new-token');
    if (box) box.dataset.sig = `${tk.lang}|${f.id}|${tk.copyMsg}`;
  }

  function dismissFresh() {
    tk.fresh = null;
    tk.copyMsg = null;
    updateFresh(true);
    const input = $('tx-token-label');
    if (input) input.focus();
  }

  async function revokeToken(k) {
    if (tk.revoking.has(k.id) || !isTeam()) return;
    const label = k.label ? String(k.label) : t('tx.tok.no_label');
    const prefix = String(k.prefix || '');
    const ok = await d.confirm(
      t('tx.tok.revoke_title'),
      t('tx.tok.revoke_text', { label, prefix }),
      t('tx.tok.revoke_ok'),
    );
    if (!ok || !isTeam()) return;
    tk.revoking.add(k.id);
    tk.listMsg = null;
    updateList();
    try {
      const r = await api.request('DELETE', `/api/v1/tokens/${seg(k.id)}`);
      const at = (r && r.revoked_at) || new Date().toISOString();
      const cur = tk.list && tk.list.find((x) => x.id === k.id);
      if (cur) cur.revoked_at = at;
      tk.listMsg = { kind: 'success', text: () => t('tx.tok.revoked', { prefix, time: formatTime(at, d.zone()) }) };
      if (tk.fresh && tk.fresh.id === k.id) {
        tk.fresh = null;
        tk.copyMsg = null;
      }
    } catch (e) {
      tk.revoking.delete(k.id);
      if (e.status === 401) {
        d.expire();
        return;
      }
      if (isTokenCaller(e, d.me())) {
        tk.denied = serverText(e) || t('error.forbidden');
      } else {
        const message = d.errorText(e);
        tk.listMsg = { kind: 'error', text: () => t('tx.tok.revoke_failed', { message }), server: e.status === 0 ? null : serverText(e) };
      }
    }
    tk.revoking.delete(k.id);
    renderTokens();
    const msg = $('tx-tok-msg');
    if (msg && !msg.hidden) msg.focus();
    else $('tx-tokens-heading').focus();
    loadTokens();
  }

  // ---------------------------------------------------------------- hooks for team.js

  return {
    /** A scoreboard answer arrived (every refresh of the page's scores). */
    board(sb) {
      sc.board = sb && typeof sb === 'object' ? sb : null;
      renderScore();
    },
    /** The service grid arrived (attack/defend), or is gone (null). */
    services(sv) {
      sc.services = sv && typeof sv === 'object' ? sv : null;
      renderScore();
    },
    /** A full load finished: the login, the exercise and the injects are known. */
    loaded() {
      renderScore();
      renderTokens();
      loadTokens();
    },
    /** The language changed. */
    rerender() {
      sc.sig = null;
      renderScore();
      renderTokens();
    },
    /** Signed out (or the session ended): forget everything, the token shown once included. */
    reset() {
      sc.board = null;
      sc.services = null;
      sc.sig = null;
      tk.list = null;
      tk.error = null;
      tk.denied = null;
      tk.again = false;
      tk.creating = false;
      tk.revoking.clear();
      tk.fresh = null;
      tk.copyMsg = null;
      tk.listMsg = null;
      tk.formMsg = null;
      tk.labelError = null;
      tk.lang = null;
      tk.listSig = null;
      tk.usageSig = null;
      const score = $('tx-score');
      if (score) {
        score.hidden = true;
        score.open = false;
      }
      const body = $('tx-score-body');
      if (body) body.replaceChildren();
      const section = $('tx-tokens-section');
      if (section) {
        section.hidden = true;
        section.replaceChildren();
      }
    },
  };
}
