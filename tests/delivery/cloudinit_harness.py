"""Run by Debian's /usr/bin/python3: what cloud-init 22.4 itself makes of a user-data.

Usage: python3 cloudinit_harness.py USER_DATA_FILE WORK_DIR
Prints JSON: every part cloud-init's UserDataProcessor yields (type, file name, headers,
payload), the cloud-config its own part handler merges from them, and the scripts its shell
handler writes (in the order scripts_user would run them). Nothing is executed.
"""

import base64
import json
import os
import sys

from cloudinit import handlers, helpers, user_data
from cloudinit.handlers.cloud_config import CloudConfigPartHandler
from cloudinit.handlers.shell_script import ShellScriptPartHandler
from cloudinit.settings import PER_INSTANCE
from cloudinit import safeyaml


def main(path, work):
    with open(path, "rb") as handle:
        blob = handle.read()
    paths = helpers.Paths({"cloud_dir": work, "run_dir": os.path.join(work, "run")})
    msg = user_data.UserDataProcessor(paths).process(blob)

    parts = []
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True)
        parts.append({"type": part.get_content_type(), "filename": part.get_filename(),
                      "headers": {k: v for k, v in part.items()},
                      "payload_b64": base64.b64encode(payload).decode("ascii")})

    cloud_config = os.path.join(work, "cloud-config.txt")
    scripts = os.path.join(work, "scripts")
    os.makedirs(scripts, exist_ok=True)
    cc = CloudConfigPartHandler(paths)
    cc.cloud_fn = cloud_config
    sh = ShellScriptPartHandler(paths)
    sh.script_dir = scripts
    registry = {"text/cloud-config": cc, "text/x-shellscript": sh}
    for mod in (cc, sh):
        handlers.call_begin(mod, None, PER_INSTANCE)
    data = {"handlers": registry, "handlerdir": work, "data": None,
            "frequency": PER_INSTANCE, "excluded": []}
    handlers.walk(msg, handlers.walker_callback, data)
    for mod in (cc, sh):
        handlers.call_end(mod, None, PER_INSTANCE)

    merged = None
    if os.path.exists(cloud_config):
        with open(cloud_config, encoding="utf-8") as handle:
            merged = safeyaml.load(handle.read())
    order = sorted(os.listdir(scripts) + (["runcmd"] if merged and "runcmd" in merged else []))
    print(json.dumps({"parts": parts, "cloud_config": merged, "script_order": order},
                     sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
