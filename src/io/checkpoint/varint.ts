import {CheckpointError} from './errors';

/** A bounded cursor over bytes: every read checks the end, every varint its length. */
export class ByteCursor {
  pos: number;

  constructor(readonly bytes: Uint8Array, readonly file: string, readonly what: string, start = 0,
              readonly end = bytes.length) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** An unsigned varint of at most 32 bits (leveldb's varint32). */
  varint32(field: string): number {
    const v = this.varint(field, 5);
    if (v > 0xffffffff) {
      throw new CheckpointError('BAD_BLOCK', this.file, `${this.what}: ${field}: varint32 out of range (${v})`);
    }
    return v;
  }

  /** An unsigned varint of at most 64 bits, which must fit a safe JS integer. */
  varint64(field: string): number {
    return this.varint(field, 10);
  }

  private varint(field: string, maxBytes: number): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) {
        throw new CheckpointError('TRUNCATED', this.file,
            `${this.what}: ${field}: varint runs past the end (offset ${this.pos} of ${this.end})`);
      }
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if (result > Number.MAX_SAFE_INTEGER) {
        throw new CheckpointError('BAD_BLOCK', this.file,
            `${this.what}: ${field}: varint exceeds 2^53 (expected a length or offset that fits in memory)`);
      }
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new CheckpointError('BAD_BLOCK', this.file, `${this.what}: ${field}: varint longer than ${maxBytes} bytes`);
  }

  /** `n` bytes as a view (no copy); `n` is checked against what is left. */
  take(n: number, field: string): Uint8Array {
    if (n > this.remaining) {
      throw new CheckpointError('TRUNCATED', this.file,
          `${this.what}: ${field}: ${n} bytes wanted at offset ${this.pos}, ${this.remaining} left`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

export function readUint32LE(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000;
}
