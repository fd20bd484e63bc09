// pm.expect is chai itself, as in Postman's sandbox: the pinned chai 4.4.1 with the
// chai-postman 2.0.1 plugin (pm.response.to.have.status(...), .to.be.ok, .to.have.header,
// .jsonBody, .jsonSchema...), both the published npm packages fetched by Python like the
// other libraries. They are set up once per V8 context, on the first pm.expect or `.to`
// (a script that never asserts loads nothing); `require('chai')` is the same instance.
(function (R) {
  'use strict';

  var chai = null;

  // What chai-postman asks of the collection SDK: which objects are Postman messages.
  var sdk = {
    Request: { isRequest: (o) => o instanceof R.Request },
    Response: { isResponse: (o) => o instanceof R.Response },
  };

  // ajv is loaded only when a script first calls .jsonSchema (`new Ajv(...)` returns it).
  function Ajv(options) {
    var Real = R.library('ajv', 'pm.expect(...).jsonSchema');
    return new Real(options);
  }

  R.chai = function () {
    if (chai === null) {
      var lib = R.library('chai', 'pm.expect');
      var plugin = R.library('chai-postman', 'pm.expect');
      lib.use(plugin(sdk, R.library('lodash', 'pm.expect'), Ajv));
      chai = lib;
    }
    return chai;
  };

  // Set chai up as soon as its files arrive, outside any script's time limit; offline it
  // is not there, and pm.expect will say why when a script uses it.
  R.prepareChai = function () {
    try {
      R.chai();
    } catch (e) {
      // reported by the first pm.expect
    }
  };

  R.expect = function (value, message) {
    return R.chai().expect(value, message);
  };
})(globalThis.__runner);
