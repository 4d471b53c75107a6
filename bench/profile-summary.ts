import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/**
 * `tsx bench/profile-summary.ts <dir> [top] [seconds]`: the V8 CPU profiles that `BENCH_PROFILE=<dir>`
 * makes the checkout benchmark write, summarised per process as self time by where the code lives (a
 * package, a Mercato folder, node internals, garbage collection) and the hottest functions. Flame
 * graphs show the same in more detail (open a .cpuprofile in Chrome's DevTools); this is the
 * table that goes into a note. With `seconds`, only the samples of the profile's last seconds
 * count: the measures, without the start-up and the loading of the shop before them.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package under node_modules, a folder of this repository, or V8's own. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/(packages|services|apps)\/([^/]+)\/src\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]}/${own[3]}`;
  return url;
}

/** Self time per place and per function, of the samples taken in the last `windowMs` of the profile. */
function selfTimes(profile: CpuProfile, windowMs: number) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  // Sample times are the profile's start plus the deltas up to them; count back from the end.
  const since = profile.endTime - windowMs * 1000;
  let at = profile.endTime - profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    at += micros;
    if (at < since || !node || node.callFrame.functionName === "(idle)") return;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(url, functionName);
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
    const name = `${functionName || "(anonymous)"} ${place}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  });
  return { total, byPlace, byFunction };
}

function top(entries: Map<string, number>, total: number, count: number): string[] {
  return [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `  ${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}

async function main(): Promise<void> {
  const [dir, count = "15", seconds] = process.argv.slice(2);
  if (!dir)
    throw new Error("usage: tsx bench/profile-summary.ts <dir with .cpuprofile files> [top] [seconds]");
  for (const file of (await readdir(dir)).filter((name) => name.endsWith(".cpuprofile")).sort()) {
    const profile = JSON.parse(await readFile(path.join(dir, file), "utf8")) as CpuProfile;
    const { total, byPlace, byFunction } = selfTimes(
      profile,
      seconds ? Number(seconds) * 1000 : Number.POSITIVE_INFINITY,
    );
    console.log(`\n${file}: ${(total / 1000).toFixed(0)} ms of CPU sampled (idle excluded)`);
    console.log(" by place:");
    console.log(top(byPlace, total, Number(count)).join("\n"));
    console.log(" by function:");
    console.log(top(byFunction, total, Number(count)).join("\n"));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
