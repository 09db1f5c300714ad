const counters = new Map<string, number>();

/**
 * A fresh default layer name such as 'tf1_gru_1'. tfjs would derive one from
 * the class name by its snake-case rule, which turns 'TF1GRU' into 't_f1gru'.
 */
export function defaultLayerName(prefix: string): string {
  const n = (counters.get(prefix) ?? 0) + 1;
  counters.set(prefix, n);
  return `${prefix}_${n}`;
}
