"""``medfund whatif --png DIR``: the report's charts as valid PNG files with the expected names."""

import struct
import zlib

from medfund_cli.whatif_png import write_pngs

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def rows(*keys: str) -> list[dict]:
    return [{"key": key, "actual": "1200.00", "candidate": "1320.50", "difference": "120.50"} for key in keys]


RESULT = {
    "fund": rows("310100", "390100"), "month": rows("2026-01", "2026-02", "2026-03"),
    "institution_level": rows("primary", "tertiary"), "area": [], "person_category": rows("rural"),
    "age_band": rows("0-17", "18-44"),
    "out_of_pocket": {"deciles": [{"decile": n, "actual": "10.00", "candidate": "9.50"} for n in range(1, 10)]},
}


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk of a PNG after its signature, each one's CRC checked."""
    found, offset = [], len(PNG_SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind, body = data[offset + 4:offset + 8], data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        found.append((kind, body))
        offset += 12 + length
    return found


def test_one_valid_png_per_chart_with_rows(tmp_path):
    written = write_pngs(RESULT, tmp_path / "charts")
    assert [p.name for p in written] == ["fund.png", "month.png", "institution_level.png", "person_category.png",
                                         "age_band.png", "deciles.png"]
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == sorted(p.name for p in written)
    for path in written:
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE), path.name
        parts = chunks(data)
        assert parts[0][0] == b"IHDR" and parts[-1][0] == b"IEND", path.name
        width, height = struct.unpack(">II", parts[0][1][:8])
        assert width == 900 and height > 100, (path.name, width, height)


def test_a_chart_is_taller_with_more_rows(tmp_path):
    fund, month = write_pngs(RESULT, tmp_path)[:2]
    height = {p.name: struct.unpack(">II", chunks(p.read_bytes())[0][1][:8])[1] for p in (fund, month)}
    assert height["month.png"] > height["fund.png"]
