// Sign up, verify the e-mail address (the link in the e-mail opens this screen), sign in,
// forgotten password and reset (the link in the reset e-mail).
import { api, readable, signIn } from "../api.js";
import { BASE, navigate } from "../app.js";
import { alertBox, field, h, link, render } from "../dom.js";

function form(label, fields, submitText, onSubmit) {
  const message = h("div", { class: "form-message", "aria-live": "assertive" });
  const button = h("button", { type: "submit" }, submitText);
  const el = h(
    "form",
    {
      class: "stack",
      "aria-label": label,
      novalidate: false,
      onsubmit: async (event) => {
        event.preventDefault();
        button.disabled = true;
        message.replaceChildren();
        try {
          await onSubmit(new FormData(el), message);
        } catch (error) {
          message.replaceChildren(alertBox(readable(error)));
        } finally {
          button.disabled = false;
        }
      },
    },
    fields,
    button,
    message,
  );
  return el;
}

function input(name, type, attrs = {}) {
  return h("input", { name, type, id: `auth-${name}`, required: true, ...attrs });
}

function safeNext(params) {
  const next = params.get("next") || "";
  return next.startsWith(`${BASE}/`) && !next.startsWith("//") ? next : `${BASE}/dashboard`;
}

export function signInScreen({ params }) {
  const next = safeNext(params);
  render(
    "Sign in",
    h(
      "div",
      { class: "narrow" },
      h("h1", {}, "Sign in"),
      params.get("ended") ? alertBox("Your session has ended. Sign in again to continue.", "info") : null,
      form(
        "Sign in",
        [
          field("E-mail address", input("email", "email", { autocomplete: "email", value: params.get("email") || "" })),
          field("Password", input("password", "password", { autocomplete: "current-password" })),
        ],
        "Sign in",
        async (data) => {
          await signIn(data.get("email"), data.get("password"));
          navigate(next, { replace: true });
        },
      ),
      h("p", {}, link(`${BASE}/forgot-password`, "Forgot your password?")),
      h("p", {}, "New here? ", link(`${BASE}/register`, "Create an account")),
    ),
  );
}

export function registerScreen({ params }) {
  render(
    "Create an account",
    h(
      "div",
      { class: "narrow" },
      h("h1", {}, "Create an account"),
      form(
        "Create an account",
        [
          field("First name", input("first_name", "text", { autocomplete: "given-name" })),
          field("Last name", input("last_name", "text", { autocomplete: "family-name", required: false })),
          field("E-mail address", input("email", "email", { autocomplete: "email", value: params.get("email") || "" })),
          field("Password", input("password", "password", { autocomplete: "new-password", minlength: 8 }), "At least 8 characters; not a common password."),
        ],
        "Create account",
        async (data) => {
          await api("/auth/register/", {
            method: "POST",
            auth: false,
            body: {
              first_name: data.get("first_name"),
              last_name: data.get("last_name") || "",
              email: data.get("email"),
              password: data.get("password"),
              timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
            },
          });
          render(
            "Check your e-mail",
            h(
              "div",
              { class: "narrow" },
              h("h1", {}, "Check your e-mail"),
              h("p", {}, `We sent a link to ${data.get("email")}. Open it to confirm your address, then sign in.`),
              h("p", {}, link(`${BASE}/sign-in?email=${encodeURIComponent(data.get("email"))}`, "Go to sign in")),
            ),
          );
        },
      ),
      h("p", {}, "Already have an account? ", link(`${BASE}/sign-in`, "Sign in")),
    ),
  );
}

export async function verifyScreen({ params }) {
  const token = params.get("token") || "";
  render("Confirming your e-mail", h("div", { class: "narrow" }, h("h1", {}, "Confirming your e-mail…")));
  const box = document.querySelector(".narrow");
  try {
    const profile = await api("/auth/verify-email/", { method: "POST", auth: false, body: { token } });
    box.replaceChildren(
      h("h1", { tabindex: -1 }, "Your e-mail is confirmed"),
      alertBox(`Thank you, ${profile.first_name || profile.email}. You can sign in now.`, "success"),
      h("p", {}, link(`${BASE}/sign-in?email=${encodeURIComponent(profile.email)}`, "Sign in", { class: "button" })),
    );
  } catch (error) {
    const text =
      { token_used: "This link was used already. Sign in.", token_expired: "This link has expired. Ask for a new one below." }[error.code] ||
      readable(error);
    box.replaceChildren(
      h("h1", { tabindex: -1 }, "We could not confirm your e-mail"),
      alertBox(text),
      form("Send a new link", [field("E-mail address", input("email", "email", { autocomplete: "email" }))], "Send a new link", async (data, message) => {
        const answer = await api("/auth/verify-email/resend/", { method: "POST", auth: false, body: { email: data.get("email") } });
        message.replaceChildren(alertBox(answer.detail, "success"));
      }),
    );
  }
  box.querySelector("h1").focus();
}

export function forgotScreen() {
  render(
    "Forgot your password",
    h(
      "div",
      { class: "narrow" },
      h("h1", {}, "Forgot your password?"),
      h("p", {}, "Enter your address and we will e-mail you a link to choose a new password."),
      form("Request a reset link", [field("E-mail address", input("email", "email", { autocomplete: "email" }))], "Send the link", async (data, message) => {
        const answer = await api("/auth/password-reset/", { method: "POST", auth: false, body: { email: data.get("email") } });
        message.replaceChildren(alertBox(answer.detail, "success"));
      }),
    ),
  );
}

export function resetScreen({ params }) {
  const token = params.get("token") || "";
  render(
    "Choose a new password",
    h(
      "div",
      { class: "narrow" },
      h("h1", {}, "Choose a new password"),
      token ? null : alertBox("This page needs the link from the reset e-mail."),
      form(
        "Choose a new password",
        [field("New password", input("new_password", "password", { autocomplete: "new-password", minlength: 8 }))],
        "Save the new password",
        async (data, message) => {
          await api("/auth/password-reset/confirm/", { method: "POST", auth: false, body: { token, new_password: data.get("new_password") } });
          message.replaceChildren(
            alertBox("Your password is changed and every session was signed out. Sign in with the new password.", "success"),
            link(`${BASE}/sign-in`, "Sign in", { class: "button" }),
          );
        },
      ),
    ),
  );
}
