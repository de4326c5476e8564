using Amazon.Runtime;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Any AWS SDK <see cref="AWSCredentials"/> as a source: whatever the AWS SDK already resolves (its default chain,
/// SSO, <c>credential_process</c>, a custom provider) can feed a role chain, an <c>aws4_request</c> subject token or an
/// EKS token here.
/// </summary>
/// <remarks>
/// <para>Each call asks the SDK object for its current credentials (it may cache them itself) and reports the SDK's
/// <see cref="Amazon.Runtime.Identity.BaseIdentity.Expiration"/> as the expiry (none for static keys).</para>
/// <para>This type is thread-safe if the SDK credentials object is (the AWS SDK's are).</para>
/// </remarks>
public sealed class AwsSdkCredentialSource : ICredentialProvider<AwsCredentials>
{
    private readonly AWSCredentials _credentials;

    /// <summary>Initializes a new instance of the <see cref="AwsSdkCredentialSource"/> class.</summary>
    /// <param name="credentials">The AWS SDK credentials to read.</param>
    /// <param name="hopName">The hop's name in errors and logs; <c>aws-sdk:</c> plus the credentials' type name when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> is <see langword="null"/>.</exception>
    public AwsSdkCredentialSource(AWSCredentials credentials, string? hopName = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
        HopName = string.IsNullOrWhiteSpace(hopName) ? "aws-sdk:" + credentials.GetType().Name : hopName;
    }

    /// <inheritdoc />
    public string HopName { get; }

    /// <summary>Gets the SDK credentials' current value.</summary>
    /// <param name="cancellationToken">Ends this caller's wait (the SDK's own fetch cannot be canceled).</param>
    /// <returns>The credentials with the SDK's expiry.</returns>
    /// <exception cref="CredentialSourceUnavailableException">The SDK found no credentials.</exception>
    /// <exception cref="CredentialRequestFailedException">The SDK's fetch failed.</exception>
    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken = default)
    {
        ImmutableCredentials? credentials;
        try
        {
            credentials = await _credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AmazonServiceException error)
        {
            throw new CredentialRequestFailedException(HopName, $"The AWS SDK credentials failed: {error.ErrorCode} \"{error.Message}\".", error.StatusCode == 0 ? null : error.StatusCode, error.ErrorCode, (int)error.StatusCode >= 500, error);
        }
        catch (AmazonClientException error)
        {
            throw new CredentialSourceUnavailableException(HopName, $"The AWS SDK could not resolve credentials: {error.Message}", error);
        }
        catch (Exception error) when (error is not CrossCloudAuthException)
        {
            throw new CredentialRequestFailedException(HopName, $"The AWS SDK credentials failed ({error.GetType().Name}).", errorCode: "Unexpected", innerException: error);
        }

        if (credentials is null || string.IsNullOrEmpty(credentials.AccessKey) || string.IsNullOrEmpty(credentials.SecretKey))
        {
            throw new CredentialSourceUnavailableException(HopName, "The AWS SDK credentials returned no keys.");
        }

        DateTimeOffset? expiresOn = _credentials.Expiration is DateTime expiration
            ? new DateTimeOffset(expiration.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(expiration, DateTimeKind.Utc) : expiration.ToUniversalTime())
            : null;
        return new AwsCredentials(credentials.AccessKey, credentials.SecretKey, credentials.UseToken ? credentials.Token : null, expiresOn);
    }
}
