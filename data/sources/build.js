#!/usr/bin/env node
/*
 * Builds data/models.json, data/gpus.json and data/benchmarks.json from the verbatim research
 * files in data/sources/ (models.json, gpus.json, calibration-points.json, compiled for this project
 * from public sources; see each file's source_note). Every source field is kept; what this script
 * adds is marked: name aliases, two catalog rows, and the normalisation of the measured points into
 * one schema with the decision to fit on a point or hold it out, each with its reason.
 *
 *   node data/sources/build.js
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const here = __dirname;
const out = path.resolve(here, '..');
const read = (f) => JSON.parse(fs.readFileSync(path.join(here, f), 'utf8'));
const write = (f, v) => fs.writeFileSync(path.join(out, f), JSON.stringify(v, null, 2) + '\n');

// ---------- models ----------
const models = read('models.json');
const byId = new Map(models.models.map((m) => [m.id, m]));
/** Llama 3 (April 2024) has the Llama 3.1 architecture with an 8k context; points measured on it reuse those facts. */
function llama3From(base, id) {
  const b = byId.get(base);
  return {
    ...b,
    id,
    max_position_embeddings: 8192,
    source: `architecture as ${base} (same layer shapes, vocab 128256); context 8192 per the Llama 3 model card`,
    note: `Added by the simulator team for calibration points measured on ${id}. Architecture fields copied from ${base}; only max_position_embeddings differs (Llama 3: 8k, Llama 3.1: 128k). Not re-read from ${id}'s config.json.`,
    added_by_simulator: true,
  };
}
models.models.push(llama3From('meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Meta-Llama-3-8B-Instruct'));
models.models.push(llama3From('meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Meta-Llama-3-70B-Instruct'));
for (const m of models.models) {
  if (m.tie_word_embeddings === null && /^Gemma/.test(m.architecture ?? '')) {
    m.tie_word_embeddings_assumed = true;
    m.tie_word_embeddings_note = 'null in the source: Hugging Face configs default tie_word_embeddings to true and Gemma 2 ties its embeddings; the simulator assumes true.';
  }
}
// Rows of models-added.json (issue 15: the models people deploy, config.json facts with their source) replace rows of the same id.
const added = read('models-added.json');
for (const row of added.models) {
  const i = models.models.findIndex((m) => m.id === row.id);
  if (i >= 0) models.models[i] = { ...row, replaces_source: models.models[i].source };
  else models.models.push(row);
}
models.simulator_note =
  'Built by data/sources/build.js from data/sources/models.json (verbatim) and data/sources/models-added.json (rows of the same id replace the first file\'s, the replaced source kept as replaces_source). Added: two Llama 3 rows (added_by_simulator) and, for Gemma 2, the assumed tie_word_embeddings. Parameter counts that are null are computed from the architecture at start-up (src/modules/benchmarks/parameters.ts).';
write('models.json', models);

// ---------- gpus ----------
const gpus = read('gpus.json');
const aliases = {
  'NVIDIA-L4': ['L4'],
  'NVIDIA-T4': ['T4'],
  'NVIDIA-A10G': ['A10G'],
  'NVIDIA-L40S': ['L40S'],
  'NVIDIA-A100-40GB': ['A100-40GB', 'A100-40G', 'A100-SXM-40GB'],
  'NVIDIA-A100-80GB': ['A100', 'A100-80GB', 'A100-80G', 'A100-SXM', 'A100-SXM4-80GB', 'A100-SXM-80GB'],
  'NVIDIA-A100-80GB-PCIe': ['A100-PCIe', 'A100-80GB-PCIe', 'A100-PCIe-80GB'],
  'NVIDIA-H100-SXM': ['H100', 'H100-SXM', 'H100-SXM5', 'H100-80GB', 'H100-80GB-HBM3', 'H100-SXM-80GB'],
  'NVIDIA-H100-PCIe': ['H100-PCIe', 'H100-PCIe-80GB'],
  'NVIDIA-H200': ['H200', 'H200-SXM', 'H200-141GB'],
  'NVIDIA-B200': ['B200'],
  'AMD-MI300X': ['MI300X', 'Instinct-MI300X'],
  'NVIDIA-A40': ['A40'],
};
for (const row of read('gpus-added.json').gpus) {
  const i = gpus.gpus.findIndex((g) => g.id === row.id);
  if (i >= 0) gpus.gpus[i] = row;
  else gpus.gpus.push(row);
}
for (const g of gpus.gpus) g.aliases = [...new Set([...(aliases[g.id] ?? []), ...(g.aliases ?? [])])];
gpus.simulator_note =
  'Built by data/sources/build.js from data/sources/gpus.json (verbatim) and data/sources/gpus-added.json (rows of the same id replace). Added: aliases (names users write; matched case-insensitively, with or without the vendor prefix and separators). A plain "H100" is the SXM part, a plain "A100" the 80 GB SXM part, as cloud GPU-type labels mean them.';
