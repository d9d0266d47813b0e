// Cluster ids as Kafka's random-uuid makes them: 22 base64url characters, never a leading '-'
// (a command line would read it as a flag), never the zero id, and different every time.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cryptoRandom, isValidClusterId, randomClusterId } from '../../tools/config/cluster-id.js';
import { uuidFromBytes, uuidToBytes, ZERO_UUID } from '../../metadata-log/records/uuid.js';

describe('randomClusterId', () => {
  it('10000 ids: all valid, 22 characters, none starting with "-", all distinct', () => {
    const ids = Array.from({ length: 10_000 }, () => randomClusterId());
    const bad = ids.filter((id) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{20}[AQgw]$/.test(id) || !isValidClusterId(id) || uuidToBytes(id).length !== 16);
    expect(bad).toEqual([]);
    expect(new Set(ids).size).toBe(10_000);
  });

  it('re-draws an id whose text would start with "-" and the zero id', () => {
    // 0xf8 as the first byte puts 62 ('-') in the first base64 character.
    const scripted = [...Array<number>(16).fill(0xf8), ...Array<number>(16).fill(0), ...Array<number>(16).fill(7)];
    let i = 0;
    const source = { next: () => scripted[i++]! / 256 };
    const id = randomClusterId(source);
    expect(i).toBe(48);
    expect(id).toBe(uuidFromBytes(new Uint8Array(16).fill(7)));
  });

  it('the crypto source yields floats in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const x = cryptoRandom.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe('isValidClusterId', () => {
  it('accepts the text of any 16 bytes except zero, including a leading "-"', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const text = uuidFromBytes(bytes);
        expect(isValidClusterId(text)).toBe(text !== ZERO_UUID);
      }),
    );
    expect(isValidClusterId(uuidFromBytes(new Uint8Array(16).fill(0xf8)))).toBe(true);
  });

  it('rejects the zero id, wrong lengths, other alphabets and stray bits', () => {
    for (const bad of [ZERO_UUID, '', 'abc', 'MkU3OEVBNTcwNTJENDM2Qg=', 'MkU3OEVBNTcwNTJENDM2Q', 'MkU3OEVBNTcwNTJENDM2Q+', 'MkU3OEVBNTcwNTJENDM2QB', 'metaquorum-dev-cluster0']) {
      expect(isValidClusterId(bad), bad).toBe(false);
    }
    expect(isValidClusterId('MkU3OEVBNTcwNTJENDM2Qg')).toBe(true);
  });
});
