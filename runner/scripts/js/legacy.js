// The legacy sandbox: `postman.*`, tests[...], responseBody, responseCode, environment,
// globals, data, request, ... plus console, atob/btoa and String.prototype.has.
(function (R) {
  'use strict';

  var S = R.scopes;
  var postman = {
    setEnvironmentVariable: (k, v) => S.environment.set(k, R.legacyValue(v)),
    getEnvironmentVariable: (k) => S.environment.get(k),
    clearEnvironmentVariable: (k) => S.environment.unset(k),
    clearEnvironmentVariables: () => S.environment.clear(),
    setGlobalVariable: (k, v) => S.globals.set(k, R.legacyValue(v)),
    getGlobalVariable: (k) => S.globals.get(k),
    clearGlobalVariable: (k) => S.globals.unset(k),
    clearGlobalVariables: () => S.globals.clear(),
    setNextRequest: (name) => R.setNext(name),
    getResponseHeader: (name) => (R.cur.response ? R.cur.response.headers.get(name) : undefined),
    getResponseCookie: function (name) {
      var c = R.cur.response && R.jarCookies().one(name);
      return c ? { name: c.key, value: c.value } : undefined;
    },
  };
  R.postman = new Proxy(postman, {
    get: function (t, k) {
      if (typeof k === 'symbol' || k in t || k === 'toJSON') return t[k];
      throw R.unsupported('postman.' + k);
    },
  });

  // Form/urlencoded fields as an object (repeated keys become arrays), raw text as is.
  function legacyData(body) {
    if (!body || !body.mode) return {};
    if (body.mode === 'raw') return body.raw || '';
    var list = body[body.mode];
    if (!(list instanceof R.PropertyList)) return {};
    var out = {};
    list.all().forEach(function (m) {
      if (!Object.prototype.hasOwnProperty.call(out, m.key)) out[m.key] = m.value;
      else out[m.key] = [].concat(out[m.key], m.value);
    });
    return out;
  }

  function legacyRequest(req) {
    return {
      id: req.id,
      name: req.name,
      description: req.description,
      url: req.url.toString(),
      method: req.method,
      headers: req.headers.toObject(),
      data: legacyData(req.body),
    };
  }

  // Bind the per-run legacy globals onto globalThis.
  R.bindLegacy = function (cur, raw) {
    var g = globalThis;
    var res = raw.response;
    g.tests = cur.legacyTests;
    g.environment = cur.legacy.environment;
    g.globals = cur.legacy.globals;
    g.data = Object.assign({}, cur.vars.data);
    g.iteration = cur.info.iteration;
    g.request = legacyRequest(cur.request);
    g.responseBody = res ? cur.response.text() : undefined;
    // A test script after a request error still has them in Postman's sandbox, so that
    // `tests[...] = responseCode.code === 200` is a failed test there, not a TypeError.
    var test = cur.info.eventName === 'test';
    var noCode = test ? { code: NaN, name: '', details: '' } : undefined;
    g.responseTime = res ? cur.response.responseTime : test ? NaN : undefined;
    g.responseCode = res ? { code: res.code, name: res.status, detail: res.status } : noCode;
    var headers = {};
    if (res) (res.headers || []).forEach((h) => (headers[h[0]] = h[1]));
    g.responseHeaders = headers;
    g.responseCookies = res ? R.jarCookies().all() : [];
  };

  function say(level) {
    return function () {
      R.cur.console.push([level, R.consoleText(arguments)]);
    };
  }
  globalThis.console = {
    log: say('log'),
    info: say('info'),
    warn: say('warn'),
    error: say('error'),
    debug: say('debug'),
    trace: say('debug'),
  };

  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  // Base64 of a binary (latin-1) string.
  globalThis.btoa = function (s) {
    s = String(s);
    var out = '';
    for (var i = 0; i < s.length; i += 3) {
      var a = s.charCodeAt(i);
      var b = s.charCodeAt(i + 1);
      var c = s.charCodeAt(i + 2);
      if (a > 255 || b > 255 || c > 255) throw new Error('btoa: string contains characters outside Latin1');
      var n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      out += i + 1 < s.length ? B64[(n >> 6) & 63] : '=';
      out += i + 2 < s.length ? B64[n & 63] : '=';
    }
    return out;
  };
  globalThis.atob = function (s) {
    s = String(s).replace(/[\s=]/g, '');
    var out = '';
    var bits = 0;
    var acc = 0;
    for (var i = 0; i < s.length; i++) {
      var v = B64.indexOf(s[i]);
      if (v < 0) throw new Error('atob: invalid base64 character ' + JSON.stringify(s[i]));
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += String.fromCharCode((acc >> bits) & 255);
      }
    }
    return out;
  };

  globalThis.pm = R.pm;
  globalThis.postman = R.postman;

  // Sugar.js's String#has, which the legacy sandbox offered (responseBody.has("x")).
  Object.defineProperty(String.prototype, 'has', {
    configurable: true,
    writable: true,
    value: function (find) {
      return find instanceof RegExp ? find.test(this) : String(this).indexOf(find) !== -1;
    },
  });
})(globalThis.__runner);
