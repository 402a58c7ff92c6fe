// Small fetch wrapper for the drillboard JSON API.
//
// - JSON in and out; the Bearer token comes from localStorage (`drillboard.token`).
// - Any non-2xx answer throws an ApiError carrying status, code, message, field and every
//   other field of the server's `{"error": {...}}` object (e.g. `retry_after`).
// - A network failure or timeout throws an ApiError with status 0 and code `network_error`.
// - downloadFile() fetches a file that needs the token (report attachments) and saves it
//   through an object URL; it throws the same ApiError.

export const TOKEN_KEY = 'drillboard.token';
const TIMEOUT_MS = 15000;
// Reports carry up to three 2 MiB files (base64): give slow drill networks time.
const UPLOAD_TIMEOUT_MS = 120000;
const DOWNLOAD_TIMEOUT_MS = 120000;

export function getToken() {
  try {
    return window.localStorage.getItem(TOKEN_KEY) || null;
  } catch {
    return null;
  }
}

export function setToken(token) {
  try {
    window.localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage blocked: the session lasts until the page is closed.
  }
}

export function clearToken() {
  try {
    window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing to do.
  }
}

const RESERVED = new Set(['name', 'message', 'stack', 'cause', 'status', 'code', 'body']);

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0: no answer)
   * @param {object} error  the server's error object, or a stand-in
   * @param {*} body        the whole decoded body, if any
   */
  constructor(status, error, body) {
    super(error && error.message ? String(error.message) : `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = (error && error.code) || (status ? `http_${status}` : 'network_error');
    this.field = error && error.field !== undefined ? error.field : undefined;
    this.body = body;
    if (error && typeof error === 'object') {
      for (const [k, v] of Object.entries(error)) {
        if (!RESERVED.has(k) && !(k in this)) this[k] = v;
      }
    }
  }
}

/**
 * Call the API.
 * @param {string} method
 * @param {string} path   absolute path such as `/api/v1/exercise`
 * @param {{body?: any, text?: string, contentType?: string, auth?: boolean, timeout?: number}} [opts]
 *        body: sent as JSON; text: sent as it is, with contentType (YAML, CSV)
 *        auth: send the Bearer token when there is one (default true)
 * @returns decoded JSON (null for an empty body)
 */
export async function request(method, path, opts = {}) {
  const { body, text: raw, contentType, auth = true, timeout = TIMEOUT_MS } = opts;
  const headers = { Accept: 'application/json' };
  const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
  if (raw !== undefined) {
    headers['Content-Type'] = contentType || 'text/plain; charset=utf-8';
    init.body = raw;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const token = auth ? getToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;

  const ctrl = typeof AbortController === 'function' ? new AbortController() : null;
  if (ctrl) init.signal = ctrl.signal;
  const timer = ctrl ? setTimeout(() => ctrl.abort(), timeout) : null;

  let res;
  let text;
  try {
    res = await fetch(path, init);
    text = await res.text();
  } catch (e) {
    const timedOut = e && e.name === 'AbortError';
    throw new ApiError(0, {
      code: timedOut ? 'timeout' : 'network_error',
      message: timedOut ? 'timeout' : (e && e.message) || 'network error',
    });
  } finally {
    if (timer) clearTimeout(timer);
  }

  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined; // Not JSON.
    }
  }

  if (!res.ok) throw errorOf(res, text, data);
  if (data === undefined) {
    throw new ApiError(res.status, { code: 'bad_response', message: 'response is not JSON' });
  }
  return data;
}

/** The ApiError for a non-2xx answer with body text (and its decoded JSON, if any). */
function errorOf(res, text, data) {
  let error = data && typeof data === 'object' && data.error;
  if (error && typeof error !== 'object') error = { message: String(error) };
  if (!error) {
    error = { message: res.statusText || (text ? text.slice(0, 200) : `HTTP ${res.status}`) };
  } else {
    error = { ...error };
  }
  if (error.retry_after === undefined) {
    const ra = res.headers.get('Retry-After');
    if (ra && /^\d+$/.test(ra.trim())) error.retry_after = Number(ra.trim());
  }
  return new ApiError(res.status, error, data);
}

/** The file name of a `Content-Disposition: attachment; filename="…"` header, if any. */
function dispositionName(h) {
  if (!h) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(h);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // Fall through to the plain form.
    }
  }
  const m = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(h);
  if (!m) return null;
  return (m[1] ?? m[2] ?? '').trim() || null;
}

/**
 * Download a file that needs the Bearer token (e.g. `/api/v1/files/{id}`): fetch it as a blob and
 * hand it to the browser under `name` (or the server's name) through a temporary object URL.
 * Throws an ApiError like request() does.
 */
export async function downloadFile(path, name, opts = {}) {
  const { timeout = DOWNLOAD_TIMEOUT_MS } = opts;
  const headers = { Accept: '*/*' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method: 'GET', headers, cache: 'no-store', credentials: 'same-origin' };
  const ctrl = typeof AbortController === 'function' ? new AbortController() : null;
  if (ctrl) init.signal = ctrl.signal;
  const timer = ctrl ? setTimeout(() => ctrl.abort(), timeout) : null;

  let res;
  let blob;
  try {
    res = await fetch(path, init);
    if (res.ok) {
      blob = await res.blob();
    } else {
      const text = await res.text();
      let data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = undefined;
      }
      throw errorOf(res, text, data);
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const timedOut = e && e.name === 'AbortError';
    throw new ApiError(0, {
      code: timedOut ? 'timeout' : 'network_error',
      message: timedOut ? 'timeout' : (e && e.message) || 'network error',
    });
  } finally {
    if (timer) clearTimeout(timer);
  }

  const filename = name || dispositionName(res.headers.get('Content-Disposition')) || 'download';
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser time to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return { filename, size: blob.size };
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts) => request('POST', path, { ...opts, body });
export const put = (path, body, opts) => request('PUT', path, { ...opts, body });

const seg = encodeURIComponent;

// Endpoints of the drillboard API.
export const getExercise = () => get('/api/v1/exercise');
export const getScoreboard = async () => decodeBoard(await get('/api/v1/scoreboard'));
/** One team's standing with every point explained (solves, report grades, adjustments). */
export const getTeamScore = (teamId) => get(`/api/v1/scoreboard/teams/${seg(teamId)}`);

const COMPONENTS = ['tasks', 'reports', 'attack', 'defense', 'sla', 'adjustments'];

/**
 * The compact board (`columns` + one array per team in `rows`) with `standings` added: each row
 * as an object `{rank, of, team: {id, name, organisation}, score, components: {…}, solves,
 * reached_at, movement}`. A board that already has `standings` is returned as it is.
 */
export function decodeBoard(sb) {
  if (!sb || typeof sb !== 'object' || Array.isArray(sb.standings)) return sb;
  const cols = Array.isArray(sb.columns) ? sb.columns : [];
  const at = new Map(cols.map((c, i) => [c, i]));
  const cell = (row, name) => (at.has(name) ? row[at.get(name)] : undefined);
  const rows = Array.isArray(sb.rows) ? sb.rows : [];
  sb.standings = rows.filter(Array.isArray).map((row) => {
    const components = {};
    for (const c of COMPONENTS) if (at.has(c)) components[c] = cell(row, c);
    return {
      rank: cell(row, 'rank'),
      of: sb.of,
      team: { id: cell(row, 'team'), name: cell(row, 'name'), organisation: cell(row, 'organisation') },
      score: cell(row, 'score'),
      components,
      solves: cell(row, 'solves'),
      reached_at: cell(row, 'reached_at'),
      movement: cell(row, 'movement'),
    };
  });
  return sb;
}
export const login = (username, password) =>
  post('/api/v1/auth/login', { username, password }, { auth: false });
export const getMe = () => get('/api/v1/me');
export const getChallenges = () => get('/api/v1/challenges');
export const submitFlag = (challengeId, flag) =>
  post(`/api/v1/challenges/${seg(challengeId)}/submit`, { flag });
export const unlockHint = (challengeId, hintId) =>
  post(`/api/v1/challenges/${seg(challengeId)}/hints/${seg(hintId)}/unlock`, {});
export const getOpenApi = () => get('/api/openapi.json', { auth: false });

// Injects and incident reports (team).
export const getInjects = () => get('/api/v1/injects');
export const getReport = (injectId) => get(`/api/v1/injects/${seg(injectId)}/report`);
/** attachments: [{filename, content_base64}] */
export const submitReport = (injectId, body, attachments) =>
  put(`/api/v1/injects/${seg(injectId)}/report`, { body, attachments }, { timeout: UPLOAD_TIMEOUT_MS });
export const downloadReportFile = (fileId, name) => downloadFile(`/api/v1/files/${seg(fileId)}`, name);

// Blind marking (judges and organisers).
export const getMarkingQueue = () => get('/api/v1/marking');
export const getMarking = (code) => get(`/api/v1/marking/${seg(code)}`);
/** mark: {version, scores: {criterion: number}, comments: {criterion: text}, comment} */
export const submitMark = (code, mark) => post(`/api/v1/marking/${seg(code)}`, mark);
