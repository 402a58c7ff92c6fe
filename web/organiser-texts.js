// Texts of the organiser console (key → {vi, en}). Vietnamese terms follow the shared glossary
// (/work/shared/glossary-vi.md): ban tổ chức, kịch bản, cuộc diễn tập, đội, điểm, vòng, dịch vụ,
// đóng băng bảng xếp hạng, thông báo, bắt đầu / tạm dừng / tiếp tục / kết thúc.

import { addTexts } from './i18n.js';

addTexts({
  // ---- chrome, sign-in, session
  'org.page_title': { vi: 'Ban tổ chức — drillboard', en: 'Organiser console — drillboard' },
  'org.heading': { vi: 'Bảng điều khiển của ban tổ chức', en: 'Organiser console' },
  'org.login_heading': { vi: 'Đăng nhập ban tổ chức', en: 'Organiser sign-in' },
  'org.login_intro': {
    vi: 'Dùng tài khoản ban tổ chức. Tài khoản đầu tiên được tạo trên máy chủ bằng lệnh drillboard user add --role organiser.',
    en: 'Use an organiser login. The first one is created on the server with drillboard user add --role organiser.',
  },
  'org.login_not_organiser': {
    vi: 'Tài khoản này có vai trò {role}, không phải ban tổ chức; trang này chỉ dành cho ban tổ chức.',
    en: 'This login has the {role} role, not organiser; this page is for organisers only.',
  },
  'org.wrong_role': {
    vi: 'Trình duyệt đang đăng nhập bằng tài khoản {user} ({role}). Hãy đăng nhập bằng tài khoản ban tổ chức.',
    en: 'This browser is signed in as {user} ({role}). Sign in with an organiser login.',
  },
  'org.me_failed': {
    vi: 'Không kiểm tra được phiên đăng nhập: {message}',
    en: 'Could not check the session: {message}',
  },
  'org.retry': { vi: 'Thử lại', en: 'Try again' },
  'org.sections': { vi: 'Các mục của trang', en: 'Sections of this page' },
  'org.load_failed': { vi: 'Không tải được dữ liệu.', en: 'Could not load this.' },
  'org.logout_title': { vi: 'Đăng xuất?', en: 'Sign out?' },
  'org.logout_text': {
    vi: 'Trên trang còn mật khẩu hoặc mã truy cập (token) chưa được tải về. Sau khi đăng xuất sẽ không xem lại được.',
    en: 'Passwords or tokens on this page have not been saved. They cannot be shown again after signing out.',
  },

  // ---- errors and shared bits
  'org.err.timeout': {
    vi: 'Máy chủ không trả lời kịp (hết thời gian chờ).',
    en: 'The server did not answer in time.',
  },
  'org.err.client': { vi: 'Lỗi trên trang: {message}', en: 'Page error: {message}' },
  'org.err.field': { vi: 'Trường: {field}', en: 'Field: {field}' },
  'org.err.line_col': { vi: 'Dòng {line}, cột {column}', en: 'Line {line}, column {column}' },
  'org.err.line': { vi: 'Dòng {line}', en: 'Line {line}' },
  'org.err.code': { vi: 'Mã lỗi: HTTP {status} {code}', en: 'Error code: HTTP {status} {code}' },
  'org.too_big': {
    vi: 'Nội dung dài {n} byte, vượt mức tối đa {max} byte mà máy chủ nhận.',
    en: 'The text is {n} bytes, over the server’s {max}-byte limit.',
  },
  'org.file_read': { vi: 'Đã đọc tệp “{name}” ({n} byte).', en: 'Read “{name}” ({n} bytes).' },
  'org.file_failed': {
    vi: 'Không đọc được tệp “{name}”: {message}',
    en: 'Could not read “{name}”: {message}',
  },
  'org.problems': { vi: 'Có {n} lỗi cần sửa.', en: '{n} problem(s) to fix.' },
  'org.problem.list': { vi: 'Danh sách lỗi', en: 'Problems' },
  'org.problem.click': {
    vi: 'Chọn một lỗi trong danh sách để đưa con trỏ tới đúng dòng và cột.',
    en: 'Choose a problem in the list to move the cursor to its line and column.',
  },
  'org.problem.hint': { vi: 'Cách sửa: {hint}', en: 'How to fix: {hint}' },
  'org.problem.whole_file': { vi: 'Cả tệp', en: 'Whole file' },
  'org.minutes': { vi: '{n} phút', en: '{n} min' },
  'org.show_more': { vi: 'Xem thêm', en: 'Show more' },
  'org.showing': { vi: 'Đang hiện {shown}/{n} dòng.', en: 'Showing {shown} of {n}.' },
  'org.showing_all': { vi: 'Đang hiện cả {n} dòng.', en: 'Showing all {n}.' },
  'org.dialog.reason': { vi: 'Lý do (bắt buộc)', en: 'Reason (required)' },
  'org.dialog.reason_help': {
    vi: 'Ít nhất 3 ký tự; được ghi vào nhật ký.',
    en: 'At least 3 characters; recorded in the log.',
  },

  // ---- table columns
  'org.col.role': { vi: 'Vai trò', en: 'Role' },
  'org.col.team': { vi: 'Đội', en: 'Team' },
  'org.col.team_token': { vi: 'Mã truy cập API của đội', en: 'Team API token' },
  'org.col.id': { vi: 'Mã', en: 'ID' },
  'org.col.members': { vi: 'Thành viên', en: 'Members' },
  'org.col.status': { vi: 'Trạng thái', en: 'Status' },
  'org.col.actions': { vi: 'Thao tác', en: 'Actions' },
  'org.col.time': { vi: 'Thời điểm', en: 'Time' },
  'org.col.points': { vi: 'Điểm', en: 'Points' },
  'org.col.reason': { vi: 'Lý do', en: 'Reason' },
  'org.col.actor': { vi: 'Người thực hiện', en: 'Actor' },
  'org.col.action': { vi: 'Thao tác', en: 'Action' },
  'org.col.details': { vi: 'Chi tiết', en: 'Details' },
  'org.col.round': { vi: 'Vòng', en: 'Round' },
  'org.col.start': { vi: 'Bắt đầu', en: 'Start' },
  'org.col.end': { vi: 'Kết thúc', en: 'End' },
  'org.col.type': { vi: 'Loại', en: 'Type' },

  // ---- 1. scenario
  'org.scenario.heading': { vi: 'Kịch bản', en: 'Scenario' },
  'org.scenario.file': { vi: 'Mở tệp kịch bản (YAML)', en: 'Open a scenario file (YAML)' },
  'org.scenario.text': { vi: 'Nội dung kịch bản (YAML)', en: 'Scenario text (YAML)' },
  'org.scenario.help': {
    vi: 'Dán hoặc mở tệp kịch bản (định dạng trong docs/scenario-format.md). “Kiểm tra” chỉ kiểm tra, không lưu gì; “Nạp kịch bản” kiểm tra rồi nạp, và tạo tài khoản cho các đội mới. Không dùng được teams_csv ở đây: hãy liệt kê các đội trong kịch bản hoặc nhập từ CSV ở mục “Đội và tài khoản”.',
    en: '“Validate” only checks the scenario and stores nothing; “Load scenario” checks and loads it, and creates logins for new teams (format in docs/scenario-format.md). teams_csv cannot be used here: list the teams in the scenario or import them as CSV under “Teams and logins”.',
  },
  'org.scenario.validate': { vi: 'Kiểm tra', en: 'Validate' },
  'org.scenario.load': { vi: 'Nạp kịch bản', en: 'Load scenario' },
  'org.scenario.show': { vi: 'Xem kịch bản đang dùng', en: 'Show current scenario' },
  'org.scenario.cursor': {
    vi: 'Con trỏ: dòng {line}, cột {column} · {bytes} byte',
    en: 'Cursor: line {line}, column {column} · {bytes} bytes',
  },
  'org.scenario.none': { vi: 'Chưa nạp kịch bản nào.', en: 'No scenario is loaded yet.' },
  'org.scenario.none_short': { vi: 'Chưa có kịch bản', en: 'No scenario loaded' },
  'org.scenario.current': { vi: 'Đang dùng: {id} — {title}', en: 'Loaded: {id} — {title}' },
  'org.scenario.counts': {
    vi: '{teams} đội, {challenges} thử thách, {injects} tình huống (inject)',
    en: '{teams} teams, {challenges} challenges, {injects} injects',
  },
  'org.scenario.services': {
    vi: 'tấn công/phòng thủ với {n} dịch vụ',
    en: 'attack/defend with {n} services',
  },
  'org.scenario.empty': { vi: 'Hãy dán hoặc mở một kịch bản trước.', en: 'Paste or open a scenario first.' },
  'org.scenario.validating': { vi: 'Đang kiểm tra kịch bản…', en: 'Validating the scenario…' },
  'org.scenario.valid': {
    vi: 'Kịch bản hợp lệ: cuộc diễn tập {id}, {teams} đội, {challenges} thử thách. Kịch bản chưa được nạp.',
    en: 'The scenario is valid: exercise {id}, {teams} teams, {challenges} challenges. It is not loaded yet.',
  },
  'org.scenario.validate_failed': { vi: 'Không kiểm tra được kịch bản.', en: 'Could not validate the scenario.' },
  'org.scenario.loading': { vi: 'Đang nạp kịch bản…', en: 'Loading the scenario…' },
  'org.scenario.loaded': {
    vi: 'Đã nạp kịch bản {id}; {n} tài khoản đội mới.',
    en: 'Scenario {id} loaded; {n} new team logins.',
  },
  'org.scenario.load_failed': { vi: 'Máy chủ không nạp kịch bản.', en: 'The server did not load the scenario.' },
  'org.scenario.confirm_title': { vi: 'Thay kịch bản đang dùng?', en: 'Replace the loaded scenario?' },
  'org.scenario.confirm_text': {
    vi: 'Kịch bản “{id}” sẽ được thay bằng nội dung trong ô soạn thảo. Đồng hồ được giữ nguyên. Máy chủ từ chối nếu mã cuộc diễn tập khác, hoặc nếu bỏ một thử thách đã có đội giải hay một tình huống đã có báo cáo.',
    en: 'Scenario “{id}” will be replaced by the text in the editor. The clock is kept. The server refuses another exercise id, or dropping a challenge already solved or an inject already reported on.',
  },
  'org.scenario.confirm_ok': { vi: 'Nạp và thay thế', en: 'Load and replace' },
  'org.scenario.show_failed': { vi: 'Không lấy được kịch bản đang dùng.', en: 'Could not fetch the loaded scenario.' },
  'org.scenario.replace_title': { vi: 'Thay nội dung ô soạn thảo?', en: 'Replace the editor’s text?' },
  'org.scenario.replace_text': {
    vi: 'Ô soạn thảo đang có nội dung khác với kịch bản đang dùng. Nội dung đó sẽ bị thay.',
    en: 'The editor holds text that differs from the loaded scenario. It will be replaced.',
  },
  'org.scenario.replace_ok': { vi: 'Thay nội dung', en: 'Replace the text' },
  'org.scenario.shown': {
    vi: 'Ô soạn thảo đang hiện kịch bản đang dùng {id} ({n} dòng), có cả cờ (flag).',
    en: 'The editor shows the loaded scenario {id} ({n} lines), flags included.',
  },

  // ---- one-time credentials
  'org.cred.heading': { vi: 'Thông tin đăng nhập mới ({n})', en: 'New logins ({n})' },
  'org.cred.once': {
    vi: 'Mật khẩu và mã truy cập (token) chỉ hiện một lần, ngay bây giờ. Hãy tải về dạng CSV và trao cho từng đội, từng giám khảo qua kênh an toàn.',
    en: 'Passwords and tokens are shown only this once. Download them as CSV and hand them to each team or judge over a safe channel.',
  },
  'org.cred.caption': { vi: 'Thông tin đăng nhập mới', en: 'New logins' },
  'org.cred.csv': { vi: 'Tải về dạng CSV', en: 'Download as CSV' },
  'org.cred.hide': { vi: 'Ẩn', en: 'Hide' },
  'org.cred.saved': { vi: 'Đã lưu tệp {name}.', en: 'Saved {name}.' },
  'org.cred.hide_title': { vi: 'Ẩn thông tin đăng nhập?', en: 'Hide these logins?' },
  'org.cred.hide_text': {
    vi: 'Các mật khẩu và mã truy cập này chưa được tải về và sẽ không xem lại được. Nếu mất, phải đặt lại mật khẩu hoặc tạo mã truy cập mới.',
    en: 'These passwords and tokens have not been downloaded and cannot be shown again. If they are lost, reset the password or create a new token.',
  },
  'org.cred.hide_ok': { vi: 'Ẩn vĩnh viễn', en: 'Hide for good' },

  // ---- 2. clock
  'org.clock.heading': { vi: 'Đồng hồ cuộc diễn tập', en: 'Exercise clock' },
  'org.clock.controls': { vi: 'Điều khiển đồng hồ', en: 'Clock controls' },
  'org.clock.freeze_controls': { vi: 'Đóng băng bảng xếp hạng', en: 'Leaderboard freeze' },
  'org.clock.start': { vi: 'Bắt đầu', en: 'Start' },
  'org.clock.pause': { vi: 'Tạm dừng', en: 'Pause' },
  'org.clock.resume': { vi: 'Tiếp tục', en: 'Resume' },
  'org.clock.end': { vi: 'Kết thúc', en: 'End' },
  'org.clock.freeze': { vi: 'Đóng băng bảng xếp hạng', en: 'Freeze the leaderboard' },
  'org.clock.unfreeze': { vi: 'Bỏ đóng băng bảng xếp hạng', en: 'Unfreeze the leaderboard' },
  'org.clock.extend': { vi: 'Gia hạn', en: 'Extend' },
  'org.clock.extend_label': { vi: 'Gia hạn thêm (phút)', en: 'Extend by (minutes)' },
  'org.clock.extend_help': {
    vi: 'Từ 1 đến 10080 phút. Dời giờ kết thúc (và thời điểm đóng băng sắp tới); nếu đã quá giờ kết thúc thì tính từ bây giờ, và cuộc diễn tập đã kết thúc sẽ mở lại.',
    en: '1 to 10080 minutes. Moves the end (and a freeze still to come); past the end it counts from now, and an ended exercise reopens.',
  },
  'org.clock.frozen_badge': { vi: 'Bảng xếp hạng đang đóng băng', en: 'Leaderboard frozen' },
  'org.clock.no_scenario': { vi: 'Chưa có kịch bản', en: 'No scenario' },
  'org.clock.load_first': {
    vi: 'Hãy nạp kịch bản trước khi bắt đầu.',
    en: 'Load a scenario before starting.',
  },
  'org.clock.can': { vi: 'Có thể làm ngay: {list}', en: 'Available now: {list}' },
  'org.clock.planned_start': { vi: 'Dự kiến bắt đầu', en: 'Planned start' },
  'org.clock.started_at': { vi: 'Bắt đầu lúc', en: 'Started at' },
  'org.clock.ends_at': { vi: 'Kết thúc lúc', en: 'Ends at' },
  'org.clock.freeze_at': { vi: 'Đóng băng lúc', en: 'Freezes at' },
  'org.clock.no_freeze': { vi: 'Không đóng băng', en: 'No freeze' },
  'org.clock.duration': { vi: 'Thời lượng', en: 'Duration' },
  'org.clock.bad_minutes': {
    vi: 'Số phút gia hạn phải là số nguyên từ 1 đến {max}.',
    en: 'The minutes must be a whole number from 1 to {max}.',
  },
  'org.clock.failed': { vi: 'Không thực hiện được “{action}”.', en: '“{action}” failed.' },
  'org.clock.confirm_end_title': { vi: 'Kết thúc cuộc diễn tập?', en: 'End the exercise?' },
  'org.clock.confirm_end_text': {
    vi: 'Cuộc diễn tập kết thúc ngay: các đội không nộp cờ, mở gợi ý hay nộp báo cáo được nữa. Muốn mở lại phải gia hạn.',
    en: 'The exercise ends now: teams can no longer submit flags, unlock hints or submit reports. Reopening it needs an extension.',
  },
  'org.clock.confirm_end_ok': { vi: 'Kết thúc ngay', en: 'End now' },
  'org.clock.confirm_unfreeze_title': { vi: 'Bỏ đóng băng bảng xếp hạng?', en: 'Unfreeze the leaderboard?' },
  'org.clock.confirm_unfreeze_text': {
    vi: 'Mọi người sẽ thấy ngay bảng xếp hạng trực tiếp, kể cả các lần nộp cờ sau thời điểm đóng băng.',
    en: 'Everyone sees the live leaderboard at once, including flags submitted after the freeze.',
  },
  'org.clock.confirm_unfreeze_ok': { vi: 'Bỏ đóng băng', en: 'Unfreeze' },
  'org.clock.done_start': {
    vi: 'Cuộc diễn tập đã bắt đầu; kết thúc lúc {time}.',
    en: 'The exercise has started; it ends at {time}.',
  },
  'org.clock.done_pause': { vi: 'Đã tạm dừng cuộc diễn tập.', en: 'The exercise is paused.' },
  'org.clock.done_resume': {
    vi: 'Cuộc diễn tập tiếp tục; kết thúc lúc {time}.',
    en: 'The exercise has resumed; it ends at {time}.',
  },
  'org.clock.done_end': { vi: 'Cuộc diễn tập đã kết thúc.', en: 'The exercise has ended.' },
  'org.clock.done_extend': {
    vi: 'Đã gia hạn {n} phút; kết thúc lúc {time} ({status}).',
    en: 'Extended by {n} minutes; it ends at {time} ({status}).',
  },
  'org.clock.done_freeze': { vi: 'Đã đóng băng bảng xếp hạng.', en: 'The leaderboard is frozen.' },
  'org.clock.done_unfreeze': { vi: 'Đã bỏ đóng băng bảng xếp hạng.', en: 'The leaderboard is no longer frozen.' },

  // ---- 3. announcements
  'org.announce.heading': { vi: 'Thông báo', en: 'Announcements' },
  'org.announce.vi': { vi: 'Nội dung tiếng Việt', en: 'Vietnamese text' },
  'org.announce.en': { vi: 'Nội dung tiếng Anh', en: 'English text' },
  'org.announce.help': {
    vi: 'Cần ít nhất một ngôn ngữ (mỗi ngôn ngữ tối đa 2000 ký tự); người đọc ngôn ngữ còn trống sẽ thấy bản ở ngôn ngữ kia. Thông báo đến mọi đội ngay.',
    en: 'At least one language is needed (up to 2000 characters each); readers of an empty language see the other one. The announcement reaches every team at once.',
  },
  'org.announce.send': { vi: 'Gửi thông báo', en: 'Send announcement' },
  'org.announce.list': { vi: 'Các thông báo đã gửi', en: 'Sent announcements' },
  'org.announce.none': { vi: 'Chưa có thông báo nào.', en: 'No announcements yet.' },
  'org.announce.empty': {
    vi: 'Hãy viết nội dung thông báo bằng ít nhất một ngôn ngữ.',
    en: 'Write the announcement in at least one language.',
  },
  'org.announce.failed': { vi: 'Máy chủ không nhận thông báo.', en: 'The server did not accept the announcement.' },
  'org.announce.sent': { vi: 'Đã gửi thông báo lúc {time}.', en: 'Announcement sent at {time}.' },

  // ---- 4. teams, tokens, logins
  'org.teams.heading': { vi: 'Đội và tài khoản', en: 'Teams and logins' },
  'org.teams.list': { vi: 'Các đội', en: 'Teams' },
  'org.teams.none': {
    vi: 'Chưa có đội nào. Hãy nạp kịch bản hoặc nhập danh sách đội từ CSV.',
    en: 'No teams yet. Load a scenario or import teams from CSV.',
  },
  'org.teams.count': {
    vi: '{n} đội, {dq} đội bị truất quyền thi đấu.',
    en: '{n} teams, {dq} disqualified.',
  },
  'org.teams.active': { vi: 'Đang thi đấu', en: 'Competing' },
  'org.teams.dq': { vi: 'Bị truất quyền thi đấu', en: 'Disqualified' },
  'org.teams.hidden': { vi: 'Ẩn khỏi bảng xếp hạng', en: 'Hidden from the ranking' },
  'org.teams.dq_reason': { vi: 'Lý do: {reason}', en: 'Reason: {reason}' },
  'org.teams.disqualify': { vi: 'Truất quyền thi đấu', en: 'Disqualify' },
  'org.teams.reinstate': { vi: 'Khôi phục quyền thi đấu', en: 'Reinstate' },
  'org.teams.dq_title': { vi: 'Truất quyền thi đấu của đội?', en: 'Disqualify this team?' },
  'org.teams.dq_text': {
    vi: '{team} sẽ bị đưa ra khỏi bảng xếp hạng; các lần giải của đội này không còn làm giảm giá trị của thử thách. Có thể khôi phục sau.',
    en: '{team} is taken off the ranking; its solves stop lowering challenge values. This can be reversed.',
  },
  'org.teams.dq_failed': {
    vi: 'Không truất quyền thi đấu được: {team}.',
    en: 'Could not disqualify {team}.',
  },
  'org.teams.dq_done': {
    vi: 'Đã truất quyền thi đấu: {team} (sự kiện #{seq}).',
    en: '{team} is disqualified (event #{seq}).',
  },
  'org.teams.reinstate_title': { vi: 'Khôi phục quyền thi đấu?', en: 'Reinstate this team?' },
  'org.teams.reinstate_text': { vi: '{team} sẽ trở lại bảng xếp hạng.', en: '{team} returns to the ranking.' },
  'org.teams.reinstate_failed': {
    vi: 'Không khôi phục được quyền thi đấu: {team}.',
    en: 'Could not reinstate {team}.',
  },
  'org.teams.reinstate_done': {
    vi: 'Đã khôi phục quyền thi đấu: {team} (sự kiện #{seq}).',
    en: '{team} is reinstated (event #{seq}).',
  },

  'org.tokens.button': { vi: 'Mã truy cập API', en: 'API tokens' },
  'org.tokens.heading': { vi: 'Mã truy cập API — {team}', en: 'API tokens of {team}' },
  'org.tokens.prefix': { vi: 'Tiền tố', en: 'Prefix' },
  'org.tokens.label': { vi: 'Nhãn', en: 'Label' },
  'org.tokens.created': { vi: 'Tạo lúc', en: 'Created' },
  'org.tokens.active': { vi: 'Đang dùng', en: 'Active' },
  'org.tokens.revoked_at': { vi: 'Đã thu hồi lúc {time}', en: 'Revoked at {time}' },
  'org.tokens.revoke': { vi: 'Thu hồi', en: 'Revoke' },
  'org.tokens.none': { vi: 'Đội chưa có mã truy cập nào.', en: 'The team has no tokens.' },
  'org.tokens.new_label': { vi: 'Nhãn cho mã mới (không bắt buộc)', en: 'Label for a new token (optional)' },
  'org.tokens.create': { vi: 'Tạo mã truy cập', en: 'Create token' },
  'org.tokens.create_failed': { vi: 'Không tạo được mã truy cập.', en: 'Could not create the token.' },
  'org.tokens.created_msg': { vi: 'Đã tạo mã truy cập {prefix}….', en: 'Token {prefix}… created.' },
  'org.tokens.fresh': {
    vi: 'Mã truy cập mới {prefix}… chỉ hiện một lần: hãy sao chép ngay.',
    en: 'The new token {prefix}… is shown only once: copy it now.',
  },
  'org.tokens.fresh_label': { vi: 'Mã truy cập mới', en: 'New token' },
  'org.tokens.fresh_hide': { vi: 'Đã sao chép, ẩn đi', en: 'Copied, hide it' },
  'org.tokens.confirm_title': { vi: 'Thu hồi mã truy cập?', en: 'Revoke this token?' },
  'org.tokens.confirm_text': {
    vi: 'Mã {prefix}… ({team}) ngừng hoạt động ngay; các công cụ của đội đang dùng mã này sẽ bị từ chối. Không thể hoàn tác.',
    en: 'Token {prefix}… of {team} stops working at once; the team’s tools using it are refused. This cannot be undone.',
  },
  'org.tokens.confirm_ok': { vi: 'Thu hồi', en: 'Revoke' },
  'org.tokens.revoke_failed': { vi: 'Không thu hồi được mã truy cập.', en: 'Could not revoke the token.' },
  'org.tokens.revoked': { vi: 'Đã thu hồi mã {prefix}… lúc {time}.', en: 'Token {prefix}… revoked at {time}.' },

  'org.import.heading': { vi: 'Nhập danh sách đội từ CSV', en: 'Import teams from CSV' },
  'org.import.help': {
    vi: 'Dòng đầu là tên cột: name (bắt buộc), organisation (hoặc province), members (các tên cách nhau bằng dấu ;), id (không bắt buộc; để trống thì tạo từ tên). Đội có id đã tồn tại được cập nhật và không có tài khoản mới. Chỉ cần một dòng có lỗi là không đội nào được tạo.',
    en: 'The first row names the columns: name (required), organisation (or province), members (names separated by ;), id (optional; made from the name when empty). A team whose id exists is updated and gets no new login. If any row has a problem, no team is created.',
  },
  'org.import.file': { vi: 'Mở tệp CSV', en: 'Open a CSV file' },
  'org.import.text': { vi: 'Nội dung CSV', en: 'CSV text' },
  'org.import.send': { vi: 'Nhập các đội', en: 'Import teams' },
  'org.import.empty': { vi: 'Hãy dán hoặc mở một tệp CSV trước.', en: 'Paste or open a CSV file first.' },
  'org.import.sending': { vi: 'Đang nhập các đội…', en: 'Importing teams…' },
  'org.import.done': {
    vi: 'Đã nhập các đội; {n} tài khoản đội mới.',
    en: 'Teams imported; {n} new team logins.',
  },
  'org.import.failed': { vi: 'Máy chủ không nhập danh sách đội.', en: 'The server did not import the teams.' },

  'org.users.heading': { vi: 'Tài khoản đăng nhập', en: 'Logins' },
  'org.users.none': { vi: 'Chưa có tài khoản nào.', en: 'No logins yet.' },
  'org.users.unavailable': {
    vi: 'Không tải được danh sách tài khoản; vẫn có thể đặt lại mật khẩu theo tên đăng nhập.',
    en: 'The list of logins could not be loaded; passwords can still be reset by username.',
  },
  'org.users.lead': { vi: 'trưởng ban giám khảo', en: 'lead judge' },
  'org.users.disabled': { vi: 'đã khóa', en: 'disabled' },
  'org.reset.username': { vi: 'Đặt lại mật khẩu cho tài khoản', en: 'Reset the password of' },
  'org.reset.send': { vi: 'Đặt lại mật khẩu', en: 'Reset password' },
  'org.reset.empty': { vi: 'Hãy nhập tên đăng nhập.', en: 'Enter a username.' },
  'org.reset.confirm_title': { vi: 'Đặt lại mật khẩu?', en: 'Reset the password?' },
  'org.reset.confirm_text': {
    vi: 'Tài khoản {user} sẽ có mật khẩu mới ngẫu nhiên và mật khẩu cũ hết hiệu lực ngay. Các phiên đã đăng nhập trước đó vẫn dùng được đến khi hết hạn.',
    en: '{user} gets a new random password and the old one stops working at once. Sessions opened before stay valid until they expire.',
  },
  'org.reset.failed': { vi: 'Không đặt lại được mật khẩu của {user}.', en: 'Could not reset the password of {user}.' },
  'org.reset.done': { vi: 'Đã đặt lại mật khẩu của {user}.', en: 'The password of {user} has been reset.' },

  'org.user.heading': {
    vi: 'Tạo tài khoản giám khảo hoặc ban tổ chức',
    en: 'Create a judge or organiser login',
  },
  'org.user.username_help': {
    vi: '1 đến 64 ký tự: chữ cái không dấu, chữ số, “-”, “_” hoặc “.”.',
    en: '1 to 64 letters, digits, “-”, “_” or “.”.',
  },
  'org.user.role': { vi: 'Vai trò', en: 'Role' },
  'org.user.role_judge': { vi: 'Giám khảo', en: 'Judge' },
  'org.user.role_organiser': { vi: 'Ban tổ chức', en: 'Organiser' },
  'org.user.lead': { vi: 'Trưởng ban giám khảo', en: 'Lead judge' },
  'org.user.lead_help': {
    vi: 'Trưởng ban giám khảo chấm phúc khảo khi hai lần chấm chênh nhau quá ngưỡng (chỉ dành cho giám khảo).',
    en: 'A lead judge moderates when two marks differ beyond the threshold (judges only).',
  },
  'org.user.password': { vi: 'Mật khẩu (không bắt buộc)', en: 'Password (optional)' },
  'org.user.password_help': {
    vi: 'Ít nhất 10 ký tự; để trống thì máy chủ tạo mật khẩu ngẫu nhiên.',
    en: 'At least 10 characters; leave it empty for a random one.',
  },
  'org.user.send': { vi: 'Tạo tài khoản', en: 'Create login' },
  'org.user.bad_username': {
    vi: 'Tên đăng nhập cần 1 đến 64 ký tự: chữ cái không dấu, chữ số, “-”, “_” hoặc “.”.',
    en: 'A username needs 1 to 64 letters, digits, “-”, “_” or “.”.',
  },
  'org.user.short_password': {
    vi: 'Mật khẩu cần ít nhất 10 ký tự (hoặc để trống).',
    en: 'A password needs at least 10 characters (or leave it empty).',
  },
  'org.user.failed': { vi: 'Không tạo được tài khoản {user}.', en: 'Could not create the login {user}.' },
  'org.user.done': { vi: 'Đã tạo tài khoản {user} ({role}).', en: 'Login {user} ({role}) created.' },

  // ---- 5. adjustments
  'org.adjust.heading': { vi: 'Điều chỉnh điểm', en: 'Adjustments' },
  'org.adjust.intro': {
    vi: 'Cộng hoặc trừ điểm của một đội, kèm lý do. Điều chỉnh được ghi vào nhật ký sự kiện và không xóa được; muốn sửa thì ghi một điều chỉnh ngược lại.',
    en: 'Add or remove points for a team, with a reason. Adjustments go into the event log and cannot be deleted; to correct one, record the opposite.',
  },
  'org.adjust.team': { vi: 'Đội', en: 'Team' },
  'org.adjust.choose': { vi: '— Chọn đội —', en: '— Choose a team —' },
  'org.adjust.points': { vi: 'Số điểm (số âm để trừ điểm)', en: 'Points (negative to remove)' },
  'org.adjust.reason': { vi: 'Lý do (bắt buộc)', en: 'Reason (required)' },
  'org.adjust.reason_help': {
    vi: 'Ít nhất 3 ký tự, được ghi vào nhật ký sự kiện. Nút “Ghi điều chỉnh” chỉ bấm được khi đã có lý do.',
    en: 'At least 3 characters, kept in the event log. “Record adjustment” works once a reason is given.',
  },
  'org.adjust.send': { vi: 'Ghi điều chỉnh', en: 'Record adjustment' },
  'org.adjust.no_team': { vi: 'Hãy chọn đội.', en: 'Choose a team.' },
  'org.adjust.bad_points': {
    vi: 'Số điểm phải là một số khác 0, trị tuyệt đối không quá 1 000 000 000.',
    en: 'Points must be a non-zero number of at most 1,000,000,000 either way.',
  },
  'org.adjust.no_reason': {
    vi: 'Hãy nhập lý do (ít nhất {n} ký tự).',
    en: 'Give a reason (at least {n} characters).',
  },
  'org.adjust.confirm_title': { vi: 'Ghi điều chỉnh điểm?', en: 'Record this adjustment?' },
  'org.adjust.confirm_text': {
    vi: '{points} điểm cho {team}. Lý do: “{reason}”. Điều chỉnh không xóa được.',
    en: '{points} points for {team}. Reason: “{reason}”. Adjustments cannot be deleted.',
  },
  'org.adjust.failed': { vi: 'Máy chủ không ghi điều chỉnh.', en: 'The server did not record the adjustment.' },
  'org.adjust.done': {
    vi: 'Đã ghi {points} điểm cho {team} (sự kiện #{seq}).',
    en: 'Recorded {points} points for {team} (event #{seq}).',
  },
  'org.adjust.list': { vi: 'Các điều chỉnh đã ghi', en: 'Recorded adjustments' },
  'org.adjust.none': { vi: 'Chưa có điều chỉnh nào.', en: 'No adjustments yet.' },

  // ---- 6. attack/defend rounds
  'org.rounds.heading': { vi: 'Vòng tấn công/phòng thủ', en: 'Attack/defend rounds' },
  'org.rounds.intro': {
    vi: 'Khi chương trình kiểm tra (checker) của một dịch vụ bị lỗi trong một vòng đã xong, hãy hủy kết quả kiểm tra của dịch vụ đó trong vòng ấy: các kết quả không còn được tính và điểm SLA được tính lại ngay.',
    en: 'When a service’s checker was broken in a finished round, void that service’s verdicts for the round: they stop counting and SLA is recomputed at once.',
  },
  'org.rounds.none': { vi: 'Chưa có vòng nào được chơi.', en: 'No round has been played yet.' },
  'org.rounds.voided': { vi: 'Dịch vụ đã hủy kết quả', en: 'Voided services' },
  'org.rounds.void_col': { vi: 'Hủy kết quả', en: 'Void' },
  'org.rounds.void': { vi: 'Hủy kết quả vòng', en: 'Void round' },
  'org.rounds.round_n': { vi: 'vòng {n}', en: 'round {n}' },
  'org.rounds.service_for': { vi: 'Dịch vụ cần hủy kết quả ở vòng {n}', en: 'Service to void in round {n}' },
  'org.rounds.running_note': { vi: 'Vòng đang chạy: chờ vòng kết thúc.', en: 'Running: wait until it ends.' },
  'org.rounds.no_services': { vi: 'Không rõ danh sách dịch vụ.', en: 'The services are unknown.' },
  'org.rounds.all_void': { vi: 'Đã hủy kết quả mọi dịch vụ.', en: 'Every service is void.' },
  'org.rounds.confirm_title': { vi: 'Hủy kết quả vòng {n}?', en: 'Void round {n}?' },
  'org.rounds.confirm_text': {
    vi: 'Kết quả kiểm tra của dịch vụ {service} ở vòng {n} sẽ không được tính cho mọi đội; điểm SLA được tính lại ngay. Không thể hoàn tác.',
    en: 'The verdicts of {service} in round {n} stop counting for every team; SLA is recomputed at once. This cannot be undone.',
  },
  'org.rounds.failed': {
    vi: 'Không hủy được kết quả vòng {n} của dịch vụ {service}.',
    en: 'Could not void round {n} of {service}.',
  },
  'org.rounds.done': {
    vi: 'Đã hủy kết quả vòng {n} của dịch vụ {service}.',
    en: 'Round {n} of {service} is void.',
  },
  'org.alerts.heading': { vi: 'Cảnh báo trình kiểm tra', en: 'Checker alerts' },
  'org.alerts.intro': {
    vi: 'Trình kiểm tra bị lỗi hoặc báo lỗi ở các vòng dưới đây. Xem lỗi của từng đội; nếu lỗi không do đội, hãy hủy kết quả vòng đó của dịch vụ.',
    en: 'These checkers failed or reported a checker error. Read each team\'s error; if the team is not at fault, void that round of the service.',
  },
  'org.alerts.summary': {
    vi: 'Vòng {n} · {service}: {count} đội',
    en: 'Round {n} · {service}: {count} teams',
  },
  'org.alerts.summary_service': {
    vi: 'Vòng {n} · {service}: trình kiểm tra',
    en: 'Round {n} · {service}: the checker',
  },
  'org.alerts.void': { vi: 'Hủy kết quả vòng {n} của {service}', en: 'Void round {n} of {service}' },
  'org.round.running': { vi: 'Đang chạy', en: 'Running' },
  'org.round.done': { vi: 'Đã xong', en: 'Done' },
  'org.round.interrupted': { vi: 'Bị gián đoạn', en: 'Interrupted' },

  // ---- 7. exports
  'org.export.heading': { vi: 'Xuất kết quả', en: 'Exports' },
  'org.export.intro': {
    vi: 'JSON: toàn bộ cuộc diễn tập (kịch bản có cả cờ, sự kiện, các lần nộp cờ, báo cáo, nhật ký) để lưu trữ và tính lại điểm. CSV: bảng xếp hạng trực tiếp hiện tại, mỗi đội một dòng.',
    en: 'JSON: the whole exercise (scenario with flags, events, flag attempts, reports, logs) to archive and recompute. CSV: the current live leaderboard, one row per team.',
  },
  'org.export.json': { vi: 'Tải toàn bộ dữ liệu (JSON)', en: 'Download everything (JSON)' },
  'org.export.csv': { vi: 'Tải bảng xếp hạng (CSV)', en: 'Download the leaderboard (CSV)' },
  'org.export.failed': { vi: 'Không xuất được kết quả.', en: 'The export failed.' },
  'org.export.saved': { vi: 'Đã lưu tệp {name} ({size} byte).', en: 'Saved {name} ({size} bytes).' },

  // ---- 8. logs
  'org.audit.heading': { vi: 'Nhật ký', en: 'Logs' },
  'org.audit.list': { vi: 'Nhật ký thao tác (audit log)', en: 'Audit log' },
  'org.audit.none': { vi: 'Nhật ký thao tác đang trống.', en: 'The audit log is empty.' },
  'org.events.heading': { vi: 'Nhật ký sự kiện tính điểm', en: 'Scoring event log' },
  'org.events.filter': { vi: 'Đội', en: 'Team' },
  'org.events.all': { vi: 'Mọi đội', en: 'All teams' },
  'org.events.none': { vi: 'Không có sự kiện nào.', en: 'No events.' },
});
