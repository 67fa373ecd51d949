"""The review pages: queues, the next item, an item with its evidence, and the decision form."""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.access import roles_for_queue
from api.deps import Conn, CurrentPrincipal, RuntimeDep
from api.errors import BadInput, Forbidden, ServiceError
from api.pages.common import SCALAR, PageRoute, committed, none_if_blank, render
from api.services import review as review_service
from models.governance import DecisionAction
from models.org import User
from models.review import REASON_CODES, DecisionIn, ReviewItemView, editable_fields

router = APIRouter(route_class=PageRoute, include_in_schema=False, default_response_class=HTMLResponse)


QueueName = Annotated[str, FastPath(pattern=r"^[a-z_]{2,40}$", description="a queue, e.g. nursing")]


def _back_to_queue(queue: str, msg: str) -> RedirectResponse:
    ok = 2 <= len(queue) <= 40 and all(c.islower() or c == "_" for c in queue)
    return RedirectResponse(f"/queues/{queue}?msg={msg}" if ok else f"/queues?msg={msg}", status_code=303)


def _works_queue(user: User, queue: str) -> bool:
    return any(r.role in roles_for_queue(queue) for r in user.roles)


@router.get("/queues")
def queues(request: Request, principal: CurrentPrincipal, conn: Conn) -> Response:
    rows = review_service.list_queues(conn, user=principal.user)
    return render(request, "queues.html", {"title": "Queues", "queues": rows})


@router.get("/queues/{queue}")
def queue_page(request: Request, queue: QueueName, principal: CurrentPrincipal, conn: Conn) -> Response:
    if not _works_queue(principal.user, queue):
        raise Forbidden(f"Your role does not work the {queue} queue.", field="queue")
    rows = [q for q in review_service.list_queues(conn, user=principal.user) if q.queue == queue]
    return render(request, "queue.html", {"title": f"Queue: {queue}", "queue": queue, "rows": rows})


@router.post("/queues/{queue}/next")
def take_next(queue: QueueName, principal: CurrentPrincipal, conn: Conn,
              give_back: str = Form("", max_length=40)) -> Response:
    # Claim first, then give back the item being skipped, so the skipped item is not handed out again.
    item = review_service.claim_next(conn, user=principal.user, queue=queue)
    skipped = none_if_blank(give_back)
    released = False
    if skipped:
        try:
            review_service.release(conn, user=principal.user, item_id=UUID(skipped))
            released = True
        except (ValueError, ServiceError):
            pass  # already decided, expired or not ours: nothing to give back
    if item is None:
        return committed(conn, _back_to_queue(queue, "released" if released else "empty"))
    return committed(conn, RedirectResponse(f"/items/{item.id}", status_code=303))


# Values the intake agent sets for its own bookkeeping: shown, never edited in an override.
INTERNAL_KEYS = frozenset({"classifier_urgency", "patient_match", "patient_mrn", "duplicates", "pages", "missing",
                           "categories", "claim_row_id", "claim_version", "rejected"})


def _item_context(item: ReviewItemView, user: User) -> dict[str, Any]:
    value = item.value or {}
    evidence = [e.model_dump() for e in item.evidence or []]
    source_text = item.source_text or next(
        (value[k] for k in ("source_text", "text") if isinstance(value.get(k), str)), None)
    scalars = {k: v for k, v in value.items() if isinstance(v, SCALAR) and k not in ("source_text", "text")}
    # The intake agent nests what it extracted under "fields"; those are what a reviewer corrects most.
    nested = value.get("fields") if isinstance(value.get("fields"), dict) else {}
    held = item.status.value == "in-progress" and item.holder == user.username
    editable = {f.key: f for f in editable_fields(item.agent, item.kind)}
    if editable:
        # Label fields become selects from their allowed sets; the agent's own bookkeeping is not editable.
        form_scalars = {k: v for k, v in scalars.items() if k in editable}
    else:
        form_scalars = {k: v for k, v in scalars.items() if k not in INTERNAL_KEYS}
    pages = None
    if item.channel == "fax" and item.source_pages and "document_text" in item.shown:
        pages = list(range(item.source_pages[0], item.source_pages[1] + 1))
    return {
        "title": f"Review: {item.label or item.kind}",
        "item": item,
        "value": value,
        "summary": value.get("summary") if isinstance(value.get("summary"), str) else None,
        # What the page shows elsewhere (summary, text; a claim's findings and fixes) is not repeated here.
        "fields": {k: v for k, v in value.items() if k not in ("summary", "source_text", "text")
                   and not (k == "fields" and nested)
                   and not (item.agent == "claims" and k in ("findings", "fixes", "claim_row_id"))},
        "extracted": nested,
        "scalars": form_scalars,
        "choices": {k: f.choices for k, f in editable.items() if f.choices and not f.many},
        "editable": editable,
        "nested_scalars": {k: v for k, v in nested.items() if isinstance(v, SCALAR)} if (
            not editable or "fields" in editable) else {},
        "source_segments": highlight(source_text, evidence) if source_text else None,
        "evidence": evidence,
        "held_by_me": held,
        "similar": item.similar_cases,
        "reason_codes": {a.value: codes for a, codes in REASON_CODES.items()},
        "original_value": json.dumps(value, default=str),
        "original_claim": json.dumps(item.claim, default=str) if item.claim else None,
        "findings": value.get("findings") if isinstance(value.get("findings"), list) else [],
        "fixes": value.get("fixes") if isinstance(value.get("fixes"), list) else [],
        "actions": value.get("actions") if isinstance(value.get("actions"), list) else [],
        "page_numbers": pages,
        "json": lambda v: json.dumps(v, default=str, ensure_ascii=False),
    }


