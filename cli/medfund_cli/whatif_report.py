"""A simulation's result as one HTML page with bar charts (inline SVG, no script): actual beside candidate."""

from __future__ import annotations

from decimal import Decimal
from html import escape

DIMENSIONS = (("fund", "Fund pay by fund (fund_pay_type)"), ("month", "Fund pay by month"),
              ("institution_level", "Fund pay by institution level"), ("area", "Fund pay by area"),
              ("person_category", "Fund pay by person category"), ("age_band", "Fund pay by age band"))
_BAR_WIDTH, _ROW_HEIGHT, _LABEL_WIDTH = 420, 18, 150


def _chart(rows: list[dict]) -> str:
    """Two bars per key: actual (grey) and candidate (blue), scaled to the largest value."""
    top = max([abs(Decimal(r[side])) for r in rows for side in ("actual", "candidate")] or [Decimal(1)]) or 1
    height = len(rows) * _ROW_HEIGHT * 2 + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_LABEL_WIDTH + _BAR_WIDTH + 260}" '
             f'height="{height}" role="img">']
    for n, row in enumerate(rows):
        y = n * _ROW_HEIGHT * 2
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(str(row["key"]))}</text>')
        for offset, side, colour in ((0, "actual", "#9e9e9e"), (_ROW_HEIGHT - 4, "candidate", "#1565c0")):
            width = int(abs(Decimal(row[side])) / top * _BAR_WIDTH)
            parts.append(f'<rect x="{_LABEL_WIDTH}" y="{y + offset}" width="{width}" height="{_ROW_HEIGHT - 6}" '
                         f'fill="{colour}"><title>{side} {escape(row[side])}</title></rect>')
        parts.append(f'<text x="{_LABEL_WIDTH + _BAR_WIDTH + 8}" y="{y + 14}" font-size="12">'
                     f'{escape(row["actual"])} → {escape(row["candidate"])} ({escape(row["difference"])})</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(title: str, result: dict) -> str:
    oop = result["out_of_pocket"]
    sections = [f"<h2>{escape(label)}</h2>{_chart(result[key])}" for key, label in DIMENSIONS if result[key]]
    deciles = _table(["decile", "actual", "candidate"],
                     [[d["decile"], d["actual"], d["candidate"]] for d in oop["deciles"]])
    rises = _table(["psn_no", "actual", "candidate", "rise"],
                   [[p["psn_no"], p["actual"], p["candidate"], p["rise"]] for p in oop["rises"]["people"]])
    funds = _fund_picture(result.get("pools"))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>"
            f"<h1>{escape(title)}</h1><p>Candidate pack {escape(result['pack_id'])}: "
            f"{result['settlements']} settlements replayed, {result['reversed']} reversed, "
            f"{result['refused']['count']} refused by the candidate; {result['people']} people. "
            "Grey: as recorded; blue: under the candidate.</p>" + funds + "".join(sections)
            + f"<h2>Out-of-pocket share per person, deciles</h2>{deciles}"
            + f"<h2>Shares rising by more than {escape(oop['rises']['more_than'])}: {oop['rises']['count']}</h2>"
            + rises + f"<h2>Newly reaching the catastrophic layer: {oop['newly_catastrophic']['count']}</h2>"
            + "</body></html>")


def pool_rows(pools: dict) -> list[list[str]]:
    """The fund picture's rows: pool, fund pay actual → candidate, year-end balance, reserve months, rules firing."""
    return [[item["pool_id"], item["actual_fund_pay"], item["candidate_fund_pay"], item["difference"],
             item["year_end_balance"]["actual"], item["year_end_balance"]["candidate"],
             item["reserve_months"]["actual"] or "-", item["reserve_months"]["candidate"] or "-",
             ", ".join(f"{w['rule']} {w['level']} ({w['measure']})" for w in item["warnings"]) or "-"]
            for item in pools["items"]]


POOL_HEADERS = ["pool", "fund pay", "candidate", "difference", "year-end balance", "candidate balance",
                "reserve months", "candidate reserve", "rules firing under the candidate"]


def _fund_picture(pools: dict | None) -> str:
    if pools is None:
        return ""
    if not pools["available"]:
        return f"<h2>The funds</h2><p>Not available: {escape(pools['reason'])}</p>"
    return f"<h2>The funds at {escape(pools['as_of'])}</h2>" + _table(POOL_HEADERS, pool_rows(pools))
