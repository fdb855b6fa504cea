"""Encryption of credentials at rest (Fernet), with the key outside the database.

The key comes from the Odoo server configuration (``connector_secret_key``) or the
``CONNECTOR_SECRET_KEY`` environment variable. It is never stored in the database, so a
dump of the database holds ciphertext only.
"""

import os

from cryptography.fernet import Fernet, InvalidToken

from . import errors

ENV_KEY = "CONNECTOR_SECRET_KEY"
MASK = "••••••••"


class SecretKeyMissing(errors.ConnectorError):
    reason = "auth"


def resolve_key(config_value=None, environ=None):
    environ = os.environ if environ is None else environ
    key = config_value or environ.get(ENV_KEY)
    if not key:
        raise SecretKeyMissing(
            "No encryption key for connector secrets: set connector_secret_key in the Odoo "
            f"configuration file or the {ENV_KEY} environment variable "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
    return key


class SecretBox:
    def __init__(self, key):
        try:
            self._fernet = Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError):
            raise SecretKeyMissing(
                "connector_secret_key is not a valid Fernet key (32 url-safe base64-encoded bytes)"
            ) from None

    def encrypt(self, plaintext):
        if plaintext is None or plaintext == "":
            return False
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token):
        if not token:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretKeyMissing(
                "A stored secret cannot be decrypted with the configured connector_secret_key: "
                "the key changed; enter the credentials again."
            ) from None


def mask(value):
    return MASK if value else ""
