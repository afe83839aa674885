"""The set of packs known to a process, and the choice of the pack in force on a business date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from importlib import resources
from pathlib import Path

from medfund_shared.policy.loader import PolicyPackError, load_pack
from medfund_shared.policy.schema import PolicyPack

PACK_SUFFIX = ".yaml"


class NoPackInForce(LookupError):
    """No pack for this region and scheme was in force on the date asked about."""


def shipped_packs_dir() -> Path:
    """The packs folder installed with this package (package data)."""
    return Path(str(resources.files("medfund_shared.policy") / "packs"))


def _pack_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise PolicyPackError(str(directory), None, "not a directory of policy packs")
    return sorted(directory.glob(f"*{PACK_SUFFIX}"))


class PackSet:
    """Packs keyed by id; the one in force for a date is the latest ``effective_from`` on or before it."""

    def __init__(self, packs: Iterable[PolicyPack]) -> None:
        self._packs: dict[str, PolicyPack] = {}
        for pack in packs:
            if pack.pack_id in self._packs:
                raise PolicyPackError(pack.pack_id, None, "two packs share this id")
            self._packs[pack.pack_id] = pack

    @classmethod
    def load(cls, extra_dir: Path | None = None) -> PackSet:
        """The shipped packs plus any an operator put in ``extra_dir``."""
        files = _pack_files(shipped_packs_dir())
        if extra_dir is not None:
            files += _pack_files(extra_dir)
        return cls(load_pack(path) for path in files)

    def __iter__(self):
        return iter(sorted(self._packs.values(), key=lambda p: p.pack_id))

    def get(self, pack_id: str) -> PolicyPack:
        try:
            return self._packs[pack_id]
        except KeyError:
            raise NoPackInForce(f"no policy pack with id {pack_id}") from None

    def in_force(self, admdvs: str, insutype: str, on: date) -> PolicyPack:
        candidates = [p for p in self._packs.values()
                      if p.admdvs == admdvs and p.insutype == insutype and p.effective_from <= on]
        if not candidates:
            raise NoPackInForce(f"no policy pack for region {admdvs}, scheme {insutype} in force on {on.isoformat()}")
        return max(candidates, key=lambda p: p.effective_from)
