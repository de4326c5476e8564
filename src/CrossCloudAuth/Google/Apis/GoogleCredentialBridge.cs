using Google.Apis.Auth.OAuth2;
using GoogleHttpClientFactory = Google.Apis.Http.IHttpClientFactory;

namespace CrossCloudAuth.Google.Apis;

/// <summary>
/// Turns a <see cref="GoogleFederatedCredential"/>'s configuration into a Google.Apis.Auth <see cref="GoogleCredential"/>,
/// for the few APIs that demand that exact type (for example <c>GoogleCredential.Impersonate</c> or a builder's
/// <c>GoogleCredential</c> property).
/// </summary>
/// <remarks>
/// <para><see cref="GoogleCredential"/> cannot wrap an arbitrary <see cref="ICredential"/> (its constructor is internal),
/// and <see cref="GoogleCredential.FromAccessToken"/> never refreshes. The one public way to get a refreshing
/// <see cref="GoogleCredential"/> from a federated identity is Google.Apis.Auth's
/// <see cref="ProgrammaticExternalAccountCredential"/>; the bridge builds one that takes its subject tokens from this
/// library's source (so AWS role chains, ECS, EKS Pod Identity and executables work there too), while STS,
/// impersonation and caching run inside Google.Apis.Auth: its locked cache, its retries, no
/// <c>token_lifetime_seconds</c> (tokens last the default hour) and no delegates.</para>
/// <para>Prefer <see cref="GoogleApisCredential"/> wherever an <see cref="ICredential"/> is accepted.</para>
/// </remarks>
public static class GoogleCredentialBridge
{
    /// <summary>Builds a <see cref="GoogleCredential"/> that performs the same exchange with Google.Apis.Auth.</summary>
    /// <param name="credential">The credential whose configuration and subject token source to use. Not disposed by the result.</param>
    /// <param name="httpClientFactory">Creates Google.Apis.Auth's HTTP clients; its default when <see langword="null"/>.</param>
    /// <returns>The Google credential, scoped and with the quota project.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="credential"/> is null.</exception>
    /// <exception cref="CredentialConfigurationException">The credential uses delegates, which Google.Apis.Auth's external account credential cannot express.</exception>
    public static GoogleCredential ToGoogleCredential(this GoogleFederatedCredential credential, GoogleHttpClientFactory? httpClientFactory = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        GoogleFederatedCredential.Settings settings = credential.Configuration;
        if (settings.Delegates.Count > 0)
        {
            throw new CredentialConfigurationException("google-apis:bridge", "Google.Apis.Auth's external account credential cannot impersonate through delegates; use GoogleApisCredential instead.");
        }

        ProgrammaticExternalAccountCredential.Initializer initializer = new(
            settings.TokenUrl.AbsoluteUri,
            settings.Audience,
            settings.SubjectTokenSource.SubjectTokenType,
            new SubjectTokenProvider(settings.SubjectTokenSource))
        {
            ServiceAccountImpersonationUrl = settings.ImpersonationUrl?.AbsoluteUri,
            WorkforcePoolUserProject = settings.WorkforcePoolUserProject,
            ClientId = settings.ClientId,
            ClientSecret = settings.ClientSecret,
            UniverseDomain = settings.UniverseDomain,
            QuotaProject = settings.QuotaProjectId,
            Scopes = settings.Scopes,
            Clock = new TimeProviderClock(settings.TimeProvider),
        };
        if (httpClientFactory is not null)
        {
            initializer.HttpClientFactory = httpClientFactory;
        }

        return GoogleCredential.FromProgrammaticExternalAccountCredential(new ProgrammaticExternalAccountCredential(initializer));
    }

    /// <summary>Hands Google.Apis.Auth a fresh subject token from this library's source on each of its refreshes.</summary>
    private sealed class SubjectTokenProvider(ISubjectTokenSource source) : ProgrammaticExternalAccountCredential.ISubjectTokenProvider
    {
        public Task<string> GetSubjectTokenAsync(ProgrammaticExternalAccountCredential caller, CancellationToken taskCancellationToken) =>
            source.GetSubjectTokenAsync(taskCancellationToken).AsTask();
    }
}
