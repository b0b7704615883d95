import { Inject, Injectable } from '@nestjs/common';
import { hashString, Random } from '../../common/random';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { checkPromptTokens, checkSequences } from '../api/request-checks';
import { messageText } from '../http/dto/chat-message.dto';
import { HttpInferenceCall } from '../http/http-responder';
import { ServedApi } from '../models/served-model';
import { ModelEntry, ServedModels } from '../models/served-models';
import { cosine, EMBEDDING_DIM, embedText, toBase64 } from '../responses/embedding';
import { encodeChatYielding, encodePromptYielding } from '../tokenizer/tokenizer.types';
import { ClassifyRequestDto, CohereEmbedRequestDto, EmbeddingRequestDto, PoolingInputDto, PoolingRequestDto, RerankRequestDto, ScoreRequestDto } from './dto/pooling.dto';
import { poolingRenderer, poolingUsage, sigmoid, softmax } from './pooling.renderer';

/** One prompt of a pooling request: its text (what the vector is made of) and its token ids. */
interface PooledPrompt {
  text: string;
  tokenIds: number[];
}

/** How sharply a simulated cross-encoder separates related from unrelated pairs (logit per unit of cosine). */
const RELEVANCE_SLOPE = 10;
/** The cosine at which a simulated cross-encoder is undecided (logit 0). */
const RELEVANCE_MIDPOINT = 0.45;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const asList = (v: string | string[]): string[] => (typeof v === 'string' ? [v] : v);

/**
 * vLLM's pooling routes translated for the pipeline: each prompt (each text of a batch, each pair
 * of a cross-encoder) is one engine request that is only prefilled, so its time is the prefill's
 * under the same engine as generation; the body is built from the prompts once every one is done.
 * Checks and messages are vLLM's (PoolingParams.verify, the embedding input-length check,
 * score input lengths), and the route's refusal on a model of another task.
 */
