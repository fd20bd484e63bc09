// Postman's response/request assertions (pm.response.to.have.status(...), .be.ok, ...)
// and a small JSON-schema check for .jsonSchema(). Written for runner.
(function (R) {
  'use strict';

  function isRes(v) {
    return v instanceof R.Response;
  }
  function isMsg(v) {
    return v instanceof R.Response || v instanceof R.Request;
  }
  function subject(a, what) {
    var o = a.__s.obj;
    if (!(what === 'message' ? isMsg(o) : isRes(o))) {
      throw R.AssertionError('expected ' + R.display(o) + ' to be a postman ' + (what === 'message' ? 'request or response' : 'response'));
    }
    return o;
  }

  // Status-class properties: pm.response.to.be.success, .clientError, ...
  function statusClass(name, test, label) {
    R.property([name], function () {
      var r = subject(this);
      this.assert(test(r.code), 'expected response code to be ' + label + ' but found #{act}', 'expected response code to not be ' + label + ' but found #{act}', null, r.code);
    });
  }
  var cls = (n) => (c) => Math.floor(c / 100) === n;
  statusClass('info', cls(1), '1XX');
  statusClass('success', cls(2), '2XX');
  statusClass('redirection', cls(3), '3XX');
  statusClass('clientError', cls(4), '4XX');
  statusClass('serverError', cls(5), '5XX');
  statusClass('error', (c) => c >= 400 && c < 600, '4XX or 5XX');
  var exact = { accepted: 202, badRequest: 400, unauthorized: 401, forbidden: 403, notFound: 404, notAcceptable: 406, rateLimited: 429 };
  Object.keys(exact).forEach(function (k) {
    statusClass(k, (c) => c === exact[k], String(exact[k]));
  });

  // `ok` means "status 200" on a response and "truthy" on anything else.
  R.property(['ok'], function () {
    var o = this.__s.obj;
    if (isRes(o)) {
      return this.assert(o.code === 200, 'expected response code to be 200 but found #{act}', 'expected response code to not be 200 but found #{act}', 200, o.code);
    }
    this.assert(Boolean(o), 'expected #{this} to be truthy', 'expected #{this} to be falsy');
  });

  R.method(['status'], function (want) {
    var r = subject(this);
    if (typeof want === 'number') {
      return this.assert(r.code === want, 'expected response to have status code #{exp} but got #{act}', 'expected response to not have status code #{act}', want, r.code);
    }
    return this.assert(r.status === want, 'expected response to have status reason #{exp} but got #{act}', 'expected response to not have status reason #{act}', want, r.status);
  });
  R.method(['statusCode', 'code'], function (want) {
    var r = subject(this);
    return this.assert(r.code === want, 'expected response to have status code #{exp} but got #{act}', 'expected response to not have status code #{act}', want, r.code);
  });
  R.method(['statusReason', 'reason'], function (want) {
    var r = subject(this);
    return this.assert(r.status === want, 'expected response to have status reason #{exp} but got #{act}', 'expected response to not have status reason #{act}', want, r.status);
  });

  R.method(['header'], function (name, value) {
    var m = subject(this, 'message');
    var kind = isRes(m) ? 'response' : 'request';
    var present = m.headers.has(name);
    if (arguments.length < 2 || !present) {
      this.assert(present, 'expected ' + kind + ' to have header with key ' + R.display(name), 'expected ' + kind + ' to not have header with key ' + R.display(name));
    }
    if (arguments.length > 1) {
      var got = m.headers.get(name);
      var tpl = 'expected ' + R.display(name) + ' ' + kind + ' header to be #{exp} but got #{act}';
      this.assert(got === value, tpl, 'expected ' + R.display(name) + ' ' + kind + ' header to not be #{act}', value, got);
    }
    return this;
  });

  R.method(['body'], function (want) {
    var r = subject(this);
    var text = r.text();
    if (arguments.length === 0) {
      return this.assert(text.length > 0, 'expected response to have content in body', 'expected response to not have content in body');
    }
    if (want instanceof RegExp) {
      return this.assert(want.test(text), 'expected response body text to match #{exp} but got #{act}', 'expected response body text to not match #{exp}', want, text);
    }
    if (typeof want === 'string') {
      return this.assert(text === want, 'expected response body to equal #{exp} but got #{act}', 'expected response body to not equal #{exp}', want, text);
    }
    var parsed = tryJson(text);
    return this.assert(R.deepEqual(parsed.value, want), 'expected response body json to equal #{exp} but got #{act}', 'expected response body json to not equal #{exp}', want, parsed.value);
  });
  R.property(['withBody'], function () {
    var r = subject(this);
    this.assert(r.text().length > 0, 'expected response to have content in body', 'expected response to not have content in body');
  });

  function tryJson(text) {
    try {
      return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
    } catch (e) {
      return { ok: false, error: e };
    }
  }

  R.property(['json'], function () {
    var r = subject(this);
    var p = tryJson(r.text());
    this.assert(p.ok, 'expected response body to be a valid json but got error #{act}', 'expected response body not to be a valid json', null, p.ok ? '' : p.error.message);
  });
  ['html', 'xml'].forEach(function (kind) {
    R.property([kind], function () {
      var r = subject(this);
      var ct = String(r.headers.get('content-type') || '');
      this.assert(ct.indexOf(kind) !== -1, 'expected response type to be ' + kind + ' but got #{act}', 'expected response type not to be ' + kind, null, ct);
    });
  });

  R.method(['jsonBody'], function (path, value) {
    var r = subject(this);
    var p = tryJson(r.text());
    if (arguments.length === 0) {
      return this.assert(p.ok, 'expected response body to be a valid json but got error #{act}', 'expected response body not to be a valid json', null, p.ok ? '' : p.error.message);
    }
    // As Postman's sandbox: with an argument that is not a path string, jsonBody asserts
    // nothing (jsonBody({}) passes whatever the body is).
    if (typeof path !== 'string') return this;
    var a = R.expect(p.ok ? p.value : undefined);
    a.__s.neg = this.__s.neg;
    a.__s.nested = true;
    a.__s.deep = true;
    if (arguments.length > 1) a.property(path, value);
    else a.property(path);
    return this;
  });

  function kind(name, test, label) {
    Object.defineProperty(R.Assertion.prototype, name, {
      configurable: true,
      get: function () {
        return this.assert(test(this.__s.obj), 'expected #{this} to be a postman ' + label, 'expected #{this} to not be a postman ' + label);
      },
    });
  }
  kind('postmanRequest', (o) => o instanceof R.Request, 'request');
  kind('postmanResponse', isRes, 'response');
  kind('postmanRequestOrResponse', isMsg, 'request or response');

  R.method(['jsonSchema'], function (schema) {
    var o = this.__s.obj;
    var data = isRes(o) ? tryJson(o.text()).value : o;
    var errors = R.validateSchema(schema, data);
    var tpl = 'expected data to satisfy schema but found following errors: \n' + errors.join(', ');
    return this.assert(errors.length === 0, tpl, 'expected data to not satisfy schema');
  });
})(globalThis.__runner);
