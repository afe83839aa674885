"""``FakeUnitOfWork``: adjudication's use cases against in-memory repositories (fakes over mocks, no I/O).

Each fake mirrors its SQL repository class (``adapters/*_repo.py``: the methods the use cases call) over dicts; locks
are no-ops (one test, one task). The settlement's hot path (``uow.settling``) is :class:`FakeSettling`, which
reads the same dicts and applies the settlement's one write to them; the gateway's access checks
(``uow.caller_checks``) are :class:`FakeCallerChecks`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from medfund_adjudication.adapters.passtoken_cipher import PasstokenCipher
from medfund_adjudication.adapters.uow import AdjudicationUnitOfWork, Answer, RequestKey, stored_answer
from medfund_adjudication.domain.admission import Admission
from medfund_adjudication.domain.coverage import Coverage
from medfund_adjudication.domain.fee_line import FeeLine
from medfund_adjudication.domain.gateway_access import CallerRecords, SignIn
from medfund_adjudication.domain.registry import CatalogueItem, RegisteredInstitution
from medfund_adjudication.domain.settlement import Accumulators
from medfund_adjudication.domain.settlement_reading import AdmissionContext, PersonState
from medfund_adjudication.domain.settlement_record import SettlementRecord
from medfund_shared.idempotency import IdempotentRequest, StoredAnswer
from medfund_shared.money import Money
from medfund_shared.policy.pack_set import PackSet
from medfund_shared.unit_of_work import FakeUnitOfWorkBase


@dataclass
class FakeRegistry:
    institutions: dict[str, RegisteredInstitution] = field(default_factory=dict)
    catalogue: dict[str, CatalogueItem] = field(default_factory=dict)

    async def get_institution(self, fixmedins_code: str) -> RegisteredInstitution | None:
        return self.institutions.get(fixmedins_code)

    async def upsert_institution(self, inst: RegisteredInstitution) -> bool:
        changed = self.institutions.get(inst.fixmedins_code) != inst
        self.institutions[inst.fixmedins_code] = inst
        return changed

    async def upsert_catalogue_items(self, items: list[CatalogueItem]) -> None:
        self.catalogue.update({item.med_list_codg: item for item in items})

    async def catalogue_items(self, codes: set[str]) -> dict[str, CatalogueItem]:
        return {code: self.catalogue[code] for code in codes if code in self.catalogue}


@dataclass
class FakeCoverage:
    covers: dict[tuple[str, str, int], Coverage] = field(default_factory=dict)
    balances: dict[str, Money] = field(default_factory=dict)
    credits: dict[str, Money] = field(default_factory=dict)
    retirees: set[str] = field(default_factory=set)
    cards: dict[str, str] = field(default_factory=dict)
    """psn_no -> the social security card number."""
    employment_periods: dict[str, str] = field(default_factory=dict)
    """psn_no -> the latest period (``YYYY-MM``) billing's word on retirement was for."""

    async def get(self, psn_no: str, insutype: str, year: int) -> Coverage | None:
        return self.covers.get((psn_no, insutype, year))

    async def save(self, c: Coverage) -> None:
        self.covers[(c.psn_no, c.insutype, c.year)] = c

    async def retired(self, psn_no: str) -> bool:
        return psn_no in self.retirees

    async def balance(self, psn_no: str) -> Money | None:
        return self.balances.get(psn_no)

    async def record_card(self, psn_no: str, ssc_no: str) -> None:
        self.cards[psn_no] = ssc_no

    async def record_employment(self, psn_no: str, period: str, retired: bool) -> None:
        if period < self.employment_periods.get(psn_no, ""):
            return
        self.employment_periods[psn_no] = period
        if retired:
            self.retirees.add(psn_no)
        else:
            self.retirees.discard(psn_no)

    async def credit(self, credit_id: str, psn_no: str, amount: Money) -> None:
        if credit_id not in self.credits:
            self.credits[credit_id] = amount
            self.balances[psn_no] = Money(self.balances.get(psn_no, Money(0)).fen + amount.fen)