write('gpus.json', gpus);

// ---------- benchmarks ----------
const cal = read('calibration-points.json');
const gpuIds = gpus.gpus.map((g) => g.id).sort((a, b) => b.length - a.length);

function mapModel(p) {
  if (byId.has(p.model) || models.models.some((m) => m.id === p.model)) return { id: p.model };
  if (p.model.startsWith('amd/Llama-3.1-70B-Instruct-FP8-KV'))
    return { id: 'meta-llama/Llama-3.1-70B-Instruct', note: 'AMD FP8 (weights + KV) quantization of meta-llama/Llama-3.1-70B-Instruct' };
  return { id: null };
}
function mapGpu(p) {
  const s = p.gpu;
  if (s.startsWith('NVIDIA-H100 (')) return { id: 'NVIDIA-H100-SXM', note: 'H100 80G, form factor not stated by the source: taken as SXM (NIM benchmark systems are HGX/DGX).' };
  for (const id of gpuIds) if (s === id || s.startsWith(id + ' ')) return { id };
  return { id: null };
}
/**
 * Points whose published precision does not say what their own figures prove: [id pattern, KV
 * cache dtype, evidence]. The evidence becomes one of the point's notes.
 */
const KV_CORRECTIONS = [
  [/^nim-llama33-70b-2xh100-fp8-/, 'fp8', "kv_cache_dtype corrected 16bit -> fp8 (2026-11-28, bench/fidelity.ts review), from the source table itself: at c >= 100 the 5000-in/500-out series saturates at ~920 output tok/s with ITL ~93 ms, i.e. ~86 sequences decoding at once (throughput x ITL), each holding >= 5000 prompt tokens: >= 430k tokens of KV. At 16 bits that is 327,680 B/token (80 layers x 8 KV heads x 128 x 2 x 2 B), >= 70 GB per GPU at TP2 on top of ~35 GB of fp8 weights: more than an 80 GB H100 holds. With an fp8 KV cache it is ~35 GB per GPU, which fits (data/README.md capacity model: 244k tokens at 16 bits, 488k at fp8 for this deployment). The page says only 'fp8 TP2'; the 500-in/2000-out series is the same deployment."],
];
function precisionOf(p) {
  const s = `${p.precision} ${p.model}`;
  const weights = /fp8/i.test(s) ? 'fp8' : '16bit';
  const kv = /FP8-KV|weights \+ KV/i.test(s) ? 'fp8' : '16bit';
  return { weights, kv };
}
function loadOf(l) {
  switch (l.type) {
    case 'concurrency': return { type: 'concurrency', concurrency: l.value, num_requests: l.num_requests ?? null };
    case 'request_rate_qps_poisson': return { type: 'rate', rate_qps: l.value, max_concurrency: l.max_concurrency ?? null };
    case 'batch_size': return { type: 'batch', batch_size: l.value };
    case 'offline_max_throughput': return { type: 'offline_throughput', num_prompts: l.num_prompts ?? null, max_num_seqs: l.max_num_seqs ?? null };
    default: return { type: l.type, value: l.value ?? null };
  }
}
function stats(s) {
  if (!s) return null;
  const o = {};
  for (const [k, v] of Object.entries(s)) o[k === 'unspecified_stat' ? 'unspecified' : k] = v;
  return o;
}
/**
 * The vLLM release a point measured, as "0.x.y", or null: from the engine version the source
 * states. Points of other engines (NIM) and of unstated versions carry null and belong to the
 * oldest release family (they describe the past, not the newest release).
 */
function vllmVersionOf(p) {
  if (!/vllm/i.test(`${p.engine ?? ''} ${p.engine_version ?? ''}`) && !/^\s*v?\d+\.\d+/.test(p.engine_version ?? '')) return null;
  const m = String(p.engine_version ?? '').match(/(?:^|[^\d.])v?(0\.\d+(?:\.\d+)?)/);
  return m ? m[1] : null;
}
function lengthsKind(p) {
  if (p.input_tokens === null || p.output_tokens === null) return 'unknown';
  const t = String(p.token_lengths ?? '');
  return /mean|average|derived/i.test(t) || !Number.isInteger(p.input_tokens) ? 'mean' : 'fixed';
}

