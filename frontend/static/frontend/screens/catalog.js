// The catalog: search, filters (category, level, language, price), ordering.
import { api, readable } from "../api.js";
import { BASE, navigate } from "../app.js";
import { alertBox, field, h, link, minutes, render } from "../dom.js";

const LEVELS = [
  ["", "Any level"],
  ["beginner", "Beginner"],
  ["intermediate", "Intermediate"],
  ["advanced", "Advanced"],
];
const PRICES = [
  ["", "Free and paid"],
  ["free", "Free"],
  ["paid", "Paid"],
];
const ORDERINGS = [
  ["", "Best match / newest"],
  ["newest", "Newest"],
  ["title", "Title"],
  ["price", "Price, low to high"],
];

function select(name, options, value) {
  return h(
    "select",
    { name, id: `filter-${name}` },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );
}

export function price(course) {
  return course.is_free ? "Free" : `${course.price} ${course.currency}`;
}

export function courseCard(course) {
  const cover = course.cover?.card;
  return h(
    "li",
    { class: "card" },
    cover
      ? h("img", { src: cover.url, alt: course.cover.alt || "", width: cover.width, height: cover.height, loading: "lazy" })
      : h("div", { class: "cover-placeholder" }),
    h(
      "div",
      { class: "card-body" },
      h("h2", {}, link(`${BASE}/courses/${course.id}`, course.title)),
      course.subtitle ? h("p", {}, course.subtitle) : null,
      h(
        "p",
        { class: "meta" },
        [course.category?.path, course.level, `${course.lesson_count} lessons`, minutes(course.total_minutes)]
          .filter(Boolean)
          .join(" · "),
      ),
      h("p", { class: "meta" }, course.instructors.map((i) => i.name).join(", ")),
      h("p", { class: `price ${course.is_free ? "free" : ""}` }, price(course)),
    ),
  );
}

export async function catalog({ params }) {
  const q = params.get("q") || "";
  const filters = {
    category: params.get("category") || "",
    level: params.get("level") || "",
    price: params.get("price") || "",
    ordering: params.get("ordering") || "",
  };
  let categories = [];
  const results = h("div", { id: "results", "aria-live": "polite" });
  const search = h("input", { type: "search", name: "q", value: q, id: "search" });
  const form = h(
    "form",
    {
      role: "search",
      class: "filters",
      "aria-label": "Search and filter courses",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const query = new URLSearchParams();
        for (const [key, value] of data.entries()) if (value) query.set(key, value);
        navigate(`/${query.toString() ? `?${query}` : ""}`);
      },
    },
    field("Search courses", search),
    h("div", { class: "field" }, h("label", { for: "filter-category" }, "Category"), h("select", { name: "category", id: "filter-category" }, h("option", { value: "" }, "All categories"))),
    h("div", { class: "field" }, h("label", { for: "filter-level" }, "Level"), select("level", LEVELS, filters.level)),
    h("div", { class: "field" }, h("label", { for: "filter-price" }, "Price"), select("price", PRICES, filters.price)),
    h("div", { class: "field" }, h("label", { for: "filter-ordering" }, "Sort by"), select("ordering", ORDERINGS, filters.ordering)),
    h("button", { type: "submit" }, "Search"),
  );
  form.querySelectorAll("select").forEach((el) => el.addEventListener("change", () => form.requestSubmit()));
  render("Catalog", h("h1", {}, "Find a course"), form, results);

  const query = new URLSearchParams();
  if (q) query.set("q", q);
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  try {
    const page = await api(`/courses/?${query}`, { auth: true });
    // Categories from the courses listed without filters keep the dropdown useful.
    const all = query.toString() ? await api("/courses/?page_size=100") : page;
    const seen = new Map();
    for (const course of all.results) if (course.category) seen.set(course.category.slug, course.category);
    categories = [...seen.values()].sort((a, b) => a.path.localeCompare(b.path));
    const categorySelect = form.querySelector("#filter-category");
    for (const category of categories) {
      categorySelect.append(h("option", { value: category.slug, selected: category.slug === filters.category }, category.path));
    }
    results.replaceChildren(
      h("p", { class: "count" }, page.count === 1 ? "1 course" : `${page.count} courses`),
      page.results.length
        ? h("ul", { class: "cards" }, page.results.map(courseCard))
        : h("p", {}, "No course matches. Try other words or fewer filters."),
    );
  } catch (error) {
    results.replaceChildren(alertBox(readable(error)));
  }
}
