"""Sending what the outbox holds: an emergent review item to the people who work its queue, the daily
QA summary to a unit's practice managers and compliance officers. Messages carry no PHI: what is
waiting, where, by when, and a link; reading the item needs a sign-in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from agents.runtime import Runtime
from models.org import Role, roles_for_queue
from store import audit
from store import notifications as outbox
from store import org as org_store
from tools.notify import Message, Notifier, notifiers_from

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
NO_CHANNEL = "no notification channel is configured (set HANDOFF_SMTP_HOST or HANDOFF_NOTIFY_WEBHOOK_URL)"


@dataclass(frozen=True)
class Delivered:
    sent: int
    failed: int
    retrying: int
    no_channel: int = 0  # nothing to send them through: neither SMTP nor a webhook is configured


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).strftime("%H:%M UTC on %Y-%m-%d")


def build_message(conn, row: dict, *, public_url: str) -> Message:
    """The message for one outbox row, with its recipients (active people of the queue's roles)."""
    base = public_url.rstrip("/")
    if row["kind"] == "review.emergent":
        roles = roles_for_queue(row["queue"])
        people = org_store.users_with_roles(conn, unit_id=row["unit_id"], roles=sorted(roles))
        link = f"{base}/items/{row['review_item_id']}"
        queue = row["queue"].replace("_", " ")
        text = (f"An emergent item is waiting in the {queue} queue of {row['unit_name']} ({row['unit_code']}).\n"
                f"It is due by {_when(row['detail'].get('sla_due'))}.\n\nOpen it: {link}\n\n"
                "This message carries no patient information; sign in to see the item.\n")
        return Message(kind=row["kind"], subject=f"Handoff: an emergent item in {queue} ({row['unit_code']})",
                       text=text, link=link, unit=row["unit_code"], queue=row["queue"],
                       recipients=[p["email"] for p in people if p["email"]], usernames=[p["username"] for p in people],
                       meta={"priority": "emergent", "sla_due": row["detail"].get("sla_due")})
    if row["kind"] == "qa.daily":
        people = org_store.users_with_roles(conn, unit_id=row["unit_id"], roles=[Role.practice_manager, Role.compliance])
        d = row["detail"]
        link = f"{base}/dashboard"
        lines = [f"Handoff QA summary for {row['unit_code']}, {d.get('day')}:",
                 f"- outputs: {d.get('outputs', 0)} ({d.get('auto', 0)} applied automatically, {d.get('review', 0)} to review)",
                 f"- decisions: {d.get('decisions', 0)} ({d.get('overridden', 0)} overridden or rejected)",
                 f"- QA sample: {d.get('qa_reviewed', 0)} reviewed, {d.get('qa_wrong', 0)} wrong",
                 f"- open past their SLA: {d.get('sla_breaches', 0)}", "", f"Dashboard: {link}"]
        return Message(kind=row["kind"], subject=f"Handoff QA summary: {row['unit_code']} {d.get('day')}",
                       text="\n".join(lines) + "\n", link=link, unit=row["unit_code"],
                       recipients=[p["email"] for p in people if p["email"]], usernames=[p["username"] for p in people],
                       meta={k: v for k, v in d.items() if isinstance(v, (int, float, str))})
    raise ValueError(f"unknown notification kind {row['kind']!r}")


def deliver_pending(rt: Runtime, *, notifiers: list[Notifier] | None = None, limit: int = 50) -> Delivered:
    """Send pending notifications through every configured notifier; a failure is retried on the next
    run (up to MAX_ATTEMPTS), and every outcome is an audit event (no PHI)."""
    notifiers = notifiers_from(rt.settings) if notifiers is None else notifiers
    sent = failed = retrying = no_channel = 0
    with rt.pool.connection() as conn, conn.transaction():
        for row in outbox.claim_pending(conn, limit=limit):
            if not notifiers:
                # Not a delivery failure: the item still waits in its queue at its priority; the
                # dashboard says what to configure.
                outbox.finish(conn, notification_id=row["id"], status="no_channel", last_error=NO_CHANNEL)
                no_channel += 1
                continue
            message = build_message(conn, row, public_url=rt.settings.public_url)
            delivered = list(row["detail"].get("delivered") or [])
            errors = []
            for notifier in notifiers:
                if notifier.name in delivered:
                    continue  # a retry: this channel has it already
                if notifier.name == "smtp" and not message.recipients:
                    errors.append(f"smtp: nobody of the {row['queue'] or 'unit'} queue has an e-mail address")
                    continue
                try:
                    notifier.send(message)
                    delivered.append(notifier.name)
                except Exception as exc:  # noqa: BLE001 - any transport error: keep it, retry later
                    errors.append(f"{notifier.name}: {exc.__class__.__name__}")
            if not errors:
                status = "sent"
                sent += 1
            elif row["attempts"] + 1 >= MAX_ATTEMPTS:
                status = "failed"
                failed += 1
            else:
                status = "pending"
                retrying += 1
            outbox.finish(conn, notification_id=row["id"], status=status, last_error="; ".join(errors) or None,
                          delivered=delivered)
            audit.record_event(conn, actor="notifier", action=f"notification.{status}", unit_id=row["unit_id"],
                               subject=f"review_item:{row['review_item_id']}" if row["review_item_id"] else row["kind"],
                               detail={"kind": row["kind"], "recipients": len(message.recipients),
                                       "channels": [n.name for n in notifiers], "errors": errors})
    if sent or failed or retrying:
        log.info("notifications: %d sent, %d failed, %d to retry", sent, failed, retrying)
    if no_channel:
        log.warning("notifications: %d not sent: %s", no_channel, NO_CHANNEL)
    return Delivered(sent=sent, failed=failed, retrying=retrying, no_channel=no_channel)
