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
export {ExplicitGruWeights, TF1GruWeights, splitTF1Weights, fuseTF1Weights} from './unfused/explicitWeights';
export {unfusedGru, UnfusedGruOptions} from './unfused/unfusedGru';
export {KerasGRUCell, KerasGRUCellArgs, kerasGruCell} from './layers/kerasGruCell';
export {KerasGRU, KerasGRUArgs, gru, registerKerasGru} from './layers/kerasGru';
export {convertWeights, toKernelWeights, LayoutWeights} from './weights/convert';
export {LayoutName, LAYOUT_NAMES, sameGruFunction, layoutFamily} from './weights/layouts';
export {GruFamily, GruSize, WeightMap} from './weights/layout';
export {KerasGruWeights, KerasResetAfterGruWeights} from './weights/kerasLayout';
export {PyTorchGruWeights} from './weights/pytorchLayout';
export {ExplicitResetAfterGruWeights} from './weights/unfusedLayout';
export {unfusedResetAfterGru} from './unfused/unfusedResetAfterGru';
export {GruDropout} from './math/dropoutMasks';
export {BackendInfo, BackendName, BackendUnavailableError, BACKEND_NAMES, backendInfo, parseBackendName, selectBackend, SelectBackendOptions} from './backend';
export {registerSequenceKernel, sequenceKernelFor, SequenceKernelMode, sequenceKernelMode, setSequenceKernelMode} from './kernels/registry';
export type {SequenceKernelProvider} from './kernels/registry';
export {loadWasmKernel, loadWasmKernelSync, WasmKernel, wasmKernelBytes, wasmKernelIfLoaded, wasmKernelModule} from './kernels/wasm/wasmKernel';
export {setWasmKernelThreads, wasmKernelThreads, wasmKernelThreadsUnavailableReason} from './kernels/wasm/wasmKernelThreads';
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
export {findGrus, Discovery, FoundGru, GruStack} from './discovery/findGrus';
export type {Direction, FoundDense, FoundLayout, GruCellType, GruLayer, IgnoredVariable} from './discovery/findGrus';
export {inspectCheckpoint, InspectReport} from './discovery/inspect';
export type {DiscoveryReport, StackReport, VariableRole} from './discovery/discoveryReport';
export {checkpointToLayersModel, gruStackToLayersModel, ConversionDescription, ToLayersModelOptions} from './gruStackModel/toLayersModel';
// PyTorch .safetensors and ONNX models (browser-safe: from bytes; Node file reading in src/node/formats/).
export {readSafetensors, SafetensorsError, SAFETENSORS_EXPORT_HINT, MAX_HEADER_SIZE} from './io/safetensors';
export type {SafetensorsDtype, SafetensorsEntry, SafetensorsErrorCode, SafetensorsFile, SafetensorsReadOptions,
  SafetensorsValues} from './io/safetensors';
export {readOnnxModel, OnnxError} from './io/onnx';
export type {OnnxAttribute, OnnxErrorCode, OnnxModel, OnnxNode, OnnxReadOptions, OnnxValueInfo, OnnxValues} from './io/onnx';
export type {TensorProto as OnnxTensorProto} from './io/onnx/protos';
export {findTorchGrus} from './discovery/findTorchGrus';
// Tensors under other names: key maps, NumPy .npz files, GRU-shaped tensors (browser-safe).
export {applyKeyMap, KeyMap, KeyMapEntry, KeyMapError, parseKeyMap} from './io/keyMap';
export {renameSource} from './io/renamedSource';
export {NpzError, NpzErrorCode, NpzFile, readNpz} from './io/npz';
export {gruShapedTensors, suggestTorchKeyMap} from './discovery/gruShapedTensors';
export {findOnnxGrus} from './discovery/findOnnxGrus';
export type {OnnxDiscovery} from './discovery/findOnnxGrus';
export {formatSourceReport, inspectSource} from './discovery/inspectSource';
export type {SourceInspectReport} from './discovery/inspectSource';
export {ReverseTime, reverseTime} from './layers/reverseTime';
export type {OnnxGruWeights} from './weights/onnxLayout';
// Any model file's tensors, and the errors every reader and the converter throw.
export type {SourceVariable, TensorSource} from './io/tensorSource';
export {ConversionError, ConversionErrorCode, ModelFileError} from './io/modelFileError';
export {DEFAULT_READ_LIMITS, ReadLimits, readLimits} from './io/limits';
export type {ConvertedLayer, ConvertedModel, ModelCheck} from './gruStackModel/toLayersModel';
export {
  explainGru, explicitBlocks, ExplainGruOptions, GruExplanation, LayoutView, TensorView, BlockView, AxisSegment,
  ResolvedSlice, WeightStats, NoEquivalent, RecombinationCheck,
} from './explain/explainGru';
export {ExplainLayoutName, EXPLAIN_LAYOUT_NAMES, TensorSlice} from './explain/layoutMaps';
export {explainModelJson, findModelGrus, KerasModelLayout, ModelExplanation, ModelGru} from './explain/modelJson';
export {formatGruExplanation} from './explain/format';
export {renderExplanationSvg, GATE_COLORS} from './explain/svg';
export {InitializerLike, RegularizerLike, ConstraintLike, SerializedObject} from './layers/serializables';
export {fromPytorchGru, FromPytorchGruOptions, PytorchGru, PytorchGruResult, PytorchGruRunOptions} from './layers/fromPytorchGru';
export {FastOrthogonal, FastOrthogonalArgs, fastOrthogonal} from './layers/fastOrthogonal';
// Fixture sources for verifyFixtures; one case's tensors (caseTensor, loadCaseFrom, …) are in tfjs-gru/testing.
export {FixtureSource, FetchFixturesOptions, FetchedFile, fetchFixtures, fixturesFromBytes} from './fixtures/fixtureSet';
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
export {buildKerasModel, disposeModelFully} from './kerasModel/topology/buildModel';
export type {BuiltKerasModel} from './kerasModel/topology/buildModel';
export {translateKerasConfig} from './kerasModel/topology/translate';
export type {RefusedLayer, TranslatedLayer, TranslatedModel, Translation} from './kerasModel/topology/translate';
export type {Json} from './kerasModel/topology/serialized';
export type {LayerCheckReport} from './kerasModel/topology/selfCheck';
export {CausalConv1D} from './layers/causalConv1d';
export type {CausalConv1DArgs} from './layers/causalConv1d';
export type {KerasConversionDescription, KerasConversionInfo, KerasConvertedModel, KerasToLayersModelOptions, LeftOutLayer} from './kerasModel/toLayersModel';
export {inspectKerasFile, formatKerasInspectReport} from './kerasModel/inspect';
export type {KerasInspectReport} from './kerasModel/inspect';
export {KerasCudnnGruWeights} from './weights/kerasCudnnLayout';
// Whole ONNX graphs as tfjs GraphModels (importing the root registers the op executors: onnxGraph/registry).
export {formatOnnxRefusals, onnxToGraphModel, unsupportedOnnxParts} from './onnxGraph/toGraphModel';
export type {GraphTensorInfo, OnnxGraphConversion, OnnxGraphRefusals, TfDtype} from './onnxGraph/toGraphModel';
export {quantizeWeights, QUANTIZE_MODES} from './io/quantizeWeights';
export type {QuantizeMode} from './io/quantizeWeights';
export {onnxGraphNames, runOnnxGraph} from './onnxGraph/run';
export {registerOnnxOps, SUPPORTED_ONNX_OPS} from './onnxGraph/registry';
