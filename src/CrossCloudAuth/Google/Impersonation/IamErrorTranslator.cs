using System.Net;
using System.Text.Json;
using CrossCloudAuth.Http;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Google;

/// <summary>Turns an IAM Credentials error into an exception that names the hop, quotes Google and names the
/// binding or setting to fix.</summary>
internal static class IamErrorTranslator
{
    public static CredentialRequestFailedException Translate(string hop, HopResponse response, ImpersonationContext context, string permission)
    {
        GoogleApiError? error = null;
        try
        {
            error = JsonSerializer.Deserialize(response.Body, IamJsonContext.Default.GoogleApiErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            // Not a Google API error body: described by status alone.
        }

        bool transient = HopHttp.IsTransient(response.StatusCode);
        string status = string.IsNullOrWhiteSpace(error?.Status) ? StatusFor(response.StatusCode) : ServiceErrorText.Quote(error.Status);
        string quoted = error?.Message is null ? string.Empty : $": \"{ServiceErrorText.Quote(error.Message)}\"";
        string fix = status switch
        {
            "PERMISSION_DENIED" => PermissionDeniedFix(context, permission),
            "NOT_FOUND" => $"The service account {context.ServiceAccount} does not exist (or was deleted): check the email in service_account_impersonation_url.",
            "INVALID_ARGUMENT" => "A request field was rejected: a lifetime over 3600 s needs the organization policy constraint iam.allowServiceAccountCredentialLifetimeExtension for this service account, scopes must be full URLs such as https://www.googleapis.com/auth/cloud-platform, and delegates must be projects/-/serviceAccounts/EMAIL.",
            "UNAUTHENTICATED" => "The federated token from Google STS was not accepted: it may have expired, or it lacks the cloud-platform scope that impersonation needs.",
            "FAILED_PRECONDITION" => $"The service account {context.ServiceAccount} may be disabled: check it with 'gcloud iam service-accounts describe'.",
            _ when transient => "IAM Credentials is throttling or unavailable; the request will be retried.",
            _ => "Check the service account and the impersonation settings.",
        };

        return new CredentialRequestFailedException(
            hop,
            $"IAM Credentials refused to mint a token for {context.ServiceAccount}: {status} (HTTP {(int)response.StatusCode}){quoted}. {fix}",
            response.StatusCode,
            status,
            transient);
    }

    private static string PermissionDeniedFix(ImpersonationContext context, string permission)
    {
        string? pool = WorkloadIdentityAudience.PoolMemberPath(context.Audience);
        string member = pool is null
            ? "the principal or principalSet of your workload identity pool"
            : context.SubjectTokenType == SubjectTokenTypes.Aws4Request
                ? $"principalSet://{pool}/attribute.aws_role/arn:aws:sts::AWS_ACCOUNT_ID:assumed-role/ROLE_NAME"
                : $"principal://{pool}/subject/SUBJECT (for an EKS projected token the subject is system:serviceaccount:NAMESPACE:NAME), or principalSet://{pool}/attribute.ATTRIBUTE/VALUE";
        return $"The federated identity lacks {permission} on the service account. Grant it roles/iam.workloadIdentityUser on the service account itself (not the project), for the member mapped from your token: " +
            $"gcloud iam service-accounts add-iam-policy-binding {context.ServiceAccount} --role=roles/iam.workloadIdentityUser --member=\"{member}\". " +
            "The member must match the provider's attribute mapping (google.subject, attribute.aws_role), and new bindings take up to about 5 minutes to apply. Google also answers this way when the service account does not exist.";
    }

    private static string StatusFor(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => "INVALID_ARGUMENT",
        HttpStatusCode.Unauthorized => "UNAUTHENTICATED",
        HttpStatusCode.Forbidden => "PERMISSION_DENIED",
        HttpStatusCode.NotFound => "NOT_FOUND",
        HttpStatusCode.TooManyRequests => "RESOURCE_EXHAUSTED",
        _ => $"HTTP_{(int)status}",
    };
}

/// <summary>What an impersonation error message needs to name the binding to fix.</summary>
internal sealed record ImpersonationContext(string ServiceAccount, string Audience, string SubjectTokenType);
