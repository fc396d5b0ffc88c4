"""Which AWS region a command talks to when none is given."""

from __future__ import annotations

import os

# What the AWS CLI falls back to for global services, and where a workspace without settings lands.
DEFAULT_REGION = "us-east-1"


def resolve_region(region: str | None, configured: str | None = None) -> str:
    """`region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `configured` region, else
    us-east-1."""
    return (
        region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or configured
        or DEFAULT_REGION
    )
