"""The demo's closing report: what the services say now, beside what the demo sent them."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from medfund_cli.demo.employee_district import DISTRICT, DistrictStory
from medfund_cli.demo.institutions import Institution
from medfund_cli.demo.runner import Story
from medfund_cli.demo.scenario import ADMDVS, YEAR, county_pack
from medfund_cli.demo.services import Services
from medfund_cli.demo.whatif_example import worked_example
from medfund_shared.money import Money
from medfund_shared.settings import Settings

DEFAULT_BOOTSTRAP = Settings.model_fields["kafka_bootstrap"].default


def alerts_tail_command(settings: Settings) -> str:
    """The ``medfund alerts tail`` line that follows this stack's topic (prefix and broker when not the default)."""
    prefix = f"MEDFUND_TOPIC_PREFIX={settings.topic_prefix} " if settings.topic_prefix else ""
    broker = f" --bootstrap {settings.kafka_bootstrap}" if settings.kafka_bootstrap != DEFAULT_BOOTSTRAP else ""
    return f"{prefix}medfund alerts tail{broker}"


@dataclass
class Summary:
    scale: int
    households: int
    enrolled: int
    insured: int
    eligible: int
    coverage_rate: str | None
    tax_lines: int
    tax_accepted: int
    tax_duplicates: int
    tax_rejected: int
    tax_rejections_by_code: dict[str, int]
    collected: str
    collection_rate: str | None
    settled: int
    reversed: int
    refused_uncovered: int
    """People without cover refused at the gateway (people, not attempts)."""
    refused_unexpected: int
    """Covered people refused, or uncovered people settled (people, not attempts)."""
    refusal_attempts: int
    encounters_by_kind: dict[str, int]
    medical_costs: str
    fund_payments: str
    fund_payments_by_fund: dict[str, str]
    pools: list[dict]
    """Every pool of the county and year: income, expenditure, balance, payable (390200 is financed by the pooled
    fund per covered person, 610100 by the appropriations)."""
    appropriations: dict[str, str]
    """Recorded to medical assistance (610100), by source."""
    alerts_firing: list[dict]
    alerts_resolved: list[dict]
    alert_changes_on_topic: int
    alert_changes_by_rule: dict[str, int]
    hot_institution: dict
    institutions: list[dict]
    """Each institution's global budget (the raised one for the story's institution) and fund payments."""
    dashboard: str
    alerts_tail: str
    refusal_samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    employee_district: dict = field(default_factory=dict)
    """Zhenjiang (321100) under the employee scheme: members, contributions, account settlements, its pools."""
    worked_example: dict = field(default_factory=dict)
    """The what-if (issue 25): the year replayed with one ratio raised, its cost per fund and the pooled fund's
    reserve (docs/simulations.md)."""

    def to_dict(self) -> dict:
        return asdict(self)


async def gather(story: Story, api: Services, alert_changes: list[dict]) -> Summary:
    """Read enrollment, billing and ledger figures now; combine them with the demo's own tally."""
    tally, hot = story.tally, story.hot
    enrollment = await api.enrollment_statistics()
    collection = await api.collection_statistics()
    pools = [p for p in await api.pools() if p["admdvs"] == ADMDVS and int(p["year"]) == YEAR]
    firing, resolved = await api.alerts("firing"), await api.alerts("resolved")
    return Summary(
        scale=story.scenario.scale, households=tally.households, enrolled=int(enrollment["enrolled"]),
        insured=int(enrollment["insured"]), eligible=int(enrollment["eligible"] or 0),
        coverage_rate=enrollment.get("coverage_rate"), tax_lines=tally.tax_lines_sent, tax_accepted=tally.tax_accepted,
        tax_duplicates=tally.tax_duplicates, tax_rejected=len(tally.tax_rejected),
        tax_rejections_by_code=dict(Counter(r["code"] for r in tally.tax_rejected)),
        collected=str(collection["collected"]), collection_rate=collection.get("collection_rate"),
        settled=tally.settled, reversed=tally.reversed, refused_uncovered=len(tally.refused_uncovered),
        refused_unexpected=len(tally.refused_unexpected), refusal_attempts=tally.refusal_attempts,
        encounters_by_kind=dict(tally.kinds),
        medical_costs=tally.medfee.to_yuan(), fund_payments=tally.fund_paid.to_yuan(),
        fund_payments_by_fund={k: v.to_yuan() for k, v in sorted(tally.by_fund.items())},
        pools=[{**{k: str(p[k]) for k in ("pool_id", "income", "expenditure", "balance", "payable")},
                "elapsed_fraction": str((p.get("measures") or {}).get("elapsed_fraction", ""))} for p in pools],
        appropriations={source: amount.to_yuan() for source, amount in story.appropriated.items()},
        alerts_firing=[_alert(a) for a in firing], alerts_resolved=[_alert(a) for a in resolved],
        alert_changes_on_topic=len(alert_changes),
        alert_changes_by_rule=dict(Counter(a["rule"] for a in alert_changes)),
        hot_institution={"code": hot.code, "name": hot.name, "budget": hot.annual_budget.to_yuan(),
                         "fund_paid": tally.by_institution.get(hot.code, Money.zero()).to_yuan(),
                         "raised_to": story.raised_to.to_yuan() if story.raised_to else None},
        institutions=[_institution(i, story) for i in story.institutions],
        dashboard=story.dashboard, alerts_tail=alerts_tail_command(api.settings),
        refusal_samples=list(tally.refusal_samples), notes=list(story.notes),
        employee_district=await _district(story.district, api),
        worked_example=await worked_example(api, county_pack(story.scenario), YEAR),
    )


