import { ROUTING_POLICIES, RoutingPolicyName } from './routing';
import { SimulateInputError, SIMULATE_LIMITS } from './simulate-errors';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `simulate`'s command line, parsed and checked (engine fields undefined when not given). */
export interface SimulateArgs {
  help: boolean;
  workload?: string;
  trace?: string;
  format?: OutputFormat;
  report?: string;
  requestsOut?: string;
  progress?: boolean;
  model?: string;
  gpu?: string;
  tensorParallelSize?: number;
  maxNumSeqs?: number;
  maxNumBatchedTokens?: number;
  gpuMemoryUtilization?: number;
  maxModelLen?: number;
  enablePrefixCaching?: boolean;
  seed?: number;
  replicas?: number;
  routing?: RoutingPolicyName;
  /** Prefill/decode pools (either replicas count turns them on). */
  prefill: PoolArgs;
  decode: PoolArgs;
  kvTransferGbPerS?: number;
  kvTransferLatencyMs?: number;
  maxConcurrency?: number;
  slo?: string;
  sweep: boolean;
  sweepRequests: number;
  targetRate?: number;
  grid?: string;
  traceBlockSize: number;
}

/** One pool's flags (`--prefill-*`, `--decode-*`). */
export interface PoolArgs {
  replicas?: number;
  routing?: RoutingPolicyName;
  gpu?: string;
  tensorParallelSize?: number;
  maxNumSeqs?: number;
}

type Kind = 'string' | 'int' | 'number' | 'flag';

interface FlagSpec {
  names: string[];
  kind: Kind;
  set: (args: SimulateArgs, value: string | number | boolean) => void;
  min?: number;
  max?: number;
}

function routingOf(flag: string, v: string | number | boolean): RoutingPolicyName {
  if (!(ROUTING_POLICIES as readonly string[]).includes(v as string)) throw new SimulateInputError(`${flag} must be one of ${ROUTING_POLICIES.join(', ')}, not "${String(v)}".`);
  return v as RoutingPolicyName;
}

function poolFlags(pool: 'prefill' | 'decode'): FlagSpec[] {
  return [
    { names: [`--${pool}-replicas`], kind: 'int', min: 1, max: SIMULATE_LIMITS.maxReplicas, set: (a, v) => (a[pool].replicas = v as number) },
    { names: [`--${pool}-routing`], kind: 'string', set: (a, v) => (a[pool].routing = routingOf(`--${pool}-routing`, v)) },
    { names: [`--${pool}-gpu`], kind: 'string', set: (a, v) => (a[pool].gpu = v as string) },
    { names: [`--${pool}-tensor-parallel-size`, `--${pool}-tp`], kind: 'int', min: 1, max: 64, set: (a, v) => (a[pool].tensorParallelSize = v as number) },
    { names: [`--${pool}-max-num-seqs`], kind: 'int', min: 1, max: 65536, set: (a, v) => (a[pool].maxNumSeqs = v as number) },
  ];
}

