/* buurtstem resident client. No build step, no dependencies but live.js.
   - every page: speaker buttons (a recorded voice when there is one, else
     the device's speech synthesis, only when it has a voice for the text's
     language; otherwise the button stays hidden), the keypad, kiosk mode;
   - the answer page (/s/{id}): follows the session over live.js, shows one
     screen per prompt kind, queues answers in localStorage and resends them
     with the same id until acknowledged, confirms with a check mark, a
     short sound and a spoken thank-you, offers the voluntary profile once,
     and on a shared tablet a receipt.
   Kiosk mode: open any resident page with ?kiosk=1 (or ?kiosk=<seconds>
   idle, 5-3600; default 60) once; ?kiosk=0 ends it. After the idle time
   without a touch the tablet forgets the resident (storage, participant
   and language cookies) and shows the language screen. */
(function () {
  'use strict';

  var doc = document, store = window.localStorage;
  var PICT = '/static/pictograms/';

  function $(sel, root) { return (root || doc).querySelector(sel); }
  function el(tag, attrs, kids) {
    var e = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') e.textContent = v;
      else if (k === 'on') Object.keys(v).forEach(function (t) { e.addEventListener(t, v[t]); });
      else e.setAttribute(k, v === true ? '' : v);
    });
    (kids || []).forEach(function (k) { if (k) e.appendChild(typeof k === 'string' ? doc.createTextNode(k) : k); });
    return e;
  }
  function pict(name, size, alt) {
    return el('img', {src: PICT + name + '.svg', alt: alt || '', width: size || 48, height: size || 48});
  }
  function load(key, def) {
    try { var v = JSON.parse(store.getItem(key)); return v === null ? def : v; } catch (e) { return def; }
  }
  // ready marks the page usable, once, with the time since navigation
  // started (the browser tests measure the throttled load with it).
  function ready() {
    if (doc.body.dataset.ready) return;
    doc.body.dataset.readyAt = String(Math.round(window.performance.now()));
    doc.body.dataset.ready = '1';
  }
  function save(key, v) { try { store.setItem(key, JSON.stringify(v)); } catch (e) { /* full or private */ } }

  /* ---------- read aloud ---------- */
  var synth = window.speechSynthesis;
  function voiceFor(lang) {
    if (!synth || !lang) return null;
    var base = String(lang).toLowerCase().split(/[-_]/)[0];
    var vs = synth.getVoices();
    for (var i = 0; i < vs.length; i++) {
      if (String(vs[i].lang).toLowerCase().split(/[-_]/)[0] === base) return vs[i];
    }
    return null;
  }
  var player = null;
  function say(text, lang, audioURL) {
    if (player) { player.pause(); player = null; }
    if (synth) synth.cancel();
    if (audioURL) {
      player = new Audio(audioURL);
      player.play().catch(function () {});
      return true;
    }
    var v = voiceFor(lang);
    if (!v || !text) return false;
    var u = new SpeechSynthesisUtterance(text);
    u.voice = v;
    u.lang = v.lang;
    synth.speak(u);
    return true;
  }
  // speaker makes a button that reads text in lang (or plays audioURL); it
  // is hidden unless one of the two can really be heard.
  function speaker(text, lang, label, audioURL) {
    var b = el('button', {type: 'button', 'class': 'speak', 'data-say': text, 'data-say-lang': lang,
      'data-audio': audioURL || null, hidden: true}, [pict('ui-speaker', 32, label)]);
    return b;
  }
  function revealSpeakers() {
    Array.prototype.forEach.call(doc.querySelectorAll('button.speak'), function (b) {
      b.hidden = !(b.getAttribute('data-audio') || voiceFor(b.getAttribute('data-say-lang')));
    });
  }
  doc.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('button.speak');
    if (b) say(b.getAttribute('data-say'), b.getAttribute('data-say-lang'), b.getAttribute('data-audio'));
  });
  if (synth && synth.addEventListener) synth.addEventListener('voiceschanged', revealSpeakers);

  /* ---------- confirmation sound (WebAudio, no file) ---------- */
  function chime() {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    try {
      var ctx = new AC(), t = ctx.currentTime;
      [660, 880].forEach(function (f, i) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, t + i * 0.15);
        g.gain.exponentialRampToValueAtTime(0.2, t + i * 0.15 + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.15 + 0.25);
        o.connect(g); g.connect(ctx.destination);
        o.start(t + i * 0.15); o.stop(t + i * 0.15 + 0.3);
      });
      setTimeout(function () { ctx.close(); }, 1000);
    } catch (e) { /* no sound is fine */ }
  }

  /* ---------- kiosk ---------- */
  var kiosk = (function () {
    var q = new URLSearchParams(window.location.search).get('kiosk');
    if (q !== null) {
      var n = parseInt(q, 10);
      if (q === '0' || q === 'off') store.removeItem('bst_kiosk');
      else save('bst_kiosk', {idle: n >= 5 && n <= 3600 ? n : 60});
    }
    return load('bst_kiosk', null);
  })();
  if (kiosk) doc.body.setAttribute('data-kiosk', kiosk.idle);

  // forget clears everything of this resident from the device and starts
  // over at the language screen. Answers still waiting to be sent are sent
  // first: nothing given is lost for a reset.
  var pendingCount = function () { return 0; };
  function forget() {
    if (pendingCount() > 0) { setTimeout(forget, 3000); return; }
    Object.keys(store).forEach(function (k) { if (k.indexOf('bst_') === 0 && k !== 'bst_kiosk') store.removeItem(k); });
    try { window.sessionStorage.clear(); } catch (e) { /* none */ }
    try { window.indexedDB.deleteDatabase('bst_media'); } catch (e) { /* none */ }
    fetch('/api/v1/leave', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}', credentials: 'same-origin'})
      .catch(function () {}).then(function () { window.location.replace('/'); });
  }
  if (kiosk) {
    var idleTimer = null;
    var touched = function () {
      save('bst_touched', 1);
      clearTimeout(idleTimer);
      idleTimer = setTimeout(function () { if (load('bst_touched', 0)) forget(); }, kiosk.idle * 1000);
    };
    ['pointerdown', 'keydown', 'touchstart', 'input'].forEach(function (t) { doc.addEventListener(t, touched, true); });
    if (load('bst_touched', 0)) touched();
  }

  /* ---------- join keypad ---------- */
  var join = $('#join');
  if (join) {
    var input = $('#code', join);
    join.addEventListener('click', function (ev) {
      var b = ev.target.closest('button[data-key]');
      if (!b) return;
      var k = b.getAttribute('data-key');
      input.value = k === 'del' ? input.value.slice(0, -1) : (input.value + k).replace(/\D/g, '').slice(0, 6);
    });
    ready();
  }

  revealSpeakers();
  var app = $('#app');
  if (!app) {
    if (!join) ready();
    return;
  }

  /* ========== the answer page ========== */
  var M = $('#msgs').dataset;
  var SID = app.dataset.session, LANG = app.dataset.lang, SELF = app.dataset.pace === 'self';
  var LANGS = JSON.parse(app.dataset.langs || '{}'), FALLBACK = JSON.parse(app.dataset.fallback || '{}');
  var screen = $('#screen'), conn = $('#conn'), announce = $('#announce'), queueList = $('#queue');
  var sess = null, answered = {}, wall = [], feedback = [], live = null, ended = false;
  var pos = load('bst_pos_' + SID, -1);
  var QKEY = 'bst_queue';

  // pick returns {text, lang} of person-written text: the chosen language,
  // the session's languages, Dutch, any.
  function pick(t) {
    t = t || {};
    var order = [LANG].concat(sess ? sess.languages : [], ['nl']);
    for (var i = 0; i < order.length; i++) if (t[order[i]] && t[order[i]].trim()) return {text: t[order[i]], lang: order[i]};
    var ks = Object.keys(t).sort();
    for (var j = 0; j < ks.length; j++) if (t[ks[j]] && t[ks[j]].trim()) return {text: t[ks[j]], lang: ks[j]};
    return {text: '', lang: LANG};
  }
  function dirOf(lang) { return /^(ar|fa|he|ur|ps|ckb|yi)$/.test(lang) ? 'rtl' : 'ltr'; }
  function shown(tag, t, attrs) {
    var p = pick(t);
    attrs = attrs || {};
    attrs.lang = p.lang; attrs.dir = dirOf(p.lang); attrs.text = p.text;
    return el(tag, attrs);
  }
  function audioURL(prompt) {
    return prompt && prompt.audio && prompt.audio[LANG] ?
      '/live/' + encodeURIComponent(SID) + '/prompts/' + encodeURIComponent(prompt.id) + '/audio/' + encodeURIComponent(LANG) : null;
  }
  // msg reads a message of a kind and id from #msgs (data-theme-safety is
  // dataset.themeSafety).
  function msg(kind, id) { return M[kind + id.charAt(0).toUpperCase() + id.slice(1)] || M[kind + '-' + id] || id; }
  function tell(msg) { announce.textContent = ''; setTimeout(function () { announce.textContent = msg; }, 50); }

  function show(nodes, heading) {
    screen.textContent = '';
    nodes.forEach(function (n) { if (n) screen.appendChild(n); });
    revealSpeakers();
    var h = $('h1', screen);
    if (h && heading !== false) { h.setAttribute('tabindex', '-1'); h.focus({preventScroll: true}); }
    window.scrollTo(0, 0);
    doc.body.setAttribute('data-screen', screen.firstChild && screen.firstChild.getAttribute ? screen.firstChild.getAttribute('data-screen') || '' : '');
    ready();
  }
  function wrap(name, kids) { return el('div', {'data-screen': name}, kids); }
  function sayRow(text, lang) {
    return el('p', {'class': 'say-row'}, [el('span', {text: text}), speaker(text, lang || LANG, M.readAloud)]);
  }
  function act(label, icon, onClick, cls) {
    return el('button', {type: 'button', 'class': 'act ' + (cls || ''), on: {click: onClick}}, [icon ? pict(icon, 32) : null, el('span', {text: label})]);
  }

  /* ---------- the queue: answers survive a lost network and a reload ---------- */
  function queue() { return load(QKEY, []); }
  function setQueue(q) { save(QKEY, q); renderQueue(); }
  pendingCount = function () { return queue().filter(function (i) { return i.state === 'sending' || i.state === 'uploading'; }).length; };
  function queueLabel(i) {
    return i.state === 'sent' ? M.sent : i.state === 'failed' ? (i.error || M.failed) :
      i.state === 'uploading' && i.wait ? i.wait :
      !(live && live.connected()) ? M.queued : i.slow ? M.delayed : M.sending;
  }
  function renderQueue() {
    queueList.textContent = '';
    var shown = screen && $('.confirm-state', screen);
    if (shown) fillConfirm(shown);
    queue().filter(function (i) { return i.session === SID; }).slice(-3).forEach(function (i) {
      var label = queueLabel(i);
      // A failed answer says why, and can be read aloud: the resident may
      // not read the reason.
      queueList.appendChild(el('li', {'data-state': i.state, 'data-id': i.id, 'data-code': i.code || null},
        [pict(i.state === 'sent' ? 'ui-check' : i.state === 'failed' ? 'ui-question' : 'ui-redo', 24), el('span', {text: label}),
          i.state === 'failed' || (i.state === 'uploading' && i.wait) ? speaker(label, LANG, M.readAloud) : null]));
    });
    revealSpeakers();
  }
  function enqueue(promptID, answer) {
    var q = queue().filter(function (i) { return i.state !== 'sent' || Date.now() - i.at < 600000; });
    var item = {id: window.buurtstemLive.randomId('r-'), session: SID, prompt_id: promptID, answer: answer, lang: LANG, state: 'sending', at: Date.now()};
    q.push(item);
    setQueue(q);
    transmit(item);
    return item;
  }
  function update(id, fields) {
    var q = queue();
    q.forEach(function (i) { if (i.id === id) Object.keys(fields).forEach(function (k) { i[k] = fields[k]; }); });
    setQueue(q);
  }
  var RETRY = {unavailable: 1, rate_limited: 1, timeout: 1, disconnected: 1};
  // SLOW_AFTER: an answer connected but not acknowledged this long (the
  // server waits for a store that hangs) says that saving is delayed and
  // the answer is kept, instead of "sending" for ever.
  var SLOW_AFTER = 4000;
  var inflight = {};
  function markSlow(item) {
    var known = queue().filter(function (i) { return i.id === item.id; })[0];
    if (!known || known.state !== 'sending' || known.slow) return;
    update(item.id, {slow: true});
    tell(M.delayed);
  }
  function transmit(item) {
    if (!live || inflight[item.id]) return;
    inflight[item.id] = true;
    var slowTimer = setTimeout(function () { if (inflight[item.id]) markSlow(item); }, SLOW_AFTER);
    live.request('submit', {prompt_id: item.prompt_id, answer: item.answer, lang: item.lang}, {id: item.id, resend: true})
      .then(function () {
        clearTimeout(slowTimer);
        delete inflight[item.id];
        update(item.id, {state: 'sent', slow: false});
        answered[item.prompt_id] = true;
        tell(M.sent);
      }, function (err) {
        clearTimeout(slowTimer);
        delete inflight[item.id];
        if (err.code === 'unavailable') markSlow(item);
        if (RETRY[err.code]) { setTimeout(function () { transmit(item); }, 3000); return; }
        // In a led session an answer that waited offline may arrive after
        // the intermediary moved on: say plainly that it was not sent.
        var why = err.code === 'not_current' ? M.promptPassed : err.message || M.failed;
        update(item.id, {state: 'failed', error: why, code: err.code});
        tell(why);
        if (err.code === 'moderation_rejected') showWhy(err.message, (err.reasons || []).filter(function (r) { return r.message !== err.message; }), '');
      });
  }

  /* ---------- screens ---------- */
  function current() {
    if (!sess || sess.state !== 'running') return null;
    if (SELF) {
      if (pos < 0 || pos >= sess.prompts.length) {
        pos = 0;
        while (pos < sess.prompts.length - 1 && answered[sess.prompts[pos].id]) pos++;
      }
      return sess.prompts[pos];
    }
    return sess.current >= 0 ? sess.prompts[sess.current] : null;
  }
  function render() {
    if (ended) return;
    var p = current();
    if (!p) {
      show([wrap('waiting', [pict('kind-faces', 96), el('h1', {text: M.waiting}), speaker(M.waiting, LANG, M.readAloud)])]);
      return;
    }
    showPrompt(p);
  }
  function promptHead(p) {
    var t = pick(p.text), kids = [];
    var n = sess.prompts.indexOf(p);
    kids.push(el('div', {'class': 'prompt-head'}, [pict('kind-' + p.kind, 48),
      el('h1', {lang: t.lang, dir: dirOf(t.lang), text: t.text || M.question}), speaker(t.text, t.lang, M.readAloud, audioURL(p))]));
    if (t.lang !== LANG && FALLBACK[t.lang]) kids.push(el('p', {'class': 'fallback', text: FALLBACK[t.lang]}));
    if (SELF) kids.push(el('p', {'class': 'fallback', dir: 'ltr', text: (n + 1) + ' / ' + sess.prompts.length}));
    return kids;
  }
  function nav() {
    if (!SELF) return null;
    return el('div', {'class': 'act-row'}, [
      pos > 0 ? act(M.prev, 'ui-prev', function () { go(pos - 1); }, 'secondary') : null,
      pos < sess.prompts.length - 1 ? act(M.next, 'ui-next', function () { go(pos + 1); }, 'secondary') : null]);
  }
  function go(i) { pos = Math.max(0, Math.min(sess.prompts.length - 1, i)); save('bst_pos_' + SID, pos); render(); }

  // choiceList renders tappable options; each has its own speaker.
  function choiceList(items, multiple, cls, onPick) {
    var ul = el('ul', {'class': 'choices ' + (cls || '')});
    items.forEach(function (it) {
      var b = el('button', {type: 'button', 'class': 'choice', 'data-value': it.value, 'aria-pressed': multiple ? 'false' : null},
        [it.pictogram ? pict(it.pictogram, 48) : null, el('span', {lang: it.lang, dir: dirOf(it.lang), text: it.label})]);
      b.addEventListener('click', function () {
        if (multiple) b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
        onPick(it.value, b);
      });
      ul.appendChild(el('li', {}, [b, speaker(it.label, it.lang, M.readAloud)]));
    });
    return ul;
  }
  function showPrompt(p) {
    var kids = promptHead(p), body = [];
    var submit = function (answer) { confirm(p, enqueue(p.id, answer).id); };
    if (p.kind === 'faces') {
      var faces = [5, 4, 3, 2, 1].map(function (n) { return {value: n, label: M['face-' + n], lang: LANG, pictogram: 'face-' + n}; });
      body.push(sayRow(M.chooseOne), choiceList(faces, false, 'faces', function (v) { submit({face: v}); }));
    } else if (p.kind === 'themes' || p.kind === 'picture') {
      var opts = p.kind === 'themes' ?
        ['welfare', 'education', 'safety', 'housing', 'work', 'democracy', 'other'].map(function (id) {
          return {value: id, label: msg('theme', id), lang: LANG, pictogram: 'theme-' + id};
        }) :
        (p.options || []).map(function (o) { var t = pick(o.label); return {value: o.id, label: t.text, lang: t.lang, pictogram: o.pictogram}; });
      if (p.multiple) {
        var send = act(M.send, 'ui-check', function () {
          var chosen = Array.prototype.map.call(screen.querySelectorAll('.choice[aria-pressed="true"]'), function (b) { return b.getAttribute('data-value'); });
          if (chosen.length) submit({options: chosen});
        });
        send.disabled = true;
        body.push(sayRow(M.chooseMore), choiceList(opts, true, 'grid', function () {
          send.disabled = !screen.querySelector('.choice[aria-pressed="true"]');
        }), send);
      } else {
        body.push(sayRow(M.chooseOne), choiceList(opts, false, 'grid', function (v) { submit({options: [v]}); }));
      }
    } else if (p.kind === 'open') {
      body.push(openAnswer(p, submit));
    } else if (p.kind === 'dots') {
      body.push(dotsAnswer(p, submit));
    } else if (p.kind === 'feedback') {
      body.push(feedbackList());
    }
    show([wrap('prompt-' + p.kind, kids.concat(body, [nav()]))]);
    doc.body.setAttribute('data-prompt', p.id);
    tell(pick(p.text).text);
  }

  function openAnswer(p, submit) {
    var allow = p.allow && p.allow.length ? p.allow : ['text'];
    var box = el('div', {'class': 'open'}), area = el('div');
    var modes = {text: ['ui-text', M.answerText], voice: ['ui-mic', M.answerVoice], photo: ['ui-camera', M.answerPhoto]};
    var media = window.MediaRecorder && navigator.mediaDevices;
    var usable = allow.filter(function (k) { return k !== 'voice' || media; });
    if (usable.length > 1) {
      box.appendChild(choiceList(usable.map(function (k) { return {value: k, label: modes[k][1], lang: LANG, pictogram: modes[k][0]}; }),
        false, 'modes', function (k) { mode(k); }));
    }
    box.appendChild(area);
    function mode(k) {
      area.textContent = '';
      if (k === 'text') area.appendChild(textForm(submit));
      if (k === 'voice') area.appendChild(voiceForm(p, submit));
      if (k === 'photo') area.appendChild(photoForm(p, submit));
      revealSpeakers();
    }
    if (usable.length === 1) mode(usable[0]);
    return box;
  }
  function textForm(submit) {
    var id = 'answer-text';
    var ta = el('textarea', {id: id, dir: 'auto', lang: LANG, maxlength: 2000});
    var send = act(M.send, 'ui-check', function () { if (ta.value.trim()) submit({text: ta.value.trim()}); });
    return el('div', {}, [el('label', {'for': id, text: M.typeHere}), ta, send]);
  }
  function problem(msg) { return el('p', {'class': 'error', role: 'alert'}, [pict('ui-question', 32), el('span', {text: msg})]); }

  /* ---------- voice notes and photos waiting for the network ---------- */
  // A recording or photo waits in IndexedDB under its answer's id (a Blob
  // does not fit in localStorage) while the answer waits in the queue in
  // state "uploading". Both survive a lost network, a reload or a closed
  // tab; after the upload the answer goes out with the same id, so it is
  // stored once however often it was tried.
  var mediaDB = null;
  function mediaStore(mode, fn) {
    if (!mediaDB) {
      mediaDB = new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error('no IndexedDB')); return; }
        var r = window.indexedDB.open('bst_media', 1);
        r.onupgradeneeded = function () { r.result.createObjectStore('media', {keyPath: 'id'}); };
        r.onsuccess = function () { resolve(r.result); };
        r.onerror = function () { reject(r.error); };
      });
    }
    return mediaDB.then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction('media', mode), req = fn(tx.objectStore('media'));
        tx.oncomplete = function () { resolve(req.result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function forgetMedia(id) { return mediaStore('readwrite', function (s) { return s.delete(id); }).catch(function () {}); }

  // sendMedia queues a recording or photo as the answer to p. The first
  // attempt decides what the resident sees: a refusal (too long, not audio)
  // is shown on the form to try again; sent or waiting for the network, the
  // thank-you screen follows, and the queue shows the state.
  function sendMedia(p, kind, blob, note) {
    var item = {id: window.buurtstemLive.randomId('r-'), session: SID, prompt_id: p.id, kind: kind, lang: LANG,
      state: 'uploading', at: Date.now()};
    note.textContent = M.sending;
    mediaStore('readwrite', function (s) { return s.put({id: item.id, blob: blob}); })
      .catch(function () { /* no IndexedDB (private window): kept while the page is open */ })
      .then(function () {
        var q = queue();
        q.push(item);
        setQueue(q);
        uploadItem(item, blob, function (msg) { note.textContent = ''; note.appendChild(problem(msg)); }, function () { confirm(p, item.id); });
      });
  }
  var uploading = {};
  // uploadItem uploads a queued answer's file (the media contract), then
  // sends the answer with the media id. refused and first are for the
  // first attempt only: see sendMedia.
  function uploadItem(item, blob, refused, first) {
    if (uploading[item.id]) return;
    uploading[item.id] = true;
    function later() { setTimeout(function () { uploadItem(item, blob, null, null); }, 5000); }
    fetch('/live/' + encodeURIComponent(SID) + '/media?kind=' + item.kind, {method: 'POST', body: blob, credentials: 'same-origin',
      headers: {'Content-Type': (blob.type || 'application/octet-stream').split(';')[0]}})
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) { return {ok: r.ok, status: r.status, body: b}; }); })
      .then(function (r) {
        delete uploading[item.id];
        if (r.ok && r.body.media_id) {
          item.state = 'sending';
          item.answer = {media_id: r.body.media_id};
          update(item.id, {state: item.state, answer: item.answer, wait: null});
          forgetMedia(item.id);
          transmit(item);
          if (first) first();
          return;
        }
        if (r.status === 429 && r.body && r.body.error && r.body.error.message) {
          // Too many files from this phone at once: it is kept and sent
          // later; the queue says why it waits (and can read it aloud).
          update(item.id, {wait: r.body.error.message});
          tell(r.body.error.message);
        }
        if (r.status >= 500 || r.status === 429) { if (first) first(); later(); return; }
        // Refused for good: the same file will never be taken.
        var msg = r.body && r.body.error ? r.body.error.message : M.uploadFailed;
        forgetMedia(item.id);
        if (refused) {
          setQueue(queue().filter(function (i) { return i.id !== item.id; }));
          refused(msg);
        } else {
          update(item.id, {state: 'failed', error: msg});
          tell(msg);
        }
      }, function () {
        delete uploading[item.id];
        if (first) first(); // offline: the answer waits on the device
        later();
      });
  }
  // resumeMedia uploads what an earlier visit left waiting.
  function resumeMedia() {
    queue().forEach(function (i) {
      if (i.session !== SID || i.state !== 'uploading') return;
      mediaStore('readonly', function (s) { return s.get(i.id); }).then(function (rec) {
        if (rec && rec.blob) uploadItem(i, rec.blob, null, null);
        else update(i.id, {state: 'failed', error: M.uploadFailed});
      }, function () { update(i.id, {state: 'failed', error: M.uploadFailed}); });
    });
  }
  function voiceForm(p, submit) {
    var box = el('div'), note = el('div', {'aria-live': 'polite'}), time = el('p', {'class': 'rec-time', dir: 'ltr', text: '0:00'});
    var rec = null, chunks = [], started = 0, tick = null, blob = null;
    var type = ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4'].filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0];
    function stop() { if (rec && rec.state === 'recording') rec.stop(); }
    function start() {
      navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
        chunks = [];
        rec = new MediaRecorder(stream, type ? {mimeType: type} : undefined);
        rec.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        rec.onstop = function () {
          clearInterval(tick);
          stream.getTracks().forEach(function (t) { t.stop(); });
          blob = new Blob(chunks, {type: (rec.mimeType || type || 'audio/webm')});
          review();
        };
        rec.start(1000);
        started = Date.now();
        tick = setInterval(function () {
          var s = Math.floor((Date.now() - started) / 1000);
          time.textContent = Math.floor(s / 60) + ':' + ('0' + s % 60).slice(-2);
          if (s >= 60) { stop(); note.appendChild(problem(M.tooLong)); }
        }, 250);
        controls([act(M.stop, 'ui-stop', stop)]);
        note.textContent = M.recording;
      }, function () { note.textContent = ''; note.appendChild(problem(M.micDenied)); });
    }
    function review() {
      note.textContent = '';
      if (blob.size > 2 * 1024 * 1024) { note.appendChild(problem(M.tooBig)); controls([act(M.redo, 'ui-redo', start)]); return; }
      var audio = el('audio', {controls: true, src: URL.createObjectURL(blob)});
      controls([audio, el('div', {'class': 'act-row'}, [act(M.redo, 'ui-redo', start, 'secondary'),
        act(M.send, 'ui-check', function () { sendMedia(p, 'voice', blob, note); })])]);
    }
    var ctl = el('div');
    function controls(kids) { ctl.textContent = ''; kids.forEach(function (k) { ctl.appendChild(k); }); }
    controls([act(M.record, 'ui-record', start)]);
    box.appendChild(time); box.appendChild(ctl); box.appendChild(note);
    return box;
  }
  function photoForm(p, submit) {
    var id = 'answer-photo';
    var file = el('input', {type: 'file', id: id, accept: 'image/*', capture: 'environment', 'class': 'visually-hidden'});
    var note = el('div', {'aria-live': 'polite'}), preview = el('div');
    var pickBtn = el('label', {'for': id, 'class': 'act'}, [pict('ui-camera', 32), el('span', {text: M.answerPhoto})]);
    file.addEventListener('change', function () {
      var f = file.files[0];
      note.textContent = ''; preview.textContent = '';
      if (!f) return;
      if (!/^image\//.test(f.type)) { note.appendChild(problem(M.notImage)); return; }
      if (f.size > 40 * 1024 * 1024) { note.appendChild(problem(M.tooBig)); return; }
      scaleDown(f, 1600).then(function (blob) {
        if (blob.size > 8 * 1024 * 1024) { note.appendChild(problem(M.tooBig)); return; }
        preview.appendChild(el('img', {'class': 'photo-preview', src: URL.createObjectURL(blob), alt: ''}));
        preview.appendChild(act(M.send, 'ui-check', function () { sendMedia(p, 'photo', blob, note); }));
      }, function () { note.appendChild(problem(M.notImage)); });
    });
    return el('div', {}, [file, pickBtn, preview, note]);
  }
  // scaleDown draws the photo at most max px on its long side as JPEG:
  // a phone photo of 4 MB becomes some 300 KB.
  function scaleDown(f, max) {
    return new Promise(function (resolve, reject) {
      var img = new Image(), url = URL.createObjectURL(f);
      img.onload = function () {
        var s = Math.min(1, max / Math.max(img.naturalWidth, img.naturalHeight));
        var c = el('canvas', {width: Math.round(img.naturalWidth * s), height: Math.round(img.naturalHeight * s)});
        c.getContext('2d').drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        c.toBlob(function (b) { if (b) resolve(b); else reject(); }, 'image/jpeg', 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(); };
      img.src = url;
    });
  }
  function dotsAnswer(p, submit) {
    var max = p.dots || 3, given = {}, box = el('div');
    var left = el('span', {'class': 'dots-left', dir: 'ltr', text: String(max)});
    box.appendChild(sayRow(M.dotsHint));
    if (!wall.length) { box.appendChild(el('p', {text: M.dotsNone})); return box; }
    box.appendChild(el('p', {}, [el('span', {text: M.dotsLeft + ' '}), left]));
    var send = act(M.send, 'ui-check', function () { submit({dots: given}); });
    send.disabled = true;
    function total() { return Object.keys(given).reduce(function (s, k) { return s + given[k]; }, 0); }
    wall.forEach(function (w) {
      var count = el('span', {'class': 'dots-count', dir: 'ltr', text: '0', 'aria-live': 'polite'});
      function change(d) {
        var n = (given[w.contribution_id] || 0) + d;
        if (n < 0 || total() + d > max) return;
        if (n) given[w.contribution_id] = n; else delete given[w.contribution_id];
        count.textContent = String(n);
        left.textContent = String(max - total());
        send.disabled = total() === 0;
      }
      box.appendChild(el('div', {'class': 'dots-item'}, [
        el('button', {type: 'button', 'class': 'secondary', 'aria-label': M.dotsRemove, text: '−', on: {click: function () { change(-1); }}}),
        count,
        el('button', {type: 'button', 'aria-label': M.dotsAdd, text: '+', on: {click: function () { change(1); }}}),
        el('p', {dir: 'auto', lang: w.lang || null, text: w.text}), speaker(w.text, w.lang, M.readAloud)]));
    });
    box.appendChild(send);
    return box;
  }
  function feedbackList() {
    var box = el('div', {}, [sayRow(M.feedbackIntro)]);
    if (!feedback.length) { box.appendChild(el('p', {text: M.feedbackNone})); return box; }
    var ul = el('ul', {'class': 'inputs'});
    feedback.forEach(function (f) {
      var title = pick(f.title), text = pick(f.text);
      ul.appendChild(el('li', {'class': 'input'}, [
        el('p', {'class': 'input-meta'}, [pict('status-' + f.status, 32), shown('strong', f.title)]),
        shown('p', f.text), speaker(title.text + '. ' + text.text, text.lang, M.readAloud)]));
    });
    box.appendChild(ul);
    return box;
  }

  // confirm: a big check mark, a short sound and a spoken thank-you; the
  // voluntary profile after the first answer in this session. "We have
  // your answer" is said only once the server has it (acknowledged, so
  // durable): until then the screen says what the queue says — sending,
  // not sent yet, delayed — and turns into the thank-you when the
  // acknowledgement comes, usually within a blink.
  function confirm(p, id) {
    var head = el('div', {'class': 'confirm-state', 'data-answer': id || ''});
    fillConfirm(head);
    var kids = [head, act(M.again, 'ui-redo', function () { showPrompt(p); }, 'secondary')];
    if (SELF && pos < sess.prompts.length - 1) kids.push(act(M.next, 'ui-next', function () { go(pos + 1); }));
    if (SELF && pos >= sess.prompts.length - 1) kids.push(el('p', {text: M.allDone}));
    if (kiosk) kids.push(act(M.receiptGet, 'ui-receipt', receipt, 'secondary'));
    var done = wrap('thanks', [el('div', {'class': 'done'}, kids)]);
    var profiled = load('bst_profiled_' + SID, false);
    show([done, profiled ? null : profileForm()]);
    tell(head.getAttribute('data-label'));
  }
  // fillConfirm shows the answer's state at the top of the thank-you
  // screen, and chimes and says thank you when it becomes acknowledged.
  function fillConfirm(head) {
    var id = head.getAttribute('data-answer');
    var item = id ? queue().filter(function (i) { return i.id === id; })[0] : null;
    var state = !item || item.state === 'sent' ? 'sent' : item.state === 'failed' ? 'failed' : 'pending';
    var label = state === 'sent' ? M.thanks : queueLabel(item);
    if (head.getAttribute('data-label') === label) return;
    var was = head.getAttribute('data-state');
    head.setAttribute('data-state', state);
    head.setAttribute('data-label', label);
    head.textContent = '';
    var icon = pict(state === 'sent' ? 'ui-check' : state === 'failed' ? 'ui-question' : 'ui-redo', state === 'sent' ? 128 : 96, '');
    icon.setAttribute('class', state === 'sent' ? 'check' : 'pending');
    head.appendChild(icon);
    head.appendChild(el('h1', {text: label}));
    head.appendChild(speaker(label, LANG, M.readAloud));
    revealSpeakers();
    if (state === 'sent') {
      chime();
      say(M.thanks, LANG);
    }
    if (was) tell(label); // the first fill is announced by confirm
  }
  function profileForm() {
    var chosen = {};
    var form = el('form', {'class': 'profile', 'data-screen': 'profile'});
    function group(key, icon, legend, opts) {
      var fs = el('fieldset', {}, [el('legend', {}, [pict(icon, 32), el('span', {text: legend})])]);
      fs.appendChild(choiceList(opts, false, 'grid', function (v, b) {
        Array.prototype.forEach.call(fs.querySelectorAll('.choice'), function (x) { x.setAttribute('aria-pressed', x === b ? 'true' : 'false'); });
        chosen[key] = v;
      }));
      Array.prototype.forEach.call(fs.querySelectorAll('.choice'), function (x) { x.setAttribute('aria-pressed', 'false'); });
      form.appendChild(fs);
    }
    function finish(send) {
      save('bst_profiled_' + SID, true);
      form.textContent = '';
      if (send) {
        chosen.session_id = SID;
        fetch('/api/v1/profile', {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(chosen)})
          .catch(function () {});
        form.appendChild(el('p', {role: 'status', text: M.profileThanks}));
      }
      if (!send) form.remove();
    }
    var none = {value: 'none', label: M.ratherNot, lang: LANG, pictogram: 'ui-none'};
    form.appendChild(el('h2', {text: M.profileTitle}));
    form.appendChild(sayRow(M.profileIntro));
    form.appendChild(act(M.profileSkip, 'ui-next', function () { finish(false); }, 'secondary'));
    group('age_band', 'ui-person', M.profileAge, ['0_17', '18_29', '30_49', '50_66', '67_up'].map(function (k) {
      return {value: k, label: M['age-' + k], lang: LANG};
    }).concat([none]));
    group('home_lang', 'ui-home', M.profileHome, Object.keys(LANGS).map(function (k) {
      return {value: k, label: LANGS[k], lang: k};
    }).concat([{value: 'other', label: M.otherLanguage, lang: LANG}, none]));
    group('school', 'school-higher', M.profileSchool, ['primary', 'vocational', 'secondary', 'higher'].map(function (k) {
      return {value: k, label: msg('school', k), lang: LANG, pictogram: 'school-' + k};
    }).concat([none]));
    group('first_time', 'ui-first', M.profileFirst, [{value: 'yes', label: M.yes, lang: LANG, pictogram: 'ui-yes'},
      {value: 'no', label: M.no, lang: LANG, pictogram: 'ui-no'}, none]);
    form.appendChild(act(M.profileSave, 'ui-check', function () {
      if (Object.keys(chosen).length) finish(true); else finish(false);
    }));
    return form;
  }
  function receipt() {
    fetch('/api/v1/receipt', {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'}, body: '{}'})
      .then(function (r) { return r.json(); })
      .then(function (b) {
        if (!b.code) return;
        show([wrap('receipt', [el('h1', {text: M.receiptTitle}), sayRow(M.receiptHint),
          el('div', {'class': 'receipt-slip'}, [el('p', {'class': 'receipt-code', dir: 'ltr', text: b.code}),
            el('img', {'class': 'qr', src: b.qr, alt: M.qrAlt, width: 180, height: 180}),
            el('p', {dir: 'ltr', text: b.url})]),
          act(M.print, 'ui-print', function () { window.print(); }, 'secondary'),
          act(M.done, 'ui-check', forget)])]);
      }, function () { tell(M.failed); });
  }
  function endScreen(msg) {
    ended = true;
    var kids = [pict('kind-feedback', 96), el('h1', {text: msg}), speaker(msg, LANG, M.readAloud),
      el('a', {'class': 'big', href: '/mine'}, [pict('ui-list', 32), el('span', {text: M.toMine})])];
    if (kiosk) kids.push(act(M.receiptGet, 'ui-receipt', receipt, 'secondary'));
    show([wrap('ended', kids)]);
  }

  /* ---------- the live connection ---------- */
  function onEvent(env) {
    var d = env.data || {};
    if (env.type === 'snapshot') {
      sess = d.session;
      (d.answered || []).forEach(function (id) { answered[id] = true; });
      wall = d.wall || [];
      feedback = d.feedback || feedback;
      render();
    } else if (env.type === 'state') {
      if (!sess) return;
      var was = sess.current, before = sess.state;
      if (d.session) sess = d.session;
      sess.state = d.state; sess.current = d.current;
      if (d.feedback) feedback = d.feedback;
      if (d.state === 'closed') { endScreen(M.ended); return; }
      if (!SELF && (was !== d.current || before !== d.state || d.session)) render();
      if (SELF && before !== d.state) render();
    } else if (env.type === 'wall') {
      // Answers that arrive together come in one message (items).
      (d.items || [d.item]).forEach(function (item) {
        wall = wall.filter(function (w) { return w.contribution_id !== item.contribution_id; });
        if (d.op === 'add') wall.push(item);
      });
    } else if (env.type === 'feedback') {
      // The municipality responded on a topic (#7): the feedback round
      // shows it at once; a resident whose own input it answers is told,
      // with the way to "my input". Another screen is not redrawn.
      feedback = feedback.filter(function (f) { return f.topic_id !== d.topic_id; });
      feedback.unshift(d);
      if (document.body.dataset.screen === 'prompt-feedback') render();
      if (d.mine && d.mine.length) showAnswered(d);
    } else if (env.type === 'moderation') {
      // Only the author's own connections get this: why their text is
      // changed, waits for a person, or is not shown (#6).
      showWhy(d.message, d.reasons || [], d.masked ? d.shown : '');
    }
  }

  /* ---------- why input is not shown as written (#6) ---------- */
  var whyBox = $('#mod-why');
  function showWhy(message, reasons, shown) {
    if (!whyBox || !message) return;
    var kids = [sayRow([message].concat(reasons.map(function (r) { return r.message; })).join(' '), LANG)];
    kids[0].firstChild.textContent = message;
    if (reasons.length) {
      kids.push(el('ul', {'class': 'mod-reasons'}, reasons.map(function (r) { return el('li', {text: r.message, 'data-code': r.code}); })));
    }
    if (shown) kids.push(el('p', {'class': 'mod-shown'}, [el('span', {text: M.modShown + ' '}), el('q', {text: shown, dir: 'auto'})]));
    kids.push(el('p', {}, [el('a', {href: '/moderation-policy', text: M.modPolicy})]));
    whyBox.replaceChildren.apply(whyBox, kids);
    whyBox.hidden = false;
    revealSpeakers();
    tell(message);
  }
  /* ---------- a response on the resident's own input (#7) ---------- */
  var answeredBox = $('#answered');
  function showAnswered(f) {
    if (!answeredBox) return;
    var text = pick(f.text);
    answeredBox.replaceChildren(
      el('p', {'class': 'response-head'}, [pict('status-' + f.status, 48), el('strong', {text: M.answered})]),
      el('p', {'class': 'say-row'}, [el('span', {lang: text.lang, dir: 'auto', text: text.text}), speaker(text.text, text.lang, M.readAloud)]),
      el('p', {}, [el('a', {href: '/mine'}, [pict('ui-list', 32), el('span', {text: M.toMine})])]));
    answeredBox.hidden = false;
    revealSpeakers();
    tell(M.answered);
  }
  function onStatus(s) {
    conn.textContent = s === 'live' ? M.live : s === 'ended' ? M.ended : s === 'denied' ? M.denied : s === 'connecting' ? M.connecting : M.reconnecting;
    if (s === 'ended') endScreen(M.ended);
    if (s === 'denied') endScreen(M.denied);
    if (s === 'live') queue().forEach(function (i) { if (i.session === SID && i.state === 'sending') transmit(i); });
    renderQueue();
  }
  live = window.buurtstemLive.connect({session: SID, lang: LANG, onEvent: onEvent, onStatus: onStatus});
  renderQueue();
  resumeMedia();
  // Answers queued on an earlier visit go out as soon as the connection is
  // live (onStatus); live.js keeps them pending across reconnects.
})();
