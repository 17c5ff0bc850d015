// The AI tutor panel on a lesson: the answer streams in (Server-Sent Events read from a
// fetch body, so the access token goes in a header), with numbered citations; a citation
// of this lesson's video seeks the player to the cited moment.
import { accessToken, api, readable, refresh } from "./api.js";
import { BASE } from "./app.js";
import { alertBox, clock, h, link } from "./dom.js";

async function openStream(conversationId, body) {
  const request = () =>
    fetch(`/api/v2/assistant/conversations/${conversationId}/messages/stream/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "text/event-stream",
        Authorization: `Bearer ${accessToken()}`,
      },
      body: JSON.stringify(body),
    });
  let response = await request();
  if (response.status === 401 && (await refresh())) response = await request();
  return response;
}

async function* events(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const chunk = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(chunk)?.[1];
      const data = /^data: (.*)$/m.exec(chunk)?.[1];
      if (event && data) yield { event, data: JSON.parse(data) };
    }
  }
}

export function tutorPanel({ course, lesson, video }) {
  let conversationId = null;
  const answer = h("div", { class: "tutor-answer", "aria-live": "polite" });
  const sources = h("ol", { class: "tutor-sources" });
  const question = h("textarea", { id: "tutor-question", name: "content", rows: 3, required: true });
  const button = h("button", { type: "submit" }, "Ask");
  const form = h(
    "form",
    {
      "aria-label": "Ask the tutor",
      onsubmit: async (event) => {
        event.preventDefault();
        const content = question.value.trim();
        if (!content) return;
        button.disabled = true;
        answer.replaceChildren(h("p", { class: "meta" }, "Thinking…"));
        sources.replaceChildren();
        try {
          if (!conversationId) {
            const conversation = await api("/assistant/conversations/", {
              method: "POST",
              body: { course_id: course.id, lesson_id: lesson.id },
            });
            conversationId = conversation.id;
          }
          const response = await openStream(conversationId, {
            content,
            lesson_id: lesson.id,
            video_time_seconds: video ? video.currentTime : null,
          });
          if (!response.ok) {
            const problem = await response.json().catch(() => ({}));
            answer.replaceChildren(alertBox(problem.detail || "The tutor is not available now."));
            return;
          }
          const text = h("p", { class: "tutor-text" });
          answer.replaceChildren(text);
          for await (const { event: name, data } of events(response)) {
            if (name === "delta") text.append(data.text);
            if (name === "error") answer.append(alertBox(data.detail || "The tutor stopped."));
            if (name === "done") {
              text.textContent = data.content;
              sources.replaceChildren(...(data.citations || []).map((c) => citation(c, course, lesson, video)));
            }
          }
          question.value = "";
        } catch (error) {
          answer.replaceChildren(alertBox(readable(error)));
        } finally {
          button.disabled = false;
        }
      },
    },
    h("label", { for: "tutor-question" }, "Your question"),
    question,
    h("div", { class: "actions" }, button),
  );
  return h(
    "details",
    { class: "tutor" },
    h("summary", {}, "Ask the AI tutor"),
    h("p", { class: "hint" }, "Answers cite the course; check them against the lessons."),
    form,
    answer,
    sources,
  );
}

function citation(c, course, lesson, video) {
  const label = `[${c.number}] ${c.lesson_title}`;
  let target;
  if (video && c.lesson_id === lesson.id && c.start_seconds !== null && c.start_seconds !== undefined) {
    target = h(
      "button",
      {
        type: "button",
        class: "linklike",
        onclick: () => {
          video.currentTime = c.start_seconds;
          video.focus();
        },
      },
      `${label} at ${clock(c.start_seconds)}`,
    );
  } else if (c.lesson_id) {
    target = link(`${BASE}/courses/${course.id}/lessons/${c.lesson_id}`, label);
  } else {
    target = h("span", {}, label);
  }
  return h("li", {}, target, h("p", { class: "meta" }, c.excerpt));
}
