// A course: description, outcomes, outline, instructors, and enrollment with clear states
// (free, paid, full, closed, not open yet, prerequisites, verify your e-mail first).
import { api, currentUser, readable } from "../api.js";
import { BASE, navigate } from "../app.js";
import { lessonKindLabel } from "../blocks.js";
import { alertBox, announce, h, html, link, minutes, progressBar, render } from "../dom.js";
import { price } from "./catalog.js";

const REFUSALS = {
  payment_required: "This is a paid course. Payment is not available in this app yet.",
  course_full: "This course is full. Check back later.",
  enrollment_closed: "Enrollment in this course is closed.",
  enrollment_not_open_yet: "Enrollment has not opened yet.",
  enrollment_window_ended: "The enrollment period has ended.",
  prerequisites_missing: "Finish the required courses first.",
  email_not_verified: "Confirm your e-mail address first: open the link we sent you.",
};

function enrollmentState(course) {
  const settings = course.enrollment || {};
  const now = Date.now();
  if (course.my_enrollment?.status === "active") return { kind: "enrolled" };
  if (!course.is_free) return { kind: "paid", text: REFUSALS.payment_required };
  if (!settings.open) return { kind: "closed", text: REFUSALS.enrollment_closed };
  if (settings.opens_at && Date.parse(settings.opens_at) > now) {
    return { kind: "closed", text: `Enrollment opens on ${new Date(settings.opens_at).toLocaleDateString()}.` };
  }
  if (settings.closes_at && Date.parse(settings.closes_at) < now) {
    return { kind: "closed", text: REFUSALS.enrollment_window_ended };
  }
  return { kind: "open" };
}

export async function course({ args: [courseId] }) {
  let data;
  try {
    data = await api(`/courses/${courseId}/`);
  } catch (error) {
    render("Course", h("h1", {}, "Course not available"), alertBox(readable(error)), link(`${BASE}/`, "Back to the catalog"));
    return;
  }
  const state = enrollmentState(data);
  const mine = data.my_enrollment;
  const message = h("div", { id: "enroll-message", "aria-live": "polite" });
  const firstLesson = data.sections.flatMap((s) => s.lessons)[0];
  const resumeId = mine?.next_lesson_id || mine?.last_lesson_id || firstLesson?.id;

  let action;
  if (state.kind === "enrolled") {
    action = h(
      "div",
      { class: "enrolled" },
      h("p", { class: "badge" }, "You are enrolled"),
      progressBar(mine.percent_complete, "Course progress"),
      resumeId ? link(`${BASE}/courses/${data.id}/lessons/${resumeId}`, mine.percent_complete ? "Continue where you left off" : "Start the course", { class: "button", id: "continue" }) : null,
    );
  } else if (state.kind === "open") {
    const button = h("button", { type: "button", id: "enroll" }, "Enroll for free");
    button.addEventListener("click", async () => {
      if (!currentUser()) {
        navigate(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
        return;
      }
      button.disabled = true;
      try {
        await api(`/courses/${data.id}/enrollment/`, { method: "POST" });
        announce("You are enrolled.");
        await course({ args: [courseId] });
      } catch (error) {
        button.disabled = false;
        const text = REFUSALS[error.code] || readable(error);
        message.replaceChildren(alertBox(text));
        if (error.code === "already_enrolled") await course({ args: [courseId] });
      }
    });
    action = h("div", {}, button, currentUser() ? null : h("p", { class: "hint" }, "You will be asked to sign in."));
  } else {
    action = alertBox(state.text, "info");
  }

  const cover = data.cover?.card;
  render(
    data.title,
    h(
      "div",
      { class: "course-head" },
      h(
        "div",
        {},
        h("p", { class: "eyebrow" }, [data.category?.path, data.level].filter(Boolean).join(" · ")),
        h("h1", {}, data.title),
        data.subtitle ? h("p", { class: "lead" }, data.subtitle) : null,
        h("p", { class: "meta" }, `${data.lesson_count} lessons · ${minutes(data.total_minutes)} · ${price(data)}`),
        h(
          "section",
          { "aria-labelledby": "instructors-title", class: "instructors" },
          h("h2", { id: "instructors-title" }, data.instructors.length === 1 ? "Instructor" : "Instructors"),
          h("ul", {}, data.instructors.map((i) => h("li", {}, i.name))),
        ),
        action,
        message,
      ),
      cover ? h("img", { class: "cover", src: cover.url, alt: data.cover.alt || "", width: cover.width, height: cover.height }) : null,
    ),
    data.description_html ? h("section", { "aria-labelledby": "about-title" }, h("h2", { id: "about-title" }, "About this course"), html("div", data.description_html)) : null,
    data.learning_outcomes.length
      ? h("section", { "aria-labelledby": "outcomes-title" }, h("h2", { id: "outcomes-title" }, "What you will learn"), h("ul", {}, data.learning_outcomes.map((o) => h("li", {}, o))))
      : null,
    data.prerequisite_courses.length
      ? h(
          "section",
          { "aria-labelledby": "prereq-title" },
          h("h2", { id: "prereq-title" }, "Finish first"),
          h("ul", {}, data.prerequisite_courses.map((p) => h("li", {}, link(`${BASE}/courses/${p.id}`, p.title)))),
        )
      : null,
    h(
      "section",
      { "aria-labelledby": "outline-title", class: "outline" },
      h("h2", { id: "outline-title" }, "Course outline"),
      data.sections.map((section) =>
        h(
          "div",
          { class: "outline-section" },
          h("h3", {}, section.title),
          section.summary ? h("p", { class: "meta" }, section.summary) : null,
          h(
            "ol",
            {},
            section.lessons.map((lesson) => {
              const open = state.kind === "enrolled" || lesson.free_preview;
              const title = open ? link(`${BASE}/courses/${data.id}/lessons/${lesson.id}`, lesson.title) : h("span", {}, lesson.title);
              return h(
                "li",
                { class: `outline-lesson status-${lesson.progress?.status || "none"}` },
                title,
                h(
                  "span",
                  { class: "meta" },
                  ` ${lessonKindLabel(lesson.kind)} · ${lesson.estimated_minutes} min`,
                  lesson.free_preview && state.kind !== "enrolled" ? " · free preview" : "",
                  lesson.optional ? " · optional" : "",
                  lesson.progress?.status === "completed" ? " · ✓ completed" : "",
                ),
              );
            }),
          ),
        ),
      ),
    ),
  );
}
