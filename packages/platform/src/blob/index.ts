export { InvalidContentTypeError } from "./blob-content-type.ts";
export { InvalidBlobKeyError } from "./blob-key.ts";
export { type BlobStore, type BlobStoreConfig, createBlobStore, type StoredBlob } from "./blob-store.ts";
export { InvalidBlobUrlError, parseBlobUrl, type S3Location } from "./s3-blob-url.ts";
