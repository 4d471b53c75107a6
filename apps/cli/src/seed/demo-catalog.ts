import type { AttributeValue } from "@mercato/catalog";
import type { Money } from "@mercato/contracts";

/** A product of the demo catalog: the body of `POST /api/products` and the stock to give its sku. */
export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  price: Money;
  attributes: Record<string, AttributeValue>;
  initialStock: number;
}

interface Kind {
  noun: string;
  /** Price range in euro cents. */
  min: number;
  max: number;
  /** What it does, agreeing with the noun: "fills a room", or for a plural noun "fit snugly". */
  pitch: string;
  attributes: Record<string, AttributeValue>;
}

interface CategoryPlan {
  name: string;
  code: string;
  brands: string[];
  series: string[];
  colors: string[];
  kinds: Kind[];
  features: string[];
}

const productsPerCategory = 22;

const categories: CategoryPlan[] = [
  {
    name: "Audio",
    code: "AUD",
    brands: ["Sonora", "Auralis", "Bassline", "Echofield"],
    series: ["Air", "Pro", "Studio", "Go", "Max", "Lite"],
    colors: ["black", "white", "midnight blue", "sand"],
    kinds: [
      {
        noun: "Wireless Headphones",
        min: 4900,
        max: 34900,
        pitch: "wrap your ears in detailed, balanced sound",
        attributes: { wireless: true, batteryHours: 30 },
      },
      {
        noun: "Earbuds",
        min: 2900,
        max: 19900,
        pitch: "fit snugly and disappear in your ears",
        attributes: { wireless: true, batteryHours: 8 },
      },
      {
        noun: "Bluetooth Speaker",
        min: 3900,
        max: 24900,
        pitch: "fills a room with warm, punchy sound",
        attributes: { wireless: true, waterproof: true },
      },
      {
        noun: "Soundbar",
        min: 14900,
        max: 69900,
        pitch: "gives films and series the sound they deserve",
        attributes: { channels: "3.1", hdmiArc: true },
      },
    ],
    features: [
      "Active noise cancelling keeps the commute quiet.",
      "Fast charging gives hours of play from a ten-minute top-up.",
      "Multipoint pairing switches between phone and laptop without fuss.",
    ],
  },
  {
    name: "Computers",
    code: "CMP",
    brands: ["Nimbus", "Quanta", "Vertex", "Lumen"],
    series: ["Book", "Station", "Flex", "Edge", "Core", "Zen"],
    colors: ["silver", "space grey", "graphite", "white"],
    kinds: [
      {
        noun: "Laptop 14",
        min: 69900,
        max: 179900,
        pitch: "handles work and play in a light aluminium body",
        attributes: { ramGb: 16, storageGb: 512 },
      },
      {
        noun: "Desktop Tower",
        min: 79900,
        max: 249900,
        pitch: "brings quiet, sustained power to your desk",
        attributes: { ramGb: 32, storageGb: 1000 },
      },
      {
        noun: "27-inch Monitor",
        min: 19900,
        max: 64900,
        pitch: "shows crisp text and rich colour edge to edge",
        attributes: { resolution: "2560x1440", refreshHz: 144 },
      },
      {
        noun: "Mechanical Keyboard",
        min: 5900,
        max: 18900,
        pitch: "types with a satisfying, precise feel",
        attributes: { layout: "ISO", backlit: true },
      },
      {
        noun: "Wireless Mouse",
        min: 1900,
        max: 9900,
        pitch: "glides smoothly and sits comfortably in the hand",
        attributes: { dpi: 4000, wireless: true },
      },
    ],
    features: [
      "It wakes instantly and lasts a full working day.",
      "USB-C ports charge, connect displays and move data fast.",
      "A two-year warranty comes included.",
    ],
  },
  {
    name: "Phones",
    code: "PHN",
    brands: ["Orbit", "Kestrel", "Novaline", "Pixelle"],
    series: ["One", "Neo", "Ultra", "Mini", "Plus", "X"],
    colors: ["black", "silver", "forest green", "lavender"],
    kinds: [
      {
        noun: "Smartphone",
        min: 19900,
        max: 119900,
        pitch: "takes sharp photos day and night",
        attributes: { storageGb: 128, fiveG: true },
      },
      {
        noun: "Phone Case",
        min: 990,
        max: 4900,
        pitch: "protects your phone without adding bulk",
        attributes: { material: "silicone" },
      },
      {
        noun: "Fast Charger",
        min: 1490,
        max: 5900,
        pitch: "charges your phone to half in under half an hour",
        attributes: { watts: 45 },
      },
      {
        noun: "Smartwatch",
        min: 9900,
        max: 44900,
        pitch: "keeps notifications, workouts and sleep on your wrist",
        attributes: { waterproof: true, batteryDays: 5 },
      },
    ],
    features: [
      "The display stays readable even in bright sunlight.",
      "Software updates are promised for five years.",
      "It pairs in seconds with the rest of your devices.",
    ],
  },
  {
    name: "Home & Kitchen",
    code: "HOM",
    brands: ["Casaluna", "Hearth & Co", "Brightmill", "Nordvik"],
    series: ["Classic", "Pure", "Daily", "Signature", "Compact", "Deluxe"],
    colors: ["stainless steel", "cream", "matte black", "sage"],
    kinds: [
      {
        noun: "Espresso Machine",
        min: 12900,
        max: 89900,
        pitch: "pulls café-quality espresso at home",
        attributes: { pressureBar: 15, milkFrother: true },
      },
      {
        noun: "Chef's Knife",
        min: 2900,
        max: 14900,
        pitch: "slices, dices and chops with a razor edge",
        attributes: { bladeCm: 20, material: "Damascus steel" },
      },
      {
        noun: "Air Fryer",
        min: 6900,
        max: 19900,
        pitch: "crisps food with a fraction of the oil",
        attributes: { litres: 5.5 },
      },
      {
        noun: "Cast Iron Pan",
        min: 2900,
        max: 8900,
        pitch: "sears evenly and lasts a lifetime",
        attributes: { diameterCm: 28, inductionReady: true },
      },
      {
        noun: "Blender",
        min: 4900,
        max: 29900,
        pitch: "turns fruit and ice into smooth drinks in seconds",
        attributes: { watts: 1200 },
      },
    ],
    features: [
      "The parts that touch food go in the dishwasher.",
      "It is built to be repaired, with spare parts available for ten years.",
      "A recipe booklet comes in the box.",
    ],
  },
  {
    name: "Books",
    code: "BOK",
    brands: ["Larkspur Press", "Meridian Books", "Quillhouse", "Tidewater"],
    series: ["The Quiet", "A Field Guide to", "The Last", "Notes on", "The Art of", "Beyond"],
    colors: ["hardcover", "paperback"],
    kinds: [
      {
        noun: "Mountain",
        min: 1290,
        max: 2990,
        pitch: "is a novel about a family and the summit that shaped it",
        attributes: { pages: 384, language: "en" },
      },
      {
        noun: "Cooking",
        min: 1990,
        max: 3990,
        pitch: "collects simple recipes for every season",
        attributes: { pages: 256, language: "en" },
      },
      {
        noun: "Stars",
        min: 990,
        max: 2490,
        pitch: "explains the night sky for curious minds",
        attributes: { pages: 212, language: "en" },
      },
      {
        noun: "Design",
        min: 1990,
        max: 4990,
        pitch: "shows how everyday objects come to be",
        attributes: { pages: 320, language: "en" },
      },
    ],
    features: [
      "Readers call it impossible to put down.",
      "It includes illustrations by an award-winning artist.",
      "A reading group guide closes the book.",
    ],
  },
  {
    name: "Sports & Outdoors",
    code: "SPO",
    brands: ["Trailhawk", "Summit Gear", "Riverstone", "Altura"],
    series: ["Trek", "Ridge", "Sprint", "Venture", "Peak", "Flow"],
    colors: ["orange", "olive", "navy", "charcoal"],
    kinds: [
      {
        noun: "Hiking Backpack",
        min: 4900,
        max: 17900,
        pitch: "carries a day's gear comfortably on any trail",
        attributes: { litres: 30, waterproof: true },
      },
      {
        noun: "Running Shoes",
        min: 5900,
        max: 17900,
        pitch: "cushion every stride on road and track",
        attributes: { dropMm: 8 },
      },
      {
        noun: "Yoga Mat",
        min: 1990,
        max: 7900,
        pitch: "grips firmly and cushions your joints",
        attributes: { thicknessMm: 6 },
      },
      {
        noun: "Two-Person Tent",
        min: 8900,
        max: 34900,
        pitch: "pitches in minutes and shrugs off the weather",
        attributes: { weightKg: 2.1, seasons: 3 },
      },
    ],
    features: [
      "Recycled materials make up most of its fabric.",
      "It was tested by guides through a full season.",
      "Reflective details keep you visible at dusk.",
    ],
  },
  {
    name: "Toys & Games",
    code: "TOY",
    brands: ["Brickwell", "Playfold", "Tinker Town", "Moonbeam"],
    series: ["Junior", "Explorer", "Classic", "Galaxy", "Family", "Master"],
    colors: ["red", "yellow", "blue", "rainbow"],
    kinds: [
      {
        noun: "Building Set",
        min: 1990,
        max: 14900,
        pitch: "builds into a model that invites hours of play",
        attributes: { pieces: 650, ageMin: 8 },
      },
      {
        noun: "Board Game",
        min: 1990,
        max: 5900,
        pitch: "brings the whole table together for an evening",
        attributes: { players: "2-6", ageMin: 10 },
      },
      {
        noun: "Jigsaw Puzzle",
        min: 1290,
        max: 3490,
        pitch: "rewards patience with a stunning picture",
        attributes: { pieces: 1000 },
      },
      {
        noun: "Remote Control Car",
        min: 2990,
        max: 12900,
        pitch: "races across floors and gardens at full tilt",
        attributes: { batteryMinutes: 25, ageMin: 8 },
      },
    ],
    features: [
      "Clear instructions make it easy to start.",
      "It is made from safe, durable materials.",
      "Expansion packs add even more to discover.",
    ],
  },
  {
    name: "Fashion",
    code: "FSH",
    brands: ["Marlowe", "Linden & Pike", "Atelier Nova", "Cobalt Row"],
    series: ["Everyday", "Heritage", "Urban", "Weekend", "Essential", "Tailored"],
    colors: ["black", "camel", "navy", "off-white"],
    kinds: [
      {
        noun: "Wool Coat",
        min: 12900,
        max: 39900,
        pitch: "keeps you warm with a clean, tailored cut",
        attributes: { material: "wool", size: "M" },
      },
      {
        noun: "Leather Sneakers",
        min: 6900,
        max: 17900,
        pitch: "go with everything in your wardrobe",
        attributes: { material: "leather", size: "42" },
      },
      {
        noun: "Cotton T-Shirt",
        min: 1490,
        max: 4900,
        pitch: "feels soft from the first wear",
        attributes: { material: "organic cotton", size: "L" },
      },
      {
        noun: "Denim Jeans",
        min: 4900,
        max: 12900,
        pitch: "fit well and get better with age",
        attributes: { material: "denim", size: "32/32" },
      },
      {
        noun: "Leather Belt",
        min: 2490,
        max: 6900,
        pitch: "finishes an outfit with quiet confidence",
        attributes: { material: "leather", size: "90" },
      },
    ],
    features: [
      "It is made in a small European workshop.",
      "Free returns within thirty days.",
      "The fabric is certified for responsible sourcing.",
    ],
  },
  {
    name: "Beauty",
    code: "BEA",
    brands: ["Lumière", "Verdant", "Aqua Bloom", "Velvette"],
    series: ["Glow", "Hydra", "Calm", "Radiance", "Daily", "Night"],
    colors: ["unscented", "rose", "citrus", "lavender"],
    kinds: [
      {
        noun: "Face Serum",
        min: 1990,
        max: 6900,
        pitch: "leaves skin smooth, plump and bright",
        attributes: { ml: 30, vegan: true },
      },
      {
        noun: "Moisturiser",
        min: 1490,
        max: 4900,
        pitch: "hydrates all day without feeling heavy",
        attributes: { ml: 50, vegan: true },
      },
      {
        noun: "Shampoo",
        min: 890,
        max: 2490,
        pitch: "cleans gently and adds shine",
        attributes: { ml: 250 },
      },
      {
        noun: "Hair Dryer",
        min: 3990,
        max: 24900,
        pitch: "dries hair fast with less heat damage",
        attributes: { watts: 1800 },
      },
    ],
    features: [
      "Dermatologists tested it on sensitive skin.",
      "The packaging is fully recyclable.",
      "It contains no parabens or microplastics.",
    ],
  },
  {
    name: "Garden",
    code: "GRD",
    brands: ["Greenhaven", "Bloomfield", "Rootwise", "Oakridge"],
    series: ["Easy", "Pro", "Compact", "Eco", "Classic", "Power"],
    colors: ["green", "terracotta", "anthracite", "natural"],
    kinds: [
      {
        noun: "Cordless Lawn Mower",
        min: 19900,
        max: 49900,
        pitch: "cuts the lawn quietly without a cable to trip over",
        attributes: { cuttingCm: 37, batteryVolts: 36 },
      },
      {
        noun: "Garden Hose",
        min: 1990,
        max: 6900,
        pitch: "reaches every corner without kinking",
        attributes: { lengthM: 25 },
      },
      {
        noun: "Raised Planter",
        min: 3990,
        max: 14900,
        pitch: "grows herbs and vegetables at a comfortable height",
        attributes: { material: "larch wood" },
      },
      {
        noun: "Pruning Shears",
        min: 1490,
        max: 5900,
        pitch: "cut branches cleanly with little effort",
        attributes: { maxCutMm: 22 },
      },
    ],
    features: [
      "It stands up to years of sun and rain.",
      "Spare parts are easy to order.",
      "Gardeners rate it highly for comfort.",
    ],
  },
];

