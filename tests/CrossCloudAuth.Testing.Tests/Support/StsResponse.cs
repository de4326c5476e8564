using System.Net;
using System.Xml.Linq;

namespace CrossCloudAuth.Testing.Tests.Support;

/// <summary>An STS XML answer, read the way an SDK reads it.</summary>
internal sealed record StsResponse(HttpStatusCode Status, XElement Xml)
{
    public string? this[string name] => Xml.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    public string? ErrorCode => this["Code"];

    public string? ErrorMessage => this["Message"];

    public static async Task<StsResponse> ReadAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        return new StsResponse(response.StatusCode, XElement.Parse(body));
    }

    public void AssertError(HttpStatusCode status, string code)
    {
        Assert.True(Xml.Name.LocalName == "ErrorResponse", $"Expected an ErrorResponse, got {Xml}");
        Assert.Equal("https://sts.amazonaws.com/doc/2011-06-15/", Xml.Name.NamespaceName);
        Assert.Equal(code, ErrorCode);
        Assert.Equal(status, Status);
    }
}