@router.get("/items/{item_id}/pages/{page}.png", response_class=Response)
def page_image(item_id: UUID, page: Annotated[int, FastPath(ge=1, le=500)], principal: CurrentPrincipal, conn: Conn,
               runtime: RuntimeDep) -> Response:
    """A fax page with the evidence boxed, rendered on request (never cached: it holds PHI)."""
    from api.services.documents import page_png

    png = page_png(conn, runtime, user=principal.user, item_id=item_id, page=page)
    conn.commit()
    return Response(png, media_type="image/png")


@router.get("/items/{item_id}")
def item_page(request: Request, item_id: UUID, principal: CurrentPrincipal, conn: Conn) -> Response:
    item = review_service.read_item(conn, user=principal.user, item_id=item_id)
    return render(request, "item.html", _item_context(item, principal.user))


def _typed(original: Any, raw: str, *, field: str) -> Any:
    """A form's text back in the type the field had, so an override keeps the value's shape."""
    raw = raw.strip()
    if isinstance(original, bool):
        if raw not in ("true", "false"):
            raise BadInput(f"{field}: choose true or false", field=field)
        return raw == "true"
    if isinstance(original, int):
        try:
            return int(raw)
        except ValueError:
            raise BadInput(f"{field}: a whole number", field=field) from None
    if isinstance(original, float):
        try:
            return float(raw)
        except ValueError:
            raise BadInput(f"{field}: a number", field=field) from None
    if original is None and raw == "":
        return None
    return raw


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _claim_from_form(form: FormData) -> dict[str, Any]:
    """The corrected claim: the claim as checked with the biller's edits (diagnoses, authorization,
    and each line's code, modifiers, units, charge and diagnosis pointers)."""
    try:
        claim = json.loads(str(form.get("original_claim") or ""))
    except ValueError:
        raise BadInput("the form lost the claim; open the item again", field="original_claim") from None
    if not isinstance(claim, dict):
        raise BadInput("the form lost the claim; open the item again", field="original_claim")

    def items(name: str) -> list[str]:
        return [x.strip() for x in str(form.get(name) or "").replace(";", ",").split(",") if x.strip()]

    if form.get("c__diagnoses") is not None:
        claim["diagnoses"] = items("c__diagnoses")
    if form.get("c__prior_auth_number") is not None:
        claim["prior_auth_number"] = none_if_blank(str(form.get("c__prior_auth_number")))
    for line in claim.get("service_lines") or []:
        n = line.get("line_number")
        for key in ("code", "units", "charge"):
            sent = form.get(f"l{n}__{key}")
            if isinstance(sent, str):
                line[key] = sent.strip() or (None if key == "charge" else line.get(key))
        if form.get(f"l{n}__modifiers") is not None:
            line["modifiers"] = items(f"l{n}__modifiers")
        if form.get(f"l{n}__pointers") is not None:
            try:
                line["diagnosis_pointers"] = [int(p) for p in items(f"l{n}__pointers")]
            except ValueError:
                raise BadInput(f"line {n}: diagnosis pointers are numbers like 1,2", field=f"l{n}__pointers") from None
    return claim


