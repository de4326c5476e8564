using System.Text.RegularExpressions;
using CrossCloudAuth.Aws;
using CrossCloudAuth.Google;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.EndToEndTests;

/// <summary>Builds the Google credential of F2/F5 by hand, so a test can skew the signer's clock or tamper with the signature.</summary>
internal static partial class AwsSubjectCredentials
{
    public static async Task<GoogleFederatedCredential> BuildAsync(ExternalAccountConfiguration configuration, ICredentialProvider<AwsCredentials> aws, ISystemEnvironment environment, TimeProvider? signerClock = null, bool tamperSignature = false, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        await Task.CompletedTask;
        ISubjectTokenSource subject = new AwsSubjectTokenSource(aws, new AwsSubjectTokenSourceOptions
        {
            Audience = configuration.Audience,
            Region = "us-east-1",
            RegionalCredentialVerificationUrl = configuration.CredentialSource.RegionalCredentialVerificationUrl,
        }, new CredentialContext { Environment = environment, TimeProvider = signerClock ?? TimeProvider.System });
        if (tamperSignature)
        {
            subject = new TamperedSignature(subject);
        }

        return GoogleFederatedCredential.FromConfiguration(configuration, o =>
        {
            o.SubjectTokenSource = subject;
            o.AllowNonStandardEndpoints = true;
        }, new CredentialContext { Environment = environment, LoggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
    }

    /// <summary>Flips one hex digit of the SigV4 signature inside the serialized <c>aws4_request</c>.</summary>
    private sealed class TamperedSignature(ISubjectTokenSource inner) : ISubjectTokenSource
    {
        public string HopName => inner.HopName;

        public string SubjectTokenType => inner.SubjectTokenType;

        public async ValueTask<string> GetSubjectTokenAsync(CancellationToken cancellationToken = default)
        {
            string token = Uri.UnescapeDataString(await inner.GetSubjectTokenAsync(cancellationToken));
            string tampered = Signature().Replace(token, m => m.Groups[1].Value + (m.Groups[2].Value == "0" ? "1" : "0"), 1);
            Assert.NotEqual(token, tampered);
            return Uri.EscapeDataString(tampered);
        }
    }

    [GeneratedRegex("(Signature=[0-9a-f]{63})([0-9a-f])")]
    private static partial Regex Signature();
}
