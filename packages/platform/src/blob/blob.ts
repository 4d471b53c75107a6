export interface StoredBlob {
  bytes: Buffer;
  contentType: string;
}

/** Files by key: local files in the data directory, or objects in S3 (architecture.md, principle 6). */
export interface BlobStore {
  /** Stores (or replaces) the blob; resolves once it is durable. */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredBlob | undefined>;
  /** Removes the blob; a missing one is not an error. */
  delete(key: string): Promise<void>;
}
