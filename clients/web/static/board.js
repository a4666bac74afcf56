// Read-aloud on the public board: a button per response, shown only when
// the device has a speech-synthesis voice for the language of the text,
// so nothing is ever read in the wrong language.
(function () {
  "use strict";
  if (!("speechSynthesis" in window)) return;
  function voiceFor(lang) {
    var base = lang.split("-")[0].toLowerCase();
    var vs = window.speechSynthesis.getVoices();
    for (var i = 0; i < vs.length; i++) {
      if (vs[i].lang && vs[i].lang.toLowerCase().split(/[-_]/)[0] === base) return vs[i];
    }
    return null;
  }
  function setup() {
    document.querySelectorAll(".board-item").forEach(function (item) {
      var btn = item.querySelector(".read-aloud");
      if (!btn) return;
      var lang = btn.getAttribute("data-lang") || document.documentElement.lang;
      var voice = voiceFor(lang);
      if (!voice) { btn.hidden = true; return; }
      btn.hidden = false;
      btn.onclick = function () {
        window.speechSynthesis.cancel();
        item.querySelectorAll(".speak").forEach(function (el) {
          var u = new SpeechSynthesisUtterance(el.textContent);
          u.lang = lang;
          u.voice = voice;
          window.speechSynthesis.speak(u);
        });
      };
    });
  }
  setup();
  window.speechSynthesis.addEventListener("voiceschanged", setup);
})();
