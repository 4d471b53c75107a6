/**
 * Database errors carry the values of the statement that failed: PGlite attaches the query's
 * parameters, and PostgreSQL's `detail` ("Failing row contains (...)", "Key (email)=(...)") and
 * some messages (`invalid input syntax for type uuid: "..."`) quote them. A registration that fails
 * would then log or store a password hash and an email. A database error is therefore reduced, in
 * place, to what names the failure and holds no value: its SQLSTATE code, where in the schema it
 * happened, and the statement's verb and table.
 */

/** The only own properties a scrubbed database error keeps: none of them can hold a value. */
const keptFields = [
  "code",
  "severity",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "routine",
  "statement",
] as const;

const sqlStatePattern = /^[0-9A-Z]{5}$/;
const scrubbed = Symbol.for("mercato.scrubbedDatabaseError");

export interface DatabaseErrorFields {
  code: string;
  severity?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  routine?: string;
  /** The statement's verb and first table, e.g. `insert into "users"`. */
  statement?: string;
}

/** pg's and PGlite's `DatabaseError`: a SQLSTATE code and the server's severity. */
export function isDatabaseError(error: unknown): error is Error & DatabaseErrorFields {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as Partial<DatabaseErrorFields>;
  return typeof code === "string" && sqlStatePattern.test(code) && typeof severity === "string";
}

/**
 * PostgreSQL quotes the offending value after a colon (`invalid input syntax for type integer:
 * "x"`, `invalid byte sequence for encoding "UTF8": 0x00`); the words before it name the failure.
 */
export function safeDatabaseMessage(message: string): string {
  const colon = message.indexOf(": ");
  return colon === -1 ? message : `${message.slice(0, colon)}: [value hidden]`;
}

const identifier = String.raw`("[^"]{1,63}"(?:\."[^"]{1,63}")?|[A-Za-z_][\w.]{0,127})`;
const leadPattern = /^\s*(?:with\b[\s\S]*?\)\s*)?([A-Za-z]+)\b/;
const verbs = new Set(["select", "insert", "update", "delete", "merge", "create", "alter", "drop"]);
for (const verb of ["truncate", "lock", "set", "begin", "commit", "rollback", "listen", "notify"]) {
  verbs.add(verb);
}
/** Where each verb names its table, and how the summary spells it. */
const targets: Record<string, { pattern: RegExp; prefix: string }> = {
  insert: { pattern: new RegExp(String.raw`^\s*into\s+${identifier}`, "i"), prefix: "insert into" },
  update: { pattern: new RegExp(String.raw`^\s*(?:only\s+)?${identifier}`, "i"), prefix: "update" },
  delete: {
    pattern: new RegExp(String.raw`^\s*from\s+(?:only\s+)?${identifier}`, "i"),
    prefix: "delete from",
  },
  select: { pattern: new RegExp(String.raw`\bfrom\s+${identifier}`, "i"), prefix: "select from" },
};

/** `insert into "users"` out of the full text: enough to find the statement, never its values. */
export function statementSummary(sqlText: string): string {
  const lead = leadPattern.exec(sqlText);
  const verb = lead?.[1]?.toLowerCase();
  if (!lead || verb === undefined || !verbs.has(verb)) return "(unrecognised statement)";
  const target = targets[verb];
  const table = target?.pattern.exec(sqlText.slice(lead[0].length))?.[1];
  return target && table ? `${target.prefix} ${table}` : verb;
}

/**
 * Removes every property that could hold a value, rewrites the message and the stack's first line,
 * and records the statement's summary. Idempotent; answers the same error so that `instanceof`
 * and `code` checks still work.
 */
export function scrubDatabaseError<E>(error: E): E {
  if (!isDatabaseError(error) || scrubbed in error) return error;
  const record = error as unknown as Record<string | symbol, unknown>;
  const query = record.query;
  const kept = new Map<string, unknown>();
  for (const field of keptFields) if (typeof record[field] === "string") kept.set(field, record[field]);
  if (typeof query === "string" && !kept.has("statement")) kept.set("statement", statementSummary(query));
  for (const key of Reflect.ownKeys(error)) {
    if (key !== "stack" && key !== "message" && key !== "name") delete record[key];
  }
  for (const [field, value] of kept) record[field] = value;
  const message = safeDatabaseMessage(error.message);
  const stack = error.stack ?? "";
  const frames = stack.indexOf("\n    at ");
  error.message = message;
  error.stack = `${error.name}: ${message}${frames === -1 ? "" : stack.slice(frames)}`;
  Object.defineProperty(error, scrubbed, { value: true, enumerable: false });
  return error;
}
