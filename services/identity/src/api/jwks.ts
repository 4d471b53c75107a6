import { operation } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { SigningKeyRing } from "../store/signing-keys.ts";

const jwksSchema = z
  .object({
    keys: z.array(
      z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.literal("sig") }),
    ),
  })
  .meta({ id: "JsonWebKeySet" });

export function registerJwksRoute(app: FastifyInstance, keys: SigningKeyRing): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/.well-known/jwks.json",
    {
      schema: operation({
        operationId: "getJsonWebKeySet",
        tags: ["accounts"],
        summary: "The public keys that sign access tokens",
        access: "public",
        responses: { 200: { description: "The key set (JWKS)", schema: jwksSchema } },
      }),
    },
    async (_request, reply) => {
      // Verifiers cache the set; a new key is picked up when a token names an unknown kid.
      reply.header("cache-control", "public, max-age=600");
      return jwksSchema.parse(await keys.jwks());
    },
  );
}