@dataclass
class FakeAdmissions:
    admissions: dict[str, Admission] = field(default_factory=dict)
    fees: dict[tuple[str, str], tuple[FeeLine, str | None]] = field(default_factory=dict)
    """(mdtrt_id, feedetl_sn) -> the line and the ``setl_id`` that settled it."""

    async def add(self, admission: Admission, ipt_otp_no: str | None) -> None:
        self.admissions[admission.mdtrt_id] = admission

    async def get(self, mdtrt_id: str, *, lock: bool = False) -> Admission | None:
        return self.admissions.get(mdtrt_id)

    async def discharge(self, mdtrt_id: str, endtime: datetime, dscg_way: str | None) -> None:
        self.admissions[mdtrt_id] = replace(self.admissions[mdtrt_id], endtime=endtime)

    async def release(self, mdtrt_id: str, setl_id: str) -> None:
        for key, (line, settled_by) in self.fees.items():
            if key[0] == mdtrt_id and settled_by == setl_id:
                self.fees[key] = (line, None)

    def unsettled(self, mdtrt_id: str) -> list[FeeLine]:
        return [line for (m, _), (line, settled_by) in sorted(self.fees.items())
                if m == mdtrt_id and settled_by is None]


@dataclass
class FakeSettlements:
    records: dict[str, SettlementRecord] = field(default_factory=dict)
    accumulators: dict[tuple[str, int], tuple[Accumulators, int]] = field(default_factory=dict)
    """(psn_no, year) -> the year's totals and their version."""
    versions: dict[str, int | None] = field(default_factory=dict)
    """setl_id -> the accumulator version its row stores."""

    async def get(self, setl_id: str, *, lock: bool = False) -> SettlementRecord | None:
        return self.records.get(setl_id)

    async def reversal_of(self, setl_id: str) -> str | None:
        return next((r.setl_id for r in self.records.values() if r.original_setl_id == setl_id), None)

    async def lock_accumulators(self, psn_no: str, year: int) -> Accumulators:
        return self.accumulators.get((psn_no, year), (Accumulators(), 0))[0]

    async def add(self, record: SettlementRecord, accumulator_version: int | None) -> None:
        self.records[record.setl_id] = record
        self.versions[record.setl_id] = accumulator_version

    async def save_accumulators(self, psn_no: str, year: int, totals: Accumulators) -> int:
        version = self.accumulators.get((psn_no, year), (Accumulators(), 0))[1] + 1
        self.accumulators[(psn_no, year)] = (totals, version)
        return version


@dataclass
class FakeGatewayAccess:
    sign_ins: dict[str, SignIn] = field(default_factory=dict)
    credentials: dict[str, tuple[str, str]] = field(default_factory=dict)
    """paasid -> (fixmedins_code, the encrypted passtoken)."""
    nonces: set[tuple[str, str]] = field(default_factory=set)

    async def add_sign_in(self, sign_in: SignIn, mac: str | None, ip: str | None) -> None:
        self.sign_ins[sign_in.sign_no] = sign_in

    async def sign_in_of(self, sign_no: str, *, lock: bool = False) -> SignIn | None:
        return self.sign_ins.get(sign_no)

    async def sign_out(self, sign_no: str, at: datetime) -> None:
        self.sign_ins[sign_no] = replace(self.sign_ins[sign_no], signed_out_at=at)

    async def holder_of_paasid(self, paasid: str) -> str | None:
        return self.credentials[paasid][0] if paasid in self.credentials else None

    async def set_credentials(self, fixmedins_code: str, paasid: str, passtoken_encrypted: str) -> None:
        self.credentials[paasid] = (fixmedins_code, passtoken_encrypted)


@dataclass
class FakeCallerChecks:
    """The driver statements of admitting a gateway call, over :class:`FakeGatewayAccess`."""

    access: FakeGatewayAccess

    async def caller_records(self, paasid: str | None, sign_no: str | None) -> CallerRecords:
        code, token = self.access.credentials.get(paasid, (None, None)) if paasid else (None, None)
        sign_in = self.access.sign_ins.get(sign_no) if sign_no else None
        return CallerRecords(code, token, sign_in and sign_in.fixmedins_code, sign_in and sign_in.signed_out_at)

    async def remember_nonce(self, paasid: str, nonce: str, now: datetime, forget_before: datetime) -> bool:
        if (paasid, nonce) in self.access.nonces:
            return False
        self.access.nonces.add((paasid, nonce))
        return True


