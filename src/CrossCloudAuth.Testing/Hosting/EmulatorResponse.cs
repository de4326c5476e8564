using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace CrossCloudAuth.Testing.Hosting;

/// <summary>A buffered response, written by the host after fault injection has had its say.</summary>
internal sealed class EmulatorResponse
{
    public EmulatorResponse(HttpStatusCode statusCode, string contentType, byte[] body)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
    }

    public HttpStatusCode StatusCode { get; }

    public string ContentType { get; }

    public byte[] Body { get; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string BodyText => Encoding.UTF8.GetString(Body);

    public static EmulatorResponse Json(HttpStatusCode status, JsonNode body) =>
        new(status, "application/json; charset=utf-8", Encoding.UTF8.GetBytes(body.ToJsonString()));

    public static EmulatorResponse Json(JsonNode body) => Json(HttpStatusCode.OK, body);

    public static EmulatorResponse Xml(HttpStatusCode status, string xml) =>
        new(status, "text/xml", Encoding.UTF8.GetBytes(xml));

    public static EmulatorResponse Text(HttpStatusCode status, string text) =>
        new(status, "text/plain", Encoding.UTF8.GetBytes(text));

    public static EmulatorResponse Bytes(byte[] body, string contentType) => new(HttpStatusCode.OK, contentType, body);

    public static EmulatorResponse NotFound() => Text(HttpStatusCode.NotFound, "Not Found");

    public EmulatorResponse WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }
}
