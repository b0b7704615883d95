import { toJson } from '../documents';
import { csvLine } from './csv';
import { barChart, lineChart, niceTicks } from './svg';
import { ProgressBar } from './progress';
import { layout } from './table';

describe('output helpers', () => {
  it('JSON keeps arrays of numbers on one line', () => {
    const text = toJson({ kind: 'grid', source: 's', slo: null, sweep: false, cells: [], wall_ms: 1, series: [1, 2.5, -3] } as never);
    expect(text).toContain('"series": [1, 2.5, -3]');
    expect(text).not.toContain('"kind"');
    expect(JSON.parse(text)).toMatchObject({ series: [1, 2.5, -3] });
  });

  it('CSV quotes cells holding commas, quotes or line breaks', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 1, null, true])).toBe('a,"b,c","say ""hi""",1,,true');
  });

  it('aligns table columns', () => {
    expect(layout(['name', 'n'], [['a', '1'], ['bbb', '22']])).toBe('name   n\na      1\nbbb   22');
  });

  it('picks round ticks', () => {
    expect(niceTicks(0, 97)).toEqual([0, 20, 40, 60, 80]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('draws charts as inline SVG that name their chart, series and markers, escaping text', () => {
    const line = lineChart({ id: 'c1', title: 'A <b>', xLabel: 'x', yLabel: 'y', x: [1, 2, 3], series: [{ name: 's', values: [1, 4, 2] }], hLines: [{ at: 3, label: 'SLO', role: 'slo' }], vLines: [{ at: 2, label: 'max', role: 'chosen' }] });
    expect(line).toMatch(/^<svg [^>]*data-chart="c1"/);
    expect(line).toContain('A &lt;b&gt;');
    expect(line).toMatch(/<path d="M[^"]+L[^"]+L[^"]+"/);
    expect(line).toContain('data-role="slo"');
    expect(line).toContain('data-role="chosen"');
    const bars = barChart({ id: 'c2', title: 't', yLabel: 'ms', groups: ['a', 'b'], series: [{ name: 'p50', values: [1, 2] }, { name: 'p99', values: [3, 4] }] });
    expect(bars.match(/<rect /g)).toHaveLength(4);
  });
});

describe('progress bar', () => {
  it('draws nothing for a quick run, redraws in place on stderr for a long one, and erases itself', () => {
    const quiet: string[] = [];
    const fast = new ProgressBar({ write: (t: string) => quiet.push(t) }, true);
    fast.update(0.5, 'x');
    fast.done();
    expect(quiet).toEqual([]);

    const out: string[] = [];
    const slow = new ProgressBar({ write: (t: string) => out.push(t) }, true, 0);
    slow.update(0.25, 'simulating');
    expect(out[0].startsWith(`\r[${'#'.repeat(8)}${'.'.repeat(22)}]  25% simulating (`)).toBe(true);
    expect(out[0].endsWith(' s)\x1b[K')).toBe(true);
    slow.done();
    expect(out[out.length - 1]).toBe('\r\x1b[K');

    const off: string[] = [];
    new ProgressBar({ write: (t: string) => off.push(t) }, false, 0).update(1, 'x');
    expect(off).toEqual([]);
  });
});
