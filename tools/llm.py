"""The one door to an LLM: the openai SDK pointed at any OpenAI-compatible server (OpenAI, Azure,
vLLM, Ollama, llama.cpp). Structured outputs only (pydantic schemas), bounded timeouts, retries from
a budget the caller shares across one item's calls, and a circuit breaker (pybreaker): after a few
failures in a row no call is made for a while, and callers go straight to their local path. Prompts
come from prompts/ with their hash returned for the log. Only this module imports openai."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlparse

import openai
import pybreaker
from pydantic import BaseModel, ValidationError

from models.settings import Settings
from tools.telemetry import timed_llm_call
from prompts import load_prompt

T = TypeVar("T", bound=BaseModel)


class LlmError(Exception):
    """The LLM could not give a valid answer; callers fall back to local models (fallback_model)."""


class LlmNotAllowed(LlmError):
    """The configured base URL is refused (tests allow only this machine)."""


class LlmUnavailable(LlmError):
    """The circuit is open: the LLM failed repeatedly and is not called until the reset timeout."""


@dataclass
class RetryBudget:
    """Retries one item may spend across all its LLM calls (classify and summarize share it)."""

    retries: int

    def spend(self) -> bool:
        if self.retries <= 0:
            return False
        self.retries -= 1
        return True


# Failures that say the LLM (or the way to it) is down or overloaded: they count toward opening the
# circuit and may be retried. Anything else (a refusal, an answer that does not fit the schema) is the
# answer's problem, not the service's.
_OUTAGES = (openai.APIConnectionError, openai.APITimeoutError, openai.InternalServerError, openai.RateLimitError)


def _not_an_outage(exc: BaseException) -> bool:
    return not isinstance(exc, _OUTAGES)


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
    """One per process (agents cache it), so the breaker's state is shared by every item."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._client: openai.OpenAI | None = None
        self.breaker = pybreaker.CircuitBreaker(fail_max=settings.llm_breaker_failures,
                                                reset_timeout=settings.llm_breaker_reset_s,
                                                exclude=[_not_an_outage], name="llm")

    @property
    def available(self) -> bool:
        """False while the circuit is open (callers skip the LLM without trying)."""
        return self.breaker.current_state != pybreaker.STATE_OPEN

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
            # No SDK retries: retries come from the item's budget and pass through the breaker.
            self._client = openai.OpenAI(base_url=base_url, api_key=key, timeout=self._settings.llm_timeout_s,
                                         max_retries=0)
        return self._client

    def structured(self, prompt_name: str, schema: type[T], *, budget: RetryBudget | None = None,
                   **values: str) -> LlmAnswer[T]:
        """Render a prompt file, ask for JSON matching `schema`, validate it. Raises LlmError
        (LlmUnavailable at once while the circuit is open). An outage is retried while `budget`
        (default: HANDOFF_LLM_MAX_RETRIES for this call alone) has retries left."""
        prompt = load_prompt(prompt_name)
        client = self._get_client()
        budget = budget if budget is not None else RetryBudget(self._settings.llm_max_retries)
        messages = [{"role": "user", "content": prompt.render(**values)}]
        with timed_llm_call(prompt_name, self._settings.llm_model) as call:
            while True:
                try:
                    completion = self.breaker.call(client.chat.completions.parse, model=self._settings.llm_model,
                                                   messages=messages, response_format=schema, temperature=0)
                    parsed = completion.choices[0].message.parsed
                    break
                except pybreaker.CircuitBreakerError:
                    call["error"] = "CircuitOpen"
                    raise LlmUnavailable("the LLM circuit is open after repeated failures; using local models") from None
                except _OUTAGES as exc:
                    if not budget.spend():
                        call["error"] = exc.__class__.__name__
                        raise LlmError(f"LLM call failed: {exc.__class__.__name__}") from None
                except (openai.OpenAIError, ValidationError, ValueError, IndexError) as exc:
                    call["error"] = exc.__class__.__name__
                    raise LlmError(f"LLM call failed: {exc.__class__.__name__}") from None
            if parsed is None:
                call["error"] = "NoParsableAnswer"
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
