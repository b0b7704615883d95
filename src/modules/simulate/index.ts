// The simulate module's surface for the benches and the command line.
export { planWorkload } from './plan-workload';
export type { PlannedRequest, PlannedWorkload, StageWindow } from './planned-request';
export { replayOnCluster, replayTimeline } from './replay';
export type { ReplayedRequest, ReplayOptions, RequestRecord } from './replay';
export { replayRequests, runWorkload } from './simulation';
export { summarizeLatencies } from './latency-summary';
export type { LatencySummary } from './latency-summary';
