// Public API of tfjs-gru, the browser-safe package root. Importing it registers
// the layer classes with tf.serialization, so tf.loadLayersModel can rebuild them.
// Rule: one export line per module, flat; nothing here may import Node (fs,
// path, child_process, os, tfjs-node) directly or through what it imports
// (test/kernels.browserSafe.test.ts). Node-only exports go in src/node/index.ts
// (the `tfjs-gru/node` entry), never here.
export {TF1GRUCell, TF1GRUCellArgs, tf1GruCell} from './layers/tf1GruCell';
export {TF1GRU, TF1GRUArgs, tf1Gru} from './layers/tf1Gru';
export {GruSequenceArgs} from './layers/gruSequenceLayer';
export {gruSequence, GruKernelWeights, GruSequenceOptions, GruSequenceResult, GateMasks} from './math/gruSequence';
export {getActivation, activationName, ActivationFn} from './math/activations';
export {tf1ToKernelWeights} from './weights/tf1Kernel';
export {ExplicitGruWeights, TF1GruWeights, splitTF1Weights, fuseTF1Weights} from './reference/explicitWeights';
export {unfusedGru, UnfusedGruOptions} from './reference/unfusedGru';
export {KerasGRUCell, KerasGRUCellArgs, kerasGruCell} from './layers/kerasGruCell';
export {KerasGRU, KerasGRUArgs, gru, registerKerasGru} from './layers/kerasGru';
export {convertWeights, toKernelWeights, LayoutWeights} from './weights/convert';
export {LayoutName, LAYOUT_NAMES, sameGruFunction, layoutFamily} from './weights/layouts';
export {GruFamily, GruSize, WeightMap} from './weights/layout';
export {KerasGruWeights, KerasResetAfterGruWeights} from './weights/kerasLayout';
export {PyTorchGruWeights} from './weights/pytorchLayout';
export {ExplicitResetAfterGruWeights} from './weights/unfusedLayout';
export {unfusedResetAfterGru} from './reference/unfusedResetAfterGru';
export {GruDropout} from './math/dropoutMasks';
export {BackendInfo, BackendName, BackendUnavailableError, BACKEND_NAMES, backendInfo, parseBackendName, selectBackend, SelectBackendOptions} from './backend';
export {registerSequenceKernel, sequenceKernelFor, SequenceKernelMode, sequenceKernelMode, setSequenceKernelMode} from './kernels/registry';
export type {SequenceKernelProvider} from './kernels/registry';
export {loadWasmKernel, loadWasmKernelSync, WasmKernel, wasmKernelBytes, wasmKernelIfLoaded, wasmKernelModule} from './kernels/wasm/wasmKernel';
// Streaming: a model one frame at a time, state inside (the tfjs-free part is the `tfjs-gru/stream` entry).
export {gruStreamFromLayersModel, gruStreamFromLayersModelSync, planFromLayersModel, LayersModelStreamOptions} from './stream/fromLayersModel';
export {GruStream, StreamLayerInfo} from './stream/gruStream';
export {StreamModelError, StreamErrorCode} from './stream/errors';
export {SequenceKernel, SequenceKernelDims, SequenceKernelInputs, SequenceKernelForward, SequenceKernelGradients} from './kernels/sequenceKernel';
// TensorFlow checkpoints (browser-safe: from bytes). File reading: src/node/readCheckpoint.
export {Checkpoint, CheckpointBytes, CheckpointError, CheckpointErrorCode, CheckpointVariable, readCheckpointFromBytes} from './io/checkpoint';
export type {CheckpointDtype, CheckpointHeader, CheckpointTensor, ObjectGraphVariable, ReadOptions, ResolvedObjectGraph} from './io/checkpoint';
export type {CheckpointValues} from './io/checkpoint/values';
export type {VersionDef} from './io/checkpoint/protos';
export {findGrus, Discovery, FoundGru, GruStack} from './checkpointModel/findGrus';
export type {Direction, FoundDense, FoundLayout, GruCellType, GruLayer, IgnoredVariable} from './checkpointModel/findGrus';
export {inspectCheckpoint, InspectReport} from './checkpointModel/inspect';
export type {DiscoveryReport, StackReport, VariableRole} from './checkpointModel/discoveryReport';
export {checkpointToLayersModel, gruStackToLayersModel, ConversionDescription, ToLayersModelOptions} from './checkpointModel/toLayersModel';
// PyTorch .safetensors and ONNX models (browser-safe: from bytes; Node file reading in src/node/formats/).
export {readSafetensors, SafetensorsError, SAFETENSORS_EXPORT_HINT, MAX_HEADER_SIZE} from './io/safetensors';
export type {SafetensorsDtype, SafetensorsEntry, SafetensorsErrorCode, SafetensorsFile, SafetensorsReadOptions,
  SafetensorsValues} from './io/safetensors';
