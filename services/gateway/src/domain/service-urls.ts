import { type RoutedService, routedServices } from "./routes-table.ts";

/**
 * Where each service runs when it is in other processes: the origins of its instances, e.g.
 * http://127.0.0.1:8082; requests take turns between them.
 */
export type ServiceUrls = ReadonlyMap<RoutedService, readonly string[]>;

function isRoutedService(name: string): name is RoutedService {
  return (routedServices as readonly string[]).includes(name);
}

/** The origin of an http(s) URL without path, query or credentials; undefined for anything else. */
function originOf(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username || url.password || url.search || url.hash || url.pathname !== "/") return undefined;
  return url.origin;
}

/**
 * Reads `identity=http://127.0.0.1:8081,catalog=http://127.0.0.1:8082|http://127.0.0.1:8092`:
 * comma-separated `<service>=<origin>` entries, several instances' origins joined by `|`, spaces
 * around them allowed. Every problem is listed, each one naming
 * the entry it is about, so that a typo is found in one attempt.
 */
export function parseServiceUrls(value: string): { urls: ServiceUrls; problems: string[] } {
  const urls = new Map<RoutedService, string[]>();
  const problems: string[] = [];
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) problems.push("must list at least one <service>=<url>");
  for (const entry of entries) {
    const equals = entry.indexOf("=");
    if (equals === -1) {
      problems.push(
        `entry ${JSON.stringify(entry)} must be <service>=<url>, like catalog=http://127.0.0.1:8082`,
      );
      continue;
    }
    const name = entry.slice(0, equals).trim();
    const origins = entry
      .slice(equals + 1)
      .split("|")
      .map((url) => url.trim());
    if (!isRoutedService(name)) {
      problems.push(
        `names an unknown service ${JSON.stringify(name)}; services with routes are ${routedServices.join(", ")}`,
      );
      continue;
    }
    if (urls.has(name)) {
      problems.push(`names ${name} twice`);
      continue;
    }
    const parsed = origins.map((url) => ({ url, origin: originOf(url) }));
    const wrong = parsed.filter(({ origin }) => origin === undefined);
    for (const { url } of wrong) {
      problems.push(
        `gives ${name} ${JSON.stringify(url)}, which is not an http or https origin like http://127.0.0.1:8082 (no path, query or credentials)`,
      );
    }
    if (wrong.length === 0)
      urls.set(
        name,
        parsed.map(({ origin }) => origin ?? ""),
      );
  }
  return { urls, problems };
}
