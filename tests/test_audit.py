"""bin/audit fails the build on a known vulnerability in the locked dependencies."""

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADVISORY = {
    "id": "PYSEC-0000-TEST",
    "modified": "2026-01-01T00:00:00Z",
    "summary": "A made-up advisory for this test",
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}],
        }
    ],
}


def osv_stub(vulnerable_package: str | None):
    """An OSV API that knows one advisory, against `vulnerable_package` (or none)."""

    class OsvApi(BaseHTTPRequestHandler):
        def do_POST(self):  # /v1/querybatch
            queries = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["queries"]
            hit = {"vulns": [{"id": ADVISORY["id"], "modified": ADVISORY["modified"]}]}
            names = [query["package"]["name"] for query in queries]
            self.reply({"results": [hit if name == vulnerable_package else {} for name in names]})

        def do_GET(self):  # /v1/vulns/<id>
            self.reply(ADVISORY)

        def reply(self, data):
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), OsvApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_audit(server):
    env = {**os.environ, "OSV_URL": f"http://127.0.0.1:{server.server_port}"}
    return subprocess.run(
        ["bash", "bin/audit"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(("vulnerable_package", "expected_status"), [("django", 1), (None, 0)])
def test_audit_fails_only_on_a_known_vulnerability(vulnerable_package, expected_status):
    server = osv_stub(vulnerable_package)
    try:
        result = run_audit(server)
    finally:
        server.shutdown()
    assert result.returncode == expected_status, result.stdout + result.stderr
    assert ("PYSEC-0000-TEST" in result.stdout) == (vulnerable_package is not None)
