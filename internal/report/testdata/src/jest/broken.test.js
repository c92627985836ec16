// A suite that fails to load: no test in it ever runs.
require('./does-not-exist');

test('never runs', () => {});
