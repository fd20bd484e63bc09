// The run protocol with Python: define(hash, fn) once per script, run(json) per call,
// then step(json) with sendRequest results / timer turns until nothing is pending.
// Each call returns one JSON report. Also timers, pm.sendRequest and error capture.
(function (R) {
  'use strict';

  R.scripts = {};
  R.define = function (hash, fn) {
    R.scripts[hash] = fn;
  };

  var baseline = null;
  // Delete globals a previous script created by assignment without `var`.
  function dropLeakedGlobals() {
    var names = Object.getOwnPropertyNames(globalThis);
    if (!baseline) {
      baseline = new Set(names.concat(['tests', 'environment', 'globals', 'data', 'iteration', 'request']));
      ['responseBody', 'responseTime', 'responseCode', 'responseHeaders', 'responseCookies'].forEach((n) => baseline.add(n));
      return;
    }
    for (var i = 0; i < names.length; i++) {
      if (baseline.has(names[i])) continue;
      try {
        delete globalThis[names[i]];
      } catch (e) {
        // Non-configurable (e.g. defined with defineProperty): keep it, once.
        baseline.add(names[i]);
      }
    }
  }

  function newRun(p) {
    var v = p.vars;
    return {
      event: p.event,
      info: p.info || {},
      vars: { globals: v.globals, collection: v.collection, environment: v.environment, data: v.data, locals: v.locals },
      dirty: {},
      legacy: { environment: Object.assign({}, v.environment), globals: Object.assign({}, v.globals) },
      request: new R.Request(p.request),
      response: p.response ? new R.Response(p.response) : null,
      tests: [],
      legacyTests: {},
      pendingTests: 0,
      console: [],
      queue: [],
      callbacks: {},
      nextId: 0,
      timers: [],
      timerSeq: 0,
      fired: 0,
      clock: 0,
      next: { set: false, value: null },
      skip: false,
      error: null,
      mainPending: false,
    };
  }

  // Record the first uncaught error with its line in the user's script.
  R.fail = function (e) {
    var cur = R.cur;
    if (cur.error) return;
    var stack = (e && e.stack) || '';
    var m = /runner-script-[0-9a-f]+\.js:(\d+):(\d+)/.exec(stack);
    cur.error = {
      name: (e && e.name) || 'Error',
      message: e instanceof Error ? e.message : String(e),
      line: m ? Number(m[1]) - 1 : null,
      api: (e && e.runnerApi) || null,
    };
  };

  function guard(fn) {
    try {
      var ret = fn();
      if (ret && typeof ret.then === 'function') {
        R.cur.mainPending = true;
        ret.then(
          () => (R.cur.mainPending = false),
          (e) => {
            R.cur.mainPending = false;
            R.fail(e);
          }
        );
      }
    } catch (e) {
      R.fail(e);
    }
  }

  R.run = function (json) {
    var p = JSON.parse(json);
    dropLeakedGlobals();
    var cur = (R.cur = newRun(p));
    R.bindLegacy(cur, p);
    guard(() => R.scripts[p.hash].call(globalThis));
    return report(true);
  };

  R.step = function (json) {
    var results = JSON.parse(json);
    var cur = R.cur;
    results.forEach(function (r) {
      var entry = cur.callbacks[r.id];
      delete cur.callbacks[r.id];
      var err = r.error ? Object.assign(new Error(r.error), { code: r.errorCode }) : null;
      var res = r.response ? new R.Response(r.response) : null;
      if (entry.cb) guard(() => entry.cb(err, res));
      else if (err) entry.reject(err);
      else entry.resolve(res);
    });
    var acted = results.length > 0;
    if (!acted && !cur.queue.length && cur.timers.length && !cur.error) {
      guard(fireTimer);
      acted = true;
    }
    return report(acted);
  };

  function serializeRequest(req) {
    if (typeof req === 'string') return req;
    if (req instanceof R.Request) req = req.toJSON();
    return JSON.parse(JSON.stringify(req));
  }

  R.sendRequest = function (req, cb) {
    var cur = R.cur;
    var id = ++cur.nextId;
    cur.queue.push({ id: id, request: serializeRequest(req) });
    if (typeof cb === 'function') {
      cur.callbacks[id] = { cb: cb };
      return undefined;
    }
    return new Promise(function (resolve, reject) {
      cur.callbacks[id] = { resolve: resolve, reject: reject };
    });
  };

  function addTimer(fn, ms, args, every) {
    var cur = R.cur;
    var t = { id: ++cur.timerSeq, due: cur.clock + Math.max(0, Number(ms) || 0), fn: fn, args: args, every: every };
    cur.timers.push(t);
    return t.id;
  }
  function fireTimer() {
    var cur = R.cur;
    cur.timers.sort((a, b) => a.due - b.due || a.id - b.id);
    var t = cur.timers.shift();
    cur.clock = t.due;
    if (t.every !== undefined) {
      if (++cur.fired > 10000) throw new Error('setInterval fired more than 10000 times; call clearInterval');
      cur.timers.push(Object.assign({}, t, { due: cur.clock + Math.max(1, t.every) }));
    }
    return typeof t.fn === 'function' ? t.fn.apply(null, t.args) : undefined;
  }
  function clearTimer(id) {
    if (R.cur) R.cur.timers = R.cur.timers.filter((t) => t.id !== id);
  }
  globalThis.setTimeout = (fn, ms, ...args) => addTimer(fn, ms, args);
  globalThis.setInterval = (fn, ms, ...args) => addTimer(fn, ms, args, Number(ms) || 0);
  globalThis.setImmediate = (fn, ...args) => addTimer(fn, 0, args);
  globalThis.clearTimeout = globalThis.clearInterval = globalThis.clearImmediate = clearTimer;

  // A JSON-compatible copy of a variable value (functions, BigInt, cycles become text).
  function jsonSafe(v) {
    if (v === undefined) return null;
    if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') return String(v);
    if (v === null || typeof v !== 'object') return v;
    try {
      return JSON.parse(JSON.stringify(v));
    } catch (e) {
      return String(v);
    }
  }

  function outVars(cur) {
    var out = {};
    Object.keys(cur.dirty).forEach(function (scope) {
      var d = cur.vars[scope];
      var copy = {};
      Object.keys(d).forEach((k) => (copy[k] = jsonSafe(d[k])));
      out[scope] = copy;
    });
    cur.dirty = {};
    return out;
  }

  function legacyResults(cur) {
    var t = globalThis.tests;
    if (!t || typeof t !== 'object') return [];
    return Object.keys(t).map(function (name) {
      var ok = Boolean(t[name]);
      return { name: name, passed: ok, error: ok ? null : 'expected ' + R.display(t[name]) + ' to be truthy', skipped: false };
    });
  }

  function report(acted) {
    var cur = R.cur;
    var out = {
      tests: cur.tests.concat(legacyResults(cur)),
      console: cur.console,
      requests: cur.queue,
      waiting: cur.timers.length > 0 || cur.mainPending || cur.pendingTests > 0,
      acted: acted,
      error: cur.error,
      next: cur.next,
      skip: cur.skip,
      vars: outVars(cur),
      request: cur.event === 'prerequest' ? cur.request.serialize() : null,
    };
    cur.console = [];
    cur.queue = [];
    try {
      return JSON.stringify(out);
    } catch (e) {
      // e.g. a circular object handed to pm.sendRequest; report it as the script's error.
      out.requests = [];
      out.request = null;
      out.error = out.error || { name: e.name, message: e.message, line: null, api: null };
      return JSON.stringify(out);
    }
  }
})(globalThis.__runner);
