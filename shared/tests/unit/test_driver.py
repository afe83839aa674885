"""Core statements compiled once for the driver: placeholders, parameter order, literals and JSON."""

import json

import asyncpg
from sqlalchemy import JSON, Column, Integer, MetaData, Table, Text, bindparam, insert, literal, select
from sqlalchemy.exc import DBAPIError

from medfund_shared.driver import DriverStatement
from medfund_shared.errors import is_bad_data, is_conflict, is_unavailable

things = Table("things", MetaData(), Column("id", Text, primary_key=True), Column("size", Integer),
               Column("doc", JSON))


def test_named_parameters_become_positional_in_the_order_the_sql_uses_them():
    statement = DriverStatement.of(select(things.c.id, literal(7).label("seven"))
                                   .where(things.c.size > bindparam("least"), things.c.id == bindparam("id")))
    assert "$1" in statement.sql and "$3" in statement.sql and ":" not in statement.sql.replace("::", "")
    args = statement.args({"id": "a", "least": 3})
    assert sorted(map(str, args)) == ["3", "7", "a"]
    assert args[statement.names.index("id")] == "a"


def test_json_parameters_are_passed_as_text_for_the_connection_codec():
    statement = DriverStatement.of(insert(things).values(id=bindparam("id"), doc=bindparam("doc")))
    args = statement.args({"id": "a", "doc": {"k": [1, 2]}})
    assert json.loads(args[statement.names.index("doc")]) == {"k": [1, 2]}


def test_driver_errors_are_classified_like_wrapped_ones():
    unique = asyncpg.UniqueViolationError("duplicate key")
    assert is_conflict(unique) and not is_bad_data(unique)
    assert is_bad_data(asyncpg.CharacterNotInRepertoireError("NUL"))
    assert is_unavailable(asyncpg.ConnectionDoesNotExistError("closed")) and is_unavailable(ConnectionResetError())
    wrapped = DBAPIError("INSERT", {}, unique)
    assert is_conflict(wrapped)


def test_a_server_shutting_down_is_unavailable_wrapped_or_not():
    shutting_down = asyncpg.CannotConnectNowError("the database system is shutting down")
    assert is_unavailable(shutting_down)
    wrapped = DBAPIError("connect", {}, Exception("the database system is shutting down"))
    wrapped.orig.sqlstate = "57P03"
    assert is_unavailable(wrapped)
