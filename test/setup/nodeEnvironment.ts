/**
 * jest test environment for tfjs-node: jest-environment-node with the outer
 * realm's typed-array constructors.
 *
 * Each jest test file runs in its own vm context, with its own Float32Array,
 * Int32Array, ... The tfjs-node addon creates its typed arrays (dataSync(),
 * data(), arraySync() of the 'tensorflow' backend) with the constructors of the
 * realm the addon was loaded in, the outer one, so inside a test
 * `t.dataSync() instanceof Float32Array` is false and code or matchers relying
 * on instanceof / constructor identity break. jest-environment-node already
 * shares ArrayBuffer and Uint8Array with the outer realm for the same reason
 * (Buffer, TextEncoder); this shares the remaining typed arrays and DataView,
 * so one set of constructors exists for the addon, tfjs and the tests.
 *
 * Select it in jest.config.js with
 *   testEnvironment: '<rootDir>/test/setup/nodeEnvironment.ts'
 */
import type {EnvironmentContext, JestEnvironmentConfig} from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';

const SHARED = [
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'DataView', 'ArrayBuffer',
] as const;

export default class TfjsNodeEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const inner = this.global as unknown as Record<string, unknown>;
    const outer = globalThis as unknown as Record<string, unknown>;
    for (const name of SHARED) {
      if (outer[name] !== undefined) inner[name] = outer[name];
    }
  }
}
