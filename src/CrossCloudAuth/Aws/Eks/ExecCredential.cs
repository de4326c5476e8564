using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CrossCloudAuth.Platform;

namespace CrossCloudAuth.Aws;

/// <summary>
/// A Kubernetes client-go <c>ExecCredential</c>: what an exec credential plugin (the <c>exec</c> section of a
/// kubeconfig) prints on standard output, here carrying an EKS bearer token from <see cref="EksTokenSource"/>.
/// It answers in the API version kubectl asked for through <c>KUBERNETES_EXEC_INFO</c>
/// (<c>client.authentication.k8s.io/v1</c> or <c>v1beta1</c>), with <c>status.expirationTimestamp</c> in RFC 3339.
/// </summary>
/// <remarks>Instances are immutable and thread-safe. <see cref="ToString"/> never shows the token; only
/// <see cref="ToJson"/> writes it, because that output is the credential kubectl asked for.</remarks>
public sealed class ExecCredential
{
    /// <summary>The <c>client.authentication.k8s.io/v1</c> API version (kubectl 1.24 and later).</summary>
    public const string ApiVersionV1 = "client.authentication.k8s.io/v1";

    /// <summary>The <c>client.authentication.k8s.io/v1beta1</c> API version (what <c>aws eks get-token</c> answers).</summary>
    public const string ApiVersionV1Beta1 = "client.authentication.k8s.io/v1beta1";

    /// <summary>The environment variable through which kubectl passes an <c>ExecCredential</c> request to the plugin.</summary>
    public const string ExecInfoVariable = "KUBERNETES_EXEC_INFO";

    private const int MaxExecInfoLength = 64 * 1024;

    private readonly AuthToken _token;

    /// <summary>Initializes a new instance of the <see cref="ExecCredential"/> class.</summary>
    /// <param name="token">The bearer token and its expiry (an EKS token from <see cref="EksTokenSource"/>).</param>
    /// <param name="apiVersion"><see cref="ApiVersionV1"/> or <see cref="ApiVersionV1Beta1"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is <see langword="null"/>.</exception>
    /// <exception cref="CredentialConfigurationException"><paramref name="apiVersion"/> is not a version this type speaks.</exception>
    public ExecCredential(AuthToken token, string apiVersion = ApiVersionV1Beta1)
    {
        ArgumentNullException.ThrowIfNull(token);
        _token = token;
        ApiVersion = apiVersion is ApiVersionV1 or ApiVersionV1Beta1
            ? apiVersion
            : throw new CredentialConfigurationException(Hop, $"kubectl asked for the ExecCredential API version '{Shorten(apiVersion)}', but this plugin answers only {ApiVersionV1} and {ApiVersionV1Beta1}. Set the kubeconfig's exec apiVersion to one of them.");
    }

    /// <summary>Gets the API version of the answer.</summary>
    public string ApiVersion { get; }

    /// <summary>Gets the instant the token stops being accepted (<c>status.expirationTimestamp</c>).</summary>
    public DateTimeOffset ExpirationTimestamp => _token.ExpiresOn;

    private static string Hop => "kubernetes:exec-credential";

    /// <summary>Returns the API version kubectl asked for in a <c>KUBERNETES_EXEC_INFO</c> value, or
    /// <see cref="ApiVersionV1Beta1"/> when there is none (kubectl before 1.20, or a caller that is not kubectl).</summary>
    /// <param name="execInfo">The variable's value, an <c>ExecCredential</c> JSON object; <see langword="null"/> or empty when unset.</param>
    /// <returns><see cref="ApiVersionV1"/> or <see cref="ApiVersionV1Beta1"/>.</returns>
    /// <exception cref="CredentialConfigurationException">The value is not an <c>ExecCredential</c> object, or asks for a
    /// version this type does not speak.</exception>
    public static string NegotiateApiVersion(string? execInfo)
    {
        if (string.IsNullOrWhiteSpace(execInfo))
        {
            return ApiVersionV1Beta1;
        }

        if (execInfo.Length > MaxExecInfoLength)
        {
            throw new CredentialConfigurationException(Hop, $"{ExecInfoVariable} is {execInfo.Length} characters long, more than the {MaxExecInfoLength} an ExecCredential request takes. Unset it, or run the plugin from kubectl.");
        }

        // Read with JsonDocument rather than a serializer contract: two strings are all the answer depends on, and a
        // credential plugin starts once per token, so building serializer metadata would be most of this call's cost.
        string? kind;
        string? apiVersion;
        try
        {
            using JsonDocument request = JsonDocument.Parse(execInfo);
            kind = StringProperty(request.RootElement, "kind");
            apiVersion = StringProperty(request.RootElement, "apiVersion");
        }
        catch (JsonException e)
        {
            throw new CredentialConfigurationException(Hop, $"{ExecInfoVariable} is not JSON ({e.Message}). kubectl sets it to an ExecCredential object; unset it when running the plugin by hand.", e);
        }

        if (kind != "ExecCredential" || string.IsNullOrEmpty(apiVersion))
        {
            throw new CredentialConfigurationException(Hop, $"{ExecInfoVariable} is not an ExecCredential object with an apiVersion. kubectl sets it; unset it when running the plugin by hand.");
        }

        return apiVersion is ApiVersionV1 or ApiVersionV1Beta1
            ? apiVersion
            : throw new CredentialConfigurationException(Hop, $"kubectl asked for the ExecCredential API version '{Shorten(apiVersion)}' ({ExecInfoVariable}), but this plugin answers only {ApiVersionV1} and {ApiVersionV1Beta1}. Set the kubeconfig's exec apiVersion to one of them.");
    }

    /// <summary>Creates the answer to the request in the environment's <c>KUBERNETES_EXEC_INFO</c>.</summary>
    /// <param name="token">The bearer token and its expiry.</param>
    /// <param name="context">Its environment is where <c>KUBERNETES_EXEC_INFO</c> is read; <see cref="CredentialContext.Default"/> (the process's) when <see langword="null"/>.</param>
    /// <returns>The credential, in the API version kubectl asked for.</returns>
    /// <exception cref="CredentialConfigurationException">See <see cref="NegotiateApiVersion"/>.</exception>
    public static ExecCredential ForRequest(AuthToken token, CredentialContext? context = null) =>
        new(token, NegotiateApiVersion((context ?? CredentialContext.Default).Environment.GetEnvironmentVariable(ExecInfoVariable)));

    /// <summary>Writes the credential as kubectl reads it: <c>apiVersion</c>, <c>kind</c>, an empty <c>spec</c>, and
    /// <c>status.token</c> with <c>status.expirationTimestamp</c> (RFC 3339, UTC, whole seconds).</summary>
    /// <returns>The JSON document, indented, which contains the token.</returns>
    public string ToJson()
    {
        // Written field by field (escaped by Utf8JsonWriter), for the same reason the request is read with JsonDocument.
        ArrayBufferWriter<byte> buffer = new(1024 + (_token.Token.Length * 2));
        using (Utf8JsonWriter json = new(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("kind", "ExecCredential");
            json.WriteString("apiVersion", ApiVersion);
            json.WriteStartObject("spec");
            json.WriteEndObject();
            json.WriteStartObject("status");
            json.WriteString("expirationTimestamp", _token.ExpiresOn.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteString("token", _token.Token);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Describes the credential without its token.</summary>
    /// <returns>The API version and the expiry.</returns>
    public override string ToString() =>
        $"ExecCredential {ApiVersion}, expires {_token.ExpiresOn.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}";

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string Shorten(string? value) => value is null ? "(none)" : value.Length > 80 ? value[..80] + "…" : value;
}
