"""From SPECs to environment variables: every secret and parameter asked for, read in few calls, or every
reason it could not be.

The SPECs are parsed first (usage errors before any AWS call); then Secrets Manager (`secretstore`) and
Parameter Store (`parameterstore`) are each read once for all of them; then each SPEC becomes its variables
(`secretspec`). Every secret or parameter that could not be read or used is listed, in the order asked,
before anything is printed or run (exit 7). Two sources for one name, or a value no environment can hold,
is an error too.

What `--mask` hides comes from here as well: the whole value of every Secrets Manager secret and every
SecureString parameter read (`maskforms` derives the forms). String and StringList parameters are
configuration, printed as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, NoReturn

from awscli_gitpod import errors, parameterstore, secretstore
from awscli_gitpod.envformat import check_pairs
from awscli_gitpod.parameterstore import Parameter, ParameterRequest, relative_name
from awscli_gitpod.secretspec import (
    SecretProblem,
    Spec,
    Variable,
    check_collisions,
    check_prefix,
    parse_spec,
    path_variables,
    variables,
)
from awscli_gitpod.secretstore import SecretRequest
from awscli_gitpod.storeaccess import Connection


@dataclass(frozen=True)
class Found:
    """The variables, in the order of the SPECs, and the secret values among them (for `--mask`)."""

    variables: list[Variable]
    secret_texts: list[str] = field(repr=False)


def read_variables(
    spec_texts: Sequence[str],
    connection: Callable[[], Connection],
    expand_json: bool,
    prefix: str,
    consequence: str,
) -> Found:
    """Every variable the SPECs ask for, or a Failure listing every one that could not be read or used;
    `consequence` ends the message (`nothing was exported`)."""
    specs = [parse_spec(text) for text in spec_texts]
    check_prefix(prefix)
    secret_requests = {spec: SecretRequest(spec.secret_id) for spec in specs if not spec.parameter}
    parameter_requests = {spec: ParameterRequest(spec.secret_id) for spec in specs if spec.parameter}
    reached = connection()
    secrets = secretstore.fetch(list(secret_requests.values()), reached)
    parameters = parameterstore.fetch(list(parameter_requests.values()), reached)

    problems: list[str] = []
    found: list[Variable] = []
    secret_texts: list[str] = []
    for spec in specs:
        try:
            if spec.parameter:
                request = parameter_requests[spec]
                if request in parameters.failures:
                    problems.append(parameters.failures[request].explanation)
                    continue
                read = parameters.found[request]
                secret_texts += [parameter.value for parameter in read if parameter.secure]
                found += _parameter_variables(spec, request, read, expand_json, prefix)
            else:
                secret_request = secret_requests[spec]
                if secret_request in secrets.failures:
                    problems.append(secrets.failures[secret_request].explanation)
                    continue
                secret = secrets.secrets[secret_request]
                secret_texts += [secret.string] if secret.string is not None else []
                found += variables(spec, secret.name, secret.string, expand_json, prefix)
        except SecretProblem as problem:
            problems.append(str(problem))
    if problems:
        _fail(list(dict.fromkeys(problems)), consequence)
    check_collisions(found)
    try:
        check_pairs([(variable.name, variable.value) for variable in found])
    except ValueError as error:
        raise errors.Failure(f"{error}; {consequence}", errors.SECRETS_FAILED) from None
    return Found(found, secret_texts)


def _parameter_variables(
    spec: Spec, request: ParameterRequest, read: list[Parameter], expand_json: bool, prefix: str
) -> list[Variable]:
    if request.is_path:
        pairs = [(relative_name(parameter, request.name), parameter.value) for parameter in read]
        return path_variables(spec, pairs, expand_json, prefix)
    return variables(spec, read[0].name, read[0].value, expand_json, prefix)


def _fail(problems: list[str], consequence: str) -> NoReturn:
    if len(problems) == 1:
        raise errors.Failure(f"{problems[0]}; {consequence}", errors.SECRETS_FAILED)
    raise errors.Failure(
        f"{len(problems)} secrets could not be used; {consequence}", errors.SECRETS_FAILED, tuple(problems)
    )
