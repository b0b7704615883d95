import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { Random } from './common/random';
import { validateSettings } from './config/load-settings';
import { resolveProfile } from './modules/benchmarks/resolve-profile';
import { createEngine } from './modules/engine/create-engine';
import { VirtualClock } from './modules/engine/virtual-clock';
import { runWorkload, Workload } from './modules/simulate/workload';

/** `vllm-simulator simulate --workload FILE`: predicts a workload's latencies on virtual time. Returns the exit code. */
export async function runSimulate(argv: readonly string[]): Promise<number> {
  const index = argv.findIndex((a) => a === '--workload' || a.startsWith('--workload='));
  const path = index < 0 ? undefined : argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
  if (!path) {
    process.stderr.write('Usage: vllm-simulator simulate --workload FILE (JSON or YAML)\n');
    return 2;
  }
  let workload: Workload;
  try {
    const raw = parseYaml(readFileSync(path, 'utf8')) as object;
    workload = plainToInstance(Workload, raw, { exposeDefaultValues: true });
    const errors = validateSync(workload, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) throw new Error(errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? { invalid: 'invalid value' }).join('; ')}`).join('\n'));
  } catch (err) {
    process.stderr.write(`Invalid workload ${path}: ${(err as Error).message}\n`);
    return 2;
  }
  const settings = validateSettings({
    model: workload.model,
    gpu_type: workload.gpu,
    tensor_parallel_size: workload.tensor_parallel_size,
    max_num_seqs: workload.max_num_seqs,
    max_num_batched_tokens: workload.max_num_batched_tokens,
    seed: workload.seed,
  } as never);
  let profile;
  try {
    profile = resolveProfile(settings);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const clock = new VirtualClock();
  const values = {
    latency_scale: 1,
    ttft_ms: null,
    itl_ms: null,
    prefill_ms_per_token: null,
    latency_jitter: 0,
    max_num_seqs: settings.max_num_seqs,
    response_mode: settings.response_mode,
  };
  const engine = createEngine(clock, profile, settings, () => values, new Random(workload.seed ?? 1));
  const report = runWorkload(workload, engine, clock);
  process.stdout.write(`${JSON.stringify({ model: profile.model.id, gpu: profile.gpuId, tensor_parallel_size: profile.tensorParallelSize, ...report }, null, 2)}\n`);
  return 0;
}
