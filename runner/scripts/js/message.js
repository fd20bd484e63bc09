// pm.request and pm.response (also the response given to pm.sendRequest callbacks).
(function (R) {
  'use strict';

  var KNOWN = ['name', 'id', 'method', 'url', 'headers', 'body', 'description', 'auth'];

  // pm.request.auth: the request's effective auth as Postman's RequestAuth shows it
  // ({type, <type>: a list of {key, value}}); read-only here.
  function Auth(raw) {
    Object.defineProperty(this, '_raw', { value: raw });
    this.type = raw.type;
    this[raw.type] = new R.PropertyList(raw.params || []);
  }
  Auth.prototype.parameters = function () {
    return this[this.type];
  };
  Auth.prototype.toJSON = function () {
    var out = { type: this.type };
    out[this.type] = this[this.type].members.map(function (m) {
      return { key: m.key, value: m.value, type: 'string' };
    });
    return out;
  };

  function Request(raw) {
    raw = raw || {};
    var self = this;
    this.id = raw.id;
    this.name = raw.name;
    this.description = raw.description;
    this.method = raw.method || 'GET';
    this.url = raw.url || '';
    this.headers = new R.PropertyList(raw.headers || [], true);
    this.body = raw.body ? new R.Body(raw.body) : undefined;
    this.auth = raw.auth ? new Auth(raw.auth) : undefined;
    Object.defineProperty(this, '_extra', { value: {}, writable: true });
    Object.keys(raw).forEach(function (k) {
      if (KNOWN.indexOf(k) < 0) self._extra[k] = raw[k];
    });
  }
  var RQ = Request.prototype;
  Object.defineProperty(RQ, 'url', {
    get: function () {
      return this._url;
    },
    set: function (v) {
      Object.defineProperty(this, '_url', { value: v instanceof R.Url ? v : new R.Url(String(v)), writable: true });
    },
  });
  RQ.addHeader = function (h) {
    this.headers.add(h);
  };
  RQ.upsertHeader = function (h) {
    this.headers.upsert(h);
  };
  RQ.removeHeader = function (name) {
    this.headers.remove(name);
  };
  RQ.getHeaders = function () {
    return this.headers.toObject();
  };
  RQ.toJSON = function () {
    return { url: this.url.toString(), method: this.method, header: this.headers.members, body: this.body };
  };
  // Shape handed back to Python after the script.
  RQ.serialize = function () {
    var out = Object.assign({}, this._extra, {
      name: this.name,
      id: this.id,
      method: this.method,
      url: this.url.toString(),
      headers: this.headers.all().map((h) => [h.key, String(h.value)]),
      body: this.body ? this.body.serialize(true) : null,
    });
    if (this.auth instanceof Auth) out.auth = this.auth._raw;
    if (this.description !== undefined) out.description = this.description;
    return out;
  };
  R.Request = Request;

  function lineCol(text, pos) {
    var before = text.slice(0, pos).split('\n');
    return before.length + ':' + (before[before.length - 1].length + 1);
  }

  // Postman-style JSONError for a body that is not JSON.
  function jsonError(text, e) {
    var msg;
    if (!text.trim()) msg = 'No data, empty input at 1:1';
    else {
      var m = /position (\d+)/.exec(e.message);
      var tok = /Unexpected token '?(.)'?/.exec(e.message);
      var pos = m ? Number(m[1]) : tok ? text.indexOf(tok[1]) : text.length;
      var what = pos >= text.length ? 'Unexpected end of JSON input' : "Unexpected token '" + text[pos] + "'";
      msg = what + ' at ' + lineCol(text, pos);
    }
    var err = new Error(msg);
    err.name = 'JSONError';
    return err;
  }

  function Response(raw) {
    this.code = raw.code;
    this.status = raw.status || '';
    this.headers = new R.PropertyList(raw.headers || [], true);
    this.responseTime = raw.responseTime || 0;
    Object.defineProperty(this, '_body', { value: raw.body === undefined || raw.body === null ? '' : String(raw.body) });
    this.responseSize = raw.size === undefined ? this._body.length : raw.size;
    this.cookies = new R.PropertyList(R.parseCookies(this.headers), false);
    var body = this._body;
    this.stream = { toString: () => body, length: body.length };
  }
  var RS = Response.prototype;
  RS.text = function () {
    return this._body;
  };
  RS.json = function () {
    if (!Object.prototype.hasOwnProperty.call(this, '_json')) {
      var text = this._body.replace(/^\uFEFF/, '');
      try {
        Object.defineProperty(this, '_json', { value: JSON.parse(text) });
      } catch (e) {
        throw jsonError(text, e);
      }
    }
    return this._json;
  };
  RS.reason = function () {
    return this.status;
  };
  // The collection SDK's status details (chai-postman's .ok and .notFound... read them).
  RS.details = function () {
    return { name: this.status, detail: '', code: this.code, standardName: this.status };
  };
  RS.size = function () {
    var header = this.headers.all().reduce((n, h) => n + h.key.length + String(h.value).length + 4, 0);
    return { body: this.responseSize, header: header, total: this.responseSize + header };
  };
  RS.contentInfo = function () {
    var ct = this.headers.get('content-type') || '';
    var charset = /charset=([^;]+)/i.exec(ct);
    return { contentType: ct, mimeType: ct.split(';')[0].trim(), charset: charset ? charset[1] : undefined };
  };
  RS.toJSON = function () {
    return { code: this.code, status: this.status, header: this.headers.members, body: this._body, responseTime: this.responseTime };
  };
  R.Response = Response;

  [RQ, RS].forEach(function (proto) {
    Object.defineProperty(proto, 'to', {
      get: function () {
        return R.expect(this).to; // chai.expect(this).to, as in Postman
      },
    });
  });

  // Name/value pairs from the Set-Cookie headers of a response.
  R.parseCookies = function (headers) {
    return headers
      .filter((h) => String(h.key).toLowerCase() === 'set-cookie')
      .map(function (h) {
        var first = String(h.value).split(';')[0];
        var i = first.indexOf('=');
        return { key: first.slice(0, i).trim(), value: first.slice(i + 1).trim(), name: first.slice(0, i).trim() };
      });
  };
})(globalThis.__runner);
