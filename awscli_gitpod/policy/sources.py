"""Trust policies found in a file, with the line of every part: an IAM policy document (or `aws iam get-role`
output), a CloudFormation template (JSON or YAML, short-form tags included: `AWS::IAM::Role`
`AssumeRolePolicyDocument`), or Terraform JSON (`aws_iam_role.assume_role_policy` as a JSON string or an
object, `data.aws_iam_policy_document` statements with principals and no resources). A file that holds
none yields nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awscli_gitpod.policy.document import as_list
from awscli_gitpod.policy.located import Lines, ParseError, Path, line_of, load_json, load_yaml


@dataclass(frozen=True)
class PolicySource:
    path: str  # the file, as given
    where: str  # the place in the file, e.g. `Resources.AppRole` ("" for a whole-file policy)
    document: Any
    lines: Lines  # paths inside `document` -> line in the file
    line: int  # the line of the document itself

    def line_of(self, path: Path) -> int:
        return line_of(self.lines, path, self.line)


def _relative(lines: Lines, base: Path) -> Lines:
    return {path[len(base) :]: line for path, line in lines.items() if path[: len(base)] == base}


def parse(path: str, text: str) -> tuple[Any, Lines]:
    """The file's value; JSON for `.json` and anything that starts like JSON, YAML otherwise."""
    if path.endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return load_json(text)
    return load_yaml(text)


def policies(path: str, text: str) -> list[PolicySource]:
    """Every trust policy in the file; ParseError when the file does not parse."""
    value, lines = parse(path, text)
    if not isinstance(value, dict):
        return []
    if "Statement" in value:
        return [PolicySource(path, "", value, lines, 1)]
    if "Resources" in value or "AWSTemplateFormatVersion" in value:
        return list(_cloudformation(path, value, lines))
    if "resource" in value or "data" in value:
        return list(_terraform(path, value, lines))
    role = value.get("Role")
    if isinstance(role, dict) and "AssumeRolePolicyDocument" in role:
        return list(
            _embedded(
                path, "Role", role["AssumeRolePolicyDocument"], lines, ("Role", "AssumeRolePolicyDocument")
            )
        )
    return []


def _embedded(path: str, where: str, document: Any, lines: Lines, base: Path) -> Iterator[PolicySource]:
    line = line_of(lines, base)
    if isinstance(document, str):
        # A policy kept as a JSON string: every part of it is on the string's line (escaped newlines).
        try:
            parsed, _ = load_json(document)
        except ParseError as error:
            raise ParseError(f"{where}: the policy string {error.message}", line) from None
        yield PolicySource(path, where, parsed, {}, line)
    elif isinstance(document, dict):
        yield PolicySource(path, where, document, _relative(lines, base), line)


# --- CloudFormation ----------------------------------------------------------------------------------


def _cloudformation(path: str, template: dict[str, Any], lines: Lines) -> Iterator[PolicySource]:
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return
    providers = {
        name: _provider_url(resource)
        for name, resource in resources.items()
        if isinstance(resource, dict) and resource.get("Type") == "AWS::IAM::OIDCProvider"
    }
    for name, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::IAM::Role":
            continue
        properties = resource.get("Properties")
        if not isinstance(properties, dict) or "AssumeRolePolicyDocument" not in properties:
            continue
        base: Path = ("Resources", name, "Properties", "AssumeRolePolicyDocument")
        document = _resolve(properties["AssumeRolePolicyDocument"], providers)
        yield from _embedded(path, f"Resources.{name}", document, lines, base)


def _provider_url(resource: dict[str, Any]) -> str | None:
    properties = resource.get("Properties")
    url = properties.get("Url") if isinstance(properties, dict) else None
    return url.split("://", 1)[-1].rstrip("/") if isinstance(url, str) else None


