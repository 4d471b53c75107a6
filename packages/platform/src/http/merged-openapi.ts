import type { PeerProcesses } from "./peer-processes.ts";

type Section = Record<string, unknown>;

interface OpenApiDocument {
  paths?: Section;
  tags?: { name: string }[];
  components?: object;
}

/** Entries of `extra` whose keys `base` lacks, added after base's own. */
function withMissing(base: Section | undefined, extra: Section | undefined): Section {
  return { ...extra, ...base };
}

/**
 * One OpenAPI document for a distributed deployment: this process's, with every peer's paths,
 * tags and components added (a component two services both define, such as Problem, is the same
 * schema, and the one already there is kept). Peers that do not answer are named in
 * `x-mercato-unavailable`, so that a reader can tell a partial document from a whole one.
 */
export async function mergedOpenApi<Document extends OpenApiDocument>(
  local: Document,
  peers: PeerProcesses,
): Promise<Document> {
  const { answers, unavailable } = await peers.gather<OpenApiDocument>("/openapi.json", undefined);
  let paths = local.paths ?? {};
  const tags = [...(local.tags ?? [])];
  const components: Record<string, Section> = { ...(local.components as Record<string, Section>) };
  for (const peer of answers) {
    paths = withMissing(paths, peer.paths);
    for (const tag of peer.tags ?? []) if (!tags.some((known) => known.name === tag.name)) tags.push(tag);
    for (const [kind, entries] of Object.entries(peer.components ?? {})) {
      components[kind] = withMissing(components[kind], entries as Section);
    }
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    ...local,
    tags,
    paths: sortedPaths,
    components,
    ...(unavailable.length > 0 ? { "x-mercato-unavailable": unavailable } : {}),
  };
}
