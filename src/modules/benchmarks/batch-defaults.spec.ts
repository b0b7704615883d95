import { Settings } from '../../config/settings';
import { batchDefaults, batchLimits, withBatchDefaults } from './batch-defaults';
import { Catalog } from './catalog';

describe('vLLM batch defaults per GPU (get_batch_defaults, OpenAI server)', () => {
  const catalog = Catalog.load();

  it.each([
    ['NVIDIA-H100-SXM', 1024, 8192],
    ['NVIDIA-H200', 1024, 8192],
    ['NVIDIA-B200', 1024, 8192],
    ['AMD-MI300X', 1024, 8192],
    ['NVIDIA-A100-80GB', 256, 2048],
    ['NVIDIA-L4', 256, 2048],
    ['NVIDIA-L40S', 256, 2048],
  ])('%s: %i sequences, %i tokens', (gpu, seqs, tokens) => {
    expect(batchDefaults(catalog.resolveGpu(gpu))).toEqual({ maxNumSeqs: seqs, maxNumBatchedTokens: tokens });
  });

  it('keeps explicit settings and bounds a defaulted budget by max_num_seqs x max_model_len, as vLLM', () => {
    const h100 = catalog.resolveGpu('H100');
    expect(batchLimits({ max_num_seqs: 8 }, h100)).toEqual({ maxNumSeqs: 8, maxNumBatchedTokens: 8192 });
    expect(batchLimits({ max_num_batched_tokens: 512 }, h100)).toEqual({ maxNumSeqs: 512, maxNumBatchedTokens: 512 });
    expect(batchLimits({ max_num_seqs: 2 }, h100, 1024)).toEqual({ maxNumSeqs: 2, maxNumBatchedTokens: 2048 });
  });

  it('fills unset settings for the configured GPU and leaves them unset for an unknown one', () => {
    const on = (gpu: string): Settings => Object.assign(new Settings(), { gpu_type: gpu });
    expect(withBatchDefaults(on('H100'))).toMatchObject({ max_num_seqs: 1024, max_num_batched_tokens: 8192 });
    expect(withBatchDefaults(on('L4'))).toMatchObject({ max_num_seqs: 256, max_num_batched_tokens: 2048 });
    expect(withBatchDefaults(on('no-such-gpu')).max_num_seqs).toBeUndefined();
    expect(withBatchDefaults(Object.assign(on('H100'), { max_num_seqs: 4 }))).toMatchObject({ max_num_seqs: 4, max_num_batched_tokens: 8192 });
  });
});
