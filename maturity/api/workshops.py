"""API routes for workshop results (GET /api/v1/workshops/<id>/results)."""

#: OpenAPI path items for these routes, merged into /api/v1/openapi.json.
OPENAPI_PATHS: dict = {}
