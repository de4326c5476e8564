using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Aws;

/// <summary>
/// AWS credentials from the environment variables <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c> and, for
/// temporary credentials, <c>AWS_SESSION_TOKEN</c> (what a Lambda function, a CI job or <c>aws configure
/// export-credentials</c> provides).
/// </summary>
/// <remarks>
/// <para>The variables are read on every call. Credentials from the environment carry no expiry
/// (<see cref="AwsCredentials.ExpiresOn"/> is <see cref="DateTimeOffset.MaxValue"/>): whoever set them is responsible
/// for replacing them.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class EnvironmentCredentialSource : ICredentialProvider<AwsCredentials>
{
    private const string Hop = "aws-env:AWS_ACCESS_KEY_ID";

    private readonly ISystemEnvironment _environment;

    /// <summary>Initializes a new instance of the <see cref="EnvironmentCredentialSource"/> class.</summary>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    public EnvironmentCredentialSource(
        CredentialContext? context = null)
        : this(context?.Environment)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal EnvironmentCredentialSource(
        ISystemEnvironment? environment)
    {
        _environment = environment ?? SystemEnvironment.Instance;
    }

    /// <inheritdoc />
    public string HopName => Hop;

    /// <summary>Reads the credentials from the environment.</summary>
    /// <param name="cancellationToken">Not used; the read is synchronous.</param>
    /// <returns>The credentials.</returns>
    /// <exception cref="CredentialSourceUnavailableException"><c>AWS_ACCESS_KEY_ID</c> is not set.</exception>
    /// <exception cref="CredentialConfigurationException"><c>AWS_ACCESS_KEY_ID</c> is set but
    /// <c>AWS_SECRET_ACCESS_KEY</c> is not.</exception>
    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return new ValueTask<AwsCredentials>(Read());
        }
        catch (CrossCloudAuthException error)
        {
            return ValueTask.FromException<AwsCredentials>(error);
        }
    }

    /// <summary>Whether <c>AWS_ACCESS_KEY_ID</c> is set, without validating the rest.</summary>
    internal static bool IsConfigured(ISystemEnvironment environment) =>
        !string.IsNullOrWhiteSpace(environment.GetEnvironmentVariable(AwsEnvironmentVariables.AccessKeyId));

    private AwsCredentials Read()
    {
        string? accessKeyId = _environment.GetEnvironmentVariable(AwsEnvironmentVariables.AccessKeyId)?.Trim();
        if (string.IsNullOrEmpty(accessKeyId))
        {
            throw new CredentialSourceUnavailableException(
                Hop,
                "AWS_ACCESS_KEY_ID is not set. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or use another AWS source.");
        }

        string? secretAccessKey = _environment.GetEnvironmentVariable(AwsEnvironmentVariables.SecretAccessKey)?.Trim();
        if (string.IsNullOrEmpty(secretAccessKey))
        {
            throw new CredentialConfigurationException(
                Hop,
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not. Set both, or unset AWS_ACCESS_KEY_ID to use another AWS source.");
        }

        string? sessionToken = _environment.GetEnvironmentVariable(AwsEnvironmentVariables.SessionToken)?.Trim();
        return new AwsCredentials(accessKeyId, secretAccessKey, string.IsNullOrEmpty(sessionToken) ? null : sessionToken);
    }
}
