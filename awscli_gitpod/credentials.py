"""Temporary AWS credentials, the credential_process document they become, and the variables SDKs read."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from awscli_gitpod.clock import parse_rfc3339, rfc3339


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expires: int  # unix seconds
    account_id: str = ""
    assumed_role_arn: str = ""

    @property
    def expiration(self) -> str:
        return rfc3339(self.expires)

    def process_document(self) -> dict[str, object]:
        """The credential_process contract: Version 1 and the four fields, plus the optional AccountId."""
        document: dict[str, object] = {
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration,
        }
        if self.account_id:
            document["AccountId"] = self.account_id
        return document

    def container_document(self) -> dict[str, object]:
        """The container-credentials protocol's answer (`credserver`): the session token is `Token` there."""
        document = self.process_document()
        del document["Version"]
        document["Token"] = document.pop("SessionToken")
        return document

    def process_output(self) -> bytes:
        return (json.dumps(self.process_document()) + "\n").encode()

    @classmethod
    def from_process_output(cls, data: bytes) -> Credentials:
        document = json.loads(data)
        return cls(
            access_key_id=document["AccessKeyId"],
            secret_access_key=document["SecretAccessKey"],
            session_token=document["SessionToken"],
            expires=parse_rfc3339(document["Expiration"]),
            account_id=document.get("AccountId", ""),
        )

    def environment(self, region: str | None = None) -> list[tuple[str, str]]:
        """The variables every AWS SDK reads, the expiry named as `aws configure export-credentials` does."""
        variables = [
            ("AWS_ACCESS_KEY_ID", self.access_key_id),
            ("AWS_SECRET_ACCESS_KEY", self.secret_access_key),
            ("AWS_SESSION_TOKEN", self.session_token),
            ("AWS_CREDENTIAL_EXPIRATION", self.expiration),
        ]
        if region:
            variables += [("AWS_REGION", region), ("AWS_DEFAULT_REGION", region)]
        return variables
