"""`bootstrapper launch-template`: JSON for `aws ec2 create-launch-template
--launch-template-data file://FILE`.

Unlike `run-instances --user-data`, a launch template's `UserData` is not encoded for you:
the API wants base64 text there. So this command always base64-encodes, once, and refuses
--base64 (which would make cloud-init receive base64 text instead of user-data).

MetadataOptions pin IMDSv2: tokens required, the endpoint on, a hop limit of 1 so a token
never leaves the host. AMIs flagged ImdsSupport=v2.0 (Amazon Linux 2023) default to 2, which
lets containers on a bridge network get one: the launch template always says 1 unless asked.
With --lockdown, forwarded traffic to IMDS is also rejected by the firewall; hop limit 1 is
the second layer. 2 with --lockdown needs --allow-forwarded-imds (containers are then meant
to reach IMDS).
IPv6 is enabled only when the user-data talks to the IPv6 endpoint.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from .profile import IMDS_ENDPOINTS, Profile

IPV6_ENDPOINT = IMDS_ENDPOINTS[1]


def metadata_options(profile: Profile) -> dict[str, Any]:
    options: dict[str, Any] = {
        "HttpEndpoint": "enabled",
        "HttpPutResponseHopLimit": profile.hop_limit,
        "HttpTokens": "required",
    }
    if profile.imds_endpoint == IPV6_ENDPOINT:
        options["HttpProtocolIpv6"] = "enabled"
    return options


def launch_template_data(profile: Profile, user_data: bytes) -> dict[str, Any]:
    """The `LaunchTemplateData` structure; `user_data` as EC2 counts it (raw or gzipped)."""
    data: dict[str, Any] = {
        "MetadataOptions": metadata_options(profile),
        "UserData": base64.b64encode(user_data).decode("ascii"),
    }
    if profile.iam_instance_profile:
        key = "Arn" if profile.iam_instance_profile.startswith("arn:") else "Name"
        data["IamInstanceProfile"] = {key: profile.iam_instance_profile}
    return data


def render(profile: Profile) -> bytes:
    """Build the user-data and return the JSON document (sorted keys, one trailing newline).
    `profile` has passed `profile.check` for launch-template (its --base64 and --hop-limit
    rules are in the rule book)."""
    from .build import build

    built = build(profile)
    document = launch_template_data(profile, built.user_data)
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("ascii")
