"""Composition root of the billing service: `uvicorn medfund_billing.main:create_app --factory`."""

from fastapi import FastAPI

from medfund_shared.service import ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """Routers, consumers and hooks of this service (domain routes are added here as they land)."""
    return ServiceDefinition(name="billing", package="medfund_billing")


def create_app() -> FastAPI:
    return create_service_app(definition())
