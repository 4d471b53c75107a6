/**
 * Which processes the distributed platform runs: one per service (payments included, it has no
 * routes but consumes events), more for a service given `--instances <service>=<n>`, and the
 * gateway last, in front of them. Pure: ports are handed in.
 */

/** Services that hold no HTTP routes the gateway forwards to, but must run. */
const consumerOnly = new Set(["payments"]);

export interface PlannedProcess {
  /** `inventory`, or `inventory-2` for a second instance. */
  name: string;
  service: string;
  port: number;
}

export interface Topology {
  services: PlannedProcess[];
  gateway: PlannedProcess;
}

/** The most instances of one service this command starts on one machine. */
export const maxInstances = 8;

/** Reads `inventory=2` entries into counts per service, naming every problem at once. */
export function parseInstances(
  entries: string[],
  services: readonly string[],
): { counts: Map<string, number>; problems: string[] } {
  const counts = new Map<string, number>();
  const problems: string[] = [];
  for (const entry of entries.flatMap((value) => value.split(",")).map((value) => value.trim())) {
    if (entry === "") continue;
    const match = /^([a-z-]+)=(\d+)$/.exec(entry);
    if (!match) {
      problems.push(`--instances ${JSON.stringify(entry)} must be <service>=<count>, like inventory=2`);
      continue;
    }
    const [, service = "", count = ""] = match;
    if (service === "gateway" || !services.includes(service)) {
      const scalable = services.filter((name) => name !== "gateway").join(", ");
      problems.push(`--instances names ${JSON.stringify(service)}; services that scale are ${scalable}`);
      continue;
    }
    const instances = Number(count);
    if (instances < 1 || instances > maxInstances) {
      problems.push(`--instances ${service}=${count} must be between 1 and ${maxInstances}`);
      continue;
    }
    counts.set(service, instances);
  }
  return { counts, problems };
}

/** The processes to run, each service's instances on the ports given in order. */
export function planTopology(
  services: readonly string[],
  counts: ReadonlyMap<string, number>,
  gatewayPort: number,
  nextPort: () => number,
): Topology {
  const planned: PlannedProcess[] = [];
  for (const service of services) {
    if (service === "gateway") continue;
    const instances = counts.get(service) ?? 1;
    for (let instance = 1; instance <= instances; instance += 1) {
      planned.push({ name: instance === 1 ? service : `${service}-${instance}`, service, port: nextPort() });
    }
  }
  return { services: planned, gateway: { name: "gateway", service: "gateway", port: gatewayPort } };
}

/** How many processes run `service`. */
export function instancesOf(topology: Topology, service: string): number {
  return topology.services.filter((planned) => planned.service === service).length;
}

/** `MERCATO_SERVICE_URLS` for the gateway: every instance of each routed service, `|`-separated. */
export function serviceUrlsOf(topology: Topology): string {
  const byService = new Map<string, string[]>();
  for (const planned of topology.services) {
    if (consumerOnly.has(planned.service)) continue;
    const urls = byService.get(planned.service) ?? [];
    urls.push(urlOf(planned));
    byService.set(planned.service, urls);
  }
  return [...byService].map(([service, urls]) => `${service}=${urls.join("|")}`).join(",");
}

export function urlOf(planned: PlannedProcess): string {
  return `http://127.0.0.1:${planned.port}`;
}

/** The first instance of a service, the one other services are pointed at. */
export function firstOf(topology: Topology, service: string): PlannedProcess {
  const found = topology.services.find((planned) => planned.service === service);
  if (!found) throw new Error(`The topology has no ${service}`);
  return found;
}