export {readOnnxModel, OnnxError} from './io/onnx';
export type {OnnxAttribute, OnnxErrorCode, OnnxModel, OnnxNode, OnnxReadOptions, OnnxValues} from './io/onnx';
export type {TensorProto as OnnxTensorProto} from './io/onnx/protos';
export {findTorchGrus} from './checkpointModel/findTorchGrus';
export {findOnnxGrus} from './checkpointModel/findOnnxGrus';
export type {OnnxDiscovery} from './checkpointModel/findOnnxGrus';
export {formatSourceReport, inspectSource} from './checkpointModel/inspectSource';
export type {SourceInspectReport} from './checkpointModel/inspectSource';
export {ReverseTime, reverseTime} from './layers/reverseTime';
export type {OnnxGruWeights} from './weights/onnxLayout';
// Any model file's tensors, and the errors every reader and the converter throw.
export type {SourceVariable, TensorSource} from './io/tensorSource';
export {ConversionError, ConversionErrorCode, ModelFileError} from './io/modelFileError';
export type {ConvertedLayer, ConvertedModel, ModelCheck} from './checkpointModel/toLayersModel';
export {
  explainGru, explicitBlocks, ExplainGruOptions, GruExplanation, LayoutView, TensorView, BlockView, AxisSegment,
  ResolvedSlice, WeightStats, NoEquivalent, RecombinationCheck,
} from './explain/explainGru';
export {ExplainLayoutName, EXPLAIN_LAYOUT_NAMES, TensorSlice} from './explain/layoutMaps';
export {explainModelJson, findModelGrus, KerasModelLayout, ModelExplanation, ModelGru} from './explain/modelJson';
export {formatGruExplanation} from './explain/format';
export {renderExplanationSvg, GATE_COLORS} from './explain/svg';
export {InitializerLike, RegularizerLike, ConstraintLike, SerializedObject} from './layers/serializables';
export {fromPytorchGru, FromPytorchGruOptions, PytorchGru, PytorchGruResult} from './layers/fromPytorchGru';
export {FastOrthogonal, FastOrthogonalArgs, fastOrthogonal, householderQ} from './layers/fastOrthogonal';
export {FixtureCase, FixtureManifest, FixtureSource, FetchFixturesOptions, FetchedFile, fetchFixtures, fixturesFromBytes, loadCaseFrom, loadManifestFrom, caseTensor, hasTensor} from './fixtures/fixtureSet';
export {NpyArray, parseNpy} from './fixtures/npy';
export {verifyFixtures, VerifyFixturesOptions, VerifyReport} from './verify/verify';
export {QuantityResult, OUTPUT_TOLERANCE, GRADIENT_TOLERANCE} from './verify/result';
export {formatTable, formatSummary} from './verify/table';
export {summarize, ImplementationSummary, WorstError} from './verify/summary';
// Keras model files (.keras, .weights.h5, legacy .h5) from bytes: browser-safe (Node reads files in src/node/formats/)
export {KerasFileError, readKerasFromBytes} from './io/keras';
export type {KerasFile, KerasFileBytes, KerasFileErrorCode, KerasFileKind, KerasLayerWeights, KerasWeight} from './io/keras';
export {planKerasModel} from './kerasModel/findKerasGrus';
export type {KerasGruCell, KerasModelPlan, PlannedLayer} from './kerasModel/findKerasGrus';
export type {GruCellWeights} from './kerasModel/layerWeights';
export {readArchitecture} from './kerasModel/architecture';
export type {KerasArchitecture, KerasLayerConfig} from './kerasModel/architecture';
export {kerasToLayersModel} from './kerasModel/toLayersModel';
export type {KerasConversionDescription, KerasConversionInfo, KerasConvertedModel, KerasToLayersModelOptions, LeftOutLayer} from './kerasModel/toLayersModel';
export {inspectKerasFile, formatKerasInspectReport} from './kerasModel/inspect';
export type {KerasInspectReport} from './kerasModel/inspect';
export {KerasCudnnGruWeights} from './weights/kerasCudnnLayout';
