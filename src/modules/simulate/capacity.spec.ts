import { replicasFor } from './capacity';
import { SweepPoint } from './sweep';

const point = (meets: boolean) => ({ meets }) as SweepPoint;

describe('replicas for a target rate', () => {
  it('starts from target / per-replica rate and adds replicas while the cluster misses', () => {
    const plan = replicasFor(10, 2.5, 256, (n) => point(n >= 6));
    expect(plan.replicas_needed).toBe(6);
    expect(plan.checks.map((c) => [c.replicas, c.meets])).toEqual([
      [4, false],
      [5, false],
      [6, true],
    ]);
  });

  it('removes replicas while the cluster still meets the SLO', () => {
    const plan = replicasFor(10, 2, 256, (n) => point(n >= 3));
    expect(plan.replicas_needed).toBe(3);
    expect(plan.checks.map((c) => c.replicas)).toEqual([2, 3, 4, 5]);
  });

  it('says when no replica meets the SLO or too many would be needed', () => {
    expect(replicasFor(10, null, 256, () => point(true))).toMatchObject({ replicas_needed: null, note: 'no rate meets the SLO on one replica' });
    expect(replicasFor(1000, 1, 256, () => point(true)).note).toContain('about 1000 replicas; at most 256');
    expect(replicasFor(10, 2.5, 256, () => point(false))).toMatchObject({ replicas_needed: null, note: 'no cluster of 4 to 8 replicas met the SLO at the target rate' });
  });
});
