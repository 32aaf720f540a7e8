"""TLS for ``wss://`` (and ``https://``): the client's SSL context, and failures in words.

``wss://`` checks the server's certificate against the system's CAs, as a browser does.
The ``[tls]`` settings (:class:`wsbdd.config.TlsSettings`) add a CA of your own
(``ca_file``, ``ca_dir``), a client certificate for servers that ask for one
(``client_cert``, ``client_key``), or turn checking off for a throwaway test server
(``verify = false``).  Both the WebSocket client and the HTTP steps build their context
here, so they trust the same servers.
"""

from __future__ import annotations

import functools
import ssl

from wsbdd.settings.config import TlsSettings

__all__ = [
    "client_ssl_context",
    "shared_ssl_context",
    "describe_tls_failure",
    "describe_silent_close",
    "TlsFileProblem",
]

_WHERE = "the [tls] table of wsbdd.toml, [tool.wsbdd.tls] in pyproject.toml, or WSBDD_TLS_{}"
# OpenSSL's X509_V_ERR_* codes (x509_vfy.h) that a setting of ours cannot fix.
_HOSTNAME_MISMATCH = frozenset({62, 64})  # host name / IP address mismatch
_NOT_IN_TIME = frozenset({9, 10})  # certificate not yet valid / has expired
_SELF_SIGNED = 18  # the server's certificate signed itself


class TlsFileProblem(ValueError):
    """A file of the ``[tls]`` settings that OpenSSL cannot use; ``key`` names the setting."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key


def client_ssl_context(tls: TlsSettings) -> ssl.SSLContext:
    """A client context for *tls*: verifying (system CAs plus ``ca_file``/``ca_dir``) unless
    ``verify`` is false, with the client certificate loaded when one is set.

    Raises :class:`TlsFileProblem` when a file is not what its setting says.
    """
    if tls.verify:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        if tls.ca_file is not None or tls.ca_dir is not None:
            key = "ca_file" if tls.ca_file is not None else "ca_dir"
            try:
                context.load_verify_locations(cafile=tls.ca_file, capath=tls.ca_dir)
            except (ssl.SSLError, OSError) as error:
                raise TlsFileProblem(
                    key,
                    f"holds no CA certificate OpenSSL can read ({_reason(error)}); give a "
                    "PEM file with -----BEGIN CERTIFICATE----- blocks",
                ) from None
    else:
        # The user asked for it (tls.verify = false): any certificate, any host name.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.client_cert is not None:
        try:
            context.load_cert_chain(tls.client_cert, tls.client_key)
        except (ssl.SSLError, OSError) as error:
            key = "client_key" if tls.client_key is not None else "client_cert"
            raise TlsFileProblem(
                key,
                f"the client certificate and key cannot be loaded ({_reason(error)}); give a "
                "PEM certificate in tls.client_cert and its private key (not protected by a "
                "password) in tls.client_key, or both in tls.client_cert",
            ) from None
    return context


@functools.lru_cache(maxsize=8)
def shared_ssl_context(tls: TlsSettings) -> ssl.SSLContext:
    """:func:`client_ssl_context` built once per settings, for every connection of a run
    (loading the system's CA store for each of 1,000 clients would cost seconds)."""
    return client_ssl_context(tls)


def _reason(error: BaseException) -> str:
    if isinstance(error, ssl.SSLError):
        return error.reason.replace("_", " ").lower() if error.reason else "not in PEM form"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


def _ssl_error(error: BaseException | None) -> ssl.SSLError | None:
    """The SSL error behind *error* (websockets may wrap it), if any."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, ssl.SSLError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def describe_tls_failure(error: BaseException, tls: TlsSettings) -> str | None:
    """Why TLS failed, as the end of a sentence naming the setting to change; ``None`` when
    *error* is not a TLS failure."""
    found = _ssl_error(error)
    if found is None:
        return None
    if isinstance(found, ssl.SSLCertVerificationError):
        code, why = found.verify_code, found.verify_message or _reason(found)
        if code in _HOSTNAME_MISMATCH:
            return (
                f"the server's certificate does not name the host in the URL ({why}); use a "
                "host name the certificate was made for in the URL"
            )
        if code in _NOT_IN_TIME:
            return (
                f"the server's certificate is not valid now ({why}); renew the server's "
                "certificate (tls.verify = false skips the check, for a throwaway test server "
                "only)"
            )
        if tls.ca_file is not None or tls.ca_dir is not None:
            mine = f"tls.ca_file ({tls.ca_file})" if tls.ca_file else f"tls.ca_dir ({tls.ca_dir})"
            return (
                f"the server's certificate could not be verified ({why}) with {mine}; it must "
                "hold the certificate of the CA that signed the server's certificate"
            )
        if code == _SELF_SIGNED:
            return (
                f"the server's certificate could not be verified ({why}); if it is your own "
                "test server, set tls.ca_file to the server's certificate "
                f"({_WHERE.format('CA_FILE')})"
            )
        return (
            f"the server's certificate could not be verified ({why}); if the server uses your "
            f"own CA, set tls.ca_file to that CA's certificate ({_WHERE.format('CA_FILE')})"
        )
    reason = (found.reason or "").upper()
    if "CERTIFICATE_REQUIRED" in reason or (
        tls.client_cert is None and "HANDSHAKE_FAILURE" in reason
    ):
        return (
            "the server asks for a client certificate; set tls.client_cert and tls.client_key "
            f"to yours ({_WHERE.format('CLIENT_CERT')})"
        )
    if tls.client_cert is not None and any(
        word in reason for word in ("BAD_CERTIFICATE", "UNKNOWN_CA", "CERTIFICATE_UNKNOWN")
    ):
        return (
            f"the server refused the client certificate in tls.client_cert ({_reason(found)}); "
            "use a certificate signed by a CA the server trusts"
        )
    if "WRONG_VERSION_NUMBER" in reason or "RECORD_LAYER_FAILURE" in reason:
        return "the server does not speak TLS on that port; use ws:// instead of wss://"
    return f"the TLS handshake failed ({_reason(found)})"


def describe_silent_close(error: BaseException, tls: TlsSettings) -> str | None:
    """For a ``wss://`` server that closed the connection right after the TLS handshake,
    without a word: a likely reason, as the end of a sentence; ``None`` otherwise.

    A TLS 1.3 server that requires a client certificate checks it only after the client has
    finished its handshake, and asyncio-based servers then close without sending the TLS
    alert, so the client sees the connection end before any HTTP response.
    """
    if not isinstance(error.__cause__, EOFError):
        return None
    closed = (
        "the server closed the connection right after the TLS handshake, before answering "
        "the WebSocket handshake"
    )
    if tls.client_cert is not None:
        return (
            f"{closed}; a server that requires a client certificate does this when it does "
            f"not accept the one in tls.client_cert ({tls.client_cert.name}): use a "
            "certificate signed by a CA the server trusts"
        )
    return (
        f"{closed}; a server that requires a client certificate does this: set "
        f"tls.client_cert and tls.client_key to yours ({_WHERE.format('CLIENT_CERT')})"
    )
