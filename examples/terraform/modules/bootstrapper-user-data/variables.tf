variable "bootstrapper" {
  description = "The bootstrapper executable (on PATH, or a path to it)."
  type        = string
  default     = "bootstrapper"
}

variable "working_dir" {
  description = "Where relative part and template paths are resolved."
  type        = string
  default     = null
}

variable "format" {
  description = "cloud-config, shell or mime (mime carries var.parts beside the bootstrap)."
  type        = string
  default     = null
}

variable "role" {
  description = "IAM role name; discovered from IMDS at boot when null."
  type        = string
  default     = null
}

variable "app_user" {
  description = "Owner of the credential files the app reads."
  type        = string
  default     = null
}

variable "env_file" {
  description = "Environment file for the app's first start."
  type        = string
  default     = null
}

variable "service" {
  description = "The app's systemd unit, started once the credentials exist."
  type        = string
  default     = null
}

variable "lockdown" {
  description = "Only root (and allow_users) may reach IMDS."
  type        = bool
  default     = null
}

variable "allow_users" {
  description = "Users besides root allowed to reach IMDS (needs lockdown)."
  type        = list(string)
  default     = []
}

variable "imds_endpoint" {
  description = "http://169.254.169.254 or http://[fd00:ec2::254]."
  type        = string
  default     = null
}

variable "parts" {
  description = "Your own cloud-init parts, FILE[:content-type][:merge=...][:filename=...] (format = mime)."
  type        = list(string)
  default     = []
}

variable "gzip" {
  description = "gzip the user-data (cloud-init decompresses it); use user_data_base64 then."
  type        = bool
  default     = false
}

variable "extra_query" {
  description = "Any other render option, by its key (e.g. { token_ttl = \"3600\" })."
  type        = map(string)
  default     = {}
}
