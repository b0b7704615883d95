/**
 * The yardstick of bench/throughput.ts: bare Fastify in its own process, answering every POST to
 * /v1/chat/completions with a canned body (the simulator's own answer to the bench's request, so
 * both send the same bytes) after parsing the request body as JSON, and GET /health with 200.
 *
 *   node -r ts-node/register/transpile-only bench/support/bare-fastify.ts PORT BODY_FILE
 */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

const [port, bodyFile] = process.argv.slice(2);
const canned = readFileSync(bodyFile, 'utf8');
const app = Fastify({ logger: false });
app.post('/v1/chat/completions', async (_req, reply) => {
  void reply.header('content-type', 'application/json; charset=utf-8');
  return canned;
});
app.get('/health', async () => '');
app.listen({ port: Number(port), host: '127.0.0.1' }).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
