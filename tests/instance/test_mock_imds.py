"""The mock IMDSv2 itself, on loopback (no root needed): a real client reads credentials from
it, and it refuses what the real service refuses, so the boot tests prove something."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

import pytest
from botocore.utils import InstanceMetadataFetcher

from bootstrapper.testing.imds import TOKEN_HEADER, TTL_HEADER, Faults, MockImds

pytestmark = pytest.mark.instance


def call(imds: MockImds, method: str, path: str, headers: dict | None = None):
    request = urllib.request.Request(imds.url + path, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def token(imds: MockImds, ttl: str = "60") -> str:
    status, body = call(imds, "PUT", "/latest/api/token", {TTL_HEADER: ttl})
    assert status == 200
    return body


def fetcher(imds: MockImds) -> InstanceMetadataFetcher:
    """botocore's own IMDS client, with IMDSv1 fallback off (as on HttpTokens=required)."""
    return InstanceMetadataFetcher(
        timeout=2, num_attempts=2, env={},
        config={"ec2_metadata_service_endpoint": imds.url + "/",
                "ec2_metadata_v1_disabled": True})


def test_botocore_reads_credentials_from_the_mock():
    with MockImds() as imds:
        creds = fetcher(imds).retrieve_iam_role_credentials()
        served = imds.last_credentials
        assert creds == {"role_name": imds.instance.role, "access_key": served["AccessKeyId"],
                         "secret_key": served["SecretAccessKey"], "token": served["Token"],
                         "expiry_time": served["Expiration"]}
        assert [(r.method, r.path) for r in imds.requests] == [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            ("GET", f"/latest/meta-data/iam/security-credentials/{imds.instance.role}")]
        assert all(r.token_ok for r in imds.requests[1:])


def test_botocore_reads_the_region_and_retries_a_500():
    with MockImds(Faults(fail_first=1)) as imds:
        from botocore.utils import InstanceMetadataRegionFetcher

        region = InstanceMetadataRegionFetcher(
            timeout=2, num_attempts=2, env={},
            config={"ec2_metadata_service_endpoint": imds.url + "/",
                    "ec2_metadata_v1_disabled": True}).retrieve_region()
        assert region == imds.instance.region
        assert imds.requests[0].status == 500


@pytest.mark.parametrize("ttl", [None, "0", "21601", "abc", "-1"])
def test_token_needs_a_ttl_in_range(ttl):
    with MockImds() as imds:
        headers = {} if ttl is None else {TTL_HEADER: ttl}
        assert call(imds, "PUT", "/latest/api/token", headers)[0] == 400


def test_token_refused_through_a_proxy():
    with MockImds() as imds:
        status, _ = call(imds, "PUT", "/latest/api/token",
                         {TTL_HEADER: "60", "X-Forwarded-For": "10.0.0.1"})
        assert status == 403


def test_get_needs_a_valid_token():
    """HttpTokens=required: no IMDSv1, and no made-up or expired tokens."""
    with MockImds() as imds:
        path = "/latest/meta-data/iam/security-credentials/"
        assert call(imds, "GET", path)[0] == 401
        assert call(imds, "GET", path, {TOKEN_HEADER: "made-up"})[0] == 401
        good = token(imds, "1")
        assert call(imds, "GET", path, {TOKEN_HEADER: good}) == (200, imds.instance.role)
        time.sleep(1.1)
        assert call(imds, "GET", path, {TOKEN_HEADER: good})[0] == 401
        assert call(imds, "GET", "/latest/api/token")[0] == 405


def test_documents_are_pretty_printed_like_the_real_service():
    with MockImds() as imds:
        headers = {TOKEN_HEADER: token(imds)}
        status, body = call(imds, "GET", "/latest/meta-data/iam/security-credentials/"
                            + imds.instance.role, headers)
        assert status == 200 and '"AccessKeyId" : "ASIA' in body and body.startswith("{\n  ")
        document = json.loads(body)
        assert document["Code"] == "Success" and document["Type"] == "AWS-HMAC"
        info = json.loads(call(imds, "GET", "/latest/meta-data/iam/info", headers)[1])
        assert info["InstanceProfileArn"].endswith(f":instance-profile/{imds.instance.role}")
        assert call(imds, "GET", "/latest/meta-data/placement/region", headers) == (
            200, imds.instance.region)
        assert call(imds, "GET", "/latest/meta-data/nothing-here", headers)[0] == 404


def test_faults():
    with MockImds(Faults(no_role=True)) as imds:
        headers = {TOKEN_HEADER: token(imds)}
        assert call(imds, "GET", "/latest/meta-data/iam/security-credentials/", headers)[0] == 404
    with MockImds(Faults(expire_first_token=True)) as imds:
        first, second = token(imds), token(imds)
        path = "/latest/meta-data/placement/region"
        assert call(imds, "GET", path, {TOKEN_HEADER: first})[0] == 401
        assert call(imds, "GET", path, {TOKEN_HEADER: second})[0] == 200
    with MockImds(Faults(fail_first=3, fail_status=429)) as imds:
        assert [call(imds, "PUT", "/latest/api/token", {TTL_HEADER: "60"})[0]
                for _ in range(4)] == [429, 429, 429, 200]
    with MockImds(Faults(rotate=True)) as imds:
        fetch = fetcher(imds)
        keys = {fetch.retrieve_iam_role_credentials()["access_key"] for _ in range(2)}
        assert len(keys) == 2


def test_late_start_refuses_until_then():
    port = _free_port()
    with MockImds(Faults(start_after=1.0), addresses=[("127.0.0.1", port)]) as imds:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        assert imds.wait_for_listening(3)
        assert token(imds)


def test_hang_accepts_and_never_answers():
    with MockImds(Faults(hang=True)) as imds:
        host, port = imds.url[len("http://"):].split(":")
        with socket.create_connection((host, int(port)), timeout=1) as conn:
            conn.sendall(b"PUT /latest/api/token HTTP/1.1\r\nHost: x\r\n"
                         b"X-aws-ec2-metadata-token-ttl-seconds: 60\r\n\r\n")
            with pytest.raises(socket.timeout):
                conn.recv(1)
        assert imds.wait_for_requests(1) and imds.requests[0].status == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
