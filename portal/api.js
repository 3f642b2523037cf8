// The portal's only way out: POST /graphql on its own origin, as any portal team would call it.

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code ?? "UNKNOWN";
  }
}

/**
 * Runs one operation. Resolves to {data, errors}: a partial answer (data with some errors) is still an
 * answer the page can show; no data at all is an ApiError with the first error's extensions.code.
 */
export async function graphql(query, variables = {}, key = "") {
  const headers = { "content-type": "application/json", accept: "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("network", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, "HTTP_ERROR");
  }
  const errors = body.errors ?? [];
  if (!body.data) {
    const first = errors[0] ?? {};
    throw new ApiError(first.message ?? `HTTP ${response.status}`, first.extensions?.code);
  }
  return { data: body.data, errors };
}

const chosen = new Map();

/**
 * The first of `variants` (the same operation, newest contract first) the server validates. New fields
 * (e.g. `didYouMean`) are asked for, and a server that does not have them yet still serves the page;
 * the variant that worked is remembered per name.
 */
export async function graphqlWithFallback(name, variants, variables = {}, key = "") {
  const start = chosen.get(name) ?? 0;
  for (let i = start; i < variants.length; i++) {
    try {
      const result = await graphql(variants[i], variables, key);
      chosen.set(name, i);
      return { ...result, variant: i };
    } catch (error) {
      const last = i === variants.length - 1;
      if (last || error.code !== "GRAPHQL_VALIDATION_FAILED") throw error;
    }
  }
  throw new ApiError("no variant", "UNKNOWN");
}
