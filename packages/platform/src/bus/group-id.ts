/**
 * The FIFO group of an event: the value at a dot path such as `detail.orderId`, as a string.
 * Events without a value there return undefined and share one group.
 */
export function groupIdOf(event: unknown, path: string): string | undefined {
  let value: unknown = event;
  for (const segment of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}
