"""The HTTP face of the service: the FastAPI app, its routes (JSON), schemas (response shapes),
errors (one body everywhere), limits and the HTML pages. Thin: every answer is computed by
``service.pipeline.runtime.Runtime``."""
