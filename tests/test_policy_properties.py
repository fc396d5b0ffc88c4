"""Properties: the evaluator and the linters never crash; every generated policy lints clean, admits the
workspaces it was generated for and denies the neighbouring tenant."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awscli_gitpod.policy import gitpodyml
from awscli_gitpod.policy.engine import evaluate
from awscli_gitpod.policy.generate import Request, trust_policy
from awscli_gitpod.policy.lint import lint_text
from awscli_gitpod.policy.render import render
from tests.policy_cases import ARN, PROVIDER, claims, key

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
# Policy-shaped JSON reaches deeper into the evaluator than arbitrary JSON does.
operators = st.sampled_from(
    [
        "StringEquals",
        "StringNotLike",
        "ForAllValues:StringLike",
        "ForAnyValue:StringNotEquals",
        "Null",
        "StringLikeIfExists",
        "NumericLessThan",
        "DateGreaterThan",
        "Bool",
        "IpAddress",
        "ArnLike",
        "Nope",
    ]
)
keys = st.sampled_from([key("sub"), key("aud"), key("amr"), key("azp"), "aws:SourceIp", "x:y"])
values = st.one_of(
    st.text(alphabet="ab*?/:.1-", max_size=8),
    st.lists(st.text(alphabet="ab*?", max_size=4), max_size=3),
    json_values,
)
statements = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow", 3])},
    optional={
        "Principal": st.sampled_from(
            ["*", {"Federated": ARN}, {"AWS": "*"}, {"Federated": [ARN, 1]}, None, []]
        ),
        "NotPrincipal": st.sampled_from([{"Federated": ARN}, "x"]),
        "Action": st.sampled_from(["sts:*", "*", ["sts:AssumeRole?ith*"], 5, None]),
        "NotAction": st.sampled_from(["sts:AssumeRole", []]),
        "Condition": st.dictionaries(operators, st.dictionaries(keys, values, max_size=3), max_size=3)
        | json_values,
    },
)
policies = st.fixed_dictionaries({"Statement": st.lists(statements, max_size=3) | statements}) | json_values
token_claims = st.fixed_dictionaries(
    {},
    optional={
        "iss": st.sampled_from([f"https://{PROVIDER}", "", 4]),
        "sub": st.text(alphabet="ab/:*", max_size=6) | json_values,
        "aud": st.lists(st.text(max_size=4), max_size=3) | json_values,
        "amr": st.lists(st.text(max_size=4), max_size=3),
        "exp": st.integers() | json_values,
        "https://aws.amazon.com/tags": json_values,
    },
)


@FAST
@given(policies, token_claims, st.none() | st.floats(allow_nan=False, allow_infinity=False))
def test_evaluate_never_crashes(policy: Any, token: dict[str, Any], now: float | None) -> None:
    decision = evaluate(policy, token, known_providers={ARN: ["sts.amazonaws.com"]}, now=now)
    json.dumps(decision.to_dict())
    assert decision.allowed == (decision.smallest_fix is None)


@FAST
@given(policies)
def test_lint_never_crashes_on_policy_json(policy: Any) -> None:
    for name in ("p.json", "main.tf.json"):
        for finding in lint_text(name, json.dumps(policy, indent=1)):
            assert finding.line >= 1


@FAST
@given(json_values, st.text(max_size=200))
def test_linters_never_crash_on_any_text(value: Any, text: str) -> None:
    lint_text("t.yaml", text)
    lint_text("t.json", json.dumps(value))
    lint_text("t.tf.json", json.dumps({"resource": value, "data": value}))
    lint_text("cfn.yaml", json.dumps({"Resources": value}))
    gitpodyml.lint_text(".gitpod.yml", text)
    gitpodyml.lint_text(".gitpod.yml", json.dumps({"tasks": value}))


names = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,12}", fullmatch=True).filter(lambda s: not s.endswith(".git"))
branches = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}(/[a-z0-9][a-z0-9_-]{0,8})?", fullmatch=True)
hosts = st.sampled_from([("github.com", "github"), ("gitlab.com", "gitlab"), ("bitbucket.org", "bitbucket")])
issuers = st.sampled_from(["https://gitpod.example.com/idp", "https://services.gitpod.example.com/idp"])
CHILDREN = {
    "github": ("/tree/{b}", "/pull/7"),
    "gitlab": ("/-/tree/{b}/", "/-/merge_requests/7"),
    "bitbucket": ("/src/{b}", "/pull-requests/7"),
}


def allowed(policy: dict[str, Any], issuer: str, sub: str) -> bool:
    return evaluate(policy, claims(sub, iss=issuer)).allowed


def lints_clean(policy: dict[str, Any]) -> None:
    for output_format, path in (
        ("json", "p.json"),
        ("cloudformation", "t.yaml"),
        ("terraform-json", "m.tf.json"),
    ):
        findings = [
            f.text() for f in lint_text(path, render(policy, output_format)) if f.rule.severity != "info"
        ]
        assert findings == []


@FAST
@given(issuers, hosts, names, names, st.lists(branches, max_size=2, unique=True), branches)
def test_generated_classic_policies(
    issuer: str, host: tuple[str, str], owner: str, repo: str, only: list[str], branch: str
) -> None:
    url = f"https://{host[0]}/{owner}/{repo}"
    policy = trust_policy(Request("123456789012", issuer, repo=url, branches=only))
    lints_clean(policy)
    branch_child, review_child = CHILDREN[host[1]]
    if only:
        for name in only:
            assert allowed(policy, issuer, url + branch_child.format(b=name))
        if branch not in only:
            assert not allowed(policy, issuer, url + branch_child.format(b=branch))
    else:
        for sub in (url, url + branch_child.format(b=branch), url + review_child):
            assert allowed(policy, issuer, sub), sub
    for neighbour in (
        f"https://{host[0]}/{owner}-evil/{repo}",
        f"https://{host[0]}/{owner}/{repo}-scratch",
        f"https://{host[0]}/{owner}evil/{repo}/tree/x",
        f"https://{host[0]}/attacker/{repo}",
    ):
        assert not allowed(policy, issuer, neighbour), neighbour
    assert not allowed(policy, "https://other.example/idp", url)


# What an Ona organization may append to a V3 `sub`: `:<field>:<value>`, values with colons among them.
appended = st.lists(
    st.tuples(
        st.sampled_from(
            ["creator_email", "runner_name", "environment_id", "environment_initializers.context_url"]
        ),
        st.sampled_from(["dev@example.com", "https://github.com/o/r", "r:1", "x"]),
    ),
    max_size=3,
).map(lambda fields: "".join(f":{field}:{value}" for field, value in fields))


@FAST
@given(st.uuids(), st.uuids(), st.none() | st.uuids(), st.uuids(), appended)
def test_generated_ona_policies(org: Any, other_org: Any, project: Any, environment: Any, extra: str) -> None:
    issuer = "https://app.gitpod.io"
    prj = None if project is None else str(project)
    policy = trust_policy(Request("123456789012", issuer, ona_org=str(org), project=prj))
    lints_clean(policy)
    own_project = prj or "any-project"
    assert allowed(policy, issuer, f"org:{org}/prj:{own_project}/env:{environment}")
    assert allowed(policy, issuer, f"organization_id:{org}:project_id:{own_project}")
    assert allowed(policy, issuer, f"organization_id:{org}:project_id:{own_project}{extra}")
    if prj is not None:  # one project: no other one, however its ID starts, and no project-less environment
        assert not allowed(policy, issuer, f"organization_id:{org}:project_id:{own_project}-evil{extra}")
        assert not allowed(policy, issuer, f"organization_id:{org}:project_id:{environment}{extra}")
        assert not allowed(policy, issuer, f"organization_id:{org}:environment_id:{environment}{extra}")
    if prj is None:
        assert allowed(policy, issuer, f"org:{org}/env:{environment}")
    else:
        assert not allowed(policy, issuer, f"org:{org}/prj:{environment}/env:{environment}")
    if org != other_org:
        assert not allowed(policy, issuer, f"org:{other_org}/prj:{own_project}/env:{environment}")
        assert not allowed(policy, issuer, f"organization_id:{other_org}:project_id:{own_project}{extra}")
    assert not allowed(policy, issuer, f"org:{org}-evil/prj:{own_project}/env:{environment}")
