// Small DOM helpers: elements are built with text nodes (never HTML strings), except the
// rich text the API serves already rendered (lesson bodies, descriptions), which `html()` sets.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Rich text the API rendered from the CMS (editors' content; scripts cannot run under the CSP). */
export function html(tag, markup, attrs = {}) {
  const el = h(tag, attrs);
  el.innerHTML = markup || "";
  return el;
}

export function link(path, text, attrs = {}) {
  return h("a", { href: path, "data-link": true, ...attrs }, text);
}

export function announce(message) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/** Replace the main landmark's content, set the title, and move focus to the new heading. */
export function render(title, ...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...children.flat());
  document.title = `${title} · Unpuzzle LMS`;
  const heading = main.querySelector("h1");
  (heading || main).setAttribute("tabindex", "-1");
  (heading || main).focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

export function alertBox(message, kind = "error") {
  return h("p", { class: `alert alert-${kind}`, role: kind === "error" ? "alert" : "status" }, message);
}

export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hintEl);
}

export function progressBar(percent, label) {
  return h(
    "div",
    { class: "progress" },
    h("progress", { max: 100, value: percent, "aria-label": label }),
    h("span", { class: "progress-text" }, `${percent}%`),
  );
}

export function minutes(total) {
  if (!total) return "";
  return total >= 60 ? `${Math.floor(total / 60)} h ${total % 60} min` : `${total} min`;
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
