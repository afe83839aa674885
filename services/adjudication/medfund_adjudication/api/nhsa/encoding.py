"""Request bodies in the encodings hospitals send: UTF-8, or GBK (``Encoding.Default`` on Chinese Windows).

A declared ``charset`` is followed (GBK and GB2312 are read as GB18030, their superset); without one the body is
read as UTF-8 and, when it is not valid UTF-8, as GB18030. Answers are always UTF-8."""

from __future__ import annotations

from email.message import Message

from medfund_adjudication.domain.refusal import invalid

CHINESE_CHARSETS = frozenset({"gbk", "gb2312", "gb18030", "cp936", "x-gbk"})
UTF8_CHARSETS = frozenset({"utf-8", "utf8"})


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, lower case; None when there is none."""
    if not content_type:
        return None
    header = Message()
    header["content-type"] = content_type
    charset = header.get_param("charset")
    return charset.strip().lower() if isinstance(charset, str) and charset.strip() else None


def decode_body(body: bytes, content_type: str | None) -> str:
    charset = charset_of(content_type)
    if charset is not None and charset not in CHINESE_CHARSETS | UTF8_CHARSETS:
        raise invalid("Content-Type", f"charset {charset} is not one the gateway reads (UTF-8, GBK, GB2312, GB18030)")
    try:
        if charset in CHINESE_CHARSETS:
            return body.decode("gb18030")
        try:
            return body.decode("utf-8-sig")
        except UnicodeDecodeError:
            if charset is not None:
                raise
            return body.decode("gb18030")
    except UnicodeDecodeError:
        raise invalid("body", f"is not text in {(charset or 'UTF-8 or GBK').upper()}") from None
