"""Recomputes a SigV4 signature with botocore, an implementation independent of the library under test.

stdin: JSON {"method", "url", "headers": [{"key", "value"}, ...], "body": "",
             "accessKeyId", "secretAccessKey", "sessionToken" (optional)}
A request signed in its Authorization header is recomputed with SigV4Auth; a presigned request (X-Amz-Signature
in the query) with SigV4QueryAuth. As moto does, only the headers named in SignedHeaders take part and the signing
time is the request's own X-Amz-Date.
stdout: JSON {"mode", "match", "provided", "expected", "canonicalRequest", "stringToSign", "region", "service"}.
"""
import json
import sys
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def between(text, first, second):
    start = text.index(first) + len(first)
    end = text.find(second, start)
    return text[start:] if end < 0 else text[start:end]


inp = json.load(sys.stdin)
creds = Credentials(inp["accessKeyId"], inp["secretAccessKey"], inp.get("sessionToken"))
headers = {h["key"]: h["value"] for h in inp.get("headers", [])}
lower = {k.lower(): v for k, v in headers.items()}
method, url, body = inp["method"], inp["url"], inp.get("body", "")
parts = urlsplit(url)
query = parse_qsl(parts.query, keep_blank_values=True)
params = dict(query)

if "authorization" in lower:
    mode = "header"
    authorization = lower["authorization"]
    scope = between(authorization, "Credential=", ",").split("/")
    signed = between(authorization, "SignedHeaders=", ",").split(";")
    provided = between(authorization, "Signature=", ",").strip()
    timestamp = lower["x-amz-date"]
    request = AWSRequest(method=method, url=url, data=body, headers={k: v for k, v in headers.items() if k.lower() in signed})
    auth = SigV4Auth(creds, scope[3], scope[2])
else:
    mode = "query"
    scope = params["X-Amz-Credential"].split("/")
    signed = params["X-Amz-SignedHeaders"].split(";")
    provided = params["X-Amz-Signature"]
    timestamp = params["X-Amz-Date"]
    unsigned_url = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in query if k != "X-Amz-Signature"], quote_via=quote)))
    request = AWSRequest(method=method, url=unsigned_url, data=body, headers={k: v for k, v in headers.items() if k.lower() in signed})
    auth = SigV4QueryAuth(creds, scope[3], scope[2], expires=int(params.get("X-Amz-Expires", "60")))

request.context["timestamp"] = timestamp
canonical_request = auth.canonical_request(request)
string_to_sign = auth.string_to_sign(request, canonical_request)
expected = auth.signature(string_to_sign, request)
print(
    json.dumps(
        {
            "mode": mode,
            "match": expected == provided,
            "provided": provided,
            "expected": expected,
            "canonicalRequest": canonical_request,
            "stringToSign": string_to_sign,
            "region": scope[2],
            "service": scope[3],
        }
    )
)
