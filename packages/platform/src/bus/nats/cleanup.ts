import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { natsNames } from "./names.ts";

/**
 * Deletes every stream and KV bucket of one prefix (queues, DLQs, rules, attempts): for tests and
 * benchmarks that run under a prefix of their own. Returns the names of the deleted streams.
 */
export async function removeNatsResources(options: { url: string; prefix: string }): Promise<string[]> {
  const { prefix } = natsNames(options.prefix);
  const nc = await connect({ servers: options.url });
  try {
    const jsm = await jetstreamManager(nc);
    const owned: string[] = [];
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${prefix}_`) || name.startsWith(`KV_${prefix}_`)) owned.push(name);
    }
    await Promise.all(owned.map((name) => jsm.streams.delete(name)));
    return owned;
  } finally {
    await nc.close();
  }
}