@dataclass
class FakeSettling:
    """The settlement's reading and its one write, over the unit of work's fakes."""

    uow: FakeUnitOfWork

    async def reading(self, mdtrt_id: str, medins_setl_id: str | None,
                      request: IdempotentRequest | None) -> tuple[AdmissionContext, PersonState] | None:
        uow = self.uow
        admission = uow.admissions.admissions.get(mdtrt_id)
        if admission is None:
            return None
        year = admission.begntime.year
        stored = uow.idempotency.answers.get((request.scope, request.key)) if request else None
        used = any(r.fixmedins_code == admission.fixmedins_code and r.medins_setl_id == medins_setl_id
                   for r in uow.settlements.records.values()) if medins_setl_id else False
        context = AdmissionContext(admission, uow.registry.institutions[admission.fixmedins_code],
                                   uow.coverage.covers.get((admission.psn_no, admission.insutype, year)), used,
                                   (stored[0], stored[1].body) if stored and stored[1] is not None else None)
        totals, version = uow.settlements.accumulators.get((admission.psn_no, year), (Accumulators(), 0))
        lines = uow.admissions.unsettled(mdtrt_id)
        return context, PersonState(totals, version, uow.coverage.balances.get(admission.psn_no, Money(0)),
                                    admission.psn_no in uow.coverage.retirees,
                                    [(line.for_engine(), line.init_feedetl_sn) for line in lines],
                                    {code: item for code, item in uow.registry.catalogue.items()
                                     if code in {line.med_list_codg for line in lines}})

    async def lock_accumulators(self, psn_no: str, year: int) -> None:
        """Nothing to lock: one test, one task."""

    async def add(self, record: SettlementRecord, feedetl_sns: list[str], version: int, event_row: dict,
                  answer: tuple[IdempotentRequest, str] | None) -> bool:
        uow = self.uow
        key = (record.psn_no, record.year)
        if uow.settlements.accumulators.get(key, (Accumulators(), 0))[1] != version:
            return False
        uow.settlements.records[record.setl_id] = record
        uow.settlements.versions[record.setl_id] = version + 1
        uow.settlements.accumulators[key] = (record.result.accumulators_after, version + 1)
        for sn in feedetl_sns:
            line, _ = uow.admissions.fees[(record.mdtrt_id, sn)]
            uow.admissions.fees[(record.mdtrt_id, sn)] = (line, record.setl_id)
        if record.result.acct_pay.fen:
            await uow.coverage.credit(f"settlement:{record.setl_id}", record.psn_no,
                                      Money(-record.result.acct_pay.fen))
        uow.outbox_rows.append(event_row)
        if answer is not None:
            request, text = answer
            uow.idempotency.answers[(request.scope, request.key)] = (request.digest, StoredAnswer(200, text))
        return True


class FakeUnitOfWork(AdjudicationUnitOfWork, FakeUnitOfWorkBase):
    def __init__(self, packs: PackSet, passtokens: PasstokenCipher | None = None) -> None:
        super().__init__()
        self.packs, self.passtokens = packs, passtokens
        self.registry, self.coverage = FakeRegistry(), FakeCoverage()
        self.admissions, self.settlements = FakeAdmissions(), FakeSettlements()
        self.gateway_access = FakeGatewayAccess()
        self.outbox_rows: list[dict] = []
        """The events the hot path queued in its own statement (the others are in ``events``)."""
        self.relay_woken = 0

    @asynccontextmanager
    async def caller_checks(self) -> AsyncIterator[FakeCallerChecks]:
        yield FakeCallerChecks(self.gateway_access)

    @asynccontextmanager
    async def settling(self, *, locked: bool) -> AsyncIterator[FakeSettling]:
        yield FakeSettling(self)

    def published(self) -> None:
        self.relay_woken += 1

    async def answered(self, request: RequestKey) -> Answer | None:
        stored = self.idempotency.answers.get((request.request.scope, request.request.key))
        if stored is None or stored[1] is None:
            return None
        return stored_answer(request, stored[0], stored[1].body)

    async def first_answer(self, scope: str, key: str) -> str | None:
        stored = self.idempotency.answers.get((scope, key))
        return None if stored is None or stored[1] is None else stored[1].body
