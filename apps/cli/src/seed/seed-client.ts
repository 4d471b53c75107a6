import type { Host } from "@mercato/platform";

/**
 * Requests into the running server without a network hop. They come from their own address, so
 * that the load does not use up the rate-limit quota of the people on 127.0.0.1.
 */
export class SeedClient {
  token: string | undefined;

  constructor(private readonly host: Host) {}

  async call<T = unknown>(
    method: "GET" | "POST" | "PUT",
    url: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const response = await this.host.app.inject({
      method,
      url,
      remoteAddress: "demo-seed",
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { "content-type": contentType }),
      },
      ...(body === undefined ? {} : { payload: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });
    if (response.statusCode >= 300) {
      throw new Error(`Demo seed: ${method} ${url} answered ${response.statusCode}: ${response.body}`);
    }
    return (response.body ? response.json() : undefined) as T;
  }
}
