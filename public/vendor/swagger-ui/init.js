// Starts Swagger UI on mublog's live OpenAPI document (a file, so a strict CSP can forbid inline scripts).
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
});
