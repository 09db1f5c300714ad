/** Where a command writes; tests pass their own. Output is written whole before the command returns. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CommandIo = {
  stdout: (t) => { process.stdout.write(t); },
  stderr: (t) => { process.stderr.write(t); },
};

/** Resolves once everything written to stdout so far has been handed to the OS (pipes included). */
export function drainStdout(): Promise<void> {
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}
