// xml2Json(text): the legacy sandbox helper. A small XML reader written for runner that
// gives the same shape as xml2js with {explicitArray: false, trim: true}: the root
// element as the single key, attributes under "$", text under "_" when an element
// also has attributes or children, repeated children as arrays.
(function (R) {
  'use strict';

  var ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

  function decode(text) {
    return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, function (whole, name) {
      if (name[0] === '#') {
        var code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return String.fromCodePoint(code);
      }
      return Object.prototype.hasOwnProperty.call(ENTITIES, name) ? ENTITIES[name] : whole;
    });
  }

  function Reader(text) {
    this.text = text;
    this.pos = 0;
  }
  Reader.prototype.fail = function (what) {
    throw new Error('xml2Json: ' + what + ' at offset ' + this.pos);
  };
  // Skip declarations, comments, doctype and processing instructions.
  Reader.prototype.skipMarkup = function () {
    var t = this.text;
    for (;;) {
      var rest = t.slice(this.pos).match(/^\s*(<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)/i);
      if (!rest) return;
      this.pos += rest[0].length;
    }
  };
  Reader.prototype.element = function () {
    this.skipMarkup();
    var open = /^\s*<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(this.text.slice(this.pos));
    if (!open) this.fail('expected an element');
    this.pos += open[0].length;
    var el = { name: open[1], attrs: {}, kids: [], text: '' };
    open[2].replace(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g, function (m, k, v1, v2) {
      el.attrs[k] = decode(v1 !== undefined ? v1 : v2);
    });
    if (open[3]) return el;
    this.content(el);
    return el;
  };
  Reader.prototype.content = function (el) {
    var t = this.text;
    for (;;) {
      var lt = t.indexOf('<', this.pos);
      if (lt < 0) this.fail('missing </' + el.name + '>');
      el.text += decode(t.slice(this.pos, lt));
      this.pos = lt;
      if (t.startsWith('<![CDATA[', lt)) {
        var end = t.indexOf(']]>', lt);
        el.text += t.slice(lt + 9, end);
        this.pos = end + 3;
      } else if (t.startsWith('<!--', lt) || t.startsWith('<?', lt)) {
        this.skipMarkup();
      } else if (t.startsWith('</', lt)) {
        var close = t.indexOf('>', lt);
        if (t.slice(lt + 2, close).trim() !== el.name) this.fail('expected </' + el.name + '>');
        this.pos = close + 1;
        return;
      } else {
        el.kids.push(this.element());
      }
    }
  };

  function shape(el) {
    var text = el.text.trim();
    var hasAttrs = Object.keys(el.attrs).length > 0;
    if (!hasAttrs && !el.kids.length) return text;
    var out = {};
    if (hasAttrs) out.$ = el.attrs;
    if (text) out._ = text;
    el.kids.forEach(function (kid) {
      var v = shape(kid);
      if (!Object.prototype.hasOwnProperty.call(out, kid.name)) out[kid.name] = v;
      else out[kid.name] = [].concat(out[kid.name], [v]);
    });
    return out;
  }

  globalThis.xml2Json = function (text) {
    var root = new Reader(String(text)).element();
    var out = {};
    out[root.name] = shape(root);
    return out;
  };
  R.xml2Json = globalThis.xml2Json;
})(globalThis.__runner);
