// Chunker layer: content-defined chunking (FastCDC over a keyed gear table) that splits file content into blobs.
export {
  CHUNKER_LIMITS,
  chunkBuffer,
  type ChunkBuffers,
  type ChunkerOptions,
  chunkStream,
  FastCdc,
  validateChunkerOptions,
  WINDOW,
} from './fastcdc.js';
export { gearTable } from './gear.js';
