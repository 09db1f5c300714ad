/**
 * Which of TensorFlow's start-up log lines a quiet start drops (see ./quietLoad).
 * TensorFlow 2.16+ logs through absl; lines written while its shared library
 * initialises (before absl::InitializeLog) reach stderr whatever
 * TF_CPP_MIN_LOG_LEVEL says. This filter applies level 2's meaning to them
 * (INFO and WARNING records dropped) and drops the one ERROR a machine without a
 * GPU always gets (`failed call to cuInit`). Every other line is kept: ERROR and
 * FATAL records, and anything that is not a log record at all.
 */

/** absl's record prefix: severity letter, MMDD, time, thread id, file:line]. */
const RECORD = /^([IWEF])\d{4} \d+:\d+:\d+\.\d+\s+\d+ \S+:\d+\] /;
/** absl's banner before its first pre-initialisation record. */
const ABSL_BANNER = /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/;
/** The errors CUDA's loader logs when there is no GPU or driver (benign for tfjs-node, which runs on the CPU). */
const NO_GPU_ERRORS = [/failed call to cuInit/, /could not retrieve CUDA device count/];

/** The one continuation line TensorFlow writes after a record (cpu_feature_guard's). */
const CONTINUATION = /^To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags\.$/;

/**
 * Returns `text` (what was written to stderr while tfjs-node loaded) without the
 * start-up noise. A line that is not a log record is kept unless it is the known
 * continuation of a dropped record.
 */
export function dropTensorflowStartupNoise(text: string): string {
  const kept: string[] = [];
  let dropped = false;  // the previous line was a dropped record
  for (const line of text.split('\n')) {
    const m = RECORD.exec(line);
    let drop: boolean;
    if (m) {
      const severity = m[1];
      drop = severity === 'I' || severity === 'W' || (severity === 'E' && NO_GPU_ERRORS.some((p) => p.test(line)));
    } else {
      drop = ABSL_BANNER.test(line) || (dropped && CONTINUATION.test(line));
    }
    if (!drop) kept.push(line);
    dropped = drop && m != null;
  }
  return kept.join('\n');
}
