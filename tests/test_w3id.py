"""The w3id.org redirect rules (w3id/ccus-kg/.htaccess) on a real Apache httpd, checked with curl.

Apache serves the w3id folder as w3id.org does (the folder name is the path prefix, `AllowOverride All`)
on 127.0.0.1; the rules' target is preset to a running `ccus-kg serve` on loopback.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import need_system
from .serving import ROOT, free_port, serving

pytestmark = pytest.mark.slow  # starts Apache httpd in front of a ccus-kg server

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
HTACCESS = ROOT / "w3id" / "ccus-kg" / ".htaccess"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

CONFIG = """\
ServerRoot "{root}"
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
PidFile "{root}/httpd.pid"
DefaultRuntimeDir "{root}"
ErrorLog "{root}/error.log"
{user}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule rewrite_module {modules}/mod_rewrite.so
LoadModule setenvif_module {modules}/mod_setenvif.so
LoadModule headers_module {modules}/mod_headers.so
DocumentRoot "{root}/w3id"
<Directory "/">
  AllowOverride None
  Require all denied
</Directory>
<Directory "{root}/w3id">
  AllowOverride All
  Require all granted
</Directory>
# Point the rules at the local ccus-kg serve (the .htaccess keeps a preset target).
SetEnvIf Request_URI "^" CCUS_KG_HOST={target}
"""


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"apache2 exited: {log.read_text(errors='replace') if log.exists() else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("apache2 did not listen within 30 s")


@pytest.fixture(scope="module")
def w3id() -> Iterator[tuple[str, str]]:
    """(w3id.org stand-in URL with the /ccus-kg prefix, the ccus-kg serve URL it redirects to)."""
    need_system(APACHE.exists(), "apache2", "apache2")
    need_system(bool(shutil.which("curl")), "curl", "curl")
    with serving() as target:
        root = Path(tempfile.mkdtemp(prefix="ccus-kg-w3id-"))
        try:
            root.chmod(0o755)  # Apache's workers run as nobody when the tests run as root
            (root / "w3id" / "ccus-kg").mkdir(parents=True)
            shutil.copy(HTACCESS, root / "w3id" / "ccus-kg" / ".htaccess")
            for path in (root / "w3id", root / "w3id" / "ccus-kg", root / "w3id" / "ccus-kg" / ".htaccess"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            port = free_port()
            user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
            conf = root / "httpd.conf"
            conf.write_text(CONFIG.format(root=root, port=port, user=user, modules=MODULES, target=target))
            process = subprocess.Popen(["timeout", "600", str(APACHE), "-f", str(conf), "-DFOREGROUND"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait_for_port(port, process, root / "error.log")
                yield f"http://127.0.0.1:{port}/ccus-kg/", target
            finally:
                process.terminate()
                process.wait(15)
        finally:
            shutil.rmtree(root, ignore_errors=True)


def curl(url: str, accept: str, follow: bool = False) -> dict[str, str]:
    """What Debian's curl sees: status, Location, media type, headers of the first reply, redirects followed."""
    out = ["-w", "%{http_code}\n%{redirect_url}\n%{content_type}\n%{num_redirects}\n%{url_effective}"]
    command = ["curl", "-s", "-g", "-D", "-", "-o", os.devnull, "-H", f"Accept: {accept}", *out, url]
    if follow:
        command.insert(1, "-L")
    text = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout
    *head, status, location, media, redirects, effective = text.rstrip("\n").split("\n")
    headers = {}
    for line in head:
        name, colon, value = line.partition(":")
        if colon and name.lower() not in headers:  # the first reply's headers (curl prints each hop's)
            headers[name.lower()] = value.strip()
    return {"status": status, "location": location, "media": media.split(";")[0].strip(),
            "redirects": redirects, "effective": effective, **{f"h:{k}": v for k, v in headers.items()}}


