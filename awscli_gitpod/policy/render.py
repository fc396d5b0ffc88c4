"""A trust policy as IAM JSON, a CloudFormation role, or a Terraform `aws_iam_policy_document`."""

from __future__ import annotations

import json
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

from awscli_gitpod.policy.arguments import POLICY_FORMATS
from awscli_gitpod.policy.document import as_list

FORMATS = POLICY_FORMATS
ROLE_NAME = "GitpodWorkspaceRole"
DATA_NAME = "gitpod_workspaces"


def cloudformation(policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "Resources": {
            ROLE_NAME: {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": policy},
            }
        }
    }


def terraform_statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements as `aws_iam_policy_document` blocks (the `.tf.json` shape)."""
    blocks = []
    for statement in as_list(policy.get("Statement")):
        block: dict[str, Any] = {}
        if "Sid" in statement:
            block["sid"] = statement["Sid"]
        block["effect"] = statement["Effect"]
        block["actions"] = as_list(statement["Action"])
        block["principals"] = [
            {"type": kind, "identifiers": as_list(names)} for kind, names in statement["Principal"].items()
        ]
        block["condition"] = [
            {"test": operator, "variable": key, "values": as_list(values)}
            for operator, keys in statement.get("Condition", {}).items()
            for key, values in keys.items()
        ]
        blocks.append(block)
    return blocks


def terraform_json(policy: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"aws_iam_policy_document": {DATA_NAME: {"statement": terraform_statements(policy)}}}}


def _hcl_string(value: str) -> str:
    # JSON escaping is valid HCL; `${` and `%{` would start an interpolation or a directive.
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _hcl_list(values: list[Any]) -> str:
    return "[" + ", ".join(_hcl_string(str(value)) for value in values) + "]"


def terraform_hcl(policy: dict[str, Any]) -> str:
    lines = [f'data "aws_iam_policy_document" "{DATA_NAME}" {{']
    for block in terraform_statements(policy):
        lines.append("  statement {")
        if "sid" in block:
            lines.append(f"    sid     = {_hcl_string(block['sid'])}")
        lines.append(f"    effect  = {_hcl_string(block['effect'])}")
        lines.append(f"    actions = {_hcl_list(block['actions'])}")
        for principal in block["principals"]:
            lines += [
                "    principals {",
                f"      type        = {_hcl_string(principal['type'])}",
                f"      identifiers = {_hcl_list(principal['identifiers'])}",
                "    }",
            ]
        for condition in block["condition"]:
            lines += [
                "    condition {",
                f"      test     = {_hcl_string(condition['test'])}",
                f"      variable = {_hcl_string(condition['variable'])}",
                f"      values   = {_hcl_list(condition['values'])}",
                "    }",
            ]
        lines.append("  }")
    lines += [
        "}",
        "",
        '# resource "aws_iam_role" "gitpod" {',
        f"#   assume_role_policy = data.aws_iam_policy_document.{DATA_NAME}.json",
        "# }",
    ]
    return "\n".join(lines) + "\n"


def render(policy: dict[str, Any], output_format: str) -> str:
    if output_format == "json":
        return json.dumps(policy, indent=2) + "\n"
    if output_format == "cloudformation":
        text: str = yaml.safe_dump(
            cloudformation(policy), sort_keys=False, default_flow_style=False, width=200
        )
        return text
    if output_format == "terraform-json":
        return json.dumps(terraform_json(policy), indent=2) + "\n"
    if output_format == "terraform":
        return terraform_hcl(policy)
    raise ValueError(f"unknown format {output_format!r} (one of {', '.join(FORMATS)})")
