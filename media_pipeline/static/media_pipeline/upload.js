// Admin video upload: asks the v2 API where to send the bytes, PUTs each part straight to
// storage (S3 presigned URLs, or the local chunk endpoint) with a progress bar, then
// completes the upload and opens the video's page, which shows processing progress.
(function () {
  "use strict";
  var form = document.getElementById("video-upload-form");
  if (!form) return;
  var bar = document.getElementById("video-upload-progress");
  var statusLine = document.getElementById("video-upload-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function say(text) { statusLine.textContent = text; }

  function api(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body ? JSON.stringify(body) : null,
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.detail || response.statusText);
        return data;
      });
    });
  }

  function putPart(part, blob, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", part.url);
      Object.keys(headers || {}).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new Error("Part " + part.part_number + " failed (" + xhr.status + ")"));
      };
      xhr.onerror = function () { reject(new Error("Network error on part " + part.part_number)); };
      xhr.send(blob);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.querySelector("input[type=file]").files[0];
    if (!file) return;
    if (file.size > Number(form.dataset.maxBytes)) { say("This file is larger than the upload limit."); return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    bar.style.display = "block";
    bar.value = 0;
    say("Starting upload…");
    var created;
    api(form.dataset.createUrl, {
      filename: file.name,
      size_bytes: file.size,
      content_type: file.type || "video/mp4",
      title: form.querySelector("#video-title").value,
    }).then(function (data) {
      created = data;
      var sent = {};
      var chain = Promise.resolve();
      data.upload.parts.forEach(function (part) {
        chain = chain.then(function () {
          var blob = file.slice(part.offset, part.offset + part.size);
          return putPart(part, blob, data.upload.headers, function (loaded) {
            sent[part.part_number] = loaded;
            var total = Object.keys(sent).reduce(function (sum, key) { return sum + sent[key]; }, 0);
            bar.value = Math.floor((total / file.size) * 100);
            say("Uploading… " + bar.value + "%");
          });
        });
      });
      return chain;
    }).then(function () {
      say("Finishing…");
      var id = String(created.asset.id);
      return api(form.dataset.completeUrlTemplate.replace(form.dataset.placeholder, id));
    }).then(function (asset) {
      bar.value = 100;
      say("Uploaded. Processing starts now.");
      window.location = form.dataset.editUrlTemplate.replace(form.dataset.placeholder, String(asset.id));
    }).catch(function (error) {
      say("Upload failed: " + error.message);
      button.disabled = false;
    });
  });
})();
