"""The demo's calls to the four services' public HTTP APIs, each with the token of its role."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from medfund_cli.demo.gateway import HisCredentials
from medfund_cli.demo.institutions import Institution
from medfund_cli.demo.population import Household
from medfund_cli.demo.scenario import ADMDVS, INSUTYPE, YEAR
from medfund_shared.auth import issue_token
from medfund_shared.money import Money
from medfund_shared.settings import Settings

ENROLLMENT_COLUMNS = ("household_key", "admdvs", "insutype", "year", "tier", "certno", "psn_name", "gend", "brdy",
                      "category", "enrolled_on")
POLL_SECONDS = 0.5


class ServiceError(RuntimeError):
    """A service answered with an error the demo cannot continue past; ``code`` is the error body's code."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Urls:
    enrollment: str
    billing: str
    adjudication: str
    ledger: str

    @classmethod
    def local(cls, host: str = "http://127.0.0.1", first_port: int = 8001) -> Urls:
        return cls(*(f"{host}:{first_port + n}" for n in range(4)))


def token(settings: Settings, role: str, **binding: str) -> str:
    return issue_token(settings, role, binding.get("fixmedins"), binding.get("tax_office"), subject=f"demo-{role}")


def enrollment_csv(households: list[Household]) -> bytes:
    """The bulk enrollment file: one member per line, ``household_key`` groups a household."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ENROLLMENT_COLUMNS)
    for household in households:
        for person in household.members:
            writer.writerow((household.ref, ADMDVS, INSUTYPE, YEAR, household.tier, person.certno, person.psn_name,
                             person.gend, person.brdy.isoformat(), person.category, household.enrolled_on.isoformat()))
    return buffer.getvalue().encode()


def decoded(response: httpx.Response) -> Any:
    """The JSON body with numbers as ``Decimal`` (never binary floats); errors become :class:`ServiceError`."""
    if response.is_error:
        raise ServiceError(f"{response.request.method} {response.request.url.path} -> {response.status_code}: "
                           f"{response.text[:300]}", _error_code(response))
    return json.loads(response.content, parse_float=Decimal)


def _error_code(response: httpx.Response) -> str | None:
    try:
        return json.loads(response.content)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


class Services:
    """Staff, admin and tax-bureau calls (the hospital side lives in ``gateway``)."""

    def __init__(self, http: httpx.AsyncClient, urls: Urls, settings: Settings, tax_office: str) -> None:
        self.http, self.urls, self.settings = http, urls, settings
        self._admin = {"Authorization": f"Bearer {token(settings, 'admin')}"}
        self._operator = {"Authorization": f"Bearer {token(settings, 'operator')}"}
        self._tax = {"Authorization": f"Bearer {token(settings, 'tax', tax_office=tax_office)}"}

    async def ready(self, timeout: float = 60.0) -> None:
        """Wait until every service answers ``/readyz``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for url in (self.urls.enrollment, self.urls.billing, self.urls.adjudication, self.urls.ledger):
            while True:
                try:
                    if (await self.http.get(f"{url}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if loop.time() > deadline:
                    raise ServiceError(f"{url} is not ready; start the stack with `medfund stack up`")
                await asyncio.sleep(POLL_SECONDS)

    # --- enrollment -------------------------------------------------------------------------

    async def enroll(self, households: list[Household]) -> dict:
        response = await self.http.post(f"{self.urls.enrollment}/v1/enrollments/batches",
                                        content=enrollment_csv(households),
                                        headers={**self._operator, "Content-Type": "text/csv"})
        return decoded(response)

    async def set_eligible(self, eligible: int) -> dict:
        url = f"{self.urls.enrollment}/v1/regions/{ADMDVS}/years/{YEAR}/eligible-population"
        return decoded(await self.http.put(url, json={"eligible": eligible}, headers=self._operator))

    async def enrollment_statistics(self, admdvs: str = ADMDVS) -> dict:
        return decoded(await self.http.get(f"{self.urls.enrollment}/v1/statistics/enrollment",
                                           params={"admdvs": admdvs, "year": YEAR}, headers=self._operator))

    async def enroll_file(self, body: bytes) -> dict:
        """A registration file as it is (CSV with a header row)."""
        return decoded(await self.http.post(f"{self.urls.enrollment}/v1/enrollments/batches", content=body,
                                            headers={**self._operator, "Content-Type": "text/csv"}))

    async def person_by_certno(self, certno: str) -> dict:
        return decoded(await self.http.get(f"{self.urls.enrollment}/v1/persons", params={"certno": certno},
                                           headers=self._operator))

    async def person(self, psn_no: str) -> dict:
        return decoded(await self.http.get(f"{self.urls.enrollment}/v1/persons/{psn_no}", headers=self._operator))

    # --- billing ----------------------------------------------------------------------------

    async def send_tax_file(self, body: bytes, content_type: str) -> str:
        response = await self.http.post(f"{self.urls.billing}/v1/collections/batches", content=body,
                                        headers={**self._tax, "Content-Type": content_type})
        return decoded(response)["batch_id"]

    async def tax_batch_report(self, batch_id: str) -> dict:
        """Poll until billing has processed the file; its report."""
        while True:
            report = decoded(await self.http.get(f"{self.urls.billing}/v1/collections/batches/{batch_id}",
                                                 headers=self._tax))
            if report["status"] == "done":
                return report
            await asyncio.sleep(POLL_SECONDS)

    async def record_appropriation(self, body: dict) -> dict:
        """Money appropriated to a fund (medical assistance); the same body again is an idempotent replay."""
        return decoded(await self.http.post(f"{self.urls.billing}/v1/appropriations", json=body,
                                            headers=self._operator))

    async def declare(self, employer_code: str, declaration: dict, tax_office: str) -> dict:
        """An employer's month, sent by the tax office of the employer's region."""
        return decoded(await self.http.post(f"{self.urls.billing}/v1/employers/{employer_code}/declarations",
                                            json=declaration, headers=self._tax_of(tax_office)))

    async def pay(self, record: dict) -> dict:
        """One payment record of the tax feed (a flexible worker's month)."""
        return decoded(await self.http.post(f"{self.urls.billing}/v1/collections", json=record,
                                            headers=self._tax_of(record["tax_office_code"])))

    async def arrears(self, employer_code: str) -> dict:
        return decoded(await self.http.get(f"{self.urls.billing}/v1/employers/{employer_code}/arrears",
                                           headers=self._operator))

    def _tax_of(self, tax_office: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token(self.settings, 'tax', tax_office=tax_office)}"}

    async def collection_statistics(self) -> dict:
        return decoded(await self.http.get(f"{self.urls.billing}/v1/statistics/collection",
                                           params={"admdvs": ADMDVS, "year": YEAR}, headers=self._operator))

    # --- adjudication registry --------------------------------------------------------------

    async def register_institution(self, institution: Institution, credentials: HisCredentials,
                                   admdvs: str = ADMDVS) -> None:
        """The institution and the credentials its HIS signs gateway requests with."""
        decoded(await self.http.put(f"{self.urls.adjudication}/v1/institutions/{institution.code}", headers=self._admin,
                                    json={"name": institution.name, "admdvs": admdvs, "level": institution.level,
                                          "annual_budget": institution.annual_budget.to_yuan(), "budget_year": YEAR,
                                          "paasid": credentials.paasid, "passtoken": credentials.passtoken}))

    async def put_catalogue_item(self, code: str, name: str, item_class: str, ceiling: str | None) -> None:
        decoded(await self.http.put(f"{self.urls.adjudication}/v1/catalogue/{code}", headers=self._admin,
                                    json={"name": name, "class": item_class, "pric_uplmt_amt": ceiling}))

    # --- fund ledger ------------------------------------------------------------------------

    async def set_institution_budget(self, code: str, budget: Money) -> dict:
        """The ledger refuses an institution it does not know yet (404): wait for its registry event."""
        while True:
            response = await self.http.put(f"{self.urls.ledger}/v1/institutions/{code}/budget", headers=self._admin,
                                           json={"year": YEAR, "annual_budget": budget.to_yuan()})
            if response.status_code != 404:
                return decoded(response)
            await asyncio.sleep(POLL_SECONDS)

    async def set_pool_budget(self, pool_id: str, due: Money, planned: Money) -> dict:
        body = {"budget_due": due.to_yuan(), "planned_expenditure": planned.to_yuan()}
        return decoded(await self.http.put(f"{self.urls.ledger}/v1/pools/{pool_id}/budget", headers=self._admin,
                                           json=body))

    async def bring_forward(self, pool_id: str, amount: Money, voucher_no: str) -> dict:
        """The balance a fund held before the ledger kept it, carried into the pool's year (idempotent per pool)."""
        return decoded(await self.http.post(f"{self.urls.ledger}/v1/pools/{pool_id}/brought-forward",
                                            headers=self._admin, json={"amount": amount.to_yuan(),
                                                                       "voucher_no": voucher_no}))

    async def start_simulation(self, body: dict) -> str:
        """``POST /v1/simulations`` as an operator: the simulation's id (the worker replays in the background)."""
        return decoded(await self.http.post(f"{self.urls.adjudication}/v1/simulations", json=body,
                                            headers=self._operator))["simulation_id"]

    async def simulation(self, simulation_id: str) -> dict:
        return decoded(await self.http.get(f"{self.urls.adjudication}/v1/simulations/{simulation_id}",
                                           headers=self._operator))

    async def pools(self) -> list[dict]:
        return decoded(await self.http.get(f"{self.urls.ledger}/v1/pools", headers=self._operator))

    async def alerts(self, state: str | None = None) -> list[dict]:
        params = {"state": state} if state else {}
        return decoded(await self.http.get(f"{self.urls.ledger}/v1/alerts", params=params, headers=self._operator))

    def dashboard_link(self) -> str:
        """The operators' dashboard with a token in the link (valid 12 hours)."""
        return f"{self.urls.ledger}/?token={token(self.settings, 'operator')}"
