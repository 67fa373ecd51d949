"""The one table that wires work to agents: which handler reads an accepted item of each channel, and
which applies a reviewer's final decision on each agent's suggestions. Nothing registers itself on
import; a worker is given this table (tests give it another)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from uuid import UUID

from agents import claims, coverage, intake, noshow, referrals, remits
from agents.runtime import Runtime
from models.inbound import InboundItem

InboundHandler = Callable[[Runtime, InboundItem], None]
DecisionHandler = Callable[[Runtime, UUID], None]


@dataclass(frozen=True)
class Wiring:
    """Channel -> inbound handler, agent -> decision handler. A channel without a handler is kept and
    said plainly (`no_agent`); a decision without one stays logged."""

    inbound: Mapping[str, InboundHandler] = field(default_factory=dict)
    decisions: Mapping[str, DecisionHandler] = field(default_factory=dict)

    def with_inbound(self, channel: str, handler: InboundHandler) -> Wiring:
        """This table with `channel` read by `handler` instead (a test's stand-in, a new agent)."""
        return replace(self, inbound=MappingProxyType({**self.inbound, channel: handler}))

    def with_decision(self, agent: str, handler: DecisionHandler) -> Wiring:
        """This table with `agent`'s final decisions applied by `handler` instead."""
        return replace(self, decisions=MappingProxyType({**self.decisions, agent: handler}))


WIRING = Wiring(
    inbound=MappingProxyType({
        "fax": intake.handle_inbound,
        "message": intake.handle_inbound,
        "referral": intake.handle_inbound,
        "claim": claims.handle_inbound,
        "eligibility": coverage.handle_eligibility,  # X12 271 answers
        "enrollment": coverage.handle_enrollment,  # X12 834
        "remit": remits.handle_remit,  # X12 835
        "claim_status": remits.handle_claim_status,  # X12 277
        # "appointments": bookings are loaded by `handoff ingest appointments`; no agent reads the item.
    }),
    decisions=MappingProxyType({
        intake.AGENT: intake.apply_decision,
        noshow.AGENT: noshow.apply_decision,
        claims.AGENT: claims.apply_decision,  # a corrected version (checked again), a hold, or ready
        referrals.AGENT: referrals.apply_decision,  # a person confirms (or not) a document's attach to a case
    }),
)
