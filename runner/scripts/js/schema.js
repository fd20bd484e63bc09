// A small JSON Schema check for .jsonSchema(): type, enum, const, properties, required,
// additionalProperties, items, min/max(Length|Items), minimum/maximum, pattern, allOf,
// anyOf, oneOf, not and local $ref. Messages follow ajv 6 ("data.alpha should be boolean").
(function (R) {
  'use strict';

  var IDENT = /^[A-Za-z_$][\w$]*$/;

  function jsonType(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    return typeof v;
  }
  function typeOk(v, t) {
    if (t === 'integer') return Number.isInteger(v);
    if (t === 'number') return typeof v === 'number';
    return jsonType(v) === t;
  }
  function child(path, key) {
    if (typeof key === 'number') return path + '[' + key + ']';
    return IDENT.test(key) ? path + '.' + key : path + "['" + key + "']";
  }
  function resolve(root, ref) {
    if (ref.indexOf('#') !== 0) throw new Error('jsonSchema: only local $ref is supported, got ' + ref);
    return ref
      .slice(2)
      .split('/')
      .filter(Boolean)
      .reduce((s, k) => s[k.replace(/~1/g, '/').replace(/~0/g, '~')], root);
  }

  var CHECKS = [
    function (s, v) {
      if (s.type === undefined) return null;
      var types = Array.isArray(s.type) ? s.type : [s.type];
      return types.some((t) => typeOk(v, t)) ? null : 'should be ' + types.join(',');
    },
    (s, v) => (s.enum && !s.enum.some((e) => R.deepEqual(e, v)) ? 'should be equal to one of the allowed values' : null),
    (s, v) => ('const' in s && !R.deepEqual(s.const, v) ? 'should be equal to constant' : null),
    (s, v) => (typeof v === 'number' && s.minimum !== undefined && v < s.minimum ? 'should be >= ' + s.minimum : null),
    (s, v) => (typeof v === 'number' && s.maximum !== undefined && v > s.maximum ? 'should be <= ' + s.maximum : null),
    (s, v) => (typeof v === 'string' && v.length < s.minLength ? 'should NOT be shorter than ' + s.minLength + ' characters' : null),
    (s, v) => (typeof v === 'string' && v.length > s.maxLength ? 'should NOT be longer than ' + s.maxLength + ' characters' : null),
    (s, v) => (typeof v === 'string' && s.pattern && !new RegExp(s.pattern).test(v) ? 'should match pattern "' + s.pattern + '"' : null),
    (s, v) => (Array.isArray(v) && v.length < s.minItems ? 'should NOT have fewer than ' + s.minItems + ' items' : null),
    (s, v) => (Array.isArray(v) && v.length > s.maxItems ? 'should NOT have more than ' + s.maxItems + ' items' : null),
  ];

  // First error for `v` against schema `s`, or null.
  function check(root, s, v, path) {
    if (s === true || s === undefined) return null;
    if (s === false) return path + ' boolean schema is false';
    if (s.$ref) return check(root, resolve(root, s.$ref), v, path);
    for (var i = 0; i < CHECKS.length; i++) {
      var msg = CHECKS[i](s, v);
      if (msg) return path + ' ' + msg;
    }
    return checkObject(root, s, v, path) || checkArray(root, s, v, path) || checkCombos(root, s, v, path);
  }

  function checkObject(root, s, v, path) {
    if (jsonType(v) !== 'object') return null;
    var req = s.required || [];
    for (var i = 0; i < req.length; i++) {
      if (!(req[i] in v)) return path + " should have required property '" + req[i] + "'";
    }
    var props = s.properties || {};
    var keys = Object.keys(v);
    for (var j = 0; j < keys.length; j++) {
      var k = keys[j];
      if (k in props) {
        var err = check(root, props[k], v[k], child(path, k));
        if (err) return err;
      } else if (s.additionalProperties === false) return path + ' should NOT have additional properties';
      else if (typeof s.additionalProperties === 'object') {
        var e2 = check(root, s.additionalProperties, v[k], child(path, k));
        if (e2) return e2;
      }
    }
    return null;
  }

  function checkArray(root, s, v, path) {
    if (!Array.isArray(v) || !s.items) return null;
    for (var i = 0; i < v.length; i++) {
      var item = Array.isArray(s.items) ? s.items[i] : s.items;
      var err = check(root, item, v[i], child(path, i));
      if (err) return err;
    }
    return null;
  }

  function checkCombos(root, s, v, path) {
    var passes = (list) => list.filter((x) => !check(root, x, v, path)).length;
    if (s.allOf) {
      for (var i = 0; i < s.allOf.length; i++) {
        var err = check(root, s.allOf[i], v, path);
        if (err) return err;
      }
    }
    if (s.anyOf && passes(s.anyOf) === 0) return path + ' should match some schema in anyOf';
    if (s.oneOf && passes(s.oneOf) !== 1) return path + ' should match exactly one schema in oneOf';
    if (s.not && !check(root, s.not, v, path)) return path + ' should NOT be valid';
    return null;
  }

  // List of error texts (empty when valid).
  R.validateSchema = function (schema, data) {
    var err = check(schema, schema, data, 'data');
    return err ? [err] : [];
  };
})(globalThis.__runner);
