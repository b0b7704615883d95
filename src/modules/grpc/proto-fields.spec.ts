import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import { PROJECT_ROOT } from '../../config/paths';
import { VLLM_ENGINE_PROTO, VLLM_ENGINE_SERVICE_NAME } from './proto';

interface RecordedFields {
  source: { repository: string; path: string; commit: string };
  package: string;
  service: { name: string; methods: Record<string, { request: string; response: string; serverStreaming: boolean }> };
  messages: Record<string, Record<string, number>>;
}

const recorded: RecordedFields = JSON.parse(readFileSync(join(PROJECT_ROOT, 'proto', 'vllm_engine.fields.json'), 'utf8'));
// keepCase as the server loads it, so names compare as written in vLLM's file.
const root = new protobuf.Root().loadSync(VLLM_ENGINE_PROTO, { keepCase: true });

describe('proto/vllm_engine.proto matches vLLM', () => {
  it('records where the numbers come from', () => {
    expect(recorded.source.repository).toBe('vllm-project/vllm');
    expect(recorded.source.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('has vLLM package and service with the same methods and streaming', () => {
    const service = root.lookupService(VLLM_ENGINE_SERVICE_NAME);
    expect(`${recorded.package}.${recorded.service.name}`).toBe(VLLM_ENGINE_SERVICE_NAME);
    expect(Object.keys(service.methods).sort()).toEqual(Object.keys(recorded.service.methods).sort());
    for (const [name, want] of Object.entries(recorded.service.methods)) {
      const method = service.methods[name];
      expect({ name, request: method.requestType, response: method.responseType, serverStreaming: !!method.responseStream, clientStreaming: !!method.requestStream }).toEqual({
        name,
        request: want.request,
        response: want.response,
        serverStreaming: want.serverStreaming,
        clientStreaming: false,
      });
    }
  });

  it('declares exactly the recorded messages', () => {
    const pkg = root.lookup(recorded.package) as protobuf.Namespace;
    const ours = pkg.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type).map((t) => t.name);
    expect(ours.sort()).toEqual(Object.keys(recorded.messages).sort());
  });

  it.each(Object.entries(recorded.messages))('%s has the same field names and numbers', (message, fields) => {
    const type = root.lookupType(`${recorded.package}.${message}`);
    const ours = Object.fromEntries(Object.values(type.fields).map((f) => [f.name, f.id]));
    expect(ours).toEqual(fields);
  });
});
