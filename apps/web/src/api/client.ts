import createClient from "openapi-fetch";
import type { paths } from "./openapi-types.ts";
import { currentSession, setSession } from "./session.ts";

let refreshing: Promise<string | null> | null = null;

/**
 * Trades the refresh token for a new pair once, however many requests failed at the same time
 * (refresh tokens rotate: a second use of the old one would be refused and sign the user out).
 */
function refreshAccessToken(): Promise<string | null> {
  refreshing ??= (async () => {
    const session = currentSession();
    if (!session) return null;
    const answer = await fetch("/api/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    if (!answer.ok) {
      setSession(null);
      return null;
    }
    const tokens = (await answer.json()) as { accessToken: string; refreshToken: string };
    setSession({ ...session, ...tokens });
    return tokens.accessToken;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Sends the access token, and on a 401 refreshes it and tries the request once more. */
export async function authorizedFetch(request: Request): Promise<Response> {
  const token = currentSession()?.accessToken;
  if (!token) return fetch(request);
  const retry = request.clone();
  request.headers.set("authorization", `Bearer ${token}`);
  const answer = await fetch(request);
  if (answer.status !== 401) return answer;
  const renewed = await refreshAccessToken();
  if (!renewed) return answer;
  retry.headers.set("authorization", `Bearer ${renewed}`);
  return fetch(retry);
}

export const api = createClient<paths>({ baseUrl: location.origin, fetch: authorizedFetch });
