import type { ServiceDefinition } from "@mercato/platform";

/** Every service the platform runs. Adding a service is one folder and one line here. */
// biome-ignore lint/suspicious/noExplicitAny: the host runs services of any database type.
export const allServices: ServiceDefinition<any>[] = [];