/** A small deterministic generator (mulberry32), so every run builds the same catalog. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

/** A price in the range that ends in .99 or .90, as shops price things. */
function shopPrice(kind: Kind, random: () => number): number {
  const raw = kind.min + random() * (kind.max - kind.min);
  const euros = Math.max(1, Math.round(raw / 100));
  return euros * 100 - (euros >= 100 ? 1 : 10);
}

function bookName(plan: CategoryPlan, kind: Kind, index: number): string {
  const title = pick(plan.series, Math.floor(index / plan.kinds.length));
  return `${title} ${kind.noun}`;
}

/**
 * The demo catalog: 220 products in 10 categories, the same on every call. Names combine a brand,
 * a series and a kind, so that (within a category) no two are alike.
 */
export function demoProducts(): DemoProduct[] {
  const random = seededRandom(20_240_601);
  const products: DemoProduct[] = [];
  for (const plan of categories) {
    for (let index = 0; index < productsPerCategory; index++) {
      const kind = pick(plan.kinds, index);
      const round = Math.floor(index / plan.kinds.length);
      // Each round of kinds shifts the brands, so one kind comes from every brand in turn.
      const brand = pick(plan.brands, (index % plan.kinds.length) + round);
      const series = pick(plan.series, round);
      const color = pick(plan.colors, index * 5 + 1);
      const isBook = plan.code === "BOK";
      const name = isBook ? bookName(plan, kind, index) : `${brand} ${series} ${kind.noun}`;
      const subject = isBook ? `"${name}" from ${brand}` : `The ${name}`;
      const description = [
        `${subject} ${kind.pitch}.`,
        pick(plan.features, index),
        isBook ? `Available in ${color}.` : `Shown here in ${color}.`,
      ].join(" ");
      const sequence = products.length + 1;
      products.push({
        sku: `${plan.code}-${String(index + 1).padStart(4, "0")}`,
        name,
        description,
        category: plan.name,
        price: { amount: shopPrice(kind, random), currency: "EUR" },
        attributes: { brand, [isBook ? "format" : "color"]: color, ...kind.attributes },
        initialStock: sequence % 13 === 0 ? 0 : Math.floor(random() * 121),
      });
    }
  }
  return products;
}