def _override_for(agent: str, form: FormData) -> dict[str, Any]:
    """The override as the form states it, by agent: a claim's correction (or 'submit as is'), the
    no-show actions chosen, or the item's value with the reviewer's edits."""
    if agent == "claims":
        if form.get("submit_as_is"):
            return {"submit_as_is": True}
        return {"claim": _claim_from_form(form)}
    if agent == "noshow" and form.get("actions_shown"):
        new = _override_value(form)
        new["actions"] = [str(a) for a in form.getlist("actions")]
        return new
    return _override_value(form)


def _override_value(form: FormData) -> dict[str, Any]:
    """The corrected value: the item's value with the reviewer's edits to its top-level scalar fields."""
    try:
        original = json.loads(str(form.get("original_value") or "{}"))
    except ValueError:
        raise BadInput("the form lost the item's value; open the item again", field="original_value") from None
    if not isinstance(original, dict):
        raise BadInput("the form lost the item's value; open the item again", field="original_value")
    new = dict(original)
    for key, old in original.items():
        sent = form.get(f"v__{key}")
        if isinstance(sent, str) and isinstance(old, SCALAR):
            new[key] = _typed(old, sent, field=key)
    if isinstance(original.get("fields"), dict):
        nested = dict(original["fields"])
        for key, old in original["fields"].items():
            sent = form.get(f"f__{key}")
            if isinstance(sent, str) and isinstance(old, SCALAR):
                nested[key] = _typed(old, sent, field=f"fields.{key}")
        new["fields"] = nested
    return new


@router.post("/items/{item_id}/decision")
def decide(request: Request, item_id: UUID, principal: CurrentPrincipal, conn: Conn, form: FormDep) -> Response:
    action = str(form.get("action") or "")
    try:
        agent = review_service.agent_of_item(conn, user=principal.user, item_id=item_id)
        new_value = _override_for(agent, form) if action == DecisionAction.override.value else None
        decision = DecisionIn(action=action, reason_code=str(form.get("reason_code") or ""),
                              note=none_if_blank(str(form.get("note") or "")), new_value=new_value,
                              item_version=int(str(form.get("item_version") or "0")))
    except BadInput as exc:
        return _item_with_error(request, conn, principal.user, item_id, 422, exc.detail)
    except ValidationError as exc:
        msgs = [str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()]
        return _item_with_error(request, conn, principal.user, item_id, 422, "; ".join(msgs))
    except ValueError:
        return _item_with_error(request, conn, principal.user, item_id, 422,
                                "the form lost the item's version; open the item again")
    try:
        out = review_service.decide(conn, user=principal.user, item_id=item_id, decision=decision)
    except ServiceError as exc:
        conn.rollback()
        if exc.status == 404:
            raise
        return _item_with_error(request, conn, principal.user, item_id, exc.status, exc.detail)
    msg = "escalated" if out.escalated else ("decided" if out.final else "second_review")
    return committed(conn, _back_to_queue(str(form.get("queue") or ""), msg))


def _item_with_error(request: Request, conn, user: User, item_id: UUID, status: int, error: str) -> Response:
    item = review_service.read_item(conn, user=user, item_id=item_id)
    return render(request, "item.html", {**_item_context(item, user), "error": error}, status=status)


@router.post("/items/{item_id}/release")
def release(item_id: UUID, principal: CurrentPrincipal, conn: Conn, queue: str = Form("", max_length=40)) -> Response:
    review_service.release(conn, user=principal.user, item_id=item_id)
    return committed(conn, _back_to_queue(queue, "released"))


def highlight(text: str, evidence: list[dict]) -> list[tuple[str, bool]]:
    """Split `text` into (segment, highlighted) parts: evidence spans by offsets when they fit the text,
    else by the span's quoted text found in it."""
    marks: list[tuple[int, int]] = []
    for ev in evidence:
        start, end, quoted = ev.get("start"), ev.get("end"), ev.get("text")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) and (
                not quoted or text[start:end] == quoted):
            marks.append((start, end))
        elif quoted and quoted in text:
            at = text.index(quoted)
            marks.append((at, at + len(quoted)))
    merged: list[list[int]] = []
    for s, e in sorted(marks):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    if pos < len(text):
        out.append((text[pos:], False))
    return out
