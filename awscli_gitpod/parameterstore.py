"""Read SSM Parameter Store parameters, one by name or all under a path, in few calls; say which failed.

A request is a parameter name (`/app/db/password`, `flat-name`), its ARN, or either with a version or label
selector (`/app/db:3`, `/app/db:prod`); or a path ending in `/` (`/app/`) for every parameter below it, at
any depth. SecureString values are always decrypted.

- Names go through GetParameters, 10 a call (the API's maximum). A single name, and any name with a
  selector, uses GetParameter. When the batch call itself is refused (`ssm:GetParameters` is an action of
  its own; a role may have only `ssm:GetParameter`), the rest are read one by one, so that each denial is
  reported for the parameter it concerns.
- Paths go through GetParametersByPath with Recursive and WithDecryption, 10 a page (its maximum),
  following NextToken. A path with nothing below it is a failure: a typo would otherwise export nothing.

As for secrets, a parameter that cannot be read becomes a `ParameterFailure` with one line saying what to
do, the others are still read, and failures of the service as a whole raise (`storeaccess`). A value is
never part of a message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from awscli_gitpod import storeaccess
from awscli_gitpod.redaction import last_line, redact
from awscli_gitpod.storeaccess import Connection

STORE = "Parameter Store"
SERVICE = "ssm"
PREFIX = "ssm:"  # how SPECs and `secrets get` name a parameter
BATCH_SIZE = 10  # GetParameters: at most 10 names
PAGE_SIZE = 10  # GetParametersByPath: MaxResults at most 10
SECURE = "SecureString"
_T = TypeVar("_T")


@dataclass(frozen=True)
class ParameterRequest:
    name: str  # a name or ARN, with an optional `:selector`; or a path ending in `/`

    @property
    def is_path(self) -> bool:
        return self.name.endswith("/")

    @property
    def selected(self) -> bool:
        """Asks for a version or label (`name:3`), which GetParameters cannot tell apart in its answer."""
        return ":" in self.name.rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        return PREFIX + self.name


@dataclass(frozen=True)
class Parameter:
    name: str  # as Parameter Store reports it: the full name, without a selector
    value: str = field(repr=False)
    type: str = "String"  # String, StringList or SecureString

    @property
    def secure(self) -> bool:
        return self.type == SECURE


@dataclass(frozen=True)
class ParameterFailure:
    name: str  # as asked for, with `ssm:` in front
    code: str
    explanation: str  # one line, starting with the name, saying what to do


@dataclass
class ParameterResults:
    found: dict[ParameterRequest, list[Parameter]] = field(default_factory=dict)  # a name: one; a path: all
    failures: dict[ParameterRequest, ParameterFailure] = field(default_factory=dict)

    def failures_in_order(self, requests: Sequence[ParameterRequest]) -> list[ParameterFailure]:
        return [self.failures[request] for request in dict.fromkeys(requests) if request in self.failures]


def fetch(requests: Sequence[ParameterRequest], connection: Connection) -> ParameterResults:
    """Read every distinct request; the results say, per request, its parameters or why it failed."""
    results = ParameterResults()
    for region, client, in_region in storeaccess.by_region(connection, SERVICE, requests, _identifier):
        _Reader(client, region, results).read(in_region)
    return results


def _identifier(request: ParameterRequest) -> str:
    return request.name


class _Reader:
    """The reads of one region, recording into `results`."""

    def __init__(self, client: Any, region: str, results: ParameterResults) -> None:
        self.client = client
        self.region = region
        self.results = results

    def read(self, requests: list[ParameterRequest]) -> None:
        names = [request for request in requests if not request.is_path and not request.selected]
        one_by_one = [request for request in requests if not request.is_path and request.selected]
        if len(names) == 1:
            one_by_one, names = names + one_by_one, []  # one call either way, with less permission needed
        batch_allowed = True
        for start in range(0, len(names), BATCH_SIZE):
            chunk = names[start : start + BATCH_SIZE]
            if batch_allowed:
                batch_allowed = self._read_batch(chunk)
            if not batch_allowed:
                one_by_one += chunk
                continue
            # Anything the batch neither returned nor reported is read alone.
            one_by_one += [r for r in chunk if r not in self.results.found and r not in self.results.failures]
        for request in one_by_one:
            self._read_one(request)
        for request in requests:
            if request.is_path:
                self._read_path(request)

    def _read_batch(self, chunk: list[ParameterRequest]) -> bool:
        """Read `chunk` with GetParameters; False when the call itself is refused."""
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_parameters(
                Names=[request.name for request in chunk], WithDecryption=True
            )
        except ClientError as error:
            found = storeaccess.error_details(error)
            storeaccess.raise_if_service_failure(found, STORE, self.region, "GetParameters")
            return False  # AccessDeniedException, a malformed name...: reading each one tells which
        except Exception as error:
            storeaccess.raise_for_botocore(error, STORE, self.region)
            raise
        for item in response.get("Parameters", []):
            for request in chunk:
                if request.name in (item.get("Name"), item.get("ARN")):
                    self.results.found[request] = [_parameter(item)]
        invalid = set(response.get("InvalidParameters", []))
        for request in chunk:
            if request.name in invalid and request not in self.results.found:
                self.results.failures[request] = explain(request, "ParameterNotFound", "", self.region)
        return True

    def _read_one(self, request: ParameterRequest) -> None:
        response = self._call(
            request, "GetParameter", lambda: self.client.get_parameter(Name=request.name, WithDecryption=True)
        )
        if response is not None:
            self.results.found[request] = [_parameter(response["Parameter"])]

    def _read_path(self, request: ParameterRequest) -> None:
        def read_pages() -> list[Parameter]:
            return [
                _parameter(item) for page in self._pages(request.name) for item in page.get("Parameters", [])
            ]

        found = self._call(request, "GetParametersByPath", read_pages)
        if found == []:
            self.results.failures[request] = explain(request, "NothingUnderPath", "", self.region)
        elif found is not None:
            self.results.found[request] = sorted(found, key=lambda parameter: parameter.name)

    def _call(self, request: ParameterRequest, action: str, call: Callable[[], _T]) -> _T | None:
        """`call()`, or None once it is recorded why `request` failed; a failure of the service raises."""
        from botocore.exceptions import ClientError, ParamValidationError

        try:
            return call()
        except ClientError as error:
            found = storeaccess.error_details(error)
            storeaccess.raise_if_service_failure(found, STORE, self.region, action)
            self.results.failures[request] = explain(request, found.code, found.message, self.region)
        except ParamValidationError as error:
            # About the request's own fields (a name of the wrong length), never a value.
            self.results.failures[request] = explain(request, "InvalidParameter", str(error), self.region)
        except Exception as error:
            storeaccess.raise_for_botocore(error, STORE, self.region)
            raise
        return None

    def _pages(self, path: str) -> Iterator[dict[str, Any]]:
        parameters: dict[str, Any] = {
            "Path": path,
            "Recursive": True,
            "WithDecryption": True,
            "MaxResults": PAGE_SIZE,
        }
        while True:
            page: dict[str, Any] = self.client.get_parameters_by_path(**parameters)
            yield page
            token = page.get("NextToken")
            if not token:
                return
            parameters = {**parameters, "NextToken": token}


def _parameter(item: dict[str, Any]) -> Parameter:
    return Parameter(str(item.get("Name", "")), str(item.get("Value", "")), str(item.get("Type", "String")))


def relative_name(parameter: Parameter, path: str) -> str:
    """`/app/db/password` under `/app/` -> `db/password`."""
    return parameter.name[len(path) :] if parameter.name.startswith(path) else parameter.name.lstrip("/")


def explain(request: ParameterRequest, code: str, message: str, region: str) -> ParameterFailure:
    """One line for a parameter or path that could not be read: what AWS said, and what to do about it."""
    label = request.label
    detail = last_line(redact(message)) if message else ""
    if code == "ParameterNotFound":
        text = (
            f"{label}: not found in {region} (ParameterNotFound); check the name (names are case-sensitive, "
            "and hierarchical ones start with /) and --region"
        )
    elif code == "ParameterVersionNotFound":
        text = f"{label}: no such version or label in {region} (ParameterVersionNotFound)"
    elif code == "NothingUnderPath":
        text = (
            f"{label}: no parameters under {request.name} in {region}; check the path and --region, and that "
            "the credentials may call ssm:GetParametersByPath on it"
        )
    elif code in ("AccessDeniedException", "AccessDenied"):
        action = "ssm:GetParametersByPath" if request.is_path else "ssm:GetParameter and ssm:GetParameters"
        text = (
            f"{label}: access denied ({code}); the credentials need {action} on it, and kms:Decrypt on the "
            "KMS key of a SecureString"
        )
    elif code == "InvalidKeyId":
        text = (
            f"{label}: its KMS key cannot decrypt it (InvalidKeyId); the key must exist, be enabled and "
            "allow kms:Decrypt to these credentials"
        )
    else:
        text = f"{label}: {code}" + (f": {detail}" if detail else "")
    return ParameterFailure(label, code, text)
