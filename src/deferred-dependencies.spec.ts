import { execFileSync } from 'node:child_process';

/** Runs `script` in a fresh Node (jest has its own module registry, so the stand-in must be seen in a real one). */
function inFreshNode(script: string): unknown {
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: __dirname, encoding: 'utf8' });
  return JSON.parse(out) as unknown;
}

describe('deferUnusedDependencies', () => {
  it('keeps libphonenumber-js out of the process until IsPhoneNumber runs, which then works as before', () => {
    const result = inFreshNode(`
      require('./deferred-dependencies').deferUnusedDependencies();
      const { isPhoneNumber } = require('class-validator');
      const loaded = () => Object.keys(require.cache).some((f) => f.includes('libphonenumber-js') && !f.endsWith('max/index.cjs'));
      const before = loaded();
      const answers = [isPhoneNumber('+14155552671'), isPhoneNumber('not a number'), isPhoneNumber('020 7946 0958', 'GB')];
      console.log(JSON.stringify({ before, after: loaded(), answers }));
    `);
    expect(result).toEqual({ before: false, after: true, answers: [true, false, true] });
  });
});
