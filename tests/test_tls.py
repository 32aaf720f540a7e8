"""wss:// against a real TLS server (uvicorn, a certificate from a trustme CA made here):
verified by default, our own CA and client certificates from the [tls] settings, and a
sentence naming the setting when verification fails."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.starlette_app import StarletteServer
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import ConfigError, ConnectionProblem
from wsbdd.settings.config import Settings, load_settings


class Certificates:
    """A CA of our own, and files for a server certificate and a client certificate."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        ca = trustme.CA()
        self.ca = self._write(ca.cert_pem, "ca.pem")
        server = ca.issue_cert("127.0.0.1", "localhost")
        self.server_cert = self._write(server.cert_chain_pems[0], "server.pem")
        self.server_key = self._write(server.private_key_pem, "server.key")
        client = ca.issue_cert("alice@example.com")
        self.client_cert = self._write(client.cert_chain_pems[0], "client.pem")
        self.client_key = self._write(client.private_key_pem, "client.key")
        only_localhost = ca.issue_cert("localhost")
        self.localhost_cert = self._write(only_localhost.cert_chain_pems[0], "localhost.pem")
        self.localhost_key = self._write(only_localhost.private_key_pem, "localhost.key")

    def _write(self, blob: Any, name: str) -> Path:
        path = self.folder / name
        blob.write_to_path(str(path))
        return path

    def server(self, **extra: Any) -> StarletteServer:
        options = {"ssl_certfile": str(self.server_cert), "ssl_keyfile": str(self.server_key)}
        return StarletteServer(**{**options, **extra})


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def tls_app(certs: Certificates) -> Iterator[StarletteServer]:
    with certs.server() as server:
        yield server


@pytest.fixture(scope="module")
def mutual_app(certs: Certificates) -> Iterator[StarletteServer]:
    """A server that wants a client certificate signed by our CA."""
    with certs.server(ssl_ca_certs=str(certs.ca), ssl_cert_reqs=ssl.CERT_REQUIRED) as server:
        yield server


def settings_for(project: Path, url: str, **tls: str) -> Settings:
    userdata = {"wsbdd.url": url, **{f"wsbdd.tls.{key}": value for key, value in tls.items()}}
    return load_settings(project, userdata=userdata, environ={})


def exchange(settings: Settings) -> str:
    """Connect Alice, send one message, and return the echo's text."""
    with Run.start(settings) as run, run.session() as s:
        s.connect("Alice")
        s.receive("Alice", where('$.type is "hello"'))
        s.send("Alice", "over TLS")
        return s.receive("Alice", where('$.type is "echo"')).json["text"]


def refusal(settings: Settings) -> str:
    with Run.start(settings) as run, run.session() as s:
        with pytest.raises(ConnectionProblem) as caught:
            s.connect("Alice")
    return str(caught.value)


def test_by_default_an_unknown_ca_fails_with_a_sentence_naming_tls_ca_file(
    tls_app: StarletteServer, tmp_path: Path
) -> None:
    url = tls_app.ws_url + "/ws"
    assert url.startswith("wss://")
    assert refusal(settings_for(tmp_path, url)) == (
        f"Alice could not connect to {url}: the server's certificate could not be verified "
        "(unable to get local issuer certificate); if the server uses your own CA, set "
        "tls.ca_file to that CA's certificate (the [tls] table of wsbdd.toml, "
        "[tool.wsbdd.tls] in pyproject.toml, or WSBDD_TLS_CA_FILE)."
    )


def test_with_our_ca_the_client_connects_and_talks(
    tls_app: StarletteServer, certs: Certificates
) -> None:
    # a path relative to the project folder
    settings = settings_for(certs.folder, tls_app.ws_url + "/ws", ca_file="ca.pem")
    assert settings.tls.ca_file == certs.ca.resolve()
    assert exchange(settings) == "over TLS"


def test_the_ca_file_can_come_from_the_environment(
    tls_app: StarletteServer, certs: Certificates
) -> None:
    environ = {"WSBDD_URL": tls_app.ws_url + "/ws", "WSBDD_TLS_CA_FILE": str(certs.ca)}
    assert exchange(load_settings(certs.folder, userdata={}, environ=environ)) == "over TLS"


def test_a_ca_folder_works_too(
    tls_app: StarletteServer, tmp_path: Path, certs: Certificates
) -> None:
    # OpenSSL finds a CA in a folder by the hash of its subject name
    folder = tmp_path / "cas"
    folder.mkdir()
    hashed = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(certs.ca)],
        capture_output=True,
        text=True,
        check=False,
    )
    if hashed.returncode != 0:
        pytest.skip("the openssl command is not installed")
    (folder / f"{hashed.stdout.strip()}.0").write_bytes(certs.ca.read_bytes())
    settings = settings_for(tmp_path, tls_app.ws_url + "/ws", ca_dir="cas")
    assert exchange(settings) == "over TLS"


def test_verify_false_accepts_a_throwaway_self_signed_server(
    tls_app: StarletteServer, tmp_path: Path
) -> None:
    assert exchange(settings_for(tmp_path, tls_app.ws_url + "/ws", verify="false")) == "over TLS"


