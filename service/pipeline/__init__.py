"""The running service: one module per step of storing an article, in the order they run.

``prepare`` (extract, clean, hash, sign) -> ``Store.add`` -> ``copies`` (copy links through
the passage index) -> ``story_docs`` (the article's vectors and names) -> ``stories`` (the
story of its event). ``runtime`` opens the parts and runs the sequence for the API, the
CLI and scripts; ``exports`` writes what it lists (flags, stories) as CSV or JSON Lines;
``feeds`` polls watched feeds into the same sequence, fetching through ``fetch`` (the one
module that opens outgoing HTTP connections)."""
