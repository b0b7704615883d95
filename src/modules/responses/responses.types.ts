/**
 * One message of a chat, as the reply planner reads it: who said what, the calls an assistant
 * made, and which call a tool result answers.
 */
export interface ConversationTurn {
  role: string;
  /** The text (content parts joined); '' for an assistant turn that only called tools. */
  content: string;
  /** Assistant turns: the tool calls it made (arguments as the JSON text the client sent back). */
  toolCalls?: ReadonlyArray<{ id?: string; name: string; arguments: string }>;
  /** Tool turns: the id of the call this is the result of. */
  toolCallId?: string;
  /** Tool (or function) turns: the function's name, when the client gives it. */
  name?: string;
}

/** What a door asks the Responses module for one choice of one request. */
export interface ReplyRequest {
  kind: 'chat' | 'completion';
  /** The completions prompt, or the last user message of a chat. */
  prompt: string;
  /** The whole conversation (chat only), oldest first: rules, tool calls and answers after tool results use it. */
  messages?: readonly ConversationTurn[];
  /** Choice index (0..n-1): different choices of one request get different replies. */
  choiceIndex: number;
  /** The request's `seed`, if any; else the server's SEED, else random. */
  seed?: number;
  /** Most tokens the reply may have (max_tokens already clipped to the context window). */
  maxTokens: number;
  /**
   * Most tokens any reply to this prompt could have: the context window left after the prompt.
   * A JSON schema whose smallest value needs more is refused (ReplyBudgetError). Default: maxTokens.
   */
  roomTokens?: number;
  /** Fewest tokens (min_tokens): a shorter reply is extended. */
  minTokens: number;
  /** Generate exactly maxTokens tokens, extending the reply if needed. */
  ignoreEos: boolean;
  stop: readonly string[];
  /** vLLM's stop_token_ids: the reply ends at the first of these ids it reaches. */
  stopTokenIds?: readonly number[];
  /** vLLM's include_stop_str_in_output. */
  includeStopStr?: boolean;
  /** Functions the client offers (chat `tools`) and its `tool_choice`; absent for `none`. */
  tools?: ToolOffer;
  /** `parallel_tool_calls` (vLLM's default: true): false keeps a reply to one tool call. */
  parallelToolCalls?: boolean;
  /** `response_format`: the reply is JSON (absent for `text`). */
  format?: OutputFormat;
  /**
   * Set when the served model reasons (--reasoning-parser): the reply starts with a thinking part
   * written between these markers (`start` is left out when the chat template already wrote it
   * into the prompt). Its tokens count against maxTokens, as output tokens.
   */
  reasoning?: { start: string; end: string };
}

/** A function the client offers (one of chat's `tools`). */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments; absent means no arguments (`{}`). */
  parameters?: Record<string, unknown>;
}

/** `tool_choice` once validated: `none` is expressed by offering no tools. */
export type ToolChoice = 'auto' | 'required' | { name: string };

export interface ToolOffer {
  tools: ToolDefinition[];
  choice: ToolChoice;
}

/** `response_format` once validated: any JSON object, or JSON that validates against `schema`. */
export type OutputFormat = { type: 'json_object' } | { type: 'json_schema'; schema: Record<string, unknown> };

/** The tokens one choice will produce, decided before the engine times them. */
export interface GenerationPlan {
  tokenIds: number[];
  /** Text of each token; `pieces.join('') === text`. */
  pieces: string[];
  text: string;
  /** `stop`: the reply ended (EOS, a stop string or a stop token id); `length`: cut at maxTokens. */
  finishReason: 'stop' | 'length';
  /** The stop string or stop token id that ended it, if any (vLLM's `stop_reason`). */
  stopReason: string | number | null;
  /** Name of the pattern that answered, or null for the fallback / echo / random. */
  pattern: string | null;
  /**
   * Set when the reply is tool calls (rendered as `tool_calls`): call k's arguments are the tokens
   * from its `start` to the next call's (the last runs to the end). A call whose start is past the
   * tokens produced (cut by max_tokens) was never begun.
   */
  toolCalls?: PlannedToolCall[];
  /**
   * Set for a reasoning model's reply: tokens [0, end) are its thinking, with the reasoning
   * parser's markers (`<think>`, `</think>`, ...); of these, [bodyStart, bodyEnd) are its text. The
   * answer (text or tool calls) follows from `end`. Reasoning tokens are output tokens.
   */
  reasoning?: { end: number; bodyStart: number; bodyEnd: number };
}

export interface PlannedToolCall {
  name: string;
  /** Index of the first token of its arguments. */
  start: number;
}

/** One pattern of the responses file, as validated (plain data, no class instances). */
export interface PatternDefinition {
  name: string;
  priority?: number;
  match: {
    keywords?: string[];
    regex?: string[];
    roles?: string[];
  };
  responses: string[];
  /**
   * With tools offered and `tool_choice: auto`: answer with a tool call instead of a reply.
   * `true`: the tool named in the prompt, else one of those offered; a name: that tool when offered;
   * `{name, arguments}` (or a list of them, for parallel calls): exactly these calls, the string
   * values of `arguments` being templates like replies.
   */
  tool_call?: boolean | string | ScriptedToolCall | ScriptedToolCall[];
  /** What a reasoning model thinks before this pattern's reply (templates, one chosen per answer). */
  reasoning?: string[];
}

/** A call a pattern scripts: the function, and its arguments as given (strings are templates). */
export interface ScriptedToolCall {
  name: string;
  arguments?: Record<string, unknown>;
}

/** The responses file (`config/responses.yaml`), as validated. */
export interface PatternsDocument {
  mode?: 'patterns' | 'echo' | 'random';
  /** Defaults of JSON generated from a schema: where unbounded integers and numbers fall ([min, max]). */
  structured_output?: { integer_range?: [number, number]; number_range?: [number, number] };
  patterns: PatternDefinition[];
  fallback: { responses: string[] };
  /** A reasoning model's thinking for replies whose pattern has none (templates). */
  reasoning?: { responses: string[] };
}

/**
 * Admin edits kept in an overlay file, on top of the responses file: `patterns` replace the base
 * patterns of the same name (in place) or follow them; `removed` drops base patterns; `mode`,
 * `structured_output` and `fallback` replace the base's.
 */
export interface PatternsOverlay {
  mode?: PatternsDocument['mode'];
  structured_output?: PatternsDocument['structured_output'];
  patterns?: PatternDefinition[];
  removed?: string[];
  fallback?: PatternsDocument['fallback'];
  reasoning?: PatternsDocument['reasoning'];
}
