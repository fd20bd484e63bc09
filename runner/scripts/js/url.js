// Minimal WHATWG-style URL and URLSearchParams (bare V8 has neither; Postman's
// sandbox does). Covers parsing, the usual properties and query editing; no IDNA or
// full percent-encoding normalisation. Written for runner.
(function (R) {
  'use strict';

  function decodeForm(s) {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch (e) {
      return s;
    }
  }
  function encodeForm(s) {
    return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  }

  class URLSearchParams {
    constructor(init) {
      this._list = [];
      this._owner = null;
      if (typeof init === 'string') this._parse(init);
      else if (init instanceof URLSearchParams) this._list = init._list.map((p) => p.slice());
      else if (Array.isArray(init)) this._list = init.map((p) => [String(p[0]), String(p[1])]);
      else if (init && typeof init === 'object') this._list = Object.keys(init).map((k) => [k, String(init[k])]);
    }
    _parse(text) {
      this._list = text
        .replace(/^\?/, '')
        .split('&')
        .filter(Boolean)
        .map(function (pair) {
          var i = pair.indexOf('=');
          return i < 0 ? [decodeForm(pair), ''] : [decodeForm(pair.slice(0, i)), decodeForm(pair.slice(i + 1))];
        });
    }
    _changed() {
      if (this._owner) this._owner._search = this._list.length ? '?' + this.toString() : '';
    }
    get size() {
      return this._list.length;
    }
    get(k) {
      var p = this._list.find((x) => x[0] === String(k));
      return p ? p[1] : null;
    }
    getAll(k) {
      return this._list.filter((x) => x[0] === String(k)).map((x) => x[1]);
    }
    has(k) {
      return this._list.some((x) => x[0] === String(k));
    }
    append(k, v) {
      this._list.push([String(k), String(v)]);
      this._changed();
    }
    // Replace the first pair named k and drop the others (or append one).
    set(k, v) {
      k = String(k);
      v = String(v);
      var found = false;
      this._list = this._list.filter(function (x) {
        if (x[0] !== k) return true;
        if (found) return false;
        found = true;
        x[1] = v;
        return true;
      });
      if (!found) this._list.push([k, v]);
      this._changed();
    }
    delete(k) {
      this._list = this._list.filter((x) => x[0] !== String(k));
      this._changed();
    }
    sort() {
      this._list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this._changed();
    }
    forEach(fn, self) {
      this._list.forEach((p) => fn.call(self, p[1], p[0], this));
    }
    entries() {
      return this._list.map((p) => p.slice())[Symbol.iterator]();
    }
    keys() {
      return this._list.map((p) => p[0])[Symbol.iterator]();
    }
    values() {
      return this._list.map((p) => p[1])[Symbol.iterator]();
    }
    [Symbol.iterator]() {
      return this.entries();
    }
    toString() {
      return this._list.map((p) => encodeForm(p[0]) + '=' + encodeForm(p[1])).join('&');
    }
  }

  var URL_RE = /^([A-Za-z][\w+.-]*:)\/\/(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)(\?[^#]*)?(#.*)?$/;
  var DEFAULT_PORTS = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21' };

  class URL {
    constructor(text, base) {
      text = String(text);
      if (base !== undefined && !/^[A-Za-z][\w+.-]*:\/\//.test(text)) {
        var b = new URL(base);
        text = text.charAt(0) === '/' ? b.origin + text : b.origin + b.pathname.replace(/[^/]*$/, '') + text;
      }
      var m = URL_RE.exec(text.trim());
      if (!m) throw new TypeError('Invalid URL: ' + text);
      this.protocol = m[1].toLowerCase();
      this.username = m[2] || '';
      this.password = m[3] || '';
      this.hostname = m[4].toLowerCase();
      this.port = m[5] && m[5] !== DEFAULT_PORTS[this.protocol] ? m[5] : '';
      this.pathname = m[6] || '/';
      this._search = m[7] && m[7] !== '?' ? m[7] : '';
      this.hash = m[8] && m[8] !== '#' ? m[8] : '';
      this.searchParams = new URLSearchParams(this._search);
      this.searchParams._owner = this;
    }
    get search() {
      return this._search;
    }
    set search(v) {
      v = String(v);
      this._search = v && v !== '?' ? (v[0] === '?' ? v : '?' + v) : '';
      this.searchParams._parse(this._search);
    }
    get host() {
      return this.hostname + (this.port ? ':' + this.port : '');
    }
    get origin() {
      return this.protocol + '//' + this.host;
    }
    get href() {
      var auth = this.username ? this.username + (this.password ? ':' + this.password : '') + '@' : '';
      return this.protocol + '//' + auth + this.host + this.pathname + this._search + this.hash;
    }
    toString() {
      return this.href;
    }
    toJSON() {
      return this.href;
    }
  }

  globalThis.URL = URL;
  globalThis.URLSearchParams = URLSearchParams;
  R.WebURL = URL;
})(globalThis.__runner);
