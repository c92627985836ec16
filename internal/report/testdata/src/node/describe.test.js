const { describe, it } = require('node:test');
const assert = require('node:assert');

describe('parser', () => {
  it('reads a line', () => {
    assert.ok(true);
  });
  describe('errors', () => {
    it('rejects garbage', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.throws(() => JSON.parse('{'), SyntaxError);
    });
    it('times out', { timeout: 50 }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
  });
});
