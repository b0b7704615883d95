import { ReplayResult, RequestRecord } from '../replay';
import { csvLine } from './csv';

const r3 = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : Math.round(v * 1000) / 1000);

/** One request's times (ms on the virtual clock) and tokens, as `--requests-out` writes them; with prefill/decode pools, its legs too. */
function row(r: RequestRecord, index: number, disaggregated = false) {
  const base = {
    index,
    class: r.request.clientClass ?? 0,
    replica: r.replica,
    due_ms: r3(r.due),
    sent_ms: r3(r.sent),
    first_token_ms: r3(r.firstToken),
    end_ms: r3(r.end),
    prompt_tokens: r.promptTokens,
    output_tokens: r.outputTokens,
    cached_tokens: r.cachedTokens,
    ttft_ms: r.firstToken === undefined ? null : r3(r.firstToken - r.sent),
    e2e_ms: r.end === undefined ? null : r3(r.end - r.sent),
    refused: r.refused ?? null,
  };
  if (!disaggregated) return base;
  const legs = r.legs;
  return {
    ...base,
    prefill_replica: legs?.prefillEngine ?? null,
    prefill_end_ms: r3(legs?.prefill.finishedTime),
    transfer_ms: legs?.transfer ? r3(legs.transfer.endTime - legs.transfer.startTime) : null,
    transferred_tokens: legs?.transfer?.tokens ?? null,
  };
}

const disaggregatedRun = (result: ReplayResult): boolean => result.records.some((r) => r.legs !== undefined);

/** Requests that never fell due (later turns after the workload's end) are left out. */
const due = (result: ReplayResult) => result.records.map((r, i) => ({ r, i })).filter(({ r }) => !Number.isNaN(r.due));

export function requestsJsonl(result: ReplayResult): string {
  const pd = disaggregatedRun(result);
  return due(result).map(({ r, i }) => `${JSON.stringify(row(r, i, pd))}\n`).join('');
}

export function requestsCsv(result: ReplayResult): string {
  const pd = disaggregatedRun(result);
  const rows = due(result).map(({ r, i }) => row(r, i, pd));
  const headers = Object.keys(row(result.records[0] ?? ({ request: { arrival: 0, outputTokens: 0, stage: 0 }, due: 0, sent: 0, outputTokens: 0, promptTokens: 0, cachedTokens: 0, replica: -1, itlCount: 0, itlSum: 0 } as RequestRecord), 0, pd));
  return `${[csvLine(headers), ...rows.map((o) => csvLine(Object.values(o)))].join('\n')}\n`;
}
