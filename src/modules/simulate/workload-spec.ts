// class-transformer's @Type reads decorator metadata; the server loads this in main.ts, a script may not.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { plainToInstance, Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  validateSync,
  ValidationError,
} from 'class-validator';
import { parse as parseYaml } from 'yaml';
import { ARRIVAL_PROCESSES, ArrivalProcess, DISTRIBUTION_KINDS, DistributionKind, DistributionParams, distributionProblem } from './distributions';
import { ROUTING_POLICIES, RoutingPolicyName } from './routing';
import { SimulateInputError, SIMULATE_LIMITS } from './simulate-errors';
import { parseSlo } from './slo';

/** A length or time distribution (see distributions.ts for the shapes). */
export class DistributionSpec implements DistributionParams {
  @IsOptional() @IsIn(DISTRIBUTION_KINDS) distribution?: DistributionKind;
  @IsOptional() @IsNumber() @Min(0) @Max(1e9) mean?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1e9) stdev?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1e9) min?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1e9) max?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1e9) value?: number;
}

export class ArrivalSpec {
  @IsIn(ARRIVAL_PROCESSES) process: ArrivalProcess = 'poisson';
  /** Gamma only: the shape (1 = Poisson, < 1 burstier, > 1 more regular), as `vllm bench serve --burstiness`. */
  @IsOptional() @IsNumber() @Min(0.01) @Max(100) burstiness?: number;
}

/** Shared system prompts: each request starts with one of `num_prefixes` prompts of `prefix_tokens`. */
export class SharedPrefixSpec {
  @IsInt() @Min(1) @Max(1_000_000) num_prefixes!: number;
  @IsInt() @Min(1) @Max(10_000_000) prefix_tokens!: number;
}

/** Multi-turn conversations: each turn's prompt carries the earlier turns and their replies. */
export class SessionSpec {
  /** Turns per conversation (rounded, at least 1). */
  @ValidateNested() @Type(() => DistributionSpec) turns!: DistributionSpec;
  /** Seconds between a reply's end and the next question. Default 0. */
  @IsOptional() @ValidateNested() @Type(() => DistributionSpec) think_time_s?: DistributionSpec;
}

export class StageSpec {
  /** Requests per second offered (all client classes together). */
  @IsNumber() @Min(0) @Max(100_000) rate!: number;
  /** Seconds. */
  @IsNumber() @Min(0) @Max(30 * 86_400) duration!: number;
  @IsOptional() @IsString() @MaxLength(100) name?: string;
}

/** One kind of client; fields left out come from the workload's top level. */
export class ClientClassSpec {
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
  /** Relative share of every stage's rate (shares need not add up to 1). */
  @IsNumber() @Min(0) @Max(1e6) share = 1;
  @IsOptional() @ValidateNested() @Type(() => DistributionSpec) prompt_tokens?: DistributionSpec;
  @IsOptional() @ValidateNested() @Type(() => DistributionSpec) output_tokens?: DistributionSpec;
  @IsOptional() @ValidateNested() @Type(() => SharedPrefixSpec) prefix?: SharedPrefixSpec;
  @IsOptional() @ValidateNested() @Type(() => SessionSpec) session?: SessionSpec;
  @IsOptional() @ValidateNested() @Type(() => ArrivalSpec) arrival?: ArrivalSpec;
}

/** One pool of a prefill/decode cluster; engine fields left out are the workload's (or the flags'). */
export class PoolSpec {
  @IsOptional() @IsInt() @Min(1) @Max(SIMULATE_LIMITS.maxReplicas) replicas?: number;
  @IsOptional() @IsIn(ROUTING_POLICIES) routing?: RoutingPolicyName;
  @IsOptional() @IsString() @MinLength(1) gpu?: string;
  @IsOptional() @IsInt() @Min(1) @Max(64) tensor_parallel_size?: number;
  @IsOptional() @IsInt() @Min(1) @Max(65536) max_num_seqs?: number;
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) max_num_batched_tokens?: number;
  @IsOptional() @IsNumber() @Min(0.01) @Max(1) gpu_memory_utilization?: number;
}

