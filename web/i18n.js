// Bilingual (Vietnamese / English) texts and locale-aware formatting for every page.
//
// Static markup is translated through attributes:
//   data-i18n="key"                  → the element's textContent
//   data-i18n-attr="attr:key;attr:key" → attributes (placeholder, aria-label, title, …)
// Dynamic content calls t(key, vars) and re-renders on onLangChange().

export const LANG_KEY = 'drillboard.lang';
export const LANGS = ['vi', 'en'];
const DEFAULT_LANG = 'vi';
const LOCALES = { vi: 'vi-VN', en: 'en-GB' };

/** key → {vi, en}. `{name}` placeholders are filled by t(key, {name: …}). */
const DICT = {
  // ---- shared chrome ----
  'app.name': { vi: 'drillboard', en: 'drillboard' },
  'app.tagline': { vi: 'Diễn tập an toàn thông tin mạng', en: 'Cyber drill' },
  'skip': { vi: 'Bỏ qua, đến nội dung chính', en: 'Skip to main content' },
  'nav.label': { vi: 'Điều hướng chính', en: 'Main navigation' },
  'nav.board': { vi: 'Bảng xếp hạng', en: 'Leaderboard' },
  'nav.team': { vi: 'Trang đội', en: 'Team page' },
  'nav.docs': { vi: 'Tài liệu API', en: 'API reference' },
  'lang.label': { vi: 'Ngôn ngữ', en: 'Language' },
  'loading': { vi: 'Đang tải…', en: 'Loading…' },
  'dash': { vi: '—', en: '—' },
  'list.sep': { vi: ', ', en: ', ' },

  // ---- errors ----
  'error.network': {
    vi: 'Không kết nối được với máy chủ.',
    en: 'Cannot reach the server.',
  },
  'error.generic': { vi: 'Lỗi: {message}', en: 'Error: {message}' },
  'error.forbidden': {
    vi: 'Tài khoản không có quyền xem nội dung này.',
    en: 'This account may not see this content.',
  },

  // ---- exercise status and clock ----
  'status.not_started': { vi: 'Chưa bắt đầu', en: 'Not started' },
  'status.running': { vi: 'Đang diễn ra', en: 'Running' },
  'status.paused': { vi: 'Tạm dừng', en: 'Paused' },
  'status.ended': { vi: 'Đã kết thúc', en: 'Ended' },
  'status.unknown': { vi: 'Không rõ trạng thái', en: 'Unknown status' },
  'clock.now': { vi: 'Bây giờ: {time}', en: 'Now: {time}' },
  'clock.remaining': { vi: 'Còn lại {d}', en: '{d} left' },
  'clock.starts_in': { vi: 'Bắt đầu sau {d}', en: 'Starts in {d}' },
  'clock.starts_at': { vi: 'Bắt đầu lúc {time}', en: 'Starts at {time}' },
  'clock.ends_at': { vi: 'Kết thúc lúc {time}', en: 'Ends at {time}' },
  'clock.ended_at': { vi: 'Đã kết thúc lúc {time}', en: 'Ended at {time}' },
  'clock.paused': {
    vi: 'Cuộc diễn tập đang tạm dừng',
    en: 'The exercise is paused',
  },
  'clock.freeze_at': {
    vi: 'Đóng băng bảng xếp hạng lúc {time}',
    en: 'Leaderboard freezes at {time}',
  },
  'clock.timezone': { vi: 'Múi giờ: {tz}', en: 'Time zone: {tz}' },
  'duration.days': { vi: '{n} ngày', en: '{n} d' },
  'updated.at': { vi: 'Cập nhật lúc {time}', en: 'Updated at {time}' },
  'updated.failed': {
    vi: 'Không cập nhật được ({message}). Đang thử lại…',
    en: 'Update failed ({message}). Retrying…',
  },

  // ---- leaderboard page ----
  'board.page_title': { vi: 'Bảng xếp hạng — drillboard', en: 'Leaderboard — drillboard' },
  'board.heading': { vi: 'Bảng xếp hạng', en: 'Leaderboard' },
  'board.frozen': {
    vi: 'Bảng xếp hạng đang đóng băng: các lần nộp cờ sau thời điểm đóng băng chưa được hiển thị cho đến khi công bố kết quả.',
    en: 'The leaderboard is frozen: flags submitted after the freeze are not shown until the results are announced.',
  },
  'board.frozen_since': { vi: 'Đóng băng từ {time}.', en: 'Frozen since {time}.' },
  'board.as_of': { vi: 'Số liệu tính đến {time}', en: 'Standings as of {time}' },
  'board.teams': { vi: '{n} đội', en: '{n} teams' },
  'board.help': {
    vi: 'Chọn một đội để xem chi tiết từng điểm.',
    en: 'Select a team to see where every point comes from.',
  },
  'board.empty': {
    vi: 'Chưa có đội nào trên bảng xếp hạng.',
    en: 'No teams on the leaderboard yet.',
  },
  'board.caption': {
    vi: 'Thứ hạng các đội',
    en: 'Team standings',
  },
  'col.rank': { vi: 'Hạng', en: 'Rank' },
  'col.team': { vi: 'Đội', en: 'Team' },
  'col.score': { vi: 'Điểm', en: 'Score' },
  'col.solves': { vi: 'Số bài đã giải', en: 'Solves' },
  'col.reached': { vi: 'Thời điểm đạt điểm', en: 'Score reached at' },
  'rank.sr': { vi: 'Hạng {rank}/{of}', en: 'Rank {rank} of {of}' },
  'detail.caption': {
    vi: 'Chi tiết điểm của đội {team}',
    en: 'Score breakdown for {team}',
  },
  'detail.challenge': { vi: 'Thử thách', en: 'Challenge' },
  'detail.points': { vi: 'Điểm bài', en: 'Points' },
  'detail.first_blood': {
    vi: 'Thưởng giải nhanh nhất (first blood)',
    en: 'First-blood bonus',
  },
  'detail.hint_cost': { vi: 'Trừ điểm gợi ý', en: 'Hint cost' },
  'detail.net': { vi: 'Cộng', en: 'Net' },
  'detail.solved_at': { vi: 'Thời điểm giải', en: 'Solved at' },
  'detail.not_solved': { vi: 'Chưa giải', en: 'Not solved' },
  'detail.sum': { vi: 'Cộng các bài', en: 'Sum of challenges' },
  'detail.none': {
    vi: 'Đội chưa có điểm nào từ thử thách.',
    en: 'No points from challenges yet.',
  },
  'detail.tasks': { vi: 'Điểm thử thách', en: 'Challenges' },
  'detail.unsolved_hints': {
    vi: 'Gợi ý đã mở ở bài chưa giải',
    en: 'Hints unlocked on unsolved challenges',
  },
  'detail.weight': { vi: 'Hệ số điểm thử thách', en: 'Challenge weight' },
  'detail.adjustments': {
    vi: 'Điều chỉnh của ban tổ chức / ban giám khảo',
    en: 'Adjustments by organisers / judges',
  },
  'detail.total': { vi: 'Tổng điểm', en: 'Total score' },
  'detail.reached': { vi: 'Đạt điểm này lúc', en: 'Score reached at' },
  'board.challenges': { vi: 'Thử thách', en: 'Challenges' },
  'board.no_challenges': {
    vi: 'Chưa có thử thách nào được công bố.',
    en: 'No challenges published yet.',
  },
  'chcol.title': { vi: 'Thử thách', en: 'Challenge' },
  'chcol.category': { vi: 'Danh mục', en: 'Category' },
  'chcol.value': { vi: 'Giá trị (điểm)', en: 'Value (points)' },
  'chcol.solves': { vi: 'Số đội đã giải', en: 'Teams solved' },

  // ---- team page: login ----
  'team.page_title': { vi: 'Trang đội — drillboard', en: 'Team page — drillboard' },
  'login.heading': { vi: 'Đăng nhập đội', en: 'Team sign-in' },
  'login.intro': {
    vi: 'Dùng tài khoản ban tổ chức cấp cho đội ứng cứu sự cố của bạn.',
    en: 'Use the account the organisers gave your incident response team.',
  },
  'login.username': { vi: 'Tên đăng nhập', en: 'Username' },
  'login.password': { vi: 'Mật khẩu', en: 'Password' },
  'login.submit': { vi: 'Đăng nhập', en: 'Sign in' },
  'login.submitting': { vi: 'Đang đăng nhập…', en: 'Signing in…' },
  'login.missing': {
    vi: 'Hãy nhập tên đăng nhập và mật khẩu.',
    en: 'Enter your username and password.',
  },
  'login.bad': {
    vi: 'Sai tên đăng nhập hoặc mật khẩu.',
    en: 'Wrong username or password.',
  },
  'login.too_many_wait': {
    vi: 'Quá nhiều lần đăng nhập không thành công. Vui lòng thử lại sau {s} giây.',
    en: 'Too many failed sign-in attempts. Please try again in {s} seconds.',
  },
  'login.too_many': {
    vi: 'Quá nhiều lần đăng nhập không thành công. Vui lòng thử lại sau.',
    en: 'Too many failed sign-in attempts. Please try again later.',
  },
  'login.expired': {
    vi: 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.',
    en: 'Your session has expired. Please sign in again.',
  },
  'login.logged_out': { vi: 'Đã đăng xuất.', en: 'Signed out.' },

  // ---- team page: signed in ----
  'team.logout': { vi: 'Đăng xuất', en: 'Sign out' },
  'team.signed_in_as': {
    vi: 'Đăng nhập: {user} ({role})',
    en: 'Signed in as {user} ({role})',
  },
  'role.organiser': { vi: 'ban tổ chức', en: 'organiser' },
  'role.judge': { vi: 'giám khảo', en: 'judge' },
  'role.team': { vi: 'đội', en: 'team' },
  'team.not_team': {
    vi: 'Tài khoản này không thuộc đội nào; trang này dành cho các đội tham gia diễn tập.',
    en: 'This account does not belong to a team; this page is for the teams taking part.',
  },
  'team.standing': {
    vi: 'Điểm của đội: {score} · hạng {rank}/{of}',
    en: 'Team score: {score} · rank {rank} / {of}',
  },
  'team.standing_frozen': {
    vi: '(bảng xếp hạng công khai đang đóng băng)',
    en: '(the public leaderboard is frozen)',
  },
  'team.refresh': { vi: 'Làm mới', en: 'Refresh' },
  'team.auto_refresh': {
    vi: 'Danh sách tự cập nhật mỗi 30 giây.',
    en: 'The list updates itself every 30 seconds.',
  },
  'team.challenges': { vi: 'Thử thách', en: 'Challenges' },
  'team.no_challenges': {
    vi: 'Chưa có thử thách nào được mở.',
    en: 'No challenges have been released yet.',
  },
  'team.category_progress': {
    vi: 'đã giải {solved}/{total}',
    en: '{solved} of {total} solved',
  },
  'ch.value': { vi: '{n} điểm', en: '{n} points' },
  'ch.solves': { vi: '{n} đội đã giải', en: 'solved by {n} teams' },
  'ch.solved': { vi: 'Đã giải', en: 'Solved' },
  'ch.files': { vi: 'Tệp đính kèm', en: 'Files' },
  'ch.hints': { vi: 'Gợi ý', en: 'Hints' },
  'ch.hint_n': { vi: 'Gợi ý {n}', en: 'Hint {n}' },
  'ch.hint_cost': { vi: 'trừ {n} điểm', en: 'costs {n} points' },
  'ch.hint_free': { vi: 'miễn phí', en: 'free' },
  'ch.hint_unlock': { vi: 'Mở gợi ý {n}', en: 'Unlock hint {n}' },
  'ch.hint_unlocked': { vi: 'đã mở', en: 'unlocked' },
  'ch.requires': { vi: 'Cần giải trước: {list}', en: 'Requires: {list}' },
  'ch.flag': { vi: 'Cờ (flag)', en: 'Flag' },
  'ch.flag_for': { vi: 'cho thử thách “{title}”', en: 'for “{title}”' },
  'category.other': { vi: 'Khác', en: 'Other' },
  'ch.flag_placeholder': { vi: 'Nhập cờ (flag)…', en: 'Enter the flag…' },
  'ch.submit': { vi: 'Nộp cờ', en: 'Submit flag' },
  'ch.submitting': { vi: 'Đang nộp…', en: 'Submitting…' },

  // ---- flag feedback ----
  'fb.accepted': {
    vi: 'Chính xác! Đội được cộng {points} điểm.',
    en: 'Correct! {points} points awarded.',
  },
  'fb.incorrect': { vi: 'Cờ không đúng.', en: 'Incorrect flag.' },
  'fb.already_solved': {
    vi: 'Đội đã giải thử thách này rồi; không được cộng thêm điểm.',
    en: 'Your team already solved this challenge; no extra points.',
  },
  'fb.not_running': {
    vi: 'Cuộc diễn tập hiện không diễn ra (chưa bắt đầu, đang tạm dừng hoặc đã kết thúc), nên chưa thể nộp cờ.',
    en: 'The exercise is not running (not started, paused or ended), so flags cannot be submitted now.',
  },
  'fb.rate_limited_wait': {
    vi: 'Đội đã nộp sai quá nhiều lần. Vui lòng đợi {s} giây rồi nộp lại.',
    en: 'Too many wrong flags. Please wait {s} seconds before submitting again.',
  },
  'fb.rate_limited': {
    vi: 'Đội đã nộp sai quá nhiều lần. Vui lòng đợi một lúc rồi nộp lại.',
    en: 'Too many wrong flags. Please wait a moment before submitting again.',
  },
  'fb.rate_limit_over': {
    vi: 'Đã hết thời gian chờ, có thể nộp cờ lại.',
    en: 'The wait is over; you may submit again.',
  },
  'fb.empty': { vi: 'Hãy nhập cờ trước khi nộp.', en: 'Enter a flag first.' },
  'fb.server': { vi: 'Máy chủ: {message}', en: 'Server: {message}' },

  // ---- hint unlock confirmation ----
  'hint.confirm_title': { vi: 'Mở gợi ý?', en: 'Unlock this hint?' },
  'hint.confirm_text': {
    vi: 'Mở gợi ý {n} của thử thách “{title}” sẽ trừ {cost} điểm của đội. Không thể hoàn tác.',
    en: 'Unlocking hint {n} of “{title}” deducts {cost} points from your team. This cannot be undone.',
  },
  'hint.confirm_free': {
    vi: 'Gợi ý {n} của thử thách “{title}” miễn phí (không trừ điểm).',
    en: 'Hint {n} of “{title}” is free (no points deducted).',
  },
  'hint.confirm_ok': { vi: 'Mở gợi ý, trừ {cost} điểm', en: 'Unlock, deduct {cost} points' },
  'hint.confirm_ok_free': { vi: 'Mở gợi ý', en: 'Unlock' },
  'hint.cancel': { vi: 'Hủy', en: 'Cancel' },
  'hint.charged': { vi: 'Đã mở gợi ý; đội bị trừ {cost} điểm.', en: 'Hint unlocked; {cost} points deducted.' },
  'hint.not_charged': { vi: 'Đã mở gợi ý; không bị trừ điểm.', en: 'Hint unlocked; no points deducted.' },

  // ---- API reference page ----
  'docs.page_title': { vi: 'Tài liệu API — drillboard', en: 'API reference — drillboard' },
  'docs.heading': { vi: 'Tài liệu API', en: 'API reference' },
  'docs.filter': { vi: 'Lọc thao tác', en: 'Filter operations' },
  'docs.filter_hint': {
    vi: 'Theo đường dẫn, phương thức, nhãn hoặc mô tả',
    en: 'By path, method, tag or description',
  },
  'docs.count': {
    vi: 'Hiển thị {shown}/{total} thao tác',
    en: 'Showing {shown} of {total} operations',
  },
  'docs.no_match': {
    vi: 'Không có thao tác nào khớp bộ lọc.',
    en: 'No operation matches the filter.',
  },
  'docs.expand_all': { vi: 'Mở tất cả', en: 'Expand all' },
  'docs.collapse_all': { vi: 'Thu gọn tất cả', en: 'Collapse all' },
  'docs.raw': { vi: 'Tệp OpenAPI gốc (JSON)', en: 'Raw OpenAPI document (JSON)' },
  'docs.version': { vi: 'Phiên bản API {v}', en: 'API version {v}' },
  'docs.openapi_version': { vi: 'OpenAPI {v}', en: 'OpenAPI {v}' },
  'docs.servers': { vi: 'Máy chủ', en: 'Servers' },
  'docs.untagged': { vi: 'Khác', en: 'Other' },
  'docs.load_error': {
    vi: 'Không tải được tài liệu OpenAPI: {message}',
    en: 'Could not load the OpenAPI document: {message}',
  },
  'docs.no_paths': {
    vi: 'Tài liệu không có đường dẫn nào.',
    en: 'The document has no paths.',
  },
  'docs.operation_id': { vi: 'Mã thao tác', en: 'Operation ID' },
  'docs.security': { vi: 'Xác thực', en: 'Authentication' },
  'docs.security_none': { vi: 'Không cần (công khai)', en: 'None (public)' },
  'docs.security_anonymous': { vi: 'không xác thực', en: 'anonymous' },
  'docs.security_or': { vi: ' hoặc ', en: ' or ' },
  'docs.bearer': {
    vi: 'Bearer token (tiêu đề Authorization)',
    en: 'Bearer token (Authorization header)',
  },
  'docs.badge_public': { vi: 'công khai', en: 'public' },
  'docs.badge_auth': { vi: 'cần đăng nhập', en: 'auth' },
  'docs.scopes': { vi: 'phạm vi: {list}', en: 'scopes: {list}' },
  'docs.deprecated': { vi: 'không còn dùng', en: 'deprecated' },
  'docs.parameters': { vi: 'Tham số', en: 'Parameters' },
  'docs.param_name': { vi: 'Tên', en: 'Name' },
  'docs.param_in': { vi: 'Vị trí', en: 'In' },
  'docs.param_type': { vi: 'Kiểu', en: 'Type' },
  'docs.param_desc': { vi: 'Mô tả', en: 'Description' },
  'docs.in.path': { vi: 'đường dẫn', en: 'path' },
  'docs.in.query': { vi: 'truy vấn', en: 'query' },
  'docs.in.header': { vi: 'tiêu đề', en: 'header' },
  'docs.in.cookie': { vi: 'cookie', en: 'cookie' },
  'docs.required': { vi: 'bắt buộc', en: 'required' },
  'docs.request_body': { vi: 'Nội dung yêu cầu', en: 'Request body' },
  'docs.responses': { vi: 'Phản hồi', en: 'Responses' },
  'docs.no_body': { vi: 'Không có nội dung.', en: 'No body.' },
  'docs.example': { vi: 'Ví dụ', en: 'Example' },
  'docs.headers': { vi: 'Tiêu đề phản hồi:', en: 'Response headers:' },
  'docs.schemas': { vi: 'Lược đồ dữ liệu', en: 'Schemas' },
  'docs.link': { vi: 'Liên kết tới thao tác này', en: 'Link to this operation' },
  'schema.one_of': { vi: 'Một trong các dạng:', en: 'One of:' },
  'schema.any_of': { vi: 'Bất kỳ dạng nào trong:', en: 'Any of:' },
  'schema.all_of': { vi: 'Kết hợp tất cả:', en: 'All of:' },
  'schema.not': { vi: 'Không được khớp:', en: 'Must not match:' },
  'schema.items': { vi: 'Mỗi phần tử:', en: 'Each item:' },
  'schema.additional': { vi: 'Các khóa khác:', en: 'Other keys:' },
  'schema.additional_any': { vi: 'cho phép thêm khóa khác', en: 'other keys allowed' },
  'schema.enum': { vi: 'giá trị: {list}', en: 'values: {list}' },
  'schema.const': { vi: 'luôn bằng {v}', en: 'always {v}' },
  'schema.default': { vi: 'mặc định: {v}', en: 'default: {v}' },
  'schema.example': { vi: 'ví dụ: {v}', en: 'example: {v}' },
  'schema.range': { vi: 'khoảng: {v}', en: 'range: {v}' },
  'schema.length': { vi: 'độ dài: {v}', en: 'length: {v}' },
  'schema.items_count': { vi: 'số phần tử: {v}', en: 'items: {v}' },
  'schema.pattern': { vi: 'mẫu: {v}', en: 'pattern: {v}' },
  'schema.read_only': { vi: 'chỉ đọc', en: 'read-only' },
  'schema.write_only': { vi: 'chỉ ghi', en: 'write-only' },
  'schema.circular': { vi: '(tham chiếu vòng, xem ở trên)', en: '(circular reference, see above)' },
  'schema.too_deep': { vi: '(lồng quá sâu, đã rút gọn)', en: '(nested too deep, truncated)' },
  'schema.unresolved': { vi: '(không tìm thấy tham chiếu {ref})', en: '(reference {ref} not found)' },
  'schema.any': { vi: 'bất kỳ', en: 'any' },
};