const FLAGS: FlagSpec[] = [
  { names: ['--workload'], kind: 'string', set: (a, v) => (a.workload = v as string) },
  { names: ['--trace'], kind: 'string', set: (a, v) => (a.trace = v as string) },
  {
    names: ['--format'],
    kind: 'string',
    set: (a, v) => {
      if (!(OUTPUT_FORMATS as readonly string[]).includes(v as string)) throw new SimulateInputError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, not "${String(v)}".`);
      a.format = v as OutputFormat;
    },
  },
  { names: ['--report'], kind: 'string', set: (a, v) => (a.report = v as string) },
  { names: ['--requests-out'], kind: 'string', set: (a, v) => (a.requestsOut = v as string) },
  { names: ['--progress'], kind: 'flag', set: (a, v) => (a.progress = v as boolean) },
  { names: ['--model'], kind: 'string', set: (a, v) => (a.model = v as string) },
  { names: ['--gpu', '--gpu-type'], kind: 'string', set: (a, v) => (a.gpu = v as string) },
  { names: ['--tensor-parallel-size', '-tp'], kind: 'int', min: 1, max: 64, set: (a, v) => (a.tensorParallelSize = v as number) },
  { names: ['--max-num-seqs'], kind: 'int', min: 1, max: 65536, set: (a, v) => (a.maxNumSeqs = v as number) },
  { names: ['--max-num-batched-tokens'], kind: 'int', min: 1, max: 10_000_000, set: (a, v) => (a.maxNumBatchedTokens = v as number) },
  { names: ['--gpu-memory-utilization'], kind: 'number', min: 0.01, max: 1, set: (a, v) => (a.gpuMemoryUtilization = v as number) },
  { names: ['--max-model-len'], kind: 'int', min: 1, max: 100_000_000, set: (a, v) => (a.maxModelLen = v as number) },
  { names: ['--enable-prefix-caching'], kind: 'flag', set: (a, v) => (a.enablePrefixCaching = v as boolean) },
  { names: ['--seed'], kind: 'int', min: 0, max: 2 ** 31 - 1, set: (a, v) => (a.seed = v as number) },
  { names: ['--replicas'], kind: 'int', min: 1, max: SIMULATE_LIMITS.maxReplicas, set: (a, v) => (a.replicas = v as number) },
  { names: ['--routing'], kind: 'string', set: (a, v) => (a.routing = routingOf('--routing', v)) },
  ...poolFlags('prefill'),
  ...poolFlags('decode'),
  { names: ['--kv-transfer-gb-per-s'], kind: 'number', min: 0.001, max: 100_000, set: (a, v) => (a.kvTransferGbPerS = v as number) },
  { names: ['--kv-transfer-latency-ms'], kind: 'number', min: 0, max: 600_000, set: (a, v) => (a.kvTransferLatencyMs = v as number) },
  { names: ['--max-concurrency'], kind: 'int', min: 1, max: 1_000_000, set: (a, v) => (a.maxConcurrency = v as number) },
  { names: ['--slo'], kind: 'string', set: (a, v) => (a.slo = v as string) },
  { names: ['--sweep'], kind: 'flag', set: (a, v) => (a.sweep = v as boolean) },
  { names: ['--sweep-requests'], kind: 'int', min: 50, max: 1_000_000, set: (a, v) => (a.sweepRequests = v as number) },
  { names: ['--target-rate'], kind: 'number', min: 0.001, max: 1_000_000, set: (a, v) => (a.targetRate = v as number) },
  { names: ['--grid'], kind: 'string', set: (a, v) => (a.grid = v as string) },
  { names: ['--trace-block-size'], kind: 'int', min: 1, max: 4096, set: (a, v) => (a.traceBlockSize = v as number) },
];

const BY_NAME = new Map<string, FlagSpec>();
for (const f of FLAGS) for (const n of f.names) BY_NAME.set(n, f);

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function nearest(name: string): string {
  let best = '';
  let bestD = Infinity;
  for (const known of BY_NAME.keys()) {
    const d = distance(name, known);
    if (d < bestD) [best, bestD] = [known, d];
  }
  return best;
}

export function parseSimulateArgs(argv: readonly string[]): SimulateArgs {
  const args: SimulateArgs = { help: false, sweep: false, sweepRequests: 1000, traceBlockSize: 512, prefill: {}, decode: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      args.help = true;
      continue;
    }
    if (!arg.startsWith('-')) throw new SimulateInputError(`Unexpected argument "${arg}" (simulate takes flags only; see simulate --help).`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const negated = name.startsWith('--no-') ? BY_NAME.get(`--${name.slice(5)}`) : undefined;
    if (negated?.kind === 'flag' && inline === undefined) {
      negated.set(args, false);
      continue;
    }
    const spec = BY_NAME.get(name);
    if (!spec) throw new SimulateInputError(`Unknown flag ${name} (did you mean ${nearest(name)}? see simulate --help).`);
    if (spec.kind === 'flag') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) throw new SimulateInputError(`${name} takes no value (or =true / =false).`);
      spec.set(args, inline !== 'false');
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith('--'))) throw new SimulateInputError(`${name} needs a value.`);
    if (spec.kind === 'string') {
      if (raw.trim() === '') throw new SimulateInputError(`${name} needs a value.`);
      spec.set(args, raw);
      continue;
    }
    const n = Number(raw);
    if (!Number.isFinite(n) || raw.trim() === '' || (spec.kind === 'int' && !Number.isInteger(n))) throw new SimulateInputError(`${name} must be ${spec.kind === 'int' ? 'an integer' : 'a number'}, not "${raw}".`);
    if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw new SimulateInputError(`${name} must be between ${spec.min} and ${spec.max}, not ${raw}.`);
    spec.set(args, n);
  }
  if (args.help) return args;
  if ((args.workload === undefined) === (args.trace === undefined)) throw new SimulateInputError('Give one of --workload FILE or --trace FILE (see simulate --help).');
  return args;
}
