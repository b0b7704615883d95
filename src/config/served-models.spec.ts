import { parseArgs, validateSettings } from './load-settings';
import { servedModelSettings } from './served-models';

describe('servedModelSettings', () => {
  const base = (extra: Record<string, unknown> = {}) => validateSettings({ gpu_type: 'NVIDIA-A100-80GB', max_num_seqs: 64, seed: 3, ...extra } as never);

  it('is the server alone by default', () => {
    const settings = base();
    expect(servedModelSettings(settings)).toEqual([settings]);
  });

  it('reads MODEL;key=value strings and mappings, each model with its hardware from the server unless it sets its own', () => {
    const [first, opt, embed] = servedModelSettings(
      base({ additional_models: ['facebook/opt-125m;tensor_parallel_size=2;served_model_name=opt,small', { model: 'BAAI/bge-large-en-v1.5', gpu_type: 'NVIDIA-L4' }] }),
    );
    expect(first.model).toBe('mistralai/Mistral-7B-Instruct-v0.3');
    expect(opt).toMatchObject({ model: 'facebook/opt-125m', tensor_parallel_size: 2, served_model_name: ['opt', 'small'], gpu_type: 'NVIDIA-A100-80GB', seed: 3 });
    // The running-batch limit is the model's own (unset: its GPU's default), not the first model's.
    expect(opt.max_num_seqs).toBeUndefined();
    expect(embed).toMatchObject({ model: 'BAAI/bge-large-en-v1.5', gpu_type: 'NVIDIA-L4', served_model_name: [] });
  });

  it('refuses malformed entries, settings that are the server\'s, and invalid values, naming the entry', () => {
    expect(() => servedModelSettings(base({ additional_models: ['m;oops'] }))).toThrow("additional_models[0]: 'oops' is not key=value.");
    expect(() => servedModelSettings(base({ additional_models: [42] }))).toThrow('additional_models[0]: expected');
    expect(() => servedModelSettings(base({ additional_models: ['m;tensor_parallel_size=zero'] }))).toThrow(/additional_models\[0\] \(m\): Invalid setting tensor_parallel_size/);
  });

  it('--add-model may be repeated', () => {
    expect(parseArgs(['--add-model', 'a', '--add-model', 'b;gpu_type=H100']).values.additional_models).toEqual(['a', 'b;gpu_type=H100']);
  });
});
