
namespace CrossCloudAuth.Google;

/// <summary>Builds the subject token source a configuration's <c>credential_source</c> describes.</summary>
internal static partial class ExternalAccountSubjectTokenSources
{
    public static ISubjectTokenSource Create(ExternalAccountConfiguration configuration, SourceContext context, string hop, out IDisposable? owned)
    {
        owned = null;
        ExternalAccountCredentialSource source = configuration.CredentialSource;
        switch (source.Kind)
        {
            case CredentialSourceKind.File:
                return new FileSubjectTokenSource(source.File!, configuration.SubjectTokenType, context.Environment, source.Format);
            case CredentialSourceKind.Url:
                GoogleEndpointPolicy.ValidateSubjectTokenUrl(source.Url!, context.AllowNonStandardEndpoints, "credential_source.url", hop);
                return new UrlSubjectTokenSource(context.HttpClient, source.Url!, configuration.SubjectTokenType, source.Headers, source.Format, context.TimeProvider, context.RequestTimeout);
            case CredentialSourceKind.Executable:
                return new ExecutableSubjectTokenSource(new ExecutableSubjectTokenSourceOptions
                {
                    Command = source.ExecutableCommand!,
                    Timeout = source.ExecutableTimeout,
                    OutputFile = source.ExecutableOutputFile,
                    Audience = configuration.Audience,
                    SubjectTokenType = configuration.SubjectTokenType,
                    ImpersonatedServiceAccountEmail = context.ServiceAccountEmail,
                    Environment = context.Environment,
                    TimeProvider = context.TimeProvider,
                });
            case CredentialSourceKind.Aws:
                return CreateAws(configuration, context, hop, out owned);
            default:
                throw new CredentialConfigurationException(hop, $"The credential source {source.Kind} is not supported.");
        }
    }
}
