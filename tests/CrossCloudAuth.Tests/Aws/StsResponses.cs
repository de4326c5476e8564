using System.Globalization;
using System.Net;
using CrossCloudAuth.Tests.TestDoubles;

namespace CrossCloudAuth.Tests.Aws;

/// <summary>AWS STS query-protocol XML, as STS answers.</summary>
internal static class StsResponses
{
    public static string AssumeRoleWithWebIdentity(DateTimeOffset expiration, string keyId = AwsTestData.AccessKeyId) => $"""
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <SubjectFromWebIdentityToken>system:serviceaccount:ci-namespace:ci-serviceaccount</SubjectFromWebIdentityToken>
            <Audience>sts.amazonaws.com</Audience>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::111111111111:assumed-role/ci-account-iam-role/session</Arn>
              <AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <SessionToken>{AwsTestData.SessionToken}</SessionToken>
              <SecretAccessKey>{AwsTestData.SecretAccessKey}</SecretAccessKey>
              <Expiration>{Format(expiration)}</Expiration>
              <AccessKeyId>{keyId}</AccessKeyId>
            </Credentials>
            <Provider>arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE</Provider>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata><RequestId>11111111-1111-1111-1111-111111111111</RequestId></ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """;

    public static string AssumeRole(DateTimeOffset expiration, string keyId = AwsTestData.AccessKeyId, string roleArn = "arn:aws:sts::222222222222:assumed-role/target-account-iam-role/xactarget") => $"""
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleResult>
            <AssumedRoleUser>
              <Arn>{roleArn}</Arn>
              <AssumedRoleId>AROATARGET:xactarget</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <AccessKeyId>{keyId}</AccessKeyId>
              <SecretAccessKey>{AwsTestData.SecretAccessKey}</SecretAccessKey>
              <SessionToken>{AwsTestData.SessionToken}</SessionToken>
              <Expiration>{Format(expiration)}</Expiration>
            </Credentials>
          </AssumeRoleResult>
          <ResponseMetadata><RequestId>22222222-2222-2222-2222-222222222222</RequestId></ResponseMetadata>
        </AssumeRoleResponse>
        """;

    public static string Error(string code, string message, string type = "Sender") => $"""
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error>
          <RequestId>33333333-3333-3333-3333-333333333333</RequestId>
        </ErrorResponse>
        """;

    public static Func<HttpRequestMessage, Task<HttpResponseMessage>> Ok(string xml) => FakeHttpHandler.Respond(HttpStatusCode.OK, xml, "text/xml");

    public static Func<HttpRequestMessage, Task<HttpResponseMessage>> Fail(HttpStatusCode status, string code, string message, string type = "Sender") =>
        FakeHttpHandler.Respond(status, Error(code, message, type), "text/xml");

    /// <summary>Parses the form body of an STS request.</summary>
    public static IReadOnlyDictionary<string, string> Form(RecordedRequest request) =>
        (request.Body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");

    private static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