def test_a_certificate_for_another_host_name_says_so(certs: Certificates, tmp_path: Path) -> None:
    with StarletteServer(
        ssl_certfile=str(certs.localhost_cert), ssl_keyfile=str(certs.localhost_key)
    ) as server:
        text = refusal(settings_for(tmp_path, server.ws_url + "/ws", ca_file=str(certs.ca)))
    assert "the server's certificate does not name the host in the URL (" in text
    assert "use a host name the certificate was made for in the URL." in text


def test_a_server_that_wants_a_client_certificate(
    mutual_app: StarletteServer, certs: Certificates
) -> None:
    url = mutual_app.ws_url + "/ws"
    with_cert = settings_for(
        certs.folder, url, ca_file="ca.pem", client_cert="client.pem", client_key="client.key"
    )
    assert exchange(with_cert) == "over TLS"
    without = settings_for(certs.folder, url, ca_file="ca.pem")
    assert refusal(without) == (
        f"Alice could not connect to {url}: the server closed the connection right after the "
        "TLS handshake, before answering the WebSocket handshake; a server that requires a "
        "client certificate does this: set tls.client_cert and tls.client_key to yours (the "
        "[tls] table of wsbdd.toml, [tool.wsbdd.tls] in pyproject.toml, or "
        "WSBDD_TLS_CLIENT_CERT)."
    )


def test_a_client_certificate_from_another_ca_is_refused_with_a_sentence(
    mutual_app: StarletteServer, certs: Certificates, tmp_path: Path
) -> None:
    stranger = trustme.CA().issue_cert("mallory@example.com")
    stranger.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "mallory.pem"))
    settings = settings_for(
        tmp_path, mutual_app.ws_url + "/ws", ca_file=str(certs.ca), client_cert="mallory.pem"
    )
    assert refusal(settings).endswith(
        "a server that requires a client certificate does this when it does not accept the "
        "one in tls.client_cert (mallory.pem): use a certificate signed by a CA the server "
        "trusts."
    )


def test_wss_to_a_server_without_tls_says_so(tmp_path: Path) -> None:
    with StarletteServer() as plain:
        url = plain.ws_url.replace("ws://", "wss://") + "/ws"
        assert refusal(settings_for(tmp_path, url)) == (
            f"Alice could not connect to {url}: the server does not speak TLS on that port; "
            "use ws:// instead of wss://."
        )


# -- the settings, checked before anything connects ----------------------------------------


def config_error(project: Path, **tls: str) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_for(project, "wss://127.0.0.1:8443/ws", **tls)
    return str(caught.value)


def test_a_missing_file_is_one_sentence(tmp_path: Path) -> None:
    assert config_error(tmp_path, ca_file="ca.pem") == (
        f'-D wsbdd.tls.ca_file is "ca.pem": no such file ({tmp_path.resolve() / "ca.pem"}); '
        "give the path of the CA certificate file (PEM), absolute or relative to the project "
        "folder."
    )
    assert "no such folder" in config_error(tmp_path, ca_dir="cas")


def test_a_file_that_is_no_certificate_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    (tmp_path / "wsbdd.toml").write_text('[tls]\nclient_cert = "ca.pem"\n')
    assert config_error(tmp_path, ca_file="ca.pem").startswith(
        "-D wsbdd.tls.ca_file: holds no CA certificate OpenSSL can read ("
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, userdata={}, environ={})
    assert str(caught.value).startswith(
        f"{tmp_path / 'wsbdd.toml'} [tls] client_cert: the client certificate and key cannot "
        "be loaded ("
    )


def test_a_key_without_a_certificate_is_one_sentence(tmp_path: Path, certs: Certificates) -> None:
    assert config_error(tmp_path, client_key=str(certs.client_key)) == (
        "-D wsbdd.tls.client_key is set but tls.client_cert is not; set tls.client_cert to "
        "the certificate that goes with the key."
    )


def test_an_unknown_tls_key_is_caught_in_the_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.wsbdd.tls]\nca_flie = "ca.pem"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, userdata={}, environ={})
    assert str(caught.value).endswith(
        '[tool.wsbdd.tls]: unknown key "ca_flie"; did you mean "ca_file"?'
    )


def test_a_self_signed_server_certificate_points_to_itself(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(tmp_path / "self.key"),
            "-out",
            str(tmp_path / "self.pem"),
        ],
        capture_output=True,
        check=True,
    )
    with StarletteServer(
        ssl_certfile=str(tmp_path / "self.pem"), ssl_keyfile=str(tmp_path / "self.key")
    ) as server:
        url = server.ws_url + "/ws"
        assert refusal(settings_for(tmp_path, url)).endswith(
            "the server's certificate could not be verified (self-signed certificate); if it is "
            "your own test server, set tls.ca_file to the server's certificate (the [tls] table "
            "of wsbdd.toml, [tool.wsbdd.tls] in pyproject.toml, or WSBDD_TLS_CA_FILE)."
        )
        assert exchange(settings_for(tmp_path, url, ca_file="self.pem")) == "over TLS"
