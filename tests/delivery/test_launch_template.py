"""`bootstrapper launch-template`: the JSON is accepted by botocore's own EC2 service model
for CreateLaunchTemplate, and its UserData is the render, base64-encoded exactly once."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess

import pytest

botocore = pytest.importorskip("botocore.session")

from support import run_cli  # noqa: E402


def run(*args: str) -> subprocess.CompletedProcess:
    return run_cli(*args, binary=True)


def template(*args: str) -> dict:
    result = run("launch-template", *args)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def ec2_model():
    return botocore.get_session().get_service_model("ec2")


def check_against_model(shape, value, path="LaunchTemplateData"):
    """Every key is a member of the shape, every enum value allowed, every type right."""
    if shape.type_name == "structure":
        assert isinstance(value, dict), path
        for key, item in value.items():
            assert key in shape.members, f"{path}.{key} is not in botocore's model"
            check_against_model(shape.members[key], item, f"{path}.{key}")
    elif shape.type_name == "string":
        assert isinstance(value, str), path
        if shape.enum:
            assert value in shape.enum, f"{path}={value!r} not one of {shape.enum}"
    elif shape.type_name == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), path
    else:  # pragma: no cover - we emit nothing else
        raise AssertionError(f"{path}: unexpected {shape.type_name}")


def validate_with_botocore(ec2_model, data: dict) -> None:
    from botocore.validate import ParamValidator

    operation = ec2_model.operation_model("CreateLaunchTemplate")
    shape = operation.input_shape.members["LaunchTemplateData"]
    check_against_model(shape, data)
    report = ParamValidator().validate({"LaunchTemplateName": "app", "LaunchTemplateData": data},
                                       operation.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_default_launch_template(ec2_model):
    data = template("--role", "app-role")
    assert set(data) == {"MetadataOptions", "UserData"}
    assert data["MetadataOptions"] == {"HttpEndpoint": "enabled", "HttpTokens": "required",
                                       "HttpPutResponseHopLimit": 1}
    plain = run("render", "--role", "app-role").stdout
    assert base64.b64decode(data["UserData"], validate=True) == plain  # encoded once
    validate_with_botocore(ec2_model, data)


@pytest.mark.parametrize("args, expected", [
    (["--imds-endpoint", "http://[fd00:ec2::254]"], {"HttpProtocolIpv6": "enabled"}),
    (["--hop-limit", "2"], {"HttpPutResponseHopLimit": 2}),
])
def test_metadata_options(ec2_model, args, expected):
    data = template(*args)
    assert expected.items() <= data["MetadataOptions"].items()
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    validate_with_botocore(ec2_model, data)


@pytest.mark.parametrize("value, key", [
    ("web-app", "Name"),
    ("arn:aws:iam::123456789012:instance-profile/team/web-app", "Arn"),
])
def test_instance_profile(ec2_model, value, key):
    data = template("--iam-instance-profile", value)
    assert data["IamInstanceProfile"] == {key: value}
    validate_with_botocore(ec2_model, data)


def test_a_stubbed_ec2_client_accepts_it_as_the_cli_would_send_it(tmp_path):
    from botocore.stub import Stubber

    data = template("--format", "mime", "--gzip", "--iam-instance-profile", "web")
    client = botocore.get_session().create_client(
        "ec2", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="example")  # never sent: the stubber answers
    with Stubber(client) as stub:
        stub.add_response("create_launch_template", {},
                          {"LaunchTemplateName": "app", "LaunchTemplateData": data})
        client.create_launch_template(LaunchTemplateName="app", LaunchTemplateData=data)
    assert gzip.decompress(base64.b64decode(data["UserData"])).startswith(b"Content-Type:")


@pytest.mark.parametrize("args, field", [  # a combination or a value: the flag that was used
    (["--base64"], "--base64"),
    (["--lockdown", "--hop-limit", "2"], "--hop-limit"),
    (["--hop-limit", "65"], "--hop-limit"),
    (["--iam-instance-profile", "bad name"], "--iam-instance-profile"),
])
def test_refused(args, field):
    result = run("launch-template", *args)
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().startswith(f"bootstrapper: error: {field}:")


def test_launch_template_options_are_not_render_options():
    result = run("render", "--hop-limit", "2")
    assert result.returncode == 2 and b"--hop-limit" in result.stderr


def test_output_file(tmp_path):
    target = tmp_path / "lt.json"
    assert run("launch-template", "--output", str(target)).returncode == 0
    assert json.loads(target.read_text())["MetadataOptions"]["HttpTokens"] == "required"
    assert target.read_bytes() == run("launch-template").stdout


def test_profile_keys_work_too(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("hop_limit: 2\niam_instance_profile: web\n")
    data = template(str(profile))
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 2
    assert data["IamInstanceProfile"] == {"Name": "web"}
