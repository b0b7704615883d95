import { ROUTING_POLICIES, RoutingPolicyName } from './routing';
import { SimulateInputError, SIMULATE_LIMITS } from './simulate-errors';

/** One configuration of a grid: what it changes from the base configuration. */
export interface GridCell {
  model?: string;
  gpu?: string;
  tensor_parallel_size?: number;
  max_num_seqs?: number;
  max_num_batched_tokens?: number;
  replicas?: number;
  routing?: RoutingPolicyName;
}

type Axis = keyof GridCell;

const AXES: Record<string, Axis> = {
  model: 'model',
  gpu: 'gpu',
  gpu_type: 'gpu',
  tp: 'tensor_parallel_size',
  tensor_parallel_size: 'tensor_parallel_size',
  max_num_seqs: 'max_num_seqs',
  max_num_batched_tokens: 'max_num_batched_tokens',
  replicas: 'replicas',
  routing: 'routing',
};

const INTEGER_AXES = new Set<Axis>(['tensor_parallel_size', 'max_num_seqs', 'max_num_batched_tokens', 'replicas']);

/**
 * Parses `gpu=NVIDIA-L4,NVIDIA-H100-SXM;tp=1,2;max_num_seqs=128,256` into the cartesian product of
 * its axes (in the order given, the last axis varying fastest).
 */
export function parseGrid(text: string): GridCell[] {
  const axes: { axis: Axis; values: (string | number)[] }[] = [];
  for (const part of text.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq).trim() : part;
    const axis = AXES[name.replace(/-/g, '_')];
    if (!axis) throw new SimulateInputError(`Unknown --grid axis "${name}"; axes: ${Object.keys(AXES).join(', ')}.`);
    if (axes.some((a) => a.axis === axis)) throw new SimulateInputError(`--grid names ${name} twice.`);
    const values = (eq > 0 ? part.slice(eq + 1) : '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) throw new SimulateInputError(`--grid axis ${name} has no values (expected ${name}=A,B,...).`);
    axes.push({
      axis,
      values: values.map((v) => {
        if (INTEGER_AXES.has(axis)) {
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1) throw new SimulateInputError(`--grid ${name}: "${v}" is not a positive integer.`);
          if (axis === 'replicas' && n > SIMULATE_LIMITS.maxReplicas) throw new SimulateInputError(`--grid replicas: at most ${SIMULATE_LIMITS.maxReplicas}.`);
          return n;
        }
        if (axis === 'routing' && !(ROUTING_POLICIES as readonly string[]).includes(v)) throw new SimulateInputError(`--grid routing: "${v}" is not one of ${ROUTING_POLICIES.join(', ')}.`);
        return v;
      }),
    });
  }
  if (axes.length === 0) throw new SimulateInputError('--grid is empty: give axes such as "gpu=NVIDIA-L4,NVIDIA-H100-SXM;tp=1,2".');
  let cells: GridCell[] = [{}];
  for (const { axis, values } of axes) cells = cells.flatMap((cell) => values.map((v) => ({ ...cell, [axis]: v })));
  if (cells.length > SIMULATE_LIMITS.maxGridCells) throw new SimulateInputError(`--grid makes ${cells.length} configurations; at most ${SIMULATE_LIMITS.maxGridCells}.`);
  return cells;
}
