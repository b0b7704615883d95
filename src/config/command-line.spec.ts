import { CommandLineError, knownOptions, parseArgs, suggestOption } from './command-line';
import { SETTING_SOURCES } from './setting-sources';
import { IGNORED_VLLM_FLAGS } from './vllm-flags';

function parseError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(CommandLineError);
    return (err as Error).message;
  }
  throw new Error(`parsed without error: ${argv.join(' ')}`);
}

describe('command line (strict, as vLLM argparse)', () => {
  it('takes settings in both spellings, the positional model and the serve subcommand', () => {
    const { values, ignored } = parseArgs(['serve', 'Qwen/Qwen3-8B', '--port', '8000', '--max_model_len=4096', '-tp', '2', '--grpc-port', '-1']);
    expect(values).toEqual({ model: 'Qwen/Qwen3-8B', port: '8000', max_model_len: '4096', tensor_parallel_size: '2', grpc_port: '-1' });
    expect(ignored).toEqual([]);
  });

  it('the positional model wins over --model, as in vllm serve', () => {
    expect(parseArgs(['--model', 'a/b', 'c/d']).values.model).toBe('c/d');
    expect(parseArgs(['--model', 'a/b']).values.model).toBe('a/b');
  });

  it('stops on an unknown flag with its value, and suggests the nearest known flag', () => {
    expect(parseError(['--frobnicate', '3'])).toBe('unrecognized arguments: --frobnicate 3');
    expect(parseError(['--gpu-memory-utilisation', '0.5', 'm/x'])).toBe(
      'unrecognized arguments: --gpu-memory-utilisation 0.5\n--gpu-memory-utilisation: did you mean --gpu-memory-utilization?',
    );
    expect(suggestOption('--tensor-paralel-size')).toBe('--tensor-parallel-size');
    expect(suggestOption('--frobnicate')).toBeUndefined();
  });

  it('stops on a second positional argument', () => {
    expect(parseError(['m/a', 'm/b'])).toBe('unrecognized arguments: m/b');
  });

  it('takes an unambiguous prefix for its flag and refuses an ambiguous one, naming the candidates', () => {
    expect(parseArgs(['--max-num-seq', '4']).values).toEqual({ max_num_seqs: '4' });
    expect(parseArgs(['--gpu-mem', '0.5']).values).toEqual({ gpu_memory_utilization: '0.5' });
    expect(parseArgs(['--enforce']).ignored.map((f) => f.flag)).toEqual(['--enforce-eager']);
    const message = parseError(['--max-num', '4']);
    expect(message).toMatch(/^ambiguous option: --max-num could match /);
    expect(message).toContain('--max-num-seqs');
    expect(message).toContain('--max-num-batched-tokens');
  });

  it('accepts the listed vLLM flags with their values, reports each once, and keeps the model', () => {
    const { values, ignored } = parseArgs([
      '--dtype', 'auto', '--enforce-eager', 'meta-llama/Llama-3.1-8B-Instruct', '--enable-chunked-prefill', 'False', '--trust-remote-code',
      '--ignore-patterns', '*.bin', '*.pt', '--port', '1', '--dtype=bfloat16', '-O3', '--compilation-config.level', '3', '--no-enable-log-requests',
    ]);
    expect(values).toEqual({ model: 'meta-llama/Llama-3.1-8B-Instruct', port: '1' });
    expect(ignored.map((f) => [f.flag, f.value])).toEqual([
      ['--dtype', 'auto'],
      ['--enforce-eager', undefined],
      ['--enable-chunked-prefill', 'False'],
      ['--trust-remote-code', undefined],
      ['--ignore-patterns', '*.bin *.pt'],
      ['--optimization-level', '3'],
      ['--compilation-config', '3'],
      ['--no-enable-log-requests', undefined],
    ]);
    expect(ignored.every((f) => f.reason.length > 0)).toBe(true);
  });

  it('booleans: --flag, --no-flag, --flag=false', () => {
    expect(parseArgs(['--no-enable-prefix-caching']).values).toEqual({ enable_prefix_caching: false });
    expect(parseArgs(['--enable-prefix-caching']).values).toEqual({ enable_prefix_caching: true });
    expect(parseArgs(['--enable-prefix-caching=false']).values).toEqual({ enable_prefix_caching: 'false' });
    expect(parseArgs(['--no-grpc']).values).toEqual({ grpc_port: '-1' });
  });

  it('a flag that needs a value says so', () => {
    expect(parseError(['--port'])).toBe('argument --port: expected one argument');
    expect(parseError(['--dtype', '--port', '1'])).toBe('argument --dtype: expected one argument');
    expect(parseError(['--served-model-name'])).toBe('argument --served-model-name: expected at least one argument');
  });

  it('no flag is both a setting and an ignored vLLM flag, and every option string is unique', () => {
    const settingFlags = SETTING_SOURCES.flatMap((s) => s.flags);
    const ignoredFlags = IGNORED_VLLM_FLAGS.flatMap((r) => r.flags);
    expect(settingFlags.filter((f) => ignoredFlags.includes(f))).toEqual([]);
    expect(new Set(ignoredFlags).size).toBe(ignoredFlags.length);
    expect(knownOptions()).toEqual(expect.arrayContaining(['--help', '--no-grpc', '--no-enforce-eager', '--no-disable-log-stats']));
  });
});

describe('the flag tables', () => {
  it('never list a flag both as a setting and as accepted-and-ignored, nor one flag twice', () => {
    const settingFlags = SETTING_SOURCES.flatMap((s) => s.flags);
    const ignored = IGNORED_VLLM_FLAGS.flatMap((r) => r.flags);
    expect(ignored.filter((f) => settingFlags.includes(f))).toEqual([]);
    expect(ignored.filter((f, i) => ignored.indexOf(f) !== i)).toEqual([]);
    expect(settingFlags.filter((f, i) => settingFlags.indexOf(f) !== i)).toEqual([]);
  });
});
