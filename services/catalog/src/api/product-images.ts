import { ProductUpdated } from "@mercato/contracts";
import { binaryBody, HttpProblem, operation, requireUser } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { decodeImage } from "../domain/image-decoding.ts";
import { imageContentTypes, isImageContentType, maxImageBytes } from "../domain/image-type.ts";
import { isCatalogId, productEventDetail } from "../domain/product.ts";
import type { CatalogContext } from "../resources.ts";
import { findProduct, lockProduct, updateProduct } from "../store/products.ts";
import { imageUrl } from "./image-urls.ts";
import { productIdParams } from "./product-schemas.ts";
import { notFound } from "./products.ts";

const tags = ["catalog"];
const maxImagesPerProduct = 20;
const accepted = imageContentTypes.join(", ");

function unsupportedType(contentType: string | undefined): HttpProblem {
  return new HttpProblem(
    415,
    "unsupported-media-type",
    contentType === undefined
      ? `The request has no Content-Type; send the image as ${accepted}`
      : `Content-Type "${contentType}" is not accepted here; send the image as ${accepted}`,
  );
}

/**
 * Image upload and download. A plugin of its own because it parses image bodies: its content type
 * parsers stay inside it, and every other route keeps taking only JSON.
 */
export function productImageRoutes({ db, inTransaction, logger, resources }: CatalogContext) {
  const { images } = resources;
  return async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      [...imageContentTypes],
      { parseAs: "buffer", bodyLimit: maxImageBytes },
      (_request, body, done) => done(null, body),
    );
    app.addContentTypeParser("*", (request, _payload, done) =>
      done(unsupportedType(request.headers["content-type"]), undefined),
    );
    const api = app.withTypeProvider<ZodTypeProvider>();

    api.post(
      "/api/products/:id/images",
      {
        onRequest: requireUser("admin"),
        bodyLimit: maxImageBytes,
        schema: operation({
          operationId: "uploadProductImage",
          tags,
          summary: "Upload a product image (admin)",
          description: `The raw bytes as ${accepted}, at most 5 MiB; stored re-encoded, without metadata.`,
          access: "admin",
          params: productIdParams,
          body: binaryBody,
          consumes: imageContentTypes,
          responses: {
            201: { description: "Stored; the image's URL", schema: z.object({ url: z.string() }) },
          },
          errors: {
            400: "The body is empty, or the product id is invalid",
            404: "No such product",
            413: "The image is larger than 5 MiB",
            415: "Not an accepted image type, or the bytes do not decode as the declared one",
            422: "The image has more pixels than accepted, or the product as many images as it may have",
          },
        }),
      },
      async (request, reply) => {
        const { id } = request.params;
        const declared = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
        if (!isImageContentType(declared)) throw unsupportedType(request.headers["content-type"]);
        const bytes = request.body;
        if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
          throw HttpProblem.badRequest("The body is empty: send the image bytes");
        }
        const image = await decodeImage(bytes, declared);
        if (!image.ok) {
          throw image.reason === "format"
            ? new HttpProblem(415, "unsupported-media-type", image.detail)
            : HttpProblem.unprocessable(image.detail);
        }
        if (!isCatalogId(id) || !(await findProduct(db, id))) throw notFound(id);

        const imageId = uuidv7();
        const url = imageUrl(id, imageId);
        // The file first: a url in `images` always serves its bytes.
        await images.put(id, imageId, image.bytes, declared);
        try {
          await inTransaction(async ({ transaction, publish }) => {
            const before = await lockProduct(transaction, id);
            if (!before) throw notFound(id);
            if (before.images.length >= maxImagesPerProduct) {
              throw HttpProblem.unprocessable(
                `Product ${id} already has ${maxImagesPerProduct} images, the most it may have`,
              );
            }
            const after = { ...before, images: [...before.images, url], updatedAt: new Date() };
            await updateProduct(transaction, after);
            await publish([
              ProductUpdated.create(
                { ...productEventDetail(after), changed: ["images"] },
                { correlationId: request.correlationId, resources: [id] },
              ),
            ]);
          });
        } catch (error) {
          await images.delete(id, imageId).catch((cleanup: unknown) => {
            logger.warn({ err: cleanup, productId: id, imageId }, "could not delete an image left unused");
          });
          throw error;
        }
        return reply.code(201).header("location", url).send({ url });
      },
    );

    api.get(
      "/api/products/:id/images/:imageId",
      {
        schema: operation({
          operationId: "getProductImage",
          tags,
          summary: "A product image's bytes",
          access: "public",
          params: z.object({ id: z.string().max(100), imageId: z.string().max(100) }),
          responses: {
            200: { description: "The image", schema: binaryBody, mediaTypes: imageContentTypes },
          },
          errors: { 404: "No such product or image" },
        }),
      },
      async (request, reply) => {
        const { id, imageId } = request.params;
        const image = isCatalogId(id) && isCatalogId(imageId) ? await images.get(id, imageId) : undefined;
        if (!image) throw HttpProblem.notFound(`Product ${id} has no image ${imageId}`);
        // An image id is never reused for other bytes, so caches may keep it for good.
        return reply
          .type(image.contentType)
          .header("cache-control", "public, max-age=31536000, immutable")
          .header("x-content-type-options", "nosniff")
          .send(image.bytes);
      },
    );
  };
}
