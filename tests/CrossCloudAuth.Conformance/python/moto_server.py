"""Runs moto's server (same arguments as `python3 -m moto.server`) with one fix to its SigV4 verification.

moto 5.2.1 recomputes a request's signature in IAMRequestBase._create_aws_request with
`data=self._body or self._data`: when the body is empty it signs the *parsed query parameters* as a form body
instead of the empty body the client signed. Every header-signed POST that carries its parameters in the query
string with an empty body is then refused with SignatureDoesNotMatch, whoever signed it; that is exactly the shape
of Google's `aws4_request` subject token (POST https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&...,
empty body), as produced by Google's own Python and Node libraries too (see docs/conformance.md). AWS signs and
verifies an empty body as empty (payload hash e3b0c442...). The fix below does the same and changes nothing else:
non-empty bodies are verified exactly as before.
"""
import sys

from botocore.awsrequest import AWSRequest
from moto.iam.access_control import IAMRequestBase
from moto.server import main


def _create_aws_request(self) -> AWSRequest:
    signed_headers = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
    headers = self._create_headers_for_aws_request(signed_headers, self._headers)
    request = AWSRequest(method=self._method, url=self._path, data=self._body or b"", headers=headers)
    request.context["timestamp"] = headers["X-Amz-Date"]
    return request


IAMRequestBase._create_aws_request = _create_aws_request

if __name__ == "__main__":
    main(sys.argv[1:])
