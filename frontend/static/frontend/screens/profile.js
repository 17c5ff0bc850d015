// Profile: name and display name; signed-in devices (sign one out); data export.
import { api, readable, reloadUser } from "../api.js";
import { alertBox, announce, field, h, render } from "../dom.js";

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
