/**
 * Scenarios shaped like the runs this project is judged on, for which no measurement is at hand:
 * vLLM of the newest family on H100, dense models from 8B to 70B at TP 1, 2 and 4 and Llama 4
 * Scout FP8, Poisson stages of 1, 5 and 10 requests/s, prompts of 1-2k tokens that start with one
 * of a few shared system prompts (so the prefix cache matters). `bench:fidelity --scenarios`
 * prints what the offline planner (`vllm-simulator simulate`, the server's engine) predicts for
 * each, next to what is known of vLLM there (the expectations below, each with its reason), so a
 * change to the step model shows its effect on the shape that matters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunDocument } from '../../src/modules/simulate/documents';
import { runSimulate } from '../../src/modules/simulate/simulate-command';

export interface Scenario {
  model: string;
  tp: number;
  /** What vLLM is known to do here, in words, with its reason. */
  expect: string;
}

export const SCENARIOS: Scenario[] = [
  { model: 'meta-llama/Llama-3.1-8B-Instruct', tp: 1, expect: 'ITL ~6-8 ms at low load (16 GB of bf16 weights streamed at ~3 TB/s, plus the per-layer kernels)' },
  { model: 'mistralai/Mistral-Nemo-Instruct-2407', tp: 1, expect: 'ITL ~9-11 ms at low load (24.5 GB of weights)' },
  { model: 'Qwen/Qwen2.5-14B-Instruct', tp: 1, expect: 'ITL ~11-14 ms at low load (29.5 GB of weights)' },
  { model: 'Qwen/Qwen3-32B', tp: 2, expect: 'ITL ~15-17 ms at low load (the aiconfigurator Qwen3-32B TP 2 sweep: TPOT 15.9 ms at concurrency 8, vLLM 0.12)' },
  { model: 'meta-llama/Llama-3.1-70B-Instruct', tp: 2, expect: 'ITL ~22-27 ms at low load (70 GB of weights per GPU)' },
  { model: 'meta-llama/Llama-3.1-70B-Instruct', tp: 4, expect: 'ITL ~12-16 ms at low load; no saturation at 10 req/s with 1-2k prompts (TTFT stays near the low-load value)' },
  { model: 'RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic', tp: 2, expect: 'a MoE with ~17B active parameters: ITL well below a dense 109B, rising with the batch as more experts are read' },
  { model: 'RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic', tp: 4, expect: 'as at TP 2, faster' },
];

/** Stages of the scenarios: requests/s, seconds each. */
const STAGES = [
  { rate: 1, duration: 120 },
  { rate: 5, duration: 120 },
  { rate: 10, duration: 120 },
];

function workloadYaml(s: Scenario): string {
  return [
    `model: ${s.model}`,
    'gpu: NVIDIA-H100-SXM',
    `tensor_parallel_size: ${s.tp}`,
    'seed: 7',
    // Prompts of 1-2k tokens whose first 600 are one of 4 system prompts; chat-length replies.
    'prompt_tokens: {distribution: uniform, min: 1000, max: 2000}',
    'output_tokens: {distribution: lognormal, mean: 250, stdev: 150, min: 16, max: 1500}',
    'prefix: {num_prefixes: 4, prefix_tokens: 600}',
    'stages:',
    ...STAGES.map((st) => `  - {rate: ${st.rate}, duration: ${st.duration}}`),
    '',
  ].join('\n');
}

export async function runScenario(s: Scenario): Promise<RunDocument> {
  const dir = mkdtempSync(join(tmpdir(), 'fidelity-scenario-'));
  try {
    const file = join(dir, 'workload.yaml');
    writeFileSync(file, workloadYaml(s));
    let out = '';
    let err = '';
    const code = await runSimulate(['--workload', file, '--format', 'json', '--no-progress'], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    });
    if (code !== 0) throw new Error(`simulate for ${s.model} TP ${s.tp} exited ${code}: ${err}`);
    return JSON.parse(out) as RunDocument;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function printScenarios(): Promise<void> {
  console.log('\nScenarios like the runs the project is judged on (no measurements; H100, Poisson stages of 1 / 5 / 10 req/s, 1-2k prompts, 4 shared 600-token system prompts):');
  console.log(`  ${'model'.padEnd(54)} TP  rate  ${'TTFT p50'.padStart(8)} ${'mean'.padStart(7)}  ${'ITL p50'.padStart(7)} ${'mean'.padStart(7)}  ${'E2E mean'.padStart(8)}  running  saturated`);
  for (const s of SCENARIOS) {
    const doc = await runScenario(s);
    for (const st of doc.stages) {
      const rate = STAGES[st.stage as number]?.rate ?? '?';
      console.log(`  ${s.model.padEnd(54)} ${String(s.tp).padStart(2)} ${String(rate).padStart(5)}  ${st.ttft_ms.p50.toFixed(1).padStart(8)} ${st.ttft_ms.mean.toFixed(1).padStart(7)}  ${st.itl_ms.p50.toFixed(2).padStart(7)} ${st.itl_ms.mean.toFixed(2).padStart(7)}  ${st.e2e_ms.mean.toFixed(0).padStart(8)}  ${st.mean_running.toFixed(1).padStart(7)}  ${st.saturated ? 'yes' : 'no'}`);
    }
    console.log(`    expected: ${s.expect}`);
  }
}
