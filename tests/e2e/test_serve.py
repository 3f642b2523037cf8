"""`qf serve` on a machine with nothing configured: embedded PostgreSQL, migrations, sample, the registry,
credits and mapping subgraphs and the gateway, one printed URL; the README's first query answers through
it."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_prints_a_url_that_answers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QF_")}
    env.update(
        QF_DATA_DIR=str(tmp_path / "data"),
        QF_GATEWAY_PORT=str(free_port()),
        QF_REGISTRY_PORT=str(free_port()),
        QF_CREDITS_PORT=str(free_port()),
        QF_MAPPING_PORT=str(free_port()),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "qf", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 90
        seen = []
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            seen.append(line)
            match = re.search(r"qf is up .*(http://\S+/graphql)", line)
            url = match.group(1) if match else None
        assert url, "no URL printed:\n" + "".join(seen)
        query = "{ standards(first: 5) { totalCount edges { node { code title level } } } }"
        for _ in range(50):
            try:
                answer = httpx.post(url, json={"query": query}, timeout=10)
                break
            except httpx.ConnectError:
                time.sleep(0.2)
        body = answer.json()
        assert "errors" not in body, body
        assert body["data"]["standards"]["totalCount"] > 5
        assert len(body["data"]["standards"]["edges"]) == 5
        # The sample crosswalk answers through the same URL, joined to the registry's standards.
        crosswalk = """{
          standard(code: "EC0217.01") { title industry { code } levelEquivalents { item { scheme code } } }
          crosswalk(from: {scheme: CIP_2020, code: "47.0604"}, toSchemes: [ONET_SOC]) { item { code } }
          recognitionAgreement(id: "MX-US-AUTO-ILLUSTRATIVE") { illustrative scope { title } }
        }"""
        body = httpx.post(url, json={"query": crosswalk}, timeout=10).json()
        assert "errors" not in body, body
        assert body["data"]["standard"]["industry"] == {"code": "61"}
        assert {"item": {"scheme": "EQF", "code": "4"}} in body["data"]["standard"]["levelEquivalents"]
        assert body["data"]["crosswalk"] == [{"item": {"code": "49-3023.00"}}]
        agreement = body["data"]["recognitionAgreement"]
        assert agreement["illustrative"] and all(s["title"] for s in agreement["scope"])
        # The credit bank answers through the same URL too: its sample, a conversion, and the join with the
        # registry's standard (anonymous: approved rules are public).
        credits = """{
          institutions { nodes { id creditSystem illustrative } }
          convertCredits(value: 10, from: UK_CREDIT, to: ECTS) { value basis }
          standard(code: "EC1121") { title creditEquivalences(institutionId: "mx-ut-ejemplo") { credits } }
        }"""
        body = httpx.post(url, json={"query": credits}, timeout=10).json()
        assert "errors" not in body, body
        institutions = {i["id"]: i for i in body["data"]["institutions"]["nodes"]}
        assert institutions["mx-ut-ejemplo"]["creditSystem"] == "SATCA"
        assert all(i["illustrative"] for i in institutions.values())
        assert {"us-cc-sample", "uk-fe-sample"} <= set(institutions)
        assert body["data"]["convertCredits"] == {"value": 5, "basis": "PUBLISHED_EQUIVALENCE"}
        standard = body["data"]["standard"]
        assert standard["title"] and standard["creditEquivalences"] == [{"credits": 9}]
        # The reference portal is served at the gateway's origin.
        page = httpx.get(url.removesuffix("/graphql") + "/", timeout=10)
        assert page.status_code == 200 and '<script type="module" src="/portal/app.js">' in page.text
        assert "connect-src 'self'" in page.headers["content-security-policy"]
        # Subgraphs stay closed to direct calls.
        for service in ("REGISTRY", "CREDITS", "MAPPING"):
            direct = f"http://127.0.0.1:{env[f'QF_{service}_PORT']}/graphql"
            assert httpx.post(direct, json={"query": "{ __typename }"}).status_code == 401, service
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode in (0, 130), process.returncode
