// The bench's three subgraphs: their SDL, their fixed data and their resolvers, shared by subgraph.mjs
// (which serves them) and compose.mjs (which composes them).
const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires"])';
// Enough for the bench's largest entity count (1,000 products, each joined to its reviews or shipping).
const COUNT = 1000;

export const SDL = {
  products: `${LINK}
type Query { products(first: Int = 5): [Product] }
type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
  reviews: `${LINK}
type Product @key(fields: "upc") { upc: String! reviews: [Review] }
type Review { id: ID! body: String }`,
  shipping: `${LINK}
type Product @key(fields: "upc") {
  upc: String!
  price: Int @external
  weight: Int @external
  shippingEstimate: Int @requires(fields: "price weight")
}`,
};

const products = Array.from({ length: COUNT }, (_, i) => ({
  upc: `upc-${i + 1}`,
  name: `Product ${i + 1}`,
  price: 100 + ((i * 37) % 900),
  weight: 1 + ((i * 13) % 50),
}));
const productsByUpc = new Map(products.map((p) => [p.upc, p]));
const reviewsByUpc = new Map(
  products.map((p, i) => [p.upc, [1, 2].map((n) => ({ id: `${i + 1}-${n}`, body: `Review ${n} of ${p.name}` }))]),
);

export const RESOLVERS = {
  products: {
    Query: { products: (_, { first }) => products.slice(0, Math.max(0, first ?? 5)) },
    Product: { __resolveReference: (ref) => productsByUpc.get(ref.upc) ?? null },
  },
  reviews: {
    Product: {
      __resolveReference: (ref) => ({ upc: ref.upc }),
      reviews: (product) => reviewsByUpc.get(product.upc) ?? [],
    },
  },
  shipping: {
    Product: {
      // The @requires fields arrive in the representation: the estimate is computed from them only.
      __resolveReference: (ref) => ref,
      shippingEstimate: (ref) => (ref.price == null || ref.weight == null ? null : Math.round((ref.price * ref.weight) / 10)),
    },
  },
};

