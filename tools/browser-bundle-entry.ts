// The browser bundle (tools/bundle-browser.js): the package root with the
// TensorFlow.js it runs on, so that a page needs one file (script tag: the
// global `tfjsGru`, with `tfjsGru.tf`; or an ES module import).
export * from '../src/index';
// tfjs-gru/testing (fixture cases, for test pages): tfjsGru.testing
export * as testing from '../src/testing';
export * as tf from '@tensorflow/tfjs';
export {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
