"""bootstrapper: render validated EC2 user-data that delivers IAM role credentials via IMDSv2."""

__version__ = "0.1.0"
