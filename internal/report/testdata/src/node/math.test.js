// Tests for `node --test`: passing, failing, throwing, skipped, todo and
// nested tests, to record what each reporter prints.
const test = require('node:test');
const assert = require('node:assert');

test('adds', () => {
  assert.strictEqual(1 + 1, 2);
});

test('fails an assertion', () => {
  assert.strictEqual(1 + 1, 3, 'arithmetic is broken');
});

test('throws', () => {
  throw new TypeError('cannot read the config');
});

test('skipped', { skip: 'needs a database' }, () => {});

test('todo', { todo: true }, () => {});

test('suite of subtests', async (t) => {
  await t.test('inner passes', () => {});
  await t.test('inner fails', () => {
    assert.deepStrictEqual({ a: 1 }, { a: 2 });
  });
});
