import { createLogger, type Logger } from "../log.ts";

export interface LogCapture {
  /** The production logger (same redaction and serializers), writing into memory. */
  logger: Logger;
  /** Every line written so far, as written. */
  text(): string;
}

/**
 * A logger at `trace` by default, so that a test sees every line any level would write. Writes are
 * synchronous: a line is in `text()` as soon as the call that logged it returns.
 */
export function captureLogs(level = "trace"): LogCapture {
  const chunks: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => chunks.push(line) } });
  return { logger, text: () => chunks.join("") };
}

/** Shapes that are secret wherever they appear: a stored password hash, a JWT, a payment token. */
const secretShapes: { name: string; pattern: RegExp }[] = [
  { name: "scrypt password hash", pattern: /scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+/ },
  { name: "JWT", pattern: /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*/ },
  { name: "payment token", pattern: /\btok_[A-Za-z0-9_]+/ },
];

/**
 * What of `text` should never have been written: each secret shape found, and each of `known`
 * (passwords, refresh tokens, emails the test used) that appears verbatim. Empty when clean.
 */
export function secretsIn(text: string, known: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const { name, pattern } of secretShapes) {
    const match = pattern.exec(text);
    if (match) found.push(`${name}: ${match[0].slice(0, 24)}…`);
  }
  for (const value of known) {
    if (value.length > 0 && text.includes(value)) found.push(`known secret: ${value.slice(0, 6)}…`);
  }
  return found;
}
