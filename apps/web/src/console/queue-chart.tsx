import { useState } from "preact/hooks";
import type { components } from "../api/openapi-types.ts";

type QueueStats = components["schemas"]["QueueStats"];

interface Sample {
  at: number;
  depth: number;
  processed: number;
}

/** Two minutes of readings at one every two seconds. */
const kept = 60;

/**
 * Every queue's readings since the page was opened. Module state rather than component state, so
 * that going to another console screen and back keeps the history (it is gone on a reload).
 */
const history = new Map<string, Sample[]>();
let lastRecorded: QueueStats[] | undefined;

/** Adds a reading of every queue, once per answer of GET /api/ops/queues. */
export function recordQueues(items: QueueStats[], at = Date.now()): void {
  if (items === lastRecorded) return;
  lastRecorded = items;
  for (const queue of items) {
    const samples = history.get(queue.name) ?? [];
    samples.push({ at, depth: queue.depth, processed: queue.processed });
    if (samples.length > kept) samples.shift();
    history.set(queue.name, samples);
  }
}

interface Point {
  at: number;
  value: number;
}

/**
 * Processed per second between consecutive readings. A counter that went down (the server
 * restarted) counts as zero for that interval rather than a negative rate.
 */
function throughput(samples: Sample[]): Point[] {
  return samples.slice(1).map((sample, index) => {
    const previous = samples[index] as Sample;
    const seconds = (sample.at - previous.at) / 1000;
    const processed = Math.max(0, sample.processed - previous.processed);
    return { at: sample.at, value: seconds > 0 ? processed / seconds : 0 };
  });
}

const width = 320;
const left = 8;
const right = 312;
const panel = 50;

/** A polyline of `points` in a panel whose bottom is at `bottom`, scaled to `max` (at least 1). */
function line(points: Point[], from: number, to: number, bottom: number, max: number): string {
  const span = Math.max(1, to - from);
  return points
    .map((point) => {
      const x = left + ((point.at - from) / span) * (right - left);
      const y = bottom - (point.value / max) * panel;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}

const rate = (value: number) => (value >= 10 ? value.toFixed(0) : value.toFixed(1));

/** Depth and processed per second of one queue over time, drawn as two small panels. */
function Chart({ name, samples }: { name: string; samples: Sample[] }) {
  const depth = samples.map((sample) => ({ at: sample.at, value: sample.depth }));
  const rates = throughput(samples);
  const from = samples[0]?.at ?? 0;
  const to = samples.at(-1)?.at ?? 0;
  const maxDepth = Math.max(1, ...depth.map((point) => point.value));
  const maxRate = Math.max(1, ...rates.map((point) => point.value));
  const seconds = Math.round((to - from) / 1000);
  const summary =
    samples.length < 2
      ? `${name}: one reading so far (depth ${depth[0]?.value ?? 0}); throughput needs a second reading.`
      : `${name} over the last ${seconds} s (${samples.length} readings): depth ${depth.at(-1)?.value} now, ` +
        `highest ${Math.max(...depth.map((point) => point.value))}; ` +
        `${rate(rates.at(-1)?.value ?? 0)} processed per second now, ` +
        `highest ${rate(Math.max(...rates.map((point) => point.value)))}.`;
  return (
    <figure class="queue-chart">
      <svg viewBox={`0 0 ${width} 150`} role="img" aria-labelledby="queue-chart-title queue-chart-desc">
        <title id="queue-chart-title">Depth and throughput of {name}</title>
        <desc id="queue-chart-desc">{summary}</desc>
        <text x={left} y="12" class="axis">
          Depth (0 to {maxDepth})
        </text>
        <line x1={left} x2={right} y1="65" y2="65" class="base" />
        <polyline points={line(depth, from, to, 65, maxDepth)} class="depth" />
        <text x={left} y="88" class="axis">
          Processed per second (0 to {rate(maxRate)})
        </text>
        <line x1={left} x2={right} y1="142" y2="142" class="base" />
        <polyline points={line(rates, from, to, 142, maxRate)} class="rate" />
      </svg>
      <figcaption data-testid="queue-chart-summary">{summary}</figcaption>
    </figure>
  );
}

/** A chart of the chosen queue, from the readings recorded so far. */
export function QueueChart({ names }: { names: string[] }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const name = chosen && names.includes(chosen) ? chosen : names[0];
  if (!name) return null;
  return (
    <section aria-labelledby="queue-chart">
      <h3 id="queue-chart">Depth and throughput</h3>
      <p class="muted">Readings every two seconds since this page was opened, kept for two minutes.</p>
      <label>
        Queue to chart{" "}
        <select value={name} onChange={(event) => setChosen(event.currentTarget.value)}>
          {names.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </label>
      <Chart name={name} samples={history.get(name) ?? []} />
    </section>
  );
}