let current = readStoredLang();
const listeners = new Set();

function readStoredLang() {
  try {
    const v = window.localStorage.getItem(LANG_KEY);
    if (LANGS.includes(v)) return v;
  } catch {
    // Storage may be blocked (private mode, policy): fall back to the default.
  }
  return DEFAULT_LANG;
}

/** Current UI language: 'vi' or 'en'. */
export function getLang() {
  return current;
}

/** BCP 47 locale for Intl formatting in the current language. */
export function getLocale() {
  return LOCALES[current] || LOCALES[DEFAULT_LANG];
}

/** Switch language, remember it, re-translate static markup and notify listeners. */
export function setLang(lang) {
  if (!LANGS.includes(lang)) return;
  try {
    window.localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Not remembered, but still switched for this page.
  }
  if (lang === current) return;
  current = lang;
  applyI18n();
  for (const fn of listeners) {
    try {
      fn(lang);
    } catch (e) {
      console.error(e);
    }
  }
}

/** Call fn(lang) after every language change. */
export function onLangChange(fn) {
  listeners.add(fn);
}

/** Translate a key, filling `{name}` placeholders from vars. */
export function t(key, vars) {
  const entry = DICT[key];
  let s;
  if (entry) {
    s = entry[current] ?? entry[DEFAULT_LANG];
  } else {
    console.warn('i18n: missing key', key);
    s = key;
  }
  if (vars) {
    s = s.replace(/\{(\w+)\}/g, (m, name) =>
      Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : m,
    );
  }
  return s;
}

