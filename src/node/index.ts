// `tfjs-gru/node`: everything of the package root, plus what needs Node: tfjs-node
// loading and the native GRU kernel (selectBackend), setup-node, and readers and
// writers of files. Rule: Node-only exports (anything that reaches fs, path, os,
// child_process or tfjs-node) go here, one flat export line per module; the
// package root (src/index.ts) never imports this file.
export * from '../index';
export {NODE_BACKEND_NAMES, parseBackendName, selectBackend} from './backend';
export {setupNode, SetupNodeError, SetupNodeOptions, SetupNodeResult} from './setupNode';
export type {NativeKernelBuild} from './buildNativeKernel';
export {loadNativeKernel, NATIVE_ADDON_PATH} from './nativeKernel';
export {checkShardsExist, readCheckpoint, resolveCheckpointPrefix} from './readCheckpoint';
export {readNpzFile} from './formats/npz';
export {convertModelFileToDir, ConvertModelFileOptions, ConvertModelFileResult} from './convertModelFile';
export {convertOnnxGraphToDir, loadGraphModelFromDir, saveGraphModelToDir} from './convertOnnxGraph';
export type {ConvertOnnxGraphOptions, OnnxGraphCheck, OnnxGraphConvertResult} from './convertOnnxGraph';
export {formatOf, InspectOutput, MODEL_FILE_FORMATS, ModelFileFormat, OpenedModelFile, openModelFile, OpenModelFileOptions} from './modelFormats';
export type {FormatConversion} from './modelFormats';
export {dirLoadHandler, loadLayersModelFromDir, saveLayersModelToDir, WEIGHTS_FILE} from './layersModelFiles';
export {AtomicOutputOptions, checkOutput, makeDirs, OUTPUT_LOCK, writeOutputAtomically} from './atomicOutput';
export {FileSystemError, FileSystemErrorCode, fsFailure} from './fileErrors';
export {isRegularFile, limitsFromEnv, readRegularFile, readRegularTextFile, statRegularFile} from './safeRead';
export {InputFileError, ModelJsonFiles, readModelJson} from './readModelJson';
export {defaultFixturesDir, fixturesFromDir} from './fixturesDir';
export {verify, VerifyOptions} from './verify';
