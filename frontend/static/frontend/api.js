// The API client: every request of the frontend goes through here, to /api/v2/ only.
//
// Tokens: the access token lives in memory only. The refresh token is an httpOnly cookie the
// server sets when we sign in with `refresh_cookie: true` (scripts never see it); a new
// access token is fetched with it on start-up, before expiry and after a 401. A localStorage
// flag ("signed in here") only saves a pointless refresh call for visitors who never signed in.

const BASE = "/api/v2";
const SIGNED_IN_FLAG = "unpuzzle.signedIn";

let access = null;
let accessExpiresAt = 0;
let user = null;
let refreshing = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `Request failed (${status}).`);
    this.status = status;
    this.code = problem?.code || (status === 0 ? "network_error" : "error");
    this.problem = problem || {};
  }

  /** A sentence a person can read: the detail and each field's messages. */
  get readable() {
    const parts = [];
    const errors = this.problem.errors || {};
    for (const [name, list] of Object.entries(errors)) {
      const messages = (Array.isArray(list) ? list : [list])
        .map((item) => (typeof item === "string" ? item : item?.message))
        .filter(Boolean);
      if (messages.length) {
        const label = name === "non_field_errors" ? "" : `${name.replaceAll("_", " ")}: `;
        parts.push(`${label}${messages.join(" ")}`);
      }
    }
    if (this.status === 0) return "You appear to be offline. Check your connection and try again.";
    if (this.status === 429) return "Too many attempts. Please wait a moment and try again.";
    const detail = this.problem.detail || this.message;
    return parts.length && /invalid|validation/i.test(detail) ? parts.join(" ") : detail;
  }
}

export function readable(error) {
  return error instanceof ApiError ? error.readable : "Something went wrong. Please try again.";
}

export function currentUser() {
  return user;
}

export function accessToken() {
  return access;
}

export function onAuthChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setSession(body) {
  access = body.access;
  accessExpiresAt = Date.parse(body.access_expires_at) || Date.now() + 60_000;
  if (body.user) user = body.user;
  localStorage.setItem(SIGNED_IN_FLAG, "1");
}

function clearSession(reason) {
  const wasSignedIn = Boolean(access || user);
  access = null;
  accessExpiresAt = 0;
  user = null;
  localStorage.removeItem(SIGNED_IN_FLAG);
  if (wasSignedIn) listeners.forEach((listener) => listener({ signedIn: false, reason }));
}

async function send(path, { method = "GET", body, auth = true, headers = {}, keepalive } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, keepalive };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (auth && access) init.headers.Authorization = `Bearer ${access}`;
  // Only the refresh cookie is ever sent, and only to /api/v2/auth/ (its path).
  init.credentials = "same-origin";
  let response;
  try {
    response = await fetch(`${BASE}${path}`, init);
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: `Unexpected answer from the server (${response.status}).` };
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Get a new access token with the refresh cookie (one call at a time). */
export function refresh() {
  if (!refreshing) {
    refreshing = send("/auth/token/refresh/", {
      method: "POST",
      body: {},
      auth: false,
      headers: { "X-Refresh-Cookie": "1" },
    })
      .then(async (body) => {
        setSession(body);
        if (!user) user = await send("/me/");
        return true;
      })
      .catch((error) => {
        if (error.status !== 0) clearSession(error.code);
        return false;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** Restore the session after a reload (from the cookie), if this browser signed in before. */
export async function restore() {
  if (!localStorage.getItem(SIGNED_IN_FLAG)) return false;
  return refresh();
}

/**
 * Call the API. Authenticated calls refresh the access token shortly before it expires and
 * once after a 401; if the session is gone the caller gets the 401 (and listeners are told).
 */
export async function api(path, options = {}) {
  if (options.auth !== false && access && accessExpiresAt - Date.now() < 15_000) {
    await refresh();
  }
  try {
    return await send(path, options);
  } catch (error) {
    if (error.status === 401 && options.auth !== false && localStorage.getItem(SIGNED_IN_FLAG)) {
      if (await refresh()) return send(path, options);
    }
    throw error;
  }
}

export async function signIn(email, password) {
  const body = await send("/auth/token/", {
    method: "POST",
    body: { email, password, refresh_cookie: true },
    auth: false,
  });
  setSession(body);
  listeners.forEach((listener) => listener({ signedIn: true }));
  return body.user;
}

export async function signOut() {
  try {
    await send("/auth/logout/", {
      method: "POST",
      body: {},
      auth: false,
      headers: { "X-Refresh-Cookie": "1" },
    });
  } finally {
    clearSession("signed_out");
  }
}

export async function reloadUser() {
  user = await api("/me/");
  return user;
}
