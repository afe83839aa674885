"""The CLI details of issue 23: flags shown as flags, a wrong alert state refused, one offset and the
acknowledger in ``alerts tail``, a pack naming a key twice refused with the key and its line."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import click
import typer
from typer.testing import CliRunner

from medfund_cli.main import app
from medfund_ledger.alerts_tail import line
from medfund_shared.events.types.alerts import AlertChanged
from medfund_shared.policy.pack_set import shipped_packs_dir

runner = CliRunner()
PACK_ID = "500240-390-2026-01-01"


def words(output: str) -> str:
    """The help or error text without the boxes and line breaks of rich's layout."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


def commands(group: click.Group, path: tuple[str, ...] = ()):
    """The path of names of every command of the ``medfund`` tree."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name)


def test_no_help_screen_shows_a_flag_as_taking_a_value():
    tree = typer.main.get_command(app)
    checked = 0
    for path in commands(tree):
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, path
        checked += 1
    assert checked >= 7


def test_a_flag_is_listed_without_a_type_and_an_option_with_its_type():
    result = runner.invoke(app, ["alerts", "tail", "--help"])
    [flag] = [row for row in result.output.splitlines() if "--from-beginning" in row]
    [seconds] = [row for row in result.output.splitlines() if "--seconds" in row]
    assert "<" not in flag and "<float>" in seconds


def test_alerts_list_refuses_a_state_that_does_not_exist():
    result = runner.invoke(app, ["alerts", "list", "--state", "bogus"])
    assert result.exit_code == 2
    assert "'bogus' is not one of 'firing', 'acknowledged', 'resolved'" in words(result.output)


def alert(state: str, evaluated_at: datetime, **acknowledgement: str) -> AlertChanged:
    return AlertChanged(alert_id="a1", rule="burn_pace", subject_type="pool", subject_id="500240:390100:2026",
                        severity="yellow", state=state, measure="0.0820", threshold="0.05",
                        message="burn pace 0.0820", evaluated_at=evaluated_at, **acknowledgement)


def test_tail_shows_every_time_in_china_time_whatever_offset_the_event_carried():
    printed = line(alert("firing", datetime(2026, 6, 30, 16, 30, tzinfo=UTC)))
    assert printed.split()[0] == "2026-07-01T00:30:00+08:00"


def test_tail_shows_who_acknowledged_and_the_note():
    printed = line(alert("acknowledged", datetime(2026, 6, 30, 10, 0, tzinfo=UTC), acked_by="op-wang",
                         ack_note="院方已说明，下周复核"))
    assert printed.endswith("[acknowledged by op-wang: 院方已说明，下周复核]")
    assert "acknowledged by" not in line(alert("firing", datetime(2026, 6, 30, 10, 0, tzinfo=UTC)))


def test_policy_check_refuses_a_pack_naming_a_key_twice_with_the_key_and_its_lines(tmp_path):
    lines = (shipped_packs_dir() / f"{PACK_ID}.yaml").read_text("utf-8").splitlines(keepends=True)
    first = next(i for i, text in enumerate(lines) if text.startswith("version: "))
    lines.insert(first + 1, "version: 2\n")
    path = tmp_path / f"{PACK_ID}.yaml"
    path.write_text("".join(lines), "utf-8")
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 1
    assert f"duplicate key 'version' on line {first + 2} (first on line {first + 1})" in words(result.stderr)


def test_a_key_named_twice_inside_a_section_is_refused_too(tmp_path):
    lines = (shipped_packs_dir() / f"{PACK_ID}.yaml").read_text("utf-8").splitlines(keepends=True)
    nested = next(i for i, text in enumerate(lines) if text.startswith("  ") and ": " in text
                  and not text.strip().startswith("-"))
    key = lines[nested].strip().split(":")[0]
    lines.insert(nested + 1, lines[nested])
    path = tmp_path / f"{PACK_ID}.yaml"
    path.write_text("".join(lines), "utf-8")
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 1
    assert f"duplicate key '{key}' on line {nested + 2}" in words(result.stderr)
