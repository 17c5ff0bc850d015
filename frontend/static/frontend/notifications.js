// The notifications bell: unread count and the latest notifications, live over the
// WebSocket (/ws/notifications/, authenticated with the access token as a subprotocol),
// reconnecting with a fresh token when the server closes for an expired one.
import { accessToken, api, refresh } from "./api.js";
import { announce, h } from "./dom.js";

let socket = null;
let slot = null;
let unread = 0;
let items = [];
let retry = 1000;
let stopped = true;

function button() {
  return slot?.querySelector("#bell");
}

function paint() {
  if (!slot) return;
  const b = button();
  b.querySelector(".count").textContent = unread ? String(unread) : "";
  b.setAttribute("aria-label", unread ? `Notifications, ${unread} unread` : "Notifications");
  const panel = slot.querySelector("#bell-panel");
  panel.replaceChildren(
    h("h2", {}, "Notifications"),
    items.length
      ? h(
          "ul",
          {},
          items.map((n) =>
            h("li", { class: n.read_at ? "read" : "unread" }, h("strong", {}, n.title), n.body ? h("p", {}, n.body) : null),
          ),
        )
      : h("p", {}, "Nothing new."),
    unread
      ? h(
          "button",
          {
            type: "button",
            class: "secondary small",
            onclick: async () => {
              await api("/notifications/read-all/", { method: "POST" });
              unread = 0;
              items = items.map((n) => ({ ...n, read_at: n.read_at || new Date().toISOString() }));
              paint();
            },
          },
          "Mark all read",
        )
      : null,
  );
}

function connect() {
  const token = accessToken();
  if (!token || stopped) return;
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${window.location.host}/ws/notifications/`, ["bearer", token]);
  socket.addEventListener("open", () => {
    retry = 1000;
  });
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "unread_count") unread = message.unread_count;
    if (message.type === "notification") {
      items = [message.notification, ...items.filter((n) => n.id !== message.notification.id)].slice(0, 10);
      announce(`New notification: ${message.notification.title}`);
    }
    paint();
  });
  socket.addEventListener("close", async (event) => {
    socket = null;
    if (stopped) return;
    if (event.code === 4001 && !(await refresh())) return; // token expired: refresh, reconnect
    if (event.code === 4002 || event.code === 4401) return; // signed out
    window.setTimeout(connect, retry);
    retry = Math.min(retry * 2, 30_000);
  });
}

function bellIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute(
    "d",
    "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z",
  );
  svg.append(path);
  return svg;
}

export async function startBell(target) {
  if (!target) return;
  slot = target;
  const panel = h("div", { id: "bell-panel", class: "bell-panel", hidden: true });
  const toggle = h(
    "button",
    { type: "button", id: "bell", class: "bell", "aria-expanded": "false", "aria-controls": "bell-panel", "aria-label": "Notifications" },
    bellIcon(),
    h("span", { class: "count", "aria-hidden": "true" }),
  );
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    panel.hidden = !open;
  });
  slot.replaceChildren(h("div", { class: "bell-wrap" }, toggle, panel));
  if (stopped) {
    stopped = false;
    try {
      const [list, count] = await Promise.all([api("/notifications/?page_size=10"), api("/notifications/unread-count/")]);
      items = list.results;
      unread = count.unread_count ?? count.count ?? 0;
    } catch {
      /* the socket brings the count */
    }
    connect();
  }
  paint();
}

export function stopBell() {
  stopped = true;
  slot = null;
  if (socket) socket.close(1000);
  socket = null;
}
