/* buurtstem projector view: connects as a projector (read only, with the
   key of its link) and keeps the wall of the room up to date without
   reloading: the current prompt, the participant count and the live
   results. */
(function () {
  'use strict';

  var root = document.getElementById('projector');
  if (!root || !window.buurtstemLive || !window.buurtstemResults) return;
  var msg = root.dataset;
  var results = window.buurtstemResults(root);
  var promptIds = results.promptIds();
  var loadedState = root.dataset.state;
  var state = loadedState;
  var current = parseInt(root.dataset.current, 10);
  var connEl = document.getElementById('conn');
  var participantsEl = document.getElementById('participants');

  window.buurtstemLive.connect({
    session: root.dataset.session,
    role: 'projector',
    key: root.dataset.key,
    lang: document.documentElement.lang,
    onStatus: function (status) {
      var text = {connecting: msg.msgConnecting, live: msg.msgLive, reconnecting: msg.msgReconnecting,
        ended: msg.msgEnded, denied: msg.msgDenied}[status];
      if (connEl && text !== undefined) connEl.textContent = text;
      if (status === 'ended') apply({state: 'closed', current: current});
    },
    onEvent: function (env) {
      var d = env.data || {};
      switch (env.type) {
        case 'snapshot':
          applySession(d.session);
          setParticipants(d.participants);
          (d.results || []).forEach(results.setResults);
          results.setWall(d.wall);
          break;
        case 'state':
          if (d.session) applySession(d.session);
          else apply(d);
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
      }
    }
  });

  function setParticipants(n) {
    if (participantsEl && typeof n === 'number') participantsEl.textContent = results.format(n);
  }

  // The page holds the prompts and the join code as they were when it
  // loaded: after an edit, or when a draft opens and gets its code, it is
  // loaded again.
  function applySession(s) {
    if (!s) return;
    var ids = (s.prompts || []).map(function (p) { return p.id; });
    if (ids.join(' ') !== promptIds.join(' ')) {
      window.location.reload();
      return;
    }
    apply(s);
  }

  function apply(d) {
    state = d.state || state;
    current = typeof d.current === 'number' ? d.current : current;
    if (loadedState === 'draft' && (state === 'open' || state === 'running')) {
      window.location.reload();
      return;
    }
    results.show(state, current >= 0 ? promptIds[current] : '');
    // A closed session's code no longer works: do not show it.
    var join = root.querySelector('[data-join]');
    if (join) join.hidden = state === 'closed';
  }

  apply({state: state, current: current});
})();
