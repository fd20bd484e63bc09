// require(): a small CommonJS loader over module files that Python resolved (R.addModules):
// node_modules folders and the pinned npm libraries of Postman's sandbox (lodash, moment,
// chai, the browser polyfills of Node's built-ins...). Also the lazy library globals
// Postman offers (_ , CryptoJS, tv4, cheerio, Buffer), loaded on first touch.
(function (R) {
  'use strict';

  var files = {};
  var links = {};
  var entries = {};
  var failed = {};
  var cache = {};
  // Captured now: addModules runs before a script's globals are reset (see runtime.js).
  var parse = JSON.parse;
  var assign = Object.assign;
  var keys = Object.keys;
  var loading = 0; // > 0 while a module body runs (libraries peek at globals such as `_`)
  var BUILTINS = ['crypto', 'fs', 'zlib', 'http', 'https', 'os', 'child_process', 'net', 'tls', 'dns', 'vm'];

  // Register module sources: {files: {path: text}, links: {path: {spec: path}},
  // entries: {name: path}, failed: {name: why it could not be provided}}.
  R.addModules = function (json) {
    var m = parse(json);
    assign(files, m.files);
    keys(m.links).forEach((p) => (links[p] = assign(links[p] || {}, m.links[p])));
    assign(entries, m.entries);
    assign(failed, m.failed || {});
  };

  function notFound(spec) {
    var base = spec.split('/')[0];
    var pkg = spec.charAt(0) === '@' ? spec.split('/').slice(0, 2).join('/') : base;
    if (failed[spec] || failed[pkg]) {
      var f = new Error("require('" + spec + "'): " + (failed[spec] || failed[pkg]));
      f.code = 'MODULE_NOT_FOUND';
      return f;
    }
    if (BUILTINS.indexOf(base) >= 0) {
      var e = new Error("require('" + spec + "'): the Node built-in module '" + base + "' is not available in Postman's sandbox nor in runner");
      e.runnerApi = "require('" + spec + "')";
      return e;
    }
    var err = new Error(
      "require('" + spec + "'): module not found; it is not one of the libraries of Postman's sandbox: install it with `npm install " + pkg + '` next to the collection or pass --module-path'
    );
    err.code = 'MODULE_NOT_FOUND';
    return err;
  }

  function dirname(p) {
    return p.slice(0, p.lastIndexOf('/')) || '/';
  }

  // Node's free module variables, given only to files that mention them (as browserify does).
  function implicit(path, name, pick) {
    var target = (links[path] || {})['\0' + name];
    return target ? pick(load(target)) : undefined;
  }

  // uuid (used by postman-collection for object ids) wants crypto.getRandomValues, which
  // bare V8 lacks; ids need Math.random's strength only, as Postman's own uuid module uses.
  var idCrypto = {
    getRandomValues: function (array) {
      for (var i = 0; i < array.length; i++) array[i] = Math.floor(Math.random() * 256);
      return array;
    },
  };

  function load(path) {
    if (cache[path]) return cache[path].exports;
    var module = { exports: {}, id: path, filename: path, loaded: false };
    cache[path] = module;
    var src = files[path];
    if (/\.json$/.test(path)) {
      module.exports = JSON.parse(src);
    } else {
      var wrapped =
        '(function (exports, require, module, __filename, __dirname, process, Buffer, global, crypto) {' + src + '\n})\n//# sourceURL=' + path;
      var fn = (0, eval)(wrapped);
      var req = function (spec) {
        var target = (links[path] || {})[spec];
        if (target) return load(target);
        if (Object.prototype.hasOwnProperty.call(OWN, spec)) return OWN[spec]();
        throw notFound(spec);
      };
      var proc = implicit(path, 'process', (m) => m);
      var buf = implicit(path, 'buffer', (m) => m.Buffer);
      loading++;
      try {
        fn.call(module.exports, module.exports, req, module, path, dirname(path), proc, buf, globalThis, idCrypto);
      } finally {
        loading--;
      }
    }
    module.loaded = true;
    return module.exports;
  }

  // Modules that are Postman's own in its sandbox (not npm packages): runner's versions.
  var OWN = {
    uuid: () => {
      var v4 = () => R.dynamic.$guid();
      var f = () => v4();
      f.v4 = v4;
      return f;
    },
    timers: () => ({ setTimeout: setTimeout, clearTimeout: clearTimeout, setInterval: setInterval, clearInterval: clearInterval, setImmediate: setImmediate, clearImmediate: clearImmediate }),
  };

  R.require = function (spec) {
    spec = String(spec);
    if (Object.prototype.hasOwnProperty.call(OWN, spec)) return OWN[spec]();
    if (entries[spec]) {
      var exported = load(entries[spec]);
      // The url package predates WHATWG URL; Node's (and Postman's sandbox) has both.
      if (spec === 'url' && exported && !exported.URL) {
        exported.URL = globalThis.URL;
        exported.URLSearchParams = globalThis.URLSearchParams;
      }
      return exported;
    }
    throw notFound(spec);
  };
  globalThis.require = R.require;

  // A pinned library the sandbox itself needs (chai behind pm.expect): its exports, or an
  // error naming `api` and why the library is missing (offline: the install command).
  R.library = function (pkg, api) {
    if (entries[pkg]) return R.require(pkg);
    var e = new Error(api + ' needs ' + pkg + ': ' + (failed[pkg] || 'the library was not loaded for this script'));
    e.runnerApi = api;
    throw e;
  };

  // Postman's sandbox globals, resolved from the libraries when a script first touches them.
  var LIBS = R.libraryGlobals || {};
  Object.keys(LIBS).forEach(function (name) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get: function () {
        var pkg = LIBS[name];
        if (!entries[pkg]) {
          if (loading) return undefined; // lodash's noConflict saves the previous `_`
          var why = failed[pkg] || 'not available';
          var e = new Error(name + ' (' + pkg + '): ' + why);
          e.runnerApi = name;
          throw e;
        }
        var lib = R.require(pkg);
        return name === 'Buffer' ? lib.Buffer : lib;
      },
    });
  });
})(globalThis.__runner);
