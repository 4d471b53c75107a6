import type { Host } from "@mercato/platform";

export type SeedMethod = "GET" | "POST" | "PUT";

/** The public API as the demo load uses it: one call, JSON or bytes in, JSON out, non-2xx thrown. */
export interface SeedApi {
  token: string | undefined;
  call<T = unknown>(method: SeedMethod, url: string, body?: unknown, contentType?: string): Promise<T>;
}

function headersFor(token: string | undefined, body: unknown, contentType: string): Record<string, string> {
  return {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(body === undefined ? {} : { "content-type": contentType }),
  };
}

function failure(method: SeedMethod, url: string, status: number, body: string): Error {
  return new Error(`Demo seed: ${method} ${url} answered ${status}: ${body}`);
}

/**
 * Requests into the running server without a network hop. They come from their own address, so
 * that the load does not use up the rate-limit quota of the people on 127.0.0.1.
 */
export class InProcessSeedApi implements SeedApi {
  token: string | undefined;

  constructor(private readonly host: Host) {}

  async call<T = unknown>(
    method: SeedMethod,
    url: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const response = await this.host.app.inject({
      method,
      url,
      remoteAddress: "demo-seed",
      headers: headersFor(this.token, body, contentType),
      ...(body === undefined ? {} : { payload: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });
    if (response.statusCode >= 300) throw failure(method, url, response.statusCode, response.body);
    return (response.body ? response.json() : undefined) as T;
  }
}

/**
 * Requests straight to the services' own processes (distributed), each path to the service that
 * owns it, so that the load does not pass the gateway's rate limit meant for shoppers.
 */
export class HttpSeedApi implements SeedApi {
  token: string | undefined;

  /** `origins` by path prefix, e.g. `/api/products` → catalog's address. */
  constructor(private readonly origins: ReadonlyMap<string, string>) {}

  async call<T = unknown>(
    method: SeedMethod,
    url: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const response = await fetch(new URL(url, this.originOf(url)), {
      method,
      headers: headersFor(this.token, body, contentType),
      ...(body === undefined ? {} : { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw failure(method, url, response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private originOf(url: string): string {
    for (const [prefix, origin] of this.origins) if (url.startsWith(prefix)) return origin;
    throw new Error(`Demo seed: no service owns ${url}`);
  }
}
