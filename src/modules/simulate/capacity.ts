import { SweepPoint } from './sweep';

export interface ReplicaCheck {
  replicas: number;
  meets: boolean;
  point: SweepPoint;
}

/** How many replicas a target rate needs, checked by simulating the routed cluster at that rate. */
export interface ReplicaPlan {
  target_rate: number;
  /** What one replica sustains under the SLO (the sweep's max_rate). */
  per_replica_max_rate: number | null;
  /** Fewest replicas whose cluster met the SLO at the target rate, or null if none tried did. */
  replicas_needed: number | null;
  checks: ReplicaCheck[];
  note: string | null;
}

/** Replicas tried above the first estimate before giving up. */
const EXTRA_TRIES = 4;

/**
 * Starts from ceil(target / one replica's max rate), then simulates the cluster at the target rate:
 * adds replicas while it fails (routing is never perfect), and removes them while it passes.
 */
export function replicasFor(targetRate: number, perReplicaMax: number | null, maxReplicas: number, check: (replicas: number) => SweepPoint): ReplicaPlan {
  const checks: ReplicaCheck[] = [];
  const run = (n: number): boolean => {
    const point = check(n);
    checks.push({ replicas: n, meets: point.meets, point });
    return point.meets;
  };
  if (perReplicaMax === null || perReplicaMax <= 0) {
    return { target_rate: targetRate, per_replica_max_rate: perReplicaMax, replicas_needed: null, checks, note: 'no rate meets the SLO on one replica' };
  }
  const first = Math.max(1, Math.ceil(targetRate / perReplicaMax - 1e-9));
  if (first > maxReplicas) {
    return { target_rate: targetRate, per_replica_max_rate: perReplicaMax, replicas_needed: null, checks, note: `it would take about ${first} replicas; at most ${maxReplicas} are simulated` };
  }
  let needed: number | null = null;
  for (let n = first; n <= Math.min(maxReplicas, first + EXTRA_TRIES); n++) {
    if (run(n)) {
      needed = n;
      break;
    }
  }
  // Fewer may do (a router spreads load more evenly than the single replica's Poisson stream saw).
  if (needed !== null && needed === first) while (needed > 1 && run(needed - 1)) needed--;
  checks.sort((a, b) => a.replicas - b.replicas);
  return {
    target_rate: targetRate,
    per_replica_max_rate: perReplicaMax,
    replicas_needed: needed,
    checks,
    note: needed === null ? `no cluster of ${first} to ${Math.min(maxReplicas, first + EXTRA_TRIES)} replicas met the SLO at the target rate` : null,
  };
}
