"""Composition root of the adjudication service: `uvicorn medfund_adjudication.main:create_app --factory`."""

from fastapi import FastAPI

from medfund_adjudication.adapters.coverage_handlers import consumers
from medfund_adjudication.adapters.demo_data import load_demo_registry
from medfund_adjudication.api.native import router as native_router
from medfund_adjudication.api.nhsa.router import router as gateway_router
from medfund_adjudication.api.registry import router as registry_router
from medfund_adjudication.api.settlement_audit import router as audit_router
from medfund_adjudication.api.simulations import router as simulations_router
from medfund_adjudication.bootstrap import load_credentials_key, load_packs
from medfund_shared.service import ServiceDefinition, create_service_app


def definition() -> ServiceDefinition:
    """Routers, consumers and hooks of this service."""
    return ServiceDefinition(name="adjudication", package="medfund_adjudication",
                             routers=[gateway_router, native_router, registry_router, audit_router,
                                      simulations_router],
                             consumers=consumers(),
                             on_startup=[load_packs, load_credentials_key, load_demo_registry], generic_plans=True)


def create_app() -> FastAPI:
    return create_service_app(definition())
