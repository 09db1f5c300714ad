/**
 * "No GRU found" made useful: the tensors whose shapes look like a GRU's, the names a
 * PyTorch-layout GRU needs, and, where the names say which is which (`enc_w_ih`,
 * `dec.b_hh`, …), the key map that renames them (browser-safe).
 */
import {SourceVariable} from '../io/tensorSource';

/**
 * 2-D and 1-D tensors that fit a GRU of some U: a [3U, U] or [U, 3U] matrix, and what shares its 3U.
 * @category Conversion
 */
export function gruShapedTensors(variables: readonly SourceVariable[]): SourceVariable[] {
  const threeU = new Set<number>();
  for (const v of variables) {
    if (v.shape.length !== 2) continue;
    const [a, b] = v.shape;
    if (b > 0 && a === 3 * b) threeU.add(a);
    if (a > 0 && b === 3 * a) threeU.add(b);
  }
  return variables.filter((v) => {
    const s = v.shape;
    if (s.length === 2) return threeU.has(s[0]) || threeU.has(s[1]) || (s[0] === 2 && threeU.has(s[1]));
    if (s.length === 1) return threeU.has(s[0]) || (s[0] % 2 === 0 && threeU.has(s[0] / 2));
    return false;
  });
}

const ROLE = /^(.*?)(w|weight|b|bias)_?(ih|hh)$/;

/**
 * A key map (text form) renaming PyTorch-layout GRU tensors that are named by their
 * role (`<module><w|weight|b|bias>_<ih|hh>`, e.g. g2p-en's `enc_w_ih`) to nn.GRU's names,
 * or null when the names do not say it. Shapes are checked: [3U, D], [3U, U], [3U], [3U].
 * @category Conversion
 */
export function suggestTorchKeyMap(variables: readonly SourceVariable[]): string | null {
  const modules = new Map<string, Map<string, SourceVariable>>();
  for (const v of variables) {
    const m = ROLE.exec(v.name);
    if (m == null) continue;
    const role = `${m[2].startsWith('w') ? 'weight' : 'bias'}_${m[3]}`;
    if (!modules.has(m[1])) modules.set(m[1], new Map());
    modules.get(m[1])!.set(role, v);
  }
  const parts: string[] = [];
  for (const [prefix, roles] of modules) {
    const ih = roles.get('weight_ih');
    const hh = roles.get('weight_hh');
    if (ih == null || hh == null || hh.shape.length !== 2 || ih.shape.length !== 2) continue;
    const u = hh.shape[1];
    if (hh.shape[0] !== 3 * u || ih.shape[0] !== 3 * u) continue;
    const module = prefix.replace(/[._]+$/, '') || 'gru';
    for (const role of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) {
      const v = roles.get(role);
      if (v == null) continue;
      if (role.startsWith('bias') && !(v.shape.length === 1 && v.shape[0] === 3 * u)) continue;
      parts.push(`${v.name}=${module}.${role}_l0`);
    }
  }
  return parts.length > 0 ? parts.join(',') : null;
}

/** Whether a file's tensors can be renamed by a key map (formats whose GRUs are found by name: .safetensors, .npz). */
export function takesKeyMap(file: string): boolean {
  return /\.(safetensors|npz)$/i.test(file);
}

/**
 * The hint appended to "no GRU found": GRU-shaped tensors, the names needed and, for
 * `file`s a key map applies to, a suggested key map.
 */
export function noGruHint(variables: readonly SourceVariable[], file: string): string {
  const shaped = gruShapedTensors(variables);
  const needed = 'a PyTorch-layout GRU needs the names weight_ih_l0 [3U, D], weight_hh_l0 [3U, U], bias_ih_l0 [3U], ' +
      'bias_hh_l0 [3U] (after a module prefix such as \'enc.\'; _l1, … for more layers, _reverse for the backward direction)';
  if (shaped.length === 0) return `no tensor is shaped like a GRU's ([3U, U] or [U, 3U] with what shares its 3U)`;
  const shown = shaped.slice(0, 16).map((v) => `${v.name} [${v.shape.join(', ')}]`).join(', ') + (shaped.length > 16 ? ', …' : '');
  if (!takesKeyMap(file)) return `tensors shaped like a GRU's: ${shown}`;
  const suggestion = suggestTorchKeyMap(variables);
  return `tensors shaped like a GRU's: ${shown}; ${needed}; rename them with --rename (option rename)` +
      (suggestion != null ? `, e.g. --rename '${suggestion}'` : ', e.g. --rename \'my_w_ih=gru.weight_ih_l0,…\' or \'my_*=gru.*\'');
}