/**
 * Which points the fit may use. Held out: whole configurations (to measure transfer to unseen
 * GPUs/models), some points inside fitted series (interpolation), and regimes the steady-state
 * approximation used by the fit cannot describe (queueing-dominated, near saturation).
 */
const HOLDOUT = [
  [/^vllm-buildkite-9515-latency/, 'whole GPU held out (H200): tests transfer to a GPU without fitted points'],
  [/^iog-deepseek-r1-distill-llama-8b/, 'same architecture as the fitted Meta-Llama-3-8B series on the same GPU: repeatability check'],
  [/^iog-gemma-2-9b-it/, 'whole model held out (Gemma 2 9B on H100-PCIe)'],
  [/^iog-meta-llama-3-70b-instruct-2xh100pcie-qps(4|8|16|32)$/, 'overloaded run (queueing: TTFT mean several times the qps1 value, non-monotonic): only the real scheduler can replay it'],
  [/^iog-.*-qps32$/, 'near saturation (TTFT doubles from qps16): queueing regime, left to the engine replay'],
  [/^nim-llama33-70b-2xh100-fp8-5000in-500out-c(100|150|200|250)$/, 'queueing-dominated (TTFT of tens of seconds: concurrency above what the engine admits at once)'],
  [/^nim-llama33-70b-2xh100-fp8-5000in-500out-c(5|50)$/, 'inside a fitted series: interpolation check'],
  [/^wmx-qwen25-0\.5b-l4-c(2|8)$/, 'inside a fitted series: interpolation check'],
  [/^inferencebench-llama31-8b-h100-c(16|64)$/, 'prompt/output lengths unknown: at this concurrency prefill interference depends on them'],
  [/^amd-mi300x/, 'whole vendor stack held out (ROCm on MI300X, FP8)'],
  [/^johnmusgrave/, 'approximate figure from prose ("about 75 tokens/sec")'],
  [/^dbmart-a40-(deepseek|qwen2\.5-14b)/, 'held out inside the A40 set (same architecture as a fitted point / second model size)'],
];

/**
 * TTFT not compared: Qwen2.5-0.5B on L4 reports a TTFT of 27 ms at c=1 growing to 135 ms at c=32
 * while its ITL stays at 5-7 ms, so its TTFT is dominated by host-side costs (HTTP, tokenization,
 * the client) that no GPU step model represents; its ITL and E2E are compared.
 */
const HOST_BOUND_TTFT = /^wmx-qwen25-0\.5b-l4-/;

