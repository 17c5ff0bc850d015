// Live processing progress on a video's admin page: listens on /ws/media/<id>/ and, because
// the WebSocket may be unavailable (e.g. the in-memory channel layer of the embedded
// default), also polls the v2 API until the video is ready or failed.
(function () {
  "use strict";
  var root = document.getElementById("video-detail");
  if (!root || root.dataset.finished === "true") return;
  var bar = document.getElementById("video-progress");
  var label = document.getElementById("video-progress-label");
  var statusText = document.getElementById("video-status");
  var failure = document.getElementById("video-failure");
  var done = false;

  function show(state) {
    if (done) return;
    bar.value = state.progress;
    label.textContent = state.progress + "%";
    statusText.textContent = state.status_display || state.status;
    if (state.failure_reason) { failure.hidden = false; failure.textContent = state.failure_reason; }
    if (state.status === "ready" || state.status === "failed") {
      done = true;
      window.setTimeout(function () { window.location.reload(); }, 800);
    }
  }

  try {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.dataset.socketPath);
    socket.onmessage = function (message) { show(JSON.parse(message.data)); };
  } catch (error) { /* polling below still works */ }

  function poll() {
    if (done) return;
    fetch(root.dataset.detailUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(show)
      .catch(function () {})
      .then(function () { if (!done) window.setTimeout(poll, 2000); });
  }
  poll();
})();
