/* buurtstem live connection for the console and the projector: protocol 1,
   described in server/live/protocol/PROTOCOL.md.
   - says hello {protocol: 1}, and on a reconnect resumes with the epoch and
     the last seq it saw (the server replays what was missed or sends a
     snapshot);
   - reconnects after a lost connection with exponential backoff and full
     jitter (0.5 s doubling to 30 s), never after a terminal close code
     (4500–4999, 1000, 1003, 4505);
   - pings every 25 s and reconnects when no pong comes within 10 s, so a
     half-open connection on bad community-centre wifi does not hang;
   - pairs requests with their ack or error by a random id; requests made
     with {resend: true} (an assisted answer) are sent again with the same id
     after a reconnect, which the server acknowledges without a second write.
   No dependencies, no build step. */
(function () {
  'use strict';

  var PROTOCOL = 1;
  var BACKOFF_BASE = 500, BACKOFF_MAX = 30000;
  var PING_EVERY = 25000, PONG_WITHIN = 10000, REQUEST_TIMEOUT = 15000, ACK_WITHIN = 8000;

  function randomId(prefix) {
    var b = new Uint8Array(12);
    window.crypto.getRandomValues(b);
    var s = prefix;
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s; // matches ^[A-Za-z0-9_-]{1,64}$
  }

  // terminal tells whether a close code means "do not reconnect".
  function terminal(code) {
    return code === 1000 || code === 1003 || code === 4505 || (code >= 4500 && code <= 4999 && code !== 4506);
  }

  // connect opens the connection. opts: session, role, key (projector),
  // lang, onEvent(envelope), onStatus(status, closeCode) with status one of
  // connecting, live, reconnecting, ended (4501), denied (another terminal
  // code). It returns {request, connected, stop}.
  function connect(opts) {
    var ws = null, epoch = '', lastSeq = 0, attempt = 0, stopped = false, open = false;
    var retryTimer = null, pingTimer = null, pongTimer = null;
    var waiting = {}; // id -> {resolve, reject, env, resend, timer}

    // status reports the connection's state to the page, and on <body
    // data-live> for styles and the browser tests.
    function status(s, code) {
      document.body.setAttribute('data-live', s);
      opts.onStatus(s, code);
    }

    function url() {
      var u = new URL('/live/' + encodeURIComponent(opts.session) + '/ws', window.location.href);
      u.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      u.search = '';
      if (opts.role) u.searchParams.set('role', opts.role);
      if (opts.key) u.searchParams.set('key', opts.key);
      return u.toString();
    }

    function send(env) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(env));
      return true;
    }

    function dial() {
      if (stopped) return;
      status(attempt === 0 ? 'connecting' : 'reconnecting');
      try {
        ws = new WebSocket(url());
      } catch (e) {
        schedule();
        return;
      }
      ws.onopen = function () {
        var hello = {protocol: PROTOCOL, lang: opts.lang || ''};
        if (epoch) {
          hello.epoch = epoch;
          hello.last_seq = lastSeq;
        }
        send({type: 'hello', data: hello});
      };
      ws.onmessage = function (ev) {
        var env;
        try {
          env = JSON.parse(ev.data);
        } catch (e) {
          return;
        }
        if (env && typeof env.type === 'string') handle(env);
      };
      ws.onclose = function (ev) {
        open = false;
        clearInterval(pingTimer);
        clearTimeout(pongTimer);
        failPending();
        if (stopped) return;
        if (terminal(ev.code)) {
          stopped = true;
          status(ev.code === 4501 ? 'ended' : 'denied', ev.code);
          return;
        }
        schedule();
      };
      ws.onerror = function () { /* onclose follows */ };
    }

    function schedule() {
      var delay = Math.min(BACKOFF_MAX, BACKOFF_BASE * Math.pow(2, attempt));
      attempt++;
      status('reconnecting');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(dial, delay / 2 + Math.random() * delay / 2);
    }

    function handle(env) {
      if (env.type === 'welcome') {
        var d = env.data || {};
        if (d.epoch !== epoch) lastSeq = 0;
        epoch = d.epoch || '';
        attempt = 0;
        open = true;
        status('live');
        startPing();
        resendPending();
        return;
      }
      if (env.seq && env.seq > lastSeq) lastSeq = env.seq;
      if (env.type === 'pong') {
        clearTimeout(pongTimer);
      }
      if (env.id && waiting[env.id] && (env.type === 'ack' || env.type === 'error' || env.type === 'pong')) {
        var w = waiting[env.id];
        delete waiting[env.id];
        clearTimeout(w.timer);
        if (env.type === 'error') w.reject(env.data || {});
        else w.resolve(env.data || {});
        return;
      }
      if (env.type === 'pong') return;
      opts.onEvent(env);
    }

    function startPing() {
      clearInterval(pingTimer);
      pingTimer = setInterval(function () {
        if (!send({type: 'ping', id: randomId('p-'), data: {}})) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(function () {
          if (ws) ws.close(4000, 'no pong'); // reconnect
        }, PONG_WITHIN);
      }, PING_EVERY);
    }

    // failPending rejects what cannot survive a lost connection; requests
    // marked resend wait for the next welcome.
    function failPending() {
      Object.keys(waiting).forEach(function (id) {
        var w = waiting[id];
        if (w.resend) return;
        delete waiting[id];
        clearTimeout(w.timer);
        w.reject({code: 'disconnected', message: ''});
      });
    }

    function resendPending() {
      Object.keys(waiting).forEach(function (id) {
        if (waiting[id].resend) {
          send(waiting[id].env);
          watchAck(id);
        }
      });
    }

    // watchAck closes a connection that swallows a resent request (a
    // half-open socket on bad wifi): the reconnect sends it again.
    function watchAck(id) {
      var sock = ws;
      setTimeout(function () {
        if (waiting[id] && ws === sock && open) ws.close(4000, 'no ack');
      }, ACK_WITHIN);
    }

    // request sends a message and resolves with the ack's data, or rejects
    // with the error's data ({code, message, field}). o.id sets the id (a
    // resident's queued answer keeps its id across page loads); o.resend
    // keeps it pending over reconnects. A resent request that is not
    // acknowledged within ACK_WITHIN means a dead connection: reconnect.
    function request(type, data, o) {
      o = o || {};
      return new Promise(function (resolve, reject) {
        var id = o.id || randomId(type.charAt(0) + '-');
        var env = {type: type, id: id, data: data};
        var w = {resolve: resolve, reject: reject, env: env, resend: !!o.resend};
        if (!open && !w.resend) {
          reject({code: 'disconnected', message: ''});
          return;
        }
        waiting[id] = w;
        if (open) {
          send(env);
          if (w.resend) watchAck(id);
        }
        if (!w.resend) {
          w.timer = setTimeout(function () {
            if (waiting[id]) {
              delete waiting[id];
              reject({code: 'timeout', message: ''});
            }
          }, REQUEST_TIMEOUT);
        }
      });
    }

    window.addEventListener('online', function () {
      if (!open && !stopped) {
        attempt = 0;
        clearTimeout(retryTimer);
        if (!ws || ws.readyState === WebSocket.CLOSED) dial();
      }
    });
    // The device says the network is gone: do not wait for the ping.
    window.addEventListener('offline', function () {
      if (ws && open) ws.close(4000, 'offline');
    });
    window.addEventListener('pagehide', function () {
      stopped = true;
      if (ws) ws.close(1000, 'page closed');
    });

    dial();
    return {
      request: request,
      connected: function () { return open; },
      stop: function () {
        stopped = true;
        if (ws) ws.close(1000, 'stopped');
      }
    };
  }

  window.buurtstemLive = {connect: connect, randomId: randomId};
})();
