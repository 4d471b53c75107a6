/**
 * RFC 3986 (6.2.2.2) makes `/%61pi` and `/api` the same URI: a percent-encoded unreserved character
 * means the character itself. The router decodes such escapes, so anything that reads the raw URL
 * (rate limits, the response cache, request logs, the gateway's forwarding) would see a different
 * path from the route that runs, which is how `/%61pi/auth/login` once escaped the login limit.
 * Decoding them before routing leaves one spelling of every path. Escapes of other characters
 * (`%2F`, `%20`) change meaning when decoded, so they stay, with their hex digits upper-cased;
 * a malformed escape stays too, and the router refuses it with a 400.
 */
export function normalizeUrlPath(url: string): string {
  const queryStart = url.indexOf("?");
  const pathEnd = queryStart === -1 ? url.length : queryStart;
  const percent = url.indexOf("%");
  if (percent === -1 || percent > pathEnd) return url;
  const path = url.slice(0, pathEnd).replace(/%([0-9A-Fa-f]{2})/g, (_escape, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return unreserved.test(character) ? character : `%${hex.toUpperCase()}`;
  });
  return path + url.slice(pathEnd);
}

const unreserved = /^[A-Za-z0-9._~-]$/;
