output "user_data_base64" {
  description = "What EC2 takes (gzipped when gzip = true), base64: aws_launch_template.user_data, aws_instance.user_data_base64."
  value       = data.external.user_data.result.user_data_base64
}

output "user_data" {
  description = "The text cloud-init reads: aws_instance.user_data (the provider encodes it). Not for launch templates."
  value       = data.external.user_data.result.user_data
}

output "sha256" {
  description = "sha256 of the bytes EC2 takes: a stable trigger for replacements."
  value       = data.external.user_data.result.sha256
}

output "size_bytes" {
  description = "Size EC2 counts against its 16384-byte limit."
  value       = tonumber(data.external.user_data.result.size_bytes)
}
