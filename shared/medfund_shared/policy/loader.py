"""Reading one pack file: exact YAML → validated ``PolicyPack`` with its content hash, or a clear refusal."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from medfund_shared.canonical_json import canonical_json
from medfund_shared.policy.schema import PolicyPack


class PolicyPackError(ValueError):
    """A pack file that cannot be used, naming the file, the field path and the problem."""

    def __init__(self, source: str, field: str | None, problem: str) -> None:
        self.source, self.field, self.problem = source, field, problem
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {problem}")


class DuplicateKey(yaml.YAMLError):
    """A mapping names one key twice: YAML would keep the last silently, so one of the two values is lost."""

    def __init__(self, key: str, line: int, first_line: int) -> None:
        self.key, self.line, self.first_line = key, line, first_line
        super().__init__(f"duplicate key {key!r} on line {line} (first on line {first_line})")


class _ExactLoader(yaml.SafeLoader):
    """A YAML loader that reads ``0.65`` as ``Decimal("0.65")`` instead of a binary float, and refuses a mapping
    that names a key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise DuplicateKey(str(key), line, seen[key])
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _exact_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    """``.inf`` and ``.nan`` stay text, for the schema to refuse with the field's name."""
    text = loader.construct_scalar(node)
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _exact_number)


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, (Decimal, date)):
        return str(value)
    return value


def content_hash(document: Any) -> str:
    """sha256 of the pack's canonical JSON: comments and layout do not change it, any value does."""
    return hashlib.sha256(canonical_json(_canonical(document))).hexdigest()


def _document(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_ExactLoader)
    except DuplicateKey as exc:
        raise PolicyPackError(source, exc.key, str(exc)) from exc
    except yaml.YAMLError as exc:
        raise PolicyPackError(source, None, f"not valid YAML: {exc}") from exc


def parse_pack(text: str, source: str) -> PolicyPack:
    """Validate a pack's YAML text; ``source`` names it in every error."""
    return pack_of_document(_document(text, source), source)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyPackError(str(path), None, f"cannot read: {exc.strerror}") from exc


def pack_document_of_text(text: str, source: str) -> Any:
    """A pack's values from YAML or JSON text (JSON is YAML), numbers as exact decimals; not validated yet."""
    return _document(text, source)


def json_numbers(value: Any) -> Any:
    """A parsed pack's values ready for JSON: exact decimals as JSON numbers (the receiving service reads them back
    as exact decimals), dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_numbers(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def load_pack_document(path: Path) -> dict:
    """A pack file's values (exact decimals, dates), validated; for sending it as JSON (``medfund whatif``)."""
    document = _document(_read(path), str(path))
    pack_of_document(document, str(path))
    return document


def pack_of_document(document: Any, source: str) -> PolicyPack:
    """Validate a parsed pack (a YAML file's, or a JSON object parsed with exact decimals) with its content hash."""
    if not isinstance(document, dict):
        raise PolicyPackError(source, None, "a pack is a mapping of sections")
    try:
        pack = PolicyPack.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise PolicyPackError(source, field, first["msg"]) from exc
    pack.attach_content_hash(content_hash(document))
    return pack


def load_pack(path: Path) -> PolicyPack:
    """Read and validate one pack file; its name must be the pack's id."""
    pack = parse_pack(_read(path), str(path))
    if path.stem != pack.pack_id:
        raise PolicyPackError(str(path), None, f"file name must be the pack id {pack.pack_id}.yaml")
    return pack
