"""Composition root of the adjudication service: `uvicorn medfund_adjudication.main:create_app --factory`."""

from fastapi import FastAPI

from medfund_shared.service import ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """Routers, consumers and hooks of this service (domain routes are added here as they land)."""
    return ServiceDefinition(name="adjudication", package="medfund_adjudication")


def create_app() -> FastAPI:
    return create_service_app(definition())
