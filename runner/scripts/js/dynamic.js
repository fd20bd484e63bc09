// Postman's dynamic variables ({{$guid}}, {{$timestamp}}, {{$randomInt}}, ...) for
// pm.variables.replaceIn; the same family runner resolves in requests (runner/dynamic.py).
(function (R) {
  'use strict';

  var FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis'];
  var LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Liskov', 'Thompson', 'Hamilton'];
  var WORDS = ['alpha', 'bravo', 'delta', 'echo', 'lima', 'oscar', 'sierra', 'tango'];
  var ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

  var int = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
  var pick = (list) => list[int(0, list.length - 1)];
  var alnum = (n) => Array.from({ length: n }, () => pick(ALNUM)).join('');
  function uuid() {
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = int(0, 15);
      return (c === 'x' ? r : (r & 3) | 8).toString(16);
    });
  }
  var day = 86400000;

  R.dynamic = {
    $guid: uuid,
    $randomUUID: uuid,
    $timestamp: () => String(Math.floor(Date.now() / 1000)),
    $isoTimestamp: () => new Date().toISOString(),
    $randomInt: () => String(int(0, 1000)),
    $randomAlphaNumeric: () => alnum(1),
    $randomBoolean: () => pick(['true', 'false']),
    $randomHexColor: () => '#' + int(0, 0xffffff).toString(16).padStart(6, '0'),
    $randomFirstName: () => pick(FIRST),
    $randomLastName: () => pick(LAST),
    $randomFullName: () => pick(FIRST) + ' ' + pick(LAST),
    $randomUserName: () => pick(FIRST).toLowerCase() + '.' + alnum(4).toLowerCase(),
    $randomEmail: () => pick(FIRST).toLowerCase() + int(1, 999) + '@example.com',
    $randomWord: () => pick(WORDS),
    $randomWords: () => [pick(WORDS), pick(WORDS), pick(WORDS)].join(' '),
    $randomPassword: () => alnum(15),
    $randomIP: () => [int(1, 254), int(1, 254), int(1, 254), int(1, 254)].join('.'),
    $randomUrl: () => 'https://' + pick(WORDS) + '.example.com',
    $randomDateFuture: () => new Date(Date.now() + int(1, 365) * day).toISOString(),
    $randomDatePast: () => new Date(Date.now() - int(1, 365) * day).toISOString(),
  };
})(globalThis.__runner);
