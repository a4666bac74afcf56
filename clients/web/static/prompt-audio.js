// Prompt recordings in the console: record a prompt read aloud with the
// browser's microphone (MediaRecorder), listen to it, and save it with the
// same form that uploads a chosen file. The recording is put into the
// form's file field, so the form posts as it does without JavaScript.
"use strict";
(function () {
  var canRecord = !!(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia &&
    window.DataTransfer);
  var types = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4"];

  function pickType() {
    for (var i = 0; i < types.length; i++) {
      if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(types[i])) return types[i];
    }
    return "";
  }

  document.querySelectorAll("form[data-recorder]").forEach(function (form) {
    var bar = form.querySelector(".recorder");
    var rec = form.querySelector("[data-record]");
    var stop = form.querySelector("[data-stop]");
    var status = form.querySelector("[data-status]");
    var preview = form.querySelector("[data-preview]");
    var file = form.querySelector("input[type=file]");
    if (!canRecord) {
      status.textContent = form.dataset.msgNoMic;
      return;
    }
    bar.hidden = false;
    var recorder = null;
    var chunks = [];

    rec.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var type = pickType();
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
        chunks = [];
        recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          var blobType = (recorder.mimeType || "audio/webm").split(";")[0];
          var blob = new Blob(chunks, { type: blobType });
          var ext = blobType === "audio/mp4" ? "m4a" : "webm";
          var dt = new DataTransfer();
          dt.items.add(new File([blob], "recording." + ext, { type: blobType }));
          file.files = dt.files;
          preview.src = URL.createObjectURL(blob);
          preview.hidden = false;
          status.textContent = form.dataset.msgRecorded;
          rec.disabled = false;
          stop.disabled = true;
        };
        recorder.start();
        status.textContent = form.dataset.msgRecording;
        rec.disabled = true;
        stop.disabled = false;
      }).catch(function () {
        status.textContent = form.dataset.msgNoMic;
      });
    });
    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") recorder.stop();
    });
  });
})();
