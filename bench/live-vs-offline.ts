/**
 * Live vs offline: the same workload served by the real server (streaming HTTP clients on the wall
 * clock) and replayed through the engine on a virtual clock (`replayRequests`, what `simulate` uses).
 * Issue 3 asks them to agree within 10 % on TTFT/ITL/E2E as a client measures them.
 *
 *   npm run bench:live [-- --rate 3 --duration 40 --seed 11]
 *
 * Mistral-7B-Instruct-v0.3 on one L4 at latency_scale 1. Poisson arrivals; prompts of random words,
 * each starting differently (no prefix-cache hits), tokenized by the server's /tokenize (chat template
 * included) so the offline side gets the exact prompt token counts; outputs of exact length
 * (ignore_eos, max_tokens). The offline side replays the arrival times the live clients really sent at.
 */
import 'reflect-metadata';
import { Random } from '../src/common/random';
import { resolveProfile } from '../src/modules/benchmarks/resolve-profile';
import { createEngine } from '../src/modules/engine/create-engine';
import { VirtualClock } from '../src/modules/engine/virtual-clock';
import { LatencySummary, PlannedRequest, replayRequests, summarizeLatencies } from '../src/modules/simulate';
import { bootServer, numberArg } from './support/server';
import { StreamResult, streamChat } from './support/sse-client';

const RATE = numberArg('rate', 3);
const DURATION_S = numberArg('duration', 40);
const SEED = numberArg('seed', 11);

const WORDS = 'the of and to in is was for on that with as by at from his her they which this be are have an not but or were had their one all would there been has when who will more if no out so said what up its about into than them can only other new some time could these two may first then do any like my now over such our man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(' ');

interface Planned {
  index: number;
  messages: Array<{ role: string; content: string }>;
  promptTokens: number;
  outputTokens: number;
  arrival: number;
}

async function plan(url: string, model: string): Promise<Planned[]> {
  const random = new Random(SEED);
  const planned: Planned[] = [];
  for (let t = random.exponential(1000 / RATE), i = 0; t < DURATION_S * 1000; t += random.exponential(1000 / RATE), i++) {
    const words = 150 + random.int(600); // ~200-1000 tokens with the template
    const text = [`Request ${i} (${random.int(1e9).toString(36)}):`];
    for (let w = 0; w < words; w++) text.push(WORDS[random.int(WORDS.length)]);
    const messages = [{ role: 'user', content: text.join(' ') }];
    const res = await fetch(`${url}/tokenize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages }) });
    const { count } = (await res.json()) as { count: number };
    planned.push({ index: i, messages, promptTokens: count, outputTokens: 50 + random.int(151), arrival: t });
  }
  return planned;
}

async function runLive(url: string, model: string, planned: Planned[]): Promise<{ results: StreamResult[]; start: number }> {
  const start = performance.now() + 100;
  const results = await Promise.all(
    planned.map(
      (p) =>
        new Promise<StreamResult>((resolve) =>
          setTimeout(
            () => void streamChat(url, { model, messages: p.messages, max_tokens: p.outputTokens, ignore_eos: true, temperature: 0 }).then(resolve),
            Math.max(0, start + p.arrival - performance.now()),
          ),
        ),
    ),
  );
  return { results, start };
}

function liveSummaries(results: StreamResult[]): { ttft: LatencySummary; itl: LatencySummary; e2e: LatencySummary } {
  const ok = results.filter((r) => !r.error && r.doneAt !== undefined && r.contentAt.length > 0);
  return {
    ttft: summarizeLatencies(ok.map((r) => r.contentAt[0] - r.sentAt)),
    itl: summarizeLatencies(ok.flatMap((r) => r.contentAt.slice(1).map((t, i) => t - r.contentAt[i]))),
    e2e: summarizeLatencies(ok.map((r) => r.doneAt! - r.sentAt)),
  };
}

async function main(): Promise<void> {
  const { server, settings } = await bootServer({ latency_scale: 1, seed: SEED });
  const model = settings.model;
  try {
    const planned = await plan(server.url, model);
    console.log(`${settings.model} on ${settings.gpu_type}: ${planned.length} requests, Poisson ${RATE}/s over ${DURATION_S} s, seed ${SEED}`);
    const wallStart = performance.now();
    const { results, start } = await runLive(server.url, model, planned);
    console.log(`live run: ${((performance.now() - wallStart) / 1000).toFixed(1)} s`);
    const errors = results.filter((r) => r.error);
    if (errors.length > 0) console.log(`  ${errors.length} errors, first: ${errors[0].error}`);
    const mismatched = results.filter((r, i) => !r.error && (r.usage?.prompt_tokens !== planned[i].promptTokens || r.usage?.completion_tokens !== planned[i].outputTokens || r.contentAt.length !== planned[i].outputTokens));
    if (mismatched.length > 0) console.log(`  ${mismatched.length} requests whose usage or content chunks differ from the plan (e.g. ${JSON.stringify(mismatched[0].usage)}, ${mismatched[0].contentAt.length} content chunks)`);

    // Offline: the same arrivals (as actually sent) and token counts, same profile and engine settings.
    const clock = new VirtualClock();
    const profile = resolveProfile(settings);
    const values = { latency_scale: 1, ttft_ms: null, itl_ms: null, prefill_ms_per_token: null, latency_jitter: 0, max_num_seqs: profile.limits.maxNumSeqs, response_mode: settings.response_mode };
    const engine = createEngine(clock, profile, settings, () => values, new Random(SEED));
    let nextToken = 1_000_000;
    const requests: PlannedRequest[] = planned.map((p, i) => ({
      arrival: results[i].sentAt - start,
      promptTokenIds: Array.from({ length: p.promptTokens }, () => nextToken++),
      outputTokens: p.outputTokens,
      stage: 0,
    }));
    const offline = replayRequests(requests, engine, clock).overall;
    const live = liveSummaries(results);

    const rows: Array<[string, LatencySummary, LatencySummary]> = [
      ['TTFT', live.ttft, offline.ttft_ms],
      ['ITL', live.itl, offline.itl_ms],
      ['E2E', live.e2e, offline.e2e_ms],
    ];
    console.log('\nms            live      offline   diff (live vs offline)');
    let worst = 0;
    for (const [name, l, o] of rows)
      for (const stat of ['mean', 'p50', 'p90'] as const) {
        const diff = (100 * (l[stat] - o[stat])) / o[stat];
        worst = Math.max(worst, Math.abs(diff));
        console.log(`${`${name} ${stat}`.padEnd(10)} ${l[stat].toFixed(1).padStart(9)} ${o[stat].toFixed(1).padStart(11)}   ${(diff >= 0 ? '+' : '') + diff.toFixed(1)} %`);
      }
    console.log(`\nworst |diff|: ${worst.toFixed(1)} % (target: within 10 %); offline mean running ${offline.mean_running}, waiting ${offline.mean_waiting}`);
  } finally {
    await server.shutdown(0);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