@Injectable()
export class PoolingRequests {
  constructor(
    private readonly models: ServedModels,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async embeddings(dto: EmbeddingRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { m, model } = this.admit('Embeddings', dto.model);
    const dimensions = this.dimensions(m, dto.dimensions);
    const prompts = await this.prompts(m, dto, dto.truncate_prompt_tokens);
    const created = nowSeconds();
    return this.call(m, model, prompts, () => ({
      id: `embd-${requestId}`,
      object: 'list',
      created,
      model,
      data: prompts.map((p, index) => {
        const vector = this.vector(m, p.text, dimensions, dto.normalize);
        return { index, object: 'embedding', embedding: dto.encoding_format === 'base64' ? toBase64(vector) : vector };
      }),
      usage: poolingUsage(total(prompts)),
    }));
  }

  async pooling(dto: PoolingRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { m, model } = this.admit('Pooling', dto.model);
    const task = dto.task ?? m.served.task;
    if (task === 'embed' ? m.served.task !== 'embed' : m.served.task === 'embed') {
      throw ApiError.badRequest(`Task ${task} is not supported by the model; it supports ${m.served.task}.`, 'task');
    }
    const dimensions = task === 'embed' ? this.dimensions(m, dto.dimensions) : undefined;
    const prompts = await this.prompts(m, dto, dto.truncate_prompt_tokens);
    const created = nowSeconds();
    return this.call(m, model, prompts, () => ({
      id: `pool-${requestId}`,
      object: 'list',
      created,
      model,
      data: prompts.map((p, index) => {
        const data = task === 'embed' ? this.vector(m, p.text, dimensions, dto.normalize) : this.classes(m, p.text, dto.use_activation).probs;
        return { index, object: 'pooling', data: dto.encoding_format === 'base64' ? toBase64(data) : data };
      }),
      usage: poolingUsage(total(prompts)),
    }));
  }

  async classify(dto: ClassifyRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { m, model } = this.admit('Classification', dto.model);
    const prompts = await this.prompts(m, dto, dto.truncate_prompt_tokens);
    const activation = dto.use_activation ?? dto.softmax ?? dto.activation;
    const created = nowSeconds();
    return this.call(m, model, prompts, () => ({
      id: `classify-${requestId}`,
      object: 'list',
      created,
      model,
      data: prompts.map((p, index) => {
        const { probs, label } = this.classes(m, p.text, activation);
        return { index, label, probs, num_classes: probs.length };
      }),
      usage: poolingUsage(total(prompts)),
    }));
  }

  async score(dto: ScoreRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { m, model } = this.admit('Score', dto.model);
    const first = dto.text_1 ?? dto.queries ?? dto.data_1;
    const second = dto.text_2 ?? dto.documents ?? dto.items ?? dto.data_2;
    if (first === undefined) throw ApiError.badRequest('text_1: Field required (or queries, data_1)', 'text_1');
    if (second === undefined) throw ApiError.badRequest('text_2: Field required (or documents, items, data_2)', 'text_2');
    const pairs = scorePairs(asList(first), asList(second));
    const scored = await this.pairs(m, pairs, dto.truncate_prompt_tokens, dto.use_activation);
    const created = nowSeconds();
    return this.call(m, model, scored.prompts, () => ({
      id: `score-${requestId}`,
      object: 'list',
      created,
      model,
      data: scored.scores().map((score, index) => ({ index, object: 'score', score })),
      usage: poolingUsage(total(scored.prompts)),
    }));
  }

  async rerank(dto: RerankRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { m, model } = this.admit('Rerank (Score)', dto.model);
    const documents = dto.documents.map((d) => (typeof d === 'string' ? d : d.text));
    if (documents.length === 0) throw ApiError.badRequest('At least one text_pair element must be given', 'documents');
    const scored = await this.pairs(m, documents.map((d) => [dto.query, d]), dto.truncate_prompt_tokens, dto.use_activation);
    const topN = dto.top_n && dto.top_n > 0 ? dto.top_n : documents.length;
    return this.call(m, model, scored.prompts, () => {
      const scores = scored.scores();
      const results = documents
        .map((text, index) => ({ index, document: { text, multi_modal: null }, relevance_score: scores[index] }))
        .sort((a, b) => b.relevance_score - a.relevance_score)
        .slice(0, topN);
      const tokens = total(scored.prompts);
      return { id: `rerank-${requestId}`, model, usage: { prompt_tokens: tokens, total_tokens: tokens }, results };
    });
  }

  /** Cohere's /v2/embed over the embeddings pipeline, answered in Cohere's shape (vLLM's CohereServingEmbedding). */
  async cohereEmbed(dto: CohereEmbedRequestDto, requestId: string): Promise<HttpInferenceCall> {
    const { m, model } = this.admit('Embeddings', dto.model);
    if (dto.texts === undefined) throw ApiError.badRequest('One of texts, images, or inputs must be provided', 'texts');
    if (dto.input_type != null) {
      throw ApiError.badRequest(`Unsupported input_type '${dto.input_type}'. This model does not define any input_type prompt prefixes.`, 'input_type');
    }
    const dimensions = this.dimensions(m, dto.output_dimension);
    // truncate END (the default) keeps the first max_tokens tokens, START the last; NONE refuses longer inputs.
    const truncate = dto.truncate ?? 'END';
    const prompts = await this.textPrompts(m, dto.texts, truncate === 'START' ? (dto.max_tokens ?? -1) : truncate === 'END' ? (dto.max_tokens ?? -1) : null, truncate === 'END');
    if (truncate === 'NONE' && dto.max_tokens != null) {
      const long = prompts.find((p) => p.tokenIds.length > dto.max_tokens!);
      if (long) {
        throw ApiError.badRequest(`Input of ${long.tokenIds.length} tokens exceeds max_tokens=${dto.max_tokens} with truncate=NONE. Set truncate to END or START to allow truncation.`, 'max_tokens');
      }
    }
    const types = dto.embedding_types && dto.embedding_types.length > 0 ? dto.embedding_types : ['float'];
    const size = dimensions ?? this.embeddingSize(m);
    if (types.some((t) => t === 'binary' || t === 'ubinary') && size % 8 !== 0) {
      throw ApiError.badRequest(`Embedding dimension must be a multiple of 8 for binary embedding types, but got ${size}.`, 'embedding_types');
    }
    return this.call(m, model, prompts, () => {
      const floats = prompts.map((p) => this.vector(m, p.text, dimensions, true));
      const embeddings: Record<string, unknown> = {};
      for (const type of types) {
        if (type === 'float') embeddings.float = floats;
        else if (type === 'base64') embeddings.base64 = floats.map(toBase64);
        else embeddings[type] = floats.map((v) => packBits(v, type === 'binary'));
      }
      return {
        id: `embd-${requestId}`,
        embeddings,
        texts: dto.texts,
        meta: { api_version: { version: '2' }, tokens: { input_tokens: total(prompts) } },
      };
    });
  }

  /** The served model name, once the route's API is one the model serves (vLLM checks the handler first). */
  private admit(api: ServedApi, requested: string | null | undefined): { m: ModelEntry; model: string } {
    const m = this.models.route(requested);
    m.served.require(api);
    return { m, model: m.served.resolve(requested) };
  }

  private call(m: ModelEntry, model: string, prompts: readonly PooledPrompt[], body: () => object): HttpInferenceCall {
    return {
      renderer: poolingRenderer(body),
      stream: false,
      includeUsage: false,
      continuousUsage: false,
      work: { model, n: 1, maxTokensParam: 0, tokenizer: m.tokenizer, prompts: prompts.map((p) => ({ tokenIds: p.tokenIds, pooling: true as const })) },
    };
  }

  /** vLLM's PoolingParams checks of `dimensions`, with its messages. */
  private dimensions(m: ModelEntry, requested: number | null | undefined): number | undefined {
    if (requested == null) return undefined;
    const { matryoshka } = m.served.pooling ?? {};
    const name = m.served.name;
    if (!matryoshka) {
      throw ApiError.badRequest(`Model "${name}" does not support matryoshka representation, changing output dimensions will lead to poor results.`, 'dimensions');
    }
    if (Array.isArray(matryoshka) && !matryoshka.includes(requested)) {
      throw ApiError.badRequest(`Model "${name}" only supports [${matryoshka.join(', ')}] matryoshka dimensions, use other output dimensions will lead to poor results.`, 'dimensions');
    }
    if (requested < 1) throw ApiError.badRequest('Dimensions must be greater than 0', 'dimensions');
    return requested;
  }

  /** The model's vector for a text; `normalize: false` gives a raw (unnormalised) pooled state instead. */
  private vector(m: ModelEntry, text: string, dimensions: number | undefined, normalize: boolean | null | undefined): number[] {
    const unit = embedText(text, { size: this.embeddingSize(m), dimensions, seed: this.settings.seed });
    if (normalize !== false) return unit;
    const scale = 8 + (hashString(text) % 1000) / 50;
    return unit.map((x) => x * scale);
  }

  /** The model's vector size (a model converted to embeddings from another task: the default). */
  private embeddingSize(m: ModelEntry): number {
    return m.served.pooling?.task === 'embed' ? m.served.pooling.dimensions : EMBEDDING_DIM;
  }

  /** A classifier's output for a text: deterministic logits per label, as probabilities (or raw). */
  private classes(m: ModelEntry, text: string, activation: boolean | null | undefined): { probs: number[]; label: string | null } {
    const labels = m.served.pooling?.labels ?? ['LABEL_0'];
    const rng = new Random(hashString(`${this.settings.seed ?? 0}:classify:${text}`));
    const logits = labels.map(() => rng.gaussian() * 2);
    const probs = activation === false ? logits : labels.length === 1 ? logits.map(sigmoid) : softmax(logits);
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return { probs, label: labels[best] ?? null };
  }

  /**
   * The engine requests of scored pairs and their scores: a cross-encoder (`score` task) reads each
   * pair as one prompt and scores its relevance; an embedding model embeds every text and scores
   * the cosine of each pair's vectors, as vLLM does for either.
   */
  private async pairs(m: ModelEntry, pairs: ReadonlyArray<readonly [string, string]>, truncate: number | null | undefined, activation: boolean | null | undefined) {
    checkSequences(pairs.length, 1, this.settings);
    const seed = this.settings.seed;
    const relevance = (a: string, b: string) => cosine(embedText(a, { seed }), embedText(b, { seed }));
    if (m.served.task === 'score') {
      const prompts: PooledPrompt[] = [];
      for (const [a, b] of pairs) {
        const ids = [...(await encodePromptYielding(m.tokenizer, a)), ...m.tokenizer.encode(b).ids];
        prompts.push(this.checked(m, { text: `${a}\n${b}`, tokenIds: this.truncated(m, ids, truncate) }));
      }
      return {
        prompts,
        scores: () =>
          pairs.map(([a, b]) => {
            const logit = RELEVANCE_SLOPE * (relevance(a, b) - RELEVANCE_MIDPOINT);
            return activation === false ? logit : sigmoid(logit);
          }),
      };
    }
    const texts = [...new Set(pairs.flat())];
    const prompts = await this.textPrompts(m, texts, truncate ?? null, false);
    return { prompts, scores: () => pairs.map(([a, b]) => cosine(this.vector(m, a, undefined, true), this.vector(m, b, undefined, true))) };
  }

  /** The prompts of `input` or `messages`, encoded, truncated and checked. */
  private async prompts(m: ModelEntry, dto: PoolingInputDto, truncate: number | null | undefined): Promise<PooledPrompt[]> {
    if (dto.messages) {
      const turns = dto.messages.map((m) => ({ role: m.role, content: messageText(m) }));
      const ids = await encodeChatYielding(m.tokenizer, turns);
      return [this.checked(m, { text: turns.map((t) => t.content).join('\n'), tokenIds: this.truncated(m, ids, truncate) })];
    }
    const input = dto.input!;
    if (typeof input === 'string') return this.textPrompts(m, [input], truncate ?? null, false);
    if (input.length === 0) throw ApiError.badRequest('You must pass at least one prompt', 'input');
    if (input.every((t) => typeof t === 'number')) {
      const ids = this.truncated(m, input as number[], truncate);
      return [this.checked(m, { text: m.tokenizer.decode(ids), tokenIds: ids })];
    }
    checkSequences(input.length, 1, this.settings);
    if (input.every((t) => typeof t === 'string')) return this.textPrompts(m, input as string[], truncate ?? null, false);
    return (input as number[][]).map((ids) => {
      const kept = this.truncated(m, ids, truncate);
      return this.checked(m, { text: m.tokenizer.decode(kept), tokenIds: kept });
    });
  }

  /** Texts encoded in turn (the event loop turns between them), truncated (`keepFirst`: Cohere's END) and checked. */
  private async textPrompts(m: ModelEntry, texts: readonly string[], truncate: number | null, keepFirst: boolean): Promise<PooledPrompt[]> {
    checkSequences(texts.length, 1, this.settings);
    const out: PooledPrompt[] = [];
    let sliceStart = performance.now();
    for (const text of texts) {
      const ids = this.truncated(m, await encodePromptYielding(m.tokenizer, text), truncate, keepFirst);
      out.push(this.checked(m, { text, tokenIds: ids }));
      if (performance.now() - sliceStart > 2) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    return out;
  }

  /**
   * vLLM's truncate_prompt_tokens: -1 = the context window, k = the last k tokens (left truncation),
   * refused above the context window.
   */
  private truncated(m: ModelEntry, ids: readonly number[], truncate: number | null | undefined, keepFirst = false): number[] {
    if (truncate == null) return [...ids];
    const maxModelLen = m.served.maxModelLen;
    if (truncate > maxModelLen) {
      throw ApiError.badRequest(`truncate_prompt_tokens value (${truncate}) is greater than max_model_len (${maxModelLen}). Please, select a smaller truncation size.`, 'truncate_prompt_tokens');
    }
    const keep = truncate === -1 ? maxModelLen : truncate;
    if (ids.length <= keep) return [...ids];
    return keepFirst ? ids.slice(0, keep) : ids.slice(ids.length - keep);
  }

  /** vLLM's checks of a pooling prompt: not empty, ids in the vocabulary, within the context window. */
  private checked(m: ModelEntry, prompt: PooledPrompt): PooledPrompt {
    checkPromptTokens(prompt.tokenIds, m.tokenizer.vocabSize, 'input');
    const max = m.served.maxModelLen;
    if (prompt.tokenIds.length > max) {
      throw ApiError.badRequest(
        `This model's maximum context length is ${max} tokens. However, you requested ${prompt.tokenIds.length} tokens in the input for embedding generation. Please reduce the length of the input.`,
        'input',
      );
    }
    return prompt;
  }
}

function total(prompts: readonly PooledPrompt[]): number {
  return prompts.reduce((s, p) => s + p.tokenIds.length, 0);
}

/** vLLM's score pairing: 1:1, 1:N (the first text against each second) or N:N, with its messages. */
export function scorePairs(first: readonly string[], second: readonly string[]): Array<[string, string]> {
  if (first.length > 1 && first.length !== second.length) throw ApiError.badRequest('Input lengths must be either 1:1, 1:N or N:N');
  if (first.length === 0) throw ApiError.badRequest('At least one text element must be given');
  if (second.length === 0) throw ApiError.badRequest('At least one text_pair element must be given');
  return second.map((b, i) => [first.length === 1 ? first[0] : first[i], b]);
}

/** Cohere's binary embeddings: one bit per dimension (>= 0), eight to a byte, signed (`binary`) or not. */
function packBits(vector: readonly number[], signed: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < vector.length; i += 8) {
    let byte = 0;
    for (let b = 0; b < 8; b++) if (vector[i + b] >= 0) byte += 1 << (7 - b);
    out.push(signed ? byte - 128 : byte);
  }
  return out;
}
