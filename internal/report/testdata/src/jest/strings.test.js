test('concatenates', () => {
  expect('a' + 'b').toBe('ab');
});

test('deep equality', () => {
  expect({ name: 'x', tags: ['a'] }).toEqual({ name: 'x', tags: ['b'] });
});
