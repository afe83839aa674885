"""The adjudication database: registries, coverage read model, admissions, fees, settlements, accumulators.

Money columns are integer fen (``*_fen``); yuan exist only at the edges.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.schema import Column, ForeignKey, Index, MetaData, Table, UniqueConstraint
from sqlalchemy.types import BigInteger, Boolean, Date, DateTime, Integer, Numeric, Text

from medfund_shared.cover_tables import cover_year_key

metadata = MetaData()

institutions = Table(
    "institutions", metadata,
    Column("fixmedins_code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("annual_budget_fen", BigInteger, nullable=False),
    Column("budget_year", Integer, comment="the year annual_budget_fen applies to; null: no year's budget"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("paasid", Text, unique=True, comment="the gateway signature's x-tif-paasid; one institution each"),
    Column("passtoken_encrypted", Text, comment="the signature's passtoken, Fernet-encrypted with the credentials key"),
)

gateway_nonces = Table(
    "gateway_nonces", metadata,
    Column("paasid", Text, primary_key=True),
    Column("nonce", Text, primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("gateway_nonces_by_age", "seen_at"),
    comment="x-tif-nonce values of signed gateway requests, kept for the signature window against replays",
)

gateway_sign_ins = Table(
    "gateway_sign_ins", metadata,
    Column("sign_no", Text, primary_key=True),
    Column("fixmedins_code", Text, ForeignKey("institutions.fixmedins_code"), nullable=False),
    Column("opter_no", Text, nullable=False),
    Column("mac", Text),
    Column("ip", Text),
    Column("signed_in_at", DateTime(timezone=True), nullable=False),
    Column("signed_out_at", DateTime(timezone=True)),
    comment="9001 sign-ins (9002 signs out): later gateway calls carry sign_no",
)

catalogue = Table(
    "catalogue", metadata,
    Column("med_list_codg", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("item_class", Text, nullable=False),
    Column("pric_uplmt_amt", Numeric(14, 4)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

coverage = Table(
    "coverage", metadata,
    *cover_year_key(),
    Column("admdvs", Text, nullable=False),
    Column("certno", Text, nullable=False),
    Column("psn_name", Text, nullable=False),
    Column("gend", Text, nullable=False),
    Column("brdy", Date, nullable=False),
    Column("category", Text, nullable=False),
    Column("tier", Text),
    Column("coverage_from", Date, nullable=False),
    Column("coverage_to", Date, nullable=False),
    Column("pack_id", Text, nullable=False),
    Column("suspensions", JSONB, nullable=False, server_default="[]",
           comment="[{since, until|null}] in order"),
    Column("terminated_on", Date),
    Column("category_changes", JSONB, nullable=False, server_default="[]",
           comment="[{since, category, tier|null}] in date order, from person.category_changed"),
    Index("coverage_by_certno", "certno"),
)

person_cards = Table(
    "person_cards", metadata,
    Column("psn_no", Text, primary_key=True),
    Column("ssc_no", Text, nullable=False,
           comment="social security card number (社会保障卡号), from person.registered"),
    Index("person_cards_by_ssc_no", "ssc_no"),
)

accounts = Table(
    "accounts", metadata,
    Column("psn_no", Text, primary_key=True),
    Column("balance_fen", BigInteger, nullable=False),
    comment="employees' individual account balances, credited from billing events, debited by settlements",
)

employment = Table(
    "employment", metadata,
    Column("psn_no", Text, primary_key=True),
    Column("period", Text, nullable=False, comment="YYYY-MM of the latest billing event about the employee"),
    Column("retired", Boolean, nullable=False),
    comment="employees' retired flag: a retiree_pension account credit says retired, a declared contribution "
            "says in service; the latest period wins",
)

account_credits = Table(
    "account_credits", metadata,
    Column("credit_id", Text, primary_key=True),
    Column("psn_no", Text, nullable=False),
    Column("amount_fen", BigInteger, nullable=False),
)

admissions = Table(
    "admissions", metadata,
    Column("mdtrt_id", Text, primary_key=True),
    Column("fixmedins_code", Text, ForeignKey("institutions.fixmedins_code"), nullable=False),
    Column("psn_no", Text, nullable=False),
    Column("insutype", Text, nullable=False),
    Column("med_type", Text, nullable=False),
    Column("ipt_otp_no", Text),
    Column("mdtrt_cert_type", Text, comment="the credential the person was admitted with (NHSA code)"),
    Column("begntime", DateTime(timezone=True), nullable=False),
    Column("endtime", DateTime(timezone=True)),
    Column("dscg_way", Text),
    Column("referred", Boolean, nullable=False),
    Column("disease_codes", JSONB, nullable=False, server_default="[]"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("cancelled_at", DateTime(timezone=True), comment="set when a 2601 reversed the registration"),
)

fee_details = Table(
    "fee_details", metadata,
    Column("mdtrt_id", Text, ForeignKey("admissions.mdtrt_id"), primary_key=True),
    Column("feedetl_sn", Text, primary_key=True),
    Column("med_list_codg", Text, nullable=False),
    Column("medins_list_codg", Text),
    Column("fee_ocur_time", DateTime(timezone=True)),
    Column("cnt", Numeric(16, 4), nullable=False),
    Column("pric", Numeric(16, 6), nullable=False),
    Column("det_item_fee_sumamt_fen", BigInteger, nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default="false"),
    Column("setl_id", Text, comment="the settlement that consumed this detail"),
    Column("upload_key", Text, comment="the request key (scope:institution:msgid) of the upload, for 2601"),
    Column("init_feedetl_sn", Text, comment="a refund line (negative cnt and amount): the detail it refunds"),
)

accumulators = Table(
    "accumulators", metadata,
    Column("psn_no", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("inpatient_paid_fen", BigInteger, nullable=False, server_default="0"),
    Column("inpatient_scope_cost_fen", BigInteger, nullable=False, server_default="0"),
    Column("catastrophic_burden_fen", BigInteger, nullable=False, server_default="0"),
    Column("catastrophic_paid_fen", BigInteger, nullable=False, server_default="0"),
    Column("assistance_paid_fen", BigInteger, nullable=False, server_default="0"),
    Column("outpatient_eligible_fen", BigInteger, nullable=False, server_default="0"),
    Column("outpatient_deductible_fen", BigInteger, nullable=False, server_default="0"),
    Column("outpatient_visits", Integer, nullable=False, server_default="0"),
    Column("outpatient_paid_fen", BigInteger, nullable=False, server_default="0"),
    Column("version", BigInteger, nullable=False, server_default="0",
           comment="incremented by every change: a settlement written without the row lock checks it"),
)

settlements = Table(
    "settlements", metadata,
    Column("setl_id", Text, primary_key=True),
    Column("kind", Text, nullable=False, comment="settlement | reversal"),
    Column("original_setl_id", Text, unique=True, comment="for a reversal: the settlement it takes back"),
    Column("mdtrt_id", Text, ForeignKey("admissions.mdtrt_id"), nullable=False),
    Column("medins_setl_id", Text),
    Column("fixmedins_code", Text, nullable=False),
    Column("psn_no", Text, nullable=False),
    Column("admdvs", Text, nullable=False),
    Column("insutype", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("setl_time", DateTime(timezone=True), nullable=False),
    Column("setl_date", Date, nullable=False, comment="setl_time's Beijing date, for reconciliation"),
    Column("medfee_sumamt_fen", BigInteger, nullable=False),
    Column("fund_pay_sumamt_fen", BigInteger, nullable=False),
    Column("acct_pay_fen", BigInteger, nullable=False),
    Column("pack_id", Text, nullable=False),
    Column("pack_version", Integer, nullable=False),
    Column("result", JSONB, nullable=False, comment="the engine's SettlementResult: amounts, items, trace, deltas"),
    Column("inputs", JSONB, comment="a settlement's canonical engine inputs (visit, catalogue entries, totals "
                                    "before); null for a reversal"),
    Column("receipt", Text, comment="sha256 over the inputs, the pack's content hash and the engine version"),
    Column("accumulator_version", BigInteger,
           comment="the person's year accumulators' version this row wrote: the order their totals moved; null for "
                   "rows written before migration 0015"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("fixmedins_code", "medins_setl_id", name="settlements_medins_setl_id_once"),
    Index("settlements_by_day", "setl_date", "fixmedins_code"),
    Index("settlements_by_admission", "mdtrt_id"),
    Index("settlements_newest", "setl_time", "setl_id"),
    Index("settlements_by_person", "psn_no", "setl_time"),
)
Index("settlements_by_region_year", settlements.c.admdvs, settlements.c.insutype, settlements.c.year,
      settlements.c.psn_no, settlements.c.accumulator_version.nulls_first(), settlements.c.created_at,
      settlements.c.setl_id)
"""A simulation's replay order (:func:`simulation_repo.replay_query`), read straight off the index."""

simulations = Table(
    "simulations", metadata,
    Column("simulation_id", Text, primary_key=True),
    Column("admdvs", Text, nullable=False),
    Column("insutype", Text, nullable=False, comment="the candidate pack's scheme"),
    Column("year", Integer, comment="the insurance year replayed, or null with begin_date and end_date"),
    Column("begin_date", Date),
    Column("end_date", Date),
    Column("request", Text, nullable=False, comment="the request's JSON text as sent: its pack keeps exact decimals"),
    Column("share_rise_fen", BigInteger, nullable=False),
    Column("status", Text, nullable=False, comment="queued | running | done | failed"),
    Column("processed", BigInteger, nullable=False, server_default="0"),
    Column("total", BigInteger),
    Column("result", JSONB),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
)
