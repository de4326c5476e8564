using System.Globalization;
using System.Net;
using System.Xml.Linq;
using CrossCloudAuth.Testing.Aws.Iam;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Aws.Sts;

/// <summary>Writes STS Query-protocol XML responses and <c>&lt;ErrorResponse&gt;</c> errors.</summary>
internal static class StsXml
{
    public static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

    public static EmulatorResponse Result(string action, params object[] resultContent)
    {
        var document = new XElement(Ns + (action + "Response"),
            new XElement(Ns + (action + "Result"), resultContent),
            new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", AwsIds.RequestId())));
        return EmulatorResponse.Xml(HttpStatusCode.OK, document.ToString(SaveOptions.DisableFormatting));
    }

    public static EmulatorResponse Error(StsError error)
    {
        var document = new XElement(Ns + "ErrorResponse",
            new XElement(Ns + "Error",
                new XElement(Ns + "Type", error.Type),
                new XElement(Ns + "Code", error.Code),
                new XElement(Ns + "Message", error.Message)),
            new XElement(Ns + "RequestId", AwsIds.RequestId()));
        return EmulatorResponse.Xml(error.Status, document.ToString(SaveOptions.DisableFormatting))
            .WithHeader(EmulatorHost.ErrorCodeHeader, error.Code);
    }

    public static XElement Element(string name, object? content) => new(Ns + name, content);

    public static XElement Credentials(AwsKey key) => new(Ns + "Credentials",
        Element("AccessKeyId", key.AccessKeyId),
        Element("SecretAccessKey", key.SecretAccessKey),
        Element("SessionToken", key.SessionToken),
        Element("Expiration", FormatTime(key.Expiration!.Value)));

    public static XElement AssumedRoleUser(AwsKey key) => new(Ns + "AssumedRoleUser",
        Element("AssumedRoleId", key.UserId),
        Element("Arn", key.CallerArn));

    public static string FormatTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads <c>Code</c> and <c>Message</c> from an error response, or the <c>Arn</c> of a caller-identity result.</summary>
    public static (string? Arn, string? Account, string? UserId, string? Code, string? Message) Parse(string xml)
    {
        try
        {
            XElement root = XElement.Parse(xml);
            string? Find(string name) => root.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            return (Find("Arn"), Find("Account"), Find("UserId"), Find("Code"), Find("Message"));
        }
        catch (System.Xml.XmlException)
        {
            return (null, null, null, "MalformedResponse", "The AWS response is not XML.");
        }
    }
}
