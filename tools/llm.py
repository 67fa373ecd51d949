"""The one door to an LLM: the openai SDK pointed at any OpenAI-compatible server (OpenAI, Azure,
vLLM, Ollama, llama.cpp). Structured outputs only (pydantic schemas), bounded timeouts and retries,
prompts from prompts/ with their hash returned for the log. Only this module imports openai."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlparse

import openai
from pydantic import BaseModel, ValidationError

from models.settings import Settings
from prompts import load_prompt

T = TypeVar("T", bound=BaseModel)


class LlmError(Exception):
    """The LLM could not give a valid answer; callers fall back to local models (fallback_model)."""


class LlmNotAllowed(LlmError):
    """The configured base URL is refused (tests allow only this machine)."""


@dataclass(frozen=True)
class LlmAnswer(Generic[T]):
    value: T
    prompt_hash: str
    model: str


def _is_local(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LlmGateway:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._client: openai.OpenAI | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._settings.llm_base_url and self._settings.llm_model)

    @property
    def model(self) -> str | None:
        return self._settings.llm_model

    def _get_client(self) -> openai.OpenAI:
        if not self.enabled:
            raise LlmError("no LLM is configured (HANDOFF_LLM_BASE_URL and HANDOFF_LLM_MODEL)")
        base_url = self._settings.llm_base_url or ""
        if self._settings.llm_local_only and not _is_local(base_url):
            raise LlmNotAllowed("HANDOFF_LLM_LOCAL_ONLY is set and the LLM base URL is not on this machine")
        if self._client is None:
            key = self._settings.llm_api_key.get_secret_value() if self._settings.llm_api_key else "not-needed"
            self._client = openai.OpenAI(base_url=base_url, api_key=key, timeout=self._settings.llm_timeout_s,
                                         max_retries=self._settings.llm_max_retries)
        return self._client

    def structured(self, prompt_name: str, schema: type[T], **values: str) -> LlmAnswer[T]:
        """Render a prompt file, ask for JSON matching `schema`, validate it. Raises LlmError."""
        prompt = load_prompt(prompt_name)
        client = self._get_client()
        try:
            completion = client.chat.completions.parse(
                model=self._settings.llm_model,
                messages=[{"role": "user", "content": prompt.render(**values)}],
                response_format=schema,
                temperature=0,
            )
            parsed = completion.choices[0].message.parsed
        except (openai.OpenAIError, ValidationError, ValueError, IndexError) as exc:
            raise LlmError(f"LLM call failed: {exc.__class__.__name__}") from None
        if parsed is None:
            raise LlmError("LLM refused or returned no parsable answer")
        return LlmAnswer(value=parsed, prompt_hash=prompt.sha256, model=completion.model or self.model or "?")


def embed_remote(settings: Settings, texts: list[str]) -> list[list[float]]:
    """Embeddings from the OpenAI-compatible endpoint HANDOFF_EMBED_BASE_URL (model
    HANDOFF_EMBED_MODEL). Raises LlmError when it fails."""
    base_url = settings.embed_base_url or ""
    if settings.llm_local_only and not _is_local(base_url):
        raise LlmNotAllowed("HANDOFF_LLM_LOCAL_ONLY is set and the embeddings base URL is not on this machine")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    client = openai.OpenAI(base_url=base_url, api_key=key, timeout=settings.llm_timeout_s, max_retries=1)
    try:
        answer = client.embeddings.create(model=settings.embed_model, input=texts)
    except openai.OpenAIError as exc:
        raise LlmError(f"embeddings call failed: {exc.__class__.__name__}") from None
    return [d.embedding for d in sorted(answer.data, key=lambda d: d.index)]