/** Pick the current language from an API `{vi, en}` text (falls back to the other one). */
export function pick(text) {
  if (text == null) return '';
  if (typeof text === 'string') return text;
  if (typeof text === 'object') {
    const other = current === 'vi' ? 'en' : 'vi';
    const v = text[current];
    if (typeof v === 'string' && v !== '') return v;
    const o = text[other];
    return typeof o === 'string' ? o : '';
  }
  return String(text);
}

/** Translate every [data-i18n] and [data-i18n-attr] element under root. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const i = pair.indexOf(':');
      if (i < 0) continue;
      el.setAttribute(pair.slice(0, i).trim(), t(pair.slice(i + 1).trim()));
    }
  }
  if (root === document) {
    document.documentElement.lang = current;
    for (const b of document.querySelectorAll('.lang-switch button[data-lang]')) {
      b.setAttribute('aria-pressed', String(b.dataset.lang === current));
    }
  }
}

/** Translate the page and wire up the VI | EN switch. Call once per page. */
export function initI18n() {
  applyI18n();
  for (const b of document.querySelectorAll('.lang-switch button[data-lang]')) {
    b.addEventListener('click', () => setLang(b.dataset.lang));
  }
  // Follow a switch made in another tab.
  window.addEventListener('storage', (e) => {
    if (e.key === LANG_KEY && LANGS.includes(e.newValue) && e.newValue !== current) {
      setLang(e.newValue);
    }
  });
}