# (path under https://w3id.org/ccus-kg/, Accept, w3id's status, where it sends the client, media type in the end)
CASES = [
    ("id/policy/us-45q-ira-2022", "text/turtle", "303", "/doc/policy/us-45q-ira-2022.ttl", "text/turtle"),
    ("id/policy/us-45q-ira-2022", BROWSER, "303", "/doc/policy/us-45q-ira-2022.html", "text/html"),
    ("id/policy/us-45q-ira-2022/assessment/mrv", "application/n-triples", "303",
     "/doc/policy/us-45q-ira-2022/assessment/mrv.nt", "application/n-triples"),
    ("id/cluster/45q-and-us-federal-ccus-incentives", "application/ld+json", "303",
     "/doc/cluster/45q-and-us-federal-ccus-incentives.jsonld", "application/ld+json"),
    ("id/jurisdiction/US", "application/rdf+xml", "303", "/doc/jurisdiction/US.rdf", "application/rdf+xml"),
    ("id/dataset", "text/turtle", "303", "/doc/dataset.ttl", "text/turtle"),
    ("id/graph/ccus-kg", "application/ld+json", "303", "/doc/graph/ccus-kg.jsonld", "application/ld+json"),
    ("ontology", "text/turtle", "303", "/ontology.ttl", "text/turtle"),
    ("ontology", BROWSER, "303", "/ontology.html", "text/html"),
    ("ontology/0.1.0", "application/rdf+xml", "303", "/ontology/0.1.0.rdf", "application/rdf+xml"),
    ("ontology/shapes", "text/turtle", "303", "/ontology/shapes.ttl", "text/turtle"),
    ("ontology/status", "application/n-triples", "303", "/ontology/status.nt", "application/n-triples"),
    ("ontology/status/active", "text/turtle", "303", "/ontology/status/active.ttl", "text/turtle"),
    ("ontology/dimension/mrv", "application/ld+json", "303", "/ontology/dimension/mrv.jsonld", "application/ld+json"),
    # q-values and wildcards are left to ccus-kg serve, which negotiates in full (a second 303)
    ("id/policy/us-45q-ira-2022", "text/turtle;q=0.5, application/ld+json", "303", "/id/policy/us-45q-ira-2022",
     "application/ld+json"),
    ("ontology/status/active", "*/*", "303", "/ontology/status/active", "text/html"),
    # documents, the context, dumps, the endpoint, the home page: the same path (302)
    ("ontology/context.jsonld", "*/*", "302", "/ontology/context.jsonld", "application/ld+json"),
    ("ontology/status/active.rdf", "*/*", "302", "/ontology/status/active.rdf", "application/rdf+xml"),
    ("dumps/ccus-kg.trig", "*/*", "302", "/dumps/ccus-kg.trig", "application/trig"),
    ("sparql?query=ASK%7B%7D", "application/sparql-results+json", "302", "/sparql?query=ASK%7B%7D",
     "application/sparql-results+json"),
    ("", "text/html", "302", "/", "text/html"),
]


@pytest.mark.parametrize(("path", "accept", "status", "location", "media"), CASES)
def test_each_kind_of_iri_redirects_to_ccus_kg_serve_and_ends_in_the_right_type(
        w3id: tuple[str, str], path: str, accept: str, status: str, location: str, media: str) -> None:
    base, target = w3id
    first = curl(base + path, accept)
    assert (first["status"], first["location"]) == (status, target + location)
    assert first["h:access-control-allow-origin"] == "*"
    assert "Accept" in first["h:vary"]
    final = curl(base + path, accept, follow=True)
    assert (final["status"], final["media"]) == ("200", media)


def test_percent_encoded_identifiers_pass_unchanged(w3id: tuple[str, str]) -> None:
    base, target = w3id
    first = curl(base + "id/cluster/ccus-%E5%80%A1%E8%AE%AE", "text/turtle")
    assert (first["status"], first["location"]) == ("303", target + "/doc/cluster/ccus-%E5%80%A1%E8%AE%AE.ttl")


def test_an_unknown_identifier_ends_in_404_not_in_a_loop(w3id: tuple[str, str]) -> None:
    base, _ = w3id
    final = curl(base + "id/policy/no-such-policy-1999", "text/turtle", follow=True)
    assert (final["status"], final["redirects"]) == ("404", "1")


def test_the_shipped_rules_name_one_target_and_keep_a_preset_one() -> None:
    text = HTACCESS.read_text(encoding="utf-8")
    rules = [line for line in text.splitlines() if line.startswith("RewriteRule")]
    assert sum("E=CCUS_KG_HOST:" in line for line in rules) == 1
    assert "RewriteCond %{ENV:CCUS_KG_HOST} ^$" in text
    assert all("%{ENV:CCUS_KG_HOST}" in line for line in rules if "R=" in line)
