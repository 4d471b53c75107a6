import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BlobStore, createBlobStore, InvalidBlobKeyError } from "./index.ts";

describe("file blob store", () => {
  let dataDir: string;
  let store: BlobStore;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-blobs-"));
    store = createBlobStore({ dataDir });
  });
  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("keeps bytes and content type under <dataDir>/blobs/, and replaces on put", async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    await store.put("products/p1/image-1", bytes, "image/png");
    expect(await store.get("products/p1/image-1")).toEqual({ bytes, contentType: "image/png" });
    expect(await fs.readFile(path.join(dataDir, "blobs", "products", "p1", "image-1"))).toEqual(bytes);

    await store.put("products/p1/image-1", Buffer.from("new"), "text/plain; charset=utf-8");
    expect(await store.get("products/p1/image-1")).toEqual({
      bytes: Buffer.from("new"),
      contentType: "text/plain; charset=utf-8",
    });
    const names = await fs.readdir(path.join(dataDir, "blobs", "products", "p1"));
    expect(names.filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("answers undefined for a missing key, also below an existing blob", async () => {
    expect(await store.get("nothing/here")).toBeUndefined();
    await store.put("leaf", Buffer.from("x"), "text/plain");
    expect(await store.get("leaf/below")).toBeUndefined();
  });

  it("deletes, and deleting a missing blob is not an error", async () => {
    await store.put("to-delete.bin", Buffer.from("bye"), "application/octet-stream");
    await store.delete("to-delete.bin");
    expect(await store.get("to-delete.bin")).toBeUndefined();
    await store.delete("to-delete.bin");
  });

  it.each([
    "",
    "../escape",
    "a/../../escape",
    "/absolute",
    "a//b",
    "a/",
    ".hidden",
    "a/.b.meta.json",
    "back\\slash",
    "nul\0byte",
    "spaces are not allowed",
    "x".repeat(513),
  ])("refuses the key %j", async (key) => {
    await expect(store.put(key, Buffer.from("x"), "text/plain")).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  it("refuses a content type that is not a media type", async () => {
    await expect(store.put("ok", Buffer.from("x"), "not a type")).rejects.toThrow(/not a media type/);
  });

  it("refuses BLOB_URL rather than silently keeping blobs on local disk", () => {
    expect(() => createBlobStore({ dataDir, blobUrl: "s3://bucket" })).toThrow(
      /S3 blob store is not available/,
    );
  });
});
