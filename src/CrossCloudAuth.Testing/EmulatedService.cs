namespace CrossCloudAuth.Testing;

/// <summary>The services a <see cref="CloudEmulator"/> runs, each on its own loopback port.</summary>
public enum EmulatedService
{
    /// <summary>EC2 instance metadata (IMDSv2): session tokens, role credentials, placement, identity document.</summary>
    InstanceMetadata,

    /// <summary>The ECS / EKS Pod Identity container credentials endpoint.</summary>
    ContainerCredentials,

    /// <summary>AWS STS (Query protocol): <c>AssumeRoleWithWebIdentity</c>, <c>AssumeRole</c>, <c>GetCallerIdentity</c>.</summary>
    AwsSts,

    /// <summary>OIDC issuers: discovery documents and JWKS.</summary>
    Oidc,

    /// <summary>Google STS (<c>POST /v1/token</c>, RFC 8693 token exchange).</summary>
    GoogleSts,

    /// <summary>IAM Credentials (<c>generateAccessToken</c>, <c>generateIdToken</c>) and Google's signing certificates.</summary>
    IamCredentials,

    /// <summary>Cloud Storage JSON API (list and download objects).</summary>
    Storage,

    /// <summary>BigQuery REST API (<c>jobs.query</c>, <c>jobs.getQueryResults</c>).</summary>
    BigQuery,
}
