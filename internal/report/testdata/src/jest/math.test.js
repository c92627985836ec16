// Tests for jest: passing, failing, throwing, skipped and todo tests in
// nested describe blocks, to record what its reporters print.
describe('math', () => {
  test('adds', () => {
    expect(1 + 1).toBe(2);
  });
  test('fails an assertion', () => {
    expect(1 + 1).toBe(3);
  });
  describe('division', () => {
    it('throws on zero', () => {
      throw new RangeError('division by zero');
    });
    it.skip('is skipped', () => {});
    it.todo('handles fractions');
  });
});

test('top level passes', () => {
  console.log('a log line from a passing test');
});
