import type { JetStreamManager } from "@nats-io/jetstream";
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/transport-node";
import type { Logger } from "../../log.ts";
import { RuleSet } from "../patterns/index.ts";
import type { QueueConfig, Rule } from "../transport.ts";
import type { NatsNames } from "./names.ts";

const SYNC_TIMEOUT_MS = 10_000;

/**
 * Rules and queue configs, kept in one KV bucket and watched by every process, so a publisher routes
 * to queues that services declared in other processes. One bucket, one watcher: a queue declared
 * before its rule is always known by the time the rule is.
 */
export class ControlPlane {
  readonly rules = new RuleSet<string>();
  readonly ruleDefinitions = new Map<string, Rule>();
  readonly queues = new Map<string, QueueConfig>();
  /** KV key -> name, because a delete entry carries only the key. */
  readonly #namesByKey = new Map<string, string>();
  #revision = 0;
  #waiters: { revision: number; resolve: () => void }[] = [];
  #watching: Promise<void> = Promise.resolve();

  private constructor(
    private readonly kv: KV,
    private readonly names: NatsNames,
    private readonly logger: Logger,
    private readonly watcher: QueuedIterator<KvWatchEntry>,
  ) {}

  static async open(jsm: JetStreamManager, kv: KV, names: NatsNames, logger: Logger): Promise<ControlPlane> {
    const watcher = await kv.watch();
    const plane = new ControlPlane(kv, names, logger, watcher);
    plane.#watching = plane.#watch();
    const state = (await jsm.streams.info(`KV_${names.controlBucket}`)).state;
    if (state.messages > 0) await plane.#reached(state.last_seq);
    return plane;
  }

  async putQueue(config: QueueConfig): Promise<void> {
    await this.#reached(await this.kv.put(this.names.queueKey(config.name), JSON.stringify(config)));
  }

  async putRule(rule: Rule): Promise<void> {
    await this.#reached(await this.kv.put(this.names.ruleKey(rule.name), JSON.stringify(rule)));
  }

  deleteRule(name: string): Promise<void> {
    return this.#delete(this.names.ruleKey(name));
  }

  deleteQueue(name: string): Promise<void> {
    return this.#delete(this.names.queueKey(name));
  }

  async #delete(key: string): Promise<void> {
    await this.kv.delete(key);
    // A delete returns no revision; the bucket's last sequence is at or after it.
    const status = await this.kv.status();
    await this.#reached(status.streamInfo.state.last_seq);
  }

  async close(): Promise<void> {
    this.watcher.stop();
    await this.#watching;
  }

  async #watch(): Promise<void> {
    try {
      for await (const entry of this.watcher) {
        this.#apply(entry);
        this.#revision = Math.max(this.#revision, entry.revision);
        this.#waiters = this.#waiters.filter((waiter) => {
          if (waiter.revision > this.#revision) return true;
          waiter.resolve();
          return false;
        });
      }
    } catch (error) {
      this.logger.error({ err: error }, "bus rules watcher stopped");
    }
  }

  #apply(entry: KvWatchEntry): void {
    if (entry.operation === "PUT") {
      try {
        const value = entry.json<Rule | QueueConfig>();
        if (entry.key.startsWith("rule.")) this.#setRule(value as Rule);
        else this.queues.set(value.name, value as QueueConfig);
        this.#namesByKey.set(entry.key, value.name);
      } catch (error) {
        this.logger.error({ err: error, key: entry.key }, "ignoring an unreadable bus rule or queue entry");
      }
      return;
    }
    const name = this.#namesByKey.get(entry.key);
    if (name === undefined) return;
    this.#namesByKey.delete(entry.key);
    if (entry.key.startsWith("rule.")) {
      this.rules.remove(name);
      this.ruleDefinitions.delete(name);
    } else {
      this.queues.delete(name);
    }
  }

  #setRule(rule: Rule): void {
    this.rules.add(rule.name, rule.eventPattern, rule.queue);
    this.ruleDefinitions.set(rule.name, rule);
  }

  /** Resolves once this process's view includes the bucket's write at `revision`. */
  #reached(revision: number): Promise<void> {
    if (revision <= this.#revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { revision, resolve: () => {} };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`bus rules did not sync to revision ${revision} within ${SYNC_TIMEOUT_MS} ms`));
      }, SYNC_TIMEOUT_MS);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(waiter);
    });
  }
}