/** Prefill/decode disaggregation: a prefill pool, a decode pool, and the KV transfer link between them (the server's setting names). */
export class DisaggregationSpec {
  @IsOptional() @ValidateNested() @Type(() => PoolSpec) prefill?: PoolSpec;
  @IsOptional() @ValidateNested() @Type(() => PoolSpec) decode?: PoolSpec;
  @IsOptional() @IsNumber() @Min(0.001) @Max(100_000) kv_transfer_gb_per_s?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(600_000) kv_transfer_latency_ms?: number;
}

/**
 * A workload file for `vllm-simulator simulate` (JSON or YAML). Engine fields left out take the
 * command line's value, else the server's default; `--help` documents every field.
 */
export class WorkloadSpec {
  @IsOptional() @IsString() @MinLength(1) model?: string;
  @IsOptional() @IsString() @MinLength(1) gpu?: string;
  @IsOptional() @IsInt() @Min(1) @Max(64) tensor_parallel_size?: number;
  @IsOptional() @IsInt() @Min(1) @Max(65536) max_num_seqs?: number;
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) max_num_batched_tokens?: number;
  @IsOptional() @IsNumber() @Min(0.01) @Max(1) gpu_memory_utilization?: number;
  @IsOptional() @IsBoolean() enable_prefix_caching?: boolean;
  @IsOptional() @IsInt() @Min(1) max_model_len?: number;
  @IsOptional() @IsInt() @Min(0) @Max(2 ** 31 - 1) seed?: number;
  @IsOptional() @IsInt() @Min(1) @Max(SIMULATE_LIMITS.maxReplicas) replicas?: number;
  @IsOptional() @IsIn(ROUTING_POLICIES) routing?: RoutingPolicyName;
  /** A prefill pool and a decode pool instead of `replicas` that each serve whole requests. */
  @IsOptional() @ValidateNested() @Type(() => DisaggregationSpec) disaggregation?: DisaggregationSpec;
  /** `"ttft_p99<=2000,itl_p99<=100"` or `{ttft_p99: 2000, itl_p99: 100}` (ms). */
  @Allow() slo?: string | Record<string, unknown>;
  /** At most this many requests in flight per client pool, as `vllm bench serve --max-concurrency`. */
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) max_concurrency?: number;

  @IsOptional() @ValidateNested() @Type(() => DistributionSpec) prompt_tokens?: DistributionSpec;
  @IsOptional() @ValidateNested() @Type(() => DistributionSpec) output_tokens?: DistributionSpec;
  @IsOptional() @ValidateNested() @Type(() => SharedPrefixSpec) prefix?: SharedPrefixSpec;
  @IsOptional() @ValidateNested() @Type(() => SessionSpec) session?: SessionSpec;
  @IsOptional() @ValidateNested() @Type(() => ArrivalSpec) arrival?: ArrivalSpec;
  @IsOptional() @ArrayMinSize(1) @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => ClientClassSpec) clients?: ClientClassSpec[];
  @ArrayMinSize(1) @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => StageSpec) stages!: StageSpec[];
}

/** A client class with every field resolved from the top level. */
export interface ResolvedClientClass {
  name: string;
  share: number;
  prompt_tokens: DistributionSpec;
  output_tokens: DistributionSpec;
  prefix?: SharedPrefixSpec;
  session?: SessionSpec;
  arrival: ArrivalSpec;
}

function flatten(errors: readonly ValidationError[], path = ''): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const at = path === '' ? e.property : `${path}.${e.property}`;
    if (e.constraints) {
      for (const [kind, message] of Object.entries(e.constraints)) {
        out.push(kind === 'whitelistValidation' ? `${at}: unknown field (see simulate --help for the fields)` : `${at}: ${message.replace(/^\S+ /, '')}`);
      }
    }
    if (e.children && e.children.length > 0) out.push(...flatten(e.children, at));
  }
  return out;
}

