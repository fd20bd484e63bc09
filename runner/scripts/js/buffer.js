// A minimal Node-style Buffer (from/alloc/concat/isBuffer/byteLength and
// toString('utf8'|'base64'|'hex'|'latin1')), enough for the base64/hex encoding that
// scripts do with it. Written for runner.
(function (R) {
  'use strict';

  function binaryOf(text, enc) {
    enc = String(enc || 'utf8').toLowerCase();
    if (enc === 'utf8' || enc === 'utf-8') return unescape(encodeURIComponent(text));
    if (enc === 'base64') return atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    if (enc === 'hex') return text.replace(/[0-9a-f]{2}/gi, (h) => String.fromCharCode(parseInt(h, 16)));
    if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') return text;
    throw new TypeError('Unknown encoding: ' + enc);
  }

  class Buffer extends Uint8Array {
    static from(value, enc) {
      if (typeof value === 'string') {
        var bin = binaryOf(value, enc);
        var buf = new Buffer(bin.length);
        for (var i = 0; i < bin.length; i++) buf[i] = bin.charCodeAt(i);
        return buf;
      }
      if (value instanceof ArrayBuffer) return new Buffer(value);
      return new Buffer(Array.from(value || []));
    }
    static alloc(size, fill) {
      var buf = new Buffer(size);
      if (fill !== undefined) buf.fill(typeof fill === 'number' ? fill : Buffer.from(String(fill))[0]);
      return buf;
    }
    static isBuffer(v) {
      return v instanceof Buffer;
    }
    static byteLength(text, enc) {
      return typeof text === 'string' ? binaryOf(text, enc).length : text.length;
    }
    static concat(list) {
      var all = [];
      list.forEach((b) => all.push.apply(all, Array.from(b)));
      return Buffer.from(all);
    }
    toString(enc) {
      enc = String(enc || 'utf8').toLowerCase();
      var bin = '';
      for (var i = 0; i < this.length; i++) bin += String.fromCharCode(this[i]);
      if (enc === 'utf8' || enc === 'utf-8') return decodeURIComponent(escape(bin));
      if (enc === 'base64') return btoa(bin);
      if (enc === 'hex') return Array.from(this, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
      if (enc === 'latin1' || enc === 'binary' || enc === 'ascii') return bin;
      throw new TypeError('Unknown encoding: ' + enc);
    }
    toJSON() {
      return { type: 'Buffer', data: Array.from(this) };
    }
  }
  globalThis.Buffer = Buffer;
  R.Buffer = Buffer;
})(globalThis.__runner);
