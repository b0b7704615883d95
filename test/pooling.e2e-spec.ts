import { OpenAIEmbeddings } from '@langchain/openai';
import { bootApp, post, TestApp } from './support/app';

/*
 * vLLM's pooling routes against the real app: embedding, reranker and classifier models from the
 * catalog, the OpenAI SDK and LangChain's OpenAIEmbeddings as clients, every request a
 * prefill-only request of the same engine (usage and metrics count prompt tokens only).
 */

const EMBEDDER = 'BAAI/bge-large-en-v1.5';
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('pooling routes', () => {
  describe('an embedding model', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await bootApp({ model: EMBEDDER });
    });
    afterAll(() => app.close());

    it('answers the OpenAI SDK with unit vectors of the model size, and usage of the prompt tokens', async () => {
      const res = await app.openai.embeddings.create({ model: EMBEDDER, input: ['The capital of France is Paris.', 'Cells divide by mitosis.'] });
      expect(res.object).toBe('list');
      expect(res.model).toBe(EMBEDDER);
      expect(res.data.map((d) => [d.index, d.object, d.embedding.length])).toEqual([
        [0, 'embedding', 1024],
        [1, 'embedding', 1024],
      ]);
      expect(dot(res.data[0].embedding, res.data[0].embedding)).toBeCloseTo(1, 5);
      expect(res.usage.prompt_tokens).toBeGreaterThan(5);
      expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens);
    });

    it('gives the SDK base64 vectors (its default) that decode to the float ones', async () => {
      const text = 'base64 and float agree';
      const raw = await post(`${app.url}/v1/embeddings`, { input: text, encoding_format: 'base64' });
      expect(typeof raw.json.data[0].embedding).toBe('string');
      const viaSdk = await app.openai.embeddings.create({ model: EMBEDDER, input: text });
      const floats = await post(`${app.url}/v1/embeddings`, { input: text, encoding_format: 'float' });
      expect(viaSdk.data[0].embedding[7]).toBeCloseTo(floats.json.data[0].embedding[7], 6);
      expect(raw.json.id).toMatch(/^embd-/);
    });

    it('works with LangChain OpenAIEmbeddings: the document that answers the query ranks first', async () => {
      const embeddings = new OpenAIEmbeddings({ model: EMBEDDER, apiKey: 'unused', configuration: { baseURL: `${app.url}/v1` } });
      const docs = ['The Eiffel Tower is in Paris, the capital of France.', 'Photosynthesis turns light into chemical energy.', 'The stock market fell on Monday.'];
      const [vectors, query] = await Promise.all([embeddings.embedDocuments(docs), embeddings.embedQuery('Which city is the capital of France?')]);
      const scores = vectors.map((v) => dot(v, query));
      expect(scores.indexOf(Math.max(...scores))).toBe(0);
    });

    it('takes token ids, truncates with truncate_prompt_tokens, and refuses dimensions on a non-Matryoshka model', async () => {
      const ids = await post(`${app.url}/v1/embeddings`, { input: [[101, 2023, 2003, 102]], truncate_prompt_tokens: 3 });
      expect(ids.status).toBe(200);
      expect(ids.json.usage.prompt_tokens).toBe(3);
      const dims = await post(`${app.url}/v1/embeddings`, { input: 'x', dimensions: 64 });
      expect(dims.status).toBe(400);
      expect(dims.json.error.message).toBe(`Model "${EMBEDDER}" does not support matryoshka representation, changing output dimensions will lead to poor results.`);
      const long = await post(`${app.url}/v1/embeddings`, { input: 'word '.repeat(800) });
      expect(long.status).toBe(400);
      expect(long.json.error.message).toMatch(/^This model's maximum context length is 512 tokens\. However, you requested \d+ tokens in the input for embedding generation\./);
      const tooMuch = await post(`${app.url}/v1/embeddings`, { input: 'x', truncate_prompt_tokens: 100000 });
      expect(tooMuch.json.error.message).toBe('truncate_prompt_tokens value (100000) is greater than max_model_len (512). Please, select a smaller truncation size.');
    });

    it('scores pairs by cosine and reranks, and refuses generation routes as vLLM does', async () => {
      const score = await post(`${app.url}/score`, { text_1: 'capital of France', text_2: ['Paris is the capital of France', 'bananas are yellow'] });
      expect(score.status).toBe(200);
      expect(score.json.data.map((d: { index: number; object: string }) => [d.index, d.object])).toEqual([[0, 'score'], [1, 'score']]);
      expect(score.json.data[0].score).toBeGreaterThan(score.json.data[1].score);
      const bad = await post(`${app.url}/score`, { text_1: ['a', 'b'], text_2: ['c', 'd', 'e'] });
      expect(bad.json.error.message).toBe('Input lengths must be either 1:1, 1:N or N:N');
      const chat = await post(`${app.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hi' }] });
      expect(chat.status).toBe(400);
      expect(chat.json.error).toEqual({ message: 'The model does not support Chat Completions API', type: 'BadRequestError', param: null, code: 400 });
      const classify = await post(`${app.url}/classify`, { input: 'hi' });
      expect(classify.json.error.message).toBe('The model does not support Classification API');
    });

    it('counts prompt tokens and no generation tokens in the metrics, and a request per input', async () => {
      const before = await (await fetch(`${app.url}/metrics`)).text();
      const count = (text: string, name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
      const res = await post(`${app.url}/v1/embeddings`, { input: ['one two three', 'four five six'] });
      const after = await (await fetch(`${app.url}/metrics`)).text();
      expect(count(after, 'vllm:prompt_tokens_total') - count(before, 'vllm:prompt_tokens_total')).toBe(res.json.usage.prompt_tokens);
      expect(count(after, 'vllm:generation_tokens_total')).toBe(count(before, 'vllm:generation_tokens_total'));
      expect(count(after, 'vllm:time_to_first_token_seconds_count') - count(before, 'vllm:time_to_first_token_seconds_count')).toBe(2);
    });

    it("answers Cohere's /v2/embed with typed embeddings", async () => {
      const res = await post(`${app.url}/v2/embed`, { model: EMBEDDER, texts: ['hello', 'world'], embedding_types: ['float', 'ubinary'] });
      expect(res.status).toBe(200);
      expect(res.json.embeddings.float).toHaveLength(2);
      expect(res.json.embeddings.ubinary[0]).toHaveLength(128);
      expect(res.json.meta).toEqual({ api_version: { version: '2' }, tokens: { input_tokens: expect.any(Number) } });
    });
  });

  it('a Matryoshka model cuts dimensions; a reranker ranks documents; a classifier labels', async () => {
    const qwen = await bootApp({ model: 'Qwen/Qwen3-Embedding-0.6B' });
    try {
      const res = await qwen.openai.embeddings.create({ model: 'Qwen/Qwen3-Embedding-0.6B', input: 'short', dimensions: 128 });
      expect(res.data[0].embedding).toHaveLength(128);
    } finally {
      await qwen.close();
    }
    const reranker = await bootApp({ model: 'BAAI/bge-reranker-v2-m3' });
    try {
      const res = await post(`${reranker.url}/v1/rerank`, {
        query: 'What is the capital of France?',
        documents: ['Bananas are yellow.', 'Paris is the capital of France.', { text: 'The moon orbits the earth.' }],
        top_n: 2,
      });
      expect(res.status).toBe(200);
      expect(res.json.id).toMatch(/^rerank-/);
      expect(res.json.results).toHaveLength(2);
      expect(res.json.results[0]).toMatchObject({ index: 1, document: { text: 'Paris is the capital of France.', multi_modal: null } });
      expect(res.json.results[0].relevance_score).toBeGreaterThan(0.5);
      expect(res.json.results[1].relevance_score).toBeLessThan(res.json.results[0].relevance_score);
      expect(res.json.usage.total_tokens).toBe(res.json.usage.prompt_tokens);
      const embed = await post(`${reranker.url}/v1/embeddings`, { input: 'x' });
      expect(embed.json.error.message).toBe('The model does not support Embeddings API');
    } finally {
      await reranker.close();
    }
    const classifier = await bootApp({ model: 'cardiffnlp/twitter-roberta-base-sentiment-latest' });
    try {
      const res = await post(`${classifier.url}/classify`, { input: ['I love it', 'I hate it'] });
      expect(res.status).toBe(200);
      expect(res.json.data[0]).toMatchObject({ index: 0, num_classes: 3 });
      expect(['negative', 'neutral', 'positive']).toContain(res.json.data[0].label);
      expect(res.json.data[0].probs.reduce((s: number, p: number) => s + p, 0)).toBeCloseTo(1, 6);
    } finally {
      await classifier.close();
    }
  });

  it('a generation model refuses the pooling routes with vLLM\'s message', async () => {
    const app = await bootApp();
    try {
      const res = await post(`${app.url}/v1/embeddings`, { input: 'x' });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toBe('The model does not support Embeddings API');
      const served = await post(`${app.url}/rerank`, { query: 'q', documents: ['d'] });
      expect(served.json.error.message).toBe('The model does not support Rerank (Score) API');
    } finally {
      await app.close();
    }
  });
});
