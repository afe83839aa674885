"""Bearer JWT (HS256) authentication and role checks as FastAPI dependencies."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Literal

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from medfund_shared.errors import ApiError
from medfund_shared.rate_limit import RequestLimits
from medfund_shared.settings import Settings

Role = Literal["admin", "operator", "his", "tax"]
ROLES: tuple[str, ...] = ("admin", "operator", "his", "tax")
ALGORITHM = "HS256"
_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True, slots=True)
class Principal:
    role: str
    subject: str
    fixmedins_code: str | None = None
    tax_office_code: str | None = None

    def ensure_fixmedins(self, fixmedins_code: str) -> None:
        """A hospital acts only for itself; staff roles may act for any."""
        if self.role == "his" and self.fixmedins_code != fixmedins_code:
            raise ApiError(403, "forbidden", "this token belongs to another institution", "fixmedins_code")

    def ensure_tax_office(self, tax_office_code: str) -> None:
        if self.role == "tax" and self.tax_office_code != tax_office_code:
            raise ApiError(403, "forbidden", "this token belongs to another tax office", "tax_office_code")


class TokenRequestError(ValueError):
    """A token was requested with a role lacking its binding (his without hospital, tax without office)."""


def issue_token(settings: Settings, role: str, fixmedins_code: str | None = None,
                tax_office_code: str | None = None, ttl: timedelta = timedelta(hours=12),
                subject: str | None = None) -> str:
    if role not in ROLES:
        raise TokenRequestError(f"role must be one of {', '.join(ROLES)}")
    if role == "his" and not fixmedins_code:
        raise TokenRequestError("a his token needs the hospital's fixmedins code")
    if role == "tax" and not tax_office_code:
        raise TokenRequestError("a tax token needs the tax office code")
    now = datetime.now(UTC)
    claims = {"role": role, "sub": subject or fixmedins_code or tax_office_code or role,
              "iat": now, "exp": now + ttl}
    if role == "his":
        claims["fixmedins_code"] = fixmedins_code
    if role == "tax":
        claims["tax_office_code"] = tax_office_code
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> Principal:
    """The token's principal; its expiry is checked on every call, its signature once per token."""
    principal, expires = _verified(settings.jwt_secret, token)
    if expires <= time.time():
        raise _unauthorized("token expired")
    return principal


@lru_cache(maxsize=4096)
def _verified(secret: str, token: str) -> tuple[Principal, float]:
    """A verified token's principal and expiry. Cached: a HIS sends the same token with every settlement, and
    verifying it cost as much as a tenth of one. Refusals raise, so they are never cached."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "role"]})
    except jwt.ExpiredSignatureError:
        raise _unauthorized("token expired") from None
    except jwt.InvalidTokenError:
        raise _unauthorized("invalid token") from None
    principal = Principal(claims["role"], str(claims.get("sub", "")), claims.get("fixmedins_code"),
                          claims.get("tax_office_code"))
    if principal.role not in ROLES or (principal.role == "his" and not principal.fixmedins_code) \
            or (principal.role == "tax" and not principal.tax_office_code):
        raise _unauthorized("token claims are incomplete")
    return principal, float(claims["exp"])


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _principal(request: Request, token: str | None) -> Principal:
    """The token's principal, within the limits of a running service (``app.state.limits``): a client address
    that failed too often is refused before its token is read, and each token and institution has a rate."""
    if not token:
        raise ApiError(401, "unauthorized", "bearer token required", headers={"WWW-Authenticate": "Bearer"})
    limits: RequestLimits | None = getattr(request.app.state, "limits", None)
    if limits is None:
        return decode_token(request.app.state.settings, token)
    source = client_source(request)
    limits.check_failures(source)
    try:
        principal = decode_token(request.app.state.settings, token)
    except ApiError:
        limits.record_failure(source)
        raise
    limits.admit(token, principal.fixmedins_code)
    return principal


def client_source(request: Request) -> str:
    """The key failed authentications are counted under: the client's address (a proxy's, behind one)."""
    return f"address:{request.client.host if request.client else 'unknown'}"


def _with_role(principal: Principal, roles: Collection[str]) -> Principal:
    if principal.role not in roles:
        raise ApiError(403, "forbidden", f"requires role {' or '.join(roles)}")
    return principal


async def current_principal(request: Request,
                            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The caller, from ``Authorization: Bearer``; 401 when missing, malformed or expired."""
    return _principal(request, credentials.credentials if credentials is not None else None)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str):
    """Dependency factory: 403 unless the caller has one of ``roles``."""
    async def dependency(principal: CurrentPrincipal) -> Principal:
        return _with_role(principal, roles)
    return dependency


def authenticate(request: Request, roles: Collection[str]) -> Principal:
    """What ``Depends(require_roles(*roles))`` resolves, for a route that resolves its caller itself."""
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    return _with_role(_principal(request, token if scheme.lower() == "bearer" else None), roles)


AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]
StaffPrincipal = Annotated[Principal, Depends(require_roles("admin", "operator"))]
HisPrincipal = Annotated[Principal, Depends(require_roles("his"))]
TaxPrincipal = Annotated[Principal, Depends(require_roles("tax"))]
