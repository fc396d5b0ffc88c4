"""Temporary AWS credentials and the credential_process document they become."""

from __future__ import annotations

import calendar
import json
import time
from dataclasses import dataclass, field


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
        # The Go SDK accepts only this RFC 3339 form; botocore and the JS SDK accept it too.
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.expires))

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

    def process_output(self) -> bytes:
        return (json.dumps(self.process_document()) + "\n").encode()

    @classmethod
    def from_process_output(cls, data: bytes) -> Credentials:
        document = json.loads(data)
        return cls(
            access_key_id=document["AccessKeyId"],
            secret_access_key=document["SecretAccessKey"],
            session_token=document["SessionToken"],
            expires=calendar.timegm(time.strptime(document["Expiration"], "%Y-%m-%dT%H:%M:%SZ")),
            account_id=document.get("AccountId", ""),
        )
