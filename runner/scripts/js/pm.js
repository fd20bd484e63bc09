// The `pm` object, the legacy `postman` object and the legacy globals (tests,
// responseBody, responseCode, ...). Built once; every member reads the current run (R.cur).
(function (R) {
  'use strict';

  // An Error that names the unsupported API; the engine reports it as ScriptError.api.
  R.unsupported = function (api) {
    var e = new Error(api + ' is not supported by runner');
    e.runnerApi = api;
    return e;
  };

  var QUIET = ['toJSON', 'then', 'inspect', 'constructor', 'asymmetricMatch', 'nodeType', 'length'];
  // Unknown members of `obj` throw an error naming `prefix.member`.
  function strict(obj, prefix) {
    return new Proxy(obj, {
      get: function (t, k, recv) {
        if (typeof k === 'symbol' || k in t || QUIET.indexOf(k) >= 0) return Reflect.get(t, k, recv);
        throw R.unsupported(prefix + '.' + k);
      },
    });
  }

  function errorText(e) {
    if (e && e.name === 'AssertionError') return e.message;
    if (e instanceof Error) return e.name + ': ' + e.message;
    return String(e);
  }
  R.errorText = errorText;

  // Run one pm.test body; supports a `done` callback and returned promises.
  function runTest(name, fn) {
    var cur = R.cur;
    var result = { name: String(name), passed: true, error: null, skipped: false };
    cur.tests.push(result);
    var settle = function (err) {
      if (result.passed === null) cur.pendingTests--;
      result.passed = !err;
      result.error = err ? errorText(err) : null;
    };
    try {
      var async = typeof fn === 'function' && fn.length > 0;
      if (async) {
        result.passed = null;
        cur.pendingTests++;
      }
      var ret = typeof fn === 'function' ? fn(async ? settle : undefined) : undefined;
      if (!async && ret && typeof ret.then === 'function') {
        result.passed = null;
        cur.pendingTests++;
        ret.then(() => settle(null), (e) => settle(e || new Error('rejected')));
      }
    } catch (e) {
      settle(e);
    }
  }

  function test(name, fn) {
    runTest(name, fn);
    return R.pm;
  }
  test.skip = function (name) {
    R.cur.tests.push({ name: String(name), passed: true, error: null, skipped: true });
    return R.pm;
  };
  test.index = function () {
    return R.cur.tests.length;
  };

  function setNext(name) {
    R.cur.next = { set: true, value: name === undefined ? null : name };
  }

  var execution = strict(
    {
      setNextRequest: setNext,
      skipRequest: function () {
        if (R.cur.event === 'prerequest') R.cur.skip = true;
      },
      get location() {
        var loc = (R.cur.info.location || [R.cur.info.requestName]).slice();
        loc.current = R.cur.info.requestName;
        return loc;
      },
      runRequest: function () {
        throw R.unsupported('pm.execution.runRequest');
      },
    },
    'pm.execution'
  );

  // As in Newman: in a test script, the jar's cookies for the request's URL (those a
  // redirect set included); in a pre-request script, none.
  function jarCookies() {
    var cur = R.cur;
    if (!cur.cookieList) {
      var jar = cur.cookies ? R.cookieMembers(cur.cookies) : cur.response ? cur.response.cookies.members : [];
      cur.cookieList = new R.PropertyList(cur.event === 'test' ? jar : [], false);
    }
    return cur.cookieList;
  }
  R.jarCookies = jarCookies;
  var cookies = {
    has: (n) => jarCookies().has(n),
    get: (n) => jarCookies().get(n),
    one: (n) => jarCookies().one(n),
    toObject: () => jarCookies().toObject(),
    all: () => jarCookies().all(),
    count: () => jarCookies().count(),
    each: (fn) => jarCookies().each(fn),
    map: (fn) => jarCookies().map(fn),
    filter: (fn) => jarCookies().filter(fn),
    find: (fn) => jarCookies().find(fn),
    idx: (i) => jarCookies().idx(i),
    toJSON: () => jarCookies().toJSON(),
    jar: () => R.cookieJar,
  };

  var info = {};
  ['eventName', 'iteration', 'iterationCount', 'requestName', 'requestId'].forEach(function (k) {
    Object.defineProperty(info, k, { enumerable: true, get: () => R.cur.info[k] });
  });

  var pm = {
    test: test,
    // chai.expect itself, as Postman's sandbox gives it (set up on first use: chai.js).
    get expect() {
      return R.chai().expect;
    },
    info: info,
    cookies: cookies,
    execution: execution,
    environment: R.scopes.environment,
    collectionVariables: R.scopes.collectionVariables,
    globals: R.scopes.globals,
    variables: R.scopes.variables,
    iterationData: R.scopes.iterationData,
    visualizer: { set: function () {}, clear: function () {} },
    sendRequest: function (req, cb) {
      return R.sendRequest(req, cb);
    },
    get request() {
      return R.cur.request;
    },
    get response() {
      return R.cur.response || undefined;
    },
    get vault() {
      throw R.unsupported('pm.vault');
    },
    require: function () {
      throw R.unsupported('pm.require');
    },
  };
  R.pm = strict(pm, 'pm');
  R.setNext = setNext;
})(globalThis.__runner);
