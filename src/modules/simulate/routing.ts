import { blockHash } from '../engine/block-pool';
import { EngineEventBus } from '../engine/event-bus';

/** How a cluster picks the replica for each request. */
export const ROUTING_POLICIES = ['round_robin', 'least_requests', 'least_kv', 'prefix_aware', 'precise_prefix'] as const;
export type RoutingPolicyName = (typeof ROUTING_POLICIES)[number];

/** What a router may know of a replica when it routes (what a gateway scrapes from `/metrics`). */
export interface ReplicaLoad {
  running: number;
  waiting: number;
  /** 0..1 */
  kvCacheUsage: number;
}

export interface Router {
  /** The replica (index into `loads`) for a request with this prompt. */
  route(prompt: readonly number[], loads: readonly ReplicaLoad[]): number;
}

export interface RouterOptions {
  /** The engine's KV block size, so prefix-aware routing hashes prompts into the engine's blocks. */
  blockSize: number;
  /** Blocks a replica's KV cache holds: the most block hashes the prefix index remembers per replica. */
  cacheBlocks: number;
  /** Each replica's event bus, for routing on the KV events it publishes (`precise_prefix`). */
  events?: readonly Pick<EngineEventBus, 'on'>[];
}

export function createRouter(policy: RoutingPolicyName, options: RouterOptions): Router {
  switch (policy) {
    case 'round_robin':
      return new RoundRobinRouter();
    case 'least_requests':
      return new LeastLoadedRouter((l) => l.running + l.waiting);
    case 'least_kv':
      return new LeastLoadedRouter((l) => l.kvCacheUsage, (l) => l.running + l.waiting);
    case 'prefix_aware':
      return new PrefixAwareRouter(options);
    case 'precise_prefix':
      return new PrefixAwareRouter(options, options.events ?? []);
  }
}

class RoundRobinRouter implements Router {
  private next = 0;

  route(_prompt: readonly number[], loads: readonly ReplicaLoad[]): number {
    const i = this.next % loads.length;
    this.next = i + 1;
    return i;
  }
}

/**
 * Picks the best replica by a score (higher is better), then by a tie-break (lower is better),
 * scanning from a rotating start so equal replicas take turns instead of the first taking all.
 */
function pickBest(n: number, start: number, score: (i: number) => number, tieBreak: (i: number) => number): number {
  let best = -1;
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    if (best < 0 || score(i) > score(best) || (score(i) === score(best) && tieBreak(i) < tieBreak(best))) best = i;
  }
  return best;
}

class LeastLoadedRouter implements Router {
  private start = 0;

  constructor(
    private readonly load: (l: ReplicaLoad) => number,
    private readonly tieBreak: (l: ReplicaLoad) => number = () => 0,
  ) {}

  route(_prompt: readonly number[], loads: readonly ReplicaLoad[]): number {
    const i = pickBest(loads.length, this.start, (k) => -this.load(loads[k]), (k) => this.tieBreak(loads[k]));
    this.start = (i + 1) % loads.length;
    return i;
  }
}

/** Weights of the two scores, as in the default profile of llm-d's inference scheduler (prefix-cache scorer 3, queue scorer 2). */
const PREFIX_WEIGHT = 3;
const QUEUE_WEIGHT = 2;

/**
 * Prefix-cache-aware routing as llm-d's scheduler does it. Each replica's index holds block hashes
 * (the engine's own chained hashes, of the engine's block size). Without KV events
 * (`prefix_aware`, llm-d's approximate prefix-cache scorer) it holds the blocks of the prompts the
 * router sent there, as many as the replica's cache holds, least recently routed forgotten first.
 * With them (`precise_prefix`, llm-d's precise scorer fed by vLLM's KV events) it holds what the
 * replica reports stored and not yet removed. A replica scores by the share of the prompt's blocks
 * it caches plus a queue score (fewest waiting requests best); the highest takes the request.
 */
class PrefixAwareRouter implements Router {
  private readonly index: Map<number, true>[] = [];
  private start = 0;
  private readonly precise: boolean;

  constructor(
    private readonly options: RouterOptions,
    kvEvents?: readonly Pick<EngineEventBus, 'on'>[],
  ) {
    this.precise = kvEvents !== undefined;
    kvEvents?.forEach((bus, replica) => {
      const seen = this.replicaIndex(replica);
      bus.on('blockStored', (e) => seen.set(e.hash, true));
      bus.on('blockRemoved', (e) => seen.delete(e.hash));
    });
  }

  private replicaIndex(replica: number): Map<number, true> {
    while (this.index.length <= replica) this.index.push(new Map());
    return this.index[replica];
  }

  route(prompt: readonly number[], loads: readonly ReplicaLoad[]): number {
    this.replicaIndex(loads.length - 1);
    const hashes = promptBlockHashes(prompt, this.options.blockSize);
    const matched = this.index.slice(0, loads.length).map((seen) => {
      let m = 0;
      while (m < hashes.length && seen.has(hashes[m])) m++;
      return m;
    });
    let minWaiting = Infinity;
    let maxWaiting = -Infinity;
    for (const l of loads) {
      minWaiting = Math.min(minWaiting, l.waiting);
      maxWaiting = Math.max(maxWaiting, l.waiting);
    }
    const score = (i: number): number => {
      const prefix = hashes.length === 0 ? 0 : matched[i] / hashes.length;
      const queue = maxWaiting === minWaiting ? 1 : (maxWaiting - loads[i].waiting) / (maxWaiting - minWaiting);
      return PREFIX_WEIGHT * prefix + QUEUE_WEIGHT * queue;
    };
    const chosen = pickBest(loads.length, this.start, score, (i) => loads[i].running + loads[i].waiting);
    this.start = (chosen + 1) % loads.length;
    if (this.precise) return chosen;
    const seen = this.index[chosen];
    for (const h of hashes) {
      seen.delete(h);
      seen.set(h, true);
    }
    while (seen.size > this.options.cacheBlocks) seen.delete(seen.keys().next().value!);
    return chosen;
  }
}

/** The chained hashes of a prompt's full blocks, as the engine looks them up (the last token is always computed). */
export function promptBlockHashes(prompt: readonly number[], blockSize: number): number[] {
  const full = Math.floor((prompt.length - 1) / blockSize);
  const tokenAt = (i: number): number => prompt[i];
  const hashes: number[] = [];
  let parent = 0;
  for (let b = 0; b < full; b++) {
    parent = blockHash(parent, tokenAt, b * blockSize, (b + 1) * blockSize);
    hashes.push(parent);
  }
  return hashes;
}
