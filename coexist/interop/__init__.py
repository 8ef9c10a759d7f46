"""The JSON API wiring (and, later, FHIR)."""
