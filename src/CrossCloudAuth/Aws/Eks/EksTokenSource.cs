using System.Buffers.Text;
using System.Globalization;
using System.Text;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Aws;

/// <summary>
/// Bearer tokens for an EKS cluster's Kubernetes API, as <c>aws eks get-token</c> makes them: a presigned STS
/// <c>GetCallerIdentity</c> URL carrying the signed <c>x-k8s-aws-id</c> cluster header and <c>X-Amz-Expires=60</c>,
/// encoded as <c>k8s-aws-v1.</c> + unpadded base64url. Signed with credentials from any AWS source, such as the final
/// role of a cross-account chain.
/// </summary>
/// <remarks>
/// <para>The presigning is this library's SigV4 signer (checked against AWS's signing test suite and, in the
/// emulator and the end-to-end tests, against an independent verifier).</para>
/// <para>The cluster accepts a token for 15 minutes after it was signed, and only while the signing credentials are
/// valid, so the reported expiry is the earlier of the two minus <see cref="EksTokenSourceOptions.ExpiryMargin"/>;
/// credentials with less than a minute left after the margin are refused rather than used to sign a token that would
/// die at once. Each call signs a new token: wrap this provider in a <see cref="Caching.RefreshAheadCache{TCredential}"/>,
/// which refreshes ahead of expiry, or get it cached from <see cref="AwsCredentialChain.EksToken"/>.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class EksTokenSource : ICredentialProvider<AuthToken>
{
    /// <summary>The token prefix the EKS authenticator expects.</summary>
    public const string TokenPrefix = "k8s-aws-v1.";

    private static readonly TimeSpan s_serverValidity = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan s_presignExpiry = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_minimumLifetime = TimeSpan.FromMinutes(1);

    private readonly ICredentialProvider<AwsCredentials> _credentials;
    private readonly TimeProvider _timeProvider;
    private readonly string _clusterName;
    private readonly string _region;
    private readonly Uri _stsUri;
    private readonly TimeSpan _margin;

    /// <summary>Initializes a new instance of the <see cref="EksTokenSource"/> class.</summary>
    /// <param name="credentials">The AWS credentials whose identity the cluster maps (access entry or <c>aws-auth</c>).</param>
    /// <param name="options">The cluster, region and endpoint. Read once.</param>
    /// <param name="context">The clock, logging, HTTP client and environment; <see cref="CredentialContext.Default"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="CredentialConfigurationException">The cluster name, region, endpoint or margin is invalid.</exception>
    public EksTokenSource(
        ICredentialProvider<AwsCredentials> credentials,
        EksTokenSourceOptions options,
        CredentialContext? context = null)
        : this(credentials, options, context?.Environment, context?.TimeProvider)
    {
    }

    /// <summary>The constructor behind the public one, for the library's own composition and tests.</summary>
    internal EksTokenSource(
        ICredentialProvider<AwsCredentials> credentials,
        EksTokenSourceOptions options,
        ISystemEnvironment? environment,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        _credentials = credentials;
        _timeProvider = timeProvider ?? TimeProvider.System;
        environment ??= SystemEnvironment.Instance;

        string? cluster = options.ClusterName?.Trim();
        HopName = $"aws-eks:token({cluster})";
        if (string.IsNullOrEmpty(cluster) || cluster.Length > 100 || cluster.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new CredentialConfigurationException(HopName, "ClusterName is required: the EKS cluster's name (letters, digits, '-' and '_', up to 100 characters).");
        }

        if (options.Region is not null && !AwsRegion.IsValid(options.Region))
        {
            throw new CredentialConfigurationException(HopName, $"Region '{options.Region}' is not an AWS region name such as 'us-east-2'.");
        }

        if (options.ExpiryMargin < TimeSpan.Zero || options.ExpiryMargin >= s_serverValidity - s_minimumLifetime)
        {
            throw new CredentialConfigurationException(HopName, "ExpiryMargin must be at least zero and under 14 minutes.");
        }

        _clusterName = cluster;
        _margin = options.ExpiryMargin;
        _region = options.Region ?? AwsRegion.FromEnvironment(environment, HopName) ?? "us-east-1";
        Uri endpoint = options.StsEndpoint
            ?? AwsStsClient.ServiceUrlFromEnvironment(environment, HopName)
            ?? new Uri($"https://{AwsStsEndpoints.RegionalHost(_region)}/");
        if (!AwsStsEndpoints.IsAllowedOverride(endpoint))
        {
            throw new CredentialConfigurationException(HopName, "StsEndpoint must be https, or http to a loopback address (a local emulator), without user info.");
        }

        _stsUri = new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/?Action=GetCallerIdentity&Version=2011-06-15");
    }

    /// <inheritdoc />
    public string HopName { get; }

    /// <summary>Signs a new token with the source's current credentials.</summary>
    /// <param name="cancellationToken">Cancels the wait for credentials.</param>
    /// <returns>The bearer token, reported to expire before the server or the credentials would reject it.</returns>
    /// <exception cref="CredentialRequestFailedException">The source's credentials expire too soon to sign with.</exception>
    /// <exception cref="CrossCloudAuthException">The AWS source failed.</exception>
    public async ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
    {
        AwsCredentials credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        DateTimeOffset signedAt = _timeProvider.GetUtcNow();

        DateTimeOffset expiresOn = signedAt + s_serverValidity - _margin;
        if (credentials.ExpiresOn - _margin < expiresOn)
        {
            expiresOn = credentials.ExpiresOn - _margin;
        }

        if (expiresOn - signedAt < s_minimumLifetime)
        {
            throw new CredentialRequestFailedException(
                HopName,
                $"The credentials from {_credentials.HopName} expire at {credentials.ExpiresOn:O}, too soon to sign an EKS token that lasts. Their cache should refresh them first; if this repeats, the source hands out nearly expired credentials.",
                errorCode: "CredentialsExpiringSoon",
                isTransient: true);
        }

        string url = Presign(credentials, _stsUri, _region, "sts", [new("x-k8s-aws-id", _clusterName)], s_presignExpiry, signedAt);
        return new AuthToken(TokenPrefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(url)), expiresOn);
    }

    /// <summary>Presigns a GET (SigV4 query authentication, the empty payload's hash) and returns the URL.</summary>
    internal static string Presign(
        AwsCredentials credentials,
        Uri uri,
        string region,
        string service,
        IEnumerable<KeyValuePair<string, string>> headers,
        TimeSpan expiry,
        DateTimeOffset signedAt)
    {
        string amzDate = SigV4Signer.FormatAmzDate(signedAt);
        List<KeyValuePair<string, string>> signed = [new("host", uri.Authority), .. headers];
        string signedHeaders = string.Join(';', signed.Select(h => h.Key.ToLowerInvariant()).Order(StringComparer.Ordinal));

        StringBuilder query = new(uri.Query.TrimStart('?'));
        void Add(string name, string value) =>
            query.Append(query.Length == 0 ? string.Empty : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));
        Add("X-Amz-Algorithm", SigV4Signer.Algorithm);
        Add("X-Amz-Credential", $"{credentials.AccessKeyId}/{amzDate[..8]}/{region}/{service}/aws4_request");
        Add("X-Amz-Date", amzDate);
        Add("X-Amz-Expires", ((long)expiry.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        if (credentials.SessionToken is not null)
        {
            Add("X-Amz-Security-Token", credentials.SessionToken);
        }

        Add("X-Amz-SignedHeaders", signedHeaders);
        Uri unsigned = new(uri.GetLeftPart(UriPartial.Path) + "?" + query);
        SigV4Signature signature = SigV4Signer.Sign("GET", unsigned, signed, SigV4Signer.EmptyPayloadHash, credentials.AccessKeyId, credentials.SecretAccessKey, region, service, signedAt);
        return unsigned.AbsoluteUri + "&X-Amz-Signature=" + signature.Signature;
    }
}