async def _district(district: DistrictStory | None, api: Services) -> dict:
    if district is None:
        return {}
    pools = [p for p in await api.pools() if p["admdvs"] == DISTRICT and int(p["year"]) == YEAR]
    kinds = Counter(m.kind for m in district.members)
    return {"admdvs": DISTRICT, "members": dict(kinds), "covered": district.covered, "refusals": district.refusals,
            "declarations": district.declarations, "flexible_payments": district.flexible_payments,
            "settlements": district.settlements, "notes": district.notes, "stays": district.stays,
            "brought_forward": district.brought_forward.to_yuan(),
            "pools": [{k: str(p[k]) for k in ("pool_id", "income", "expenditure", "balance", "payable")}
                      for p in sorted(pools, key=lambda p: p["pool_id"])]}


def _institution(institution: Institution, story: Story) -> dict:
    budget = story.raised_to if institution is story.hot and story.raised_to else institution.annual_budget
    paid = story.tally.by_institution.get(institution.code, Money.zero())
    return {"code": institution.code, "name": institution.name, "level": institution.level,
            "budget": budget.to_yuan(), "fund_paid": paid.to_yuan(),
            "use": str((paid.to_decimal() / budget.to_decimal()).quantize(Decimal("0.0001")))}


def _alert(alert: dict) -> dict:
    return {k: str(alert[k]) for k in ("rule", "subject_id", "severity", "state", "measure", "threshold")}


def render(summary: Summary, console: Console) -> None:
    console.rule(f"[bold]Shizhu county {ADMDVS}, insurance year {YEAR}: the demo's summary")
    people = Table.grid(padding=(0, 2))
    people.add_row("households", f"{summary.households:,}")
    people.add_row("persons enrolled / covered", f"{summary.enrolled:,} / {summary.insured:,}"
                   f" of {summary.eligible:,} eligible (参保率 {_percent(summary.coverage_rate)})")
    people.add_row("tax feed", f"{summary.tax_lines:,} lines: {summary.tax_accepted:,} accepted, "
                   f"{summary.tax_duplicates:,} duplicates, {summary.tax_rejected:,} rejected "
                   f"{summary.tax_rejections_by_code}")
    people.add_row("collected", f"{_yuan(summary.collected)} yuan (征缴率 {_percent(summary.collection_rate)})")
    people.add_row("settlements", f"{summary.settled:,} ({_kinds(summary.encounters_by_kind)}), "
                   f"{summary.reversed} reversed; refused: {summary.refused_uncovered} people without cover"
                   + (f", {summary.refused_unexpected} covered people" if summary.refused_unexpected else "")
                   + f" ({summary.refusal_attempts} attempts)")
    by_fund = ", ".join(f"{k} {_yuan(v)}" for k, v in summary.fund_payments_by_fund.items())
    people.add_row("medical costs / fund payments",
                   f"{_yuan(summary.medical_costs)} / {_yuan(summary.fund_payments)} yuan ({by_fund})")
    console.print(people)
    pools = Table("pool", "income", "expenditure", "balance", "payable", "ledger's elapsed year",
                  title="pools (GET /v1/pools)")
    for pool in summary.pools:
        pools.add_row(pool["pool_id"], *(_yuan(pool[k]) for k in ("income", "expenditure", "balance", "payable")),
                      pool["elapsed_fraction"])
    console.print(pools)
    appropriated = ", ".join(f"{source} {_yuan(amount)}" for source, amount in summary.appropriations.items())
    console.print(f"income of medical assistance (610100): appropriations {appropriated or 'none'} yuan; "
                  "catastrophic insurance (390200): transferred from the pooled fund per covered person")
    alerts = Table("rule", "subject", "severity", "state", "measure", "threshold",
                   title=f"alerts (ledger); {summary.alert_changes_on_topic} changes on the topic "
                         f"{summary.alert_changes_by_rule}")
    for alert in summary.alerts_firing + summary.alerts_resolved:
        alerts.add_row(alert["rule"], alert["subject_id"], alert["severity"], alert["state"], alert["measure"],
                       alert["threshold"])
    console.print(alerts)
    budgets = Table("institution", "level", "global budget", "fund payments", "use", title="global budgets (总额控制)")
    for institution in summary.institutions:
        budgets.add_row(f"{institution['name']} ({institution['code']})", institution["level"],
                        _yuan(institution["budget"]), _yuan(institution["fund_paid"]),
                        _percent(institution["use"]))
    console.print(budgets)
    hot = summary.hot_institution
    console.print(f"{hot['name']} ({hot['code']}): global budget {_yuan(hot['budget'])}, fund payments "
                  f"{_yuan(hot['fund_paid'])}; the operator raised the budget to {_yuan(hot['raised_to'] or '0')}")
    _render_district(summary.employee_district, console)
    _render_worked_example(summary.worked_example, console)
    for sample in summary.refusal_samples:
        console.print(f"refused at the gateway: {sample}")
    for note in summary.notes:
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"dashboard: [link={summary.dashboard}]{summary.dashboard}[/link]")
    console.print(f"follow the alerts: [bold]{summary.alerts_tail}[/]")


