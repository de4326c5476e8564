using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Aws;

/// <summary>The two AWS STS operations this library calls.</summary>
internal enum StsOperation
{
    /// <summary><c>AssumeRole</c>, signed with the caller's credentials.</summary>
    AssumeRole,

    /// <summary><c>AssumeRoleWithWebIdentity</c>, unsigned: the web identity token is the proof.</summary>
    AssumeRoleWithWebIdentity,
}

/// <summary>
/// AWS STS's query protocol (API version 2011-06-15), for the two operations this library makes: the form-encoded
/// request body, and the XML answers, read with <see cref="XmlReader"/> (no DTD, no external entities) into
/// <see cref="StsCredentialsResult"/> or <see cref="AwsStsServiceException"/>.
/// </summary>
/// <remarks>Nothing read from a response is put into an exception except the error document's <c>Code</c>,
/// <c>Type</c> and <c>Message</c>, which the caller quotes bounded and redacted; a body that is not STS XML becomes
/// <see cref="StsMalformedResponseException"/>, whose text is constant (an <see cref="XmlException"/> quotes the
/// characters it choked on, which may be a credential).</remarks>
internal static class StsQueryProtocol
{
    /// <summary>The API version every request names.</summary>
    public const string ApiVersion = "2011-06-15";

    /// <summary>The media type of a request body.</summary>
    public const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    /// <summary>The deepest nesting read; an STS answer has four levels.</summary>
    private const int MaxDepth = 16;

    /// <summary>Builds the form body: <c>Action</c>, <c>Version</c>, then the parameters in order, every name and value
    /// percent-encoded as RFC 3986 unreserved characters (as the AWS SDKs send it).</summary>
    public static byte[] FormBody(StsOperation operation, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        StringBuilder form = new(128 + (parameters.Count * 48));
        form.Append("Action=").Append(operation.ToString()).Append("&Version=").Append(ApiVersion);
        foreach (KeyValuePair<string, string> parameter in parameters)
        {
            form.Append('&').Append(Uri.EscapeDataString(parameter.Key)).Append('=').Append(Uri.EscapeDataString(parameter.Value));
        }

        return Encoding.UTF8.GetBytes(form.ToString());
    }

