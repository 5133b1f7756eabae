# Renders validated EC2 user-data with `bootstrapper terraform` (the `external` data source
# protocol: one JSON object of strings in, one out). Only the inputs you set are sent, so
# every default is bootstrapper's own. The same inputs always give byte-identical output,
# so plans stay quiet until something really changes.

terraform {
  required_version = ">= 1.3"
  required_providers {
    external = {
      source  = "hashicorp/external"
      version = ">= 2.3"
    }
  }
}

locals {
  query = { for key, value in merge({
    format        = var.format
    role          = var.role
    app_user      = var.app_user
    env_file      = var.env_file
    service       = var.service
    lockdown      = var.lockdown == null ? null : tostring(var.lockdown)
    allow_users   = length(var.allow_users) > 0 ? join(",", var.allow_users) : null
    imds_endpoint = var.imds_endpoint
    # a JSON list, because a part spec may itself hold commas (merge=dict(a,b)...)
    parts = length(var.parts) > 0 ? jsonencode(var.parts) : null
    gzip  = tostring(var.gzip)
  }, var.extra_query) : key => value if value != null }
}

data "external" "user_data" {
  program     = [var.bootstrapper, "terraform"]
  working_dir = var.working_dir
  query       = local.query
}
