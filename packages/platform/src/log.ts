import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";
import { serializeError } from "./log-safe-error.ts";
import { traceFields } from "./tracing/trace-context.ts";

export type { Logger };

/** Field names whose values never reach a log line. */
const redactedPaths = [
  "password",
  "*.password",
  "token",
  "*.token",
  "refreshToken",
  "*.refreshToken",
  "accessToken",
  "*.accessToken",
  "req.headers.authorization",
  "req.headers.cookie",
  "payment.token",
  "*.payment.token",
];

/**
 * JSON lines for machines; coloured one-line records when a person watches the terminal. The
 * pretty printer runs in this thread, synchronously, so that the last lines before an exit are
 * never lost.
 */
export function createLogger(
  options: { level?: string; name?: string; destination?: DestinationStream } = {},
): Logger {
  const destination =
    options.destination ??
    (process.stdout.isTTY
      ? pretty({ sync: true, singleLine: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,name" })
      : undefined);
  return pino(
    {
      name: options.name ?? "mercato",
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: redactedPaths, censor: "[redacted]" },
      // Database errors lose their parameters and quoted values before they are written.
      serializers: { err: serializeError, error: serializeError },
      base: { pid: process.pid },
      // trace_id and span_id of the active span, as OpenTelemetry names them for logs.
      mixin: traceFields,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that writes nothing, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
