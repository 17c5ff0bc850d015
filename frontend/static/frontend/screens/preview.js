// The editors' preview: the admin opens this screen with ?content_type=…&token=…; it reads
// /api/v2/preview/ (the same JSON as the live API, built from the draft) and renders the
// course outline or the section's lessons with the same components learners see.
import { api, readable } from "../api.js";
import { lessonKindLabel, readingBlocks } from "../blocks.js";
import { alertBox, h, html, render } from "../dom.js";
import { questionFieldset } from "../questions.js";

function lessonView(lesson) {
  const parts = [];
  if (lesson.kind === "reading") parts.push(...readingBlocks(lesson.body.content));
  if (lesson.kind === "video") {
    const video = lesson.body.video?.video;
    parts.push(
      h(
        "div",
        { class: "video-placeholder" },
        video?.poster_url ? h("img", { src: video.poster_url, alt: `Poster of the video ${video.title}` }) : null,
        h("p", {}, video ? `Video: ${video.title} (${video.status})` : "No video chosen yet."),
      ),
    );
    for (const cp of lesson.body.checkpoints || []) {
      parts.push(h("p", { class: "meta" }, `Checkpoint at ${cp.at_seconds}s:`), questionFieldset(cp.question, 0));
    }
    if (lesson.body.notes_html) parts.push(html("div", lesson.body.notes_html, { class: "notes" }));
  }
  if (lesson.kind === "quiz") {
    parts.push(html("div", lesson.body.instructions_html, { class: "instructions" }));
    parts.push(...lesson.body.questions.map((q, i) => questionFieldset(q, i)));
  }
  return h(
    "article",
    { class: "lesson preview-lesson", dataset: { kind: lesson.kind, lessonId: lesson.id } },
    h("p", { class: "eyebrow" }, `${lessonKindLabel(lesson.kind)} · ${lesson.estimated_minutes} min`),
    h("h2", {}, lesson.title),
    parts,
  );
}

export async function preview({ params }) {
  document.body.classList.add("preview-mode"); // no learner navigation inside the admin
  let data;
  try {
    data = await api(`/preview/?${new URLSearchParams({ content_type: params.get("content_type") || "", token: params.get("token") || "" })}`, { auth: false });
  } catch (error) {
    render("Preview", h("h1", {}, "Preview unavailable"), alertBox(error.status === 404 ? "This preview has expired. Refresh the preview in the admin." : readable(error)));
    return;
  }
  const banner = h("p", { class: "preview-banner", role: "note" }, "Preview of unpublished changes");
  if (data.course) {
    const course = data.course;
    render(
      `Preview: ${course.title}`,
      banner,
      h("h1", {}, course.title),
      course.subtitle ? h("p", { class: "lead" }, course.subtitle) : null,
      course.description_html ? html("div", course.description_html) : null,
      h(
        "section",
        { class: "outline", "aria-label": "Course outline" },
        course.sections.map((section) =>
          h("div", { class: "outline-section" }, h("h2", {}, section.title), h("ol", {}, section.lessons.map((l) => h("li", {}, `${l.title} · ${lessonKindLabel(l.kind)}`)))),
        ),
      ),
    );
    return;
  }
  render(`Preview: ${data.section.title}`, banner, h("h1", {}, data.section.title), data.lessons.map(lessonView));
}
