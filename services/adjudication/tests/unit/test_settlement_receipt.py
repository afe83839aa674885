"""A settlement's receipt and its replay: the stored inputs give back the engine's arguments, the receipt names
inputs, pack and engine, and a replay compares every leaf of the result."""

import hashlib
import json
from dataclasses import replace
from datetime import date

from medfund_adjudication.domain.settlement import Accumulators, settle
from medfund_adjudication.domain.settlement.receipt import (
    ENGINE_VERSION,
    SettlementInputs,
    canonical,
    inputs_from,
    receipt_of,
)
from medfund_adjudication.domain.settlement.replay import DIFFERENT, EQUAL, ReplayVerdict, compare
from medfund_shared.money import Money


def _dibao_stay(build, amount):
    return build.visit("211302", "21", [build.fee("1", "A", amount), build.fee("2", "B", "100")],
                       level="tertiary", born=date(1976, 1, 1), category="dibao")


def test_stored_inputs_give_back_the_engines_arguments(catalogue, build):
    ytd = Accumulators(inpatient_paid=Money(6_000_000), outpatient_visits=3)
    inputs = SettlementInputs(_dibao_stay(build, "100000"), dict(catalogue), ytd)
    stored = canonical(inputs)
    again = inputs_from(stored)
    assert again.visit == inputs.visit and again.accumulators_before == ytd
    assert {code: again.catalogue[code] for code in stored["catalogue"]} == {
        code: catalogue[code] for code in stored["catalogue"]}
    assert canonical(again) == stored


def test_the_receipt_changes_with_the_inputs_the_pack_and_the_engine(catalogue, build):
    stored = canonical(SettlementInputs(_dibao_stay(build, "100000"), dict(catalogue), Accumulators()))
    other = canonical(SettlementInputs(_dibao_stay(build, "100000.01"), dict(catalogue), Accumulators()))
    receipt = receipt_of(stored, "pack-hash-a")
    assert receipt.startswith("sha256:") and len(receipt) == len("sha256:") + 64
    assert receipt == receipt_of(canonical(inputs_from(stored)), "pack-hash-a", ENGINE_VERSION)
    assert len({receipt, receipt_of(other, "pack-hash-a"), receipt_of(stored, "pack-hash-b"),
                receipt_of(stored, "pack-hash-a", "another-engine")}) == 4


def test_a_replay_under_the_same_pack_is_equal_leaf_by_leaf(packs, catalogue, build):
    visit = _dibao_stay(build, "100000")
    pack = packs.in_force("211302", visit.person.insutype, visit.admission_date)
    recorded = settle(visit, pack, catalogue, Accumulators())
    inputs = inputs_from(canonical(SettlementInputs(visit, dict(catalogue), Accumulators())))
    again = settle(inputs.visit, pack, inputs.catalogue, inputs.accumulators_before)
    fields = compare(recorded, again)
    assert all(f.equal for f in fields)
    assert {"hifp_pay", "setldetail.count", "setldetail[2].fund_payamt",
            "accumulators_after.assistance_paid"} <= {f.field for f in fields}
    receipt = receipt_of(canonical(inputs), pack.content_hash)
    assert ReplayVerdict(receipt, receipt, fields).verdict == EQUAL


def test_a_changed_amount_or_receipt_is_different_and_named(packs, catalogue, build):
    visit = _dibao_stay(build, "100000")
    pack = packs.in_force("211302", visit.person.insutype, visit.admission_date)
    recorded = settle(visit, pack, catalogue, Accumulators())
    tampered = replace(recorded, hifp_pay=recorded.hifp_pay + Money(1), setldetail=recorded.setldetail[:1])
    verdict = ReplayVerdict("sha256:x", "sha256:x", compare(tampered, recorded))
    assert verdict.verdict == DIFFERENT
    assert {f.field for f in verdict.differences} >= {"hifp_pay", "setldetail.count", "setldetail[1].fund_payamt"}
    assert ReplayVerdict("sha256:x", "sha256:y", compare(recorded, recorded)).verdict == DIFFERENT


def test_the_receipt_is_the_sha256_of_the_documented_canonical_text(catalogue, build):
    stored = canonical(SettlementInputs(_dibao_stay(build, "100000"), dict(catalogue), Accumulators()))
    text = json.dumps({"inputs": stored, "pack_hash": "pack-hash-a", "engine_version": ENGINE_VERSION},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert receipt_of(stored, "pack-hash-a") == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
