// The lesson screen: video (HLS, captions, quality, resume, checkpoints, heartbeats),
// reading (mark complete) and quiz (attempts graded on the server).
import { api, ApiError, currentUser, readable } from "../api.js";
import { BASE, onLeave } from "../app.js";
import { lessonKindLabel, readingBlocks } from "../blocks.js";
import { alertBox, announce, clock, h, html, link, progressBar, render } from "../dom.js";
import { flushQueued, trackPlayback } from "../heartbeats.js";
import { answerOf, questionFieldset, showResult } from "../questions.js";
import { tutorPanel } from "../tutor.js";

const CAPTIONS_PREF = "unpuzzle.captions";

function staticUrl(path) {
  return `${document.body.dataset.static}${path}`;
}

let hlsLoading = null;
function loadHls() {
  if (window.Hls) return Promise.resolve(window.Hls);
  if (!hlsLoading) {
    hlsLoading = new Promise((resolve, reject) => {
      const script = h("script", { src: staticUrl("vendor/hls.min.js") });
      script.addEventListener("load", () => resolve(window.Hls));
      script.addEventListener("error", () => reject(new Error("The video player could not load.")));
      document.head.append(script);
    });
  }
  return hlsLoading;
}

function flatLessons(course) {
  return course.sections.flatMap((section) => section.lessons.map((lesson) => ({ ...lesson, section })));
}

function statusLabel(progress) {
  if (!progress) return "";
  if (progress.status === "completed") return "Completed";
  if (progress.status === "in_progress") return `${progress.percent}% done`;
  return "Not started";
}

