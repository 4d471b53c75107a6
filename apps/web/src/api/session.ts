import { useEffect, useState } from "preact/hooks";
import type { components } from "./openapi-types.ts";

export type User = components["schemas"]["User"];

export interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
}

const storageKey = "mercato.session";
const listeners = new Set<(session: Session | null) => void>();

function read(): Session | null {
  try {
    const stored = localStorage.getItem(storageKey);
    return stored ? (JSON.parse(stored) as Session) : null;
  } catch {
    return null;
  }
}

let current = read();

export function currentSession(): Session | null {
  return current;
}

/** Stores the session (null signs out) and tells every mounted component. */
export function setSession(session: Session | null): void {
  current = session;
  if (session) localStorage.setItem(storageKey, JSON.stringify(session));
  else localStorage.removeItem(storageKey);
  for (const listener of listeners) listener(session);
}

export function useSession(): Session | null {
  const [session, setState] = useState(current);
  useEffect(() => {
    listeners.add(setState);
    return () => listeners.delete(setState);
  }, []);
  return session;
}
