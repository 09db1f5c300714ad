/**
 * Output that reaches its reader whole. A process that exits right after a
 * large write to a pipe loses what is still buffered (measured: `verify --json`
 * cut at 65,536 bytes), so the CLI writes through these and waits for both
 * streams to flush before it exits.
 */

/** Writes text to stdout. */
export function out(text: string): void {
  process.stdout.write(text);
}

/** Writes text to stderr. */
export function err(text: string): void {
  process.stderr.write(text);
}

/** JSON on stdout, two-space indented, one trailing newline. */
export function outJson(value: unknown): void {
  out(JSON.stringify(value, null, 2) + '\n');
}

/**
 * Resolves once everything written to the stream before the call has been
 * handed to the OS (write callbacks run in order), or the reader is gone.
 */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) {
      resolve();
      return;
    }
    stream.write('', () => resolve());
  });
}

/**
 * A reader that stops early (`tfjs-gru verify | head`) closes the pipe: later
 * writes fail with EPIPE. That ends our output, not the program with a stack trace.
 */
export function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}

/** Runs main, waits for stdout and stderr to flush, then exits with its code (1 for an unexpected error). */
export async function runAndExit(main: () => Promise<number>): Promise<never> {
  ignoreClosedPipes();
  let code: number;
  try {
    code = await main();
  } catch (e) {
    err(`tfjs-gru: ${(e as Error)?.message ?? e}\n`);
    code = 1;
  }
  await flushed(process.stdout);
  await flushed(process.stderr);
  process.exit(code);
}
