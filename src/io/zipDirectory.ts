/**
 * What every zip-based reader (.keras, .npz) checks before it trusts fflate: the
 * local-file signature, deflate's maximum ratio for declared sizes, and the CRC-32 of
 * each entry as the central directory records it (found through the end record).
 * Browser-safe. Errors are the caller's own (`fail` builds them from the reason).
 */

/** deflate's maximum compression ratio: an entry declaring more than this per compressed byte is forged. */
export const MAX_DEFLATE_RATIO = 1032;

/** True when `bytes` start with a zip local-file header ('PK\x03\x04'). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** name → CRC-32 from the zip's central directory; a malformed directory throws `fail(reason)`. */
export function centralDirectoryCrcs(bytes: Uint8Array, fail: (why: string) => Error): Map<string, number> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw fail('no zip end-of-central-directory record (truncated?)');
  const count = dv.getUint16(eocd + 10, true);
  let at = dv.getUint32(eocd + 16, true);
  const out = new Map<string, number>();
  for (let k = 0; k < count; k++) {
    if (at + 46 > bytes.length || dv.getUint32(at, true) !== 0x02014b50) {
      throw fail(`zip central directory entry ${k} of ${count} at byte ${at} is malformed`);
    }
    const nameLen = dv.getUint16(at + 28, true);
    if (at + 46 + nameLen > bytes.length) throw fail(`zip central directory entry ${k} runs past the end`);
    out.set(new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen)), dv.getUint32(at + 16, true));
    at += 46 + nameLen + dv.getUint16(at + 30, true) + dv.getUint16(at + 32, true);
  }
  return out;
}
