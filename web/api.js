// Small fetch wrapper for the drillboard JSON API.
//
// - JSON in and out; the Bearer token comes from localStorage (`drillboard.token`).
// - Any non-2xx answer throws an ApiError carrying status, code, message, field and every
//   other field of the server's `{"error": {...}}` object (e.g. `retry_after`).
// - A network failure or timeout throws an ApiError with status 0 and code `network_error`.

export const TOKEN_KEY = 'drillboard.token';
const TIMEOUT_MS = 15000;

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
 * @param {{body?: any, auth?: boolean, timeout?: number}} [opts]
 *        auth: send the Bearer token when there is one (default true)
 * @returns decoded JSON (null for an empty body)
 */
export async function request(method, path, opts = {}) {
  const { body, auth = true, timeout = TIMEOUT_MS } = opts;
  const headers = { Accept: 'application/json' };
  const init = { method, headers, cache: 'no-store', credentials: 'same-origin' };
  if (body !== undefined) {
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

  if (!res.ok) {
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
    throw new ApiError(res.status, error, data);
  }
  if (data === undefined) {
    throw new ApiError(res.status, { code: 'bad_response', message: 'response is not JSON' });
  }
  return data;
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts) => request('POST', path, { ...opts, body });

const seg = encodeURIComponent;

// Endpoints of the drillboard API.
export const getExercise = () => get('/api/v1/exercise');
export const getScoreboard = () => get('/api/v1/scoreboard');
export const login = (username, password) =>
  post('/api/v1/auth/login', { username, password }, { auth: false });
export const getMe = () => get('/api/v1/me');
export const getChallenges = () => get('/api/v1/challenges');
export const submitFlag = (challengeId, flag) =>
  post(`/api/v1/challenges/${seg(challengeId)}/submit`, { flag });
export const unlockHint = (challengeId, hintId) =>
  post(`/api/v1/challenges/${seg(challengeId)}/hints/${seg(hintId)}/unlock`, {});
export const getOpenApi = () => get('/api/openapi.json', { auth: false });
