import { LoraAdapters, parseLoraModule } from './lora-adapters';

describe('LoRA adapters registry', () => {
  it("parses --lora-modules entries in both of vLLM's forms", () => {
    expect(parseLoraModule('sql=/a/sql')).toEqual({ name: 'sql', path: '/a/sql' });
    expect(parseLoraModule('{"name": "doc", "path": "/a/doc", "base_model_name": "m"}')).toEqual({ name: 'doc', path: '/a/doc', base: 'm' });
    expect(() => parseLoraModule('sql')).toThrow(/neither name=path nor JSON/);
    expect(() => parseLoraModule('{"name": "x"}')).toThrow(/needs "name" and "path"/);
  });

  it('numbers adapters 1, 2, ... and tells its listener, costing a load by the adapter size', () => {
    const seen: string[] = [];
    const r = new LoraAdapters(['base'], { bytesPerGpu: 50e6, pcieBytesPerS: 25e9, storageBytesPerS: 2e9, openMs: 10 }, 2, {
      added: (id) => seen.push(`+${id}`),
      removed: (id) => seen.push(`-${id}`),
    });
    const a = r.load('a', '/a');
    expect(r.ref(a)).toEqual({ id: 1, name: 'a', gpuLoadMs: 2, diskLoadMs: 35 });
    expect(r.load('b', '/b', 'nope').base).toBe('base');
    expect(() => r.load('c', '/c')).toThrow(/At most 2/);
    expect(() => r.load('base', '/x')).toThrow(/served model name/);
    r.unload(undefined, 2);
    expect(seen).toEqual(['+1', '+2', '-2']);
  });
});
