namespace CrossCloudAuth.Google;

/// <summary>Mints an impersonated access token per call from the (cached) federated token.</summary>
internal sealed class ImpersonatedAccessTokenSource(
    IamCredentialsClient client,
    ICredentialProvider<AuthToken> federated,
    IReadOnlyList<string> scopes,
    TimeSpan? lifetime) : ICredentialProvider<AuthToken>
{
    public string HopName => client.AccessTokenHop;

    public async ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
    {
        AuthToken federatedToken = await federated.GetAsync(cancellationToken).ConfigureAwait(false);
        return await client.GenerateAccessTokenAsync(federatedToken, scopes, lifetime, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Mints an ID token for one audience per call from the (cached) federated token.</summary>
internal sealed class ImpersonatedIdTokenSource(
    IamCredentialsClient client,
    ICredentialProvider<AuthToken> federated,
    string audience,
    bool includeEmail) : ICredentialProvider<AuthToken>
{
    public string HopName => client.IdTokenHop;

    public async ValueTask<AuthToken> GetAsync(CancellationToken cancellationToken = default)
    {
        AuthToken federatedToken = await federated.GetAsync(cancellationToken).ConfigureAwait(false);
        return await client.GenerateIdTokenAsync(federatedToken, audience, includeEmail, cancellationToken).ConfigureAwait(false);
    }
}
