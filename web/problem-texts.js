// Scenario, team-list and checker problems, and checker failures, in the reader's language. The server sends each
// problem with a stable `code`, its `params`, and the English `message` (for the command line and
// API users); a page shows the English `message` as it is, and the Vietnamese text from the
// templates below. Field names in backticks are YAML keys and stay as written. A test
// (crates/api/tests/api/problem_texts.rs) checks that every code the server can send has a
// template here and that each template names only parameters the server sends.

import { addTexts, getLang, t } from './i18n.js';

const VI = {
  // ---- files and YAML
  ctfcli_no_files: 'không tìm thấy tệp challenge.yml nào trong thư mục này',
  ctfcli_folder: 'chọn thư mục chứa mỗi thử thách trong một thư mục con',
  unreadable_file: 'không đọc được tệp: {detail}',
  unreadable_named_file: 'không đọc được `{path}`: {detail}',
  bad_yaml: 'đây không phải YAML hợp lệ: {detail}',
  unknown_version: 'không biết phiên bản định dạng kịch bản {version}',
  version_one: 'drillboard này đọc `version: 1`',
  // ---- fields (reader)
  missing_field: '{what} thiếu trường bắt buộc `{name}`',
  not_a_mapping: '{what} phải là một bảng các trường, nhưng đang là {found}',
  field_name_not_word: 'tên trường trong {what} phải là một từ đơn',
  unknown_field: 'trường `{field}` không được dùng trong {what}',
  allowed_here: 'ở đây được dùng: {names}',
  did_you_mean: 'có phải ý bạn là `{word}`?',
  field_twice: 'trường `{field}` được ghi hai lần trong {what}',
  keep_one: 'giữ lại một trong hai',
  not_text: '{what} phải là văn bản, nhưng đang là {found}',
  bad_ident: '{what} `{value}` không phải mã định danh hợp lệ',
  ident_rule: 'dùng từ 1 đến 64 chữ thường, chữ số, `-` hoặc `_`, ví dụ `web-01`',
  not_whole_number: '{what} phải là số nguyên, nhưng đang là `{value}`',
  not_whole_number_kind: '{what} phải là số nguyên, nhưng đang là {found}',
  number_unquoted: 'viết số không có dấu nháy, ví dụ `100`',
  below_min: '{what} phải từ {min} trở lên, nhưng đang là {value}',
  not_number: '{what} phải là một số, nhưng đang là `{value}`',
  not_number_kind: '{what} phải là một số, nhưng đang là {found}',
  not_boolean: '{what} phải là `true` hoặc `false`',
  not_duration: '{what} `{value}` không phải một khoảng thời gian',
  duration_rule: 'viết số kèm đơn vị: `4h`, `90m`, `1h30m`, `45s` (đơn vị d, h, m, s)',
  not_datetime: '{what} `{value}` không phải ngày giờ hợp lệ: {detail}',
  datetime_rule: 'viết kèm múi giờ, ví dụ `2026-12-01T08:00:00+07:00`',
  text_needs_language: '{what} cần văn bản `vi` hoặc `en`',
  not_a_list: '{what} phải là một danh sách, nhưng đang là {found}',
  not_positive: '`{field}` phải dài hơn 0',
  negative: '`{field}` không được âm',
  negative_weight: 'trọng số không được âm',
  // ---- exercise, teams, challenges
  teams_csv_needs_file: 'chỉ dùng được `teams_csv` khi kịch bản được nạp từ tệp',
  teams_csv_instead: 'liệt kê các đội trong `teams:` hoặc nhập bằng lệnh `drillboard team import`',
  bad_timezone: '`timezone` `{value}` không phải tên múi giờ IANA',
  timezone_example: 'ví dụ `Asia/Ho_Chi_Minh` hoặc `UTC`',
  bad_network: '`network` `{value}`: {detail}',
  network_example: 'viết một dải địa chỉ như `10.60.3.0/24` (hoặc danh sách các dải)',
  no_flags: 'mỗi thử thách cần ít nhất một cờ',
  hint_twice: 'mã gợi ý `{id}` được dùng hai lần trong thử thách này',
  unknown_decay: 'không biết hàm giảm điểm `{value}`',
  decay_choices: 'dùng `logarithmic` hoặc `linear`',
  minimum_above_initial: '`minimum` ({minimum}) lớn hơn `initial` ({initial})',
  decay_direction: 'điểm giảm dần từ `initial` xuống `minimum`',
  bad_regex: 'mẫu cờ `{pattern}` không phải biểu thức chính quy hợp lệ: {detail}',
  regex_rule: 'mẫu dùng cú pháp regex của Rust và phải khớp toàn bộ cờ; thoát `{` `}` `.` thành `\\{` `\\}` `\\.`',
  unknown_flag_type: 'không biết loại cờ `{value}`',
  flag_types: 'dùng `static` hoặc `regex`',
  empty_flag: 'cờ không được để trống',
  team_id_twice: 'mã đội `{id}` được dùng hai lần (lần đầu ở dòng {first})',
  team_name_twice: 'tên đội `{name}` được dùng hai lần',
  team_names_unique: 'tên đội hiện trên bảng xếp hạng nên phải khác nhau',
  challenge_id_twice: 'mã thử thách `{id}` được dùng hai lần (lần đầu ở dòng {first})',
  requires_itself: 'thử thách `{id}` yêu cầu chính nó',
  requires_unknown: 'thử thách `{id}` yêu cầu `{other}`, nhưng `{other}` chưa được khai báo',
  challenge_after_end: 'thử thách `{id}` mở sau khi bắt đầu {after}, nằm ngoài cuộc diễn tập (dài {duration})',
  release_within: 'đặt `release_after` ngắn hơn `duration` của cuộc diễn tập',
  requires_cycle: 'các điều kiện mở tạo thành vòng lặp: {cycle}',
  break_cycle: 'không đội nào mở được các thử thách này; bỏ bớt một mục `requires`',
  freeze_before_start: 'bảng xếp hạng sẽ đóng băng {before} trước khi kết thúc, tức là trước khi cuộc diễn tập bắt đầu (dài {duration})',
  freeze_within: 'đặt `freeze_before_end` ngắn hơn `duration`',
  // ---- injects and reports
  penalty_fraction: '`penalty_per_minute` là một tỉ lệ từ 0 đến 1, nhưng đang là {value}',
  penalty_example: '0.02 trừ 2 % điểm báo cáo cho mỗi phút nộp muộn đã bắt đầu',
  cutoff_before_grace: '`cutoff` (hạn cuối khi nộp muộn) đến trước khi hết thời gian ân hạn `grace`',
  cutoff_rule: 'cả hai tính từ hạn nộp; đặt `cutoff` ít nhất bằng `grace`',
  empty_rubric: 'thang chấm điểm cần ít nhất một tiêu chí',
  criterion_twice: 'mã tiêu chí `{id}` được dùng hai lần trong thang chấm điểm này',
  criterion_max: '`max` của một tiêu chí phải lớn hơn 0',
  inject_twice: 'mã tình huống `{id}` được dùng hai lần',
  inject_unknown_team: 'tình huống `{id}` gửi cho đội `{team}`, nhưng đội này chưa được khai báo',
  inject_after_end: 'tình huống `{id}` được phát sau khi cuộc diễn tập kết thúc',
  report_due_after_end: 'hạn nộp báo cáo của tình huống `{id}` nằm sau khi cuộc diễn tập kết thúc',
  shorten_due: 'rút ngắn `due_within` hoặc phát tình huống sớm hơn',
  // ---- attack/defend services
  round_too_short: 'mỗi vòng phải dài ít nhất 5 giây',
  bad_flag_prefix: '`flag_prefix` `{value}` chỉ được dùng chữ cái, chữ số, `_`, `-` và `{`',
  flag_prefix_example: 'ví dụ `DRILL_` hoặc `FLAG{`',
  flag_body_too_long: '`flag_body_length` tối đa {max} ký tự',
  bad_flag_suffix: '`flag_suffix` `{value}` chỉ được dùng chữ cái, chữ số, `_`, `-`, `}` và `=` (tối đa 16 ký tự)',
  flag_suffix_example: 'ví dụ `}` sau `flag_prefix: FLAG{`, hoặc `""` nếu không cần',
  unknown_formula: 'không biết công thức tấn công/phòng thủ `{value}`',
  formula_faust: 'drillboard tính điểm tấn công/phòng thủ bằng `faust`',
  bad_checker_url: '`checker.http` `{value}` không phải địa chỉ http:// của một dịch vụ kiểm tra (checker)',
  checker_url_example: 'ví dụ `checker: {http: "http://10.0.0.5:9100"}` (giao thức checker ENOWARS; HTTP thường trong mạng diễn tập)',
  checker_empty: '`checker` cần một chương trình để chạy',
  checker_example: 'ví dụ `checker: [python3, checkers/portal.py]`, hoặc `checker: {http: "http://10.0.0.5:9100"}` cho checker ENOWARS',
  variants_need_enowars: 'các biến thể `{field}` cần checker ENOWARS (`checker: {http: …}`)',
  too_many_variants: '`{field}` tối đa 32 biến thể',
  too_many_places: 'mỗi dịch vụ có tối đa 255 vị trí cờ',
  host_unclosed: '`host` `{value}` có `{` mà thiếu `}`',
  host_unknown_part: '`host` dùng `{{name}}`, là phần không được hỗ trợ',
  host_parts: 'dùng `{team}` (mã đội) hoặc `{index}` (số thứ tự của đội, từ 1), ví dụ `10.60.{index}.2:8080`',
  hosts_not_map: '`hosts` ghép mã đội với địa chỉ',
  probe_needs_port: '`on_checker_failure: probe` kết nối thử tới dịch vụ, nhưng `host` của nó không có cổng',
  probe_port_fix: 'ghi cổng vào `host` (ví dụ `10.60.{index}.2:8080`), hoặc chọn `up` hay `down`',
  bad_on_checker_failure: '`on_checker_failure` là `up`, `down` hoặc `probe`, không phải `{value}`',
  probe_default: '`probe` (kết nối thử tới dịch vụ: bị từ chối → ngừng hoạt động, ngược lại → lỗi checker) là mặc định khi `host` có cổng',
  hosts_needs_port: 'địa chỉ của `{team}` trong `hosts` không có cổng, mà `on_checker_failure: probe` cần cổng',
  hosts_port_fix: 'viết dạng `host:port` như `host`, hoặc chọn `on_checker_failure: up` hay `down`',
  services_need_ad: '`services` cần mục `attack_defense` (độ dài vòng, cờ)',
  add_ad: 'thêm `attack_defense: {round_length: 60s}`',
  ad_without_services: 'đã khai báo `attack_defense` nhưng chưa liệt kê `services` nào',
  service_twice: 'mã dịch vụ `{id}` được dùng hai lần',
  timeout_not_shorter: '`timeout` của checker `{id}` không ngắn hơn một vòng',
  timeout_fix: 'check, put và get đều chạy trong một vòng: đặt timeout ngắn hơn hẳn `round_length`',
  hosts_unknown_team: '`hosts` của `{id}` có đội `{team}`, nhưng đội này chưa được khai báo',
  // ---- checkers sent over the web
  checker_url_new: 'dịch vụ `{service}`: địa chỉ checker ENOWARS `{url}` là địa chỉ mới',
  checker_url_load: 'kịch bản gửi qua web chỉ được giữ các địa chỉ checker của kịch bản đang nạp, không được thêm địa chỉ mới (máy chủ sẽ gửi yêu cầu tới đó): hãy nạp bằng lệnh `drillboard scenario load` trên máy chủ',
  checker_folder_rule: 'đặt checker trong thư mục checker ({folder}) và ghi đường dẫn tương đối, ví dụ `checker: [python3, {service}/checker.py]` hoặc `checker: [{service}/checker]`; chương trình khác chỉ nạp được bằng lệnh `drillboard scenario load` trên máy chủ',
  no_checker_folder: 'máy chủ này chạy không có thư mục checker (--checkers-dir): hãy nạp kịch bản có checker bằng lệnh `drillboard scenario load` trên máy chủ',
  checker_folder_missing: 'dịch vụ `{service}`: thư mục checker {folder} không có trên máy chủ',
  checkers_not_over_web: 'dịch vụ `{service}`: máy chủ này không nhận checker qua web',
  checker_needs_script: 'dịch vụ `{service}`: `{program}` cần một tệp script trong thư mục checker đứng sau',
  checker_options: 'dịch vụ `{service}`: `{program} {script}`: không được ghi tuỳ chọn trước script khi gửi qua web',
  checker_outside: 'dịch vụ `{service}`: `{script}` không phải tệp nằm trong thư mục checker',
  // ---- team lists (CSV)
  csv_bad_header: 'không đọc được dòng tiêu đề: {detail}',
  csv_no_name_column: 'dòng tiêu đề không có cột `name`',
  csv_header_example: 'bắt đầu tệp bằng `name,organisation,members` (cột `id` là tuỳ chọn)',
  csv_bad_row: 'không đọc được dòng này: {detail}',
  csv_empty_name: 'tên đội đang để trống',
  csv_no_id: 'không tạo được mã đội từ tên `{name}`',
  csv_add_id: 'thêm cột `id` với một tên ngắn như `hanoi`',
  csv_bad_id: 'mã đội `{id}` không hợp lệ',
  csv_long_name: 'tên đội dài hơn 100 ký tự',
  csv_id_twice: 'mã đội `{id}` xuất hiện hai lần trong tệp này',
  // ---- ctfcli import
  ctfcli_dropped: '`{field}` không dùng trong drillboard nên được bỏ qua',
  ctfcli_bad_state: '`state` là `visible` hoặc `hidden`, không phải `{value}`',
  ctfcli_bad_type: 'không nhập được thử thách loại `{value}`',
  ctfcli_types: 'drillboard nhập thử thách loại `standard` và `dynamic`',
  ctfcli_hint_requirements: '`requirements` của gợi ý được bỏ qua: mọi gợi ý của một thử thách đã mở đều mở được',
  ctfcli_anonymize: '`anonymize` được bỏ qua: các đội không thấy thử thách trước khi giải xong điều kiện mở',
  ctfcli_prerequisite: 'điều kiện mở là tên một thử thách',
  // ---- checker failures and how they were decided (organiser alerts)
  enowars_no_check: 'checker ENOWARS không có bước `check`',
  no_checker_command: 'chưa cấu hình lệnh checker',
  cli_no_action: 'giao thức dòng lệnh không có bước `{action}` (checker ENOWARS mới có)',
  checker_cannot_start: 'không khởi động được checker `{program}`: {detail}',
  checker_output_lost: 'không thu được đầu ra của checker',
  checker_exit_code: 'mã thoát {code}, không phải một kết quả checker',
  checker_signal: 'bị dừng bởi tín hiệu {signal}',
  checker_no_exit_code: 'kết thúc mà không có mã thoát',
  checker_exit_unread: 'không đọc được cách checker kết thúc',
  checker_http_status: 'checker trả lời HTTP {status}: {body}',
  checker_not_result: 'câu trả lời của checker không phải một kết quả ({detail}): {body}',
  checker_unknown_result: 'checker trả lời kết quả lạ `{result}`',
  service_info_bad: 'checker tại {url}: GET /service không trả về mô tả dịch vụ ({detail}): {body}',
  service_info_status: 'checker tại {url}: GET /service trả lời HTTP {status}: {body}',
  service_info_timeout: 'checker tại {url}: GET /service không trả lời trong {wait}',
  checker_bad_address: 'địa chỉ checker không dùng được: {detail}',
  checker_unreachable: 'không kết nối được tới checker tại {base}: {detail}',
  checker_no_connection: 'không kết nối được tới checker tại {base}: không có kết nối trong {wait}',
  checker_connection_lost: 'mất kết nối với checker tại {base}: {detail}',
  checker_bad_http: '{base}: câu trả lời HTTP không đọc được: {detail}',
  no_checker_slot: 'không còn chỗ chạy checker trước khi vòng kết thúc',
  no_worker_finished: 'không máy chạy checker (worker) nào làm xong việc này trong vòng',
  answered_checker_error: 'checker trả lời CHECKER_ERROR',
  checker_variants: 'checker tại {url} có {flags} biến thể cờ, {noise} biến thể noise và {havoc} biến thể havoc; kịch bản dùng {places} vị trí, {want_noise} noise và {want_havoc} havoc',
  decided_checker_error: 'tính là lỗi checker',
  decided_policy_up: 'chính sách up: tính là lỗi checker (không trừ điểm đội)',
  decided_policy_down: 'chính sách down: tính là ngừng hoạt động',
  decided_probe_open: 'kết nối thử: {address} nhận kết nối, nên tính là lỗi checker',
  decided_probe_refused: 'kết nối thử: {address}: {detail}, nên tính là ngừng hoạt động',
  decided_probe_silent: 'kết nối thử: {address} không trả lời trong {wait}, nên tính là ngừng hoạt động',
};

