"""Copy detection: shingles and MinHash signatures of passages, the LSH passage index
(in process or Redis), alignment of copied spans (rapidfuzz), templates, and copy links
with their relation, direction and credit. Pure but for the index's Redis."""
