import { bindsEndpoint, offsetEndpoint, resolveKvEventsConfig } from './kv-events-config';
import { validateSettings } from './load-settings';

const settings = (raw: Record<string, unknown>) => validateSettings(raw as never);

describe('resolveKvEventsConfig', () => {
  it("takes vLLM's --kv-events-config with its defaults, off unless enabled with the zmq publisher", () => {
    expect(resolveKvEventsConfig(settings({}))).toBeNull();
    expect(resolveKvEventsConfig(settings({ kv_events_config: '{"enable_kv_cache_events": false, "publisher": "zmq"}' }))).toBeNull();
    expect(resolveKvEventsConfig(settings({ kv_events_config: '{"enable_kv_cache_events": true, "publisher": "zmq"}' }))).toEqual({
      endpoint: 'tcp://*:5557',
      replayEndpoint: null,
      bufferSteps: 10_000,
      hwm: 100_000,
      maxQueueSize: 100_000,
      topic: '',
      format: 'map',
      intHashes: true,
    });
  });

  it("maps llm-d-inference-sim's --enable-kvcache and --zmq-endpoint, with llm-d's topic", () => {
    const c = resolveKvEventsConfig(settings({ enable_kvcache: true, zmq_endpoint: 'tcp://indexer:5557', kv_events_format: 'positional' }));
    expect(c).toMatchObject({ endpoint: 'tcp://indexer:5557', topic: { llmd: true }, format: 'positional' });
  });

  it('refuses malformed configuration with a message naming the field', () => {
    expect(() => resolveKvEventsConfig(settings({ kv_events_config: '{nope' }))).toThrow(/not valid JSON/);
    expect(() => resolveKvEventsConfig(settings({ kv_events_config: '{"enable_kv_cache_events": true, "buffer_steps": -1}' }))).toThrow(/buffer_steps must be an integer/);
    expect(() => resolveKvEventsConfig(settings({ kv_events_config: '{"enable_kv_cache_events": true, "endpoint": "5557"}' }))).toThrow(/not a ZeroMQ address/);
    expect(() => resolveKvEventsConfig(settings({ kv_events_config: '{"enable_kv_cache_events": true, "typo": 1}' }))).toThrow(/unknown field 'typo'/);
  });

  it("offsets the port by the data-parallel rank and binds only wildcard and ipc addresses, as vLLM's publisher", () => {
    expect(offsetEndpoint('tcp://*:5557', 0)).toBe('tcp://*:5557');
    expect(offsetEndpoint('tcp://*:5557', 3)).toBe('tcp://*:5560');
    expect(offsetEndpoint('inproc://cache', 2)).toBe('inproc://cache_dp2');
    expect(bindsEndpoint('tcp://*:5557')).toBe(true);
    expect(bindsEndpoint('ipc:///tmp/kv')).toBe(true);
    expect(bindsEndpoint('tcp://indexer:5557')).toBe(false);
  });
});
