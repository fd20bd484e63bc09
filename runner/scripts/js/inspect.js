// Value formatting, type names and deep equality shared by the assertion library,
// console and the pm API. Written for runner; mimics chai's message style.
(function (R) {
  'use strict';

  var TRUNCATE = 40;
  var IDENT = /^[A-Za-z_$][\w$]*$/;

  // Lower-case type name as chai's `a()` understands it ('array', 'null', 'regexp', ...).
  function typeOf(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    var t = typeof v;
    if (t !== 'object') return t;
    var tag = Object.prototype.toString.call(v).slice(8, -1);
    return tag.toLowerCase();
  }

  R.typeOf = typeOf;

  var MAX_STRING = 200;

  // Quoted string for messages; very long ones (response bodies) are cut with '…'.
  function quote(s, limit) {
    s = String(s);
    if (limit && s.length > MAX_STRING) s = s.slice(0, MAX_STRING - 1) + '…';
    return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n') + "'";
  }

  // Join formatted items, stopping near the width limit with a "…(n)" marker like chai.
  function joinItems(items, limit) {
    var out = '';
    for (var i = 0; i < items.length; i++) {
      var piece = (i ? ', ' : '') + items[i];
      var rest = items.length - i;
      if (limit && i > 0 && out.length + piece.length > limit) return out + ', …(' + rest + ')';
      out += piece;
    }
    return out;
  }

  function keyText(k) {
    return IDENT.test(k) ? k : quote(k);
  }

  function fmtObject(v, depth, seen, limit) {
    var keys = Object.keys(v);
    if (!keys.length) return '{}';
    if (depth > 2) return '[Object]';
    var items = keys.map(function (k) {
      return keyText(k) + ': ' + fmt(v[k], depth + 1, seen, limit);
    });
    return '{ ' + joinItems(items, limit) + ' }';
  }

  function fmtArray(v, depth, seen, limit) {
    if (!v.length) return '[]';
    if (depth > 2) return '[Array]';
    var items = v.map(function (x) {
      return fmt(x, depth + 1, seen, limit);
    });
    return '[ ' + joinItems(items, limit) + ' ]';
  }

  function fmt(v, depth, seen, limit) {
    var t = typeOf(v);
    if (t === 'string') return quote(v, limit);
    if (t === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (t === 'bigint') return String(v) + 'n';
    if (t === 'function') return v.name ? '[Function ' + v.name + ']' : '[Function]';
    if (t === 'regexp') return String(v);
    if (t === 'date') return isNaN(v) ? 'Invalid Date' : v.toISOString();
    if (t === 'error') return v.name + ': ' + v.message;
    if (t === 'symbol') return v.toString();
    if (v === null || typeof v !== 'object') return String(v);
    if (seen.indexOf(v) >= 0) return '[Circular]';
    seen.push(v);
    var out = t === 'array' ? fmtArray(v, depth, seen, limit) : fmtObject(v, depth, seen, limit);
    seen.pop();
    return out;
  }

  // Chai-style short display of a value for assertion messages.
  R.display = function (v) {
    return fmt(v, 0, [], TRUNCATE);
  };

  // Full display (no truncation) for console output.
  R.displayFull = function (v) {
    return fmt(v, 0, [], 0);
  };

  // Console formatting: strings as-is, objects as JSON-like text.
  R.consoleText = function (args) {
    return Array.prototype.map
      .call(args, function (a) {
        if (typeof a === 'string') return a;
        if (a && typeof a === 'object' && !(a instanceof Error)) {
          try {
            return JSON.stringify(a);
          } catch (e) {
            return R.displayFull(a);
          }
        }
        return R.displayFull(a);
      })
      .join(' ');
  };

  function sameKeys(a, b) {
    var ka = Object.keys(a);
    var kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (var i = 0; i < ka.length; i++) {
      if (!Object.prototype.hasOwnProperty.call(b, ka[i])) return false;
    }
    return ka;
  }

  // Deep equality like chai's eql: same type, same own enumerable keys, recursive.
  function deepEqual(a, b, stack) {
    if (a === b) return a !== 0 || 1 / a === 1 / b;
    if (a !== a && b !== b) return true;
    var ta = typeOf(a);
    if (ta !== typeOf(b) || typeof a !== 'object' || a === null) return false;
    if (ta === 'date') return a.getTime() === b.getTime();
    if (ta === 'regexp') return String(a) === String(b);
    if (stack.indexOf(a) >= 0) return true;
    if (ta === 'array' && a.length !== b.length) return false;
    var keys = sameKeys(a, b);
    if (!keys) return false;
    stack.push(a);
    for (var i = 0; i < keys.length; i++) {
      if (!deepEqual(a[keys[i]], b[keys[i]], stack)) {
        stack.pop();
        return false;
      }
    }
    stack.pop();
    return true;
  }

  R.deepEqual = function (a, b) {
    return deepEqual(a, b, []);
  };
})(globalThis.__runner);
