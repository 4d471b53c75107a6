import { PNG } from "pngjs";

const size = 256;

function hash(text: string): number {
  let value = 2166136261;
  for (let i = 0; i < text.length; i++) value = Math.imul(value ^ text.charCodeAt(i), 16777619);
  return value >>> 0;
}

/** An RGB colour of hue `hue` (0-360) at the given lightness, saturation fixed. */
function hsl(hue: number, lightness: number): [number, number, number] {
  const saturation = 0.55;
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs(((hue / 60) % 2) - 1));
  const m = lightness - chroma / 2;
  const sector = Math.floor(hue / 60) % 6;
  const [r = 0, g = 0, b = 0] = [
    [chroma, x, 0],
    [x, chroma, 0],
    [0, chroma, x],
    [0, x, chroma],
    [x, 0, chroma],
    [chroma, 0, x],
  ][sector] ?? [0, 0, 0];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

type Shape = (x: number, y: number) => boolean;

const center = size / 2;
const shapes: Shape[] = [
  (x, y) => (x - center) ** 2 + (y - center) ** 2 < 70 ** 2,
  (x, y) => Math.abs(x - center) < 62 && Math.abs(y - center) < 62,
  (x, y) => Math.abs(x - center) + Math.abs(y - center) < 84,
  (x, y) => y > 60 && y < 196 && Math.abs(x - center) < (y - 60) * 0.55,
  (x, y) => {
    const r = Math.sqrt((x - center) ** 2 + (y - center) ** 2);
    return r < 78 && r > 44;
  },
];

/**
 * A 256x256 PNG for a demo product: a background in its category's colour, a diagonal stripe
 * pattern and a shape chosen by its sku, so products of one category look related but distinct.
 */
export function demoImagePng(product: { sku: string; category: string }): Buffer {
  const hue = hash(product.category) % 360;
  const skuHash = hash(product.sku);
  const background = hsl(hue, 0.82);
  const stripe = hsl(hue, 0.74);
  const foreground = hsl((hue + (skuHash % 90) + 135) % 360, 0.45);
  const shape = shapes[skuHash % shapes.length] ?? shapes[0];
  const stripeWidth = 12 + (skuHash % 4) * 6;
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const color = shape?.(x, y)
        ? foreground
        : Math.floor((x + y) / stripeWidth) % 2 === 0
          ? background
          : stripe;
      const offset = (y * size + x) * 4;
      png.data[offset] = color[0];
      png.data[offset + 1] = color[1];
      png.data[offset + 2] = color[2];
      png.data[offset + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
