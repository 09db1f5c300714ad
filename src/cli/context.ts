import {Command, InvalidArgumentError, Option} from 'commander';

import {NODE_BACKEND_NAMES as BACKEND_NAMES} from '../node/backend';

/**
 * What a verb's action reports back to main: its exit code. 0 ok, 1 a check
 * failed (or the work failed), 2 a usage error (main maps parser errors and
 * {@link UsageError} to 2).
 */
export interface CliContext {
  exitCode: number;
}

/** A verb registers itself (its options, help and action) on the program. */
export type RegisterVerb = (program: Command, ctx: CliContext) => void;

/** A command-line mistake found after parsing (a missing file, options that exclude each other): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of every verb. */
export const EXIT = {ok: 0, failed: 1, usage: 2} as const;

/** commander argParser for a whole number ≥ 1. */
export function positiveInt(value: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got '${value}'.`);
  }
  return Number(value);
}

/** `--backend tensorflow|wasm|cpu|auto`. */
export function backendOption(): Option {
  return new Option('--backend <name>', 'TensorFlow.js backend (default: the fastest present)')
      .choices([...BACKEND_NAMES, 'auto']);
}

/** `--json`: results as JSON on stdout, nothing else on stdout. */
export function jsonOption(): Option {
  return new Option('--json', 'print the results as JSON on stdout');
}

/** `--quiet`: no progress or informational lines on stderr (errors still print). */
export function quietOption(): Option {
  return new Option('-q, --quiet', 'no progress or informational lines on stderr');
}

/**
 * A bridge for a verb written as `run(argv) → exit code` with its own argument
 * handling (e.g. another branch's `runInspect`): registers `name` so that
 * `tfjs-gru name ARGS` calls `run(ARGS)` and exits with its code. The parser
 * passes every argument through untouched, `--help` included, so such a verb
 * checks its own options; write a proper {@link RegisterVerb} to get typed
 * options, suggestions and generated help.
 */
export function passThroughVerb(
    name: string, description: string, run: (argv: string[]) => Promise<number>|number): RegisterVerb {
  return (program, ctx) => {
    program.command(name)
        .description(description)
        .helpOption(false)
        .allowUnknownOption(true)
        .allowExcessArguments(true)
        .argument('[args...]')
        .action(async (args: string[]) => {
          ctx.exitCode = await run(args ?? []);
        });
  };
}
