"""IAM trust policies for workspace tokens: evaluate as IAM does, generate least-privilege ones, lint them.

Other commands (`doctor`) call `awscli_gitpod.policy.evaluate.evaluate(policy, claims)`, which returns a
`awscli_gitpod.policy.decision.Decision`. Nothing is imported here: the command-line parser imports
`policy.arguments` on every run and must stay cheap.
"""
