## template: jinja
#!/bin/sh
# A templated script: the placeholders never trip shellcheck.
set -eu
echo "{{ v1.availability_zone }}" > /etc/az
hostnamectl set-hostname "{{ ds.meta_data.local_hostname }}"
