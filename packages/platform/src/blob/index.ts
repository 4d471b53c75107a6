export { InvalidBlobKeyError } from "./blob-key.ts";
export { type BlobStore, type BlobStoreConfig, createBlobStore, type StoredBlob } from "./blob-store.ts";
