import { describe, expect, it } from "vitest";
import { consistent, EventFields } from "./event-fields.ts";

function read(event: unknown, path: string) {
  const fields = new EventFields();
  const slot = fields.slotOf(path);
  fields.reset(event);
  const found = fields.read(slot);
  return { values: found.values.slice(0, found.count), trails: found.trails.slice(0, found.count) };
}

describe("event fields", () => {
  it("reads nested, dotted and mixed keys as one field", () => {
    const event = {
      detail: { state: { status: "a" }, "state.status": "b" },
      "detail.state": { status: "c" },
    };
    expect(read(event, "detail.state.status").values.sort()).toEqual(["a", "b", "c"]);
  });

  it("crushes arrays, marking values inside arrays of objects with their element", () => {
    const employees = [{ name: "Ann" }, { name: "Bo" }];
    const { values, trails } = read({ employees }, "employees.name");
    expect(values).toEqual(["Ann", "Bo"]);
    expect(trails).toEqual([
      [employees, 0],
      [employees, 1],
    ]);
    expect(consistent(trails[0] ?? [], trails[1] ?? [])).toBe(false);
  });

  it("leaves scalars of an array unmarked, as they cannot contradict other fields", () => {
    expect(read({ tags: ["a", null, {}] }, "tags")).toEqual({ values: ["a", null], trails: [null, null] });
  });

  it("marks nested arrays by their place in the outer array", () => {
    const groups = [[{ id: 1 }], [{ id: 2 }]];
    const { values, trails } = read({ groups }, "groups.id");
    expect(values).toEqual([1, 2]);
    expect(consistent(trails[0] ?? [], trails[1] ?? [])).toBe(false);
  });

  it("has no values for objects, missing fields and non-JSON values", () => {
    expect(read({ a: { b: 1 } }, "a").values).toEqual([]);
    expect(read({ a: undefined, b: () => 1 }, "a").values).toEqual([]);
    expect(read({ b: () => 1 }, "b").values).toEqual([]);
    expect(read("not an object", "a").values).toEqual([]);
    expect(read([{ a: 1 }], "a").values).toEqual([]);
  });

  it("does not read inherited properties such as constructor or __proto__", () => {
    expect(read({}, "constructor").values).toEqual([]);
    expect(read({}, "toString").values).toEqual([]);
    expect(read(JSON.parse('{"__proto__": {"x": 1}}'), "__proto__.x").values).toEqual([1]);
    expect(read({ constructor: "own" }, "constructor").values).toEqual(["own"]);
  });

  it("reads each field once per match call and again for the next event", () => {
    const fields = new EventFields();
    const slot = fields.slotOf("a");
    fields.reset({ a: 1 });
    expect(fields.read(slot).count).toBe(1);
    expect(fields.read(slot).values[0]).toBe(1);
    fields.reset({ a: [2, 3] });
    const next = fields.read(slot);
    expect(next.values.slice(0, next.count)).toEqual([2, 3]);
  });

  it("treats fields in sibling arrays or outside arrays as consistent", () => {
    const left = [{}];
    const right = [{}];
    expect(consistent([left, 0], [right, 0])).toBe(true);
    expect(consistent([left, 0], [left, 0, right, 1])).toBe(true);
  });
});
