import type { FastifyHelmetOptions } from "@fastify/helmet";

/**
 * The policy of every answer: JSON and problem documents, which a browser should never run, frame or
 * sniff as anything else. `default-src 'none'` lets a JSON document load nothing even if some
 * browser rendered it as a page; `frame-ancestors 'none'` forbids framing it.
 */
const apiDirectives = {
  "default-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  "frame-ancestors": ["'none'"],
};

/**
 * The policy of the pages the server itself serves: the Swagger UI at /docs and the web UI at /.
 * Everything comes from this origin (Swagger UI's files are bundled, not fetched from a CDN); no
 * inline or evaluated script; `data:` images for the UI's inline icons; inline styles because
 * Swagger UI sets some. No `upgrade-insecure-requests`: the embedded server speaks plain HTTP on
 * localhost, and upgrading its own assets to HTTPS would break the page.
 */
export const pageDirectives = {
  "default-src": ["'self'"],
  "base-uri": ["'self'"],
  "connect-src": ["'self'"],
  "font-src": ["'self'", "data:"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "img-src": ["'self'", "data:"],
  "object-src": ["'none'"],
  "script-src": ["'self'"],
  "script-src-attr": ["'none'"],
  "style-src": ["'self'", "'unsafe-inline'"],
};

/** `pageDirectives` as the header value, for routes whose answers set their own policy. */
export const pageContentSecurityPolicy = Object.entries(pageDirectives)
  .map(([name, values]) => `${name} ${values.join(" ")}`)
  .join("; ");

/**
 * Helmet's defaults otherwise (HSTS, nosniff, no referrer, same-origin opener and resource policies,
 * no DNS prefetch), with framing denied outright rather than allowed from the same origin: nothing
 * the server answers is meant to be framed. A page route sets its own policy with the route option
 * `helmet: { contentSecurityPolicy: { useDefaults: false, directives: pageDirectives } }`.
 */
export const helmetOptions: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: { useDefaults: false, directives: apiDirectives },
  frameguard: { action: "deny" },
};

/**
 * Answers written before Fastify routes a request (Node's parser refusing it, an undecodable URL)
 * run no hooks, so Helmet never sees them; they carry this subset, which is all a problem document
 * needs.
 */
export const baselineSecurityHeaders: Record<string, string> = {
  "content-security-policy": Object.entries(apiDirectives)
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; "),
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};
