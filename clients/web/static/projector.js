/* buurtstem projector view: connects as a projector (read only, with the
   key of its link) and keeps the wall of the room up to date without
   reloading: the current prompt, the participant count and the live
   results. */
(function () {
  'use strict';

  var root = document.getElementById('projector');
  if (!root || !window.buurtstemLive || !window.buurtstemResults) return;
  var results = window.buurtstemResults(root);
  var promptIds = results.promptIds();
  var loadedState = root.dataset.state;
  var state = loadedState;
  var current = parseInt(root.dataset.current, 10);

  results.follow({role: 'projector', key: root.dataset.key, apply: apply});

  function apply(d) {
    state = d.state || state;
    current = typeof d.current === 'number' ? d.current : current;
    // A draft that opens gets its join code: the page is loaded again to
    // show it.
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
