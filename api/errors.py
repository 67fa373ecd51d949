"""Errors that service functions raise and the API turns into HTTP with a JSON body."""

from __future__ import annotations

from pydantic import BaseModel


class ErrorBody(BaseModel):
    detail: str
    field: str | None = None


class ServiceError(Exception):
    status = 400

    def __init__(self, detail: str, *, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.field = field

    def body(self) -> dict:
        return ErrorBody(detail=self.detail, field=self.field).model_dump(exclude_none=True)


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class BadInput(ServiceError):
    status = 422


class TooManyRequests(ServiceError):
    status = 429


# For OpenAPI: the error shapes each route may return.
ERROR_RESPONSES = {
    401: {"model": ErrorBody, "description": "Not signed in (no valid session or token)."},
    403: {"model": ErrorBody, "description": "Signed in, but your role may not do this."},
    404: {"model": ErrorBody, "description": "Not found, or not in a unit you may see."},
    422: {"description": "The request is malformed; `errors` names each field."},
}
