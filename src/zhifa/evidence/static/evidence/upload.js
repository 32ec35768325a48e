// Chunked, resumable upload of evidence files (no library). The file is cut with Blob.slice and
// sent chunk by chunk (PUT, raw bytes, Content-Range); after a failure the server's offset is
// asked for and the upload goes on from there, also after a page reload (the upload id is kept
// in localStorage under the file's name, size and date, so choosing the same file resumes it).
(function () {
  "use strict";

  var RETRIES = 5;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function sleep(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  async function readJson(response) {
    try { return await response.json(); } catch (e) { return {}; }
  }

  function Uploader(form) {
    this.form = form;
    this.fileInput = form.querySelector('input[type="file"]');
    this.status = form.querySelector(".upload-status");
    this.progressBox = form.querySelector(".upload-progress");
    this.progress = form.querySelector("progress");
    this.percent = form.querySelector(".upload-percent");
    this.startButton = form.querySelector(".upload-start");
    this.resumeButton = form.querySelector(".upload-resume");
    this.abortButton = form.querySelector(".upload-abort");
    // Suggest the category from the chosen file; the server still decides by the file's bytes.
    var kind = form.querySelector('select[name="kind"]');
    if (this.fileInput && kind) {
      this.fileInput.addEventListener("change", function () {
        var file = this.files && this.files[0];
        if (!file || !file.type) { return; }
        var guess = file.type.indexOf("image/") === 0 ? "photo" : file.type.indexOf("audio/") === 0 ? "audio"
          : file.type.indexOf("video/") === 0 ? "video" : file.type === "application/pdf" ? "document" : "";
        if (guess && kind.querySelector('option[value="' + guess + '"]')) { kind.value = guess; }
      });
    }
    this.uploadId = null;
    this.busy = false;
    form.addEventListener("submit", this.onSubmit.bind(this));
    this.resumeButton.addEventListener("click", this.onSubmit.bind(this));
    this.abortButton.addEventListener("click", this.onAbort.bind(this));
  }

  Uploader.prototype.say = function (text, isError) {
    this.status.textContent = text;
    this.status.classList.toggle("error", !!isError);
  };

  Uploader.prototype.show = function (offset, size) {
    var pct = size ? Math.floor((offset / size) * 100) : 0;
    this.progressBox.hidden = false;
    this.progress.value = pct;
    this.percent.textContent = pct + "%（" + (offset / 1048576).toFixed(1) + " / " + (size / 1048576).toFixed(1) + " MB）";
  };

  Uploader.prototype.storageKey = function (file) {
    return "zhifa-upload:" + this.form.dataset.case + ":" + file.name + ":" + file.size + ":" + file.lastModified;
  };

  Uploader.prototype.url = function (id) {
    return this.form.dataset.uploadUrl.replace("UPLOAD_ID", id);
  };

  Uploader.prototype.request = function (method, url, body, headers) {
    var all = { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" };
    Object.keys(headers || {}).forEach(function (k) { all[k] = headers[k]; });
    return fetch(url, { method: method, body: body, headers: all, credentials: "same-origin" });
  };

  Uploader.prototype.status_of = async function (id) {
    var response = await this.request("GET", this.url(id));
    if (!response.ok) { return null; }
    return readJson(response);
  };

  Uploader.prototype.start = async function (file) {
    var data = new FormData(this.form);
    data.delete("file");
    data.set("filename", file.name);
    data.set("size", String(file.size));
    var response = await this.request("POST", this.form.dataset.startUrl, data);
    var body = await readJson(response);
    if (response.status !== 201) {
      throw new Error(body.message || "无法开始上传（" + response.status + "）。");
    }
    return body;
  };

  Uploader.prototype.onSubmit = async function (event) {
    event.preventDefault();
    if (this.busy) { return; }
    var file = this.fileInput && this.fileInput.files[0];
    if (!file) { this.say("请选择要上传的文件。", true); return; }
    if (file.size > Number(this.form.dataset.maxBytes)) { this.say("文件超过允许的大小。", true); return; }
    this.busy = true;
    this.startButton.disabled = true;
    this.resumeButton.hidden = true;
    try {
      await this.run(file);
    } catch (error) {
      this.say(error.message, true);
    } finally {
      this.busy = false;
      this.startButton.disabled = false;
    }
  };

  Uploader.prototype.run = async function (file) {
    var key = this.storageKey(file);
    var state = null;
    var saved = window.localStorage.getItem(key);
    if (saved) {
      state = await this.status_of(saved);
      if (!state || state.status !== "open") { state = null; window.localStorage.removeItem(key); }
      else { this.say("发现未完成的上传，从 " + (state.offset / 1048576).toFixed(1) + " MB 处续传……"); }
    }
    if (!state) {
      this.say("正在开始上传……");
      state = await this.start(file);
      window.localStorage.setItem(key, state.upload_id);
    }
    this.uploadId = state.upload_id;
    this.abortButton.hidden = false;
    state = await this.send(file, state);
    window.localStorage.removeItem(key);
    this.abortButton.hidden = true;
    this.show(file.size, file.size);
    this.say("上传完成，已登记为证据（文件类型：" + state.media_type + "）。正在刷新……");
    window.setTimeout(function () { window.location.reload(); }, 1200);
  };

  Uploader.prototype.send = async function (file, state) {
    var offset = state.offset;
    var chunk = state.chunk_size;
    var failures = 0;
    while (state.status === "open") {
      this.show(offset, file.size);
      var end = Math.min(offset + chunk, file.size);
      var response = null;
      try {
        response = await this.request("PUT", this.url(this.uploadId), file.slice(offset, end), {
          "Content-Type": "application/octet-stream",
          "Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + file.size,
        });
      } catch (networkError) {
        response = null;
      }
      var body = response ? await readJson(response) : {};
      if (response && response.ok) {
        state = body;
        offset = state.offset;
        failures = 0;
        continue;
      }
      if (response && response.status === 409 && body.code === "upload_gap") {
        offset = body.details.offset;
        continue;
      }
      var retriable = !response || response.status >= 500 || body.code === "upload_busy" || body.code === "incomplete_chunk";
      if (!retriable) { throw new Error(body.message || "上传被拒绝（" + response.status + "）。"); }
      failures += 1;
      if (failures > RETRIES) {
        this.resumeButton.hidden = false;
        throw new Error("网络中断，已上传 " + Math.floor((offset / file.size) * 100) + "%。请检查网络后点击“继续上传”，将从断点续传。");
      }
      this.say("网络不稳定，" + (2 ** (failures - 1)) + " 秒后重试（第 " + failures + " 次）……", true);
      await sleep(1000 * 2 ** (failures - 1));
      var fresh = await this.status_of(this.uploadId).catch(function () { return null; });
      if (fresh) { state = fresh; offset = fresh.offset; }
    }
    if (state.status !== "complete") { throw new Error(state.failure || "上传已中止。"); }
    return state;
  };

  Uploader.prototype.onAbort = async function () {
    if (!this.uploadId || !window.confirm("确定取消该上传？已上传的部分将被删除。")) { return; }
    var response = await this.request("DELETE", this.url(this.uploadId));
    var body = await readJson(response);
    var file = this.fileInput.files[0];
    if (file) { window.localStorage.removeItem(this.storageKey(file)); }
    this.abortButton.hidden = true;
    this.resumeButton.hidden = true;
    this.uploadId = null;
    this.say(response.ok ? "已取消上传，未登记任何记录。" : (body.message || "取消失败。"), !response.ok);
  };

  document.querySelectorAll("form.evidence-upload").forEach(function (form) { new Uploader(form); });
})();
