resource "aws_launch_template" "worker" {
  name_prefix = "worker-"
  user_data = base64encode(<<-EOT
    #!/bin/sh
    set -eu
    systemctl start worker
  EOT
  )
  metadata_options {
    http_tokens = "optional"
  }
}
