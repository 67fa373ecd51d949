"""Notifiers: a small interface (`Notifier.send(Message)`) with an SMTP implementation (stdlib smtplib)
and a webhook one (a JSON POST), configured from Settings. A message says what is waiting and where,
with a link; never the text or anything that identifies a patient."""

from __future__ import annotations

import json
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Any, Protocol

from pydantic import BaseModel, Field

from models.settings import Settings


class Message(BaseModel):
    kind: str  # review.emergent, qa.daily
    subject: str
    text: str
    link: str | None = None
    unit: str
    queue: str | None = None
    recipients: list[str] = Field(default_factory=list)  # e-mail addresses
    usernames: list[str] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)  # codes and counts only


class Notifier(Protocol):
    name: str

    def send(self, message: Message) -> None:
        """Deliver `message` or raise; the caller retries later and records the failure."""


class NotDelivered(RuntimeError):
    pass


class SmtpNotifier:
    name = "smtp"

    def __init__(self, *, host: str, port: int = 25, sender: str, user: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def send(self, message: Message) -> None:
        if not message.recipients:
            return  # nobody of that queue has an e-mail address; the webhook (if any) still hears of it
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            for to in message.recipients:
                mail = EmailMessage()
                mail["From"], mail["To"], mail["Subject"] = self.sender, to, message.subject
                mail.set_content(message.text)
                refused = smtp.send_message(mail)
                if refused:
                    raise NotDelivered(f"the SMTP server refused {len(refused)} recipient(s)")


class WebhookNotifier:
    name = "webhook"

    def __init__(self, *, url: str, timeout: float = 10.0):
        self.url, self.timeout = url, timeout

    def send(self, message: Message) -> None:
        body = json.dumps({"event": message.kind, "unit": message.unit, "queue": message.queue,
                           "text": message.subject, "link": message.link, "usernames": message.usernames,
                           **message.meta}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": "handoff"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
            if not 200 <= response.status < 300:
                raise NotDelivered(f"the webhook answered {response.status}")


def notifiers_from(settings: Settings) -> list[Notifier]:
    """The notifiers the settings configure (SMTP and/or webhook; none when neither is set)."""
    out: list[Notifier] = []
    if settings.smtp_host:
        out.append(SmtpNotifier(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
                                user=settings.smtp_user,
                                password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
                                starttls=settings.smtp_starttls))
    if settings.notify_webhook_url:
        out.append(WebhookNotifier(url=settings.notify_webhook_url))
    return out
