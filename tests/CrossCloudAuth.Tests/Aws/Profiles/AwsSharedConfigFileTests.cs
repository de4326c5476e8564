using CrossCloudAuth.Aws;

namespace CrossCloudAuth.Tests.Aws.Profiles;

public sealed class AwsSharedConfigFileTests
{
    [Fact]
    public void Parse_Seed001Config_ReadsBothProfilesAsWritten()
    {
        Dictionary<string, Dictionary<string, string>> profiles = AwsSharedConfigFile.Parse(Fixtures.Read("seed001-aws-config"), isConfigFile: true);

        Assert.Equal(["ci-env", "target-env"], profiles.Keys.Order());
        Assert.Equal("arn:aws:iam::CI_ACCOUNT_ID:role/ci-account-iam-role", profiles["ci-env"]["role_arn"]);
        Assert.Equal("/var/run/secrets/eks.amazonaws.com/serviceaccount/token.", profiles["ci-env"]["web_identity_token_file"]);
        Assert.Equal("ci-env", profiles["target-env"]["source_profile"]);
        Assert.Equal("xactarget", profiles["target-env"]["role_session_name"]);
    }

    [Fact]
    public void Parse_CommentsSubsectionsAndOtherSections_KeepsOnlyProfileKeys()
    {
        const string text = """
            # a comment
            [default]
            region = eu-west-1 ; inline comment
            s3 =
              max_concurrent_requests = 20
            output=json

            [sso-session corp]
            sso_region = us-east-1

            [profile  spaced ]
            Role_Arn = arn:aws:iam::1:role/x
            [services x]
            sts =
              endpoint_url = http://localhost
            """;

        Dictionary<string, Dictionary<string, string>> profiles = AwsSharedConfigFile.Parse(text, isConfigFile: true);

        Assert.Equal(["default", "spaced"], profiles.Keys.Order());
        Assert.Equal("eu-west-1", profiles["default"]["region"]);
        Assert.Equal("json", profiles["default"]["output"]);
        Assert.False(profiles["default"].ContainsKey("max_concurrent_requests"));
        Assert.Equal("arn:aws:iam::1:role/x", profiles["spaced"]["role_arn"]);
    }

    [Fact]
    public void Parse_CredentialsFile_UsesBareSectionNames()
    {
        const string text = "[default]\r\naws_access_key_id=AKIA1\r\n[profile x]\r\naws_access_key_id=AKIA2\r\n";

        Dictionary<string, Dictionary<string, string>> profiles = AwsSharedConfigFile.Parse(text, isConfigFile: false);

        Assert.Equal("AKIA1", profiles["default"]["aws_access_key_id"]);
        Assert.True(profiles.ContainsKey("profile x"));
    }

    [Fact]
    public void Parse_ConfigFileWithoutProfilePrefix_IgnoresSection()
    {
        Assert.Empty(AwsSharedConfigFile.Parse("[ci-env]\nrole_arn = x\n", isConfigFile: true));
    }
}
