using System.Text;
using System.Text.Json.Nodes;
using CrossCloudAuth.Google;
using CsCheck;

namespace CrossCloudAuth.Tests.Fuzzing.Google.Configuration;

public sealed class ExternalAccountConfigurationFuzzTests
{
    internal const string ClientSecret = "fuzz-client-secret-9c1d";

    private static readonly Gen<string> s_name = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"], 1, 30].Select(s => "p" + s);

    /// <summary>Valid configurations of every source kind, with random but legal values.</summary>
    internal static readonly Gen<JsonObject> Valid =
        from project in Gen.Long[1, 999_999_999_999]
        from pool in s_name
        from provider in s_name
        from account in s_name
        from lifetime in Gen.Int[300, 43_200].Nullable()
        from kind in Gen.Int[0, 3]
        from path in s_name
        from field in Gen.OneOf("", "id_token", "access_token", "token")
        from timeout in Gen.Int[5_000, 120_000]
        from client in Gen.Bool
        select Build(project, pool, provider, account, lifetime, kind, "/var/run/" + path, field, timeout, client);

    [Fact]
    public void Parse_HostileBytes_ThrowsOnlyCredentialConfigurationException() =>
        Fuzz.Check(Hostile.Documents(Valid), bytes =>
        {
            Expect.Parses(() => Load(bytes), bytes.Length, out _, [ClientSecret]);
        }, baseCount: 600, print: bytes => Fuzz.Printable(bytes));

    [Fact]
    public void Parse_HostileText_ThrowsOnlyCredentialConfigurationException() =>
        Fuzz.Check(Gen.OneOf(Hostile.Text, Hostile.Documents(Valid).Select(b => Encoding.UTF8.GetString(b))), text =>
        {
            Expect.Parses(() => ExternalAccountConfiguration.Parse(text), text.Length, out _, [ClientSecret]);
        }, baseCount: 300);

    [Fact]
    public void Parse_HostileBytes_AnyFailureIsACredentialConfigurationException() =>
        Fuzz.Check(Hostile.Mutations(Valid), bytes =>
        {
            try
            {
                Load(bytes);
            }
            catch (CrossCloudAuthException error)
            {
                Assert.IsType<CredentialConfigurationException>(error);
                Assert.StartsWith("google-config:", error.HopName, StringComparison.Ordinal);
            }
        }, baseCount: 200, print: bytes => Fuzz.Printable(bytes));

    [Fact]
    public void Parse_ValidConfiguration_RoundTrips() =>
        Fuzz.Check(Valid, document =>
        {
            ExternalAccountConfiguration parsed = Load(Hostile.Serialize(document));

            Assert.Equal((string)document["audience"]!, parsed.Audience);
            Assert.Equal((string)document["subject_token_type"]!, parsed.SubjectTokenType);
            Assert.Equal(new Uri((string)document["token_url"]!), parsed.TokenUrl);
            Assert.Equal(new Uri((string)document["service_account_impersonation_url"]!), parsed.ServiceAccountImpersonationUrl);
            Assert.EndsWith(".iam.gserviceaccount.com", parsed.ServiceAccountEmail, StringComparison.Ordinal);
            Assert.Equal((int?)document["service_account_impersonation"]?["token_lifetime_seconds"], (int?)parsed.TokenLifetime?.TotalSeconds);
            Assert.Equal((string?)document["client_secret"], parsed.ClientSecret);
            Assert.DoesNotContain(ClientSecret, parsed.ToString(), StringComparison.Ordinal);
            JsonNode source = document["credential_source"]!;
            ExternalAccountCredentialSource actual = parsed.CredentialSource;
            switch (actual.Kind)
            {
                case CredentialSourceKind.File:
                    Assert.Equal((string)source["file"]!, actual.File);
                    Assert.Equal((string?)source["format"]?["subject_token_field_name"], actual.Format.SubjectTokenFieldName);
                    break;
                case CredentialSourceKind.Url:
                    Assert.Equal(new Uri((string)source["url"]!), actual.Url);
                    Assert.Equal("Google", actual.Headers["metadata-flavor"]);
                    Assert.Equal((string?)source["format"]?["subject_token_field_name"], actual.Format.SubjectTokenFieldName);
                    break;
                case CredentialSourceKind.Executable:
                    Assert.Equal((string)source["executable"]!["command"]!, actual.ExecutableCommand);
                    Assert.Equal((int)source["executable"]!["timeout_millis"]!, (int)actual.ExecutableTimeout.TotalMilliseconds);
                    break;
                default:
                    Assert.Equal(CredentialSourceKind.Aws, actual.Kind);
                    Assert.Equal((string)source["regional_cred_verification_url"]!, actual.RegionalCredentialVerificationUrl);
                    break;
            }
        }, baseCount: 200, print: document => document.ToJsonString());

