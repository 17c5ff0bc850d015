// Watched-interval heartbeats: what the player really played, as spans of media seconds.
//
// Spans are closed on pause, seek, end, every few seconds of playback and when the page is
// hidden or left; each becomes an event with its own client_event_id and goes into a queue
// kept in localStorage (per person). The queue is sent in batches (pause, seek, end, visibilitychange,
// pagehide with a keepalive fetch, every 15 s), and an event leaves it only once the server
// has answered for it. Offline or signed out, events wait and are sent later; the server
// counts each event id once, so sending one twice never double counts.
import { accessToken, api, currentUser } from "./api.js";

// One queue per person: on a shared browser, nobody's spans are sent with another's session.
const QUEUE_PREFIX = "unpuzzle.heartbeats.";
const MAX_BATCH = 50;
const SPAN_SECONDS = 5;

function queueKey() {
  const user = currentUser();
  return user ? `${QUEUE_PREFIX}${user.id}` : null;
}

function load() {
  const key = queueKey();
  if (!key) return [];
  try {
    return JSON.parse(localStorage.getItem(key) || "[]");
  } catch {
    return [];
  }
}

function save(queue) {
  const key = queueKey();
  if (key) localStorage.setItem(key, JSON.stringify(queue));
}

export function queued() {
  return load();
}

function enqueue(event) {
  const queue = load();
  queue.push(event);
  save(queue);
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let sending = null;

/** Send what is queued; resolves with the lessons' progress the server returned. */
export function flushQueued() {
  if (sending) return sending.then(() => flushQueued());
  const batch = load().slice(0, MAX_BATCH);
  if (!batch.length || !accessToken()) return Promise.resolve([]);
  sending = api("/progress/events/", { method: "POST", body: { events: batch } })
    .then((response) => {
      // Answered events (accepted, duplicate or rejected) leave the queue; a rejected one
      // would be rejected again.
      const answered = new Set(response.results.map((result) => result.client_event_id));
      save(load().filter((event) => !answered.has(event.client_event_id)));
      document.dispatchEvent(new CustomEvent("progress:updated", { detail: response.lessons }));
      return response.lessons;
    })
    .catch(() => []) // offline or signed out: kept for later
    .finally(() => {
      sending = null;
    });
  return sending;
}

/** Last chance when the page goes away: a keepalive fetch; the events stay queued until a
 *  later answer, and the server ignores them if this one got through. */
function flushOnExit() {
  const batch = load().slice(0, MAX_BATCH);
  const token = accessToken();
  if (!batch.length || !token) return;
  try {
    fetch("/api/v2/progress/events/", {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify({ events: batch }),
    }).catch(() => {});
  } catch {
    /* the queue is sent on the next visit */
  }
}

window.addEventListener("online", () => flushQueued());

/**
 * Track what `video` plays for `lessonId`. Returns `stop()`, which closes the open span and
 * sends the queue.
 */
export function trackPlayback(video, lessonId) {
  let spanStart = null; // media time where the current continuous span began
  let lastTime = 0; // last media time seen while playing
  let lastWall = 0;

  function close() {
    if (spanStart !== null && lastTime > spanStart + 0.05) {
      enqueue({
        client_event_id: uuid(),
        lesson_id: lessonId,
        start: Number(spanStart.toFixed(3)),
        end: Number(lastTime.toFixed(3)),
        position: Number(video.currentTime.toFixed(3)),
        playback_rate: video.playbackRate || 1,
        client_time: new Date().toISOString(),
      });
    }
    spanStart = video.paused || video.seeking ? null : video.currentTime;
  }

  function onPlaying() {
    spanStart = video.currentTime;
    lastTime = video.currentTime;
    lastWall = performance.now();
  }

  function onTimeUpdate() {
    if (video.paused || video.seeking || spanStart === null) return;
    const now = performance.now();
    const t = video.currentTime;
    const wall = (now - lastWall) / 1000;
    const moved = t - lastTime;
    // A jump the clock cannot explain is a seek: close the span where playing stopped.
    if (moved < -0.01 || moved > wall * (video.playbackRate || 1) + 1.5) {
      close();
      spanStart = t;
    }
    lastTime = t;
    lastWall = now;
    if (lastTime - spanStart >= SPAN_SECONDS) {
      close();
      flushQueued();
    }
  }

  function onSeeking() {
    // The span ends where playing stopped, not where the seek lands.
    close();
    spanStart = null;
  }

  function onSeeked() {
    lastTime = video.currentTime;
    lastWall = performance.now();
    if (!video.paused) spanStart = video.currentTime;
    flushQueued();
  }

  function onPause() {
    if (!video.seeking) lastTime = Math.max(lastTime, video.currentTime);
    close();
    flushQueued();
  }

  function onEnded() {
    lastTime = Math.max(lastTime, video.duration || video.currentTime);
    close();
    flushQueued();
  }

  function onHidden() {
    if (document.visibilityState === "hidden") {
      close();
      flushOnExit();
    }
  }

  function onPageHide() {
    close();
    flushOnExit();
  }

  const handlers = {
    playing: onPlaying,
    timeupdate: onTimeUpdate,
    seeking: onSeeking,
    seeked: onSeeked,
    pause: onPause,
    ended: onEnded,
  };
  for (const [name, handler] of Object.entries(handlers)) video.addEventListener(name, handler);
  document.addEventListener("visibilitychange", onHidden);
  window.addEventListener("pagehide", onPageHide);
  const timer = window.setInterval(() => flushQueued(), 15_000);

  return function stop() {
    close();
    for (const [name, handler] of Object.entries(handlers)) video.removeEventListener(name, handler);
    document.removeEventListener("visibilitychange", onHidden);
    window.removeEventListener("pagehide", onPageHide);
    window.clearInterval(timer);
    return flushQueued();
  };
}
