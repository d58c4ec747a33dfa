/**
 * The product catalogue and its monthly demand, computed in JS because it is small (300 rows).
 *
 * Demand is handed to SQL as a bucket table: for each month, the integers 0..DEMAND_BUCKETS-1
 * are split among products in proportion to category share x season x popularity, so a session
 * picks its product with one uniform and an equi-join (no range join over millions of rows).
 */
import { CATALOG, type CategoryParams } from "./params";
import { jsRandom } from "./random";

export const DEMAND_BUCKETS = 4096;

export interface Product {
  /** 0-based position in the catalogue; `product_id` is `P` + (index + 1), zero-padded. */
  index: number;
  productId: string;
  productName: string;
  category: string;
  brand: string;
  price: number;
  ratingAvg: number;
  isNewArrival: boolean;
  /** Relative popularity within the category (hidden: not in the contract). */
  popularity: number;
}

const BRANDS: Record<string, readonly string[]> = {
  Electronics: ["Voltra", "Nexon", "Auralis", "Kinetic Labs", "Pixelwave"],
  "Home & Kitchen": ["Hearthly", "Casa Nova", "Copperleaf", "Nestwell"],
  Fashion: ["Linea", "Northbound", "Velvet Fox", "Urban Thread", "Maris"],
  Beauty: ["Lumiere", "Pure Petal", "Glowlab", "Verda"],
  "Sports & Outdoors": ["Summit", "Trailhead", "Apex Motion", "Riverstone"],
  "Toys & Games": ["Playforge", "Tiny Giants", "Brightbox"],
  Books: ["Inkwell Press", "Harbor Books", "Folio House"],
  Grocery: ["Fieldfresh", "Good Pantry", "Morning Mill"],
  Garden: ["Greenthumb", "Bloomfield", "Terra Verde"],
  "Pet Supplies": ["Pawsome", "Happy Tails", "Whisker Co"],
};

const NOUNS: Record<string, readonly string[]> = {
  Electronics: [
    "Wireless Earbuds",
    "Smart Speaker",
    "4K Monitor",
    "Power Bank",
    "Smartwatch",
    "Tablet",
    "Keyboard",
  ],
  "Home & Kitchen": [
    "Chef Knife",
    "Coffee Maker",
    "Skillet",
    "Blender",
    "Bath Towel Set",
    "Table Lamp",
  ],
  Fashion: ["Denim Jacket", "Linen Shirt", "Sneakers", "Wool Scarf", "Chinos", "Rain Coat"],
  Beauty: ["Face Serum", "Lip Balm", "Shampoo", "Sunscreen", "Hand Cream"],
  "Sports & Outdoors": ["Yoga Mat", "Running Shoes", "Tent", "Water Bottle", "Cycling Helmet"],
  "Toys & Games": ["Board Game", "Puzzle", "Building Set", "Plush Bear", "Card Game"],
  Books: ["Novel", "Cookbook", "Travel Guide", "Biography", "Picture Book"],
  Grocery: ["Olive Oil", "Coffee Beans", "Granola", "Green Tea", "Dark Chocolate"],
  Garden: ["Seed Kit", "Pruning Shears", "Planter", "Garden Hose", "Bird Feeder"],
  "Pet Supplies": ["Dog Food", "Cat Tree", "Chew Toy", "Pet Bed", "Litter"],
};

const STREAM_BRAND = 11;
const STREAM_NOUN = 12;
const STREAM_PRICE = 13;
const STREAM_RATING = 14;
const STREAM_NEW = 15;
const STREAM_RANK = 16;

