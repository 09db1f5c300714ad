export {looksLikeZip, NpzError, NpzErrorCode, NpzFile, readNpz} from './npzFile';
