import {KERAS_CUDNN_LAYOUT} from './kerasCudnnLayout';
import {KERAS_LAYOUT, KERAS_RESET_AFTER_LAYOUT} from './kerasLayout';
import {GruFamily, LayoutSpec} from './layout';
import {ONNX_LAYOUT, ONNX_LBR_LAYOUT} from './onnxLayout';
import {PYTORCH_LAYOUT} from './pytorchLayout';
import {TF1_LAYOUT} from './tf1Layout';
import {UNFUSED_LAYOUT, UNFUSED_RESET_AFTER_LAYOUT} from './unfusedLayout';

/**
 * The weight layouts convertWeights knows.
 * @category Weights and converters
 */
export type LayoutName = 'tf1'|'keras'|'keras-reset-after'|'pytorch'|'unfused'|'unfused-reset-after'|'onnx'|'onnx-lbr'|
    'keras-cudnn';

export const LAYOUTS: Record<LayoutName, LayoutSpec> = {
  'tf1': TF1_LAYOUT,
  'keras': KERAS_LAYOUT,
  'keras-reset-after': KERAS_RESET_AFTER_LAYOUT,
  'pytorch': PYTORCH_LAYOUT,
  'unfused': UNFUSED_LAYOUT,
  'unfused-reset-after': UNFUSED_RESET_AFTER_LAYOUT,
  'onnx': ONNX_LAYOUT,
  'onnx-lbr': ONNX_LBR_LAYOUT,
  'keras-cudnn': KERAS_CUDNN_LAYOUT,
};

/**
 * Every {@link LayoutName}, in a fixed order.
 * @category Weights and converters
 */
export const LAYOUT_NAMES = Object.keys(LAYOUTS) as LayoutName[];

/** The layout of a name; throws naming the known ones. */
export function getLayout(name: string, argName = 'layout'): LayoutSpec {
  const spec = (LAYOUTS as Record<string, LayoutSpec>)[name];
  if (spec == null) {
    throw new Error(`${argName}: unknown weight layout ${JSON.stringify(name)}; expected one of ${LAYOUT_NAMES.join(', ')}`);
  }
  return spec;
}

/**
 * The GRU function (reset-before or reset-after) a layout computes.
 * @category Weights and converters
 */
export function layoutFamily(name: LayoutName): GruFamily {
  return getLayout(name).family;
}

/**
 * True when weights in the two layouts can compute the same function (same family), so convertWeights maps them exactly.
 * @category Weights and converters
 */
export function sameGruFunction(a: LayoutName, b: LayoutName): boolean {
  return getLayout(a, 'from').family === getLayout(b, 'to').family;
}
