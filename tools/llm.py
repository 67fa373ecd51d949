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
from tools.telemetry import timed_llm_call
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
        with timed_llm_call(prompt_name, self._settings.llm_model) as call:
            try:
                completion = client.chat.completions.parse(
                    model=self._settings.llm_model,
                    messages=[{"role": "user", "content": prompt.render(**values)}],
                    response_format=schema,
                    temperature=0,
                )
                parsed = completion.choices[0].message.parsed
            except (openai.OpenAIError, ValidationError, ValueError, IndexError) as exc:
                call["error"] = exc.__class__.__name__
                raise LlmError(f"LLM call failed: {exc.__class__.__name__}") from None
            if parsed is None:
                call["error"] = "NoParsableAnswer"
                raise LlmError("LLM refused or returned no parsable answer")
        return LlmAnswer(value=parsed, prompt_hash=prompt.sha256, model=completion.model or self.model or "?")
