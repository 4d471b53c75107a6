import type { Scalar } from "./matchers.ts";

/**
 * Where a value sits among the event's arrays of objects: pairs of (array id, element index),
 * outermost first. Scalars directly inside an array keep their parent's trail, since only fields of
 * objects in different elements of one array can contradict each other.
 */
export type Trail = readonly number[];

export interface Leaf {
  readonly value: Scalar;
  readonly trail: Trail | null;
}

/** The event's leaf values by dot-joined path (`detail.state`); objects and arrays are crushed out. */
export type FlatEvent = ReadonlyMap<string, readonly Leaf[]>;

/**
 * Flattens only the paths that `wanted` names (full paths and their dot-boundary prefixes), so an
 * event's unrelated subtrees are never walked. Non-JSON values (undefined, functions, ...) are
 * treated as absent.
 */
export function flattenEvent(event: unknown, wanted: ReadonlyMap<string, unknown>): FlatEvent {
  const flattener = new Flattener(wanted);
  if (isObject(event)) flattener.object(event, null, null);
  return flattener.flat;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

class Flattener {
  readonly flat = new Map<string, Leaf[]>();
  readonly #wanted: ReadonlyMap<string, unknown>;
  #arrays = 0;

  constructor(wanted: ReadonlyMap<string, unknown>) {
    this.#wanted = wanted;
  }

  object(object: Record<string, unknown>, path: string | null, trail: Trail | null): void {
    for (const key of Object.keys(object)) {
      const child = path === null ? key : `${path}.${key}`;
      if (this.#wanted.has(child)) this.#value(object[key], child, trail);
    }
  }

  #value(value: unknown, path: string, trail: Trail | null): void {
    switch (typeof value) {
      case "string":
      case "number":
      case "boolean":
        this.#leaf(value, path, trail);
        return;
      case "object":
        if (value === null) this.#leaf(null, path, trail);
        else if (Array.isArray(value)) this.#array(value, path, trail);
        else this.object(value as Record<string, unknown>, path, trail);
    }
  }

  #array(array: readonly unknown[], path: string, trail: Trail | null): void {
    const id = this.#arrays++;
    for (let i = 0; i < array.length; i++) {
      const element = array[i];
      if (typeof element === "object" && element !== null) {
        this.#value(element, path, trail === null ? [id, i] : [...trail, id, i]);
      } else {
        this.#value(element, path, trail);
      }
    }
  }

  #leaf(value: Scalar, path: string, trail: Trail | null): void {
    const leaves = this.flat.get(path);
    if (leaves === undefined) this.flat.set(path, [{ value, trail }]);
    else leaves.push({ value, trail });
  }
}

/** Two values can be matched together unless they lie in different elements of one array. */
export function consistent(a: Trail, b: Trail): boolean {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 2) {
    if (a[i] !== b[i]) return true;
    if (a[i + 1] !== b[i + 1]) return false;
  }
  return true;
}