def _resolve(value: Any, providers: dict[str, str | None]) -> Any:
    """Intrinsic functions as text a linter can read: `${Name}` where the value is only known at deploy
    time, the provider's ARN where the template itself creates the provider."""
    if isinstance(value, list):
        return [_resolve(item, providers) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref" or function.startswith("Fn::"):
            return _intrinsic(function, argument, providers)
    return {key: _resolve(item, providers) for key, item in value.items()}


def _provider_arn(name: str, providers: dict[str, str | None]) -> str | None:
    url = providers.get(name)
    return f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{url}" if url else None


def _intrinsic(function: str, argument: Any, providers: dict[str, str | None]) -> str:
    if function == "Ref":
        return _provider_arn(str(argument), providers) or f"${{{argument}}}"
    if function == "Fn::GetAtt":
        parts = [str(part) for part in as_list(argument)]
        if len(parts) == 2 and parts[1] == "Arn":
            return _provider_arn(parts[0], providers) or f"${{{'.'.join(parts)}}}"
        return f"${{{'.'.join(parts)}}}"
    if function == "Fn::Sub":
        items = as_list(argument)
        template = str(items[0]) if items else ""
        variables = items[1] if len(items) > 1 and isinstance(items[1], dict) else {}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(_resolve(variables[name], providers))
            target = name[: -len(".Arn")] if name.endswith(".Arn") else name
            return _provider_arn(target, providers) or match.group(0)

        return re.sub(r"\$\{([^!}][^}]*)\}", substitute, template)
    if function == "Fn::Join":
        items = as_list(argument)
        if len(items) == 2 and isinstance(items[1], list):
            return str(items[0]).join(str(_resolve(part, providers)) for part in items[1])
    if function == "Fn::If":
        items = as_list(argument)
        if len(items) == 3:
            return str(_resolve(items[1], providers))  # the first branch stands for both
    return f"${{{function}}}"


# --- Terraform JSON ----------------------------------------------------------------------------------


def _blocks(section: Any, base: Path) -> Iterator[tuple[str, str, Any, Path]]:
    """(type, name, body, path) of each `resource`/`data` block; each level may be an object or a list."""
    for type_level, type_path in _objects(section, base):
        for block_type, named in type_level.items():
            for name_level, name_path in _objects(named, (*type_path, block_type)):
                for name, bodies in name_level.items():
                    for body, body_path in _objects(bodies, (*name_path, name)):
                        yield block_type, name, body, body_path


def _objects(value: Any, path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    if isinstance(value, dict):
        yield value, path
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield item, (*path, index)


def _terraform(path: str, value: dict[str, Any], lines: Lines) -> Iterator[PolicySource]:
    for block_type, name, body, body_path in _blocks(value.get("resource"), ("resource",)):
        if block_type != "aws_iam_role" or "assume_role_policy" not in body:
            continue
        document = body["assume_role_policy"]
        if isinstance(document, str) and not document.lstrip().startswith("{"):
            continue  # a reference such as `${data.aws_iam_policy_document.x.json}`: linted where it is
        yield from _embedded(
            path, f"aws_iam_role.{name}", document, lines, (*body_path, "assume_role_policy")
        )
    for block_type, name, body, body_path in _blocks(value.get("data"), ("data",)):
        if block_type == "aws_iam_policy_document" and _is_trust_policy(body):
            yield _policy_document(path, name, body, body_path, lines)


def _is_trust_policy(body: dict[str, Any]) -> bool:
    """A policy document data source may hold any policy. A trust policy names principals and no resources
    (the role it is attached to is its resource); a permissions policy names resources and no principals,
    a bucket policy both."""
    blocks = [block for block, _ in _objects(body.get("statement"), ())]
    return any("principals" in block or "not_principals" in block for block in blocks) and not any(
        "resources" in block or "not_resources" in block for block in blocks
    )


def _policy_document(path: str, name: str, body: dict[str, Any], base: Path, lines: Lines) -> PolicySource:
    statements = []
    mapped: Lines = {}
    for index, (block, block_path) in enumerate(_objects(body.get("statement"), (*base, "statement"))):
        target: Path = ("Statement", index)
        mapped[target] = line_of(lines, block_path)
        statement: dict[str, Any] = {"Effect": block.get("effect", "Allow")}
        if "sid" in block:
            statement["Sid"] = block["sid"]
        for field, element in (("actions", "Action"), ("not_actions", "NotAction")):
            if field in block:
                statement[element] = block[field]
                mapped[(*target, element)] = line_of(lines, (*block_path, field))
        for field, element in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            for principal, principal_path in _objects(block.get(field), (*block_path, field)):
                kind = str(principal.get("type", ""))
                names = statement.setdefault(element, {}).setdefault(kind, [])
                names.extend(as_list(principal.get("identifiers")))
                mapped[(*target, element)] = line_of(lines, principal_path)
        for condition, condition_path in _objects(block.get("condition"), (*block_path, "condition")):
            test, variable = str(condition.get("test", "")), str(condition.get("variable", ""))
            keys = statement.setdefault("Condition", {}).setdefault(test, {})
            keys[variable] = as_list(keys.get(variable)) + as_list(condition.get("values"))
            mapped[(*target, "Condition", test)] = line_of(lines, condition_path)
            mapped[(*target, "Condition", test, variable)] = line_of(lines, condition_path)
        statements.append(statement)
    document = {"Version": "2012-10-17", "Statement": statements}
    return PolicySource(path, f"data.aws_iam_policy_document.{name}", document, mapped, line_of(lines, base))
