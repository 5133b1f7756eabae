#part-handler
# A custom part handler (Python), run by cloud-init for its content types.
def list_types():
    return ["text/x-app-config"]


def handle_part(data, ctype, filename, payload):
    if ctype == "text/x-app-config":
        with open("/etc/app.conf", "w") as handle:
            handle.write(payload)
