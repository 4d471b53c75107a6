import type { Scalar } from "./matchers.ts";

/**
 * Where a value sits among the event's arrays of objects: pairs of (array, element index),
 * outermost first. Scalars directly inside an array keep their parent's trail, since only fields of
 * objects in different elements of one array can contradict each other.
 */
export type Trail = readonly unknown[];

/** Two values can be matched together unless they lie in different elements of one array. */
export function consistent(a: Trail, b: Trail): boolean {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 2) {
    if (a[i] !== b[i]) return true;
    if (a[i + 1] !== b[i + 1]) return false;
  }
  return true;
}

/** A field's leaf values in one event, in buffers reused from one match call to the next. */
export interface FieldValues {
  readonly values: Scalar[];
  /** Parallel to `values`; null for a value outside any array of objects. */
  readonly trails: (Trail | null)[];
  count: number;
  /** The match call these values were read for. */
  stamp: number;
}

interface FieldPath {
  readonly segments: readonly string[];
  /**
   * `joined[i][j]` is segments i..j joined with dots: EventBridge joins names with dots, so
   * `{"state.status": 1}` and `{"state": {"status": 1}}` are the same field.
   */
  readonly joined: readonly (readonly string[])[];
  /** Parallel to `joined`: keys an object can inherit (`constructor`), read only as own properties. */
  readonly inherited: readonly (readonly boolean[])[];
  readonly buffer: FieldValues;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const inheritable = (key: string) => key in Object.prototype;

/**
 * The field paths the rules read, each numbered by a slot, and the reading of those fields from
 * an event. Objects and arrays are crushed out: a field's values are the scalars found under its
 * path, through any arrays. A match call reads each field at most once, and only the fields its
 * walk through the rules reaches, so the cost of reading an event does not grow with the number
 * of fields all the rules mention.
 */
export class EventFields {
  readonly #slots = new Map<string, number>();
  readonly #paths: FieldPath[] = [];
  /** The event of the current match call; null when it is not a JSON object (no fields at all). */
  #event: Record<string, unknown> | null = null;
  #stamp = 0;

  slotOf(path: string): number {
    let slot = this.#slots.get(path);
    if (slot === undefined) {
      slot = this.#paths.length;
      this.#slots.set(path, slot);
      const segments = path.split(".");
      const joined = segments.map((_, from) =>
        segments.map((_, to) => segments.slice(from, to + 1).join(".")),
      );
      this.#paths.push({
        segments,
        joined,
        inherited: joined.map((keys) => keys.map(inheritable)),
        buffer: { values: [], trails: [], count: 0, stamp: 0 },
      });
    }
    return slot;
  }

  /** Starts a match call on `event`; values read for the previous call become stale. */
  reset(event: unknown): void {
    this.#event = isObject(event) ? event : null;
    this.#stamp++;
  }

  /** Releases the event once a match call is over. */
  clear(): void {
    this.#event = null;
  }

  read(slot: number): FieldValues {
    const path = this.#paths[slot] as FieldPath;
    const buffer = path.buffer;
    if (buffer.stamp !== this.#stamp) {
      buffer.stamp = this.#stamp;
      buffer.count = 0;
      if (this.#event !== null) this.#collect(this.#event, path, 0, null);
    }
    return buffer;
  }

  #collect(start: unknown, path: FieldPath, from: number, trail: Trail | null): void {
    const depth = path.segments.length;
    let value = start;
    let at = from;
    // Follows plain nested keys without recursion; arrays and dotted keys branch into #collect.
    while (at < depth && isObject(value)) {
      const keys = path.joined[at] as readonly string[];
      const ownOnly = path.inherited[at] as readonly boolean[];
      for (let to = at + 1; to < keys.length; to++) {
        const key = keys[to] as string;
        if (ownOnly[to] && !Object.hasOwn(value, key)) continue;
        const child = value[key];
        if (child !== undefined) this.#collect(child, path, to + 1, trail);
      }
      const key = keys[at] as string;
      value = ownOnly[at] && !Object.hasOwn(value, key) ? undefined : value[key];
      at++;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const element = value[i];
        if (typeof element === "object" && element !== null) {
          this.#collect(element, path, at, trail === null ? [value, i] : [...trail, value, i]);
        } else if (at === depth) {
          this.#add(path.buffer, element, trail);
        }
      }
    } else if (at === depth) {
      this.#add(path.buffer, value, trail);
    }
  }

  #add(buffer: FieldValues, value: unknown, trail: Trail | null): void {
    if (
      value === null ||
      typeof value === "string" ||
      typeof value === "number" ||
      typeof value === "boolean"
    ) {
      buffer.values[buffer.count] = value;
      buffer.trails[buffer.count] = trail;
      buffer.count++;
    }
  }
}
