/**
 * The absolute size limits of the file readers (browser-safe): besides checking every
 * declared length against the bytes present, a reader refuses inputs larger than these,
 * so a small crafted file can never make it allocate gigabytes. Raise them for larger
 * models: the `limits` option of the readers and of convertModelFileToDir, or in Node the
 * environment variables TFJS_GRU_MAX_FILE_MB and TFJS_GRU_MAX_ZIP_ENTRY_MB (README "Limits").
 */

/**
 * Size limits of the readers (bytes).
 * @category Readers
 */
export interface ReadLimits {
  /** Largest model file read (default 2 GiB − 1, the most Node reads into one buffer). */
  maxFileBytes: number;
  /** Largest inflated zip entry of a .keras file: model.weights.h5 (default 512 MiB). */
  maxZipEntryBytes: number;
  /** Largest inflated text entry of a .keras file: config.json, metadata.json (default 64 MiB). */
  maxZipTextBytes: number;
}

/**
 * The built-in limits (see {@link ReadLimits} for each).
 * @category Readers
 */
export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxFileBytes: 2 ** 31 - 1,
  maxZipEntryBytes: 512 * 2 ** 20,
  maxZipTextBytes: 64 * 2 ** 20,
});

/**
 * The defaults with `given`'s fields (positive numbers) taking precedence.
 * @category Readers
 */
export function readLimits(given?: Partial<ReadLimits>): ReadLimits {
  const out = {...DEFAULT_READ_LIMITS};
  for (const k of Object.keys(out) as Array<keyof ReadLimits>) {
    const v = given?.[k];
    if (v != null) {
      if (!(typeof v === 'number' && v > 0)) throw new Error(`limits.${k} must be a positive number of bytes, got ${v}`);
      out[k] = v;
    }
  }
  return out;
}

/** A byte count for messages: '768,000,000 bytes (732.4 MiB)'. */
export function formatBytes(n: number): string {
  return n >= 2 ** 20 ? `${n.toLocaleString('en-US')} bytes (${(n / 2 ** 20).toFixed(1)} MiB)` : `${n.toLocaleString('en-US')} bytes`;
}
