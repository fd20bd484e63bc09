// Variable scopes (pm.environment, pm.collectionVariables, pm.globals, pm.variables,
// pm.iterationData). They read and write the current run's dicts (R.cur.vars) and mark
// a scope dirty so only changed scopes travel back to Python.
(function (R) {
  'use strict';

  // 'overrides': a native collection's --var values, above the data row (Python's `cli`);
  // 'folder': its folder variables (read-only: no pm scope writes them).
  var ORDER = ['locals', 'overrides', 'data', 'environment', 'folder', 'collection', 'globals'];
  var own = Object.prototype.hasOwnProperty;

  function store(scope) {
    return R.cur.vars[scope];
  }

  // Value of `key` by Postman's precedence, or undefined.
  R.lookup = function (key) {
    for (var i = 0; i < ORDER.length; i++) {
      var d = store(ORDER[i]);
      if (d && own.call(d, key)) return d[key];
    }
    return undefined;
  };

  // Replace {{name}} by its value (stringified); unknown names stay as written.
  R.replaceIn = function (text) {
    if (typeof text !== 'string') return text;
    return text.replace(/\{\{([^{}]+)\}\}/g, function (whole, name) {
      var v = R.lookup(name);
      if (v === undefined && Object.prototype.hasOwnProperty.call(R.dynamic, name)) return R.dynamic[name]();
      if (v === undefined) return whole;
      return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
    });
  };

  function mirror(scope, key, value, remove) {
    var legacy = R.cur.legacy[scope];
    if (!legacy) return;
    if (remove) delete legacy[key];
    else legacy[key] = value;
  }

  // A --var value is an environment value: once a script sets or unsets that name in the
  // environment, the script's choice counts (as with Newman's --env-var), not --var's.
  function overridden(scope, key) {
    var given = store('overrides');
    if (scope !== 'environment' || !given || !own.call(given, key)) return;
    delete given[key];
    R.cur.dirty.overrides = true;
  }

  function Scope(name, label) {
    this._name = name;
    this._label = label;
  }
  Scope.prototype.get = function (key) {
    var d = store(this._name);
    return own.call(d, key) ? d[key] : undefined;
  };
  Scope.prototype.has = function (key) {
    return own.call(store(this._name), key);
  };
  Scope.prototype.set = function (key, value) {
    if (this._name === 'data') throw new Error(this._label + '.set is not supported: iteration data is read-only');
    store(this._name)[key] = value;
    R.cur.dirty[this._name] = true;
    overridden(this._name, key);
    mirror(this._name, key, value, false);
  };
  Scope.prototype.unset = function (key) {
    if (this._name === 'data') throw new Error(this._label + '.unset is not supported: iteration data is read-only');
    delete store(this._name)[key];
    R.cur.dirty[this._name] = true;
    overridden(this._name, key);
    mirror(this._name, key, undefined, true);
  };
  Scope.prototype.clear = function () {
    var self = this;
    Object.keys(store(this._name)).forEach(function (k) {
      self.unset(k);
    });
  };
  Scope.prototype.toObject = function () {
    return Object.assign({}, store(this._name));
  };
  Scope.prototype.toJSON = function () {
    var d = store(this._name);
    return {
      values: Object.keys(d).map(function (k) {
        return { key: k, value: d[k] };
      }),
    };
  };
  Scope.prototype.replaceIn = function (text) {
    return R.replaceIn(text);
  };

  // pm.variables: reads across all scopes, writes the local (highest) scope.
  function Variables() {
    Scope.call(this, 'locals', 'pm.variables');
  }
  Variables.prototype = Object.create(Scope.prototype);
  Variables.prototype.get = function (key) {
    return R.lookup(key);
  };
  Variables.prototype.has = function (key) {
    return R.lookup(key) !== undefined || ORDER.some((s) => own.call(store(s), key));
  };
  Variables.prototype.toObject = function () {
    var out = {};
    ORDER.slice().reverse().forEach(function (s) {
      Object.assign(out, store(s));
    });
    return out;
  };

  R.scopes = {
    environment: new Scope('environment', 'pm.environment'),
    collectionVariables: new Scope('collection', 'pm.collectionVariables'),
    globals: new Scope('globals', 'pm.globals'),
    iterationData: new Scope('data', 'pm.iterationData'),
    variables: new Variables(),
  };

  // Legacy postman.set*Variable stringifies values (except falsy non-false ones) like Newman.
  R.legacyValue = function (v) {
    if ((v === false || v) && typeof v.toString === 'function') return v.toString();
    return v;
  };
})(globalThis.__runner);
