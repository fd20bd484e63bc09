// The run protocol with Python: define(hash, fn) once per script, run(json) per call,
// then turn(json) with sendRequest results / timers, one event-loop turn per call, until
// nothing is pending.
// Each call returns one JSON report. Also timers, pm.sendRequest and error capture.
(function (R) {
  'use strict';

  R.scripts = {};
  R.define = function (hash, fn) {
    R.scripts[hash] = fn;
  };

  // The bridge's own JSON and Object functions: a script may replace JSON.stringify for itself.
  var J = { parse: JSON.parse, stringify: JSON.stringify };
  var O = { names: Object.getOwnPropertyNames, describe: Object.getOwnPropertyDescriptor, define: Object.defineProperty, keys: Object.keys, assign: Object.assign };
  var LEGACY = ['tests', 'environment', 'globals', 'data', 'iteration', 'request', 'responseBody', 'responseTime', 'responseCode', 'responseHeaders', 'responseCookies'];

  // What every script starts from, as Postman gives each script a fresh scope: the globals
  // and the members of pm, postman, console, JSON and Object as they were before the first
  // script. A script's `pm = undefined`, `JSON.stringify = ...` or leaked global is undone
  // before the next one runs. Values are compared by a plain read (cheap: this runs before
  // every script); accessors (the lazy library globals) by their getter.
  var watched = null; // [[object, names, values or getters, descriptors, accessor?], ...]
  var baseline = null; // names of the globals before the first script
  function watch(o, skip) {
    var names = O.names(o).filter((n) => !skip.has(n));
    var descs = names.map((n) => O.describe(o, n));
    return [o, names, descs.map((d) => ('value' in d ? d.value : d.get)), descs, descs.map((d) => !('value' in d))];
  }
  function restore(w) {
    var o = w[0], names = w[1], seen = w[2], descs = w[3], acc = w[4];
    for (var i = 0; i < names.length; i++) {
      try {
        if (acc[i] ? (O.describe(o, names[i]) || {}).get === seen[i] : o[names[i]] === seen[i]) continue;
        O.define(o, names[i], descs[i]);
      } catch (e) {
        // non-configurable and changed (a script's own doing): nothing to restore
      }
    }
  }
  function resetGlobals() {
    var names = O.names(globalThis);
    if (!baseline) {
      var skip = new Set(LEGACY);
      baseline = new Set(names.concat(LEGACY));
      watched = [globalThis, JSON, Object, R.pm, R.postman, globalThis.console].map((o) => watch(o, o === globalThis ? skip : new Set()));
      return;
    }
    for (var i = 0; i < names.length; i++) {
      if (baseline.has(names[i])) continue;
      try {
        delete globalThis[names[i]]; // a global a previous script created without `var`
      } catch (e) {
        baseline.add(names[i]); // non-configurable: keep it, once
      }
    }
    for (var j = 0; j < watched.length; j++) restore(watched[j]);
  }

  function newRun(p) {
    var v = p.vars;
    var request = null; // pm.request, built on first use (most test scripts never read it)
    var cur = {
      event: p.event,
      info: p.info || {},
      vars: { globals: v.globals, collection: v.collection, environment: v.environment, data: v.data, folder: v.folder || {}, overrides: v.overrides || {}, locals: v.locals },
      dirty: {},
      // The legacy `environment`/`globals` objects, mirrored by pm's setters (vars.js).
      legacy: p.legacy === false ? {} : { environment: O.assign({}, v.environment), globals: O.assign({}, v.globals) },
      cookies: p.cookies,
      cookieList: null,
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
      sleep: 0,
      next: { set: false, value: null },
      skip: false,
      error: null,
      mainPending: false,
      builtRequest: () => request,
    };
    O.define(cur, 'request', { enumerable: true, get: () => request || (request = new R.Request(p.request)) });
    return cur;
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

  // As in Postman, an exception thrown by a sendRequest callback does not fail the script
  // (nor the request); it is only logged.
  function callback(cb, err, res) {
    try {
      cb(err, res);
    } catch (e) {
      R.cur.console.push(['warn', 'pm.sendRequest callback threw (ignored, as in Postman): ' + R.errorText(e)]);
    }
  }

  // Whether the last script may have changed a global (Python's scan of its source says
  // when it cannot: then the restore, a walk over every global, is skipped).
  var touched = true;

  R.run = function (json) {
    var p = J.parse(json);
    if (touched || !baseline) resetGlobals();
    touched = p.mutates !== false;
    var cur = (R.cur = newRun(p));
    if (p.legacy !== false) R.bindLegacy(cur, p);
    else globalThis.tests = cur.legacyTests; // read back for the legacy results
    guard(() => R.scripts[p.hash].call(globalThis));
    return report(true);
  };

  R.turn = function (json) {
    var results = J.parse(json);
    var cur = R.cur;
    results.forEach(function (r) {
      var entry = cur.callbacks[r.id];
      delete cur.callbacks[r.id];
      var err = r.error ? O.assign(new Error(r.error), { code: r.errorCode }) : null;
      var res = r.response ? new R.Response(r.response) : null;
      if (entry.jar) res = entry.jar(r.value);
      if (entry.cb) callback(entry.cb, err, res);
      else if (err) entry.reject(err);
      else entry.resolve(res);
    });
    var acted = results.length > 0;
    if (!acted && !cur.queue.length && cur.timers.length && !cur.error) {
      // Timers really wait: Python sleeps until the next one is due (within the script's
      // time limit), then comes back for it.
      cur.timers.sort((a, b) => a.due - b.due || a.id - b.id);
      var wait = cur.timers[0].due - Date.now();
      if (wait > 0) cur.sleep = wait;
      else guard(fireTimer);
      acted = true;
    }
    return report(acted);
  };

  function serializeRequest(req) {
    if (typeof req === 'string') return req;
    if (req instanceof R.Request) req = req.toJSON();
    return J.parse(J.stringify(req));
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

  // Cookie objects from Python as PropertyList members (postman-collection's Cookie).
  R.cookieMembers = function (list) {
    return (list || []).map((c) => O.assign({ key: c.name }, c));
  };

  // pm.cookies.jar(): each call is a step like a sendRequest, performed on the run's jar.
  function jarCall(op, url, name, value, cb, shape) {
    if (!url) throw new Error('CookieJar.' + op + '() requires a valid url'); // as Postman's
    var cur = R.cur;
    var id = ++cur.nextId;
    cur.queue.push({ id: id, jar: { op: op, url: String(url === undefined ? '' : url), name: name === undefined ? null : String(name), value: value === undefined ? null : value } });
    cur.callbacks[id] = { cb: typeof cb === 'function' ? cb : function () {}, jar: shape };
  }
  var same = (v) => (v === null ? undefined : v);
  R.cookieJar = {
    set: (url, name, value, cb) => {
      if (typeof value === 'function') return jarCall('set', url, name && name.name, name, value, same);
      if (name && typeof name === 'object') return jarCall('set', url, name.name, name, value, same);
      return jarCall('set', url, name, value, cb, same);
    },
    get: (url, name, cb) => jarCall('get', url, name, undefined, cb, same),
    getAll: (url, opts, cb) => jarCall('getAll', url, undefined, undefined, typeof opts === 'function' ? opts : cb, (v) => new R.PropertyList(R.cookieMembers(v), false)),
    unset: (url, name, cb) => jarCall('unset', url, name, undefined, cb, () => undefined),
    clear: (url, cb) => jarCall('clear', url, undefined, undefined, cb, () => undefined),
  };

  function addTimer(fn, ms, args, every) {
    var cur = R.cur;
    var t = { id: ++cur.timerSeq, due: Date.now() + Math.max(0, Number(ms) || 0), fn: fn, args: args, every: every };
    cur.timers.push(t);
    return t.id;
  }
  function fireTimer() {
    var cur = R.cur;
    cur.timers.sort((a, b) => a.due - b.due || a.id - b.id);
    var t = cur.timers.shift();
    if (t.every !== undefined) {
      if (++cur.fired > 10000) throw new Error('setInterval fired more than 10000 times; call clearInterval');
      cur.timers.push(O.assign({}, t, { due: t.due + Math.max(1, t.every) }));
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
      return J.parse(J.stringify(v));
    } catch (e) {
      return String(v);
    }
  }

  function outVars(cur) {
    var out = {};
    O.keys(cur.dirty).forEach(function (scope) {
      var d = cur.vars[scope];
      var copy = {};
      O.keys(d).forEach((k) => (copy[k] = jsonSafe(d[k])));
      out[scope] = copy;
    });
    cur.dirty = {};
    return out;
  }

  function legacyResults(cur) {
    var t = globalThis.tests;
    if (!t || typeof t !== 'object') return [];
    return O.keys(t).map(function (name) {
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
      sleep: cur.sleep,
      error: cur.error,
      next: cur.next,
      skip: cur.skip,
      vars: outVars(cur),
      // A pre-request script that never read pm.request left it as it came.
      request: cur.event === 'prerequest' && cur.builtRequest() ? cur.request.serialize() : null,
    };
    cur.console = [];
    cur.queue = [];
    cur.sleep = 0;
    try {
      return J.stringify(out);
    } catch (e) {
      // e.g. a circular object handed to pm.sendRequest; report it as the script's error.
      out.requests = [];
      out.request = null;
      out.error = out.error || { name: e.name, message: e.message, line: null, api: null };
      return J.stringify(out);
    }
  }

  // The bridge Python calls: scripts can neither replace nor remove it.
  ['run', 'turn', 'define', 'addModules'].forEach((k) => O.define(R, k, { value: R[k], writable: false, configurable: false }));
  O.define(globalThis, '__runner', { value: R, writable: false, enumerable: false, configurable: false });
})(globalThis.__runner);
