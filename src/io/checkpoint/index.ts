// TensorFlow checkpoints (V2 tensor bundles) from bytes; browser-safe.
export {Checkpoint, CheckpointBytes, ReadOptions, openCheckpoint, readCheckpointFromBytes} from './checkpoint';
export {CheckpointHeader, CheckpointTensor, CheckpointVariable, ShardSource, bytesShard, shardFileName,
        OBJECT_GRAPH_KEY} from './bundle';
export {CheckpointError, CheckpointErrorCode} from './errors';
export {CheckpointDtype} from './dtypes';
export {ObjectGraphVariable, ResolvedObjectGraph} from './objectGraph';