def _render_worked_example(example: dict, console: Console) -> None:
    if not example:
        return
    console.rule(f"[bold]what if: {example['change']} from {example['from']} to {example['to']} (测算)")
    funds = Table("fund", "as recorded", "candidate", "difference",
                  title=f"the year's {example['settlements']} settlements replayed under the candidate")
    for code, row in sorted(example["funds"].items()):
        funds.add_row(code, _yuan(row["actual"]), _yuan(row["candidate"]), _yuan(row["difference"]))
    console.print(funds)
    pooled = example["pooled"]
    if pooled is None:
        console.print(f"the pooled fund's reserve: not available ({example['pools_unavailable']})")
        return
    balance, reserve = pooled["year_end_balance"], pooled["reserve_months"]
    console.print(f"pooled fund {pooled['pool_id']}: it would cost {_yuan(pooled['difference'])}; balance "
                  f"{_yuan(balance['actual'])} -> {_yuan(balance['candidate'])}, months of reserve "
                  f"{reserve['actual'] or '-'} -> {reserve['candidate'] or '-'}"
                  + "".join(f"; {w['rule']} would be {w['level']} ({w['measure']})" for w in pooled["warnings"]))
    console.print(f"the same in the console's What-if page, or: medfund whatif --region {ADMDVS} --year {YEAR} "
                  "--pack FILE")


def _render_district(district: dict, console: Console) -> None:
    if not district:
        return
    console.rule(f"[bold]employee district {district['admdvs']} (职工医保, insutype 310)")
    members = ", ".join(f"{count} {kind}" for kind, count in sorted(district["members"].items()))
    console.print(f"members: {members}; covered {district['covered']}; "
                  f"{district['declarations']} employer declarations, {district['flexible_payments']} flexible "
                  "workers' monthly payments")
    console.print(f"pooled-fund balance brought forward into the year: {_yuan(district['brought_forward'])}; "
                  f"{district['stays']} stays through the months (the individual accounts not used)")
    for refusal in district["refusals"]:
        console.print(f"cover refused: {refusal}")
    settlements = Table("person", "kind", "age", "visit", "institution", "cost", "310100", "account", "cash",
                        title="settlements with the individual account (acct_used_flag 1)")
    for s in district["settlements"]:
        settlements.add_row(s["psn_name"], s["kind"], str(s["age"]), "inpatient" if s["med_type"] == "21"
                            else "outpatient", s["institution"], _yuan(s["medfee_sumamt"]), _yuan(s["pooled"]),
                            _yuan(s["acct_pay"]), _yuan(s["psn_cash_pay"]))
    console.print(settlements)
    pools = Table("pool", "income", "expenditure", "balance", "payable", title="pools 310100 and 310200")
    for pool in district["pools"]:
        pools.add_row(pool["pool_id"], *(_yuan(pool[k]) for k in ("income", "expenditure", "balance", "payable")))
    console.print(pools)
    for note in district["notes"]:
        console.print(f"[yellow]note:[/] {note}")


def _yuan(value: str) -> str:
    amount = Decimal(value)
    return f"{amount:,.2f}"


def _percent(ratio: str | None) -> str:
    return "-" if ratio is None else f"{Decimal(ratio) * 100:.2f}%"


def _kinds(kinds: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {kind}" for kind, count in sorted(kinds.items()))
