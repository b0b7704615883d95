import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, SettingsError } from './load-settings';

describe('loadSettings: flag > environment > config file > default', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'settings-'));
    file = join(dir, 'simulator.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const withFile = (yaml: string): string => {
    writeFileSync(file, yaml);
    return file;
  };
  const load = (argv: string[], env: Record<string, string> = {}) => loadSettings(argv, env).settings;

  it('takes the default when nothing sets a value', () => {
    const s = load([]);
    expect(s.model).toBe('mistralai/Mistral-7B-Instruct-v0.3');
    expect(s.port).toBe(8080);
    expect(s.enable_prefix_caching).toBe(true);
  });

  it('lets the file override the default, the environment the file, and a flag the environment', () => {
    const config = withFile('port: 1111\nlatency_scale: 0.5\nseed: 3\n');
    expect(load(['--config', config])).toMatchObject({ port: 1111, latency_scale: 0.5, seed: 3 });
    expect(load(['--config', config], { PORT: '2222' })).toMatchObject({ port: 2222, latency_scale: 0.5 });
    expect(load(['--config', config, '--port', '3333'], { PORT: '2222', LATENCY_SCALE: '2' })).toMatchObject({ port: 3333, latency_scale: 2, seed: 3 });
    // SIM_CONFIG names the file as --config does.
    expect(load([], { SIM_CONFIG: config })).toMatchObject({ port: 1111 });
  });

  it('reads --flag=value, the positional model of `vllm serve MODEL`, and aliases', () => {
    expect(load(['serve', 'meta-llama/Llama-3.1-8B-Instruct', '--port=9999', '-tp', '2'])).toMatchObject({
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      port: 9999,
      tensor_parallel_size: 2,
    });
  });

  it('turns a boolean off with --no-x, and reads boolean words from the environment', () => {
    expect(load(['--no-enable-prefix-caching']).enable_prefix_caching).toBe(false);
    expect(load([], { ENABLE_PREFIX_CACHING: 'off' }).enable_prefix_caching).toBe(false);
    expect(load(['--enable-prefix-caching'], { ENABLE_PREFIX_CACHING: 'false' }).enable_prefix_caching).toBe(true);
    expect(load(['--no-grpc']).grpc_port).toBe(-1);
  });

  it('takes list flags as every value up to the next flag, and lists from the environment split on commas', () => {
    expect(load(['--served-model-name', 'a', 'b', '--port', '1']).served_model_name).toEqual(['a', 'b']);
    expect(load([], { SERVED_MODEL_NAME: 'x, y' }).served_model_name).toEqual(['x', 'y']);
  });

  it('rejects a bad value whole with one message naming the setting, its sources and what is allowed', () => {
    expect(() => load(['--port', 'eighty'])).toThrow(SettingsError);
    expect(() => load(['--port', 'eighty'])).toThrow(/Invalid setting port \/ --port \/ PORT: 'eighty' is not an integer\./);
    expect(() => load([], { LATENCY_SCALE: '-1' })).toThrow(/latency_scale .*-1/);
    expect(() => load(['--port'])).toThrow(/argument --port: expected one argument/);
  });

  it('rejects a config file that is missing, not YAML, not a mapping, or names an unknown setting', () => {
    expect(() => load(['--config', join(dir, 'absent.yaml')])).toThrow(/does not exist/);
    expect(() => load(['--config', withFile('port: [1\n')])).toThrow(/is not valid YAML/);
    expect(() => load(['--config', withFile('- 1\n- 2\n')])).toThrow(/must hold a mapping of settings/);
    expect(() => load(['--config', withFile('frobnicate: 3\n')])).toThrow(/unknown setting 'frobnicate'/);
    expect(() => load(['--config', withFile('port: nope\n')])).toThrow(SettingsError);
  });
});
