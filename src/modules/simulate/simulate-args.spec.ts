import { parseGrid } from './grid';
import { parseSimulateArgs } from './simulate-args';

describe('simulate flags', () => {
  it('reads values in both spellings, flags and their --no- forms', () => {
    const a = parseSimulateArgs(['--workload', 'w.yaml', '--format=csv', '-tp', '2', '--gpu-type', 'NVIDIA-H100-SXM', '--no-enable-prefix-caching', '--sweep', '--slo', 'ttft_p99<=1', '--replicas=3', '--routing', 'prefix_aware']);
    expect(a).toMatchObject({ workload: 'w.yaml', format: 'csv', tensorParallelSize: 2, gpu: 'NVIDIA-H100-SXM', enablePrefixCaching: false, sweep: true, slo: 'ttft_p99<=1', replicas: 3, routing: 'prefix_aware' });
    expect(parseSimulateArgs(['--help']).help).toBe(true);
  });

  it.each([
    [['--workload', 'w', '--fromat', 'json'], 'Unknown flag --fromat (did you mean --format?'],
    [['--workload', 'w', '--format', 'xml'], '--format must be one of table, json, csv'],
    [['--workload', 'w', '--replicas', '0'], '--replicas must be between 1 and 256'],
    [['--workload', 'w', '--max-num-seqs', '2.5'], '--max-num-seqs must be an integer'],
    [['--workload', 'w', '--routing', 'random'], '--routing must be one of'],
    [['--workload'], '--workload needs a value'],
    [['--workload', 'w', '--trace', 't'], 'Give one of --workload FILE or --trace FILE'],
    [[], 'Give one of --workload FILE or --trace FILE'],
    [['w.yaml'], 'Unexpected argument "w.yaml"'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseSimulateArgs(argv)).toThrow(message);
  });
});

describe('--grid', () => {
  it('is the product of its axes, the last varying fastest', () => {
    expect(parseGrid('gpu=NVIDIA-L4,NVIDIA-H100-SXM; tp=1,2')).toEqual([
      { gpu: 'NVIDIA-L4', tensor_parallel_size: 1 },
      { gpu: 'NVIDIA-L4', tensor_parallel_size: 2 },
      { gpu: 'NVIDIA-H100-SXM', tensor_parallel_size: 1 },
      { gpu: 'NVIDIA-H100-SXM', tensor_parallel_size: 2 },
    ]);
    expect(parseGrid('routing=round_robin,prefix_aware;replicas=4')).toHaveLength(2);
  });

  it.each([
    ['gpus=A', 'Unknown --grid axis "gpus"'],
    ['tp=1,x', '--grid tp: "x" is not a positive integer'],
    ['routing=fastest', '--grid routing: "fastest" is not one of'],
    ['gpu=', '--grid axis gpu has no values'],
    ['gpu=A;gpu=B', '--grid names gpu twice'],
    ['max_num_seqs=1,2,3,4,5,6,7,8;tp=1,2,3,4,5,6,7,8;replicas=1,2', 'at most 64'],
  ])('%s is refused', (text, message) => {
    expect(() => parseGrid(text)).toThrow(message);
  });
});
