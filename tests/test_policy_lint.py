"""`policy lint`: the corpus of insecure and secure trust policies, line numbers, outputs, acceptance."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from awscli_gitpod.cli import main as cli_main
from awscli_gitpod.policy.document import federated, provider_path, statements
from awscli_gitpod.policy.engine import evaluate
from awscli_gitpod.policy.lint import lint_paths, lint_source, lint_text, main
from awscli_gitpod.policy.located import ParseError
from awscli_gitpod.policy.rules import RULES
from awscli_gitpod.policy.sources import policies

CORPUS = Path(__file__).parent / "data" / "policies"

# file -> the warnings and errors it must produce, as RULE:line (info findings are hints, not listed).
EXPECTED = {
    "insecure/any-aws-principal.json": ["GP012:7"],
    "insecure/any-federated-provider.json": ["GP012:6"],
    "insecure/assume-role-to-web-identity.json": ["GP011:10"],
    "insecure/broad-action.json": ["GP011:10"],
    "insecure/empty-values.json": ["GP016:16"],
    "insecure/foreign-account-root.json": ["GP018:21"],
    "insecure/not-principal.json": ["GP016:20"],
    "insecure/principal-star-assume-role.json": ["GP012:20", "GP016:20"],
    "insecure/public-idp.json": ["GP019:6"],
    "insecure/wildcard-service-prefix.json": ["GP016:10"],
    "insecure/cloudformation.yaml": ["GP004:20"],
    "insecure/forallvalues-sub.json": ["GP007:16"],
    "insecure/ifexists-aud.json": ["GP007:13"],
    "insecure/key-prefix-mismatch.json": ["GP009:13", "GP009:14"],
    "insecure/legacy-issuer.json": ["GP014:7"],
    "insecure/literal-wildcard-string-equals.json": ["GP010:14"],
    "insecure/malformed.json": ["GP016:12"],
    "insecure/missing-aud.json": ["GP002:11"],
    "insecure/missing-sub.json": ["GP001:11"],
    "insecure/negated-in-allow.json": ["GP008:16"],
    "insecure/not-json.json": ["GP016:4"],
    "insecure/ona-other-org-prefix.json": ["GP004:16"],
    "insecure/principal-star.json": ["GP012:7", "GP016:7"],
    "insecure/question-mark.json": ["GP006:18"],
    "insecure/repo-prefix.json": ["GP005:16"],
    "insecure/star-among-several.json": ["GP004:19"],
    "insecure/tenant-prefix.json": ["GP004:16"],
    "insecure/terraform.tf.json": ["GP001:20", "GP004:10"],
    "insecure/unknown-claim.json": ["GP017:15"],
    "insecure/wildcard-aud.json": ["GP003:13"],
    "insecure/wrong-aud.json": ["GP003:13"],
    "secure/cloudformation.yaml": [],
    "secure/cross-account-external-id.json": [],
    "secure/dedicated-repo-and-children.json": [],
    "secure/deny-narrows.json": [],
    "secure/gitpod-io-keyed-org.json": [],
    "secure/ona-project.json": [],
    "secure/org-scoped-any-principal.json": [],
    "secure/own-account-root.json": [],
    "secure/public-idp-pinned.json": [],
    "secure/tag-session-own-statement.json": [],
    "secure/terraform.tf.json": [],
    "vendor/gitpod-guide-exact.json": ["GP013:14"],
    "vendor/gitpod-guide-org-wildcard.json": ["GP013:16"],
}
SUB_RULES = {"GP001", "GP004", "GP005", "GP006", "GP008", "GP012", "GP013"}


def corpus_files() -> list[str]:
    return sorted(str(path.relative_to(CORPUS)) for path in CORPUS.rglob("*") if path.is_file())


def test_every_corpus_file_has_expectations() -> None:
    assert corpus_files() == sorted(EXPECTED)


def test_every_rule_is_exercised_by_the_corpus() -> None:
    exercised = {entry.split(":")[0] for entries in EXPECTED.values() for entry in entries}
    assert exercised | {"GP000", "GP015"} == set(RULES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus(name: str) -> None:
    findings = lint_paths([str(CORPUS / name)])
    found = sorted(f"{f.rule.id}:{f.line}" for f in findings if f.rule.severity != "info")
    assert found == sorted(EXPECTED[name])


@pytest.mark.parametrize("name", [name for name in sorted(EXPECTED) if EXPECTED[name]])
def test_attacker_values_really_get_in(name: str) -> None:
    """Each attacker value a finding names is one IAM would let in: the hole is real, not a style point."""
    path = CORPUS / name
    try:
        sources = policies(str(path), path.read_text())
    except ParseError:
        return
    for source in sources:
        for finding in lint_source(source):
            if finding.rule.id not in SUB_RULES or not finding.attacker:
                continue
            arns = [arn for _, st in statements(source.document) for arn in federated(st)]
            provider = provider_path(arns[0]) if arns else None
            claims = {"iss": f"https://{provider}", "aud": ["sts.amazonaws.com"], "sub": finding.attacker}
            assert evaluate(source.document, claims).allowed, (finding.rule.id, finding.attacker)


def test_lines_point_into_a_yaml_list(tmp_path: Path) -> None:
    template = (
        (CORPUS / "secure" / "cloudformation.yaml")
        .read_text()
        .replace("- https://github.com/o/r/tree/*", "- https://github.com/o*")
    )
    path = tmp_path / "template.yaml"
    path.write_text(template)
    (finding,) = [f for f in lint_paths([str(path)]) if f.rule.id == "GP004"]
    assert template.splitlines()[finding.line - 1].strip() == "- https://github.com/o*"
    assert finding.where == "Resources.AppRole statement 0"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ('{"Role": {"RoleName": "r", "AssumeRolePolicyDocument": {"Statement": []}}}', 1),  # aws iam get-role
        (
            '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"R": {"Type": "AWS::IAM::Role", '
            '"Properties": {"AssumeRolePolicyDocument": {"Statement": []}}}}}',
            1,
        ),
        ('{"resource": [{"aws_iam_role": [{"a": [{"assume_role_policy": {"Statement": []}}]}]}]}', 1),
        ('{"name": "not a policy"}', 0),
        ("[1, 2]", 0),
    ],
)
def test_sources(text: str, count: int) -> None:
    assert len(policies("x.json", text)) == count


def test_cloudformation_json_with_intrinsics() -> None:
    template = {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {
                                    "Federated": {
                                        "Fn::Join": [
                                            "",
                                            [
                                                "arn:aws:iam::",
                                                {"Ref": "AWS::AccountId"},
                                                ":oidc-provider/g.example/idp",
                                            ],
                                        ]
                                    }
                                },
                                "Action": "sts:AssumeRoleWithWebIdentity",
                                "Condition": {
                                    "StringEquals": {
                                        "g.example/idp:aud": "sts.amazonaws.com",
                                        "g.example/idp:sub": {"Ref": "Repo"},
                                    }
                                },
                            }
                        ]
                    }
                },
            }
        }
    }
    (source,) = policies("t.json", json.dumps(template, indent=1))
    statement = source.document["Statement"][0]
    assert statement["Principal"]["Federated"] == "arn:aws:iam::${AWS::AccountId}:oidc-provider/g.example/idp"
    assert statement["Condition"]["StringEquals"]["g.example/idp:sub"] == "${Repo}"
    assert [f.rule.id for f in lint_text("t.json", json.dumps(template)) if f.rule.severity != "info"] == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("secure/dedicated-repo-and-children.json", 0),
        ("insecure/tenant-prefix.json", 1),
        ("vendor/gitpod-guide-exact.json", 1),
    ],
)
def test_exit_codes(name: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(CORPUS / name)]) == code
    assert cli_main(["policy", "lint", str(CORPUS / name)]) == code
    out = capsys.readouterr().out
    for line in out.splitlines():
        assert re.match(r"^\S+:\d+: GP\d{3} [a-z-]+: (error|warning|info): ", line), line


def test_a_file_that_cannot_be_read_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--format", "json", str(CORPUS / "insecure/tenant-prefix.json")])
    (finding,) = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"] == "GP004"]
    assert finding["name"] == "tenant-wildcard"
    assert finding["severity"] == "error"
    assert finding["line"] == 16
    assert finding["attacker"] == "https://github.com/org-evil/attacker-repo"


def test_sarif_output(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "--format",
            "sarif",
            str(CORPUS / "insecure/terraform.tf.json"),
            str(CORPUS / "insecure/broad-action.json"),
        ]
    )
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(RULES)
    by_rule = {result["ruleId"]: result for result in run["results"]}
    result = by_rule["GP004"]
    assert rules[result["ruleIndex"]]["id"] == "GP004"
    assert result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("insecure/terraform.tf.json")
    assert location["region"]["startLine"] == 10
    assert by_rule["GP015"]["level"] == "note"


def _accept(tmp_path: Path, entries: Any) -> None:
    (tmp_path / ".aws-gitpod-lint.json").write_text(json.dumps({"accept": entries}))


def test_accepted_findings_pass_and_stay_visible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    policy = tmp_path / "iam" / "trust-policy.json"
    policy.parent.mkdir()
    policy.write_text((CORPUS / "vendor/gitpod-guide-exact.json").read_text())
    assert main([os.path.join("iam", "trust-policy.json")]) == 1
    _accept(
        tmp_path, [{"rule": "multi-tenant-repo-sub", "path": "iam/*.json", "reason": "private repository"}]
    )
    capsys.readouterr()
    assert main(["iam/trust-policy.json"]) == 0
    assert "1 accepted finding not shown" in capsys.readouterr().out
    main(["--format", "sarif", "iam/trust-policy.json"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    (accepted,) = [r for r in results if r["ruleId"] == "GP013"]
    assert accepted["suppressions"] == [{"kind": "external", "justification": "private repository"}]


def test_a_stale_acceptance_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "trust-policy.json").write_text((CORPUS / "secure/ona-project.json").read_text())
    _accept(
        tmp_path,
        [
            {"rule": "GP004", "path": "trust-policy.json", "reason": "was needed once"},
            {"rule": "GY001", "path": "trust-policy.json", "reason": "the other hook's business"},
        ],
    )
    findings = lint_paths(["trust-policy.json"])
    assert [f.rule.id for f in findings if f.rule.id == "GP000"] == ["GP000"]
    assert main(["trust-policy.json"]) == 0  # info: a hint, not a failure


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"accept": {}}',
        '{"accept": [{"rule": "GP004", "path": "x"}]}',
        '{"accept": [{"rule": "GP004", "path": "x", "reason": " "}]}',
    ],
)
def test_an_unusable_accept_file_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".aws-gitpod-lint.json").write_text(content)
    (tmp_path / "p.json").write_text("{}")
    assert main(["p.json"]) == 2
    assert main(["--accept-file", "elsewhere.json", "p.json"]) == 2


def test_every_rule_is_in_the_readme() -> None:
    table = (Path(__file__).parent.parent / "README.md").read_text()
    for rule in RULES.values():
        assert re.search(rf"\| {rule.id}[ ,][^|]*\| {rule.name} \| {rule.severity} \|", table), rule.id


def test_a_terraform_permissions_policy_is_no_trust_policy() -> None:
    """`aws_iam_policy_document` holds any policy: a trust policy has principals and no resources."""
    document = {
        "data": {
            "aws_iam_policy_document": {
                "chain": {
                    "statement": [{"actions": ["sts:AssumeRole"], "resources": ["arn:aws:iam::1:role/x"]}]
                },
                "bucket": {
                    "statement": [
                        {
                            "actions": ["s3:GetObject"],
                            "resources": ["arn:aws:s3:::b/*"],
                            "principals": {"type": "AWS", "identifiers": ["*"]},
                        }
                    ]
                },
                "trust": {
                    "statement": [
                        {"actions": ["sts:AssumeRole"], "principals": {"type": "AWS", "identifiers": ["*"]}}
                    ]
                },
            }
        }
    }
    (source,) = policies("main.tf.json", json.dumps(document))
    assert source.where == "data.aws_iam_policy_document.trust"
    assert [f.rule.id for f in lint_text("main.tf.json", json.dumps(document, indent=1))] == ["GP012"]
