import { isIP } from "node:net";
import { refusalOf } from "./address-policy.ts";

/**
 * A webhook URL as registration and every delivery check it before any DNS lookup: a malformed
 * URL is invalid input (400); a well-formed one whose host is a refused address or a loopback
 * name is refused by policy (422). Names are checked again once resolved, at each delivery.
 */
export type UrlVerdict =
  | { ok: true; url: URL; host: string }
  | { ok: false; status: 400 | 422; reason: string };

/**
 * The host as the allow list and the address checks compare it: lowercase, IPv6 without brackets,
 * a name without its trailing dot (`localhost.` is `localhost`).
 */
export function hostOf(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

export function checkWebhookUrl(text: string, allowedHosts: ReadonlySet<string>): UrlVerdict {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, status: 400, reason: "is not an absolute URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, status: 400, reason: `must be an http or https URL, not ${url.protocol}` };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, status: 400, reason: "must not carry a user name or password" };
  }
  const host = hostOf(url);
  if (allowedHosts.has(host)) return { ok: true, url, host };
  if (isIP(host) !== 0) {
    const refusal = refusalOf(host);
    if (refusal) return { ok: false, status: 422, reason: `points to ${host}, ${refusal}` };
  } else if (host === "localhost" || host.endsWith(".localhost")) {
    return { ok: false, status: 422, reason: `points to ${host}, a loopback name` };
  }
  return { ok: true, url, host };
}
