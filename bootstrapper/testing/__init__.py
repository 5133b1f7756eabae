"""Reusable test doubles: a mock IMDSv2 and a simulated instance (network namespace + the
Debian image booted with real cloud-init). Used by tests/instance/; usable by anyone."""