export function outlineNav(course, currentId) {
  return h(
    "nav",
    { class: "outline-nav", "aria-label": "Course outline" },
    h("p", { class: "outline-course" }, link(`${BASE}/courses/${course.id}`, course.title)),
    course.sections.map((section) =>
      h(
        "div",
        { class: "outline-section" },
        h("h2", {}, section.title),
        h(
          "ol",
          {},
          section.lessons.map((lesson) =>
            h(
              "li",
              { class: `outline-lesson status-${lesson.progress?.status || "none"}` },
              link(`${BASE}/courses/${course.id}/lessons/${lesson.id}`, lesson.title, {
                "aria-current": lesson.id === currentId ? "page" : null,
              }),
              h(
                "span",
                { class: "meta" },
                ` ${lessonKindLabel(lesson.kind)}`,
                lesson.progress?.status === "completed" ? " · ✓ completed" : "",
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function lesson({ args: [courseId, lessonId] }) {
  let course;
  let body;
  try {
    [course, body] = await Promise.all([
      api(`/courses/${courseId}/`),
      api(`/courses/${courseId}/lessons/${lessonId}/`),
    ]);
  } catch (error) {
    const needsEnroll = error instanceof ApiError && (error.code === "enrollment_required" || error.status === 401);
    render(
      "Lesson",
      h("h1", {}, "This lesson is for enrolled learners"),
      alertBox(needsEnroll ? "Enroll in the course to open this lesson." : readable(error)),
      h(
        "p",
        {},
        currentUser()
          ? link(`${BASE}/courses/${courseId}`, "Go to the course page to enroll")
          : link(`${BASE}/sign-in?next=${encodeURIComponent(window.location.pathname)}`, "Sign in"),
      ),
    );
    return;
  }
  const enrollment = course.my_enrollment;
  const enrolled = Boolean(enrollment && enrollment.status === "active");
  if (enrolled) {
    try {
      body.progress = await api(`/courses/${courseId}/lessons/${lessonId}/open/`, { method: "POST" });
    } catch (error) {
      console.warn("open failed", error);
    }
  }

  const lessons = flatLessons(course);
  const index = lessons.findIndex((item) => item.id === lessonId);
  const prev = lessons[index - 1];
  const next = lessons[index + 1];
  const status = h("p", { class: "lesson-status", id: "lesson-status", "aria-live": "polite" }, statusLabel(body.progress));
  const content = h("div", { class: "lesson-body" });
  const pager = h(
    "nav",
    { class: "pager", "aria-label": "Lessons" },
    prev ? link(`${BASE}/courses/${courseId}/lessons/${prev.id}`, `← ${prev.title}`, { rel: "prev" }) : h("span"),
    next ? link(`${BASE}/courses/${courseId}/lessons/${next.id}`, `${next.title} →`, { rel: "next" }) : h("span"),
  );
  render(
    body.title,
    h(
      "div",
      { class: "lesson-layout" },
      outlineNav(course, lessonId),
      h(
        "article",
        { class: "lesson", dataset: { kind: body.kind, lessonId } },
        h("p", { class: "eyebrow" }, `${lessonKindLabel(body.kind)} · ${body.estimated_minutes} min`),
        h("h1", {}, body.title),
        status,
        enrolled
          ? null
          : alertBox(
              body.free_preview
                ? "This is a free preview. Enroll to save your progress."
                : "You are not enrolled in this course.",
              "info",
            ),
        content,
        pager,
      ),
    ),
  );

  const onProgress = (event) => {
    const mine = (event.detail || []).find((item) => item.lesson_id === lessonId);
    if (mine) {
      status.textContent = statusLabel(mine);
      if (mine.status === "completed") announce("Lesson completed.");
    }
  };
  document.addEventListener("progress:updated", onProgress);
  let cleanup = () => {};
  onLeave(() => {
    document.removeEventListener("progress:updated", onProgress);
    cleanup();
  });

  if (body.kind === "video") cleanup = await videoLesson(content, course, body, enrolled);
  else if (body.kind === "reading") readingLesson(content, course, body, enrolled, status);
  else if (body.kind === "quiz") await quizLesson(content, course, body, enrolled, status);
  if (enrolled && course.ai_tutor_enabled && body.kind !== "quiz") {
    pager.before(tutorPanel({ course, lesson: body, video: content.querySelector("video") }));
  }
}

// --- Video ------------------------------------------------------------------------------------

async function videoLesson(container, course, body, enrolled) {
  const asset = body.body.video?.video;
  if (body.body.notes_html) container.append(html("div", body.body.notes_html, { class: "notes" }));
  if (!asset || asset.status !== "ready") {
    container.prepend(alertBox("This video is not ready to play yet.", "info"));
    return () => {};
  }
  let playback;
  try {
    playback = await api(`/media/videos/${asset.id}/playback/`);
  } catch (error) {
    container.prepend(alertBox(readable(error)));
    return () => {};
  }
  const video = h("video", {
    controls: true,
    playsinline: true,
    preload: "metadata",
    poster: playback.poster_url || null,
    class: "player",
    "aria-label": `Video: ${body.title}`,
  });
  const captionsOn = localStorage.getItem(CAPTIONS_PREF) === "on";
  for (const [i, caption] of playback.captions.entries()) {
    video.append(
      h("track", {
        kind: "captions",
        src: caption.url,
        srclang: caption.language,
        label: caption.label,
        default: captionsOn && i === 0,
      }),
    );
  }
  const quality = h("select", { id: "quality", "aria-label": "Video quality" }, h("option", { value: "-1" }, "Auto"));
  const captionToggle = h(
    "button",
    { type: "button", class: "secondary", "aria-pressed": String(captionsOn), disabled: !playback.captions.length },
    "Captions",
  );
  captionToggle.addEventListener("click", () => {
    const on = captionToggle.getAttribute("aria-pressed") !== "true";
    captionToggle.setAttribute("aria-pressed", String(on));
    localStorage.setItem(CAPTIONS_PREF, on ? "on" : "off");
    for (const track of video.textTracks) track.mode = on ? "showing" : "disabled";
  });
  const checkpointSlot = h("div", { class: "checkpoint-slot" });
  container.prepend(
    h("div", { class: "player-wrap" }, video),
    h("div", { class: "player-controls" }, h("label", { for: "quality" }, "Quality "), quality, captionToggle),
    checkpointSlot,
  );

  const Hls = await loadHls().catch(() => null);
  let hls = null;
  if (Hls && Hls.isSupported()) {
    hls = new Hls({ enableWorker: false, capLevelToPlayerSize: true });
    hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
      for (const [i, level] of data.levels.entries()) {
        quality.append(h("option", { value: String(i) }, level.height ? `${level.height}p` : `Level ${i + 1}`));
      }
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) container.prepend(alertBox("The video stopped loading. Reload the page to try again."));
    });
    hls.loadSource(playback.hls_url);
    hls.attachMedia(video);
    quality.addEventListener("change", () => {
      hls.currentLevel = Number(quality.value);
    });
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = playback.hls_url;
    quality.disabled = true;
  } else {
    container.prepend(alertBox("This browser cannot play the video."));
    return () => {};
  }

  // Resume where the learner stopped (unless they had reached the end).
  const resumeAt = body.progress?.position || 0;
  video.addEventListener(
    "loadedmetadata",
    () => {
      if (resumeAt > 0 && resumeAt < (video.duration || asset.duration_seconds) - 1) {
        video.currentTime = resumeAt;
        announce(`Resuming at ${clock(resumeAt)}.`);
      }
      video.dataset.ready = "true";
    },
    { once: true },
  );

  let stopTracking = () => Promise.resolve();
  if (enrolled) {
    stopTracking = trackPlayback(video, body.id);
    await checkpoints(video, checkpointSlot, course, body);
  }
  return () => {
    stopTracking();
    if (hls) hls.destroy();
  };
}

async function checkpoints(video, slot, course, body) {
  const list = body.body.checkpoints || [];
  if (!list.length) return;
  let answered = new Set();
  try {
    const mine = await api(`/courses/${course.id}/lessons/${body.id}/checkpoints/`);
    answered = new Set(mine.map((item) => item.checkpoint_id));
  } catch {
    /* asked again if unknown */
  }
  let open = false;
  video.addEventListener("timeupdate", () => {
    if (open || video.seeking) return;
    const due = list.find((cp) => !answered.has(cp.id) && video.currentTime >= cp.at_seconds && video.currentTime < cp.at_seconds + 2);
    if (!due) return;
    open = true;
    video.pause();
    const fieldset = questionFieldset(due.question, 0);
    const message = h("p", { class: "form-error", role: "alert" });
    const done = () => {
      answered.add(due.id);
      open = false;
      slot.replaceChildren();
      video.focus();
      video.play().catch(() => {});
    };
    const form = h(
      "form",
      {
        class: "checkpoint",
        "aria-label": "Checkpoint question",
        onsubmit: async (event) => {
          event.preventDefault();
          const answer = answerOf(fieldset);
          if (answer === undefined) {
            message.textContent = "Choose or type an answer first.";
            return;
          }
          try {
            const result = await api(`/courses/${course.id}/lessons/${body.id}/checkpoints/${due.id}/answer/`, {
              method: "POST",
              body: { answer },
            });
            showResult(fieldset, result);
            form.querySelector("button[type=submit]").remove();
            form.querySelector(".skip").textContent = "Continue the video";
          } catch (error) {
            if (error.code === "checkpoint_already_answered") done();
            else message.textContent = readable(error);
          }
        },
      },
      h("h2", {}, `Checkpoint at ${clock(due.at_seconds)}`),
      fieldset,
      message,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Check answer"), h("button", { type: "button", class: "secondary skip", onclick: done }, "Skip")),
    );
    slot.replaceChildren(form);
    form.querySelector("input")?.focus();
  });
}

// --- Reading ----------------------------------------------------------------------------------

function readingLesson(container, course, body, enrolled, status) {
  container.append(...readingBlocks(body.body.content));
  if (!enrolled) return;
  const done = body.progress?.status === "completed";
  const button = h("button", { type: "button", id: "mark-complete", disabled: done }, done ? "Completed" : "Mark complete");
  const message = h("p", { class: "form-error", role: "alert" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const progress = await api(`/courses/${course.id}/lessons/${body.id}/complete/`, { method: "POST" });
      status.textContent = statusLabel(progress);
      button.textContent = "Completed";
      announce("Lesson marked complete.");
    } catch (error) {
      button.disabled = false;
      message.textContent = readable(error);
    }
  });
  container.append(h("div", { class: "actions" }, button), message);
}

// --- Quiz -------------------------------------------------------------------------------------

async function quizLesson(container, course, body, enrolled, status) {
  const quiz = body.body;
  container.append(html("div", quiz.instructions_html, { class: "instructions" }));
  const facts = [`Pass mark ${quiz.pass_mark}%`, `${quiz.questions.length} questions`];
  if (quiz.time_limit_minutes) facts.push(`time limit ${quiz.time_limit_minutes} min`);
  facts.push(quiz.attempt_limit ? `${quiz.attempt_limit} attempts` : "unlimited attempts");
  container.append(h("p", { class: "meta" }, facts.join(" · ")));
  const area = h("div", { class: "quiz-area" });
  container.append(area);
  if (!enrolled) {
    area.append(alertBox("Enroll in the course to take this quiz.", "info"));
    return;
  }
  const base = `/courses/${course.id}/lessons/${body.id}/attempts/`;
  let summary;
  try {
    summary = await api(base);
  } catch (error) {
    area.append(alertBox(readable(error)));
    return;
  }
  const history = summary.attempts.filter((a) => a.status === "submitted");
  if (history.length) {
    area.append(
      h("h2", {}, "Your attempts"),
      h(
        "ul",
        { class: "attempts" },
        history.map((a) => h("li", {}, `Attempt ${a.number}: ${Math.round(a.percent ?? 0)}% · ${a.passed ? "passed" : "not passed"}`)),
      ),
    );
  }
  const open = summary.attempts.find((a) => a.status === "open");
  const canStart = summary.attempts_left === null || summary.attempts_left > 0 || open;
  if (!canStart) {
    area.append(alertBox("You have used every attempt at this quiz.", "info"));
    return;
  }
  const start = h("button", { type: "button", id: "start-attempt" }, open ? "Continue your attempt" : "Start the quiz");
  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      const attempt = await api(base, { method: "POST" });
      start.remove();
      attemptForm(area, attempt, status);
    } catch (error) {
      start.disabled = false;
      area.append(alertBox(readable(error)));
    }
  });
  area.append(start);
}

function attemptForm(area, attempt, status) {
  const fieldsets = attempt.questions.map((q, i) => questionFieldset(q, i, q.answer));
  const message = h("p", { class: "form-error", role: "alert" });
  const timer = h("p", { class: "timer", role: "timer", "aria-live": "off" });
  let countdown = null;
  if (attempt.seconds_left !== null && attempt.seconds_left !== undefined) {
    const deadline = Date.now() + attempt.seconds_left * 1000;
    const tick = () => {
      const left = Math.max(0, (deadline - Date.now()) / 1000);
      timer.textContent = `Time left: ${clock(left)}`;
      if (left <= 0) {
        window.clearInterval(countdown);
        form.requestSubmit();
      }
    };
    countdown = window.setInterval(tick, 1000);
    tick();
  }
  const form = h(
    "form",
    {
      class: "quiz",
      "aria-label": "Quiz",
      onsubmit: async (event) => {
        event.preventDefault();
        const answers = {};
        fieldsets.forEach((fs) => {
          const value = answerOf(fs);
          if (value !== undefined) answers[fs.dataset.questionId] = value;
        });
        try {
          const graded = await api(`/attempts/${attempt.id}/submit/`, { method: "POST", body: { answers } });
          window.clearInterval(countdown);
          showAttemptResult(area, graded, status);
        } catch (error) {
          message.textContent = readable(error);
        }
      },
    },
    timer,
    fieldsets,
    message,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Submit answers")),
  );
  area.append(form);
  fieldsets[0]?.querySelector("input")?.focus();
}

function showAttemptResult(area, attempt, status) {
  const result = h(
    "section",
    { class: `quiz-result ${attempt.passed ? "passed" : "failed"}`, "aria-labelledby": "result-title" },
    h("h2", { id: "result-title", tabindex: -1 }, attempt.passed ? "You passed" : "Not passed yet"),
    h("p", {}, `Score ${attempt.score}/${attempt.max_score} (${Math.round(attempt.percent)}%)`),
    progressBar(Math.round(attempt.percent), "Quiz score"),
    attempt.questions.map((q, i) => {
      const fs = questionFieldset(q, i, q.answer);
      fs.disabled = true;
      if (q.result) {
        showResult(fs, {
          correct: q.result.correct,
          points: q.result.points,
          max_points: q.result.max_points,
          explanation_html: q.feedback?.explanation_html,
        });
      }
      return fs;
    }),
    h("p", {}, link(window.location.pathname, "Back to the quiz")),
  );
  area.replaceChildren(result);
  result.querySelector("h2").focus();
  if (attempt.passed) status.textContent = "Completed";
  flushQueued();
}
