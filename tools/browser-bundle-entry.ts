// The browser bundle (tools/bundle-browser.js): the package root with the
// TensorFlow.js it runs on, so that a page needs one file (script tag: the
// global `tfjsGru`, with `tfjsGru.tf`; or an ES module import).
export * from '../src/index';
export * as tf from '@tensorflow/tfjs';
export {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
