/**
 * A converted node's ONNX attributes and input layout, stored in one attribute of
 * the tfjs graph node. tfjs-converter hands custom ops their attributes parsed by
 * kind and lower-cases every string attribute, which would change names and Einsum
 * equations; so the payload is JSON, stored as its UTF-8 bytes in an integer list.
 */
import {Attrs} from './op';

/** The graph node attribute that holds the payload. */
export const PAYLOAD_ATTR = 'onnx';

/** What a node's executor needs besides its input tensors. */
export interface NodePayload {
  attrs: Attrs;
  /** The ONNX input slot of each tensor input the graph node has (omitted optional inputs have none). */
  slots: number[];
  /** How many input slots the ONNX node has (omitted ones included). */
  arity: number;
  /** How many outputs the ONNX node declares. */
  outputs: number;
  opset: number;
  /** The ONNX node's name, for errors. */
  node: string;
}

/** The payload as a tfjs graph attribute value. */
export function encodePayload(p: NodePayload): {list: {i: string[]}} {
  const bytes = new TextEncoder().encode(JSON.stringify(p));
  return {list: {i: Array.from(bytes, (b) => String(b))}};
}

/** The payload back from the attribute's integer list. */
export function decodePayload(values: number[] | undefined): NodePayload {
  if (!Array.isArray(values) || values.length === 0) throw new Error(`a converted ONNX node lacks its '${PAYLOAD_ATTR}' attribute`);
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(values))) as NodePayload;
}
