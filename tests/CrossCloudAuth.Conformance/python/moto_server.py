"""Runs moto's server (same arguments as `python3 -m moto.server`) with two fixes to its request authentication.

1. Empty bodies.

moto 5.2.1 recomputes a request's signature in IAMRequestBase._create_aws_request with
`data=self._body or self._data`: when the body is empty it signs the *parsed query parameters* as a form body
instead of the empty body the client signed. Every header-signed POST that carries its parameters in the query
string with an empty body is then refused with SignatureDoesNotMatch, whoever signed it; that is exactly the shape
of Google's `aws4_request` subject token (POST https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&...,
empty body), as produced by Google's own Python and Node libraries too (see docs/conformance.md). AWS signs and
verifies an empty body as empty (payload hash e3b0c442...). The fix below does the same and changes nothing else:
non-empty bodies are verified exactly as before. (A form body, such as every STS query-protocol call, reaches moto
already parsed by werkzeug, so its raw body reads as empty although Content-Length is not 0: moto's own re-encoding
of the parsed form is kept for it.)

2. Unsigned web-identity calls. AWS STS's AssumeRoleWithWebIdentity and AssumeRoleWithSAML are called without AWS
credentials (the token is the credential). With authentication on, moto 5.2.1 tries to read the Authorization header
of every call and fails with a 500 (KeyError: 'HTTP_AUTHORIZATION'). They are let through unauthenticated, as AWS
does; every other call is still authenticated. (moto does not verify the web identity token itself.)
"""
import sys

from botocore.awsrequest import AWSRequest
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam.access_control import IAMRequestBase
from moto.server import main


def _create_aws_request(self) -> AWSRequest:
    signed_headers = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
    headers = self._create_headers_for_aws_request(signed_headers, self._headers)
    body = self._body
    if not body and self._headers.get("Content-Length", "0").strip() not in ("", "0"):
        body = self._data  # a form body werkzeug parsed: re-encoded from the form, as moto itself does
    request = AWSRequest(method=self._method, url=self._path, data=body or b"", headers=headers)
    request.context["timestamp"] = headers["X-Amz-Date"]
    return request


IAMRequestBase._create_aws_request = _create_aws_request

_UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
_authenticate = ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authenticate_and_authorize_action(self, iam_request_cls, resource="*"):
    if "Authorization" not in self.headers and self._get_action() in _UNSIGNED_ACTIONS:
        return
    _authenticate(self, iam_request_cls, resource)


ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action

if __name__ == "__main__":
    main(sys.argv[1:])
