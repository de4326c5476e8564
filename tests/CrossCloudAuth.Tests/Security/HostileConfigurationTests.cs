using System.Diagnostics;
using CrossCloudAuth.Google;
using CrossCloudAuth.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace CrossCloudAuth.Tests.Security;

/// <summary>
/// The hostile configuration corpus: <c>external_account</c> files written to steal a credential (send a subject
/// token, a long-term key or an instance role's keys to an attacker, or make the library sign an AWS request other
/// than <c>GetCallerIdentity</c>) or to leak a password. Every one is refused with a clear message before a single
/// request leaves the process, and no secret appears in what is thrown.
/// </summary>
public sealed class HostileConfigurationTests
{
    private const string Audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool/providers/provider";
    private const string TokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    private const string LongTermSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string UrlPassword = "hunter2-url-password";

    private readonly FakeHttpHandler _http = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeSystemEnvironment _environment = new FakeSystemEnvironment()
        .WithFile(TokenFile, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
        .WithFile("/home/test/.aws/credentials", $"[default]\naws_access_key_id = AKIDEXAMPLELONGTERM\naws_secret_access_key = {LongTermSecret}\n")
        .Set("AWS_REGION", "us-east-1")
        .Set("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEINSTANCE")
        .Set("AWS_SECRET_ACCESS_KEY", LongTermSecret);

    public static TheoryData<string, string, string> Corpus => new()
    {
        // Universe tricks: the file may not decide which hosts count as Google's.
        { "universe evil.example, no token_url", File("""{"file":"/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}""", extra: "\"universe_domain\":\"evil.example\""), "universe_domain" },
        { "universe com", File("""{"file":"/t"}""", extra: "\"universe_domain\":\"com\""), "universe_domain" },
        { "universe localhost", File("""{"file":"/t"}""", extra: "\"universe_domain\":\"localhost\""), "universe_domain" },
        { "universe googleapis.com.evil.example", File("""{"file":"/t"}""", extra: "\"universe_domain\":\"googleapis.com.evil.example\""), "universe_domain" },
        { "universe evil with matching token_url", File("""{"file":"/t"}""", extra: "\"universe_domain\":\"evil.example\",\"token_url\":\"https://sts.evil.example/v1/token\""), "universe_domain" },
        { "universe with a port", File("""{"file":"/t"}""", extra: "\"universe_domain\":\"googleapis.com:8443\""), "universe_domain" },
        { "universe as an address", File("""{"file":"/t"}""", extra: "\"universe_domain\":\"10.0.0.1\""), "universe_domain" },

        // Google endpoints elsewhere.
        { "token_url at another host", File("""{"file":"/t"}""", extra: "\"token_url\":\"https://sts.evil.example/v1/token\""), "token_url" },
        { "token_url under a Google-looking name", File("""{"file":"/t"}""", extra: "\"token_url\":\"https://sts.googleapis.com.evil.example/v1/token\""), "token_url" },
        { "token_url over http", File("""{"file":"/t"}""", extra: "\"token_url\":\"http://sts.googleapis.com/v1/token\""), "token_url" },
        { "token_url with a password", File("""{"file":"/t"}""", extra: $"\"token_url\":\"https://agent:{UrlPassword}@sts.googleapis.com/v1/token\""), "user info" },
        { "impersonation at another host", File("""{"file":"/t"}""", extra: "\"service_account_impersonation_url\":\"https://iamcredentials.evil.example/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken\""), "service_account_impersonation_url" },
        { "token_info_url at another host", File("""{"file":"/t"}""", extra: "\"token_info_url\":\"https://evil.example/v1/introspect\""), "token_info_url" },

        // Signing oracles: nothing but GetCallerIdentity at the partition's STS is signed.
        { "verification URL asks for AssumeRole", Aws1("https://sts.{region}.amazonaws.com?Action=AssumeRole&RoleArn=arn:aws:iam::123456789012:role/admin&RoleSessionName=x&Version=2011-06-15"), "GetCallerIdentity" },
        { "verification URL adds a parameter", Aws1("https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::1:role/x"), "GetCallerIdentity" },
        { "verification URL repeats Action", Aws1("https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Action=AssumeRole&Version=2011-06-15"), "GetCallerIdentity" },
        { "verification URL escapes the action", Aws1("https://sts.{region}.amazonaws.com?Action=GetCallerIdentity%26Action%3DAssumeRole&Version=2011-06-15"), "GetCallerIdentity" },
        { "verification URL without a query", Aws1("https://sts.{region}.amazonaws.com"), "GetCallerIdentity" },
        { "verification URL at another host", Aws1("https://evil.example?Action=GetCallerIdentity&Version=2011-06-15"), "not a regional AWS STS endpoint" },
        { "verification URL under an STS-looking name", Aws1("https://sts.us-east-1.amazonaws.com.evil.example?Action=GetCallerIdentity&Version=2011-06-15"), "not a regional AWS STS endpoint" },
        { "verification URL in the wrong partition", Aws1("https://sts.cn-north-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"), "not a regional AWS STS endpoint" },
        { "verification URL with a path", Aws1("https://sts.{region}.amazonaws.com/evil?Action=GetCallerIdentity&Version=2011-06-15"), "no path" },
        { "verification URL over http", Aws1("http://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"), "https" },
        { "verification URL with a port", Aws1("https://sts.{region}.amazonaws.com:8443?Action=GetCallerIdentity&Version=2011-06-15"), "default port" },
        { "verification URL with user info", Aws1("https://u:p@sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"), "user info" },
        { "verification URL at loopback without opt-in", Aws1("http://127.0.0.1:9000?Action=GetCallerIdentity&Version=2011-06-15"), "loopback" },

        // Metadata look-alikes: a role's keys are not a subject token.
        { "url at the instance role credentials", File("""{"url":"http://169.254.169.254/latest/meta-data/iam/security-credentials/instance-role","format":{"type":"json","subject_token_field_name":"SecretAccessKey"}}"""), "link-local" },
        { "url at the ECS credentials endpoint", File("""{"url":"http://169.254.170.2/v2/credentials/abc","format":{"type":"json","subject_token_field_name":"SecretAccessKey"}}"""), "link-local" },
        { "url at the EKS Pod Identity agent", File("""{"url":"http://169.254.170.23/v1/credentials"}"""), "link-local" },
        { "url at IMDS over IPv6", File("""{"url":"http://[fd00:ec2::254]/latest/meta-data/iam/security-credentials/r"}"""), "link-local" },
        { "url at IMDS as an IPv4-mapped IPv6 address", File("""{"url":"http://[::ffff:169.254.169.254]/latest/meta-data/iam/security-credentials/r"}"""), "link-local" },
        { "url at IMDS as a decimal address", File("""{"url":"http://2852039166/latest/meta-data/iam/security-credentials/r"}"""), "link-local" },
        { "url at IMDS by name", File("""{"url":"http://instance-data.ec2.internal/latest/meta-data/iam/security-credentials/r"}"""), "link-local" },
        { "url with a password", File($$"""{"url":"https://agent:{{UrlPassword}}@token-agent.example/token"}"""), "user info" },
        { "aws1 credentials url elsewhere", Aws1Sources("\"url\":\"http://evil.example/latest/meta-data/iam/security-credentials\""), "instance metadata" },
        { "aws1 session token url elsewhere", Aws1Sources("\"imdsv2_session_token_url\":\"http://evil.example/latest/api/token\""), "instance metadata" },
        { "aws1 region url with a password", Aws1Sources($"\"region_url\":\"http://u:{UrlPassword}@169.254.169.254/latest/meta-data/placement/availability-zone\""), "user info" },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Build_HostileConfiguration_IsRefusedBeforeAnyRequest(string name, string json, string expected)
    {
        CrossCloudAuthException error = await RefusedAsync(json);

        Assert.True(error is CredentialConfigurationException, $"{name}: {error.GetType().Name}: {error.Message}");
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_http.Requests);
        string everything = error.ToString();
        Assert.DoesNotContain(UrlPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(LongTermSecret, everything, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UniverseAllowedInCode_AcceptsTheFileThatNamesIt()
    {
        ExternalAccountConfiguration configuration = ExternalAccountConfiguration.Parse(File("""{"file":"/t"}""", extra: "\"universe_domain\":\"example-universe.goog\""));

        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, options =>
        {
            options.UniverseDomain = "example-universe.goog";
            options.HttpClient = _http.CreateClient();
        });

        Assert.Equal("example-universe.goog", credential.UniverseDomain);
    }

    [Fact]
    public void Build_FileWithoutUniverseInACodeUniverse_DerivesTheTokenUrlFromTheCodeUniverse()
    {
        ExternalAccountConfiguration configuration = ExternalAccountConfiguration.Parse(
            """{"type":"external_account","audience":"//iam.googleapis.com/x","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","credential_source":{"file":"/t"}}""");

        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, options =>
        {
            options.UniverseDomain = "example-universe.goog";
            options.HttpClient = _http.CreateClient();
        });

        Assert.Equal("example-universe.goog", credential.UniverseDomain);
    }

    [Theory]
    [InlineData("googleapis.com")]
    [InlineData("GoogleApis.com")]
    public void Build_FileNamingTheDefaultUniverse_IsAccepted(string universe)
    {
        ExternalAccountConfiguration configuration = ExternalAccountConfiguration.Parse(File("""{"file":"/t"}""", extra: $"\"universe_domain\":\"{universe}\""));

        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, options => options.HttpClient = _http.CreateClient());

        Assert.Equal("googleapis.com", credential.UniverseDomain);
    }

    [Theory]
    [InlineData("com")]
    [InlineData("localhost")]
    [InlineData("evil example")]
    [InlineData("-bad.example")]
    public void Create_MalformedUniverseInCode_IsRefused(string universe)
    {
        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => GoogleFederatedCredential.Create(new GoogleFederatedCredentialOptions
        {
            Audience = Audience,
            UniverseDomain = universe,
            SubjectTokenSource = new CrossCloudAuth.Google.FileSubjectTokenSource(TokenFile, SubjectTokenTypes.Jwt, environment: _environment),
            HttpClient = _http.CreateClient(),
        }));

        Assert.Contains("UniverseDomain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_AzureManagedIdentityUrl_IsAllowed()
    {
        ExternalAccountConfiguration configuration = ExternalAccountConfiguration.Parse(File(
            """{"url":"http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://app","headers":{"Metadata":"True"},"format":{"type":"json","subject_token_field_name":"access_token"}}"""));

        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, options => options.HttpClient = _http.CreateClient());

        Assert.NotNull(credential);
    }

    [Fact]
    public void Build_Aws1AtAnEmulatorWithOptIn_AllowsTheLoopbackVerificationUrl()
    {
        ExternalAccountConfiguration configuration = ExternalAccountConfiguration.Parse(Aws1("http://127.0.0.1:9000?Action=GetCallerIdentity&Version=2011-06-15"));

        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, options =>
        {
            options.AllowNonStandardEndpoints = true;
            options.HttpClient = _http.CreateClient();
            options.Environment = _environment;
        });

        Assert.NotNull(credential);
    }