const points = [];
const excluded = [];
for (const p of cal.points) {
  if (!p.is_measurement) continue;
  const model = mapModel(p);
  const gpu = mapGpu(p);
  const prec = precisionOf(p);
  const load = loadOf(p.load);
  const m = p.metrics ?? {};
  const ttft = stats(m.ttft_ms);
  let itl = stats(m.itl_ms);
  const tpot = stats(m.tpot_ms);
  let e2e = stats(m.e2e_ms);
  const derived = [];
  const kvFix = KV_CORRECTIONS.find(([re]) => re.test(p.id));
  if (kvFix) {
    prec.kv = kvFix[1];
    derived.push(kvFix[2]);
  }
  if (p.id.startsWith('johnmusgrave') && m.per_request_decode_tokens_per_s_approx) {
    itl = { approx: +(1000 / m.per_request_decode_tokens_per_s_approx).toFixed(3) };
    derived.push('itl_ms.approx = 1000 / per_request_decode_tokens_per_s_approx');
  }
  if (p.id.startsWith('dbmart') && m.duration_s && load.type === 'concurrency' && load.num_requests === load.concurrency) {
    e2e = { approx: m.duration_s * 1000 };
    derived.push('e2e_ms.approx = duration_s x 1000 (one wave: num_requests == concurrency, so the run lasts as long as the slowest request)');
  }
  const lengths = lengthsKind(p);
  let usable = true;
  let reason = null;
  if (!model.id) [usable, reason] = [false, 'model not in data/models.json'];
  else if (!gpu.id) [usable, reason] = [false, 'GPU not in data/gpus.json'];
  else if ((p.pipeline_parallel ?? 1) > 1) [usable, reason] = [false, 'pipeline parallelism is not modelled'];
  else if (load.type === 'offline_throughput') [usable, reason] = [false, 'offline max-throughput run: no per-request latency to compare'];
  else if (lengths === 'unknown' && !p.id.startsWith('inferencebench')) [usable, reason] = [false, 'prompt/output lengths unknown'];
  // Which metrics can be compared: with unknown lengths only the decode latency at low concurrency.
  const compare = [];
  if (usable) {
    if (ttft && lengths !== 'unknown' && !HOST_BOUND_TTFT.test(p.id)) compare.push('ttft');
    if (itl || tpot) compare.push('itl');
    if (e2e && lengths !== 'unknown') compare.push('e2e');
  }
  let holdout = true;
  let holdoutReason = reason;
  if (usable) {
    const h = HOLDOUT.find(([re]) => re.test(p.id));
    holdout = Boolean(h);
    holdoutReason = h ? h[1] : null;
  }
  const point = {
    id: p.id,
    source_group: p.source_group,
    model: model.id,
    model_as_published: p.model,
    gpu: gpu.id,
    gpu_as_published: p.gpu,
    tensor_parallel: p.tensor_parallel ?? 1,
    pipeline_parallel: p.pipeline_parallel ?? 1,
    gpu_count: p.gpu_count,
    weights_dtype: prec.weights,
    kv_cache_dtype: prec.kv,
    precision_as_published: p.precision,
    engine: p.engine,
    engine_version: p.engine_version ?? null,
    vllm_version: vllmVersionOf(p),
    input_tokens: lengths === 'unknown' ? (p.id.startsWith('inferencebench') ? 256 : null) : p.input_tokens,
    output_tokens: lengths === 'unknown' ? (p.id.startsWith('inferencebench') ? 256 : null) : p.output_tokens,
    lengths: lengths === 'unknown' && p.id.startsWith('inferencebench') ? 'assumed' : lengths,
    load,
    ttft_ms: ttft,
    itl_ms: itl,
    tpot_ms: tpot,
    e2e_ms: e2e,
    throughput: Object.fromEntries(Object.entries(m).filter(([k]) => !/_ms$/.test(k) && k !== 'per_request_decode_tokens_per_s_approx')),
    compare,
    usable,
    holdout,
    holdout_reason: holdoutReason,
    notes: [p.metric_notes, p.token_lengths && `lengths: ${p.token_lengths}`, p.model_note, model.note, gpu.note, ...derived,
      lengths === 'unknown' && p.id.startsWith('inferencebench') ? 'lengths unknown: 256/256 assumed; only ITL (TPOT) is compared' : null,
      HOST_BOUND_TTFT.test(p.id) ? 'TTFT not compared: host-bound (27 ms at c=1 rising to 135 ms at c=32 while ITL stays 5-7 ms)' : null].filter(Boolean),
    source: p.source,
    quote: p.quote ?? null,
  };
  points.push(point);
  if (!usable) excluded.push(p.id);
}

