// Live updates for every page, from the server's event stream (`GET /api/v1/stream`).
//
// The server sends `event: hello` on connect and `event: update` with
// `data: {"what": ["scoreboard", "exercise", "announcements", "rounds"], "at": "…"}` (some of
// those kinds) shortly after a change. Pages refetch what changed; after every (re)connection
// they refetch everything, since updates may have been missed while the stream was down.
// While the stream is not open, or where EventSource does not exist, pages are told to refetch
// everything every 5 seconds instead, so they never stop updating.
//
// Also here: the "Live / Connection lost" indicator every page shows, a throttle that merges
// bursts of updates into one request, and the announcements panel (board and team page).

import { t, pick, formatTime, onLangChange, el } from './i18n.js';

/** Every kind of update the stream may name. */
export const ALL = Object.freeze(['scoreboard', 'exercise', 'announcements', 'rounds', 'alerts']);

const STREAM_URL = '/api/v1/stream';
const POLL_MS = 5000;
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 30000;

/**
 * Follow the stream: onUpdate(kinds) for each update (kinds: an array of ALL's names), and
 * onUpdate(ALL) whenever the stream (re)opens; onStatus(true/false) when it opens or fails.
 * While the tab is hidden, updates are collected and delivered, merged, when it shows again.
 * Returns {close()}.
 */
export function subscribe(onUpdate, onStatus = () => {}) {
  let es = null;
  let up = null; // null: not known yet
  let retryMs = RETRY_MIN_MS;
  let retryTimer = null;
  let closed = false;
  const held = new Set();

  const deliver = (kinds) => {
    if (closed || !kinds.length) return;
    if (document.hidden) {
      for (const k of kinds) held.add(k);
      return;
    }
    try {
      onUpdate([...kinds]);
    } catch (e) {
      console.error(e);
    }
  };
  const status = (v) => {
    if (closed || v === up) return;
    up = v;
    try {
      onStatus(v);
    } catch (e) {
      console.error(e);
    }
  };
  const onVisible = () => {
    if (document.hidden || !held.size) return;
    const kinds = [...held];
    held.clear();
    deliver(kinds);
  };
  document.addEventListener('visibilitychange', onVisible);

  // Without an open stream, refetch everything on a timer (also covers a browser without
  // EventSource, and a stream that never opens).
  const poll = setInterval(() => {
    if (up !== true || typeof window.EventSource !== 'function') deliver(ALL);
  }, POLL_MS);

  function open() {
    retryTimer = null;
    if (closed) return;
    const source = new window.EventSource(STREAM_URL);
    es = source;
    source.addEventListener('open', () => {
      retryMs = RETRY_MIN_MS;
      status(true);
      deliver(ALL);
    });
    source.addEventListener('hello', () => status(true));
    source.addEventListener('update', (ev) => {
      let kinds = ALL;
      try {
        const data = JSON.parse(ev.data);
        if (data && Array.isArray(data.what)) kinds = data.what.filter((k) => typeof k === 'string');
      } catch {
        // Not JSON: refetch everything rather than miss a change.
      }
      deliver(kinds);
    });
    source.addEventListener('error', () => {
      if (closed || es !== source) return;
      status(false);
      // CONNECTING: the browser retries by itself. CLOSED: it gave up (e.g. an HTTP error).
      if (source.readyState === window.EventSource.CLOSED) {
        source.close();
        es = null;
        retryTimer = setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    });
  }

  if (typeof window.EventSource === 'function') {
    open();
  } else {
    setTimeout(() => status(true), 0); // Timed refetching is all there is: it is the live view.
  }

  return {
    close() {
      closed = true;
      clearInterval(poll);
      clearTimeout(retryTimer);
      document.removeEventListener('visibilitychange', onVisible);
      if (es) es.close();
      es = null;
    },
  };
}

/**
 * Make `node` the page's live-status notice: "Trực tiếp" / "Live", or "Mất kết nối, đang kết nối
 * lại…" / "Connection lost, reconnecting…". Returns set(up): up true, false, or null (connecting).
 */
export function statusIndicator(node) {
  let up = null;
  node.classList.add('live-status');
  node.setAttribute('role', 'status');
  const dot = el('span', { class: 'live-dot', 'aria-hidden': 'true' });
  const text = el('span', { class: 'live-text' });
  node.replaceChildren(dot, text);
  const draw = () => {
    node.classList.toggle('is-live', up === true);
    node.classList.toggle('is-lost', up === false);
    node.classList.toggle('is-connecting', up === null);
    text.textContent = t(up === true ? 'live.on' : up === false ? 'live.off' : 'live.connecting');
  };
  onLangChange(draw);
  draw();
  return (v) => {
    up = v === true || v === false ? v : null;
    draw();
  };
}

/**
 * Run the async fn when triggered, at most once every gapMs and never twice at the same time;
 * triggers that arrive in the meantime are merged into one more run. Returns trigger().
 */
export function throttle(fn, gapMs) {
  let pending = false;
  let running = false;
  let timer = null;
  let last = -Infinity;
  const pump = () => {
    if (!pending || running || timer) return;
    const wait = last + gapMs - Date.now();
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = null;
        pump();
      }, wait);
      return;
    }
    pending = false;
    running = true;
    last = Date.now();
    Promise.resolve()
      .then(fn)
      .catch((e) => console.error(e))
      .finally(() => {
        running = false;
        pump();
      });
  };
  return () => {
    pending = true;
    pump();
  };
}

/**
 * The announcements panel: `section` is shown once the list is known, `list` (an <ol>) holds
 * the newest `max` announcements, with times in the time zone zoneOf() returns.
 * update(answer of GET /api/v1/announcements) redraws it and returns the announcements that
 * arrived since the previous update (none on the first); fail(error) hides the panel when the
 * server has no announcements (404) and keeps the last list otherwise; redraw() after the time
 * zone is known.
 */
export function announcementsPanel(section, list, zoneOf = () => undefined, max = 5, { hideEmpty = false } = {}) {
  let items = null;
  let seen = null;
  const fresh = new Set();
  const draw = () => {
    const zone = zoneOf();
    if (!items) return;
    // A page with little room (the board) leaves an empty panel out.
    section.hidden = hideEmpty && !items.length;
    if (!items.length) {
      list.replaceChildren(el('li', { class: 'muted', text: t('ann.none') }));
      return;
    }
    list.replaceChildren(...items.slice(0, max).map((a) => el('li', {
      class: `announcement${fresh.has(a.id) ? ' is-new' : ''}`,
    },
    el('time', { class: 'ann-time', datetime: a.at || null, text: formatTime(a.at, zone, 'short') }),
    fresh.has(a.id) ? el('span', { class: 'badge badge-new', text: t('ann.new') }) : null,
    el('span', { class: 'ann-text', text: pick(a.text) }))));
  };
  onLangChange(draw);
  return {
    update(answer) {
      const all = answer && Array.isArray(answer.announcements) ? answer.announcements : [];
      items = all.filter((a) => a && a.id !== undefined && a.id !== null).map((a) => ({ ...a, id: String(a.id) }));
      let arrived = [];
      if (seen === null) {
        seen = new Set(items.map((a) => a.id));
      } else {
        arrived = items.filter((a) => !seen.has(a.id));
        for (const a of arrived) {
          seen.add(a.id);
          fresh.add(a.id);
        }
      }
      draw();
      return arrived;
    },
    fail(e) {
      if (e && e.status === 404) {
        items = null;
        section.hidden = true;
      }
    },
    redraw: draw,
  };
}
