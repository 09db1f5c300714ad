/**
 * A progress bar on stderr, drawn only when stderr is a terminal (never into a
 * pipe or file) and not with --quiet. Returns the callback to feed it, or
 * undefined when nothing should be drawn.
 */
export function progressBar(quiet: boolean): ((done: number, total: number, name: string) => void)|undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  return (done, total, name) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const columns = process.stderr.columns ?? 100;
    process.stderr.write(`\r${`[${bar}] ${done}/${total} ${name}`.padEnd(columns - 1).slice(0, columns - 1)}`);
    if (done === total) process.stderr.write('\n');
  };
}
