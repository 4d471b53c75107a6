/** FIFO queues spread their message groups over this many partition subjects, one consumer each. */
export const FIFO_PARTITIONS = 16;

const PREFIX = /^[A-Za-z0-9-]+$/;
const SAFE = /[A-Za-z0-9-]/;

/**
 * Encodes a queue or rule name into a token that is valid in stream, consumer and bucket names, KV
 * keys and subjects: letters, digits and `-` stay, every other character becomes `_` and its UTF-8
 * bytes in hex, so distinct names never share a token.
 */
export function nameToken(name: string): string {
  let token = "";
  for (const char of name) {
    if (SAFE.test(char)) {
      token += char;
    } else {
      for (const byte of Buffer.from(char, "utf8")) token += `_${byte.toString(16).padStart(2, "0")}`;
    }
  }
  return token;
}

/** Every JetStream name the transport uses under one prefix, so that prefixes never collide. */
export interface NatsNames {
  readonly prefix: string;
  /** KV bucket holding rules (`rule.<token>`) and queue configs (`queue.<token>`). */
  readonly controlBucket: string;
  /** KV bucket holding the failed attempts of messages still in their queue. */
  readonly attemptsBucket: string;
  ruleKey(rule: string): string;
  queueKey(queue: string): string;
  queueStream(queue: string): string;
  /** Every subject of a queue's stream. */
  queueSubjects(queue: string): string;
  /** The subject of a standard queue's messages, or of one FIFO partition. */
  queueSubject(queue: string, partition?: number): string;
  /** The durable consumer of a standard queue, or of one FIFO partition. */
  consumerName(partition?: number): string;
  dlqStream(queue: string): string;
  dlqSubject(queue: string): string;
  /** Every queue stream of this prefix starts with it (advisories name the stream). */
  readonly queueStreamPrefix: string;
  attemptsKey(queue: string, streamSequence: number): string;
  /** A KV filter for the attempts keys of every message of a queue. */
  attemptsKeys(queue: string): string;
}

export function natsNames(prefix: string): NatsNames {
  if (!PREFIX.test(prefix)) {
    throw new Error(`Invalid NATS prefix "${prefix}": use letters, digits and "-" only`);
  }
  return {
    prefix,
    controlBucket: `${prefix}_rules`,
    attemptsBucket: `${prefix}_attempts`,
    ruleKey: (rule) => `rule.${nameToken(rule)}`,
    queueKey: (queue) => `queue.${nameToken(queue)}`,
    queueStream: (queue) => `${prefix}_q_${nameToken(queue)}`,
    queueSubjects: (queue) => `${prefix}.q.${nameToken(queue)}.>`,
    queueSubject: (queue, partition) =>
      `${prefix}.q.${nameToken(queue)}.${partition === undefined ? "m" : `p${partition}`}`,
    consumerName: (partition) => (partition === undefined ? "worker" : `p${partition}`),
    dlqStream: (queue) => `${prefix}_dlq_${nameToken(queue)}`,
    dlqSubject: (queue) => `${prefix}.dlq.${nameToken(queue)}`,
    queueStreamPrefix: `${prefix}_q_`,
    attemptsKey: (queue, streamSequence) => `${nameToken(queue)}.${streamSequence}`,
    attemptsKeys: (queue) => `${nameToken(queue)}.>`,
  };
}

/** The consumers (and so the partitions) of a queue: one for a standard queue, one per partition for FIFO. */
export function partitionsOf(fifo: boolean): (number | undefined)[] {
  return fifo ? Array.from({ length: FIFO_PARTITIONS }, (_, k) => k) : [undefined];
}

/** FNV-1a: a stable, well spread hash so a group always maps to the same partition. */
export function partitionOf(groupId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < groupId.length; i++) {
    hash ^= groupId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % FIFO_PARTITIONS;
}
