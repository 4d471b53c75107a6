/** Where an uploaded image is served; the product's `images` lists these. */
export function imageUrl(productId: string, imageId: string): string {
  return `/api/products/${productId}/images/${imageId}`;
}

export function imageIdOfUrl(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}
