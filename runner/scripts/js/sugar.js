// The few Sugar.js prototype helpers that Postman's legacy sandbox offered and that real
// collections still call (Newman's prototype-check suite, Date#addDays in msgraph).
// Written for runner; non-enumerable so they never show up in for-in loops.
(function (R) {
  'use strict';

  function add(proto, name, fn) {
    if (Object.prototype.hasOwnProperty.call(proto, name)) return;
    Object.defineProperty(proto, name, { configurable: true, writable: true, value: fn });
  }

  // Sugar matched array elements by deep equality, or by a predicate function.
  function matcher(x) {
    return typeof x === 'function' ? x : (el) => R.deepEqual(el, x);
  }
  add(Array.prototype, 'any', function (x) {
    return this.some(matcher(x));
  });
  add(Array.prototype, 'none', function (x) {
    return !this.some(matcher(x));
  });
  add(Array.prototype, 'average', function () {
    return this.length ? this.reduce((a, b) => a + Number(b), 0) / this.length : 0;
  });

  add(Function.prototype, 'once', function () {
    var fn = this;
    var done = false;
    var value;
    return function () {
      if (!done) {
        done = true;
        value = fn.apply(this, arguments);
      }
      return value;
    };
  });

  add(Number.prototype, 'hex', function () {
    return this.toString(16);
  });
  add(Number.prototype, 'isEven', function () {
    return this % 2 === 0;
  });
  add(Number.prototype, 'isOdd', function () {
    return Math.abs(this % 2) === 1;
  });
  add(Number.prototype, 'ordinalize', function () {
    var n = Math.abs(Math.trunc(this));
    var teen = n % 100 >= 11 && n % 100 <= 13;
    var suffix = teen ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th';
    return String(this) + suffix;
  });
  add(Number.prototype, 'format', function () {
    var parts = String(this).split('.');
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return parts.join('.');
  });

  add(String.prototype, 'camelize', function () {
    return String(this)
      .replace(/[-_\s]+(.)?/g, (m, c) => (c ? c.toUpperCase() : ''))
      .replace(/^./, (c) => c.toUpperCase());
  });
  add(String.prototype, 'spacify', function () {
    return String(this)
      .replace(/([a-z\d])([A-Z])/g, '$1 $2')
      .replace(/[-_\s]+/g, ' ')
      .toLowerCase();
  });
  add(String.prototype, 'shift', function (n) {
    return String(this).replace(/[\s\S]/g, (c) => String.fromCharCode(c.charCodeAt(0) + n));
  });

  [
    ['addMilliseconds', 1],
    ['addSeconds', 1000],
    ['addMinutes', 60000],
    ['addHours', 3600000],
    ['addDays', 86400000],
    ['addWeeks', 604800000],
  ].forEach(function (pair) {
    add(Date.prototype, pair[0], function (n) {
      this.setTime(this.getTime() + Number(n) * pair[1]);
      return this;
    });
  });
  add(Date.prototype, 'addMonths', function (n) {
    this.setMonth(this.getMonth() + Number(n));
    return this;
  });
  add(Date.prototype, 'addYears', function (n) {
    this.setFullYear(this.getFullYear() + Number(n));
    return this;
  });
})(globalThis.__runner);
