using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CrossCloudAuth.Testing.Aws.Iam;
using CrossCloudAuth.Testing.Aws.Sts;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Aws.Imds;

/// <summary>
/// EC2 instance metadata: IMDSv2 session tokens (<c>PUT /latest/api/token</c> with a 1–21600 s TTL), token
/// checks on every GET (401 when missing or expired unless IMDSv1 is allowed), the instance role and its
/// credentials, placement, and the instance identity document.
/// </summary>
internal sealed class ImdsEndpoint(InstanceMetadataBuilder options, RoleCredentialVendor? credentials, TimeProvider clock, string accountId) : IEmulatedEndpoint
{
    private const string TokenTtlHeader = "x-aws-ec2-metadata-token-ttl-seconds";
    private const string TokenHeader = "x-aws-ec2-metadata-token";
    private const string CredentialsPath = "/latest/meta-data/iam/security-credentials/";
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);

    public EmulatedService Service => EmulatedService.InstanceMetadata;

    public ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Handle(request));

    private EmulatorResponse Handle(EmulatorRequest request)
    {
        if (request.Path == "/latest/api/token")
        {
            return request.Method == "PUT" ? IssueToken(request) : Status(HttpStatusCode.MethodNotAllowed);
        }

        if (request.Method != "GET")
        {
            return Status(HttpStatusCode.MethodNotAllowed);
        }

        string? token = request.Header(TokenHeader);
        DateTimeOffset now = clock.GetUtcNow();
        if (token is null ? !options.ImdsV1Allowed : !(_sessions.TryGetValue(token, out DateTimeOffset expires) && now < expires))
        {
            return Status(HttpStatusCode.Unauthorized).WithHeader(EmulatorHost.ErrorCodeHeader, token is null ? "MissingToken" : "InvalidToken");
        }

        string path = request.Path;
        return path switch
        {
            "/latest/meta-data" or "/latest/meta-data/" => Text("ami-id\nhostname\niam/\ninstance-id\ninstance-type\nplacement/\n"),
            "/latest/meta-data/instance-id" => Text(options.InstanceId),
            "/latest/meta-data/instance-type" => Text("t3.micro"),
            "/latest/meta-data/ami-id" => Text("ami-0abcdef1234567890"),
            "/latest/meta-data/hostname" => Text("ip-10-0-0-1.ec2.internal"),
            "/latest/meta-data/placement" or "/latest/meta-data/placement/" => Text("availability-zone\nregion\n"),
            "/latest/meta-data/placement/availability-zone" => Text(options.AvailabilityZone),
            "/latest/meta-data/placement/region" => Text(options.Region),
            "/latest/meta-data/iam" or "/latest/meta-data/iam/" => credentials is null ? Status(HttpStatusCode.NotFound) : Text("info\nsecurity-credentials/\n"),
            "/latest/meta-data/iam/info" => Info(now),
            "/latest/dynamic/instance-identity/document" => IdentityDocument(),
            "/latest/meta-data/iam/security-credentials" or CredentialsPath => credentials is null ? Status(HttpStatusCode.NotFound) : Text(credentials.RoleName),
            _ when path.StartsWith(CredentialsPath, StringComparison.Ordinal) => RoleCredentials(path[CredentialsPath.Length..].TrimEnd('/')),
            _ => Status(HttpStatusCode.NotFound),
        };
    }

    private EmulatorResponse IssueToken(EmulatorRequest request)
    {
        if (request.Header("x-forwarded-for") is not null)
        {
            return Status(HttpStatusCode.Forbidden);
        }

        string? ttlText = request.Header(TokenTtlHeader);
        if (ttlText is null || !int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out int ttl) || ttl is < 1 or > 21600)
        {
            return Status(HttpStatusCode.BadRequest).WithHeader(EmulatorHost.ErrorCodeHeader, "InvalidTokenTtl");
        }

        string token = "AQAEA" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(42)).Replace('/', '_').Replace('+', '-');
        DateTimeOffset now = clock.GetUtcNow();
        if (_sessions.Count > 10_000)
        {
            foreach ((string old, DateTimeOffset expires) in _sessions)
            {
                if (expires <= now)
                {
                    _sessions.TryRemove(old, out _);
                }
            }
        }

        _sessions[token] = now.AddSeconds(ttl);
        return Text(token).WithHeader(TokenTtlHeader, ttlText);
    }

    private EmulatorResponse RoleCredentials(string roleName)
    {
        if (credentials is null || roleName != credentials.RoleName || credentials.Current() is not { } current)
        {
            return Status(HttpStatusCode.NotFound);
        }

        AwsKey key = current.Key;
        var body = new JsonObject
        {
            ["Code"] = "Success",
            ["LastUpdated"] = StsXml.FormatTime(current.IssuedAt),
            ["Type"] = "AWS-HMAC",
            ["AccessKeyId"] = key.AccessKeyId,
            ["SecretAccessKey"] = key.SecretAccessKey,
            ["Token"] = key.SessionToken,
            ["Expiration"] = StsXml.FormatTime(key.Expiration!.Value),
        };
        return new EmulatorResponse(HttpStatusCode.OK, "text/plain", System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    private EmulatorResponse Info(DateTimeOffset now)
    {
        if (credentials is null)
        {
            return Status(HttpStatusCode.NotFound);
        }

        var body = new JsonObject
        {
            ["Code"] = "Success",
            ["LastUpdated"] = StsXml.FormatTime(now),
            ["InstanceProfileArn"] = $"arn:aws:iam::{accountId}:instance-profile/{credentials.RoleName}",
            ["InstanceProfileId"] = "AIPAEMULATOR0000000000",
        };
        return EmulatorResponse.Json(body);
    }

    private EmulatorResponse IdentityDocument()
    {
        var body = new JsonObject
        {
            ["accountId"] = accountId,
            ["architecture"] = "x86_64",
            ["availabilityZone"] = options.AvailabilityZone,
            ["imageId"] = "ami-0abcdef1234567890",
            ["instanceId"] = options.InstanceId,
            ["instanceType"] = "t3.micro",
            ["pendingTime"] = "2026-01-01T00:00:00Z",
            ["privateIp"] = "10.0.0.1",
            ["region"] = options.Region,
            ["version"] = "2017-09-30",
        };
        return EmulatorResponse.Json(body);
    }

    private static EmulatorResponse Text(string text) => EmulatorResponse.Text(HttpStatusCode.OK, text);

    private static EmulatorResponse Status(HttpStatusCode status) => EmulatorResponse.Text(status, status switch
    {
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.BadRequest => "Bad Request",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.MethodNotAllowed => "Method Not Allowed",
        _ => "Not Found",
    });
}
