/* buurtstem live results, shared by the console and the projector: the
   bars of faces, themes and picture choices, the wall of approved written
   answers and the ranking of priority dots. The server renders every
   prompt's section with its translated labels and pictograms; this script
   only fills in numbers and the wall, and shows the current prompt. Its
   follow() runs the live connection both pages share.
   Bars are SVG rects whose width attribute is set (no inline styles). */
(function () {
  'use strict';

  var MAX_WALL = 40;

  function results(root) {
    var lang = document.documentElement.lang || 'nl';
    var number;
    try {
      number = new Intl.NumberFormat(lang + '-u-nu-latn');
    } catch (e) {
      number = new Intl.NumberFormat();
    }
    var sections = {};
    var order = []; // prompt ids as the page shows them
    Array.prototype.forEach.call(root.querySelectorAll('.result[data-prompt]'), function (el) {
      sections[el.dataset.prompt] = el;
      order.push(el.dataset.prompt);
    });
    var tallies = {};
    var wall = []; // approved written answers, oldest first

    function draw(pid) {
      var el = sections[pid];
      if (!el) return;
      var r = tallies[pid] || {answered: 0, counts: {}};
      var counts = r.counts || {};
      var answered = el.querySelector('[data-answered]');
      if (answered) answered.textContent = number.format(r.answered || 0);
      // A bar is the share of the people who answered: with several themes
      // a person may count in more than one bar.
      var base = Math.max(1, r.answered || 0);
      Array.prototype.forEach.call(el.querySelectorAll('[data-bars] > li'), function (li) {
        var n = counts[li.dataset.key] || 0;
        li.querySelector('[data-count]').textContent = number.format(n);
        li.querySelector('.bar-fill').setAttribute('width', String(Math.min(100, Math.round(n * 1000 / base) / 10)));
        li.dataset.n = String(n);
      });
      var w = el.querySelector('[data-wall]');
      if (w) drawWall(w, pid);
      var rk = el.querySelector('[data-ranking]');
      if (rk) drawRanking(rk, counts);
    }

    function item(text, itemLang) {
      var li = document.createElement('li');
      if (itemLang) li.lang = itemLang;
      li.dir = 'auto';
      li.textContent = text;
      return li;
    }

    // wallItem draws a wall item: how many said the same (merged
    // duplicates) and whether it is highlighted.
    function wallItem(w) {
      var li = item(w.text, w.lang);
      if (w.merged) {
        var n = document.createElement('span');
        n.className = 'merged';
        n.dir = 'ltr';
        n.textContent = ' +' + number.format(w.merged);
        li.appendChild(n);
      }
      if (w.highlighted) li.className = 'highlighted';
      return li;
    }

    function drawWall(list, pid) {
      var items = wall.filter(function (w) { return w.prompt_id === pid; }).slice(-MAX_WALL).reverse();
      list.replaceChildren.apply(list, items.map(wallItem));
    }

    // The highlighted item, shown large where the page has a place for it.
    function drawHighlight() {
      var h = null;
      wall.forEach(function (w) { if (w.highlighted) h = w; });
      Array.prototype.forEach.call(root.querySelectorAll('[data-highlight]'), function (el) {
        el.hidden = !h;
        var t = el.querySelector('[data-highlight-text]');
        if (t) {
          t.textContent = h ? h.text : '';
          if (h && h.lang) t.lang = h.lang;
          else t.removeAttribute('lang');
        }
      });
    }

    // The ranking: the wall's items by the dots they received, most first.
    function drawRanking(list, counts) {
      var items = wall.filter(function (w) { return (counts[w.contribution_id] || 0) > 0; });
      items.sort(function (a, b) { return counts[b.contribution_id] - counts[a.contribution_id]; });
      list.replaceChildren.apply(list, items.slice(0, 15).map(function (w) {
        var li = item(w.text, w.lang);
        var n = document.createElement('span');
        n.className = 'dots';
        n.dir = 'ltr';
        n.textContent = '● ' + number.format(counts[w.contribution_id]);
        li.appendChild(n);
        return li;
      }));
    }

    function drawAll() {
      order.forEach(draw);
      drawHighlight();
    }

    // put adds an item, or replaces it where it is; an item that arrives
    // highlighted ends the highlight of every other.
    function put(it) {
      if (it.highlighted) wall.forEach(function (w) { w.highlighted = false; });
      for (var i = 0; i < wall.length; i++) {
        if (wall[i].contribution_id === it.contribution_id) {
          wall[i] = it;
          return;
        }
      }
      wall.push(it);
    }

    // follow connects to the session live (live.js) as opts.role (with
    // opts.key for the projector) and keeps what the console and the
    // projector share up to date: the connection status, the participant
    // count, the results and the wall. A state change goes to opts.apply;
    // a session whose prompts differ from the page's reloads the page,
    // which shows the prompts as they were when it loaded. Every event
    // goes on to opts.onEvent for what only that page shows. Returns the
    // connection.
    function follow(opts) {
      var msg = root.dataset;
      var connEl = document.getElementById('conn');
      var participantsEl = document.getElementById('participants');

      function setParticipants(n) {
        if (participantsEl && typeof n === 'number') participantsEl.textContent = number.format(n);
      }

      function applySession(s) {
        if (!s) return;
        var ids = (s.prompts || []).map(function (p) { return p.id; });
        if (ids.join(' ') !== order.join(' ')) {
          window.location.reload();
          return;
        }
        opts.apply(s);
      }

      return window.buurtstemLive.connect({
        session: root.dataset.session,
        role: opts.role,
        key: opts.key,
        lang: document.documentElement.lang,
        onStatus: function (status) {
          var text = {connecting: msg.msgConnecting, live: msg.msgLive, reconnecting: msg.msgReconnecting,
            ended: msg.msgEnded, denied: msg.msgDenied}[status];
          if (connEl && text !== undefined) connEl.textContent = text;
          if (status === 'ended') opts.apply({state: 'closed'});
        },
        onEvent: function (env) {
          var d = env.data || {};
          switch (env.type) {
            case 'snapshot':
              applySession(d.session);
              setParticipants(d.participants);
              (d.results || []).forEach(api.setResults);
              api.setWall(d.wall);
              break;
            case 'state':
              if (d.session) applySession(d.session);
              else opts.apply(d);
              break;
            case 'results':
              api.setResults(d);
              break;
            case 'presence':
              setParticipants(d.participants);
              break;
            case 'wall':
              api.wallOp(d);
              break;
          }
          if (opts.onEvent) opts.onEvent(env);
        }
      });
    }

    var api = {
      follow: follow,
      setResults: function (r) {
        if (!r || !r.prompt_id) return;
        tallies[r.prompt_id] = r;
        draw(r.prompt_id);
      },
      setWall: function (items) {
        wall = (items || []).slice();
        drawAll();
      },
      wallOp: function (d) {
        if (!d || !d.item) return;
        // Answers that arrive together come in one message (items).
        (d.items || [d.item]).forEach(function (item) {
          if (d.op === 'add') put(item);
          else wall = wall.filter(function (w) { return w.contribution_id !== item.contribution_id; });
        });
        if (d.into) put(d.into);
        drawAll();
      },
      // show makes the current prompt's section visible, or the waiting
      // screen before the first prompt, or the end screen.
      show: function (state, promptId) {
        var closed = state === 'closed';
        order.forEach(function (pid) {
          sections[pid].hidden = closed || pid !== promptId;
        });
        Array.prototype.forEach.call(root.querySelectorAll('[data-waiting]'), function (el) {
          el.hidden = closed || !!(promptId && sections[promptId]);
        });
        Array.prototype.forEach.call(root.querySelectorAll('[data-closed]'), function (el) {
          el.hidden = !closed;
        });
      },
      // label returns the translated label and pictogram of a bar: a face,
      // a theme or a picture option of a prompt.
      label: function (pid, key) {
        var el = sections[pid];
        if (!el) return null;
        var li = el.querySelector('[data-bars] > li[data-key="' + String(key).replace(/["\\]/g, '') + '"]');
        if (!li) return null;
        var span = li.querySelector('.bar-label');
        var img = li.querySelector('img');
        return {text: span.textContent, lang: span.lang, src: img ? img.getAttribute('src') : ''};
      },
      wallText: function (cid) {
        for (var i = 0; i < wall.length; i++) if (wall[i].contribution_id === cid) return wall[i].text;
        return '';
      },
      promptTitle: function (pid) {
        var el = sections[pid];
        var h = el && el.querySelector('h1, h3');
        return h ? h.textContent : '';
      },
      promptIds: function () { return order.slice(); },
      format: function (n) { return number.format(n); }
    };
    return api;
  }

  window.buurtstemResults = results;
})();
