import { startTracing } from "@mercato/platform/tracing";

/**
 * Loaded before the command itself when an OTLP endpoint is set (apps/cli/bin/mercato.js; in
 * development `tsx --import ./apps/cli/src/tracing.ts apps/cli/src/main.ts start`): starts the
 * OpenTelemetry SDK for `mercato start [--service <name>]...`, named after the services it runs.
 * The supervisor of `start --distributed` does no work of its own to trace; its processes each
 * start their own SDK, the environment passed down to them.
 */
const [command, ...rest] = process.argv.slice(2);
if (command === "start" && !rest.some((arg) => arg === "-d" || arg === "--distributed")) {
  startTracing({ services: servicesNamed(rest) });
}

/** The names given with `--service`/`-s` (several may follow one flag, as commander reads them). */
function servicesNamed(args: string[]): string[] {
  const names: string[] = [];
  let inList = false;
  for (const arg of args) {
    if (arg.startsWith("--service=")) {
      names.push(arg.slice("--service=".length));
      inList = false;
    } else if (arg === "--service" || arg === "-s") {
      inList = true;
    } else if (arg.startsWith("-")) {
      inList = false;
    } else if (inList) {
      names.push(arg);
    }
  }
  return names;
}
