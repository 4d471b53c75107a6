import { type BlobStore, type BlobStoreConfig, createBlobStore, type StoredBlob } from "@mercato/platform";

function imageKey(productId: string, imageId: string): string {
  return `products/${productId}/${imageId}`;
}

/** A product's images as files in the blob store, keyed by product and image id. */
export class ProductImages {
  constructor(private readonly blobs: BlobStore) {}

  put(productId: string, imageId: string, bytes: Uint8Array, contentType: string): Promise<void> {
    return this.blobs.put(imageKey(productId, imageId), bytes, contentType);
  }

  get(productId: string, imageId: string): Promise<StoredBlob | undefined> {
    return this.blobs.get(imageKey(productId, imageId));
  }

  delete(productId: string, imageId: string): Promise<void> {
    return this.blobs.delete(imageKey(productId, imageId));
  }
}

/** The images in the blob store the configuration names (the data directory by default). */
export async function openProductImages(config: BlobStoreConfig): Promise<ProductImages> {
  return new ProductImages(await createBlobStore(config));
}
