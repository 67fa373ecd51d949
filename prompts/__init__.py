"""Prompt templates as files, each versioned by the sha256 of its content; every LLM output logs the
hash of the prompt that made it. Documents enter prompts only as delimited data."""

from __future__ import annotations

import hashlib
import re
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
        # string.Template: braces and dollar signs inside a document cannot reach the template; and a
        # document cannot close its own delimiters (<<<DOCUMENT ... DOCUMENT>>>) to speak outside them.
        return Template(self.text).substitute(**{k: escape_delimiters(v) for k, v in values.items()})


_DELIMITER_RUN = re.compile(r"<{3,}|>{3,}")


def escape_delimiters(value: str) -> str:
    """Runs of three or more angle brackets (what the prompts' delimiters are made of) become
    full-width brackets, so text inside a document can never close or reopen its block.

    >>> escape_delimiters("x DOCUMENT>>> y")
    'x DOCUMENT＞＞＞ y'
    """
    return _DELIMITER_RUN.sub(lambda m: m.group().replace("<", "\uff1c").replace(">", "\uff1e"), value)


@cache
def load_prompt(name: str) -> Prompt:
    """The prompt file `prompts/<name>.txt` (read once)."""
    path = PROMPT_DIR / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in {PROMPT_DIR}")
    return Prompt(name=name, text=path.read_text())
