import { createHash } from "node:crypto";

/** SQS: at most 80 characters, `.fifo` included; the DLQ adds `_dlq`. */
const SQS_NAME_LENGTH = 80;
const FIFO_SUFFIX = ".fifo";
const DLQ_SUFFIX = "_dlq";
/** EventBridge rule names: at most 64 characters. */
const RULE_NAME_LENGTH = 64;
/** The same bound as MERCATO_BUS_PREFIX, and no `_`, so the first `_` of a name ends the prefix. */
const PREFIX = /^[A-Za-z0-9-]{1,31}$/;
const SAFE = /[A-Za-z0-9-]/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** EventBridge event bus names (a partner bus has `/` in its name). */
const BUS_NAME = /^[A-Za-z0-9._\-/]{1,256}$/;
const HASH_LENGTH = 16;

/**
 * Letters, digits and `-` stay; every other character becomes `_` and its UTF-8 bytes in hex, so
 * distinct Mercato names never share a token. A token never holds `_` followed by a non-hex letter,
 * which leaves `_dlq` and `_h<hash>` free for the suffixes below.
 */
function nameToken(name: string): string {
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

function checkPrefix(prefix: string): void {
  if (!PREFIX.test(prefix)) {
    throw new Error(`Invalid bus prefix "${prefix}": use 1 to 31 letters, digits and "-"`);
  }
}

/** `<prefix>_<token>`, or, when longer than `max`, its start and `_h` + a hash of all of it. */
function boundedName(prefix: string, name: string, max: number, what: string): string {
  checkPrefix(prefix);
  if (name === "") throw new Error(`A ${what} name must not be empty`);
  const full = `${prefix}_${nameToken(name)}`;
  if (full.length <= max) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, HASH_LENGTH);
  return `${full.slice(0, max - HASH_LENGTH - 2)}_h${hash}`;
}

/** The SQS names of a Mercato queue and of its DLQ (FIFO queues end in `.fifo`, as SQS requires). */
export function awsQueueNames(prefix: string, queue: string, fifo: boolean): { queue: string; dlq: string } {
  const suffix = fifo ? FIFO_SUFFIX : "";
  const base = boundedName(prefix, queue, SQS_NAME_LENGTH - DLQ_SUFFIX.length - FIFO_SUFFIX.length, "queue");
  return { queue: `${base}${suffix}`, dlq: `${base}${DLQ_SUFFIX}${suffix}` };
}

/** The EventBridge name of a Mercato rule. */
export function awsRuleName(prefix: string, rule: string): string {
  return boundedName(prefix, rule, RULE_NAME_LENGTH, "rule");
}

/** The part every rule name of a prefix starts with, for ListRules' NamePrefix. */
export function awsRuleNamePrefix(prefix: string): string {
  checkPrefix(prefix);
  return `${prefix}_`;
}

/** `aws://<region>/<bus-name>`, for example `aws://eu-west-1/mercato`. */
export function parseAwsBusUrl(url: string): { region: string; busName: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid AWS bus URL "${url}": use aws://<region>/<bus-name>`);
  }
  if (parsed.protocol !== "aws:") {
    throw new Error(`Invalid AWS bus URL "${url}": the scheme must be aws://`);
  }
  if (parsed.username || parsed.password || parsed.port || parsed.search || parsed.hash) {
    throw new Error(`Invalid AWS bus URL "${url}": use aws://<region>/<bus-name>, nothing more`);
  }
  const region = parsed.hostname;
  if (!REGION.test(region)) {
    throw new Error(`Invalid AWS bus URL "${url}": "${region}" is not an AWS region such as eu-west-1`);
  }
  const busName = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!BUS_NAME.test(busName)) {
    throw new Error(
      `Invalid AWS bus URL "${url}": the bus name must be 1 to 256 letters, digits and . _ - /`,
    );
  }
  return { region, busName };
}
