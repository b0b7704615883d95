import { anyObject, arr, int, literal, nullable, num, obj, Schema, str, USAGE_SCHEMA } from '../api/openapi';

const list = (idPrefix: string, item: Schema): Schema =>
  obj({ id: str({ example: `${idPrefix}-0f3c5e1d2b7a4f6e9d8c7b6a5f4e3d2c` }), object: literal('list'), created: int(), model: str(), data: arr(item), usage: USAGE_SCHEMA });

const VECTOR: Schema = { oneOf: [arr(num()), str({ description: 'base64 of little-endian float32' })] };

export const EMBEDDING_SCHEMA = list('embd', obj({ index: int(), object: literal('embedding'), embedding: VECTOR }));
export const POOLING_SCHEMA = list('pool', obj({ index: int(), object: literal('pooling'), data: VECTOR }));
export const CLASSIFY_SCHEMA = list('classify', obj({ index: int(), label: nullable(str()), probs: arr(num()), num_classes: int() }));
export const SCORE_SCHEMA = list('score', obj({ index: int(), object: literal('score'), score: num() }));
export const RERANK_SCHEMA = obj({
  id: str(),
  model: str(),
  usage: obj({ prompt_tokens: int(), total_tokens: int() }),
  results: arr(obj({ index: int(), document: obj({ text: str(), multi_modal: nullable(arr(anyObject())) }), relevance_score: num() })),
});
export const COHERE_EMBED_SCHEMA = obj(
  {
    id: str(),
    embeddings: obj({ float: arr(arr(num())), base64: arr(str()), binary: arr(arr(int())), ubinary: arr(arr(int())) }, ['float', 'base64', 'binary', 'ubinary']),
    texts: arr(str()),
    meta: obj({ api_version: obj({ version: str() }), tokens: obj({ input_tokens: int() }) }),
  },
  ['texts'],
);

const QUERY = 'What is the capital of France?';
const DOCUMENTS = ['Paris is the capital and largest city of France.', 'The mitochondria is the powerhouse of the cell.'];

export const EMBEDDING_EXAMPLES = { text: { input: 'The food was delicious and the waiter was friendly.' }, batch: { input: DOCUMENTS, encoding_format: 'float' } };
export const POOLING_EXAMPLES = { text: { input: 'The food was delicious.' } };
export const CLASSIFY_EXAMPLES = { text: { input: ['I love this product!', 'This was a waste of money.'] } };
export const SCORE_EXAMPLES = { pairs: { text_1: QUERY, text_2: DOCUMENTS } };
export const RERANK_EXAMPLES = { documents: { query: QUERY, documents: DOCUMENTS, top_n: 2 } };
/** `__SERVED_MODEL__` is replaced by the served model's name when the document is built. */
export const COHERE_EMBED_EXAMPLES = { texts: { model: '__SERVED_MODEL__', texts: DOCUMENTS, embedding_types: ['float'] } };
