"""Columns the services' projections of enrollment's coverage events declare alike (issue 21)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, Text


def cover_year_key() -> tuple[Column, Column, Column]:
    """The primary key of a person's cover in one scheme for one insurance year, as enrollment's coverage events
    name it: adjudication's coverage, the ledger's coverage and its catastrophic financing. New columns each call
    (a column belongs to one table)."""
    return (Column("psn_no", Text, primary_key=True), Column("insutype", Text, primary_key=True),
            Column("year", Integer, primary_key=True))
