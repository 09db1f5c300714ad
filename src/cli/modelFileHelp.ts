import {MODEL_FILE_FORMATS} from '../node/modelFormats';

/** The short list of input formats for verb descriptions (the same for inspect and convert). */
export const INPUT_FORMATS_SHORT = 'TensorFlow checkpoint, Keras .keras/.h5/.weights.h5, PyTorch .safetensors/.npz, ONNX';

/** The "Input formats:" help section of inspect and convert, one line per format the readers know (src/node/modelFormats.ts). */
export function inputFormatsHelp(): string {
  const width = Math.max(...MODEL_FILE_FORMATS.map((f) => f.name.length));
  return '\nInput formats (recognised by name and first bytes):\n' +
      MODEL_FILE_FORMATS.map((f) => `  ${f.name.padEnd(width)}  ${f.describe}`).join('\n') + '\n';
}
