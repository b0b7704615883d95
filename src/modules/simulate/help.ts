/** `vllm-simulator simulate --help`: every flag and every workload field, with an example. */
export const SIMULATE_HELP = `Usage: vllm-simulator simulate --workload FILE [options]
       vllm-simulator simulate --trace FILE [options]

Runs the simulated vLLM engine on a virtual clock: a workload that would take an hour is
predicted in seconds. Figures are per second of simulated time: achieved throughput counts the
requests the engine completed and the tokens it produced, never the arrivals.

Input (one of):
  --workload FILE            workload file, YAML or JSON (fields below)
  --trace FILE               trace of timestamped requests, JSONL or CSV (format below)

Output:
  --format table|json|csv    table on a terminal, JSON otherwise (--format wins)
  --report FILE.html         one self-contained HTML page with the charts (no network needed)
  --requests-out FILE        every request's times and tokens (.csv, or JSONL for any other name)
  --progress, --no-progress  progress bar on stderr (default: on a terminal, for runs over a second)

Engine (override the workload file; defaults are the server's):
  --model NAME                          default mistralai/Mistral-7B-Instruct-v0.3
  --gpu NAME, --gpu-type NAME           default NVIDIA-L4
  --tensor-parallel-size N, -tp N       default 1
  --max-num-seqs N                      default vLLM's for the GPU: 256 (1024 on GPUs of 70 GiB
  --max-num-batched-tokens N            or more other than A100); 2048 tokens (8192 there)
  --gpu-memory-utilization F            default 0.9
  --max-model-len N                     default the model's context (capped at the KV cache)
  --enable-prefix-caching, --no-enable-prefix-caching   default on
  --seed N                              default 1 (same seed, same run)

Cluster:
  --replicas N               N data-parallel replicas on one clock (default 1)
  --routing POLICY           round_robin (default) | least_requests | least_kv | prefix_aware
                             (router-side index of what it sent where) | precise_prefix (index fed
                             by the replicas' KV events)
  --max-concurrency N        clients keep at most N requests in flight (closed loop)

Prefill/decode pools (P/D disaggregation, as llm-d and vLLM's NIXL connector run it):
  --prefill-replicas P, --decode-replicas D
                             a prefill pool of P and a decode pool of D engines instead of --replicas
                             (either flag turns the pools on; the other defaults to 1). Each request
                             prefills on a prefill engine (prompt + one token, as do_remote_decode),
                             its KV crosses the link (what the decode engine's prefix cache lacks),
                             then it decodes on a decode engine (as do_remote_prefill). TTFT =
                             prefill queue + prefill + transfer + decode queue + first decode step
  --prefill-routing POLICY, --decode-routing POLICY   default --routing
  --prefill-gpu NAME, --decode-gpu NAME               default --gpu
  --prefill-tp N, --decode-tp N                       default --tensor-parallel-size
  --prefill-max-num-seqs N, --decode-max-num-seqs N   default --max-num-seqs
  --kv-transfer-gb-per-s F   bandwidth of one GPU's KV link, GB/s (default 25, as the server's flag)
  --kv-transfer-latency-ms F fixed cost of one transfer (default 1, as the server's flag)

Questions:
  --slo "ttft_p99<=2000,itl_p99<=100"
                             thresholds in ms on ttft | itl | e2e, stats mean | p50 | p90 | p95 | p99;
                             each stage reports slo_met and goodput (requests that met it themselves)
  --sweep                    find the highest request rate that meets the SLO without saturating
                             (no --slo: the highest rate that does not saturate); JSON: max_rate, points
  --sweep-requests N         requests per rate tried (default 1000; each at least 60 s)
  --target-rate R            replicas needed for R requests/s under the SLO (sweeps one replica,
                             then simulates the routed cluster at R)
  --grid "gpu=NVIDIA-L4,NVIDIA-H100-SXM;tp=1,2;max_num_seqs=128,256"
                             the run (or --sweep) for every combination, as one table; axes: model,
                             gpu, tp, max_num_seqs, max_num_batched_tokens, replicas, routing
  --trace-block-size N       tokens per hash_ids entry (default 512, Mooncake's)

Workload file fields (all optional unless marked):
  model, gpu, tensor_parallel_size, max_num_seqs, max_num_batched_tokens,
  gpu_memory_utilization, max_model_len, enable_prefix_caching, seed
                             the engine, as the flags above
  replicas, routing, max_concurrency, slo
                             as the flags above (slo also as a map: {ttft_p99: 2000})
  disaggregation             prefill/decode pools: {prefill, decode, kv_transfer_gb_per_s,
                             kv_transfer_latency_ms}; prefill and decode are each {replicas, routing,
                             gpu, tensor_parallel_size, max_num_seqs, max_num_batched_tokens,
                             gpu_memory_utilization} (left out: the top-level engine's); both pools
                             serve the top-level model; the flags above win. Example:
                               disaggregation:
                                 prefill: {replicas: 2, routing: prefix_aware}
                                 decode: {replicas: 1, gpu: NVIDIA-H100-SXM}
                                 kv_transfer_gb_per_s: 25
  stages                     REQUIRED: list of {rate, duration, name}: requests/s offered (all client
                             classes together) for duration seconds, one after the other
  prompt_tokens              REQUIRED (here or per client): prompt length distribution; with a
                             shared prefix the prefix counts towards it; in a conversation, the new
                             message of each turn
  output_tokens              REQUIRED (here or per client): reply length distribution (exact: the
                             engine generates that many tokens)
  prefix                     shared system prompts: {num_prefixes, prefix_tokens}; each request
                             starts with one of num_prefixes prompts of prefix_tokens tokens
  session                    multi-turn conversations: {turns, think_time_s}; turns is a
                             distribution of turns per conversation, think_time_s one of the seconds
                             between a reply and the next question; each turn's prompt carries the
                             earlier turns and replies (so it hits the prefix cache); a class of
                             conversations starts them at its rate / mean turns, so it offers about
                             its share of the rate in requests; turns due after the last stage are
                             not sent
  arrival                    {process: poisson (default) | gamma | constant, burstiness}; gamma's
                             burstiness is vllm bench serve's: 1 = Poisson, < 1 burstier, > 1 steadier
  clients                    several client classes: list of {name (REQUIRED), share, prompt_tokens,
                             output_tokens, prefix, session, arrival}; share is the class's relative
                             part of every stage's rate (default 1); fields left out come from the
                             top level

  A distribution: {distribution, mean, stdev, min, max, value}
    fixed      value (or mean)                          {distribution: fixed, value: 128}
    normal     mean, stdev; clipped to [min, max]       {mean: 500, stdev: 200, min: 10, max: 4000}
    lognormal  mean, stdev of the lengths themselves    {distribution: lognormal, mean: 300, stdev: 250}
    uniform    min, max                                 {distribution: uniform, min: 50, max: 150}
    Without distribution: normal when stdev > 0, else fixed.

Example workload:
  model: mistralai/Mistral-7B-Instruct-v0.3
  gpu: NVIDIA-L4
  seed: 3
  slo: "ttft_p99<=2000,itl_p99<=150"
  prompt_tokens: {mean: 500, stdev: 200, min: 10, max: 4000}
  output_tokens: {mean: 200, stdev: 50, min: 1, max: 1000}
  clients:
    - name: chat
      share: 3
      prefix: {num_prefixes: 4, prefix_tokens: 300}
      session: {turns: {distribution: uniform, min: 2, max: 6}, think_time_s: {mean: 8, stdev: 4, min: 1}}
      arrival: {process: gamma, burstiness: 0.5}
    - name: summaries
      share: 1
      prompt_tokens: {distribution: lognormal, mean: 2000, stdev: 800, max: 6000}
      output_tokens: {distribution: fixed, value: 150}
  stages:
    - {name: quiet, rate: 1, duration: 300}
    - {name: busy, rate: 2.5, duration: 600}

Trace (--trace), one request a row, in ms from the start:
  JSONL (Mooncake's format):  {"timestamp": 0, "input_length": 655, "output_length": 52, "hash_ids": [46, 47]}
  CSV with a header row:      timestamp,input_length,output_length,session_id
  timestamp, input_length, output_length are required; hash_ids (ids of the prompt's blocks of
  --trace-block-size tokens: equal ids, shared prefix) or session_id (a later request of a session
  starts with the earlier prompt and its reply) are optional; other fields are ignored. Requests are
  sent at exactly their timestamps. With --sweep the timestamps are scaled to each rate tried.

Exit codes: 0 done, 2 bad input (the message says what), 1 an unexpected failure.
`;