    [Fact]
    public void Parse_ValidConfigurationWithByteOrderMark_Parses()
    {
        JsonObject document = Fuzz.One(Valid, seed: 7);
        byte[] withBom = [0xEF, 0xBB, 0xBF, .. Hostile.Serialize(document)];

        ExternalAccountConfiguration parsed = Load(withBom);

        Assert.Equal((string)document["audience"]!, parsed.Audience);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(40_000)]
    public void Parse_DeeplyNested_ThrowsCredentialConfigurationException(int depth)
    {
        string json = "{\"type\":\"external_account\",\"credential_source\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth + 1);

        CredentialConfigurationException error = Assert.Throws<CredentialConfigurationException>(() => Load(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("nest", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LoadAsync_LargerThanTheCap_ThrowsCredentialConfigurationExceptionWithoutReadingItAll()
    {
        byte[] huge = Encoding.UTF8.GetBytes("{\"type\":\"external_account\",\"audience\":\"" + new string('a', GoogleDefaults.MaxConfigurationBytes) + "\"}");
        using MemoryStream stream = new(huge);

        CredentialConfigurationException error = await Assert.ThrowsAsync<CredentialConfigurationException>(() => ExternalAccountConfiguration.LoadAsync(stream));

        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
        Assert.True(stream.Position <= GoogleDefaults.MaxConfigurationBytes + 1, $"read {stream.Position} bytes");
    }

    private static ExternalAccountConfiguration Load(byte[] bytes)
    {
        using MemoryStream stream = new(bytes);
        return ExternalAccountConfiguration.LoadAsync(stream, "fuzz").GetAwaiter().GetResult();
    }

    private static JsonObject Build(long project, string pool, string provider, string account, int? lifetime, int kind, string path, string field, int timeout, bool client)
    {
        JsonObject? format = field.Length == 0 ? null : new JsonObject { ["type"] = "json", ["subject_token_field_name"] = field };
        JsonObject source = kind switch
        {
            0 => new JsonObject { ["file"] = path, ["format"] = format },
            1 => new JsonObject { ["url"] = "http://169.254.169.254/computeMetadata/v1/" + pool, ["headers"] = new JsonObject { ["Metadata-Flavor"] = "Google" }, ["format"] = format },
            2 => new JsonObject { ["executable"] = new JsonObject { ["command"] = path + " --flag", ["timeout_millis"] = timeout, ["output_file"] = path + ".json" } },
            _ => new JsonObject
            {
                ["environment_id"] = "aws1",
                ["region_url"] = "http://169.254.169.254/latest/meta-data/placement/availability-zone",
                ["url"] = "http://169.254.169.254/latest/meta-data/iam/security-credentials",
                ["regional_cred_verification_url"] = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
                ["imdsv2_session_token_url"] = "http://169.254.169.254/latest/api/token",
            },
        };
        JsonObject document = new()
        {
            ["type"] = "external_account",
            ["audience"] = $"//iam.googleapis.com/projects/{project}/locations/global/workloadIdentityPools/{pool}/providers/{provider}",
            ["subject_token_type"] = kind == 3 ? SubjectTokenTypes.Aws4Request : SubjectTokenTypes.Jwt,
            ["token_url"] = "https://sts.googleapis.com/v1/token",
            ["service_account_impersonation_url"] = $"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{account}@{pool}.iam.gserviceaccount.com:generateAccessToken",
            ["credential_source"] = source,
        };
        if (lifetime is int seconds)
        {
            document["service_account_impersonation"] = new JsonObject { ["token_lifetime_seconds"] = seconds };
        }

        if (client)
        {
            document["client_id"] = "client-" + pool;
            document["client_secret"] = ClientSecret;
        }

        return document;
    }
}
