# A launch template whose instances get their role's credentials through IMDSv2 at first
# boot, with your own cloud-config part beside bootstrapper's.
#
#   pip install ec2-bootstrapper    # `bootstrapper` must be on PATH where terraform runs
#   terraform init && terraform plan

terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "image_id" {
  description = "AMI to launch (any image with cloud-init)."
  type        = string
}

variable "name" {
  description = "Name of the app: the role, instance profile and launch template."
  type        = string
  default     = "app"
}

resource "aws_iam_role" "app" {
  name = "${var.name}-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_instance_profile" "app" {
  name = "${var.name}-profile"
  role = aws_iam_role.app.name
}

module "user_data" {
  source = "./modules/bootstrapper-user-data"

  format   = "mime"
  role     = aws_iam_role.app.name
  app_user = "app"
  service  = "app"
  lockdown = true
  parts    = ["${path.module}/app.yaml"]
  gzip     = true
}

resource "aws_launch_template" "app" {
  name_prefix   = "${var.name}-"
  image_id      = var.image_id
  instance_type = "t3.micro"

  # Launch templates take base64 user-data: use user_data_base64, never base64encode() it
  # again (cloud-init would receive base64 text).
  user_data = module.user_data.user_data_base64

  iam_instance_profile {
    name = aws_iam_instance_profile.app.name
  }

  # IMDSv2 only. Hop limit 1 keeps tokens on the host: AL2023 AMIs default to 2, which lets
  # containers on a bridge get one. Lockdown also rejects forwarded traffic: two layers.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  update_default_version = true
}

output "launch_template_id" {
  value = aws_launch_template.app.id
}

output "user_data_sha256" {
  value = module.user_data.sha256
}

output "user_data_size_bytes" {
  value = module.user_data.size_bytes
}