/** Where a problem is ("the team `name`"), as the English phrase the server sends. */
const WHAT_VI = {
  'the scenario': 'kịch bản',
  'challenge.yml': 'challenge.yml',
  'a team': 'một đội',
  'a challenge': 'một thử thách',
  'a flag': 'một cờ',
  'a hint': 'một gợi ý',
  'a service': 'một dịch vụ',
  'an inject': 'một tình huống',
  'a rubric criterion': 'một tiêu chí chấm',
  'a weight': 'trọng số',
  'a first-blood bonus': 'điểm thưởng giải nhanh nhất',
  'a dynamic `value`': '`value` động',
  'a `network`': 'một `network`',
  'a `requires` entry': 'một mục `requires`',
  'a `checker` argument': 'một tham số của `checker`',
  'a team id in `hosts`': 'một mã đội trong `hosts`',
  'an address in `hosts`': 'một địa chỉ trong `hosts`',
  'an `audience` team id': 'một mã đội trong `audience`',
  '`audience` (a list of team ids, or `all`)': '`audience` (danh sách mã đội, hoặc `all`)',
  '`flag_body_length` (characters)': '`flag_body_length` (ký tự)',
  '`flag_lifetime` (rounds)': '`flag_lifetime` (vòng)',
  '`noise` (variants)': '`noise` (biến thể)',
  '`havoc` (variants)': '`havoc` (biến thể)',
  'the challenge `id`': '`id` của thử thách',
  'the criterion `id`': '`id` của tiêu chí',
  'the exercise `id`': '`id` của cuộc diễn tập',
  'the flag `content`': '`content` của cờ',
  'the flag `type`': '`type` của cờ',
  'the hint `content`': '`content` của gợi ý',
  'the hint `cost`': '`cost` của gợi ý',
  'the hint `id`': '`id` của gợi ý',
  'the inject `id`': '`id` của tình huống',
  'the report `weight`': '`weight` của báo cáo',
  'the service `id`': '`id` của dịch vụ',
  'the service `weight`': '`weight` của dịch vụ',
  'the team `id`': '`id` của đội',
  'the team `name`': '`name` của đội',
};

