import OpenAPISchemaValidator from 'openapi-schema-validator';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { bootApp, TestApp } from './support/app';

/*
 * The OpenAPI document tells the truth: it passes an OpenAPI validator; every documented request
 * example is answered 200 by a server that serves its route (a generation model, an embedding
 * model, a reranker, a classifier); and what the server answers validates against the documented
 * 200 schema.
 */

type Json = Record<string, any>;
type Operation = { requestBody?: { content?: { 'application/json'?: { examples?: Record<string, { value: unknown }> } } }; responses?: Record<string, { content?: { 'application/json'?: { schema?: Json } } }>; parameters?: Array<{ in: string; required?: boolean }> };

/** OpenAPI 3.0 schemas as JSON Schema for Ajv: `$ref`s inlined, `nullable` as a null alternative. */
function toJsonSchema(node: unknown, components: Json, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, components, seen));
  if (typeof node !== 'object' || node === null) return node;
  const schema = node as Json;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!;
    if (seen.includes(name)) return {};
    return toJsonSchema(components[name], components, [...seen, name]);
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable' || k === 'example' || k === 'examples' || k === 'deprecated') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, toJsonSchema(s, components, seen)])) : toJsonSchema(v, components, seen);
  }
  return schema.nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

describe('OpenAPI document', () => {
  const apps: Record<string, TestApp> = {};
  /** Each server's own document: examples that name the model name that server's. */
  const docs: Record<string, Json> = {};
  let doc: Json;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);

  beforeAll(async () => {
    apps.generation = await bootApp({ server_dev_mode: true, enable_sleep_mode: true, responses_store: true });
    apps.embedding = await bootApp({ model: 'BAAI/bge-large-en-v1.5' });
    apps.reranker = await bootApp({ model: 'BAAI/bge-reranker-v2-m3' });
    apps.classifier = await bootApp({ model: 'cardiffnlp/twitter-roberta-base-sentiment-latest' });
    for (const [kind, app] of Object.entries(apps)) docs[kind] = (await (await fetch(`${app.url}/openapi.json`)).json()) as Json;
    doc = docs.generation;
  });
  afterAll(async () => {
    await Promise.all(Object.values(apps).map((a) => a.close()));
  });

  const schemaOf = (op: Operation, status = '200') => {
    const schema = op.responses?.[status]?.content?.['application/json']?.schema;
    return schema ? ajv.compile(toJsonSchema(schema, doc.components.schemas) as Json) : undefined;
  };
  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

  it('passes an OpenAPI 3 validator', () => {
    const result = new OpenAPISchemaValidator({ version: 3 }).validate(doc as never);
    expect(result.errors).toEqual([]);
    expect(doc.openapi).toMatch(/^3\./);
  });

  it('types every request property (no accidental `object` from a `T | null` field)', () => {
    const untyped: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
      for (const [prop, s] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
        const typed = s.type !== undefined || s.oneOf || s.allOf || s.anyOf || s.$ref || s.enum;
        if (!typed || (s.type === 'object' && !s.properties && !s.additionalProperties && !s.allOf)) untyped.push(`${name}.${prop}`);
      }
    }
    expect(untyped).toEqual([]);
  });

  it('answers every documented example 200 with a body that matches the documented schema', async () => {
    const checked: string[] = [];
    for (const { path, method, op } of operations()) {
      const examples = op.requestBody?.content?.['application/json']?.examples;
      if (!examples) continue;
      const validate = schemaOf(op);
      for (const name of Object.keys(examples)) {
        const answers: string[] = [];
        let ok = false;
        for (const [kind, app] of Object.entries(apps)) {
          const value = docs[kind].paths[path][method].requestBody.content['application/json'].examples[name].value;
          const res = await fetch(`${app.url}${path}`, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
          const body = (await res.json()) as Json;
          answers.push(`${kind}: ${res.status} ${JSON.stringify(body).slice(0, 160)}`);
          if (res.status !== 200) {
            // Another model's route: vLLM's refusal, never anything else.
            expect([400, 404]).toContain(res.status);
            continue;
          }
          ok = true;
          if (validate && !validate(body)) throw new Error(`${method} ${path} (${name}) on ${kind}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`);
        }
        if (!ok) throw new Error(`${method} ${path} example ${name} got no 200:\n${answers.join('\n')}`);
        checked.push(`${method} ${path} ${name}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(20);
  });

  it('answers the documented GET routes with bodies that match their schemas', async () => {
    const created = await apps.generation.openai.responses.create({ input: 'hello' } as never);
    let checked = 0;
    for (const { path, method, op } of operations()) {
      if (method !== 'get') continue;
      const validate = schemaOf(op);
      if (!validate) continue;
      const url = `${apps.generation.url}${path.replace('{id}', created.id)}`;
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const body = await res.json();
      if (!validate(body)) throw new Error(`GET ${path}: ${ajv.errorsText(validate.errors)}`);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
