namespace CrossCloudAuth.Testing.Aws;

/// <summary>
/// Configures the emulated container credentials endpoint: ECS task roles (<c>AWS_CONTAINER_CREDENTIALS_RELATIVE_URI</c>)
/// and EKS Pod Identity (<c>AWS_CONTAINER_CREDENTIALS_FULL_URI</c> + <c>AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)</c>).
/// </summary>
public sealed class ContainerCredentialsBuilder
{
    internal ContainerCredentialsBuilder()
    {
    }

    internal string? RoleArn { get; private set; }

    internal string? AuthorizationToken { get; private set; }

    internal string RelativeUri { get; private set; } = "/v1/credentials";

    /// <summary>Serves credentials for <paramref name="roleName"/> of <paramref name="accountId"/>; the role must exist.</summary>
    /// <param name="accountId">The role's account.</param>
    /// <param name="roleName">The role name.</param>
    /// <returns>This builder.</returns>
    public ContainerCredentialsBuilder UseRole(string accountId, string roleName)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(roleName);
        RoleArn = $"arn:aws:iam::{accountId}:role/{roleName}";
        return this;
    }

    /// <summary>Requires the <c>Authorization</c> header to carry <paramref name="token"/>, as the EKS Pod Identity agent does.</summary>
    /// <param name="token">The expected authorization token.</param>
    /// <returns>This builder.</returns>
    public ContainerCredentialsBuilder RequireAuthorizationToken(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        AuthorizationToken = token;
        return this;
    }

    /// <summary>Sets the path credentials are served at (default <c>/v1/credentials</c>, the Pod Identity agent's; ECS uses <c>/v2/credentials/ID</c>).</summary>
    /// <param name="relativeUri">The path, starting with <c>/</c>.</param>
    /// <returns>This builder.</returns>
    public ContainerCredentialsBuilder UseRelativeUri(string relativeUri)
    {
        ArgumentException.ThrowIfNullOrEmpty(relativeUri);
        if (!relativeUri.StartsWith('/'))
        {
            throw new ArgumentException("The relative URI starts with '/'.", nameof(relativeUri));
        }

        RelativeUri = relativeUri;
        return this;
    }
}
