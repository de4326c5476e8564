using System.Text;
using CrossCloudAuth.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CrossCloudAuth.Tests.DependencyInjection;

public sealed class ConfigurationBindingTests
{
    private const string Audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q";

    private readonly DiTestWorld _world = new();

    [Fact]
    public async Task StartAsync_MisspelledGoogleKey_FailsAtStartWithPathAndNearestKey()
    {
        IConfiguration configuration = Json("""
            { "CrossCloudAuth": { "Google": { "ServiceAcountEmail": "reader@p.iam.gserviceaccount.com" } } }
            """);
        using IHost host = BuildHost(s => s.AddGoogleFromAwsIdentity(configuration.GetSection("CrossCloudAuth:Google")));

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'CrossCloudAuth:Google:ServiceAcountEmail' is not a setting; did you mean ServiceAccountEmail?", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Cache:ClockSkw", "00:01:00", "'G:Cache:ClockSkw' is not a setting; did you mean ClockSkew?")]
    [InlineData("Scope", "x", "'G:Scope' is not a setting; did you mean Scopes?")]
    [InlineData("Colour", "blue", "'G:Colour' is not a setting; the keys here are AllowNonStandardEndpoints, Audience,")]
    [InlineData("HttpClient", "x", "'G:HttpClient' is set in code only")]
    public void Bind_UnknownGoogleKey_ReportsPathAndHint(string key, string value, string expected)
    {
        GoogleFromAwsIdentityOptions options = new();

        ConfigurationBinding.Bind(Section("G", (key, value)), options);

        Assert.Contains(options.BindingErrors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_KeysInAnotherCase_AreKnown()
    {
        GoogleFromAwsIdentityOptions options = new();

        ConfigurationBinding.Bind(Section("G", ("serviceaccountemail", "sa@p.iam.gserviceaccount.com"), ("cache:clockskew", "00:02:00")), options);

        Assert.Empty(options.BindingErrors);
        Assert.Equal("sa@p.iam.gserviceaccount.com", options.ServiceAccountEmail);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Cache!.ClockSkew);
    }

    [Fact]
    public void Bind_EveryCacheSetting_IsKnown()
    {
        GoogleFromAwsIdentityOptions options = new();

        ConfigurationBinding.Bind(Section("G", ("Cache:RefreshTimeout", "00:00:45"), ("Cache:SpreadFirstRefresh", "false")), options);

        Assert.Empty(options.BindingErrors);
        Assert.Equal(TimeSpan.FromSeconds(45), options.Cache!.RefreshTimeout);
        Assert.False(options.Cache.SpreadFirstRefresh);
    }

    [Fact]
    public void Bind_ConfigurationRoot_DoesNotReportTheApplicationsOtherKeys()
    {
        IConfiguration root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Audience"] = Audience,
            ["Logging:LogLevel:Default"] = "Information",
            ["AllowedHosts"] = "*",
        }).Build();
        GoogleFromAwsIdentityOptions options = new();

        ConfigurationBinding.Bind(root, options);

        Assert.Empty(options.BindingErrors);
        Assert.Equal(Audience, options.Audience);
    }

    [Theory]
    [InlineData("WebIdentity:RoleArm", "did you mean RoleArn?")]
    [InlineData("RoleChain:0:RoleSesionName", "'A:RoleChain:0:RoleSesionName' is not a setting; did you mean RoleSessionName?")]
    [InlineData("RoleChain:first:RoleArn", "'A:RoleChain:first' is not an index of the list 'A:RoleChain'")]
    [InlineData("Profile:Name", "did you mean ProfileName?")]
    [InlineData("Regoin", "'A:Regoin' is not a setting; did you mean Region?")]
    [InlineData("ServiceURL", "'A:ServiceURL' is an AWS SDK client setting, not a credential setting")]
    [InlineData("InstanceMetadata:Endpoint", "'A:InstanceMetadata' is set in code only")]
    public void Bind_UnknownAwsKey_ReportsPathAndHint(string key, string expected)
    {
        AwsCredentialsOptions options = new();

        ConfigurationBinding.Bind(Section("A", (key, "x")), options);

        Assert.Contains(options.BindingErrors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_ValueWhereASectionIsExpected_FailsNamingTheKey()
    {
        GoogleFromAwsIdentityOptions options = new();

        ConfigurationBinding.Bind(Section("G", ("Cache", "fast")), options);

        Assert.Contains(options.BindingErrors, e => e.Contains("'G:Cache' has a value, but it is a section of keys such as ClockSkew", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_SectionWhereAValueIsExpected_FailsNamingTheKey()
    {
        GoogleFromAwsIdentityOptions options = new();

        ConfigurationBinding.Bind(Section("G", ("Audience:Value", Audience)), options);

        Assert.Contains(options.BindingErrors, e => e.Contains("'G:Audience' is a section, but it is a single value", StringComparison.Ordinal));
        Assert.Null(options.Audience);
    }

    [Fact]
    public void Bind_AwsSdkShape_ProfileAsStringRegionAndProfilesLocation()
    {
        // The "AWS" section of AWSSDK.Extensions.NETCore.Setup.
        IConfiguration configuration = Json("""
            { "AWS": { "Profile": "target-env", "Region": "eu-west-1", "ProfilesLocation": "/home/app/.aws/credentials" } }
            """);
        AwsCredentialsOptions options = new();

        ConfigurationBinding.Bind(configuration.GetSection("AWS"), options);

        Assert.Empty(options.BindingErrors);
        Assert.Equal("target-env", options.Profile.ProfileName);
        Assert.Equal("eu-west-1", options.Region);
        Assert.Equal("/home/app/.aws/credentials", options.Profile.CredentialsFile);
    }

    [Fact]
    public void Bind_AwsSdkSessionRoleArn_BecomesAOneHopRoleChain()
    {
        IConfiguration configuration = Json("""
            { "AWS": { "SessionRoleArn": "arn:aws:iam::222222222222:role/target", "SessionName": "app" } }
            """);
        AwsCredentialsOptions options = new();

        ConfigurationBinding.Bind(configuration.GetSection("AWS"), options);

        Assert.Empty(options.BindingErrors);
        CrossCloudAuth.Aws.AssumeRoleCredentialSourceOptions hop = Assert.Single(options.RoleChain);
        Assert.Equal("arn:aws:iam::222222222222:role/target", hop.RoleArn);
        Assert.Equal("app", hop.RoleSessionName);
    }

    [Fact]
    public void Bind_SessionRoleArnAndRoleChain_FailsAskingForOne()
    {
        AwsCredentialsOptions options = new();

        ConfigurationBinding.Bind(Section("A", ("SessionRoleArn", "arn:aws:iam::1:role/a"), ("RoleChain:0:RoleArn", "arn:aws:iam::2:role/b")), options);

        Assert.Contains(options.BindingErrors, e => e.Contains("'A:SessionRoleArn'", StringComparison.Ordinal) && e.Contains("move the role into RoleChain", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_ProfileStringAndProfileNameDisagree_FailsNamingBoth()
    {
        AwsCredentialsOptions options = new();

        ConfigurationBinding.Bind(Section("A", ("Profile", "one"), ("Profile:ProfileName", "two")), options);

        Assert.Contains(options.BindingErrors, e => e.Contains("'A:Profile' names the profile 'one' while 'A:Profile:ProfileName' names 'two'", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_OurProfileShape_StillBinds()
    {
        AwsCredentialsOptions options = new();

        ConfigurationBinding.Bind(Section("A", ("Profile:ProfileName", "target-env"), ("Profile:ConfigFile", "/etc/aws/config")), options);

        Assert.Empty(options.BindingErrors);
        Assert.Equal("target-env", options.Profile.ProfileName);
        Assert.Equal("/etc/aws/config", options.Profile.ConfigFile);
    }

    [Theory]
    [InlineData("01:00:00", 3600)]
    [InlineData("1.00:00:00", 86400)]
    [InlineData("00:05", 300)]
    [InlineData("3600s", 3600)]
    [InlineData("90m", 5400)]
    [InlineData("2h", 7200)]
    [InlineData(" 1.5h ", 5400)]
    [InlineData("0.25s", 0.25)]
    public void Bind_DurationForms_Parse(string text, double seconds)
    {
        GoogleFromAwsIdentityOptions options = new();

        ConfigurationBinding.Bind(Section("G", ("TokenLifetime", text)), options);

        Assert.Empty(options.BindingErrors);
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.TokenLifetime);
    }

    [Theory]
    [InlineData("3600")]
    [InlineData("1.5")]
    public void Bind_DurationBareNumber_RefusedNamingTheAcceptedForms(string text)
    {
        GoogleFromAwsIdentityOptions options = new();

        ConfigurationBinding.Bind(Section("G", ("TokenLifetime", text)), options);

        string error = Assert.Single(options.BindingErrors);
        Assert.Contains($"'G:TokenLifetime' is '{text}', a number without a unit", error, StringComparison.Ordinal);
        Assert.Contains("01:00:00", error, StringComparison.Ordinal);
        Assert.Contains("3600s", error, StringComparison.Ordinal);
        Assert.Null(options.TokenLifetime);
    }

    [Theory]
    [InlineData("an hour")]
    [InlineData("5x")]
    [InlineData("1e400s")]
    [InlineData("s")]
    public void Bind_DurationGarbage_RefusedNamingTheAcceptedForms(string text)
    {
        AwsCredentialsOptions options = new();

        ConfigurationBinding.Bind(Section("A", ("RoleChain:0:RoleArn", "arn:aws:iam::1:role/a"), ("RoleChain:0:Duration", text)), options);

        string error = Assert.Single(options.BindingErrors);
        Assert.Contains("'A:RoleChain:0:Duration'", error, StringComparison.Ordinal);
        Assert.Contains("which is not a duration", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BareNumberTokenLifetime_FailsAtStart()
    {
        IConfiguration configuration = Json($$"""
            { "Google": { "Audience": "{{Audience}}", "SubjectTokenFile": "{{DiTestWorld.TokenPath}}", "TokenLifetime": "3600" } }
            """);
        using IHost host = BuildHost(s => s.AddGoogleFromAwsIdentity(configuration.GetSection("Google")));

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'Google:TokenLifetime' is '3600', a number without a unit", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ServiceAcountEmail", "ServiceAccountEmail", "ServiceAccountEmail")]
    [InlineData("Regoin", "Region", "Region")]
    [InlineData("Colour", "Audience", null)]
    public void Nearest_Misspelling_SuggestsOnlyPlausibleKeys(string key, string candidate, string? expected)
    {
        Assert.Equal(expected, KeySuggestion.Nearest(key, [candidate, "Scopes"]));
    }

    private static IConfigurationSection Section(string name, params (string Key, string Value)[] values)
    {
        Dictionary<string, string?> data = values.ToDictionary(v => $"{name}:{v.Key}", v => (string?)v.Value);
        return new ConfigurationBuilder().AddInMemoryCollection(data).Build().GetSection(name);
    }

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private IHost BuildHost(Action<IServiceCollection> configure)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        _world.Register(builder.Services);
        configure(builder.Services);
        return builder.Build();
    }
}
