/**
 * Forward decay (Cormode, Shkapenyuk, Srivastava and Xu, "Forward Decay", ICDE 2009): evidence
 * seen at time t is stored with the weight 2^((t - epoch) / half-life) instead of 1. Sums of such
 * weights keep their order as time passes, so a row is only ever added to, never rewritten to
 * age it, and dividing by the weight of "now" gives today's decayed count: evidence of one
 * half-life ago counts 0.5, of two half-lives 0.25.
 *
 * The weights grow with time: a double holds them for about 1,000 half-lives after the epoch
 * (with the 7-day minimum half-life, until 2044; with the 14-day default, until 2064).
 */
export const decayEpochMs = Date.UTC(2025, 0, 1);

export function decayWeight(at: Date | number, halfLifeMs: number): number {
  const ms = typeof at === "number" ? at : at.getTime();
  return 2 ** ((ms - decayEpochMs) / halfLifeMs);
}

/** A stored (forward-decayed) sum as today's decayed count, rounded to three decimals. */
export function decayedAt(stored: number, at: Date | number, halfLifeMs: number): number {
  return Math.round((stored / decayWeight(at, halfLifeMs)) * 1000) / 1000;
}
