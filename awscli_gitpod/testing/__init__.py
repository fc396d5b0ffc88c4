"""A local stand-in for a Gitpod/Ona workspace and for AWS, for tests and demos.

- `issuer`: OIDC issuers that sign tokens the way Gitpod Classic's and Ona's IdPs do, in every real token
  shape (`tokenshapes`);
- `standins`: `gp`, `gitpod` and `ona` executables that mint from such an issuer and print what the real
  CLIs print;
- `aws`: moto in server mode behind an STS that checks web identity tokens like the real one;
- `fixtures`: pytest fixtures wiring these into a throwaway workspace environment.

Nothing is imported here: the stand-in executables import `awscli_gitpod.testing.standins` on every
run and must not pay for moto or cryptography.
"""
