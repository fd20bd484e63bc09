// require(): a small CommonJS loader over module files that Python found in node_modules
// folders (R.addModules). Also the lazy library globals Postman offers (_ , CryptoJS, ...).
(function (R) {
  'use strict';

  var files = {};
  var links = {};
  var entries = {};
  var cache = {};
  var BUILTINS = ['assert', 'buffer', 'crypto', 'events', 'fs', 'path', 'punycode', 'querystring', 'stream', 'string_decoder', 'timers', 'url', 'util', 'zlib', 'http', 'https', 'os'];

  // Register module sources: {files: {path: text}, links: {path: {spec: path}}, entries: {name: path}}.
  R.addModules = function (json) {
    var m = JSON.parse(json);
    Object.assign(files, m.files);
    Object.keys(m.links).forEach((p) => (links[p] = Object.assign(links[p] || {}, m.links[p])));
    Object.assign(entries, m.entries);
  };

  function notFound(spec) {
    var base = spec.split('/')[0];
    if (BUILTINS.indexOf(base) >= 0) {
      var e = new Error("require('" + spec + "'): the Node built-in module '" + base + "' is not supported by runner");
      e.runnerApi = "require('" + spec + "')";
      return e;
    }
    var pkg = spec.charAt(0) === '@' ? spec.split('/').slice(0, 2).join('/') : base;
    var err = new Error(
      "require('" + spec + "'): module not found; install it with `npm install " + pkg + '` next to the collection or pass --module-path'
    );
    err.code = 'MODULE_NOT_FOUND';
    return err;
  }

  function dirname(p) {
    return p.slice(0, p.lastIndexOf('/')) || '/';
  }

  function load(path) {
    if (cache[path]) return cache[path].exports;
    var module = { exports: {}, id: path, filename: path, loaded: false };
    cache[path] = module;
    var src = files[path];
    if (/\.json$/.test(path)) {
      module.exports = JSON.parse(src);
    } else {
      var wrapped = '(function (exports, require, module, __filename, __dirname) {' + src + '\n})\n//# sourceURL=' + path;
      var fn = (0, eval)(wrapped);
      var req = function (spec) {
        var target = (links[path] || {})[spec];
        if (!target) throw notFound(spec);
        return load(target);
      };
      fn.call(module.exports, module.exports, req, module, path, dirname(path));
    }
    module.loaded = true;
    return module.exports;
  }

  // Small modules of Postman's sandbox that runner provides itself (node_modules wins).
  var OWN = {
    buffer: () => ({ Buffer: R.Buffer }),
    url: () => ({ URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams }),
    atob: () => globalThis.atob,
    btoa: () => globalThis.btoa,
    timers: () => ({ setTimeout: setTimeout, clearTimeout: clearTimeout, setInterval: setInterval, clearInterval: clearInterval }),
  };

  R.require = function (spec) {
    spec = String(spec);
    if (entries[spec]) return load(entries[spec]);
    if (Object.prototype.hasOwnProperty.call(OWN, spec)) return OWN[spec]();
    throw notFound(spec);
  };
  globalThis.require = R.require;

  // Postman's sandbox globals, resolved from node_modules when a script first touches them.
  var LIBS = { _: 'lodash', CryptoJS: 'crypto-js', tv4: 'tv4', cheerio: 'cheerio' };
  Object.keys(LIBS).forEach(function (name) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get: function () {
        var pkg = LIBS[name];
        if (!entries[pkg]) {
          var e = new Error(
            name + ' (' + pkg + ') is not bundled with runner; install it with `npm install ' + pkg + '` next to the collection or pass --module-path'
          );
          e.runnerApi = name;
          throw e;
        }
        return R.require(pkg);
      },
    });
  });
})(globalThis.__runner);
