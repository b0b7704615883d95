import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';
import { SimulateInputError } from './simulate-errors';
import { clientClasses, loadWorkloadFile, parseWorkloadSpec } from './workload-spec';

const base = { prompt_tokens: { mean: 100 }, output_tokens: { mean: 10 }, stages: [{ rate: 1, duration: 10 }] };

function problems(raw: unknown): string {
  try {
    parseWorkloadSpec(raw, 'w.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(SimulateInputError);
    return (err as Error).message;
  }
  throw new Error('expected the workload to be refused');
}

describe('workload files', () => {
  it.each(readdirSync(join(PROJECT_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')))('examples/%s is valid', (file) => {
    expect(loadWorkloadFile(join(PROJECT_ROOT, 'examples', file)).stages.length).toBeGreaterThan(0);
  });

  it('takes the old format unchanged (one class from the top-level fields)', () => {
    const spec = parseWorkloadSpec({ ...base, prefix: { num_prefixes: 2, prefix_tokens: 50 }, seed: 3 }, 'w');
    const [only] = clientClasses(spec);
    expect(only).toMatchObject({ name: 'default', share: 1, prefix: { num_prefixes: 2, prefix_tokens: 50 }, arrival: { process: 'poisson' } });
  });

  it('lets client classes inherit the top-level fields', () => {
    const spec = parseWorkloadSpec({ ...base, clients: [{ name: 'a', share: 3 }, { name: 'b', output_tokens: { distribution: 'fixed', value: 5 } }] }, 'w');
    const [a, b] = clientClasses(spec);
    expect(a.output_tokens.mean).toBe(10);
    expect(b.output_tokens.value).toBe(5);
    expect(b.prompt_tokens.mean).toBe(100);
    expect([a.share, b.share]).toEqual([3, 1]);
  });

  it('refuses unknown fields, naming where they are', () => {
    expect(problems({ ...base, stages: [{ rate: 1, duration: 10, burst: 2 }] })).toContain('stages.0.burst: unknown field');
    expect(problems({ ...base, typo: 1 })).toContain('typo: unknown field');
  });

  it('refuses bad values and missing fields, every problem in one message', () => {
    const message = problems({ output_tokens: { mean: -1 }, stages: [{ rate: -2, duration: 10 }] });
    expect(message).toContain('output_tokens.mean: must not be less than 0');
    expect(message).toContain('stages.0.rate: must not be less than 0');
    expect(problems({ output_tokens: { mean: 1 }, stages: [{ rate: 1, duration: 1 }] })).toContain('prompt_tokens: required');
    expect(problems({ ...base, stages: [] })).toContain('stages: ');
  });

  it('refuses distributions that cannot be drawn from', () => {
    expect(problems({ ...base, prompt_tokens: { distribution: 'uniform', max: 10 } })).toContain('prompt_tokens: a uniform distribution needs min and max');
    expect(problems({ ...base, clients: [{ name: 'a', output_tokens: { distribution: 'zipf', mean: 1 } }] })).toContain('clients.0.output_tokens.distribution');
  });

  it('refuses a bad SLO, duplicated class names and a burstiness without gamma', () => {
    expect(problems({ ...base, slo: 'ttft<=5' })).toContain('slo: Cannot read SLO threshold "ttft<=5"');
    expect(problems({ ...base, clients: [{ name: 'a' }, { name: 'a' }] })).toContain('"a" is used by two client classes');
    expect(problems({ ...base, arrival: { process: 'poisson', burstiness: 0.5 } })).toContain('only a gamma arrival process has a burstiness');
  });

  it('refuses a workload that would plan more requests than one run may send', () => {
    expect(problems({ ...base, stages: [{ rate: 100_000, duration: 1000 }] })).toContain('one run may send at most 2,000,000');
  });

  it('refuses what is not a map, and files it cannot read', () => {
    expect(problems([1, 2])).toContain('expected a map of fields');
    expect(() => loadWorkloadFile('/nonexistent/w.yaml')).toThrow('Cannot read workload /nonexistent/w.yaml: no such file');
  });
});
