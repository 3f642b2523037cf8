// Starts GraphiQL on the page the gateway serves at its GraphQL endpoint (gateway/graphiql.py).
// A file rather than an inline script, so the page's Content-Security-Policy can forbid inline code.
"use strict";

const DEFAULT_QUERY = `# GraphiQL, served by the gateway itself.
#
# Run a query with Ctrl-Enter (Cmd-Enter on a Mac);
# the Docs button lists every type and field.
#
# Anonymous callers see public data. To use an API
# key, paste this in Headers below:
#   {"Authorization": "Bearer <your key>"}
# Headers stay in this tab, never in browser storage.

{
  __typename
}
`;

const root = document.getElementById("graphiql");
const fetcher = GraphiQL.createFetcher({ url: new URL(root.dataset.endpoint, window.location.href).href });

ReactDOM.createRoot(root).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: DEFAULT_QUERY,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
    shouldPersistHeaders: false,
  }),
);