// ---------------------------------------------------------------- formatting

const numberFormats = new Map();

/** A score or count: thousands separators, at most 2 decimals, in the current locale. */
export function formatNumber(n) {
  if (n === null || n === undefined || n === '') return t('dash');
  const x = Number(n);
  if (!Number.isFinite(x)) return String(n);
  const key = getLocale();
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(key, { maximumFractionDigits: 2 });
    numberFormats.set(key, f);
  }
  // Avoid "-0".
  return f.format(Object.is(x, -0) ? 0 : x);
}

const dateFormats = new Map();
const zoneValidity = new Map();

/** Is tz an IANA zone this browser knows? */
export function isValidTimeZone(tz) {
  if (!tz || typeof tz !== 'string') return false;
  if (!zoneValidity.has(tz)) {
    let ok = true;
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
    } catch {
      ok = false;
    }
    zoneValidity.set(tz, ok);
  }
  return zoneValidity.get(tz);
}

const STYLES = {
  datetime: {
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  },
  short: {
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  },
  time: { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
};

function dateFormat(tz, style) {
  const zone = isValidTimeZone(tz) ? tz : undefined;
  const key = `${getLocale()}|${zone || ''}|${style}`;
  let f = dateFormats.get(key);
  if (!f) {
    const opts = { ...(STYLES[style] || STYLES.datetime) };
    if (zone) opts.timeZone = zone;
    f = new Intl.DateTimeFormat(getLocale(), opts);
    dateFormats.set(key, f);
  }
  return f;
}

/**
 * Format an RFC 3339 string (or a Date / epoch ms) in the exercise time zone.
 * style: 'datetime' (default), 'short' (day/month hour:minute) or 'time'.
 */
export function formatTime(value, tz, style = 'datetime') {
  if (value === null || value === undefined || value === '') return t('dash');
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return dateFormat(tz, style).format(d);
}

/** A length of time as "[N ngày ]hh:mm:ss". */
export function formatDuration(ms) {
  let s = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  const hms = `${hh}:${mm}:${ss}`;
  return days > 0 ? `${t('duration.days', { n: days })} ${hms}` : hms;
}

/** Label for an exercise status value. */
export function statusLabel(status) {
  const key = `status.${status}`;
  return DICT[key] ? t(key) : t('status.unknown');
}

/**
 * Clock lines for an exercise (from GET /api/v1/exercise) at server time nowMs:
 * countdown, start / end times, planned freeze. All times in the exercise time zone.
 */
export function clockLines(ex, nowMs) {
  if (!ex) return [];
  const tz = ex.timezone;
  const lines = [];
  const startMs = ex.started_at ? Date.parse(ex.started_at) : NaN;
  const endMs = ex.ends_at ? Date.parse(ex.ends_at) : NaN;
  const fmt = (v) => formatTime(v, tz);
  switch (ex.status) {
    case 'not_started':
      if (startMs > nowMs) lines.push(t('clock.starts_in', { d: formatDuration(startMs - nowMs) }));
      if (ex.started_at) lines.push(t('clock.starts_at', { time: fmt(ex.started_at) }));
      if (ex.ends_at) lines.push(t('clock.ends_at', { time: fmt(ex.ends_at) }));
      break;
    case 'running':
      if (endMs > nowMs) lines.push(t('clock.remaining', { d: formatDuration(endMs - nowMs) }));
      if (ex.ends_at) lines.push(t('clock.ends_at', { time: fmt(ex.ends_at) }));
      break;
    case 'paused':
      lines.push(t('clock.paused'));
      if (ex.ends_at) lines.push(t('clock.ends_at', { time: fmt(ex.ends_at) }));
      break;
    case 'ended':
      if (ex.ends_at) lines.push(t('clock.ended_at', { time: fmt(ex.ends_at) }));
      break;
    default:
      if (ex.ends_at) lines.push(t('clock.ends_at', { time: fmt(ex.ends_at) }));
  }
  if (ex.freeze_at && !ex.frozen && ex.status !== 'ended') {
    lines.push(t('clock.freeze_at', { time: fmt(ex.freeze_at) }));
  }
  return lines;
}

/** Small DOM helper: el('p', {class: 'x', text: '…'}, child, …). Text is always set as text. */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, '');
      else node.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}
