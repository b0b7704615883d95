import { ReasoningParserName } from '../../config/settings';

/** How a reasoning model writes its thinking, as the vLLM parser of its name reads it. */
interface ParserMarkers {
  /** Written by the model before its thinking; '' when the chat template already writes it into the prompt. */
  start: string;
  end: string;
  /** A chat_template_kwargs switch of the model's template, and whether thinking is on without it. */
  kwarg?: { name: string; default: boolean };
}

const THINK: ParserMarkers = { start: '<think>\n', end: '\n</think>\n\n' };

/**
 * The markers each of vLLM's reasoning parsers splits on (vllm/reasoning/*_reasoning_parser.py):
 * most use `<think>` ... `</think>`; DeepSeek-R1's template opens the block in the prompt; Qwen3
 * thinks unless `enable_thinking: false`, DeepSeek-V3.1 and Granite only with `thinking: true`;
 * gpt-oss writes Harmony channels.
 */
const PARSERS: Record<ReasoningParserName, ParserMarkers> = {
  deepseek_r1: { start: '', end: '\n</think>\n\n' },
  deepseek_v3: { ...THINK, start: '', kwarg: { name: 'thinking', default: false } },
  ernie45: THINK,
  glm45: THINK,
  openai_gptoss: { start: '<|channel|>analysis<|message|>', end: '<|end|><|start|>assistant<|channel|>final<|message|>' },
  gpt_oss: { start: '<|channel|>analysis<|message|>', end: '<|end|><|start|>assistant<|channel|>final<|message|>' },
  granite: { start: 'Here is my thought process:\n', end: '\nHere is my response:\n', kwarg: { name: 'thinking', default: false } },
  hunyuan_a13b: { start: '<think>\n', end: '\n</think>\n<answer>\n' },
  kimi_k2: THINK,
  minimax_m2: { start: '', end: '\n</think>\n\n' },
  minimax_m2_append_think: { start: '', end: '\n</think>\n\n' },
  mistral: { start: '[THINK]', end: '[/THINK]' },
  olmo3: THINK,
  qwen3: { ...THINK, kwarg: { name: 'enable_thinking', default: true } },
  seed_oss: { start: '<seed:think>', end: '</seed:think>' },
  step3: { start: '', end: '</think>' },
};

/** The markers of the served model's thinking for one request, or undefined when it does not think (no parser, or switched off). */
export function reasoningMarkers(parser: ReasoningParserName | undefined, kwargs?: Record<string, unknown> | null): { start: string; end: string } | undefined {
  if (!parser) return undefined;
  const markers = PARSERS[parser];
  if (markers.kwarg) {
    const value = kwargs?.[markers.kwarg.name];
    if (!(typeof value === 'boolean' ? value : markers.kwarg.default)) return undefined;
  }
  return { start: markers.start, end: markers.end };
}
