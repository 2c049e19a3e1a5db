"""The HTML pages (server-rendered, Jinja templates): routes, views, the ingest form's
uploads, highlighting of spans, static files. Pages are routes too: thin over the runtime."""
