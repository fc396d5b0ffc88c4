"""AWS region names: which one a command talks to, whether it is a region at all, and its partition.

A region is checked by its form, as botocore's partition table (`endpoints.json`, `regionRegex`) defines
it, before any network call: a typo such as `eu-west1` would otherwise reach no endpoint and be reported as
STS being unavailable, or, with an endpoint URL set, be accepted and written into a profile. A region that
has the right form but is newer than the installed botocore is accepted. A role lives in one partition
(`arn:aws-cn:...`) and can only be assumed through an STS endpoint of that partition.
"""

from __future__ import annotations

import os
import re

from awscli_gitpod import errors

# What the AWS CLI falls back to for global services, and where a workspace without settings lands.
DEFAULT_REGION = "us-east-1"

# botocore's `regionRegex` of each partition, most specific first (`us-gov-west-1` is not commercial).
PARTITIONS = (
    ("aws-us-gov", re.compile(r"us-gov-[a-z]+-\d+"), "us-gov-west-1"),
    ("aws-iso-b", re.compile(r"us-isob-[a-z]+-\d+"), "us-isob-east-1"),
    ("aws-iso-f", re.compile(r"us-isof-[a-z]+-\d+"), "us-isof-south-1"),
    ("aws-iso-e", re.compile(r"eu-isoe-[a-z]+-\d+"), "eu-isoe-west-1"),
    ("aws-iso", re.compile(r"us-iso-[a-z]+-\d+"), "us-iso-east-1"),
    ("aws-eusc", re.compile(r"eusc-de-[a-z]+-\d+"), "eusc-de-east-1"),
    ("aws-cn", re.compile(r"cn-[a-z]+-\d+"), "cn-north-1"),
    ("aws", re.compile(r"(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+"), DEFAULT_REGION),
)
_ARN_PARTITION = re.compile(r"arn:(aws[a-z-]*):")


def partition_of(region: str) -> str | None:
    """The partition whose regions have this form (`aws`, `aws-cn`, `aws-us-gov`...), or None."""
    for partition, form, _ in PARTITIONS:
        if form.fullmatch(region):
            return partition
    return None


def partition_of_arn(arn: str) -> str | None:
    match = _ARN_PARTITION.match(arn)
    return match.group(1) if match else None


def example_region(partition: str) -> str:
    return next((example for name, _, example in PARTITIONS if name == partition), DEFAULT_REGION)


def _known_regions() -> list[str]:
    """Every region the installed botocore knows (only read to suggest a fix: it costs tens of ms)."""
    import json

    import botocore

    try:
        with open(os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json")) as file:
            partitions = json.load(file)["partitions"]
        return [region for partition in partitions for region in partition.get("regions", {})]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def suggestion(text: str) -> str | None:
    """The region `text` most likely meant: its spelling fixed (`EU_West1` -> `eu-west-1`), else the closest
    region botocore knows; None when nothing is close."""
    import difflib

    spelled = re.sub(r"[\s_.]+", "-", text.strip().lower())
    spelled = re.sub(r"(?<=[a-z])-?(\d+)$", r"-\1", spelled)
    spelled = re.sub(r"-{2,}", "-", spelled).strip("-")
    if partition_of(spelled):
        return spelled
    close = difflib.get_close_matches(spelled, _known_regions(), n=1, cutoff=0.75)
    return close[0] if close else None


def check_region(region: str, source: str = "--region") -> str:
    """`region` if it has a region's form; else a usage error naming where it came from and the fix."""
    if partition_of(region):
        return region
    fix = suggestion(region)
    hint = f"did you mean {fix}?" if fix else f"regions look like {DEFAULT_REGION} or eu-west-1"
    raise errors.UsageError(f"{source} {region!r} is not an AWS region name; {hint}")


def resolve_region(region: str | None, configured: str | None = None) -> str:
    """`region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `configured` region, else
    us-east-1; checked by form (a usage error names the setting it came from)."""
    for value, source in (
        (region, "--region"),
        (os.environ.get("AWS_REGION"), "AWS_REGION"),
        (os.environ.get("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"),
        (configured, "the profile's region"),
    ):
        if value:
            return check_region(value, source)
    return DEFAULT_REGION


def region_source(region: str | None) -> str:
    """Where `resolve_region(region)` takes its value from, for messages."""
    if region:
        return "--region"
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(variable):
            return variable
    return "the default region"


def check_role_region(role_arn: str, region: str | None) -> None:
    """A usage error unless the role's partition is the partition of the region it will be assumed in
    (`region` as given, resolved as `resolve_region` does)."""
    role_partition = partition_of_arn(role_arn)
    resolved = resolve_region(region)
    region_partition = partition_of(resolved)
    if role_partition is None or role_partition == region_partition:
        return
    raise errors.UsageError(
        f"{role_arn} is in partition {role_partition}, but {region_source(region)} {resolved} is in "
        f"{region_partition}; pass --region with a region of {role_partition} (e.g. "
        f"{example_region(role_partition)})"
    )
