// Live processing progress on a video's admin page. Listens on /ws/media/<id>/ (live with
// the Redis channel layer) and also polls the v2 API, because the embedded default's
// in-memory channel layer cannot carry events from a worker process. Updates the page in
// place until the video is ready or failed; no reload.
// Loaded with `defer` through the view's Media, and waits for the DOM all the same.
(function () {
  "use strict";

  function formatDuration(seconds) {
    if (seconds === null || seconds === undefined) return "-";
    var total = Math.round(seconds);
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var secs = total % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return hours ? hours + ":" + pad(minutes) + ":" + pad(secs) : minutes + ":" + pad(secs);
  }

  function stageLabel(state) {
    if (state.status === "awaiting_upload") return "Waiting for the upload to finish…";
    if (state.status === "uploaded") return "Uploaded. Waiting for a worker to start processing…";
    if (state.status === "processing") return "Processing… " + state.progress + " %";
    return "";
  }

  function init() {
    var root = document.getElementById("video-detail");
    if (!root || root.dataset.finished === "true" || root.dataset.ready === "true") return;
    root.dataset.ready = "true";
    var bar = document.getElementById("video-progress");
    var label = document.getElementById("video-progress-label");
    var badge = document.getElementById("video-status");
    var failure = document.getElementById("video-failure");
    var names = { awaiting_upload: "Awaiting upload", uploaded: "Uploaded", processing: "Processing", ready: "Ready", failed: "Failed" };
    var done = false;
    var socket = null;

    function finished(state) {
      done = true;
      bar.hidden = true;
      label.hidden = true;
      // The poll and the socket race: when the poll sees the end first, the socket's own
      // event is on its way. Close a moment later rather than cut it off mid-flight.
      if (socket) { var open = socket; socket = null; window.setTimeout(function () { open.close(); }, 2000); }
      // Fill in what processing found (duration, renditions) from the API.
      fetch(root.dataset.detailUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (asset) {
          if (!asset) return;
          var duration = document.getElementById("video-duration");
          var renditions = document.getElementById("video-renditions");
          if (duration) duration.textContent = formatDuration(asset.duration_seconds);
          if (renditions && asset.renditions) {
            renditions.textContent = asset.renditions.map(function (r) { return r.name; }).join(", ") || "-";
          }
        })
        .catch(function () {});
    }

    function show(state) {
      if (done || !state || !state.status) return;
      badge.textContent = state.status_display || names[state.status] || state.status;
      badge.dataset.status = state.status;
      badge.classList.toggle("w-status--primary", state.status === "ready");
      bar.value = state.progress || 0;
      label.textContent = stageLabel(state);
      if (state.failure_reason) { failure.hidden = false; failure.textContent = state.failure_reason; }
      if (state.status === "ready" || state.status === "failed") finished(state);
    }

    if (root.dataset.socketPath && "WebSocket" in window) {
      try {
        var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
        socket = new WebSocket(scheme + window.location.host + root.dataset.socketPath);
        socket.onmessage = function (message) {
          try { show(JSON.parse(message.data)); } catch (error) { /* ignore malformed events */ }
        };
        socket.onerror = function () { socket = null; };
      } catch (error) { socket = null; /* polling below still works */ }
    }

    function poll() {
      if (done) return;
      fetch(root.dataset.detailUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(show)
        .catch(function () {})
        .then(function () { if (!done) window.setTimeout(poll, socket ? 5000 : 1500); });
    }
    poll();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
