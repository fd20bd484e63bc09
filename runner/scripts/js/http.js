// Request and response objects for scripts: a small PropertyList (headers, query,
// urlencoded), Url, Request (pm.request) and Response (pm.response, sendRequest results).
(function (R) {
  'use strict';

  // Ordered list of {key, value} with Postman's PropertyList verbs; header lookups ignore case.
  function PropertyList(items, caseless) {
    this.members = (items || []).map(function (it) {
      if (Array.isArray(it)) return { key: String(it[0]), value: it[1] };
      if (typeof it === 'string') {
        var i = it.indexOf(':');
        return { key: it.slice(0, i).trim(), value: it.slice(i + 1).trim() };
      }
      return Object.assign({}, it);
    });
    this._caseless = caseless;
  }
  var PL = PropertyList.prototype;
  PL._same = function (a, b) {
    return this._caseless ? String(a).toLowerCase() === String(b).toLowerCase() : a === b;
  };
  PL._live = function () {
    return this.members.filter((m) => !m.disabled);
  };
  PL.one = function (key) {
    var live = this._live();
    for (var i = live.length - 1; i >= 0; i--) if (this._same(live[i].key, key)) return live[i];
    return undefined;
  };
  PL.get = function (key) {
    var m = this.one(key);
    return m ? m.value : undefined;
  };
  PL.has = function (key, value) {
    var m = this.one(key);
    return Boolean(m) && (arguments.length < 2 || m.value === value);
  };
  PL.add = function (item) {
    this.members.push(new PropertyList([item]).members[0]);
  };
  PL.append = PL.add;
  PL.upsert = function (item) {
    var m = new PropertyList([item]).members[0];
    var found = this.one(m.key);
    if (found) found.value = m.value;
    else this.members.push(m);
  };
  PL.remove = function (key) {
    var self = this;
    var test = typeof key === 'function' ? key : (m) => self._same(m.key, typeof key === 'object' ? key.key : key);
    this.members = this.members.filter((m) => !test(m));
  };
  PL.clear = function () {
    this.members = [];
  };
  PL.all = function () {
    return this._live();
  };
  PL.count = function () {
    return this._live().length;
  };
  PL.each = function (fn) {
    this._live().forEach(fn);
  };
  PL.map = function (fn) {
    return this._live().map(fn);
  };
  PL.filter = function (fn) {
    return this._live().filter(fn);
  };
  PL.find = function (fn) {
    return this._live().find(fn);
  };
  PL.idx = function (i) {
    return this._live()[i];
  };
  PL.toObject = function () {
    var out = {};
    this._live().forEach((m) => (out[m.key] = m.value));
    return out;
  };
  PL.toJSON = function () {
    return this.members;
  };
  PL.toString = function () {
    return this._live().map((m) => m.key + ': ' + m.value).join('\n');
  };
  R.PropertyList = PropertyList;

  var URL_RE = /^(?:([A-Za-z][\w+.-]*):\/\/)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

  function Url(text) {
    var m = URL_RE.exec(String(text)) || [];
    this.protocol = m[1];
    var hostPort = m[2] || '';
    var at = hostPort.lastIndexOf('@');
    this.auth = at >= 0 ? hostPort.slice(0, at) : undefined;
    hostPort = hostPort.slice(at + 1);
    var pm = /^(.*?)(?::(\d+|\{\{[^}]*\}\}))?$/.exec(hostPort);
    this.host = pm[1] ? pm[1].split('.') : [];
    this.port = pm[2];
    this.path = m[3] ? m[3].replace(/^\//, '').split('/') : [];
    var query = m[4] === undefined ? [] : m[4].split('&').map(function (pair) {
      var i = pair.indexOf('=');
      return i < 0 ? { key: pair, value: null } : { key: pair.slice(0, i), value: pair.slice(i + 1) };
    });
    this.query = new PropertyList(query, false);
    // Path variables (:id) are resolved by the run loop before scripts see the URL.
    this.variables = new PropertyList([], false);
    this.hash = m[5];
  }
  var U = Url.prototype;
  U.getHost = function () {
    return this.host.join('.');
  };
  U.getPath = function () {
    return '/' + this.path.join('/');
  };
  U.getQueryString = function () {
    return this.query.members
      .filter((q) => !q.disabled)
      .map((q) => (q.value === null || q.value === undefined ? q.key : q.key + '=' + q.value))
      .join('&');
  };
  U.getPathWithQuery = function () {
    var q = this.getQueryString();
    return this.getPath() + (q || this.query.count() ? '?' + q : '');
  };
  U.getRemote = function () {
    return this.getHost() + (this.port ? ':' + this.port : '');
  };
  U.addQueryParams = function (params) {
    var self = this;
    (Array.isArray(params) ? params : [params]).forEach((p) => self.query.add(p));
  };
  U.removeQueryParams = function (keys) {
    var self = this;
    (Array.isArray(keys) ? keys : [keys]).forEach((k) => self.query.remove(k));
  };
  U.toString = function () {
    var out = this.protocol ? this.protocol + '://' : '';
    out += (this.auth ? this.auth + '@' : '') + this.getRemote();
    if (this.path.length) out += this.getPath();
    if (this.query.members.length) out += '?' + this.getQueryString();
    return out + (this.hash !== undefined ? '#' + this.hash : '');
  };
  U.toJSON = U.toString;
  R.Url = Url;

  // Build the script-facing body: list fields become PropertyLists, the rest stays.
  function Body(raw) {
    var self = this;
    Object.assign(this, raw || {});
    this._pairs = {};
    ['urlencoded', 'formdata'].forEach(function (k) {
      if (Array.isArray(self[k])) {
        self._pairs[k] = self[k].length > 0 && Array.isArray(self[k][0]);
        self[k] = new PropertyList(self[k], false);
      }
    });
  }
  Body.prototype.toString = function () {
    if (this.mode === 'raw') return this.raw || '';
    if (this.mode === 'urlencoded' && this.urlencoded) {
      return this.urlencoded.map((m) => encodeURIComponent(m.key) + '=' + encodeURIComponent(m.value)).join('&');
    }
    return '';
  };
  Body.prototype.isEmpty = function () {
    return !this.mode || (this.mode === 'raw' && !this.raw);
  };
  Body.prototype.update = function (v) {
    if (typeof v === 'string') {
      this.mode = 'raw';
      this.raw = v;
    } else Object.assign(this, new Body(v));
  };
  // Postman's shape ({key, value} members), as pm.sendRequest(pm.request) sends it.
  Body.prototype.toJSON = function () {
    return this.serialize(false);
  };
  // With asPairs, lists given as [k, v] pairs go back as pairs (the run loop's shape).
  Body.prototype.serialize = function (asPairs) {
    var out = {};
    var self = this;
    Object.keys(this).forEach(function (k) {
      if (k === '_pairs') return;
      var v = self[k];
      if (v instanceof PropertyList) {
        v = asPairs && self._pairs[k] ? v.all().map((m) => [m.key, m.value]) : v.members;
      }
      out[k] = v;
    });
    return out;
  };
  R.Body = Body;
})(globalThis.__runner);
