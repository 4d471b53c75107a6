import { describe, expect, it } from "vitest";
import { normalizeUrlPath } from "./url-path.ts";

describe("normalizeUrlPath", () => {
  it("decodes escapes of unreserved characters in the path", () => {
    expect(normalizeUrlPath("/%61pi/auth/login")).toBe("/api/auth/login");
    expect(normalizeUrlPath("/%61%70%69/products")).toBe("/api/products");
    expect(normalizeUrlPath("/api/products/%7e%2d%2E%5F")).toBe("/api/products/~-._");
  });

  it("keeps escapes whose decoding would change the path's meaning, upper-cased", () => {
    expect(normalizeUrlPath("/api/products/a%2fb%20c%25")).toBe("/api/products/a%2Fb%20c%25");
    expect(normalizeUrlPath("/api/%3f")).toBe("/api/%3F");
  });

  it("leaves the query string and malformed escapes alone", () => {
    expect(normalizeUrlPath("/api/products?q=%61")).toBe("/api/products?q=%61");
    expect(normalizeUrlPath("/%61pi/products?q=%61")).toBe("/api/products?q=%61");
    expect(normalizeUrlPath("/api/%zz/%6")).toBe("/api/%zz/%6");
    const plain = "/api/products?limit=5";
    expect(normalizeUrlPath(plain)).toBe(plain);
  });
});
