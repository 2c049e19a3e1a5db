"""Text processing, pure: HTML extraction (trafilatura), page chrome removal, normalisation
with an offset map back to the original, sentences and paragraphs, quotes, names and
numbers, language detection."""
