"""Help screens that show a flag as a flag.

Typer 0.29's rich help prints a type column for every option, ``<bool>`` for a flag such as ``--from-beginning``
or ``--help``, which reads as if the flag took a value (``--from-beginning true``). Its plain help already
leaves flags without one; this makes the rich help do the same. Typer offers no setting for it.
"""

from __future__ import annotations

from typer.core import TyperOption

_display_type_rich = TyperOption.display_type_rich


def _no_type_for_flags(option: TyperOption, ctx) -> str | None:
    if option.is_flag and not option.count and option.metavar is None:
        return None
    return _display_type_rich(option, ctx)


def show_flags_without_a_type() -> None:
    TyperOption.display_type_rich = _no_type_for_flags
