export type { BlobStore, StoredBlob } from "./blob.ts";
export { InvalidContentTypeError } from "./blob-content-type.ts";
export { InvalidBlobKeyError } from "./blob-key.ts";
export { type BlobStoreConfig, createBlobStore } from "./blob-store.ts";
export { InvalidBlobUrlError, parseBlobUrl, type S3Location } from "./s3-blob-url.ts";
