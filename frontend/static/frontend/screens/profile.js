// Profile: name and display name; signed-in devices (sign one out); data export.
import { api, readable, reloadUser, signOut } from "../api.js";
import { navigate } from "../app.js";
import { alertBox, announce, field, h, render } from "../dom.js";

function dataRights() {
  const exportMessage = h("div", { "aria-live": "polite" });
  const exportButton = h("button", { type: "button", class: "secondary" }, "Download my data (JSON)");
  exportButton.addEventListener("click", async () => {
    try {
      const data = await api("/me/export/");
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const a = h("a", { href: URL.createObjectURL(blob), download: "my-unpuzzle-data.json" });
      document.body.append(a);
      a.click();
      a.remove();
      exportMessage.replaceChildren(alertBox("Your data was downloaded.", "success"));
    } catch (error) {
      exportMessage.replaceChildren(alertBox(readable(error)));
    }
  });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const deleteMessage = h("div", { "aria-live": "assertive" });
  const deleteForm = h(
    "form",
    {
      class: "stack",
      "aria-label": "Delete my account",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api("/me/", { method: "DELETE", body: { password: password.value } });
          await signOut().catch(() => {});
          navigate("/", { replace: true });
        } catch (error) {
          deleteMessage.replaceChildren(alertBox(readable(error)));
        }
      },
    },
    h("p", {}, "Your personal data is erased and every device is signed out. Anonymous learning records stay for course statistics."),
    field("Password", password),
    h("button", { type: "submit", class: "danger" }, "Delete my account"),
    deleteMessage,
  );
  return h(
    "section",
    { "aria-labelledby": "data-title" },
    h("h2", { id: "data-title" }, "Your data"),
    exportButton,
    exportMessage,
    h("h3", {}, "Delete my account"),
    deleteForm,
  );
}

export async function profile() {
  const user = await reloadUser();
  const message = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    {
      class: "stack",
      "aria-label": "Profile",
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        try {
          await api("/me/", {
            method: "PATCH",
            body: { first_name: data.get("first_name"), last_name: data.get("last_name"), display_name: data.get("display_name") },
          });
          await reloadUser();
          message.replaceChildren(alertBox("Saved.", "success"));
        } catch (error) {
          message.replaceChildren(alertBox(readable(error)));
        }
      },
    },
    field("First name", h("input", { name: "first_name", value: user.first_name, autocomplete: "given-name" })),
    field("Last name", h("input", { name: "last_name", value: user.last_name, autocomplete: "family-name" })),
    field("Display name", h("input", { name: "display_name", value: user.display_name }), "Shown to others instead of your full name."),
    h("button", { type: "submit" }, "Save"),
    message,
  );
  const sessions = h("section", { "aria-labelledby": "sessions-title" }, h("h2", { id: "sessions-title" }, "Signed-in devices"));
  render(
    "Profile",
    h("h1", {}, "Profile"),
    h("p", { class: "meta" }, `${user.email} · ${user.email_verified ? "confirmed" : "not confirmed yet"}`),
    form,
    sessions,
    dataRights(),
  );
  try {
    const list = await api("/me/sessions/?page_size=50");
    sessions.append(
      h(
        "ul",
        {},
        list.results.map((s) => {
          const item = h("li", {}, `${s.user_agent || "Unknown device"} · last used ${new Date(s.last_used_at || s.created_at).toLocaleString()}`, s.current ? " (this device)" : "");
          if (!s.current) {
            item.append(
              " ",
              h(
                "button",
                {
                  type: "button",
                  class: "secondary small",
                  "aria-label": `Sign out ${s.user_agent || "this device"}`,
                  onclick: async () => {
                    await api(`/me/sessions/${s.id}/`, { method: "DELETE" });
                    item.remove();
                    announce("Device signed out.");
                  },
                },
                "Sign out",
              ),
            );
          }
          return item;
        }),
      ),
    );
  } catch (error) {
    sessions.append(alertBox(readable(error)));
  }
}
