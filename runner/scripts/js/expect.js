// A chai-compatible BDD `expect` written for runner: the Assertion object, flags,
// language chains and the simple value assertions. More assertions: expect_more.js.
(function (R) {
  'use strict';

  function AssertionError(message) {
    var e = new Error(message);
    Object.setPrototypeOf(e, AssertionError.prototype);
    return e;
  }
  AssertionError.prototype = Object.create(Error.prototype);
  AssertionError.prototype.constructor = AssertionError;
  AssertionError.prototype.name = 'AssertionError';
  R.AssertionError = AssertionError;

  function Assertion(obj, msg) {
    Object.defineProperty(this, '__s', { value: { obj: obj, msg: msg }, writable: true });
  }
  var P = Assertion.prototype;
  R.Assertion = Assertion;

  function render(tpl, a, exp, act) {
    return tpl
      .replace(/#\{this\}/g, function () {
        return R.display(a.__s.obj);
      })
      .replace(/#\{exp\}/g, function () {
        return R.display(exp);
      })
      .replace(/#\{act\}/g, function () {
        return R.display(act);
      });
  }

  // Throw an AssertionError unless `ok` (inverted by the `not` flag).
  P.assert = function (ok, tpl, negTpl, exp, act) {
    var s = this.__s;
    if (s.neg ? !ok : ok) return this;
    var text = render(s.neg ? negTpl : tpl, this, exp, act);
    throw AssertionError(s.msg ? s.msg + ': ' + text : text);
  };

  // Make `name` both a chain word (property access) and a callable assertion.
  R.chainable = function (names, method, onChain) {
    names.forEach(function (name) {
      Object.defineProperty(P, name, {
        configurable: true,
        get: function () {
          var self = this;
          if (onChain) onChain.call(self);
          var f = function () {
            return method.apply(self, arguments);
          };
          delete f.length;
          delete f.name;
          Object.setPrototypeOf(f, self);
          return f;
        },
      });
    });
  };

  R.method = function (names, fn) {
    names.forEach(function (n) {
      Object.defineProperty(P, n, { configurable: true, writable: true, value: fn });
    });
  };

  R.property = function (names, fn) {
    names.forEach(function (n) {
      Object.defineProperty(P, n, {
        configurable: true,
        get: function () {
          var r = fn.call(this);
          return r === undefined ? this : r;
        },
      });
    });
  };

  var chains = ['to', 'be', 'been', 'is', 'that', 'which', 'and', 'has', 'have', 'with', 'at'];
  chains.concat(['of', 'same', 'but', 'does', 'still', 'also']).forEach(function (n) {
    Object.defineProperty(P, n, {
      get: function () {
        return this;
      },
    });
  });
  function flag(name, value, extra) {
    R.property([name], function () {
      this.__s[name === 'not' ? 'neg' : name] = value;
      if (extra) extra(this.__s);
    });
  }
  flag('not', true);
  flag('deep', true);
  flag('nested', true);
  flag('own', true);
  flag('ordered', true);
  flag('any', true, function (s) {
    s.all = false;
  });
  flag('all', true, function (s) {
    s.any = false;
  });

  function article(t) {
    return /^[aeiou]/i.test(t) ? 'an ' : 'a ';
  }
  R.chainable(['a', 'an'], function (type, msg) {
    if (msg) this.__s.msg = msg;
    var want = String(type).toLowerCase();
    var tpl = 'expected #{this} to be ' + article(want) + want;
    var neg = 'expected #{this} not to be ' + article(want) + want;
    return this.assert(R.typeOf(this.__s.obj) === want, tpl, neg);
  });

  function simple(names, test, tpl, negTpl) {
    R.property(names, function () {
      this.assert(test(this.__s.obj), tpl, negTpl);
    });
  }
  simple(['ok'], Boolean, 'expected #{this} to be truthy', 'expected #{this} to be falsy');
  simple(['true'], (v) => v === true, 'expected #{this} to be true', 'expected #{this} to be false');
  simple(['false'], (v) => v === false, 'expected #{this} to be false', 'expected #{this} to be true');
  simple(['null'], (v) => v === null, 'expected #{this} to be null', 'expected #{this} not to be null');
  var isUndef = (v) => v === undefined;
  simple(['undefined'], isUndef, 'expected #{this} to be undefined', 'expected #{this} not to be undefined');
  simple(['NaN'], Number.isNaN, 'expected #{this} to be NaN', 'expected #{this} not to be NaN');
  var isFinite = (v) => typeof v === 'number' && Number.isFinite(v);
  simple(['finite'], isFinite, 'expected #{this} to be a finite number', 'expected #{this} to not be a finite number');
  var exists = (v) => v !== null && v !== undefined;
  simple(['exist', 'exists'], exists, 'expected #{this} to exist', 'expected #{this} to not exist');

  R.property(['empty'], function () {
    var v = this.__s.obj;
    var t = R.typeOf(v);
    var size;
    if (t === 'string' || t === 'array') size = v.length;
    else if (t === 'map' || t === 'set') size = v.size;
    else if (v !== null && typeof v === 'object') size = Object.keys(v).length;
    else throw new TypeError('.empty was passed non-string primitive ' + R.display(v));
    this.assert(size === 0, 'expected #{this} to be empty', 'expected #{this} not to be empty');
  });

  function equal(val, msg) {
    if (msg) this.__s.msg = msg;
    if (this.__s.deep) return eql.call(this, val);
    var ok = this.__s.obj === val || (val !== val && this.__s.obj !== this.__s.obj);
    return this.assert(ok, 'expected #{this} to equal #{exp}', 'expected #{this} to not equal #{exp}', val);
  }
  function eql(val, msg) {
    if (msg) this.__s.msg = msg;
    var ok = R.deepEqual(this.__s.obj, val);
    var tpl = 'expected #{this} to deeply equal #{exp}';
    return this.assert(ok, tpl, 'expected #{this} to not deeply equal #{exp}', val);
  }
  R.method(['equal', 'equals', 'eq'], equal);
  R.method(['eql', 'eqls'], eql);

  // Subject for ordering checks: the value itself or its length with the `length` flag.
  function measured(a) {
    var s = a.__s;
    if (s.doLength) {
      if (s.obj === null || s.obj === undefined) {
        throw AssertionError('expected ' + R.display(s.obj) + ' to have property \'length\'');
      }
      return s.obj.size !== undefined && typeof s.obj !== 'string' ? s.obj.size : s.obj.length;
    }
    var t = R.typeOf(s.obj);
    if (t !== 'number' && t !== 'date') {
      var text = 'expected ' + R.display(s.obj) + ' to be a number or a date';
      throw AssertionError(s.msg ? s.msg + ': ' + text : text);
    }
    return s.obj;
  }
  function order(names, cmp, word, negWord) {
    R.method(names, function (n, msg) {
      if (msg) this.__s.msg = msg;
      var v = measured(this);
      if (this.__s.doLength) {
        var t = 'expected #{this} to have a length ' + word + ' #{exp} but got #{act}';
        return this.assert(cmp(v, n), t, 'expected #{this} to not have a length ' + word + ' #{exp}', n, v);
      }
      var tpl = 'expected #{this} to be ' + word + ' #{exp}';
      return this.assert(cmp(v, n), tpl, 'expected #{this} to be ' + negWord + ' #{exp}', n);
    });
  }
  order(['above', 'gt', 'greaterThan'], (a, b) => a > b, 'above', 'at most');
  order(['least', 'gte', 'greaterThanOrEqual'], (a, b) => a >= b, 'at least', 'below');
  order(['below', 'lt', 'lessThan'], (a, b) => a < b, 'below', 'at least');
  order(['most', 'lte', 'lessThanOrEqual'], (a, b) => a <= b, 'at most', 'above');

  R.method(['within'], function (lo, hi, msg) {
    if (msg) this.__s.msg = msg;
    var v = measured(this);
    var range = lo + '..' + hi;
    var what = this.__s.doLength ? 'to have a length within ' : 'to be within ';
    return this.assert(v >= lo && v <= hi, 'expected #{this} ' + what + range, 'expected #{this} to not be within ' + range);
  });

  R.chainable(
    ['length', 'lengthOf'],
    function (n, msg) {
      if (msg) this.__s.msg = msg;
      var v = this.__s.obj;
      var len = v === null || v === undefined ? undefined : typeof v.size === 'number' ? v.size : v.length;
      var tpl = 'expected #{this} to have a length of #{exp} but got #{act}';
      return this.assert(len === n, tpl, 'expected #{this} to not have a length of #{act}', n, len);
    },
    function () {
      this.__s.doLength = true;
    }
  );

  function distance(a, b) {
    var row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (var i = 1; i <= a.length; i++) {
      var prev = row[0];
      row[0] = i;
      for (var j = 1; j <= b.length; j++) {
        var tmp = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return row[b.length];
  }

  // Like chai 4: reading an unknown property (a typo such as `.to.be.sucess`) throws
  // instead of silently passing. Misses on an assertion fall through to this proxy.
  var ALLOWED = ['then', 'inspect', 'toJSON', 'showDiff', 'nodeType', 'asymmetricMatch', 'length'];
  Object.setPrototypeOf(
    P,
    new Proxy(Object.prototype, {
      get: function (target, key, recv) {
        if (typeof key === 'symbol' || key in target || ALLOWED.indexOf(key) >= 0) return Reflect.get(target, key, recv);
        var near = Object.getOwnPropertyNames(P).filter((n) => n !== 'assert' && distance(n, key) <= 2)[0];
        throw new Error('Invalid Chai property: ' + key + (near ? '. Did you mean "' + near + '"?' : ''));
      },
    })
  );

  R.expect = function (obj, msg) {
    return new Assertion(obj, msg);
  };
})(globalThis.__runner);
