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
  'nav.judge': { vi: 'Chấm điểm', en: 'Judging' },
  'nav.organiser': { vi: 'Ban tổ chức', en: 'Organiser' },
  'lang.label': { vi: 'Ngôn ngữ', en: 'Language' },
  'loading': { vi: 'Đang tải…', en: 'Loading…' },
  'dash': { vi: '—', en: '—' },
  'list.sep': { vi: ', ', en: ', ' },

  // ---- errors ----
  'error.network': {
    vi: 'Không kết nối được với máy chủ.',
    en: 'Cannot reach the server.',
  },
  // ---- server errors, by their code (the English `message` stays for API users)
  'err.unauthorized': { vi: 'Cần đăng nhập lại: phiên đăng nhập không hợp lệ hoặc đã hết hạn.', en: 'Sign in again: the session is invalid or has expired.' },
  'err.forbidden': { vi: 'Tài khoản này không được làm việc này.', en: 'This login may not do this.' },
  'err.not_found': { vi: 'Không tìm thấy (có thể chưa được phát hành, hoặc không dành cho đội này).', en: 'Not found (it may not be released yet, or not be meant for this team).' },
  'err.payload_too_large': { vi: 'Nội dung gửi lên quá lớn.', en: 'What was sent is too large.' },
  'err.unsupported_media_type': { vi: 'Định dạng nội dung gửi lên không đúng.', en: 'What was sent has the wrong format.' },
  'err.invalid': { vi: 'Nội dung có lỗi; xem từng lỗi bên dưới.', en: 'The content has problems; see each below.' },
  'err.invalid_json': { vi: 'Nội dung gửi lên không phải JSON hợp lệ.', en: 'What was sent is not valid JSON.' },
  'err.invalid_field': { vi: 'Trường {field} không hợp lệ.', en: 'The field {field} is not valid.' },
  'err.invalid_query': { vi: 'Tham số trên địa chỉ không hợp lệ.', en: 'A parameter in the address is not valid.' },
  'err.invalid_path': { vi: 'Địa chỉ không hợp lệ.', en: 'The address is not valid.' },
  'err.control_character': { vi: 'Văn bản có ký tự điều khiển; hãy gõ lại bằng văn bản thường.', en: 'The text holds a control character; type it again as plain text.' },
  'err.unreadable_body': { vi: 'Không đọc được nội dung gửi lên.', en: 'What was sent could not be read.' },
  'err.method_not_allowed': { vi: 'Thao tác này không dùng được ở địa chỉ này.', en: 'This action is not available here.' },
  'err.rate_limited': { vi: 'Gửi quá nhanh: hãy thử lại sau {retry} giây.', en: 'Too many requests: try again in {retry} s.' },
  'err.unavailable': { vi: 'Máy chủ tạm thời không sẵn sàng; hãy thử lại sau.', en: 'The server is not available just now; try again later.' },
  'err.internal': { vi: 'Máy chủ gặp lỗi; lỗi đã được ghi lại cho ban tổ chức.', en: 'The server met an error; it is logged for the organisers.' },
  'err.exercise_not_running': { vi: 'Cuộc diễn tập chưa bắt đầu, đang tạm dừng hoặc đã kết thúc.', en: 'The exercise has not started, is paused or is over.' },
  'err.no_scenario': { vi: 'Chưa nạp kịch bản.', en: 'No scenario is loaded yet.' },
  'err.wrong_state': { vi: 'Không làm được ở trạng thái hiện tại của cuộc diễn tập.', en: 'Not possible in the exercise’s current state.' },
  'err.submissions_closed': { vi: 'Đã hết thời hạn nộp báo cáo cho tình huống này.', en: 'Reports for this inject are closed.' },
  'err.no_attempts_left': { vi: 'Đội đã dùng hết số lần nộp cho thử thách này.', en: 'Your team has used all its attempts for this challenge.' },
  'err.already_released': { vi: 'Tình huống này đã được phát hành.', en: 'This inject is out already.' },
  'err.already_voided': { vi: 'Vòng này đã bị hủy kết quả cho dịch vụ này.', en: 'This round of this service is void already.' },
  'err.already_graded': { vi: 'Báo cáo này đã có điểm cuối cùng.', en: 'This report already has its final grade.' },
  'err.already_marked': { vi: 'Bạn đã chấm báo cáo này.', en: 'You have marked this report already.' },
  'err.challenge_in_use': { vi: 'Thử thách đã có lượt giải hoặc gợi ý; không thể gỡ hay ẩn.', en: 'The challenge has solves or hints already; it cannot be removed or hidden.' },
  'err.inject_in_use': { vi: 'Tình huống đã có báo cáo; không thể gỡ.', en: 'The inject has reports already; it cannot be removed.' },
  'err.service_in_use': { vi: 'Dịch vụ đã được dùng trong các vòng; giữ nguyên thứ tự các dịch vụ.', en: 'The service was played in rounds; keep the services in the same order.' },
  'err.duplicate_team': { vi: 'Mã đội hoặc tên đội đã tồn tại.', en: 'A team with this id or name exists already.' },
  'err.own_login': { vi: 'Không thể làm việc này với chính tài khoản đang đăng nhập.', en: 'You cannot do this to the login you are signed in with.' },
  'err.other_exercise': { vi: 'Cơ sở dữ liệu đang giữ một cuộc diễn tập khác.', en: 'The database holds another exercise.' },
  'err.round_running': { vi: 'Vòng đang chạy: chờ vòng kết thúc.', en: 'The round is still running: wait until it ends.' },
  'err.too_many_flags': { vi: 'Quá nhiều cờ trong một lần nộp.', en: 'Too many flags in one request.' },
  'err.flag_too_long': { vi: 'Có cờ quá dài.', en: 'A flag is too long.' },
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

  // ---- live updates (every page) ----
  'live.on': { vi: 'Trực tiếp', en: 'Live' },
  'live.off': {
    vi: 'Mất kết nối, đang kết nối lại…',
    en: 'Connection lost, reconnecting…',
  },
  'live.connecting': { vi: 'Đang kết nối…', en: 'Connecting…' },

  // ---- announcements (board and team page) ----
  'ann.heading': { vi: 'Thông báo', en: 'Announcements' },
  'ann.none': { vi: 'Chưa có thông báo nào.', en: 'No announcements yet.' },
  'ann.new': { vi: 'Mới', en: 'New' },
  'ann.arrived': { vi: 'Thông báo mới của ban tổ chức: {text}', en: 'New announcement from the organisers: {text}' },

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

  // ---- leaderboard: components, movement, big screen ----
  'board.big_screen': { vi: 'Màn hình lớn', en: 'Big screen' },
  'board.about': { vi: 'Giới thiệu cuộc diễn tập và quy định', en: 'About the drill and its rules' },
  'svc.flags': { vi: 'Chiếm {c} cờ · mất {l} cờ', en: '{c} flags taken · {l} lost' },
  'svc.next': { vi: 'Vòng tiếp theo sau {time}', en: 'Next round in {time}' },
  'svc.history': { vi: 'Kết quả các vòng trước', en: 'Earlier rounds' },
  'svc.history_pick': { vi: 'Vòng', en: 'Round' },
  'svc.voided': { vi: 'đã hủy kết quả', en: 'voided' },
  'solvers.bonus': { vi: '+{n} giải nhanh nhất', en: '+{n} first blood' },
  'pj.frozen': { vi: 'Bảng xếp hạng đang đóng băng', en: 'The board is frozen' },
  'pj.stale': { vi: 'Mất kết nối: số liệu có thể đã cũ', en: 'Connection lost: figures may be out of date' },
  'pj.page': { vi: 'Trang {n}/{of}', en: 'Page {n} of {of}' },
  'pj.exit': { vi: 'Thoát màn hình lớn', en: 'Leave big screen' },
  'board.weighted_note': {
    vi: 'Các cột thành phần là điểm chưa nhân hệ số; tổng điểm nhân mỗi thành phần với hệ số của kịch bản rồi cộng điều chỉnh.',
    en: 'The component columns are unweighted; the total multiplies each component by the scenario’s weight and adds adjustments.',
  },
  'col.move': { vi: 'Thay đổi', en: 'Change' },
  'col.total': { vi: 'Tổng điểm', en: 'Total' },
  'col.tasks': { vi: 'Thử thách', en: 'Challenges' },
  'col.attack': { vi: 'Tấn công', en: 'Attack' },
  'col.defense': { vi: 'Phòng thủ', en: 'Defence' },
  'col.sla': { vi: 'SLA', en: 'SLA' },
  'col.sla_long': { vi: 'Điểm duy trì dịch vụ (SLA)', en: 'Service availability (SLA)' },
  'col.reports': { vi: 'Báo cáo', en: 'Reports' },
  'col.adjustments': { vi: 'Điều chỉnh', en: 'Adjustments' },
  'col.reports_long': { vi: 'Điểm báo cáo sự cố', en: 'Incident report points' },
  'move.up': { vi: 'lên {n} hạng', en: 'up {n}' },
  'move.down': { vi: 'xuống {n} hạng', en: 'down {n}' },
  'move.same': { vi: 'không đổi', en: 'no change' },
  'move.help': {
    vi: 'Mũi tên: số hạng lên hoặc xuống so với điểm trước đó ít nhất một bước trên biểu đồ điểm.',
    en: 'Arrows: places gained or lost since the score chart’s point at least one step earlier.',
  },
  'detail.reports': { vi: 'Điểm báo cáo sự cố', en: 'Incident reports' },
  'detail.attack': { vi: 'Tấn công (mọi dịch vụ)', en: 'Attack (all services)' },
  'detail.defense': { vi: 'Phòng thủ (mọi dịch vụ)', en: 'Defence (all services)' },
  'detail.sla': { vi: 'Duy trì dịch vụ, SLA (mọi dịch vụ)', en: 'Service availability, SLA (all services)' },
  'detail.weighted': {
    vi: 'Tổng điểm nhân các thành phần với hệ số của kịch bản.',
    en: 'The total applies the scenario’s weights to the components.',
  },
  'detail.services_caption': { vi: 'Điểm tấn công/phòng thủ của đội {team} theo dịch vụ', en: 'Attack/defend points of {team} per service' },
  'detail.service': { vi: 'Dịch vụ', en: 'Service' },
  'detail.flags': { vi: 'Cờ lấy được / bị mất', en: 'Flags captured / lost' },

  // ---- leaderboard: score chart ----
  'chart.heading': { vi: 'Điểm theo thời gian', en: 'Score over time' },
  'chart.title': { vi: 'Điểm theo thời gian của {n} đội dẫn đầu', en: 'Score over time of the top {n} teams' },
  'chart.desc': {
    vi: 'Biểu đồ bậc thang, trục ngang là thời gian ({tz}) từ {from} đến {to}, trục dọc là điểm. {lines}',
    en: 'Step chart: time ({tz}) from {from} to {to} across, points up. {lines}',
  },
  'chart.line': { vi: '{team}: {score} điểm', en: '{team}: {score} points' },
  'chart.empty': { vi: 'Chưa có điểm nào để vẽ biểu đồ.', en: 'No scores to plot yet.' },
  'chart.frozen': {
    vi: 'Biểu đồ dừng ở thời điểm đóng băng bảng xếp hạng.',
    en: 'The chart stops when the leaderboard was frozen.',
  },
  'chart.legend': { vi: 'Chú giải', en: 'Legend' },
  'chart.axis_time': { vi: 'Giờ ({tz})', en: 'Time ({tz})' },
  'chart.axis_score': { vi: 'Điểm', en: 'Points' },

  // ---- attack/defend service grid and first bloods ----
  'svc.heading': { vi: 'Dịch vụ tấn công/phòng thủ', en: 'Attack/defend services' },
  'svc.caption': {
    vi: 'Trạng thái dịch vụ của từng đội ở lần kiểm tra gần nhất, và điểm trên từng dịch vụ',
    en: 'Each team’s service status at the latest check, and its points on each service',
  },
  'svc.round': { vi: 'Vòng {n}', en: 'Round {n}' },
  'svc.no_round': { vi: 'Chưa có vòng nào', en: 'No round played yet' },
  'svc.team': { vi: 'Đội', en: 'Team' },
  'svc.state.ok': { vi: 'Hoạt động', en: 'Up' },
  'svc.state.recovering': { vi: 'Đang phục hồi', en: 'Recovering' },
  'svc.state.corrupt': { vi: 'Sai hoặc mất cờ', en: 'Corrupt' },
  'svc.state.mumble': { vi: 'Trả lời sai', en: 'Mumble' },
  'svc.state.down': { vi: 'Ngừng hoạt động', en: 'Down' },
  'svc.state.checker_error': { vi: 'Lỗi trình kiểm tra', en: 'Checker error' },
  'svc.state.none': { vi: 'Chưa kiểm tra', en: 'Not checked yet' },
  'svc.short': { vi: 'TC {a} · PT {d} · SLA {s}', en: 'A {a} · D {d} · SLA {s}' },
  'svc.long': {
    vi: 'tấn công {a}, phòng thủ {d}, duy trì dịch vụ {s} điểm; lấy được {c} cờ, bị mất {l} cờ',
    en: 'attack {a}, defence {d}, availability {s} points; {c} flags captured, {l} lost',
  },
  'svc.legend': {
    vi: 'TC: điểm tấn công, PT: điểm phòng thủ, SLA: điểm duy trì dịch vụ của đội trên dịch vụ đó.',
    en: 'A: attack, D: defence, SLA: service availability points of the team on that service.',
  },
  'svc.frozen': {
    vi: 'Điểm theo bảng xếp hạng đang đóng băng; trạng thái dịch vụ vẫn cập nhật.',
    en: 'Points follow the frozen leaderboard; service statuses stay current.',
  },
  'svc.checked_round': { vi: 'kiểm tra ở vòng {n}', en: 'checked in round {n}' },
  'blood.heading': { vi: 'Giải nhanh nhất (first blood)', en: 'First bloods' },
  'blood.services': { vi: 'Theo dịch vụ', en: 'Per service' },
  'blood.challenges': { vi: 'Theo thử thách', en: 'Per challenge' },
  'blood.victim': { vi: 'lấy cờ của {team}', en: 'flag of {team}' },
  'blood.none': { vi: 'Chưa có.', en: 'None yet.' },

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
    vi: 'Trang tự cập nhật khi có thay đổi.',
    en: 'The page updates itself when something changes.',
  },
  'team.challenges': { vi: 'Thử thách', en: 'Challenges' },
  'ad.heading': { vi: 'Tấn công/phòng thủ', en: 'Attack/defend' },
  'ad.intro': {
    vi: 'Nộp cờ lấy được từ dịch vụ của các đội khác bằng mã truy cập API của đội (bắt đầu bằng dbt_, ban tổ chức cấp cùng tài khoản); mật khẩu đăng nhập không dùng được ở đây.',
    en: 'Submit flags captured from other teams’ services with your team API token (it starts with dbt_ and comes from the organisers with your login); your sign-in password does not work here.',
  },
  'ad.http_title': { vi: 'Nộp cờ qua HTTP', en: 'Flags over HTTP' },
  'ad.http': {
    vi: 'PUT /flags, tiêu đề X-Team-Token là mã truy cập API của đội, nội dung là một mảng JSON các cờ; máy chủ trả lời một kết quả cho mỗi cờ, theo đúng thứ tự.',
    en: 'PUT /flags with the team API token in the X-Team-Token header and a JSON array of flags as the body; the answer has one result per flag, in order.',
  },
  'ad.tcp_title': { vi: 'Máy chủ nhận cờ TCP', en: 'TCP flag server' },
  'ad.tcp': {
    vi: 'Hỏi ban tổ chức địa chỉ và cổng. Mỗi dòng một cờ; từ máy ngoài mạng của đội, dòng đầu tiên là mã truy cập API.',
    en: 'Ask the organisers for its address and port. One flag per line; from outside your team network, send the API token on the first line.',
  },
  'ad.format_title': { vi: 'Dạng cờ', en: 'Flag format' },
  'ad.tcp_at': {
    vi: '{addr} — mỗi dòng một cờ; từ máy ngoài mạng của đội, dòng đầu tiên là mã truy cập API.',
    en: '{addr} — one flag per line; from outside your team network, send the API token on the first line.',
  },
  'ad.limits': {
    vi: 'Tối đa {rate} cờ/giây và {per} cờ mỗi yêu cầu HTTP; cờ còn hiệu lực {lifetime} vòng, mỗi vòng {seconds} giây.',
    en: 'At most {rate} flags a second and {per} flags per HTTP request; a flag counts for {lifetime} rounds of {seconds} seconds.',
  },
  'ad.format': {
    vi: 'Tiền tố của cuộc diễn tập, 32 ký tự A–Z hoặc 2–7, rồi dấu “=”.',
    en: 'The exercise prefix, 32 characters A–Z or 2–7, then “=”.',
  },
  'ad.attack_data_title': { vi: 'Mã cờ (flag id) để tấn công', en: 'Flag ids for attacks' },
  'ad.attack_data': {
    vi: 'GET /api/v1/attack-data: mã cờ của các vòng còn hiệu lực, theo dịch vụ và địa chỉ đội.',
    en: 'GET /api/v1/attack-data: the flag ids of the rounds still alive, per service and team address.',
  },
  'ad.example': { vi: 'Ví dụ', en: 'Example' },
  'ad.own': { vi: 'Dịch vụ của đội', en: 'Your services' },
  'ad.own_caption': {
    vi: 'Trạng thái dịch vụ của đội ở lần kiểm tra gần nhất',
    en: 'Your services at the latest check',
  },
  'ad.not_listed': {
    vi: 'Đội chưa có trong bảng trạng thái dịch vụ.',
    en: 'Your team is not in the service grid yet.',
  },
  'ad.example_flag': { vi: 'CỜ_1', en: 'FLAG_1' },
  'ad.example_token': { vi: 'API_TOKEN_CỦA_ĐỘI', en: 'TEAM_API_TOKEN' },
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
  'ad.send_heading': { vi: 'Nộp cờ đã chiếm được', en: 'Submit captured flags' },
  'ad.send_label': { vi: 'Dán các cờ vào đây', en: 'Paste the flags here' },
  'ad.send_help': { vi: 'Mỗi dòng một cờ, hoặc dán cả đoạn văn bản: trang tự tìm các cờ đúng dạng. Cờ cần nộp lại sau sẽ được giữ lại trong ô.', en: 'One flag a line, or paste any text: the page finds the flags in it. Flags to send again later stay in the box.' },
  'ad.send': { vi: 'Nộp cờ', en: 'Submit flags' },
  'ad.send_none': { vi: 'Không tìm thấy cờ nào trong ô.', en: 'No flag found in the box.' },
  'ad.send_failed': { vi: 'Đã nộp {sent}/{all} cờ rồi bị lỗi; các cờ còn lại chưa được chấm, hãy nộp lại.', en: 'Sent {sent} of {all} flags before an error; the rest were not judged, send them again.' },
  'ad.reply_count': { vi: '{n} {what}', en: '{n} {what}' },
  'ad.reply.accepted': { vi: 'đã được tính điểm', en: 'accepted' },
  'ad.reply.duplicate': { vi: 'đã nộp trước đó', en: 'already submitted' },
  'ad.reply.own': { vi: 'cờ của chính đội', en: 'your own flag' },
  'ad.reply.too_old': { vi: 'cờ đã quá hạn', en: 'too old' },
  'ad.reply.invalid': { vi: 'không phải cờ hợp lệ', en: 'not a valid flag' },
  'ad.reply.unknown_team': { vi: 'mã đội không hợp lệ', en: 'unknown team' },
  'ad.reply.not_running': { vi: 'cuộc diễn tập chưa chạy: nộp lại sau', en: 'the game is not running: send again later' },
  'ad.reply.rate_limited': { vi: 'nộp quá nhanh: nộp lại sau', en: 'too fast: send again later' },
  'ad.reply.own_service_down': { vi: 'dịch vụ của đội đang ngừng: nộp lại sau', en: 'your service is down: send again later' },
  'ad.reply.try_again': { vi: 'máy chủ bận: nộp lại sau', en: 'server busy: send again later' },
  'ann.popup_title': { vi: 'Thông báo mới từ ban tổ chức', en: 'New announcement from the organisers' },
  'ann.popup_all': { vi: 'Xem mọi thông báo', en: 'See all announcements' },
  'ann.popup_close': { vi: 'Đã đọc', en: 'Got it' },
  'ann.popup_more': { vi: '(và {n} thông báo mới khác)', en: '(and {n} more new)' },
  'ch.connection': { vi: 'Kết nối:', en: 'Connect:' },
  'ch.attempts_left': { vi: 'Còn {n}/{max} lần nộp sai', en: '{n} of {max} wrong attempts left' },
  'fb.no_attempts_left': { vi: 'Đội đã dùng hết số lần nộp cho thử thách này.', en: 'Your team has used all its attempts for this challenge.' },
  'fb.accepted': {
    vi: 'Chính xác! Đội được cộng {points} điểm.',
    en: 'Correct! {points} points awarded.',
  },
  'fb.accepted_blood': {
    vi: 'Chính xác! Đội được cộng {points} điểm: {value} điểm thử thách và {bonus} điểm thưởng giải nhanh nhất.',
    en: 'Correct! {points} points awarded: {value} for the challenge and a {bonus}-point first-blood bonus.',
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
  'hint.confirm_solved': {
    vi: 'Đội đã giải thử thách này: gợi ý không giúp thêm gì nhưng vẫn trừ {cost} điểm.',
    en: 'Your team has already solved this challenge: the hint no longer helps, but it still costs {cost} points.',
  },
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

  // ---- units and report files (team page and judge console)
  'unit.minutes': { vi: '{n} phút', en: '{n} min' },
  'unit.seconds': { vi: '{n} giây', en: '{n} s' },
  'file.download': { vi: 'Tải xuống', en: 'Download' },
  'file.downloading': { vi: 'Đang tải xuống…', en: 'Downloading…' },
  'file.failed': { vi: 'Không tải xuống được: {message}', en: 'Download failed: {message}' },

  // ---- team page: injects
  'inj.heading': { vi: 'Tình huống (inject)', en: 'Injects' },
  'inj.count': { vi: '{n} tình huống', en: 'Injects: {n}' },
  'inj.pending': { vi: '{n} báo cáo chưa nộp', en: 'reports not submitted: {n}' },
  'inj.none': {
    vi: 'Chưa có tình huống nào được phát. Tình huống mới sẽ tự hiện ở đây.',
    en: 'No injects have been released yet. New ones appear here by themselves.',
  },
  'inj.new': { vi: 'Mới', en: 'New' },
  'inj.arrived': { vi: 'Có tình huống mới: “{title}”.', en: 'New inject: “{title}”.' },
  'inj.arrived_n': { vi: 'Có {n} tình huống mới.', en: 'New injects: {n}.' },
  'inj.report_required': { vi: 'Cần nộp báo cáo', en: 'Report required' },
  'inj.submitted_badge': { vi: 'Đã nộp · phiên bản {n}', en: 'Submitted · version {n}' },
  'inj.released_at': { vi: 'Phát lúc {time}', en: 'Released at {time}' },
  'inj.files': { vi: 'Tệp đính kèm', en: 'Files' },
  'inj.due_in': { vi: 'Còn {d} đến hạn nộp', en: '{d} until the deadline' },
  'inj.grace': {
    vi: 'Đã quá hạn nộp, đang trong thời gian ân hạn: nộp trong {d} tới chưa bị trừ điểm.',
    en: 'Past the deadline, within the grace period: no penalty if you submit in the next {d}.',
  },
  'inj.late': {
    vi: 'Nộp muộn: đã quá hạn {m} phút tính phạt. Báo cáo nộp lúc này bị trừ {p} số điểm (hệ số {f}).',
    en: 'Late: {m} penalty minutes past the deadline. A report submitted now loses {p} of its score (factor {f}).',
  },
  'inj.late_free': {
    vi: 'Đã quá hạn nộp {m} phút (không trừ điểm nộp muộn).',
    en: '{m} minutes past the deadline (no late penalty).',
  },
  'inj.closes_in': { vi: 'Ngừng nhận báo cáo sau {d}.', en: 'Submissions close in {d}.' },
  'inj.closed': { vi: 'Đã ngừng nhận báo cáo lúc {time}.', en: 'Submissions closed at {time}.' },
  'inj.ended': {
    vi: 'Cuộc diễn tập đã kết thúc; không nhận thêm báo cáo.',
    en: 'The exercise has ended; no more reports are accepted.',
  },
  'inj.paused': {
    vi: 'Cuộc diễn tập đang tạm dừng: chưa thể nộp báo cáo cho đến khi cuộc diễn tập tiếp tục.',
    en: 'The exercise is paused: reports cannot be submitted until it resumes.',
  },
  'inj.soon': {
    vi: 'Còn {d} đến hạn nộp báo cáo cho tình huống “{title}”.',
    en: '{d} left to submit the report for “{title}”.',
  },
  'inj.now_late': {
    vi: 'Đã quá hạn nộp báo cáo cho tình huống “{title}”.',
    en: 'The report deadline for “{title}” has passed.',
  },
  'inj.now_closed': {
    vi: 'Đã ngừng nhận báo cáo cho tình huống “{title}”.',
    en: 'Submissions for “{title}” are now closed.',
  },

  // ---- team page: incident report
  'rep.heading': { vi: 'Báo cáo sự cố', en: 'Incident report' },
  'rep.for': { vi: 'cho tình huống “{title}”', en: 'for “{title}”' },
  'rep.due_at': { vi: 'Hạn nộp', en: 'Due' },
  'rep.closes_at': { vi: 'Ngừng nhận báo cáo', en: 'Submissions close' },
  'rep.closes_never': { vi: 'Khi cuộc diễn tập kết thúc', en: 'When the exercise ends' },
  'rep.late_label': { vi: 'Nộp muộn', en: 'Late submissions' },
  'rep.late_rule': {
    vi: 'Trừ {p} số điểm cho mỗi phút muộn (chưa tròn phút vẫn tính một phút).',
    en: '{p} of the score off per minute late (a started minute counts).',
  },
  'rep.late_rule_grace': {
    vi: 'Ân hạn {grace} sau hạn nộp; sau đó trừ {p} số điểm cho mỗi phút muộn (chưa tròn phút vẫn tính một phút).',
    en: '{grace} of grace after the deadline; then {p} of the score off per minute late (a started minute counts).',
  },
  'rep.late_rule_none': { vi: 'Không trừ điểm', en: 'No penalty' },
  'rep.weight_label': { vi: 'Điểm', en: 'Points' },
  'rep.weight_value': { vi: 'tối đa {max} điểm theo thang chấm, trọng số {w}', en: 'up to {max} rubric points, weight {w}' },
  'rep.rubric': { vi: 'Thang chấm điểm', en: 'Rubric' },
  'rep.criterion': { vi: 'Tiêu chí', en: 'Criterion' },
  'rep.max_points': { vi: 'Điểm tối đa', en: 'Max points' },
  'rep.rubric_total': { vi: 'Tổng', en: 'Total' },
  'rep.none_yet': {
    vi: 'Đội chưa nộp báo cáo cho tình huống này.',
    en: 'Your team has not submitted a report for this inject yet.',
  },
  'rep.summary': {
    vi: 'Đã nộp {n} phiên bản, lần gần nhất lúc {time}.',
    en: 'Versions submitted: {n}; the latest at {time}.',
  },
  'rep.late_by': { vi: 'Nộp muộn {m} phút, hệ số điểm {f}.', en: '{m} minutes late, score factor {f}.' },
  'rep.on_time': { vi: 'Nộp đúng hạn.', en: 'On time.' },
  'rep.on_time_short': { vi: 'Đúng hạn', en: 'On time' },
  'rep.load_failed': {
    vi: 'Không tải được các phiên bản đã nộp: {message}',
    en: 'Could not load the submitted versions: {message}',
  },
  'rep.form': { vi: 'Soạn báo cáo', en: 'Write the report' },
  'rep.form_new': { vi: 'Nộp phiên bản mới', en: 'Submit a new version' },
  'rep.body_label': { vi: 'Nội dung báo cáo (Markdown)', en: 'Report (Markdown)' },
  'rep.body_help': {
    vi: 'Viết bằng Markdown: # tiêu đề, - danh sách, **chữ đậm**, bảng. Máy chủ định dạng báo cáo khi nhận. Ban giám khảo chấm điểm ẩn danh: họ chỉ thấy mã báo cáo, không thấy tên đội.',
    en: 'Write in Markdown: # headings, - lists, **bold**, tables. The server formats the report when it arrives. Judges mark blind: they see a report code, never your team name.',
  },
  'rep.preview': { vi: 'Xem trước', en: 'Preview' },
  'rep.edit': { vi: 'Quay lại soạn thảo', en: 'Back to editing' },
  'rep.preview_submitted': {
    vi: 'Phiên bản {n} đã nộp, như ban giám khảo sẽ thấy:',
    en: 'Version {n} as submitted, as the judges will see it:',
  },
  'rep.preview_plain': {
    vi: 'Không định dạng được bản nháp lúc này; hiển thị dạng văn bản thuần:',
    en: 'The draft could not be formatted just now; shown as plain text:',
  },
  'judge.redacted': {
    vi: 'Đã che {n} chỗ báo cáo nêu tên đội, đơn vị hoặc thành viên (chấm ẩn danh).',
    en: '{n} places where the report named its team, organisation or members are hidden (blind marking).',
  },
  'rep.names_title': { vi: 'Báo cáo nêu tên đội', en: 'The report names your team' },
  'rep.names_text': {
    vi: 'Báo cáo có nhắc đến: {words}. Ban giám khảo chấm ẩn danh nên sẽ thấy những từ này bị che. Vẫn nộp?',
    en: 'The report mentions: {words}. Judges mark blind, so they will see these words hidden. Submit anyway?',
  },
  'rep.names_ok': { vi: 'Vẫn nộp', en: 'Submit anyway' },
  'rep.preview_empty': { vi: '(Bản nháp đang trống.)', en: '(The draft is empty.)' },
  'rep.preview_draft': {
    vi: 'Bản nháp chưa nộp, như ban giám khảo sẽ thấy khi nộp:',
    en: 'Unsubmitted draft, as the judges will see it once submitted:',
  },
  'rep.preview_last': {
    vi: 'Xem phiên bản {n} đã nộp (đã định dạng)',
    en: 'Show version {n} as submitted (formatted)',
  },
  'rep.files_label': { vi: 'Tệp đính kèm cho phiên bản này', en: 'Files for this version' },
  'rep.files_help': {
    vi: 'Tối đa {n} tệp, mỗi tệp không quá {max}. Định dạng cho phép: {list}. Tệp gắn với từng phiên bản: khi nộp phiên bản mới, hãy đính kèm lại các tệp cần thiết.',
    en: 'Up to {n} files of at most {max} each. Allowed types: {list}. Files belong to one version: attach them again with each new version.',
  },
  'rep.chosen': { vi: 'Tệp đã chọn', en: 'Chosen files' },
  'rep.remove_file': { vi: 'Bỏ tệp', en: 'Remove' },
  'rep.remove_file_named': { vi: 'Bỏ tệp {name}', en: 'Remove {name}' },
  'rep.file_removed': { vi: 'Đã bỏ tệp {name}.', en: 'Removed {name}.' },
  'rep.files_chosen': { vi: 'Đã chọn {n} tệp.', en: 'Files chosen: {n}.' },
  'rep.file_type': {
    vi: 'Không đính kèm được “{name}”: chỉ nhận các định dạng {list}.',
    en: '“{name}” cannot be attached: allowed types are {list}.',
  },
  'rep.file_name_long': {
    vi: 'Tên tệp “{name}” dài quá {n} ký tự.',
    en: 'The file name “{name}” is longer than {n} characters.',
  },
  'rep.file_big': {
    vi: 'Tệp “{name}” ({size}) lớn hơn mức tối đa {max}.',
    en: '“{name}” ({size}) is larger than the {max} limit.',
  },
  'rep.file_twice': { vi: 'Tệp “{name}” đã được chọn.', en: '“{name}” is already chosen.' },
  'rep.file_too_many': {
    vi: 'Không thêm được “{name}”: mỗi phiên bản tối đa {n} tệp.',
    en: '“{name}” not added: at most {n} files per version.',
  },
  'rep.files_max': { vi: 'Mỗi phiên bản tối đa {n} tệp.', en: 'At most {n} files per version.' },
  'rep.submit': { vi: 'Nộp báo cáo', en: 'Submit report' },
  'rep.submit_new': { vi: 'Nộp phiên bản {n}', en: 'Submit version {n}' },
  'rep.reading': { vi: 'Đang đọc tệp…', en: 'Reading files…' },
  'rep.sending': { vi: 'Đang nộp…', en: 'Submitting…' },
  'rep.latest_marked': {
    vi: 'Ban giám khảo chấm phiên bản mới nhất của đội; phiên bản nộp sau hạn bị tính nộp muộn.',
    en: 'The judges mark your latest version; a version submitted after the deadline counts as late.',
  },
  'rep.not_running_hint': {
    vi: 'Chỉ nộp được báo cáo khi cuộc diễn tập đang diễn ra.',
    en: 'Reports can be submitted only while the exercise is running.',
  },
  'rep.closed_hint': {
    vi: 'Đã ngừng nhận báo cáo cho tình huống này.',
    en: 'Submissions for this inject are closed.',
  },
  'rep.empty': { vi: 'Hãy viết nội dung báo cáo trước khi nộp.', en: 'Write the report before submitting.' },
  'rep.too_long': {
    vi: 'Báo cáo dài {n} byte, quá mức tối đa {max} byte. Hãy rút gọn hoặc đưa tài liệu dài vào tệp đính kèm.',
    en: 'The report is {n} bytes, over the {max}-byte limit. Shorten it or attach long material as files.',
  },
  'rep.accepted': { vi: 'Đã nộp phiên bản {n} lúc {time}.', en: 'Version {n} submitted at {time}.' },
  'rep.accepted_late': { vi: 'Nộp muộn {m} phút: hệ số điểm {f}.', en: '{m} minutes late: score factor {f}.' },
  'rep.not_running': {
    vi: 'Cuộc diễn tập hiện không diễn ra (chưa bắt đầu, đang tạm dừng hoặc đã kết thúc), nên chưa thể nộp báo cáo. Bản nháp vẫn được giữ trên trang này.',
    en: 'The exercise is not running (not started, paused or ended), so reports cannot be submitted now. Your draft is kept on this page.',
  },
  'rep.closed': {
    vi: 'Đã hết thời gian nhận báo cáo cho tình huống này; máy chủ không nhận phiên bản mới.',
    en: 'Submissions for this inject have closed; the server did not accept the new version.',
  },
  'rep.too_large': {
    vi: 'Báo cáo quá lớn: mỗi tệp tối đa {max}. Hãy bớt tệp hoặc nén nhỏ lại.',
    en: 'Too large: each file may be at most {max}. Remove or compress files.',
  },
  'rep.bad_type': {
    vi: 'Máy chủ không nhận loại tệp này. Định dạng cho phép: {list}.',
    en: 'The server does not accept this file type. Allowed: {list}.',
  },
  'rep.body_rejected': { vi: 'Máy chủ không nhận nội dung báo cáo.', en: 'The server rejected the report text.' },
  'rep.file_rejected': { vi: 'Máy chủ không nhận một tệp đính kèm.', en: 'The server rejected an attachment.' },
  'rep.gone': {
    vi: 'Tình huống này không nhận báo cáo từ đội.',
    en: 'This inject does not take a report from your team.',
  },
  'rep.read_failed': {
    vi: 'Không đọc được tệp “{name}” (tệp có thể đã bị đổi hoặc xóa). Hãy bỏ tệp và chọn lại.',
    en: 'Could not read “{name}” (it may have been changed or deleted). Remove it and choose it again.',
  },
  'rep.kept': {
    vi: 'Bản nháp và tệp đã chọn vẫn được giữ; hãy thử nộp lại.',
    en: 'Your draft and chosen files are kept; try again.',
  },
  'rep.confirm_late_title': { vi: 'Nộp phiên bản muộn?', en: 'Submit a late version?' },
  'rep.confirm_late_text': {
    vi: 'Ban giám khảo chấm phiên bản mới nhất. Phiên bản {n} hiện có của đội được nộp sớm hơn; nếu nộp bây giờ, phiên bản mới sẽ bị tính muộn {m} phút và bị trừ {p} số điểm.',
    en: 'The judges mark the latest version. Your current version {n} was submitted earlier; a version submitted now is {m} minutes late and loses {p} of its score.',
  },
  'rep.confirm_late_ok': { vi: 'Vẫn nộp', en: 'Submit anyway' },
  'rep.versions': { vi: 'Các phiên bản đã nộp', en: 'Submitted versions' },
  'rep.version_n': { vi: 'Phiên bản {n}', en: 'Version {n}' },
  'rep.no_files': { vi: 'Không có tệp đính kèm.', en: 'No files attached.' },
  'rep.view_version': { vi: 'Xem nội dung phiên bản {n}', en: 'Show version {n}' },

  // ---- team page: released grade
  'grade.heading': { vi: 'Kết quả chấm', en: 'Grade' },
  'grade.heading_v': { vi: 'Kết quả chấm (phiên bản {n})', en: 'Grade (version {n})' },
  'grade.caption': { vi: 'Điểm theo từng tiêu chí', en: 'Score per criterion' },
  'grade.score': { vi: 'Điểm', en: 'Score' },
  'grade.comments': { vi: 'Nhận xét của ban giám khảo', en: 'Judges’ comments' },
  'grade.of': { vi: '{score}/{max}', en: '{score} / {max}' },
  'grade.total': { vi: 'Tổng điểm chấm', en: 'Rubric total' },
  'grade.overall': { vi: 'Nhận xét chung', en: 'Overall comments' },
  'grade.lateness': { vi: 'Thời điểm nộp', en: 'Submission' },
  'grade.late_minutes': { vi: 'Muộn {m} phút', en: '{m} min late' },
  'grade.late_factor': { vi: 'Hệ số nộp muộn', en: 'Late factor' },
  'grade.weight': { vi: 'Trọng số', en: 'Weight' },
  'grade.points': { vi: 'Điểm báo cáo', en: 'Report points' },
  'grade.formula': {
    vi: 'Điểm báo cáo = trọng số × tổng điểm chấm × hệ số nộp muộn.',
    en: 'Report points = weight × rubric total × late factor.',
  },
  'grade.not_released': {
    vi: 'Ban tổ chức chưa công bố kết quả chấm cho tình huống này.',
    en: 'Grades for this inject have not been released yet.',
  },
  'grade.pending': {
    vi: 'Kết quả đã được công bố nhưng báo cáo của đội chưa được chấm xong.',
    en: 'Grades are released, but your report has not been fully marked yet.',
  },

  // ---- judge console
  'judge.page_title': { vi: 'Chấm điểm — drillboard', en: 'Judging — drillboard' },
  'judge.login_heading': { vi: 'Đăng nhập giám khảo', en: 'Judge sign-in' },
  'judge.login_intro': {
    vi: 'Dùng tài khoản giám khảo do ban tổ chức cấp.',
    en: 'Use the judge account the organisers gave you.',
  },
  'judge.heading': { vi: 'Chấm điểm báo cáo sự cố', en: 'Incident report marking' },
  'judge.not_judge': {
    vi: 'Tài khoản này không phải tài khoản giám khảo; trang này dành cho ban giám khảo và ban tổ chức.',
    en: 'This is not a judge account; this page is for judges and organisers.',
  },
  'judge.queue': { vi: 'Hàng chờ chấm', en: 'Marking queue' },
  'judge.queue_count': { vi: '({n})', en: '({n})' },
  'judge.queue_empty': {
    vi: 'Không có báo cáo nào đang chờ bạn chấm.',
    en: 'No reports are waiting for you.',
  },
  'judge.blind_note': {
    vi: 'Chấm điểm ẩn danh: mỗi báo cáo chỉ có mã, không có tên đội.',
    en: 'Blind marking: each report has a code, never a team name.',
  },
  'judge.auto_refresh': {
    vi: 'Hàng chờ tự cập nhật khi có thay đổi và mỗi 20 giây.',
    en: 'The queue updates itself on changes and every 20 seconds.',
  },
  'judge.detail': { vi: 'Báo cáo', en: 'Report' },
  'judge.report_code': { vi: 'Báo cáo {code}', en: 'Report {code}' },
  'judge.pick': {
    vi: 'Chọn một báo cáo trong hàng chờ để chấm.',
    en: 'Choose a report in the queue to mark it.',
  },
  'judge.not_found': { vi: 'Không tìm thấy báo cáo {code}.', en: 'Report {code} was not found.' },
  'judge.retry': { vi: 'Thử lại', en: 'Try again' },
  'judge.version_n': { vi: 'Phiên bản {n}', en: 'Version {n}' },
  'judge.submitted_at': { vi: 'nộp lúc {time}', en: 'submitted {time}' },
  'judge.inject': { vi: 'Tình huống', en: 'Inject' },
  'judge.version': { vi: 'Phiên bản', en: 'Version' },
  'judge.submitted': { vi: 'Nộp lúc', en: 'Submitted' },
  'judge.lateness': { vi: 'Tình trạng nộp', en: 'Timeliness' },
  'judge.marking': { vi: 'Cách chấm', en: 'Marking' },
  'judge.single': { vi: 'Một giám khảo chấm', en: 'One judge' },
  'judge.double': {
    vi: 'Chấm hai lần độc lập; nếu tổng điểm chênh quá {thr} thì trưởng ban giám khảo phúc khảo và quyết định',
    en: 'Double marking; if the totals differ by more than {thr}, moderation decides',
  },
  'judge.status': { vi: 'Trạng thái', en: 'Status' },
  'judge.inject_body': { vi: 'Nội dung tình huống', en: 'The inject' },
  'judge.report_body': { vi: 'Nội dung báo cáo', en: 'The report' },
  'judge.files': { vi: 'Tệp đính kèm', en: 'Attachments' },
  'judge.newer_version': {
    vi: 'Đã có phiên bản {n} mới hơn; trang đang hiển thị phiên bản cũ.',
    en: 'Version {n} has been submitted; this page shows an older one.',
  },
  'judge.load_newer': { vi: 'Tải phiên bản mới', en: 'Load the new version' },
  'stage.first': { vi: 'Chấm lần một', en: 'First marking' },
  'stage.second': { vi: 'Chấm lần hai', en: 'Second marking' },
  'stage.moderation': { vi: 'Phúc khảo', en: 'Moderation' },
  'mstatus.awaiting': { vi: 'Đang chờ: {stage}', en: 'Waiting for: {stage}' },
  'mstatus.final': { vi: 'Đã có điểm cuối cùng ({by})', en: 'Final grade ({by})' },
  'by.single': { vi: 'một giám khảo chấm', en: 'single marking' },
  'by.agreed': { vi: 'trung bình hai lần chấm', en: 'mean of two marks' },
  'by.moderated': { vi: 'quyết định khi phúc khảo', en: 'decided by moderation' },

  // ---- judge console: marking form
  'mark.heading': { vi: 'Phiếu chấm', en: 'Marking form' },
  'mark.intro_first': {
    vi: 'Chấm theo thang chấm điểm, dựa trên nội dung báo cáo và tệp đính kèm.',
    en: 'Mark against the rubric, from the report and its attachments.',
  },
  'mark.intro_second': {
    vi: 'Chấm lần hai, độc lập: bạn chỉ thấy điểm của giám khảo thứ nhất sau khi gửi điểm.',
    en: 'Independent second marking: you see the first mark only after submitting yours.',
  },
  'mark.intro_moderation': {
    vi: 'Hai lần chấm chênh nhau quá {thr} điểm. Điểm phúc khảo của trưởng ban giám khảo là điểm cuối cùng.',
    en: 'The two marks differ by more than {thr} points. The moderation mark is final.',
  },
  'mark.moderation_title': { vi: 'Báo cáo cần phúc khảo', en: 'This report needs moderation' },
  'mark.moderation_text': {
    vi: 'Tổng điểm của hai giám khảo chênh lệch quá ngưỡng {thr} điểm. Hãy xem hai lần chấm bên dưới rồi cho điểm cuối cùng.',
    en: 'The two judges’ totals differ by more than the {thr}-point threshold. Review both marks below, then give the final mark.',
  },
  'mark.late_note': {
    vi: 'Báo cáo nộp muộn: hệ số {f} được áp dụng tự động sau khi chấm. Hãy chấm theo chất lượng nội dung.',
    en: 'Submitted late: the factor {f} is applied automatically. Mark the quality of the content.',
  },
  'mark.carried': {
    vi: 'Đã có phiên bản {n} mới hơn. Điểm bạn đã nhập cho phiên bản trước được giữ lại; hãy kiểm tra lại với nội dung mới trước khi gửi.',
    en: 'A newer version {n} has arrived. What you entered for the previous version is kept; check it against the new content before submitting.',
  },
  'mark.errors': { vi: 'Có {n} lỗi cần sửa:', en: 'Problems to fix: {n}' },
  'mark.guidance': { vi: 'Hướng dẫn chấm', en: 'Guidance' },
  'mark.max_paren': { vi: '(tối đa {max} điểm)', en: '(max {max} points)' },
  'mark.max': { vi: 'tối đa {max}', en: 'max {max}' },
  'mark.score_label': { vi: 'Điểm (0–{max})', en: 'Score (0–{max})' },
  'mark.comment_label': { vi: 'Nhận xét cho tiêu chí này', en: 'Comment on this criterion' },
  'mark.overall': { vi: 'Nhận xét chung', en: 'Overall comment' },
  'mark.comments_shown': {
    vi: 'Đội đọc được nhận xét khi kết quả chấm được công bố.',
    en: 'Teams read the comments once grades are released.',
  },
  'mark.live_total': { vi: 'Tổng: {total}/{max}', en: 'Total: {total} / {max}' },
  'mark.missing_n': { vi: 'còn {n} tiêu chí chưa chấm', en: 'criteria not scored yet: {n}' },
  'mark.invalid_n': { vi: '{n} điểm không hợp lệ', en: 'invalid scores: {n}' },
  'mark.after_late': { vi: 'sau hệ số nộp muộn {f}: {v}', en: 'after the late factor {f}: {v}' },
  'mark.submit': { vi: 'Gửi điểm chấm', en: 'Submit marks' },
  'mark.sending': { vi: 'Đang gửi…', en: 'Submitting…' },
  'mark.final_note': { vi: 'Điểm đã gửi không sửa được.', en: 'Marks cannot be changed once submitted.' },
  'mark.confirm_title': { vi: 'Gửi điểm chấm?', en: 'Submit these marks?' },
  'mark.confirm_text': {
    vi: 'Gửi tổng điểm {total}/{max} cho báo cáo {code} ({stage})? Điểm đã gửi không sửa được.',
    en: 'Submit a total of {total} / {max} for report {code} ({stage})? Marks cannot be changed once submitted.',
  },
  'mark.confirm_ok': { vi: 'Gửi điểm', en: 'Submit' },
  'mark.err_missing': { vi: 'Chưa nhập điểm cho tiêu chí “{title}”.', en: 'Enter a score for “{title}”.' },
  'mark.err_nan': {
    vi: 'Điểm cho tiêu chí “{title}” phải là một số, ví dụ 2,5 hoặc 2.5 tùy trình duyệt.',
    en: 'The score for “{title}” must be a number, e.g. 2.5.',
  },
  'mark.err_range': {
    vi: 'Điểm cho tiêu chí “{title}” phải từ 0 đến {max}.',
    en: 'The score for “{title}” must be from 0 to {max}.',
  },
  'mark.err_comment': {
    vi: 'Nhận xét cho tiêu chí “{title}” dài quá {n} ký tự.',
    en: 'The comment on “{title}” is longer than {n} characters.',
  },
  'mark.err_overall': {
    vi: 'Nhận xét chung dài quá {n} ký tự.',
    en: 'The overall comment is longer than {n} characters.',
  },
  'mark.err_server': { vi: 'Máy chủ không nhận: {message}', en: 'Rejected by the server: {message}' },
  'mark.rejected': {
    vi: 'Máy chủ không nhận phiếu chấm; hãy sửa ô được đánh dấu.',
    en: 'The server rejected the marks; fix the marked field.',
  },
  'mark.recorded': { vi: 'Đã ghi điểm ({stage}): tổng {total}/{max}.', en: 'Marks recorded ({stage}): total {total} / {max}.' },
  'mark.revised': {
    vi: 'Báo cáo vừa có phiên bản mới. Đã tải phiên bản mới; điểm bạn đã nhập được giữ lại, hãy kiểm tra lại trước khi gửi.',
    en: 'A new version of the report has just arrived. It is loaded now; what you entered is kept: check it before submitting.',
  },
  'mark.already_marked': {
    vi: 'Bạn đã chấm báo cáo này rồi; lượt chấm tiếp theo do giám khảo khác thực hiện.',
    en: 'You have already marked this report; another judge gives the next mark.',
  },
  'mark.already_graded': { vi: 'Báo cáo này đã có điểm cuối cùng.', en: 'This report already has its final grade.' },
  'mark.stage_taken': {
    vi: 'Một giám khảo khác vừa chấm lượt này trước bạn. Đã tải lại báo cáo và hàng chờ.',
    en: 'Another judge gave this mark a moment before you. The report and the queue have been reloaded.',
  },
  'mark.forbidden': {
    vi: 'Chỉ trưởng ban giám khảo mới được chấm phúc khảo.',
    en: 'Only a lead judge may moderate.',
  },
  'mark.kept': { vi: 'Điểm bạn đã nhập vẫn được giữ; hãy thử gửi lại.', en: 'What you entered is kept; try again.' },
  'mark.done_mine': {
    vi: 'Bạn đã chấm phiên bản này ({stage}) lúc {time}: tổng {total}/{max}.',
    en: 'You marked this version ({stage}) at {time}: total {total} / {max}.',
  },
  'mark.done_final': { vi: 'Báo cáo này đã có điểm cuối cùng.', en: 'This report has its final grade.' },
  'mark.needs_lead': {
    vi: 'Hai lần chấm chênh lệch quá ngưỡng; báo cáo chờ trưởng ban giám khảo phúc khảo.',
    en: 'The two marks differ beyond the threshold; the report waits for a lead judge to moderate.',
  },
  'mark.not_now': { vi: 'Bạn không thể chấm báo cáo này lúc này.', en: 'You cannot mark this report now.' },
  'mark.wait_others': {
    vi: 'Đang chờ lượt chấm của giám khảo khác; bấm “Làm mới” để xem kết quả mới.',
    en: 'Waiting for another judge’s mark; press “Refresh” to see the latest.',
  },
  'mark.total': { vi: 'Tổng', en: 'Total' },
  'marks.heading': { vi: 'Điểm của các giám khảo', en: 'The judges’ marks' },
  'marks.heading_moderation': { vi: 'Hai lần chấm cần phúc khảo', en: 'The two marks to moderate' },
  'marks.caption': {
    vi: 'Điểm các lần chấm báo cáo {code}, theo tiêu chí',
    en: 'Marks for report {code}, per criterion',
  },
  'marks.you': { vi: '{judge} (bạn)', en: '{judge} (you)' },
  'marks.diff': { vi: 'Chênh lệch', en: 'Difference' },
  'marks.over_short': { vi: 'vượt ngưỡng {thr}', en: 'over the {thr} threshold' },
  'marks.within_short': { vi: 'trong ngưỡng {thr}', en: 'within the {thr} threshold' },
  'marks.over': {
    vi: 'Tổng điểm hai lần chấm chênh {d}, vượt ngưỡng {thr}: trưởng ban giám khảo phúc khảo và quyết định điểm cuối cùng.',
    en: 'The totals differ by {d}, over the {thr} threshold: moderation decides the final grade.',
  },
  'marks.within': {
    vi: 'Tổng điểm hai lần chấm chênh {d}, trong ngưỡng {thr}: điểm cuối cùng là trung bình hai lần chấm.',
    en: 'The totals differ by {d}, within the {thr} threshold: the final grade is the mean of the two marks.',
  },

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
    vi: 'Bearer mã truy cập (tiêu đề Authorization)',
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

/**
 * Add a page's own texts (key → {vi, en}), so that each console keeps its strings in its own
 * module. A key that exists already is a mistake and is reported, not overwritten.
 */
export function addTexts(dict) {
  for (const [key, entry] of Object.entries(dict)) {
    if (Object.prototype.hasOwnProperty.call(DICT, key)) {
      console.warn('i18n: duplicate key', key);
      continue;
    }
    DICT[key] = entry;
  }
}

/** Call fn(lang) after every language change. */
export function onLangChange(fn) {
  listeners.add(fn);
}

/** Translate a key, filling `{name}` placeholders from vars. */
/**
 * A server error in the reader's language: by its `code` when this page knows it (with the
 * field and the seconds to wait), else the server's English sentence.
 */
export function serverText(e) {
  if (!e) return '';
  const key = `err.${e.code}`;
  if (e.code && DICT[key]) {
    return t(key, { field: e.field ?? '', retry: e.retry_after ?? '' });
  }
  return e.message || e.code || String(e);
}

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

const percentFormats = new Map();

/** A fraction as a percentage in the current locale: 0.02 → "2%" (at most 2 decimals). */
export function formatPercent(x) {
  const v = Number(x);
  if (x === null || x === undefined || x === '' || !Number.isFinite(v)) return t('dash');
  const key = getLocale();
  let f = percentFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(key, { style: 'percent', maximumFractionDigits: 2 });
    percentFormats.set(key, f);
  }
  return f.format(Object.is(v, -0) ? 0 : v);
}

