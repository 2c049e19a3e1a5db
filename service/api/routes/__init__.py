"""The JSON routes, one module per resource: articles, compare, reuse (copy links and
flags), stories and similarity, and the watched feeds."""
