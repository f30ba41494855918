"""GetAccountSummary counts this account's IAM entities and states IAM's quotas."""

from __future__ import annotations

from tests.identity.helpers import allow, unique
from tests.servers import RunningServer


def test_account_summary_counts_and_quotas(server: RunningServer) -> None:
    iam = server.client("iam")
    before = iam.get_account_summary()["SummaryMap"]
    iam.create_user(UserName=unique("counted"))
    iam.create_policy(PolicyName=unique("counted"), PolicyDocument=allow("s3:GetObject"))
    after = server.aws_json("iam", "get-account-summary")["SummaryMap"]
    assert after["Users"] == before["Users"] + 1
    assert after["Policies"] == before["Policies"] + 1
    assert after["AccessKeysPerUserQuota"] == 2
    assert after["PolicySizeQuota"] == 6144
    assert after["AssumeRolePolicySizeQuota"] == 2048
    assert after["VersionsPerPolicyQuota"] == 5
