// Admin video upload. Asks the v2 API where to send the bytes, PUTs each part straight to
// storage (S3 presigned URLs, or the local chunk endpoint) with a progress bar in bytes and
// percent, then completes the upload and opens the video's page, which shows processing.
// Cancel stops the transfer and discards the upload; after a failure, Retry resends only
// the parts that did not arrive. Every failure says why in words.
// Loaded with `defer` through the view's Media, and waits for the DOM all the same.
(function () {
  "use strict";

  function formatBytes(bytes) {
    var units = ["bytes", "KB", "MB", "GB", "TB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
  }

  function init() {
    var form = document.getElementById("video-upload-form");
    if (!form || form.dataset.ready === "true") return;
    form.dataset.ready = "true";
    var bar = document.getElementById("video-upload-progress");
    var statusLine = document.getElementById("video-upload-status");
    var errorLine = document.getElementById("video-upload-error");
    var submit = document.getElementById("video-upload-submit");
    var cancel = document.getElementById("video-upload-cancel");
    var retry = document.getElementById("video-upload-retry");
    var fileInput = document.getElementById("video-file");
    var titleInput = document.getElementById("video-title");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var types = JSON.parse(form.dataset.types || "{}");
    var maxBytes = Number(form.dataset.maxBytes);

    var state = null; // {file, asset, upload, done: {part_number: true}, xhr, cancelled}

    function say(text) { statusLine.textContent = text; }
    function fail(text) {
      errorLine.textContent = text;
      errorLine.hidden = !text;
    }
    function busy(on) {
      submit.disabled = on;
      fileInput.disabled = on;
      cancel.hidden = !on;
    }

    function url(template, id) {
      return template.replace(form.dataset.placeholder, String(id));
    }

    function readError(response, data) {
      if (data && data.errors) {
        var first = Object.keys(data.errors)[0];
        var value = data.errors[first];
        if (value && value.length) return String(value[0].message || value[0]);
      }
      if (data && data.detail) return data.detail;
      if (response.status === 413) return "The file is larger than the upload limit.";
      if (response.status === 403) return "You are not allowed to upload videos, or your session ended. Sign in again.";
      return "The server answered " + response.status + " " + response.statusText + ".";
    }

    function api(method, target, body) {
      return fetch(target, {
        method: method,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: body ? JSON.stringify(body) : null,
      }).then(function (response) {
        if (response.status === 204) return {};
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) throw new Error(readError(response, data));
          return data;
        });
      }, function () {
        throw new Error("The network connection failed. Check your connection and retry.");
      });
    }

    function contentTypeOf(file) {
      var dot = file.name.lastIndexOf(".");
      var extension = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
      return { extension: extension, type: types[extension] || file.type || "" };
    }

    function checkFile(file) {
      var kind = contentTypeOf(file);
      if (!types[kind.extension]) {
        return (kind.extension || "A file without an extension") + " is not a video we accept. Choose one of " +
          Object.keys(types).join(", ") + ".";
      }
      if (file.size === 0) return "This file is empty.";
      if (file.size > maxBytes) {
        return "This file is " + formatBytes(file.size) + "; the upload limit is " + formatBytes(maxBytes) + ".";
      }
      return "";
    }

    function showProgress() {
      var sent = 0;
      Object.keys(state.sent).forEach(function (key) { sent += state.sent[key]; });
      var total = state.file.size;
      var percent = total ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
      bar.value = percent;
      say("Uploading… " + formatBytes(sent) + " of " + formatBytes(total) + " (" + percent + " %)");
    }

    function putPart(part) {
      return new Promise(function (resolve, reject) {
        var xhr = new XMLHttpRequest();
        state.xhr = xhr;
        xhr.open("PUT", part.url);
        var headers = state.upload.headers || {};
        Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
        xhr.upload.onprogress = function (event) {
          state.sent[part.part_number] = event.loaded;
          showProgress();
        };
        xhr.onload = function () {
          state.xhr = null;
          if (xhr.status >= 200 && xhr.status < 300) {
            state.sent[part.part_number] = part.size;
            state.done[part.part_number] = true;
            showProgress();
            resolve();
          } else {
            var detail = "";
            try { detail = JSON.parse(xhr.responseText).detail || ""; } catch (error) { /* not JSON */ }
            reject(new Error("Part " + part.part_number + " of the file was refused (" + xhr.status + ")" +
              (detail ? ": " + detail : ".")));
          }
        };
        xhr.onerror = function () {
          state.xhr = null;
          reject(new Error("The network connection dropped while sending part " + part.part_number + "."));
        };
        xhr.onabort = function () {
          state.xhr = null;
          reject(new Error("cancelled"));
        };
        xhr.send(state.file.slice(part.offset, part.offset + part.size));
      });
    }

    function sendParts() {
      var chain = Promise.resolve();
      state.upload.parts.forEach(function (part) {
        if (state.done[part.part_number]) return;
        chain = chain.then(function () {
          if (state.cancelled) throw new Error("cancelled");
          state.sent[part.part_number] = 0;
          return putPart(part);
        });
      });
      return chain.then(function () {
        say("Finishing…");
        return api("POST", url(form.dataset.completeUrlTemplate, state.asset.id));
      });
    }

    function finish(asset) {
      bar.value = 100;
      say("Uploaded. Processing starts now…");
      window.location.assign(url(form.dataset.editUrlTemplate, asset.id));
    }

    function failed(error) {
      busy(false);
      if (state && state.cancelled) return;
      say("");
      fail("Upload failed: " + error.message);
      retry.hidden = !(state && state.asset);
    }

    function run(promise) {
      busy(true);
      retry.hidden = true;
      fail("");
      promise.then(finish).catch(failed);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = fileInput.files[0];
      if (!file) { fail("Choose a video file first."); return; }
      var problem = checkFile(file);
      if (problem) { fail(problem); return; }
      state = { file: file, asset: null, upload: null, done: {}, sent: {}, xhr: null, cancelled: false };
      bar.hidden = false;
      bar.value = 0;
      say("Starting upload…");
      run(api("POST", form.dataset.createUrl, {
        filename: file.name,
        size_bytes: file.size,
        content_type: contentTypeOf(file).type,
        title: titleInput.value,
      }).then(function (data) {
        state.asset = data.asset;
        state.upload = data.upload;
        return sendParts();
      }));
    });

    retry.addEventListener("click", function () {
      if (!state || !state.asset) return;
      state.cancelled = false;
      say("Retrying…");
      // Fresh URLs (the old ones may have expired); parts already received are skipped.
      run(api("GET", url(form.dataset.resumeUrlTemplate, state.asset.id)).then(function (data) {
        state.upload = data.upload;
        return sendParts();
      }));
    });

    cancel.addEventListener("click", function () {
      if (!state) return;
      state.cancelled = true;
      if (state.xhr) state.xhr.abort();
      busy(false);
      retry.hidden = true;
      bar.hidden = true;
      var asset = state.asset;
      state = null;
      fail("");
      say("Upload cancelled.");
      if (asset) api("POST", url(form.dataset.abortUrlTemplate, asset.id)).catch(function () {});
    });

    fileInput.addEventListener("change", function () {
      fail("");
      say("");
      retry.hidden = true;
      var file = fileInput.files[0];
      if (!file) return;
      var problem = checkFile(file);
      if (problem) fail(problem);
      else say(file.name + ", " + formatBytes(file.size) + ". Ready to upload.");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
