// The structural chai assertions: include, property, keys, members, oneOf, match,
// string, satisfy, closeTo, instanceof and throw. Written for runner.
(function (R) {
  'use strict';

  function has(list, item, deep) {
    for (var i = 0; i < list.length; i++) {
      if (deep ? R.deepEqual(list[i], item) : list[i] === item || (item !== item && list[i] !== list[i])) {
        return true;
      }
    }
    return false;
  }

  function withMsg(a, msg) {
    if (msg) a.__s.msg = msg;
  }

  function includeObject(a, val) {
    var s = a.__s;
    var keys = Object.keys(val);
    var ok = keys.every(function (k) {
      return k in Object(s.obj) && (s.deep ? R.deepEqual(s.obj[k], val[k]) : s.obj[k] === val[k]);
    });
    if (s.neg || ok) {
      var word = s.deep ? 'deep ' : '';
      return a.assert(ok, 'expected #{this} to have ' + word + 'properties #{exp}', 'expected #{this} to not ' + word + 'include #{exp}', val);
    }
    // Report the first mismatching property the way chai's property assertion does.
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i];
      if (!(k in Object(s.obj))) a.assert(false, 'expected #{this} to have property ' + R.display(k));
      a.assert(
        s.deep ? R.deepEqual(s.obj[k], val[k]) : s.obj[k] === val[k],
        'expected #{this} to have property ' + R.display(k) + ' of #{exp}, but got #{act}',
        '',
        val[k],
        s.obj[k]
      );
    }
  }

  function include(val, msg) {
    withMsg(this, msg);
    var s = this.__s;
    var t = R.typeOf(s.obj);
    var word = s.deep ? 'deep include' : 'include';
    var tpl = 'expected #{this} to ' + word + ' #{exp}';
    var neg = 'expected #{this} to not ' + word + ' #{exp}';
    if (t === 'string') return this.assert(s.obj.indexOf(val) !== -1, tpl, neg, val);
    if (t === 'array') return this.assert(has(s.obj, val, s.deep), tpl, neg, val);
    if (t === 'set') return this.assert(has(Array.from(s.obj), val, s.deep), tpl, neg, val);
    if (t === 'map') return this.assert(has(Array.from(s.obj.values()), val, s.deep), tpl, neg, val);
    if (s.obj !== null && typeof s.obj === 'object' && val !== null && typeof val === 'object') {
      return includeObject(this, val);
    }
    var text = 'the given combination of arguments (' + t + ' and ' + R.typeOf(val) + ') is invalid for this assertion. ';
    throw R.AssertionError(text + 'You can use an array, a map, an object, a set, a string, or a weakset instead of a ' + R.typeOf(val));
  }
  R.chainable(['include', 'includes', 'contain', 'contains'], include, function () {
    this.__s.contains = true;
  });

  // Follow "a.b[0].c" through nested objects; returns {found, value}.
  function nestedGet(obj, path) {
    var parts = String(path).replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
    var cur = obj;
    for (var i = 0; i < parts.length; i++) {
      if (cur === null || cur === undefined || !(parts[i] in Object(cur))) return { found: false };
      cur = cur[parts[i]];
    }
    return { found: true, value: cur };
  }

  function property(name, val, msg) {
    var s = this.__s;
    var withValue = arguments.length > 1;
    withMsg(this, msg);
    if (s.obj === null || s.obj === undefined) {
      throw R.AssertionError((s.msg ? s.msg + ': ' : '') + 'Target cannot be null or undefined.');
    }
    var got = s.nested
      ? nestedGet(s.obj, name)
      : { found: s.own ? Object.prototype.hasOwnProperty.call(s.obj, name) : name in Object(s.obj), value: s.obj[name] };
    var desc = (s.deep ? 'deep ' : '') + (s.own ? 'own ' : '') + (s.nested ? 'nested ' : '') + 'property ';
    var pname = R.display(name);
    if (!withValue || !s.neg) {
      this.assert(got.found, 'expected #{this} to have ' + desc + pname, 'expected #{this} to not have ' + desc + pname);
    }
    if (withValue) {
      var same = got.found && (s.deep ? R.deepEqual(got.value, val) : got.value === val);
      var tpl = 'expected #{this} to have ' + desc + pname + ' of #{exp}, but got #{act}';
      this.assert(same, tpl, 'expected #{this} to not have ' + desc + pname + ' of #{act}', val, got.value);
    }
    s.obj = got.value;
    return this;
  }
  R.method(['property'], property);
  R.method(['ownProperty', 'haveOwnProperty'], function () {
    this.__s.own = true;
    return property.apply(this, arguments);
  });

  function keyList(args) {
    var first = args[0];
    if (Array.isArray(first)) return first.map(String);
    if (first !== null && typeof first === 'object') return Object.keys(first);
    return Array.prototype.map.call(args, String);
  }
  R.method(['keys', 'key'], function () {
    var s = this.__s;
    var want = keyList(arguments);
    var actual = R.typeOf(s.obj) === 'map' ? Array.from(s.obj.keys()) : Object.keys(Object(s.obj));
    if (!want.length) throw new Error('keys required');
    var present = want.filter((k) => actual.indexOf(k) !== -1);
    var ok = s.any ? present.length > 0 : present.length === want.length && (s.contains || actual.length === want.length);
    var shown = want.map((k) => R.display(k));
    var last = shown.pop();
    var text = shown.length ? shown.join(', ') + (s.any ? ', or ' : ', and ') + last : last;
    text = (want.length > 1 ? 'keys ' : 'key ') + text;
    text = (s.contains ? 'contain ' : 'have ') + text;
    return this.assert(ok, 'expected #{this} to ' + text, 'expected #{this} to not ' + text, want, actual);
  });

  R.method(['members'], function (set, msg) {
    withMsg(this, msg);
    var s = this.__s;
    if (!Array.isArray(s.obj)) throw R.AssertionError('expected ' + R.display(s.obj) + ' to be an array');
    var within = (sub, sup) => sub.every((x) => has(sup, x, s.deep));
    var ok;
    if (s.ordered) ok = s.obj.length === set.length && set.every((x, i) => (s.deep ? R.deepEqual(s.obj[i], x) : s.obj[i] === x));
    else if (s.contains) ok = within(set, s.obj);
    else ok = s.obj.length === set.length && within(set, s.obj) && within(s.obj, set);
    var what = s.contains ? 'be a superset of' : 'have the same ' + (s.ordered ? 'ordered ' : '') + (s.deep ? 'deep ' : '') + 'members as';
    return this.assert(ok, 'expected #{this} to ' + what + ' #{exp}', 'expected #{this} to not ' + what + ' #{exp}', set);
  });

  R.method(['oneOf'], function (list, msg) {
    withMsg(this, msg);
    var ok = has(list, this.__s.obj, this.__s.deep);
    return this.assert(ok, 'expected #{this} to be one of #{exp}', 'expected #{this} to not be one of #{exp}', list);
  });

  R.method(['match', 'matches'], function (re, msg) {
    withMsg(this, msg);
    var ok = re.test(String(this.__s.obj));
    return this.assert(ok, 'expected #{this} to match ' + re, 'expected #{this} not to match ' + re);
  });

  R.method(['string'], function (str, msg) {
    withMsg(this, msg);
    var ok = String(this.__s.obj).indexOf(str) !== -1;
    return this.assert(ok, 'expected #{this} to contain #{exp}', 'expected #{this} to not contain #{exp}', str);
  });

  R.method(['satisfy', 'satisfies'], function (fn, msg) {
    withMsg(this, msg);
    var shown = R.display(fn);
    return this.assert(Boolean(fn(this.__s.obj)), 'expected #{this} to satisfy ' + shown, 'expected #{this} to not satisfy ' + shown);
  });

  R.method(['closeTo', 'approximately'], function (exp, delta, msg) {
    withMsg(this, msg);
    var ok = Math.abs(this.__s.obj - exp) <= delta;
    var what = ' close to ' + exp + ' +/- ' + delta;
    return this.assert(ok, 'expected #{this} to be' + what, 'expected #{this} not to be' + what);
  });

  R.method(['instanceof', 'instanceOf'], function (ctor, msg) {
    withMsg(this, msg);
    var name = (ctor && ctor.name) || 'an unnamed constructor';
    var ok = this.__s.obj instanceof ctor;
    return this.assert(ok, 'expected #{this} to be an instance of ' + name, 'expected #{this} to not be an instance of ' + name);
  });

  R.method(['throw', 'throws', 'Throw'], function (errLike, errMsg, msg) {
    var s = this.__s;
    if (typeof errLike === 'string' || errLike instanceof RegExp) {
      msg = errMsg;
      errMsg = errLike;
      errLike = null;
    }
    withMsg(this, msg);
    if (typeof s.obj !== 'function') {
      throw R.AssertionError((s.msg ? s.msg + ': ' : '') + 'expected ' + R.display(s.obj) + ' to be a function');
    }
    var thrown = null;
    var caught = false;
    try {
      s.obj();
    } catch (e) {
      caught = true;
      thrown = e;
    }
    var text = thrown && thrown.message !== undefined ? thrown.message : String(thrown);
    if (errLike) {
      var isCtor = typeof errLike === 'function';
      var okType = caught && (isCtor ? thrown instanceof errLike : thrown === errLike);
      var name = isCtor ? errLike.name : R.display(errLike);
      this.assert(okType, 'expected #{this} to throw ' + name + (caught ? ' but #{act} was thrown' : ''), 'expected #{this} to not throw ' + name, errLike, thrown);
    }
    if (errMsg !== undefined && errMsg !== null) {
      var isRe = errMsg instanceof RegExp;
      var okMsg = caught && (isRe ? errMsg.test(text) : text.indexOf(errMsg) !== -1);
      var how = isRe ? 'matching' : 'including';
      this.assert(okMsg, 'expected #{this} to throw error ' + how + ' #{exp} but got #{act}', 'expected #{this} to throw error not ' + how + ' #{exp}', errMsg, text);
    }
    if (!errLike && (errMsg === undefined || errMsg === null)) {
      this.assert(caught, 'expected #{this} to throw an error', 'expected #{this} to not throw an error but #{act} was thrown', undefined, thrown);
    }
    s.obj = thrown;
    return this;
  });
})(globalThis.__runner);
