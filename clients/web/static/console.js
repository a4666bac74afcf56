/* buurtstem intermediary console: runs a session live over the WebSocket
   as an intermediary (live.js). The buttons that move through the prompts
   are plain forms that work without this script; with it they send a
   control message instead, and the page follows the session without
   reloading: the participant count, the live results, incoming input with
   approve and reject, and answers entered for residents without a phone. */
(function () {
  'use strict';

  var root = document.getElementById('console');
  if (!root || !window.buurtstemLive || !window.buurtstemResults) return;
  var msg = root.dataset;
  var results = window.buurtstemResults(root);
  var promptIds = results.promptIds();
  var state = root.dataset.state;
  var current = parseInt(root.dataset.current, 10);

  var connEl = document.getElementById('conn');
  var stateEl = document.getElementById('state-label');
  var participantsEl = document.getElementById('participants');
  var controlsSection = document.getElementById('controls-section');
  var controls = document.getElementById('controls');
  var controlError = document.getElementById('control-error');
  var closedNotice = document.getElementById('closed-notice');
  var incoming = document.getElementById('incoming');
  var incomingEmpty = document.getElementById('incoming-empty');
  var template = document.getElementById('incoming-item');
  var assist = document.getElementById('assist');
  var assistForm = document.getElementById('assist-form');
  var assistPrompt = document.getElementById('assist-prompt');
  var assistStatus = document.getElementById('assist-status');
  var items = {}; // contribution id -> list item
  var MAX_ITEMS = 200;

  var live = window.buurtstemLive.connect({
    session: root.dataset.session,
    role: 'intermediary',
    lang: document.documentElement.lang,
    onEvent: onEvent,
    onStatus: onStatus
  });

  function onStatus(status) {
    var text = {connecting: msg.msgConnecting, live: msg.msgLive, reconnecting: msg.msgReconnecting,
      ended: msg.msgEnded, denied: msg.msgDenied}[status];
    if (connEl && text !== undefined) connEl.textContent = text;
    if (status === 'ended') applyState({state: 'closed', current: current});
  }

  function onEvent(env) {
    var d = env.data || {};
    switch (env.type) {
      case 'snapshot':
        applySession(d.session);
        setParticipants(d.participants);
        (d.results || []).forEach(results.setResults);
        results.setWall(d.wall);
        (d.pending || []).forEach(showContribution);
        break;
      case 'state':
        if (d.session) applySession(d.session);
        else applyState(d);
        break;
      case 'results':
        results.setResults(d);
        break;
      case 'presence':
        setParticipants(d.participants);
        break;
      case 'wall':
        results.wallOp(d);
        break;
      case 'contribution':
        showContribution(d);
        break;
      case 'error':
        showControlError(d.message);
        break;
    }
  }

  // applySession takes the session as the server sees it. The page shows
  // the prompts as they were when it loaded; if they changed (an edit on
  // the session page), the page is loaded again.
  function applySession(s) {
    if (!s) return;
    var ids = (s.prompts || []).map(function (p) { return p.id; });
    if (ids.join(' ') !== promptIds.join(' ')) {
      window.location.reload();
      return;
    }
    applyState(s);
  }

  function applyState(d) {
    state = d.state || state;
    current = typeof d.current === 'number' ? d.current : current;
    if (stateEl && stateEl.dataset['label' + cap(state)]) stateEl.textContent = stateEl.dataset['label' + cap(state)];
    var closed = state === 'closed';
    var pid = current >= 0 ? promptIds[current] : '';
    results.show(state, pid);
    if (closedNotice) closedNotice.hidden = !closed;
    if (controlsSection) controlsSection.hidden = closed;
    if (assist) assist.hidden = closed;
    if (controls) {
      controls.querySelector('[data-control="start"]').hidden = current >= 0;
      controls.querySelector('[data-control="prev"]').hidden = current < 0;
      controls.querySelector('[data-control="next"]').hidden = current < 0;
    }
    Array.prototype.forEach.call(document.querySelectorAll('#prompt-list > li'), function (li) {
      var on = parseInt(li.dataset.index, 10) === current;
      li.classList.toggle('current', on);
      if (on) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    });
    if (assistPrompt && !assistPrompt.dataset.touched && pid) {
      for (var i = 0; i < assistPrompt.options.length; i++) {
        if (assistPrompt.options[i].value === pid) {
          assistPrompt.selectedIndex = i;
          showAssistFields();
        }
      }
    }
  }

  function cap(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : ''; }

  function setParticipants(n) {
    if (participantsEl && typeof n === 'number') participantsEl.textContent = results.format(n);
  }

  function showControlError(text) {
    if (!controlError) return;
    controlError.textContent = text || '';
    controlError.hidden = !text;
  }

  // The buttons: with a live connection they send a control message; when
  // the connection is down the form is posted as without JavaScript.
  function control(data, form) {
    if (!live.connected()) return false;
    showControlError('');
    var buttons = form.querySelectorAll('button');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    live.request('control', data).then(function () {}, function (err) {
      showControlError(err.message || msg.msgReconnecting);
    }).then(function () {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
    });
    return true;
  }

  var lastSubmitter = null;
  if (controls) {
    controls.addEventListener('click', function (e) {
      var b = e.target.closest('button');
      if (b) lastSubmitter = b;
    });
    controls.addEventListener('submit', function (e) {
      var b = e.submitter || lastSubmitter;
      var action = b ? b.value : '';
      var data = action === 'start' ? {action: 'goto', index: 0} : {action: action};
      if (action && control(data, controls)) e.preventDefault();
    });
  }
  var closeForm = document.getElementById('close-form');
  if (closeForm) {
    closeForm.addEventListener('submit', function (e) {
      if (control({action: 'close'}, closeForm)) e.preventDefault();
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('form[data-goto]'), function (f) {
    f.addEventListener('submit', function (e) {
      if (control({action: 'goto', index: parseInt(f.dataset.goto, 10)}, f)) e.preventDefault();
    });
  });

  // Incoming input, newest first.
  function showContribution(d) {
    if (!incoming || !template || !d.contribution_id) return;
    var li = items[d.contribution_id];
    if (!li) {
      li = template.content.firstElementChild.cloneNode(true);
      items[d.contribution_id] = li;
      li.dataset.id = d.contribution_id;
      incoming.insertBefore(li, incoming.firstChild);
      while (incoming.children.length > MAX_ITEMS) {
        var last = incoming.lastElementChild;
        delete items[last.dataset.id];
        incoming.removeChild(last);
      }
    }
    if (incomingEmpty) incomingEmpty.hidden = true;
    var t = li.querySelector('[data-time]');
    var when = d.created_at ? new Date(d.created_at) : new Date();
    t.dateTime = when.toISOString();
    t.textContent = when.toLocaleTimeString(document.documentElement.lang, {hour: '2-digit', minute: '2-digit'});
    li.querySelector('[data-prompt-n]').textContent = results.promptTitle(d.prompt_id).slice(0, 60);
    li.querySelector('[data-assisted]').hidden = !d.assisted;
    // Moderation concerns written input: it is what reaches the wall.
    var written = !!(d.answer && d.answer.text);
    var mod = li.querySelector('[data-mod]');
    mod.textContent = msg['msg' + cap(d.moderation)] || '';
    mod.hidden = !written;
    li.classList.toggle('pending', d.moderation === 'pending');
    renderAnswer(li.querySelector('[data-answer]'), d);
    // Intermediaries get input as contribution events, not as wall
    // events: the console keeps its wall from them.
    if (written) {
      results.wallOp({op: d.moderation === 'approved' ? 'add' : 'remove',
        item: {contribution_id: d.contribution_id, prompt_id: d.prompt_id, text: d.answer.text, lang: d.lang}});
    }
    var decisions = li.querySelector('[data-decisions]');
    decisions.hidden = !written;
    decisions.querySelector('[data-decision="approve"]').hidden = d.moderation === 'approved';
    decisions.querySelector('[data-decision="reject"]').hidden = d.moderation === 'rejected';
  }

  function renderAnswer(el, d) {
    var a = d.answer || {};
    el.replaceChildren();
    el.removeAttribute('lang');
    el.dir = 'auto';
    function choice(key) {
      var l = results.label(d.prompt_id, key);
      var span = document.createElement('span');
      if (l && l.src) {
        var img = document.createElement('img');
        img.src = l.src;
        img.alt = '';
        img.width = 32;
        img.height = 32;
        span.appendChild(img);
        span.appendChild(document.createTextNode(' '));
      }
      var text = document.createElement('span');
      text.textContent = l ? l.text : String(key);
      if (l && l.lang) text.lang = l.lang;
      span.appendChild(text);
      return span;
    }
    if (a.face) {
      el.appendChild(choice(String(a.face)));
    } else if (a.options && a.options.length) {
      a.options.forEach(function (o, i) {
        if (i) el.appendChild(document.createTextNode(' · '));
        el.appendChild(choice(o));
      });
    } else if (a.text) {
      if (d.lang) el.lang = d.lang;
      el.textContent = a.text;
    } else if (a.dots) {
      Object.keys(a.dots).forEach(function (cid, i) {
        if (i) el.appendChild(document.createTextNode(' · '));
        el.appendChild(document.createTextNode((results.wallText(cid) || '…') + ' ● ' + results.format(a.dots[cid])));
      });
    }
  }

  if (incoming) {
    incoming.addEventListener('click', function (e) {
      var b = e.target.closest('button[data-decision]');
      if (!b) return;
      var li = b.closest('li');
      b.disabled = true;
      live.request('moderate', {contribution_id: li.dataset.id, decision: b.dataset.decision}).then(function () {}, function (err) {
        showControlError(err.message || msg.msgReconnecting);
      }).then(function () { b.disabled = false; });
    });
  }

  // Answers for residents without a phone. Each gets its own id, which is
  // kept until the server acknowledges it: after a lost connection it is
  // sent again and stored once.
  function showAssistFields() {
    Array.prototype.forEach.call(assistForm.querySelectorAll('[data-for]'), function (fs) {
      fs.hidden = fs.dataset.for !== assistPrompt.value;
      Array.prototype.forEach.call(fs.querySelectorAll('input, textarea'), function (i) { i.disabled = fs.hidden; });
    });
  }

  if (assist && assistForm && assistPrompt && assistPrompt.options.length) {
    assist.hidden = state === 'closed';
    showAssistFields();
    assistPrompt.addEventListener('change', function () {
      assistPrompt.dataset.touched = '1';
      showAssistFields();
    });
    assistForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var opt = assistPrompt.options[assistPrompt.selectedIndex];
      var fs = assistForm.querySelector('[data-for="' + opt.value + '"]');
      var answer = {};
      var kind = opt.dataset.kind;
      if (kind === 'open') {
        answer.text = fs.querySelector('textarea').value;
      } else {
        var picked = Array.prototype.map.call(fs.querySelectorAll('input:checked'), function (i) { return i.value; });
        if (kind === 'faces') answer.face = parseInt(picked[0] || '0', 10);
        else answer.options = picked;
      }
      var button = assistForm.querySelector('button[type="submit"]');
      button.disabled = true;
      assistStatus.textContent = live.connected() ? '' : msg.msgReconnecting;
      live.request('assist', {prompt_id: opt.value, answer: answer, lang: document.documentElement.lang}, {resend: true})
        .then(function () {
          assistStatus.textContent = msg.msgSent;
          Array.prototype.forEach.call(fs.querySelectorAll('input'), function (i) { i.checked = false; });
          var ta = fs.querySelector('textarea');
          if (ta) ta.value = '';
        }, function (err) {
          assistStatus.textContent = err.message || msg.msgReconnecting;
        }).then(function () { button.disabled = false; });
    });
  }

  applyState({state: state, current: current});
})();
