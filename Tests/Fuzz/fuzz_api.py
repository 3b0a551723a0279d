"""Fuzzes a running TierSync daemon from its OpenAPI description with schemathesis.

Every operation gets generated requests, valid and invalid (schemathesis' positive and
negative modes). Requests are signed as TierSync nodes sign them (Protocols/SYNC.md section 16):
sync calls as the configured child, operator calls with the node's own key, and one in
ten unsigned, so that generated input reaches the handlers behind the signature check.
The run fails on any 5xx answer, on a request the daemon does not answer, and if the
daemon is not healthy at the end. It prints the counts per operation and status.
"""
import argparse
import base64
import collections
import hashlib
import os
import random
import re
import sys
import time

import hypothesis
import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from schemathesis import GenerationMode


def load_key(path):
    """The node id and Ed25519 private key of a TierSync key file."""
    text = open(path, encoding="utf-8").read()
    node = re.search(r'^node = "([^"]+)"', text, re.M).group(1)
    raw = base64.b64decode(re.search(r'^private = "ed25519:([^"]+)"', text, re.M).group(1))
    return node, Ed25519PrivateKey.from_private_bytes(raw)


class Signer(requests.auth.AuthBase):
    """Signs the prepared request: method, target as sent, signer, time, nonce, body hash."""

    def __init__(self, child, operator, chance):
        self.child = child
        self.operator = operator
        self.chance = chance

    def __call__(self, request):
        path = request.path_url
        if self.chance.random() < 0.1:
            return request
        node, key = self.operator if path.startswith(("/v1/conflicts", "/v1/rejected")) else self.child
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        timestamp = str(int(time.time() * 1000))
        nonce = os.urandom(16).hex()
        message = "\n".join(["tiersync-request-v1", request.method.upper(), path, node, timestamp, nonce,
                             hashlib.sha256(body).hexdigest()]).encode("utf-8")
        request.headers["TierSync-Node"] = node
        request.headers["TierSync-Timestamp"] = timestamp
        request.headers["TierSync-Nonce"] = nonce
        request.headers["TierSync-Signature"] = base64.b64encode(key.sign(message)).decode("ascii")
        return request


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--child-key", required=True, help="key file of a child the daemon accepts")
    parser.add_argument("--node-key", required=True, help="the daemon's own key file")
    parser.add_argument("--examples", type=int, default=300, help="generated requests per operation and mode")
    parser.add_argument("--seed", type=int, default=20261123)
    arguments = parser.parse_args()
    # Hypothesis reseeds the global generator for every example: keep an own one.
    chance = random.Random(arguments.seed)

    child = load_key(arguments.child_key)
    session = requests.Session()
    session.auth = Signer(child, load_key(arguments.node_key), chance)
    schema = schemathesis.openapi.from_path(arguments.schema)
    counts = collections.Counter()
    failures = []

    def send(case):
        # Most generated bodies and queries speak for the signing child, so that they get
        # past the identity check and into validation and apply.
        if isinstance(case.body, dict) and "node" in case.body and chance.random() < 0.8:
            case.body["node"] = child[0]
        if isinstance(case.query, dict) and "node" in case.query and chance.random() < 0.8:
            case.query["node"] = child[0]
        # A valid `wait` holds a pull while the daemon has nothing to send: hold at most a
        # second, and rarely, so that a run stays short. Values outside 0..30 go as
        # generated and must be refused with 400.
        if isinstance(case.query, dict) and type(case.query.get("wait")) is int and 0 < case.query["wait"] <= 30:
            case.query["wait"] = 1 if chance.random() < 0.1 else 0
        try:
            response = case.call(base_url=arguments.base_url, session=session, timeout=30)
        except requests.RequestException as error:
            failures.append(f"{case.method} {case.formatted_path}: no answer ({error})")
            counts[(case.operation.label, "no answer")] += 1
            return
        counts[(case.operation.label, response.status_code)] += 1
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.path} -> {response.status_code}: {response.text[:300]}\n"
                            f"    body: {str(case.body)[:300]} query: {case.query}")

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @hypothesis.settings(max_examples=arguments.examples, deadline=None, database=None, derandomize=True,
                                 suppress_health_check=list(hypothesis.HealthCheck), phases=[hypothesis.Phase.generate])
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                send(case)

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                pass
            print(f"{operation.label} [{mode.value}] done", flush=True)

    total = sum(counts.values())
    print(f"\n{total} requests")
    for (label, status), count in sorted(counts.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        print(f"  {label:45} {status}: {count}")
    health = requests.get(arguments.base_url + "/healthz", timeout=10)
    if health.text != "ok\n":
        failures.append(f"the daemon is not healthy after the run: {health.status_code} {health.text!r}")
    if failures:
        print(f"\n{len(failures)} failure(s):")
        for failure in failures[:50]:
            print("  " + failure)
        sys.exit(1)
    print("no 5xx, no unanswered request, daemon healthy")


if __name__ == "__main__":
    main()
