// Registers the ONNX op executors with tfjs-converter when the package root is imported,
// so tf.loadGraphModel runs a model that `tfjs-gru convert model.onnx` wrote.
import {registerOnnxOps} from './registry';

registerOnnxOps();