    [Theory]
    [InlineData("us-east-1", "sts.us-east-1.amazonaws.com")]
    [InlineData("cn-north-1", "sts.cn-north-1.amazonaws.com.cn")]
    [InlineData("us-gov-west-1", "sts.us-gov-west-1.amazonaws.com")]
    public async Task GetAsync_GcloudTemplate_SignsForThePartitionsStsHost(string region, string host)
    {
        _environment.Set("AWS_REGION", region);
        _http.On(HttpMethod.Post, "/v1/token", System.Net.HttpStatusCode.BadRequest, """{"error":"invalid_grant","error_description":"stop here"}""", "application/json");
        ExternalAccountConfiguration configuration = ExternalAccountConfiguration.Parse(Aws1("https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"));
        using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, options =>
        {
            options.HttpClient = _http.CreateClient();
            options.Environment = _environment;
            options.TimeProvider = _time;
        });

        await Assert.ThrowsAsync<CredentialRequestFailedException>(async () => await credential.GetAsync());

        RecordedRequest exchange = Assert.Single(_http.Requests);
        Assert.Equal("sts.googleapis.com", exchange.Uri.Host);
        string subject = Uri.UnescapeDataString(Uri.UnescapeDataString(exchange.Body!));
        Assert.Contains($"\"url\":\"https://{host}?Action=GetCallerIdentity&Version=2011-06-15\"", subject, StringComparison.Ordinal);
        Assert.Contains($"/{region}/sts/aws4_request", subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SubjectTokenFileIsAFifo_FailsAtOnceWithoutOpeningIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string directory = Directory.CreateTempSubdirectory("crosscloudauth-fifo-").FullName;
        try
        {
            string fifo = Path.Combine(directory, "token");
            using (Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
            {
                await mkfifo.WaitForExitAsync();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            var source = new CrossCloudAuth.Google.FileSubjectTokenSource(fifo, SubjectTokenTypes.Jwt);

            // Opening a FIFO blocks until a writer comes; the source must answer without ever opening it.
            CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(async () => await source.GetSubjectTokenAsync());
            Assert.Contains("regular file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    [InlineData("/proc/self/environ")]
    public async Task GetAsync_SubjectTokenFileIsADeviceOrProcfs_IsNeverRead(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var source = new CrossCloudAuth.Google.FileSubjectTokenSource(path, SubjectTokenTypes.Jwt);

        CredentialSourceUnavailableException error = await Assert.ThrowsAsync<CredentialSourceUnavailableException>(async () => await source.GetSubjectTokenAsync());
        Assert.Contains("regular file", error.Message, StringComparison.Ordinal);
    }

    private async Task<CrossCloudAuthException> RefusedAsync(string json)
    {
        try
        {
            ExternalAccountConfiguration configuration = ExternalAccountConfiguration.Parse(json, "hostile.json");
            using GoogleFederatedCredential credential = GoogleFederatedCredential.FromConfiguration(configuration, options =>
            {
                options.HttpClient = _http.CreateClient();
                options.Environment = _environment;
                options.TimeProvider = _time;
            });
            _ = await credential.GetAsync();
        }
        catch (CrossCloudAuthException error)
        {
            return error;
        }

        Assert.Fail("The hostile configuration was accepted.");
        throw new UnreachableException();
    }

    private static string File(string credentialSource, string? extra = null) =>
        $$"""{"type":"external_account","audience":"{{Audience}}","subject_token_type":"urn:ietf:params:oauth:token-type:jwt",{{(extra is null ? string.Empty : extra + ",")}}"credential_source":{{credentialSource}}}""";

    private static string Aws1(string verificationUrl) =>
        $$$"""{"type":"external_account","audience":"{{{Audience}}}","subject_token_type":"urn:ietf:params:aws:token-type:aws4_request","token_url":"https://sts.googleapis.com/v1/token","credential_source":{"environment_id":"aws1","regional_cred_verification_url":"{{{verificationUrl}}}"}}""";

    private static string Aws1Sources(string sources) =>
        $$$"""{"type":"external_account","audience":"{{{Audience}}}","subject_token_type":"urn:ietf:params:aws:token-type:aws4_request","credential_source":{"environment_id":"aws1",{{{sources}}},"regional_cred_verification_url":"https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"}}""";
}
