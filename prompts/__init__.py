"""Prompt templates as files, each versioned by the sha256 of its content; every LLM output logs the
hash of the prompt that made it. Documents enter prompts only as delimited data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

PROMPT_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def render(self, **values: str) -> str:
        # string.Template: braces and dollar signs inside a document cannot reach the template.
        return Template(self.text).substitute(**values)


@cache
def load_prompt(name: str) -> Prompt:
    """The prompt file `prompts/<name>.txt` (read once)."""
    path = PROMPT_DIR / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in {PROMPT_DIR}")
    return Prompt(name=name, text=path.read_text())
