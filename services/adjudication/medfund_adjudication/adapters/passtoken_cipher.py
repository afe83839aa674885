"""Passtokens encrypted at rest with the credentials key from settings (Fernet: AES-128-CBC and HMAC-SHA256)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class PasstokenCipher:
    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    def encrypt(self, passtoken: str) -> str:
        return self._fernet.encrypt(passtoken.encode()).decode()

    def decrypt(self, stored: str) -> str | None:
        """None when the stored value was encrypted under another key (then the credentials must be set again)."""
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            return None
