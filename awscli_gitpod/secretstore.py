"""Read many secrets from AWS Secrets Manager in few calls, and say clearly which ones failed and why.

Secrets at their current version go through BatchGetSecretValue, 20 IDs a call, following NextToken. When
the batch call itself is refused (the caller may read the secrets but lacks
`secretsmanager:BatchGetSecretValue`, which takes `Resource: "*"`), the rest are read with one
GetSecretValue each, in order. A single secret, and any secret asked for at a version ID or stage (batch
reads only AWSCURRENT), uses GetSecretValue directly.

A secret that cannot be read (not found, access denied, KMS decryption failed, scheduled for deletion...)
becomes a `SecretFailure` with one explanatory line, and the others are still read. Failures of the service
as a whole (rejected credentials, throttling or 5xx after botocore's retries, no connection) raise
`errors.Failure`. A value is never part of a message: AWS's own error messages name secrets, not values.

An ARN names its region, so secrets given by ARN are read in that region whatever `--region` says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from awscli_gitpod import storeaccess
from awscli_gitpod.redaction import last_line, redact
from awscli_gitpod.storeaccess import Connection

STORE = "Secrets Manager"
SERVICE = "secretsmanager"
BATCH_SIZE = 20  # the API's maximum for SecretIdList
_ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}")


@dataclass(frozen=True)
class SecretRequest:
    secret_id: str  # a name, an ARN or a partial ARN
    version_id: str | None = None
    version_stage: str | None = None

    @property
    def current(self) -> bool:
        """Asks for AWSCURRENT, the only version BatchGetSecretValue returns."""
        return self.version_id is None and self.version_stage is None


@dataclass(frozen=True)
class Secret:
    name: str  # as Secrets Manager reports it (a request by ARN still gets the friendly name)
    arn: str
    version_id: str
    string: str | None = field(default=None, repr=False)  # SecretString, or None for a binary secret
    binary: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SecretFailure:
    secret_id: str
    code: str
    explanation: str  # one line, starting with the secret ID, saying what to do


@dataclass
class Results:
    secrets: dict[SecretRequest, Secret] = field(default_factory=dict)
    failures: dict[SecretRequest, SecretFailure] = field(default_factory=dict)

    def failures_in_order(self, requests: Sequence[SecretRequest]) -> list[SecretFailure]:
        return [self.failures[request] for request in dict.fromkeys(requests) if request in self.failures]


def region_of(secret_id: str, default: str) -> str:
    return storeaccess.region_of(secret_id, SERVICE, default)


def fetch(requests: Sequence[SecretRequest], connection: Connection) -> Results:
    """Read every distinct request; the results say, per request, its secret or why it failed."""
    results = Results()
    for region, client, in_region in storeaccess.by_region(connection, SERVICE, requests, _identifier):
        _fetch_in_region(client, region, in_region, results)
    return results


def _identifier(request: SecretRequest) -> str:
    return request.secret_id


def _fetch_in_region(client: Any, region: str, requests: list[SecretRequest], results: Results) -> None:
    current = [request for request in requests if request.current]
    one_by_one = [request for request in requests if not request.current]
    if len(current) == 1:
        one_by_one = current + one_by_one  # one call either way, and GetSecretValue needs less permission
        current = []
    batch_allowed = True
    for start in range(0, len(current), BATCH_SIZE):
        chunk = current[start : start + BATCH_SIZE]
        if batch_allowed:
            batch_allowed = _fetch_batch(client, region, chunk, results)
        if not batch_allowed:
            one_by_one += chunk
            continue
        # Anything the batch neither returned nor reported (never seen, but cheap to cover) is read alone.
        one_by_one += [r for r in chunk if r not in results.secrets and r not in results.failures]
    for request in one_by_one:
        _fetch_one(client, region, request, results)


def _fetch_batch(client: Any, region: str, chunk: list[SecretRequest], results: Results) -> bool:
    """Read `chunk` with BatchGetSecretValue; False when the batch call itself is refused."""
    from botocore.exceptions import ClientError

    values: list[dict[str, Any]] = []
    reported: list[dict[str, Any]] = []
    parameters: dict[str, Any] = {"SecretIdList": [request.secret_id for request in chunk]}
    try:
        for page in _pages(client, parameters):
            values += page.get("SecretValues", [])
            reported += page.get("Errors", [])
    except ClientError as error:
        found = storeaccess.error_details(error)
        storeaccess.raise_if_service_failure(found, STORE, region, "BatchGetSecretValue")
        return False  # AccessDeniedException and the like: the caller may still read each secret
    except Exception as error:
        storeaccess.raise_for_botocore(error, STORE, region)
        raise
    for value in values:
        for request in chunk:
            if _names(request.secret_id, value):
                results.secrets[request] = _secret(value)
    for item in reported:
        secret_id = str(item.get("SecretId", ""))
        for request in chunk:
            if request.secret_id == secret_id and request not in results.secrets:
                code = str(item.get("ErrorCode", "Unknown"))
                results.failures[request] = explain(secret_id, code, str(item.get("Message", "")), region)
    return True


def _pages(client: Any, parameters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    while True:
        page: dict[str, Any] = client.batch_get_secret_value(**parameters)
        yield page
        token = page.get("NextToken")
        if not token:
            return
        parameters = {**parameters, "NextToken": token}


def _fetch_one(client: Any, region: str, request: SecretRequest, results: Results) -> None:
    from botocore.exceptions import ClientError, ParamValidationError

    parameters: dict[str, Any] = {"SecretId": request.secret_id}
    if request.version_id is not None:
        parameters["VersionId"] = request.version_id
    if request.version_stage is not None:
        parameters["VersionStage"] = request.version_stage
    try:
        response = client.get_secret_value(**parameters)
    except ClientError as error:
        found = storeaccess.error_details(error)
        storeaccess.raise_if_service_failure(found, STORE, region, "GetSecretValue")
        results.failures[request] = explain(request.secret_id, found.code, found.message, region)
        return
    except ParamValidationError as error:
        # About the request's own fields (an ID or version ID of the wrong length), never a value.
        results.failures[request] = explain(request.secret_id, "InvalidParameter", str(error), region)
        return
    except Exception as error:
        storeaccess.raise_for_botocore(error, STORE, region)
        raise
    if "SecretString" not in response and "SecretBinary" not in response:
        results.failures[request] = SecretFailure(
            request.secret_id, "NoValue", f"{request.secret_id}: this version of the secret has no value"
        )
        return
    results.secrets[request] = _secret(response)


def _names(secret_id: str, value: dict[str, Any]) -> bool:
    """Whether a returned secret is the one `secret_id` (name, ARN or partial ARN) asked for."""
    arn = str(value.get("ARN", ""))
    if secret_id in (value.get("Name"), arn):
        return True
    # A partial ARN is the ARN without the `-` and six random characters Secrets Manager appends.
    return arn.startswith(secret_id) and _ARN_SUFFIX.fullmatch(arn[len(secret_id) :]) is not None


def _secret(value: dict[str, Any]) -> Secret:
    string = value.get("SecretString")
    binary = value.get("SecretBinary")
    return Secret(
        name=str(value.get("Name", "")),
        arn=str(value.get("ARN", "")),
        version_id=str(value.get("VersionId", "")),
        string=None if string is None else str(string),
        binary=None if binary is None else bytes(binary),
    )


def explain(secret_id: str, code: str, message: str, region: str) -> SecretFailure:
    """One line for a secret that could not be read: what AWS said, and what to do about it."""
    detail = last_line(redact(message)) if message else ""
    if code == "ResourceNotFoundException":
        text = (
            f"{secret_id}: not found in {region} (ResourceNotFoundException); check the name or ARN, "
            "--region, and the version asked for"
        )
    elif code in ("AccessDeniedException", "AccessDenied"):
        text = (
            f"{secret_id}: access denied ({code}); the credentials need secretsmanager:GetSecretValue "
            "on this secret, and kms:Decrypt on its KMS key if it has its own"
        )
    elif code == "DecryptionFailure":
        text = (
            f"{secret_id}: Secrets Manager could not decrypt it (DecryptionFailure); the credentials need "
            "kms:Decrypt on the secret's KMS key, and the key must be enabled"
        )
    elif code == "InvalidRequestException" and "delet" in message.lower():
        text = (
            f"{secret_id}: scheduled for deletion (InvalidRequestException); restore it with "
            f"`aws secretsmanager restore-secret --secret-id {secret_id}` or stop asking for it"
        )
    else:
        text = f"{secret_id}: {code}" + (f": {detail}" if detail else "")
    return SecretFailure(secret_id, code, text)
