// Starts GraphiQL on mublog's /graphql endpoint. Paste `{"Authorization": "Bearer <token>"}`
// into the Headers tab to act as a user.
const root = ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(React.createElement(GraphiQL, { fetcher: GraphiQL.createFetcher({ url: "/graphql" }) }));
