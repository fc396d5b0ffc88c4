"""The test bed's fixtures (issuer, moto server, stand-in CLIs, workspaces) for every test module."""

pytest_plugins = ["awscli_gitpod.testing.fixtures"]
