/* buurtstem intermediary console: runs a session live over the WebSocket
   as an intermediary (live.js). The buttons that move through the prompts
   are plain forms that work without this script; with it they send a
   control message instead, and the page follows the session without
   reloading: the participant count, the live results, the moderation
   queue (approve, hide with a reason, escalate, tag a theme, merge a
   duplicate, highlight on the projector, undo; keyboard shortcuts listed
   on the page), and answers entered for residents without a phone. */
(function () {
  'use strict';

  var root = document.getElementById('console');
  if (!root || !window.buurtstemLive || !window.buurtstemResults) return;
  var msg = root.dataset;
  var results = window.buurtstemResults(root);
  var promptIds = results.promptIds();
  var state = root.dataset.state;
  var current = parseInt(root.dataset.current, 10);

  var stateEl = document.getElementById('state-label');
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
  var data = {}; // contribution id -> its latest contribution event
  var MAX_ITEMS = 200;
  var labels = {}; // reason code, "hide.<reason>" or "theme.<id>" -> label
  var labelTpl = document.getElementById('reason-labels');
  if (labelTpl) {
    Array.prototype.forEach.call(labelTpl.content.querySelectorAll('[data-code]'), function (el) {
      labels[el.dataset.code] = el.textContent;
    });
  }

  var live = results.follow({role: 'intermediary', apply: applyState, onEvent: onEvent});

  // onEvent handles what only the console shows; results.follow has
  // handled the rest.
  function onEvent(env) {
    var d = env.data || {};
    switch (env.type) {
      case 'snapshot':
        (d.pending || []).forEach(showContribution);
        break;
      case 'contribution':
        showContribution(d);
        break;
      case 'wall':
        // The console's wall comes from contribution events; a wall
        // message reaches intermediaries only when an author deleted an
        // answer, which then leaves the incoming list too.
        if (d.op === 'remove' && d.item && items[d.item.contribution_id]) {
          var gone = items[d.item.contribution_id];
          gone.parentNode.removeChild(gone);
          delete items[d.item.contribution_id];
          delete data[d.item.contribution_id];
        }
        break;
      case 'error':
        showControlError(d.message);
        break;
    }
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
        delete data[last.dataset.id];
        incoming.removeChild(last);
      }
    }
    // A decision event does not repeat who may undo: keep the last one.
    var prev = data[d.contribution_id];
    if (!d.log_id && prev && prev.log_id) {
      d.log_id = prev.log_id;
      d.by = prev.by;
    }
    data[d.contribution_id] = d;
    if (d.highlighted) {
      Object.keys(data).forEach(function (id) {
        if (id !== d.contribution_id && data[id].highlighted) {
          data[id].highlighted = false;
          showContribution(data[id]);
        }
      });
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
    li.classList.toggle('pending', d.moderation === 'pending' || d.moderation === 'held' || d.moderation === 'escalated');
    li.classList.toggle('held', d.moderation === 'held');
    renderAnswer(li.querySelector('[data-answer]'), d);
    var theme = li.querySelector('[data-theme]');
    theme.textContent = d.theme ? (labels['theme.' + d.theme] || d.theme) : '';
    theme.hidden = !d.theme;
    li.querySelector('[data-highlighted]').hidden = !d.highlighted;
    var red = li.querySelector('[data-redacted]');
    red.hidden = !d.redacted;
    var redText = li.querySelector('[data-redacted-text]');
    redText.textContent = d.redacted || '';
    if (d.lang) redText.lang = d.lang;
    var reasons = li.querySelector('[data-reasons]');
    var codes = (d.hide_reason ? ['hide.' + d.hide_reason] : []).concat(d.reasons || []);
    reasons.replaceChildren.apply(reasons, codes.map(function (c) {
      var r = document.createElement('li');
      r.textContent = labels[c] || c;
      r.dataset.code = c;
      return r;
    }));
    reasons.hidden = !codes.length;
    li.querySelector('[data-merged]').hidden = !d.duplicate_of;
    var by = li.querySelector('[data-by]');
    by.textContent = d.by ? (msg.msgBy || '%s').replace('%s', d.by) : '';
    by.hidden = !d.by;
    // Intermediaries get input as contribution events, not as wall
    // events: the console keeps its wall from them, showing what the room
    // sees.
    if (written) {
      var on = d.moderation === 'approved' && !d.duplicate_of;
      results.wallOp({op: on ? 'add' : 'remove',
        item: {contribution_id: d.contribution_id, prompt_id: d.prompt_id, text: d.redacted || d.answer.text, lang: d.lang,
          theme: d.theme, highlighted: d.highlighted}});
    }
    var decisions = li.querySelector('[data-decisions]');
    decisions.hidden = !written;
    var onWall = d.moderation === 'approved' && !d.duplicate_of;
    decisions.querySelector('[data-decision="approve"]').hidden = d.moderation === 'approved';
    decisions.querySelector('[data-decision="escalate"]').hidden = d.moderation === 'escalated';
    decisions.querySelector('[data-decision="highlight"]').hidden = !onWall || !!d.highlighted;
    decisions.querySelector('[data-decision="unhighlight"]').hidden = !d.highlighted;
    decisions.querySelector('[data-decision="undo"]').hidden = !d.log_id;
    var themeSel = decisions.querySelector('[data-field="theme"]');
    if (document.activeElement !== themeSel) themeSel.value = d.theme || '';
    fillMerge(li, d);
  }

  // The merge list offers the wall's other items of the same prompt, the
  // similar ones first (the server found them near-identical).
  function fillMerge(li, d) {
    var sel = li.querySelector('[data-field="into"]');
    if (document.activeElement === sel) return;
    var keep = sel.options[0];
    var opts = [keep];
    var similar = d.similar || [];
    var ids = Object.keys(data).filter(function (id) {
      var o = data[id];
      return id !== d.contribution_id && o.prompt_id === d.prompt_id && o.answer && o.answer.text && !o.duplicate_of;
    });
    ids.sort(function (a, b) { return (similar.indexOf(b) >= 0) - (similar.indexOf(a) >= 0); });
    ids.slice(0, 30).forEach(function (id) {
      var o = document.createElement('option');
      o.value = id;
      o.textContent = (similar.indexOf(id) >= 0 ? '≈ ' : '') + (data[id].redacted || data[id].answer.text).slice(0, 60);
      opts.push(o);
    });
    sel.replaceChildren.apply(sel, opts);
    sel.value = d.duplicate_of || (similar.filter(function (id) { return data[id]; })[0] || '');
    li.querySelector('[data-decision="merge"]').hidden = !d.duplicate_of && opts.length < 2;
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

  // decide sends one decision about an item; the buttons work by click and
  // by the shortcut keys listed on the page.
  function decide(li, decision) {
    var d = data[li.dataset.id];
    if (!d) return;
    var req = {contribution_id: li.dataset.id, decision: decision};
    if (decision === 'hide') {
      req.reason = li.querySelector('[data-field="reason"]').value;
      req.note = li.querySelector('[data-field="note"]').value;
    } else if (decision === 'theme') {
      req.theme = li.querySelector('[data-field="theme"]').value;
    } else if (decision === 'merge') {
      req.into = li.querySelector('[data-field="into"]').value;
    } else if (decision === 'undo') {
      if (!d.log_id) return;
      req.log_id = d.log_id;
    }
    var b = li.querySelector('[data-decision="' + decision + '"]');
    if (b) b.disabled = true;
    live.request('moderate', req).then(function (env) {
      var a = (env && env.data) || {};
      if (decision === 'undo' && data[li.dataset.id]) {
        // An undo is undone by nothing but a new decision.
        data[li.dataset.id].log_id = '';
        showContribution(data[li.dataset.id]);
      } else if (a.log_id && data[li.dataset.id]) {
        data[li.dataset.id].log_id = a.log_id;
      }
      if (decision === 'hide') li.querySelector('[data-field="note"]').value = '';
    }, function (err) {
      showControlError(err.message || msg.msgReconnecting);
    }).then(function () { if (b) b.disabled = false; });
  }

  if (incoming) {
    incoming.addEventListener('click', function (e) {
      var b = e.target.closest('button[data-decision]');
      if (!b) return;
      decide(b.closest('li'), b.dataset.decision);
    });
    incoming.addEventListener('change', function (e) {
      if (e.target.matches('[data-field="theme"]')) decide(e.target.closest('li'), 'theme');
    });
    incoming.addEventListener('focusin', function (e) {
      var li = e.target.closest('li.contribution');
      if (li) select(li);
    });
  }

  var selected = null;
  function select(li) {
    if (selected && selected !== li) selected.classList.remove('selected');
    selected = li;
    if (li) li.classList.add('selected');
  }
  function move(step) {
    var list = Array.prototype.slice.call(incoming.children);
    if (!list.length) return;
    var i = list.indexOf(selected);
    var next = list[Math.max(0, Math.min(list.length - 1, i < 0 ? 0 : i + step))];
    select(next);
    next.focus();
  }

  // Shortcuts: J/K move, A approve, H hide, E escalate, T theme, M merge,
  // P highlight (again: end it), U undo. Not while typing in a field.
  document.addEventListener('keydown', function (e) {
    if (!incoming || e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      if (e.key === 'Escape' && selected) selected.focus();
      return;
    }
    var k = (e.key || '').toLowerCase();
    if (k === 'j' || k === 'arrowdown' && selected) { move(1); e.preventDefault(); return; }
    if (k === 'k' || k === 'arrowup' && selected) { move(-1); e.preventDefault(); return; }
    if (!selected || !incoming.contains(selected)) return;
    var d = data[selected.dataset.id];
    if (!d || !d.answer || !d.answer.text) return;
    var decision = {a: 'approve', h: 'hide', e: 'escalate', m: 'merge', u: 'undo'}[k];
    if (k === 'p') decision = d.highlighted ? 'unhighlight' : 'highlight';
    if (k === 't') {
      selected.querySelector('[data-field="theme"]').focus();
      e.preventDefault();
      return;
    }
    if (!decision) return;
    e.preventDefault();
    decide(selected, decision);
  });

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
      // The code of the resident's printed slip, if any: the answer then
      // shows on /r/{code}. It stays filled for the same resident's next
      // answer.
      var data = {prompt_id: opt.value, answer: answer, lang: document.documentElement.lang};
      var receipt = document.getElementById('assist-receipt');
      if (receipt && receipt.value.trim()) data.receipt = receipt.value.trim();
      live.request('assist', data, {resend: true})
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
