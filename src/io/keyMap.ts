/**
 * Key maps: renaming a model file's tensors to the names a GRU reader looks for
 * (browser-safe). A file written by another code base (g2p-en's `enc_w_ih`,
 * `enc_w_hh`, `enc_b_ih`, `enc_b_hh` for a PyTorch-layout GRU) is read as if it
 * used PyTorch's own names (`enc.weight_ih_l0`, …).
 *
 * Two forms, freely mixed, as an object or as the text of `--rename`:
 *  - exact: `enc_w_ih=weight_ih_l0` renames one tensor;
 *  - pattern: `enc_w_*=enc.weight_*_l0` renames every name the left side matches,
 *    `*` standing for any run of characters (at most one `*` a side; the right side's
 *    `*` receives what the left side's matched).
 * Entries are comma-separated in text (`a=b,c=d`). Exact entries win over patterns;
 * a name that two patterns match, a rename that collides with another name, and an
 * exact entry naming a tensor the file does not hold are errors that name them.
 */

/**
 * A key map: `{from: to}` (exact names or `*` patterns), or its text form `'from=to,…'`.
 * @category Readers
 */
export type KeyMap = Record<string, string> | string;

/**
 * A key map's entries, parsed and checked.
 * @category Readers
 */
export interface KeyMapEntry {
  from: string;
  to: string;
  pattern: boolean;
}

/**
 * Thrown for a malformed key map or one that does not fit the names it is applied to.
 * @category Readers
 */
export class KeyMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyMapError';
  }
}

function stars(s: string): number {
  return s.split('*').length - 1;
}

/**
 * Parses a key map (text `'a=b,c*=d*'` or an object) into checked entries.
 * @category Readers
 */
export function parseKeyMap(map: KeyMap): KeyMapEntry[] {
  const pairs: Array<[string, string]> = [];
  if (typeof map === 'string') {
    for (const part of map.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
      const eq = part.indexOf('=');
      if (eq <= 0 || eq === part.length - 1 || part.indexOf('=', eq + 1) >= 0) {
        throw new KeyMapError(`key map entry '${part}': expected 'from=to' (e.g. 'enc_w_ih=weight_ih_l0' or ` +
            `'enc_w_*=enc.weight_*_l0')`);
      }
      pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
    }
  } else if (map != null && typeof map === 'object') {
    for (const [from, to] of Object.entries(map)) {
      if (typeof to !== 'string' || to === '' || from === '') {
        throw new KeyMapError(`key map entry ${JSON.stringify(from)}: expected a non-empty string to rename to, got ${JSON.stringify(to)}`);
      }
      pairs.push([from, to]);
    }
  } else {
    throw new KeyMapError(`a key map is an object {from: to} or a text 'from=to,…', got ${map === null ? 'null' : typeof map}`);
  }
  return pairs.map(([from, to]) => {
    const sf = stars(from);
    const st = stars(to);
    if (sf > 1 || st > 1) throw new KeyMapError(`key map entry '${from}=${to}': at most one '*' a side`);
    if (st === 1 && sf === 0) throw new KeyMapError(`key map entry '${from}=${to}': a '*' on the right needs one on the left`);
    return {from, to, pattern: sf === 1};
  });
}

function matchPattern(pattern: string, name: string): string | null {
  const [pre, post] = pattern.split('*');
  if (name.length < pre.length + post.length || !name.startsWith(pre) || !name.endsWith(post)) return null;
  return name.slice(pre.length, name.length - post.length);
}

/**
 * The new name of every name in `names` (a Map old → new, in the same order; names
 * no entry matches keep their own). See the module comment for the rules and errors.
 * @category Readers
 */
export function applyKeyMap(names: readonly string[], map: KeyMap): Map<string, string> {
  const entries = parseKeyMap(map);
  const exact = new Map(entries.filter((e) => !e.pattern).map((e) => [e.from, e.to]));
  const have = new Set(names);
  const absent = [...exact.keys()].filter((k) => !have.has(k));
  if (absent.length > 0) {
    const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? ', …' : '');
    throw new KeyMapError(`key map renames ${absent.map((a) => `'${a}'`).join(', ')}, which ${absent.length > 1 ? 'are' : 'is'} ` +
        `not among the tensors (${shown || 'none'})`);
  }
  const patterns = entries.filter((e) => e.pattern);
  const unused = new Set(patterns.map((p) => p.from));
  const renamed = new Map<string, string>();
  for (const name of names) {
    let to = exact.get(name);
    if (to == null) {
      const hits = patterns.map((p) => ({p, m: matchPattern(p.from, name)})).filter((h) => h.m != null);
      if (hits.length > 1) {
        throw new KeyMapError(`tensor '${name}' matches ${hits.length} key map patterns (${hits.map((h) => `'${h.p.from}'`).join(', ')}); ` +
            'make them exclusive or rename it exactly');
      }
      if (hits.length === 1) {
        unused.delete(hits[0].p.from);
        to = hits[0].p.to.replace('*', hits[0].m!);
      }
    }
    renamed.set(name, to ?? name);
  }
  if (unused.size > 0) {
    throw new KeyMapError(`key map pattern(s) ${[...unused].map((u) => `'${u}'`).join(', ')} match no tensor`);
  }
  const seen = new Map<string, string>();
  for (const [from, to] of renamed) {
    const other = seen.get(to);
    if (other != null) throw new KeyMapError(`key map gives '${other}' and '${from}' the same name '${to}'`);
    seen.set(to, from);
  }
  return renamed;
}