// ---------- aiconfigurator silicon measurements (vLLM 0.11-0.18 on H100 / H200 / B200) ----------
const silicon = read('aiconfigurator-silicon-vllm.json');
const SILICON_MODEL = {
  'meta-llama/Llama-3.1-70B': 'meta-llama/Llama-3.1-70B-Instruct',
  'Qwen/Qwen3-32B': 'Qwen/Qwen3-32B',
  'nvidia/Llama-3.1-8B-Instruct-FP8': 'meta-llama/Llama-3.1-8B-Instruct',
  'Qwen/Qwen3-235B-A22B-FP8': 'Qwen/Qwen3-235B-A22B-FP8',
  'openai/gpt-oss-120b': 'openai/gpt-oss-120b',
};
const SILICON_GPU = { h100_sxm: 'NVIDIA-H100-SXM', h200_sxm: 'NVIDIA-H200', b200_sxm: 'NVIDIA-B200' };
/** Stable pseudo-random split: a third of every configuration's points held out. */
function heldOut(id) {
  let h = 2166136261;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h % 3 === 0;
}
for (const r of silicon.rows) {
  const version = r.backend_version ?? (r.image && (r.image.match(/v(\d+\.\d+\.\d+)/) ?? [])[1]) ?? null;
  // Rows without a version were measured 2025-10-29 .. 2025-12-05: vLLM 0.11.x was current then (0.11.0 on 2025-10-02, 0.12.0 on 2025-12-03).
  const assumed = version === null;
  const weights = r.precision === 'fp4' || r.gemm_quant_mode === 'nvfp4' || r.gemm_quant_mode === 'int4_wo' ? 'int4' : r.precision === 'fp8' || r.gemm_quant_mode === 'fp8' ? 'fp8' : '16bit';
  const id = `aic-${r.row_id.toLowerCase().replace(/[^a-z0-9.]+/g, '-')}`;
  // Each collection (the CSV a row came from) ran its own client and deployment; their TTFT overheads differ.
  const collection = ((r.data_source.match(/source_file=([^;]+)/) ?? [])[1] ?? r.data_source.split(';')[0]).split('/').pop().replace(/\.csv$/, '');
  points.push({
    id,
    source_group: `aiconfigurator-silicon:${collection}`,
    model: SILICON_MODEL[r.model_path],
    model_as_published: r.model_path,
    gpu: SILICON_GPU[r.system],
    gpu_as_published: r.system,
    tensor_parallel: r.tp,
    pipeline_parallel: 1,
    gpu_count: r.tp,
    weights_dtype: weights,
    kv_cache_dtype: '16bit',
    precision_as_published: `precision=${r.precision || '(empty)'} gemm_quant_mode=${r.gemm_quant_mode || '(empty)'} moe_quant_mode=${r.moe_quant_mode || '(empty)'}`,
    engine: 'vLLM (aiconfigurator silicon measurement, mode agg)',
    engine_version: version ?? `not stated (measured ${r.measured ?? '?'})`,
    vllm_version: version ?? '0.11.0',
    input_tokens: r.isl,
    output_tokens: r.osl,
    lengths: 'fixed',
    load: { type: 'concurrency', concurrency: r.concurrency, num_requests: null },
    ttft_ms: { mean: r.ttft_ms },
    itl_ms: null,
    tpot_ms: { mean: r.tpot_ms },
    e2e_ms: null,
    throughput: {},
    compare: ['ttft', 'itl'],
    // Expert layers spread over more GPUs than attention (attention data parallel): a layout the step model does not have.
    usable: !(Number(r.moe_tp || 1) * Number(r.moe_ep || 1) > r.tp),
    holdout: heldOut(id),
    holdout_reason: Number(r.moe_tp || 1) * Number(r.moe_ep || 1) > r.tp ? `experts on ${Number(r.moe_tp || 1) * Number(r.moe_ep || 1)} GPUs, attention on ${r.tp}: attention data parallelism is not modelled` : heldOut(id) ? 'every third point (hash of the id) of the aiconfigurator measurements: held-out check inside the same configurations' : null,
    notes: [
      `silicon_data_source: ${r.data_source}`,
      'TTFT and TPOT taken as means (aiperf reports averages; the CSV columns are not labelled further).',
      'KV cache dtype not recorded: taken as 16-bit (vLLM auto).',
      assumed ? 'vLLM version not recorded: measured 2025-10/12, when vLLM 0.11 was the current release; taken as 0.11.0.' : null,
    ].filter(Boolean),
    source: `github:ai-dynamo/aiconfigurator @ 095f58a5 aic-core/src/aiconfigurator_core/systems/silicon_sample.csv (row ${r.row_id})`,
    quote: r.quote,
  });
}

// ---------- Poisson rate sweeps of vLLM 0.14.1 on H200 (DO-Solutions reports) ----------
const poisson = read('do-solutions-poisson-vllm-0.14.json');
/**
 * The split, decided before any fit on these points: of the ShareGPT series every other rate is
 * fitted on (0.5, 1.0, 1.5, 2.5) and the others held out. From the second rate on, every prompt is
 * in the prefix cache but its last block (the same 300 prompts ran at the rate before): those are
 * the Poisson runs with shared prefixes. The multi-turn series is not usable: which prefixes its
 * prompts share is not published, and its own figures need far more sharing than 100 independent
 * conversations give (below).
 */
const MULTI_TURN_UNUSABLE =
  'prompt structure not published, and the report\'s own figures need prompts that share most of their blocks across conversations: ' +
  '112 requests in flight at 3 req/s with ~6,300 tokens each hold ~700k tokens, twice the 348,304 tokens of KV cache the server had, and the ' +
  'median TTFT (83-180 ms for 5,806-token prompts, with full prefills of ~500 ms at p95) says most prompts were nearly all cached. What they ' +
  'shared (the "long Wikipedia passages" across conversations?) decides every figure and is not recorded.';
