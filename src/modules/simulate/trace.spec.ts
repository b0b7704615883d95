import { promptOf } from './planned-request';
import { REPLY_TOKEN } from './prompt-shape';
import { SimulateInputError } from './simulate-errors';
import { parseTraceRows, planTrace } from './trace';

const refusal = (text: string): string => {
  try {
    parseTraceRows(text, 't');
  } catch (err) {
    expect(err).toBeInstanceOf(SimulateInputError);
    return (err as Error).message;
  }
  throw new Error('expected the trace to be refused');
};

describe('traces', () => {
  it("reads Mooncake's JSONL: equal hash_ids at the start of two prompts are equal token blocks", () => {
    const plan = planTrace(
      parseTraceRows(
        [
          '{"timestamp": 0, "input_length": 1100, "output_length": 52, "hash_ids": [46, 47, 48]}',
          '{"timestamp": 10535, "input_length": 700, "output_length": 26, "hash_ids": [46, 99]}',
        ].join('\n'),
        't',
      ),
    );
    const [a, b] = plan.requests.map((r) => promptOf(r));
    expect([a.length, b.length]).toEqual([1100, 700]);
    expect(b.slice(0, 512)).toEqual(a.slice(0, 512));
    expect(b[512]).not.toBe(a[512]);
    expect(plan.requests.map((r) => [r.arrival, r.outputTokens])).toEqual([
      [0, 52],
      [10535, 26],
    ]);
    expect(plan.end).toBe(10536);
  });

  it('takes another block size for hash_ids', () => {
    const plan = planTrace(parseTraceRows('{"timestamp":0,"input_length":40,"output_length":1,"hash_ids":[1,2]}\n{"timestamp":1,"input_length":40,"output_length":1,"hash_ids":[1,3]}\n', 't'), { blockSize: 16 });
    const [a, b] = plan.requests.map((r) => promptOf(r));
    expect(b.slice(0, 16)).toEqual(a.slice(0, 16));
    expect(b.slice(16, 32)).not.toEqual(a.slice(16, 32));
  });

  it('reads CSV with a header (any column order, quoted cells, extra columns ignored); later requests of a session carry the earlier prompt and reply', () => {
    const rows = parseTraceRows('note,session_id,timestamp,input_length,output_length\n"a, quoted",s1,0,50,20\nx,s2,5,30,10\ny,s1,100,90,5\n', 't');
    expect(rows.map((r) => r.session_id)).toEqual(['s1', 's2', 's1']);
    const plan = planTrace(rows);
    const [first, , later] = plan.requests.map((r) => promptOf(r));
    expect(later.slice(0, 70)).toEqual([...first, ...new Array<number>(20).fill(REPLY_TOKEN)]);
    expect(later).toHaveLength(90);
  });

  it('keeps arrivals exactly, sorted by timestamp, ties in file order', () => {
    const plan = planTrace(parseTraceRows('timestamp,input_length,output_length\n300.5,10,1\n0,11,1\n300.5,12,1\n', 't'));
    expect(plan.requests.map((r) => [r.arrival, promptOf(r).length])).toEqual([
      [0, 11],
      [300.5, 10],
      [300.5, 12],
    ]);
  });

  it('names the line and the field of a bad row, and refuses what it cannot read', () => {
    expect(refusal('{"timestamp": 0, "input_length": 10, "output_length": 1}\n{"timestamp": 5, "input_length": 0, "output_length": 1}\n')).toContain('line 2: input_length must be an integer of at least 1, got 0');
    expect(refusal('{"timestamp": 0, "output_length": 1}\n')).toContain('line 1: input_length must be an integer of at least 1 (missing)');
    expect(refusal('{"timestamp": 0, "input_length": 3, "output_length": 1, "hash_ids": [1, -2]}\n')).toContain('hash_ids must be a list of non-negative integers');
    expect(refusal('{"timestamp": 0\n')).toContain('line 1: not a JSON object');
    expect(refusal('time,input_length,output_length\n1,2,3\n')).toContain('the CSV header has no timestamp column');
    expect(refusal('\n\n')).toContain('the trace is empty');
    expect(refusal('timestamp,input_length,output_length\n')).toContain('the trace has no requests');
  });
});