/** Products per category by `productShare`, rounded so they sum to `total` (largest remainder). */
function productCounts(categories: readonly CategoryParams[], total: number): number[] {
  const exact = categories.map((c) => c.productShare * total);
  const counts = exact.map(Math.floor);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  let missing = total - counts.reduce((a, b) => a + b, 0);
  for (const { index } of order) {
    if (missing-- <= 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

/** The catalogue: deterministic for a seed, with plausible prices, ratings and new arrivals. */
export function buildCatalog(seed: number, total: number = CATALOG.products): Product[] {
  const random = jsRandom(seed);
  const categories: readonly CategoryParams[] = CATALOG.categories;
  const counts = productCounts(categories, total);
  const products: Product[] = [];
  categories.forEach((category, categoryIndex) => {
    const count = counts[categoryIndex] ?? 0;
    // Popularity ranks are a seeded shuffle, so best sellers are not always the first ids.
    const ranks = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) =>
        random.uniform(STREAM_RANK, products.length + a) -
        random.uniform(STREAM_RANK, products.length + b),
    );
    const brands = BRANDS[category.name] ?? ["Generic"];
    const nouns = NOUNS[category.name] ?? ["Item"];
    for (let i = 0; i < count; i++) {
      const index = products.length;
      const isNewArrival = random.uniform(STREAM_NEW, index) < CATALOG.newArrivalShare;
      const brand = brands[Math.floor(random.uniform(STREAM_BRAND, index) * brands.length)] ?? "";
      const noun = nouns[Math.floor(random.uniform(STREAM_NOUN, index) * nouns.length)] ?? "";
      const price =
        category.priceMedian * Math.exp(category.priceSigma * random.normal(STREAM_PRICE, index));
      const ratingSd = isNewArrival ? CATALOG.newArrivalRatingSd : CATALOG.ratingSd;
      const rating = CATALOG.ratingMean + ratingSd * random.normal(STREAM_RATING, index);
      products.push({
        index,
        productId: `P${String(index + 1).padStart(4, "0")}`,
        productName: `${brand} ${noun} ${100 + index}`,
        category: category.name,
        brand,
        // Shop prices end in .99 above 10, cents below: plausible and always whole cents.
        price: price >= 10 ? Math.max(Math.round(price), 10) - 0.01 : Math.round(price * 100) / 100,
        ratingAvg: Math.round(Math.min(5, Math.max(1, rating)) * 10) / 10,
        isNewArrival,
        popularity:
          (1 / ((ranks[i] ?? 0) + 1) ** CATALOG.popularityZipf) *
          (isNewArrival ? CATALOG.newArrivalPopularity : 1),
      });
    }
  });
  return products;
}

/** One product's share of a month's demand, as a half-open range of bucket numbers. */
export interface DemandBucketRange {
  month: number;
  productIndex: number;
  firstBucket: number;
  nextBucket: number;
}

/**
 * For each month (1..12), the bucket ranges of every product: category demand share x the
 * category's season that month x the product's popularity within its category.
 */
export function demandBuckets(products: readonly Product[]): DemandBucketRange[] {
  const categories: readonly CategoryParams[] = CATALOG.categories;
  const popularityTotal = new Map<string, number>();
  for (const p of products)
    popularityTotal.set(p.category, (popularityTotal.get(p.category) ?? 0) + p.popularity);
  const ranges: DemandBucketRange[] = [];
  for (let month = 1; month <= 12; month++) {
    const weights = products.map((p) => {
      const category = categories.find((c) => c.name === p.category);
      const season = category?.season[month - 1] ?? 1;
      return (
        ((category?.demandShare ?? 0) * season * p.popularity) /
        (popularityTotal.get(p.category) ?? 1)
      );
    });
    const total = weights.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    let firstBucket = 0;
    weights.forEach((weight, productIndex) => {
      cumulative += weight;
      const nextBucket =
        productIndex === weights.length - 1
          ? DEMAND_BUCKETS
          : Math.round((DEMAND_BUCKETS * cumulative) / total);
      if (nextBucket > firstBucket) ranges.push({ month, productIndex, firstBucket, nextBucket });
      firstBucket = Math.max(firstBucket, nextBucket);
    });
  }
  return ranges;
}
