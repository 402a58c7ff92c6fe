// The sign-in form's submit, shared by the team page, the judge console and the organiser
// console: the same checks, busy button, error texts (wrong password, too many attempts with
// the wait, no network) and focus handling; each page says what to do with the answer.

import { serverText, t } from './i18n.js';
import * as api from './api.js';

const $ = (id) => document.getElementById(id);

/**
 * Draw the sign-in form's notice (`#login-notice`, e.g. "your session expired") and error
 * (the element `errorId`) from `state.loginNotice` / `state.loginError`.
 */
export function renderSignIn(state, errorId) {
  const n = $('login-notice');
  if (state.loginNotice) {
    n.className = `msg msg-${state.loginNotice.kind}`;
    n.textContent = state.loginNotice.text();
    n.hidden = false;
  } else {
    n.textContent = '';
    n.hidden = true;
  }
  $(errorId).textContent = state.loginError ? state.loginError() : '';
}

/** What a failed sign-in says: a function, so it follows a language switch. */
export function loginErrorText(err) {
  if (err.status === 401) return () => t('login.bad');
  if (err.status === 429) {
    const s = Number(err.retry_after);
    return Number.isFinite(s) && s > 0
      ? () => t('login.too_many_wait', { s })
      : () => t('login.too_many');
  }
  if (err.status === 0) return () => t('error.network');
  const msg = serverText(err);
  return () => t('error.generic', { message: msg });
}

/**
 * Handle the submit event `e` of a sign-in form whose fields have the ids `ids.user`,
 * `ids.pass` and `ids.button`. `state.loginError` / `state.loginNotice` are what `render()`
 * shows. `page.refuse(answer)` may return an error text (a function) to turn the login down
 * before its token is stored (a team login on the organiser console); otherwise the token is
 * stored and `page.enter(answer, username)` opens the page.
 */
export async function signIn(e, ids, state, render, page) {
  e.preventDefault();
  const user = $(ids.user);
  const pass = $(ids.pass);
  const btn = $(ids.button);
  const username = user.value.trim();
  const password = pass.value;
  state.loginNotice = null;
  if (!username || !password) {
    state.loginError = () => t('login.missing');
    render();
    (username ? pass : user).focus();
    return;
  }
  if (btn.getAttribute('aria-disabled') === 'true') return;
  btn.setAttribute('aria-disabled', 'true');
  btn.textContent = t('login.submitting');
  state.loginError = null;
  render();
  const ready = () => {
    btn.removeAttribute('aria-disabled');
    btn.textContent = t('login.submit');
  };
  try {
    const r = await api.login(username, password);
    const refused = page.refuse ? page.refuse(r) : null;
    if (refused) {
      state.loginError = refused;
    } else {
      api.setToken(r.token);
      pass.value = '';
      ready();
      await page.enter(r, username);
      return;
    }
  } catch (err) {
    state.loginError = loginErrorText(err);
  }
  pass.select();
  pass.focus();
  ready();
  render();
}
