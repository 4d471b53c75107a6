/** A cached answer: the serialized body and the headers a client needs to use it. */
export interface CachedResponse {
  /** Bytes when a service in another process answered (forwarded bodies are streams of bytes). */
  body: string | Buffer;
  contentType: string;
}

/**
 * Anonymous catalog reads, kept for a short time and dropped as a whole when the catalog changes.
 * Dropping everything rather than the changed product keeps invalidation trivially correct: a
 * price change touches the product, every search result and category list that shows it.
 * Least recently used entries go first when full.
 */
export class ResponseCache {
  private readonly entries = new Map<string, { response: CachedResponse; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.response;
  }

  set(key: string, response: CachedResponse): void {
    this.entries.delete(key);
    this.entries.set(key, { response, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Catalog reads that look the same to every anonymous client. */
const cacheablePath = /^\/api\/(products(\/[0-9a-zA-Z-]+)?|categories)$/;

export function isCacheableRead(method: string, url: string, hasAuthorization: boolean): boolean {
  if (method !== "GET" || hasAuthorization) return false;
  const queryStart = url.indexOf("?");
  return cacheablePath.test(queryStart === -1 ? url : url.slice(0, queryStart));
}
