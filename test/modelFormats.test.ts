// The dispatch from a path to a model-file format (inspect and convert).
import * as path from 'path';

import {ModelFileError} from '../src/io/modelFileError';
import {formatOf, MODEL_FILE_FORMATS, openModelFile} from '../src/node/modelFormats';

const ROOT = path.join(__dirname, '..');

test('a checkpoint prefix opens as a checkpoint, with its GRUs found', () => {
  const opened = openModelFile(path.join(ROOT, 'fixtures', 'checkpoints', 'tf1_single', 'model.ckpt'));
  try {
    expect(opened.format).toBe('checkpoint');
    expect(opened.source.file).toMatch(/model\.ckpt\.index$/);
    expect(opened.discovery.grus.length).toBeGreaterThan(0);
  } finally {
    opened.source.close();
  }
});

test('a file of no known format: a ModelFileError naming the file and every known format', () => {
  const file = path.join(ROOT, 'README.md');
  let err: unknown;
  try {
    formatOf(file);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ModelFileError);
  expect((err as ModelFileError).code).toBe('UNKNOWN_FORMAT');
  expect((err as ModelFileError).file).toBe(file);
  for (const f of MODEL_FILE_FORMATS) expect((err as Error).message).toContain(f.name);
});
