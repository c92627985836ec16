// Tests for mocha's spec reporter: passing, failing, throwing, pending and
// hook failures in nested describe blocks.
const assert = require('assert');

describe('math', function () {
  it('adds', function () {
    assert.strictEqual(1 + 1, 2);
  });
  it('fails an assertion', function () {
    assert.strictEqual(1 + 1, 3, 'arithmetic is broken');
  });
  describe('division', function () {
    it('throws on zero', function () {
      throw new RangeError('division by zero');
    });
    it.skip('is pending', function () {});
    it('is slow', function (done) {
      setTimeout(done, 120);
    });
  });
});

describe('with a failing hook', function () {
  before(function () {
    throw new Error('database unavailable');
  });
  it('never runs', function () {});
});

describe('timeouts', function () {
  this.timeout(50);
  it('takes too long', function (done) {
    setTimeout(done, 200);
  });
});