const byteFormats = new Map();

/** A file size: "512 B", "1,5 KB", "2 MB" (binary multiples), in the current locale. */
export function formatBytes(n) {
  const v = Number(n);
  if (n === null || n === undefined || n === '' || !Number.isFinite(v)) return t('dash');
  const key = getLocale();
  let f = byteFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(key, { maximumFractionDigits: 1 });
    byteFormats.set(key, f);
  }
  if (v < 1024) return `${f.format(v)} B`;
  if (v < 1024 * 1024) return `${f.format(v / 1024)} KB`;
  return `${f.format(v / (1024 * 1024))} MB`;
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
  hm: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
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
 * style: 'datetime' (default), 'short' (day/month hour:minute), 'time' or 'hm' (hour:minute).
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

/** The states a checker gives an attack/defend service. */
export const SERVICE_STATES = new Set(['ok', 'recovering', 'corrupt', 'mumble', 'down', 'checker_error']);
const STATE_GLYPH = {
  ok: '\u2714', recovering: '\u21bb', corrupt: '!', mumble: '?', down: '\u2716', checker_error: '\u2699', none: '\u2026',
};

/** A service state's key for styles: `none` before the first verdict, `unknown` for another. */
export function serviceStateKey(st) {
  if (st === null || st === undefined) return 'none';
  return SERVICE_STATES.has(st) ? st : 'unknown';
}

/** The sign shown before a service state (by its key). */
export function serviceStateGlyph(key) {
  return STATE_GLYPH[key] || '\u2022';
}

/** A service state in words. */
export function serviceStateLabel(st) {
  if (st === null || st === undefined) return t('svc.state.none');
  return SERVICE_STATES.has(st) ? t(`svc.state.${st}`) : String(st);
}

/** A service state as grids show it: its sign and its words. */
export function serviceStateBadge(st) {
  return el('span', { class: 'svc-state' },
    el('span', { class: 'svc-glyph', 'aria-hidden': 'true', text: serviceStateGlyph(serviceStateKey(st)) }),
    el('span', { class: 'svc-label', text: serviceStateLabel(st) }));
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
