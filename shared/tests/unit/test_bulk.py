"""``any_of`` sends values as one array: one statement whatever their number."""

from sqlalchemy import Column, MetaData, Table, Text, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect

from medfund_shared import bulk

ITEMS = Table("items", MetaData(), Column("key", Text))


def _matching(values: list[str]):
    return select(ITEMS.c.key).where(ITEMS.c.key == bulk.any_of(values, bulk.TEXT))


def test_any_of_is_one_array_parameter_for_any_number_of_values():
    two, three = _matching(["a", "b"]).compile(dialect=dialect()), _matching(["a", "b", "c"]).compile(dialect=dialect())

    assert str(two) == str(three)
    assert str(two).endswith("items.key = ANY ($1::TEXT[])")
    assert list(three.params.values()) == [["a", "b", "c"]]


def test_any_of_takes_any_iterable_of_values():
    compiled = _matching(iter({"x"})).compile(dialect=dialect())

    assert list(compiled.params.values()) == [["x"]]
