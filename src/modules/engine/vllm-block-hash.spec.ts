import { createHash } from 'node:crypto';
import { digestToInt, VllmBlockHasher } from './vllm-block-hash';

/*
 * Expected digests computed with CPython 3.11: hashlib.sha256(pickle.dumps(obj, protocol=5)).digest(),
 * as vLLM's `sha256` hash function does, for NONE_HASH = sha256("42") and a chain of blocks that
 * covers every integer width pickle uses (1, 2 and 4 bytes), a LoRA extra key and a long string.
 */
describe('VllmBlockHasher: vLLM block hashes, byte for byte', () => {
  const h = new VllmBlockHasher({ algo: 'sha256', seed: '42' });
  const b1 = h.hash(null, Array.from({ length: 16 }, (_, i) => 1000 + i));
  const b2 = h.hash(b1, [0, 1, 255, 256, 65535, 65536, 2 ** 31 - 1, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  const b3 = h.hash(b2, [5, 6], ['my-lora']);
  const b4 = h.hash(b3, [300], ['x'.repeat(300)]);

  it('reproduces sha256 over pickle protocol 5, as CPython writes it', () => {
    expect(h.noneHash.toString('hex')).toBe('c0bc02c9fc92a4944335649961b9e55cc41b194bece4801e8c6ef0f0f3f5884a');
    expect(b1.toString('hex')).toBe('c066f06e34db5c73ef4051801d117ec365ccc55cb2c7fe43834131d0f4d6a549');
    expect(b2.toString('hex')).toBe('4cd8b2bda1c3d312ecd5f0b81805c38f68388c8785f7ede5d769969f52cbcb11');
    expect(b3.toString('hex')).toBe('848cdb228b8fdc2725b4ae4efa0baf7cdd2a91b78dbd00e9e5c3f95fd52ebcc0');
    expect(b4.toString('hex')).toBe('013014fa95cb7f6c65a13022c3a32625a914dfd0456ad3c818a9b14bdb7fa500');
  });

  it('publishes the low 64 bits, read big-endian (VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES)', () => {
    expect(digestToInt(b1)).toBe(9457895465985418569n);
  });

  it('sha256_cbor: NONE_HASH is sha256(cbor(seed)) and a block sha256(cbor([parent, tokens, extra]))', () => {
    const c = new VllmBlockHasher({ algo: 'sha256_cbor', seed: '' });
    // cbor("") = 0x60; [bytes(32), [1, 300], null] = 83 58 20 <32 bytes> 82 01 19 012c f6
    expect(c.noneHash.toString('hex')).toBe(createHash('sha256').update(Buffer.from([0x60])).digest('hex'));
    const expected = Buffer.concat([Buffer.from([0x83, 0x58, 0x20]), c.noneHash, Buffer.from([0x82, 0x01, 0x19, 0x01, 0x2c, 0xf6])]);
    expect(c.hash(null, [1, 300]).equals(createHash('sha256').update(expected).digest())).toBe(true);
  });

  it('draws NONE_HASH from its random source when PYTHONHASHSEED is unset, as vLLM does', () => {
    const fixed = Buffer.alloc(32, 7);
    expect(new VllmBlockHasher({ algo: 'sha256', seed: null, random: () => fixed }).noneHash).toBe(fixed);
    expect(new VllmBlockHasher({ algo: 'sha256', seed: null }).noneHash).toHaveLength(32);
  });
});