const POISSON_FITTED = new Set(['do-sharegpt-llama31-70b-fp8-h200-rate0.50', 'do-sharegpt-llama31-70b-fp8-h200-rate1.00', 'do-sharegpt-llama31-70b-fp8-h200-rate1.50', 'do-sharegpt-llama31-70b-fp8-h200-rate2.50']);
const firstRate = Math.min(...poisson.rows.map((r) => r.request_rate_qps));
for (const r of poisson.rows) {
  const multi = r.dataset === 'multi-turn';
  const fitted = POISSON_FITTED.has(r.id);
  points.push({
    id: r.id,
    source_group: `do-solutions-vllm-bench-serve:${r.dataset}`,
    model: 'meta-llama/Llama-3.1-70B-Instruct',
    model_as_published: poisson.server.model_as_published,
    gpu: 'NVIDIA-H200',
    gpu_as_published: poisson.server.gpu,
    tensor_parallel: 1,
    pipeline_parallel: 1,
    gpu_count: 1,
    weights_dtype: 'fp8',
    kv_cache_dtype: 'fp8',
    precision_as_published: `${poisson.server.quantization}, kv_cache_dtype ${poisson.server.kv_cache_dtype}`,
    engine: 'vLLM',
    engine_version: poisson.server.engine_version,
    vllm_version: poisson.server.engine_version,
    input_tokens: r.input_tokens_mean,
    output_tokens: r.output_tokens_mean,
    lengths: 'mean',
    load: { type: 'rate', rate_qps: r.request_rate_qps, max_concurrency: null },
    workload: { dataset: r.dataset, warm_cache: r.request_rate_qps > firstRate },
    ttft_ms: { p50: r.ttft_ms.p50 },
    itl_ms: { p50: r.itl_ms.p50 },
    tpot_ms: { p50: r.tpot_ms.p50 },
    e2e_ms: null,
    throughput: { output_tokens_per_s: r.output_tokens_per_s, max_concurrent: r.max_concurrent, ttft_p95_ms: r.ttft_ms.p95, ttft_p99_ms: r.ttft_ms.p99, itl_p95_ms: r.itl_ms.p95, itl_p99_ms: r.itl_ms.p99 },
    compare: ['ttft', 'itl'],
    usable: !multi,
    holdout: multi || !fitted,
    holdout_reason: multi ? MULTI_TURN_UNUSABLE : fitted ? null : 'every other rate of the ShareGPT series held out (decided before fitting)',
    notes: [
      `${r.dataset === 'sharegpt' ? 'ShareGPT V3' : 'custom multi-turn (100 conversations x 5 turns, accumulated history)'}: mean lengths ${r.input_tokens_mean} in / ${r.output_tokens_mean} out; the replay uses them as fixed lengths.`,
      r.request_rate_qps > firstRate ? 'The same 300 prompts were served by the previous rate\'s run on the same server (rates in increasing order, 30 s apart): the replay serves them once before the measured run, so the prefix cache holds what it would.' : 'First rate after 10 warm-up prompts: the prefix cache starts cold.',
      'Figures are p50: compared with the replay\'s medians (ITL: every gap between tokens, as vllm bench serve pools them).',
    ].filter(Boolean),
    source: r.source,
    quote: r.quote,
  });
}

write('benchmarks.json', {
  source_note:
    'Measured serving benchmarks (is_measurement=true in data/sources/calibration-points.json; the 10 simulator profiles of llm-d-inference-sim there are not measurements and are left out). Each point keeps its public source and quote. Normalised by data/sources/build.js: model/gpu mapped to catalog ids (the published strings are kept), load as concurrency | rate | batch | offline_throughput, latency stats in ms as the source labels them (mean, median, p50, p95, p99, unspecified, approx = derived, see notes). usable=false: the simulator cannot predict the point (reason in holdout_reason). holdout=true: never used by bench/fit.ts; bench/fidelity.ts reports it separately. compare: the metrics that may be compared with predictions.',
  counts: {
    measurements: points.length,
    usable: points.filter((p) => p.usable).length,
    fitted: points.filter((p) => p.usable && !p.holdout).length,
    holdout: points.filter((p) => p.usable && p.holdout).length,
    not_usable: points.filter((p) => !p.usable).length,
  },
  points,
});
console.log('benchmarks:', points.length, 'points;', points.filter((p) => p.usable && !p.holdout).length, 'fitted,',
  points.filter((p) => p.usable && p.holdout).length, 'holdout,', points.filter((p) => !p.usable).length, 'not usable');
