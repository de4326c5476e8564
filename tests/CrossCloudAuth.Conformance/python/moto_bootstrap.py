"""Lays out the AWS side of the conformance scenarios in a running moto server, then prints it as JSON.

Usage: python3 moto_bootstrap.py <endpoint> <oidc-issuer-host-and-path>

Runs while moto's request authentication is still off (the fixture switches it on afterwards), using boto3 so
that the layout does not depend on the library under test. Accounts (seed 001's layout):
  111122223333  the CI account: an OIDC provider for the cluster's issuer and the role `ci-deployer` that pods
                assume with their projected token (AssumeRoleWithWebIdentity); it may AssumeRole anything.
  444455556666  the target account: role `target-reader` trusted by ci-deployer and by the IAM user below;
                a bucket `target-bucket`.
  123456789012  moto's default account: IAM user `conformance` with an access key and a policy allowing
                sts:AssumeRole, sts:GetCallerIdentity and S3 reads; its key signs the requests moto verifies.
Moto creates an account's backends on first use; IAM calls made with credentials of a role assumed in an account
act in that account, which is how resources are put in the CI and target accounts.
"""
import json
import sys

import boto3

endpoint, issuer = sys.argv[1], sys.argv[2]
REGION = "us-east-1"
CI_ACCOUNT, TARGET_ACCOUNT = "111122223333", "444455556666"


def client(service, creds=None):
    kwargs = dict(endpoint_url=endpoint, region_name=REGION)
    if creds is None:
        kwargs.update(aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    else:
        kwargs.update(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    return boto3.client(service, **kwargs)


def in_account(account):
    sts = client("sts")
    return sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/bootstrap", RoleSessionName="bootstrap")["Credentials"]


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resource="*"):
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


# CI account: OIDC provider + ci-deployer.
ci = in_account(CI_ACCOUNT)
ci_iam = client("iam", ci)
provider_arn = ci_iam.create_open_id_connect_provider(
    Url=f"https://{issuer}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
)["OpenIDConnectProviderArn"]
ci_role = ci_iam.create_role(
    RoleName="ci-deployer",
    AssumeRolePolicyDocument=policy(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com"}},
        }
    ),
)["Role"]["Arn"]
ci_iam.put_role_policy(
    RoleName="ci-deployer",
    PolicyName="chain",
    PolicyDocument=policy(allow(["sts:AssumeRole", "sts:GetCallerIdentity", "s3:ListAllMyBuckets"])),
)

# Default account: the IAM user whose long-term key signs what moto verifies.
iam = client("iam")
user = iam.create_user(UserName="conformance")["User"]
iam.put_user_policy(
    UserName="conformance",
    PolicyName="conformance",
    PolicyDocument=policy(allow(["sts:AssumeRole", "sts:GetCallerIdentity", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject"])),
)
key = iam.create_access_key(UserName="conformance")["AccessKey"]

# Target account: target-reader, trusted by ci-deployer and by the IAM user, and a bucket.
target = in_account(TARGET_ACCOUNT)
target_iam = client("iam", target)
target_role = target_iam.create_role(
    RoleName="target-reader",
    AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": [ci_role, user["Arn"]]}, "Action": "sts:AssumeRole"}
    ),
)["Role"]["Arn"]
target_iam.put_role_policy(
    RoleName="target-reader",
    PolicyName="read",
    PolicyDocument=policy(allow(["s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetObject", "sts:GetCallerIdentity"])),
)
client("s3", target).create_bucket(Bucket="target-bucket")

print(
    json.dumps(
        {
            "region": REGION,
            "ciAccount": CI_ACCOUNT,
            "targetAccount": TARGET_ACCOUNT,
            "oidcProviderArn": provider_arn,
            "ciRoleArn": ci_role,
            "targetRoleArn": target_role,
            "user": {"arn": user["Arn"], "accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]},
            "bucket": "target-bucket",
        }
    )
)
