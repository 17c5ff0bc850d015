// Boot and routing of the reference student frontend (no build step: plain ES modules).
import { currentUser, onAuthChange, restore, signOut } from "./api.js";
import { h, link, render } from "./dom.js";
import { startBell, stopBell } from "./notifications.js";
import { flushQueued } from "./heartbeats.js";

export const BASE = "/learn";

const routes = [
  [/^\/?$/, () => import("./screens/catalog.js").then((m) => m.catalog)],
  [/^\/courses\/(\d+)\/?$/, () => import("./screens/course.js").then((m) => m.course)],
  [
    /^\/courses\/(\d+)\/lessons\/([0-9a-f-]{36})\/?$/,
    () => import("./screens/lesson.js").then((m) => m.lesson),
  ],
  [/^\/dashboard\/?$/, () => import("./screens/dashboard.js").then((m) => m.dashboard), true],
  [/^\/profile\/?$/, () => import("./screens/profile.js").then((m) => m.profile), true],
  [/^\/sign-in\/?$/, () => import("./screens/auth.js").then((m) => m.signInScreen)],
  [/^\/register\/?$/, () => import("./screens/auth.js").then((m) => m.registerScreen)],
  [/^\/verify-email\/?$/, () => import("./screens/auth.js").then((m) => m.verifyScreen)],
  [/^\/forgot-password\/?$/, () => import("./screens/auth.js").then((m) => m.forgotScreen)],
  [/^\/reset-password\/?$/, () => import("./screens/auth.js").then((m) => m.resetScreen)],
  [/^\/preview\/?$/, () => import("./screens/preview.js").then((m) => m.preview)],
];

export function navigate(path, { replace = false } = {}) {
  const url = path.startsWith(BASE) ? path : `${BASE}${path}`;
  if (replace) window.history.replaceState({}, "", url);
  else window.history.pushState({}, "", url);
  route().then(renderNav);
}

let leaving = null;
/** A screen registers what to do when the learner leaves it (flush heartbeats, close sockets). */
export function onLeave(callback) {
  leaving = callback;
}

async function route() {
  if (leaving) {
    const callback = leaving;
    leaving = null;
    try {
      callback();
    } catch (error) {
      console.warn(error);
    }
  }
  const path = window.location.pathname.slice(BASE.length) || "/";
  const params = new URLSearchParams(window.location.search);
  for (const [pattern, load, needsUser] of routes) {
    const match = path.match(pattern);
    if (!match) continue;
    if (needsUser && !currentUser()) {
      navigate(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`, { replace: true });
      return;
    }
    const screen = await load();
    await screen({ args: match.slice(1), params });
    return;
  }
  render(
    "Not found",
    h("h1", {}, "Page not found"),
    h("p", {}, "There is nothing at this address. ", link(`${BASE}/`, "Browse the catalog")),
  );
}

function renderNav() {
  const nav = document.getElementById("nav");
  const user = currentUser();
  const items = [link(`${BASE}/`, "Catalog")];
  if (user) {
    items.push(link(`${BASE}/dashboard`, "My learning"));
    items.push(h("span", { id: "bell-slot" }));
    items.push(link(`${BASE}/profile`, user.display_name || user.first_name || "Profile"));
    items.push(
      h(
        "button",
        {
          type: "button",
          class: "linklike",
          onclick: async () => {
            await signOut();
            navigate("/sign-in", { replace: true });
          },
        },
        "Sign out",
      ),
    );
  } else {
    items.push(link(`${BASE}/sign-in`, "Sign in"));
    items.push(link(`${BASE}/register`, "Create account", { class: "button small" }));
  }
  nav.replaceChildren(h("ul", {}, items.map((item) => h("li", {}, item))));
  const current = window.location.pathname.replace(/\/$/, "");
  nav.querySelectorAll("a").forEach((a) => {
    if (a.getAttribute("href").replace(/\/$/, "") === current) a.setAttribute("aria-current", "page");
  });
  if (user) startBell(document.getElementById("bell-slot"));
  else stopBell();
}

document.addEventListener("click", (event) => {
  const a = event.target.closest("a[data-link]");
  if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const href = a.getAttribute("href");
  if (!href.startsWith(`${BASE}/`) && href !== BASE) return;
  event.preventDefault();
  navigate(href);
});

window.addEventListener("popstate", () => route().then(renderNav));

async function boot() {
  await restore();
  onAuthChange(({ signedIn, reason }) => {
    renderNav();
    // Heartbeats kept while signed out (or offline) are sent once a session exists again.
    if (signedIn) flushQueued();
    if (!signedIn && reason && reason !== "signed_out") {
      // The session was revoked or expired: back to sign-in, then to where the learner was
      // (unsent heartbeats stay queued and are sent after signing in).
      const here = window.location.pathname + window.location.search;
      navigate(`/sign-in?ended=1&next=${encodeURIComponent(here)}`, { replace: true });
    }
  });
  renderNav();
  if (currentUser()) flushQueued();
  await route();
  renderNav();
}

boot();
