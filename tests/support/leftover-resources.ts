import { serverResources } from "@mercato/platform/testing";

/**
 * Vitest's global setup: names the PostgreSQL databases and NATS streams that appeared during the
 * run and are still there at its end. Each test drops what it creates (a prefix of its own, then
 * dropServiceDatabases and removeNatsResources); this only reports, so that a leak gets fixed. It
 * removes nothing: another run on the same servers at the same time may own what it names.
 */
export default async function leftoverResources(): Promise<() => Promise<void>> {
  const before = await serverResources();
  return async () => {
    const after = await serverResources();
    const databases = after.databases.filter((name) => !before.databases.includes(name));
    const streams = after.streams.filter((name) => !before.streams.includes(name));
    if (databases.length > 0)
      console.warn(`Tests left PostgreSQL databases (or another run made them): ${databases.join(", ")}`);
    if (streams.length > 0)
      console.warn(`Tests left NATS streams (or another run made them): ${streams.join(", ")}`);
  };
}