/** What was found instead (yaml.rs `Node::kind`). */
const FOUND_VI = {
  nothing: 'trống',
  'a single value': 'một giá trị đơn',
  'a list': 'một danh sách',
  'a mapping': 'một bảng các trường',
};

const texts = {};
for (const [code, vi] of Object.entries(VI)) texts[`prob.${code}`] = { vi, en: vi };
texts['prob.in_file'] = { vi: 'trong {file}, dòng {line}: ', en: 'in {file}: line {line}: ' };
addTexts(texts);

/** The Vietnamese for a `what` phrase: a phrase we know, else the field names in it, else as sent. */
export function whatText(what) {
  if (WHAT_VI[what]) return WHAT_VI[what];
  if (/^`[^`]+`$/.test(what)) return what;
  const fields = String(what).match(/`[^`]+`/g);
  return fields ? fields.join(' ') : String(what);
}

function viParams(params) {
  const out = { ...(params || {}) };
  if (typeof out.what === 'string') out.what = whatText(out.what);
  if (typeof out.found === 'string') out.found = FOUND_VI[out.found] ?? out.found;
  return out;
}

function say(code, params, english) {
  if (getLang() !== 'vi' || !code || !Object.prototype.hasOwnProperty.call(VI, code)) {
    return english || '';
  }
  const s = t(`prob.${code}`, viParams(params));
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What is wrong, in the page's language (a problem from a scenario, CSV or checker check). */
export function problemMessage(p) {
  if (getLang() !== 'vi') return String(p.message || '');
  const params = p.params || {};
  const where = params.in_file ? t('prob.in_file', { file: params.in_file, line: params.in_line }) : '';
  const text = say(p.code, params, p.message);
  return where ? where + text : text;
}

/** How to fix it, in the page's language, or '' when the server gave no hint. */
export function problemHint(p) {
  if (!p.hint) return '';
  return say(p.hint_code, p.hint_params, p.hint);
}

/** A server message given as `code` and `params` (an alert's failure, say), in the page's language. */
export function codedText(code, params, english) {
  return say(code, params, english);
}