    /// <summary>Reads a successful answer: the credentials, the assumed role's ARN and (for web identity) the token's
    /// subject.</summary>
    /// <exception cref="StsMalformedResponseException">The body is not the operation's STS answer, or lacks the
    /// credentials or their expiry.</exception>
    public static StsCredentialsResult ParseCredentials(StsOperation operation, ReadOnlySpan<byte> body)
    {
        string? accessKeyId = null, secretAccessKey = null, sessionToken = null, expiration = null, assumedRoleArn = null, subject = null;
        string expectedRoot = operation + "Response";
        bool rootSeen = false;
        Read(body, (path, name, value) =>
        {
            if (path.Count == 0)
            {
                rootSeen = name == expectedRoot;
                return;
            }

            string parent = path[^1];
            switch (parent, name)
            {
                case ("Credentials", "AccessKeyId"): accessKeyId = value; break;
                case ("Credentials", "SecretAccessKey"): secretAccessKey = value; break;
                case ("Credentials", "SessionToken"): sessionToken = value; break;
                case ("Credentials", "Expiration"): expiration = value; break;
                case ("AssumedRoleUser", "Arn"): assumedRoleArn = value; break;
                case (_, "SubjectFromWebIdentityToken"): subject = value; break;
            }
        });

        if (!rootSeen)
        {
            throw new StsMalformedResponseException($"the document is not an {expectedRoot}");
        }

        if (string.IsNullOrEmpty(accessKeyId) || string.IsNullOrEmpty(secretAccessKey) || string.IsNullOrEmpty(sessionToken))
        {
            throw new StsMalformedResponseException("it has no credentials");
        }

        if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset expiresOn))
        {
            throw new StsMalformedResponseException("the credentials' Expiration is missing or not a date");
        }

        return new StsCredentialsResult(new AwsCredentials(accessKeyId, secretAccessKey, sessionToken, expiresOn), NullIfEmpty(assumedRoleArn), NullIfEmpty(subject));
    }

    /// <summary>Reads an error answer. A body that is not an STS error document (a proxy's page, an empty body) gives
    /// an exception without a code, whose message quotes nothing of the body.</summary>
    public static AwsStsServiceException ParseError(HttpStatusCode status, ReadOnlySpan<byte> body)
    {
        string? code = null, type = null, message = null;
        try
        {
            Read(body, (path, name, value) =>
            {
                if (path.Count > 0 && path[^1] == "Error")
                {
                    switch (name)
                    {
                        case "Code": code = value; break;
                        case "Type": type = value; break;
                        case "Message": message = value; break;
                    }
                }
            });
        }
        catch (StsMalformedResponseException)
        {
            return new AwsStsServiceException(status, null, null, null);
        }

        // An error code is an identifier such as AccessDenied; anything else is not STS talking.
        code = code?.Trim();
        if (string.IsNullOrEmpty(code) || code.Length > 64 || !code.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':'))
        {
            return new AwsStsServiceException(status, null, null, null);
        }

        type = type?.Trim();
        return new AwsStsServiceException(status, code, type is "Sender" or "Receiver" ? type : null, string.IsNullOrWhiteSpace(message) ? null : message);
    }

    /// <summary>Walks the document and reports every element at its end tag: the local names of its ancestors (empty
    /// for the root), its local name, and its text (<see langword="null"/> for an element with children). Local names:
    /// STS answers in its namespace, emulators sometimes in none.</summary>
    private static void Read(ReadOnlySpan<byte> body, Action<List<string>, string, string?> onElement)
    {
        XmlReaderSettings settings = new()
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            IgnoreProcessingInstructions = true,
            MaxCharactersInDocument = body.Length + 1L,
        };

        List<string> path = [];
        string? text = null;
        try
        {
            using MemoryStream stream = new(body.ToArray(), writable: false);
            using XmlReader reader = XmlReader.Create(stream, settings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element when reader.IsEmptyElement:
                        onElement(path, reader.LocalName, string.Empty);
                        break;
                    case XmlNodeType.Element:
                        if (path.Count == MaxDepth)
                        {
                            throw new StsMalformedResponseException("it is nested deeper than any STS answer");
                        }

                        path.Add(reader.LocalName);
                        text = string.Empty;
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA:
                        text = reader.Value;
                        break;
                    case XmlNodeType.EndElement:
                        string name = path[^1];
                        path.RemoveAt(path.Count - 1);
                        onElement(path, name, text);
                        text = null;
                        break;
                }
            }
        }
        catch (XmlException)
        {
            // XmlException quotes the characters it stopped at: none of them may reach a message.
            throw new StsMalformedResponseException("it is not well-formed XML");
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>What a successful STS call returned.</summary>
/// <param name="Credentials">The role's temporary credentials.</param>
/// <param name="AssumedRoleArn">The assumed role session's ARN (<c>AssumedRoleUser/Arn</c>), if given.</param>
/// <param name="Subject">For web identity: the token's subject as STS read it, if given.</param>
internal sealed record StsCredentialsResult(AwsCredentials Credentials, string? AssumedRoleArn, string? Subject)
{
    /// <summary>Describes the result without the credentials' secrets.</summary>
    public override string ToString() => $"StsCredentialsResult {{ Credentials = {Credentials}, AssumedRoleArn = {AssumedRoleArn} }}";
}

/// <summary>STS answered with an error: its HTTP status and, when the body was an STS error document, its
/// <c>Code</c>, <c>Type</c> (<c>Sender</c> or <c>Receiver</c>) and <c>Message</c>, the latter bounded, on one line and
/// with anything token-shaped redacted (<see cref="ServiceErrorText"/>). Mapped to the library's exceptions by
/// <see cref="StsErrors"/>.</summary>
internal sealed class AwsStsServiceException(HttpStatusCode statusCode, string? errorCode, string? errorType, string? serviceMessage)
    : Exception(errorCode is null
        ? $"STS answered HTTP {(int)statusCode} without an STS error document."
        : ServiceErrorText.Quote(serviceMessage ?? errorCode))
{
    /// <summary>Gets the HTTP status.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>Gets STS's error code, or <see langword="null"/> when the body was not an STS error document.</summary>
    public string? ErrorCode { get; } = errorCode;

    /// <summary>Gets <c>Sender</c> (the request is at fault) or <c>Receiver</c> (STS is), if STS said.</summary>
    public string? ErrorType { get; } = errorType;

    /// <summary>Gets a value indicating whether STS described the error (then <see cref="Exception.Message"/> quotes it).</summary>
    public bool HasServiceMessage { get; } = serviceMessage is not null;
}

/// <summary>A 2xx answer that is not the STS document expected. The message says what is wrong with it and quotes
/// none of it.</summary>
internal sealed class StsMalformedResponseException(string problem) : Exception($"The response is not valid STS XML: {problem}.")
{
    /// <summary>Gets what is wrong with the response, in words of this library (never its content).</summary>
    public string Problem { get; } = problem;
}