/** The client classes of a workload: its `clients`, or one class made of the top-level fields. */
export function clientClasses(w: WorkloadSpec): ResolvedClientClass[] {
  const classes = w.clients ?? [Object.assign(new ClientClassSpec(), { name: 'default', share: 1 })];
  return classes.map((c) => ({
    name: c.name,
    share: c.share,
    prompt_tokens: (c.prompt_tokens ?? w.prompt_tokens)!,
    output_tokens: (c.output_tokens ?? w.output_tokens)!,
    prefix: c.prefix ?? w.prefix,
    session: c.session ?? w.session,
    arrival: c.arrival ?? w.arrival ?? new ArrivalSpec(),
  }));
}

/** Checks class-validator cannot express: required-unless-inherited fields, distribution shapes, bounds on the work. */
function crossCheck(w: WorkloadSpec): string[] {
  const problems: string[] = [];
  if (w.slo !== undefined) {
    if (typeof w.slo !== 'string' && (typeof w.slo !== 'object' || w.slo === null || Array.isArray(w.slo))) problems.push('slo: must be a string such as "ttft_p99<=2000" or a map such as {ttft_p99: 2000}');
    else {
      try {
        parseSlo(w.slo);
      } catch (err) {
        problems.push(`slo: ${(err as Error).message}`);
      }
    }
  }
  const check = (d: DistributionSpec | undefined, name: string): void => {
    const problem = d ? distributionProblem(d, name) : null;
    if (problem) problems.push(problem);
  };
  check(w.prompt_tokens, 'prompt_tokens');
  check(w.output_tokens, 'output_tokens');
  check(w.session?.turns, 'session.turns');
  check(w.session?.think_time_s, 'session.think_time_s');
  w.clients?.forEach((c, i) => {
    check(c.prompt_tokens, `clients.${i}.prompt_tokens`);
    check(c.output_tokens, `clients.${i}.output_tokens`);
    check(c.session?.turns, `clients.${i}.session.turns`);
    check(c.session?.think_time_s, `clients.${i}.session.think_time_s`);
  });
  const names = new Set<string>();
  clientClasses(w).forEach((c, i) => {
    const field = (name: string): string => (w.clients ? `clients.${i}.${name}` : name);
    if (names.has(c.name)) problems.push(`${field('name')}: "${c.name}" is used by two client classes`);
    names.add(c.name);
    if (!c.prompt_tokens) problems.push(`${field('prompt_tokens')}: required (in the class or at the top level)`);
    if (!c.output_tokens) problems.push(`${field('output_tokens')}: required (in the class or at the top level)`);
    if (c.arrival.process !== 'gamma' && c.arrival.burstiness !== undefined && c.arrival.burstiness !== 1) {
      problems.push(`${field('arrival.burstiness')}: only a gamma arrival process has a burstiness`);
    }
  });
  if (w.disaggregation && w.replicas !== undefined && w.replicas > 1) problems.push('replicas: with disaggregation, give disaggregation.prefill.replicas and disaggregation.decode.replicas instead');
  if (w.clients && w.clients.every((c) => c.share === 0)) problems.push('clients: at least one class needs a share above 0');
  const planned = w.stages.reduce((s, st) => s + st.rate * st.duration, 0);
  if (planned > SIMULATE_LIMITS.maxRequests) {
    problems.push(`stages: the workload would send about ${Math.round(planned).toLocaleString('en-US')} requests; one run may send at most ${SIMULATE_LIMITS.maxRequests.toLocaleString('en-US')}`);
  }
  return problems;
}

/** Validates a parsed workload (YAML/JSON value) whole: every problem in one message. */
export function parseWorkloadSpec(raw: unknown, source: string): WorkloadSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SimulateInputError(`Invalid workload ${source}: expected a map of fields (see simulate --help).`);
  const spec = plainToInstance(WorkloadSpec, raw, { exposeDefaultValues: true });
  const problems = flatten(validateSync(spec, { whitelist: true, forbidNonWhitelisted: true }));
  if (problems.length === 0) problems.push(...crossCheck(spec));
  if (problems.length > 0) throw new SimulateInputError(`Invalid workload ${source}:\n  ${problems.join('\n  ')}`);
  return spec;
}

export function loadWorkloadFile(path: string): WorkloadSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SimulateInputError(`Cannot read workload ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new SimulateInputError(`Invalid workload ${path}: not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return parseWorkloadSpec(raw, path);
}
