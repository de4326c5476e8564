using System.Net;
using CrossCloudAuth.Testing.Faults;

namespace CrossCloudAuth.EndToEndTests.FaultMatrix;

/// <summary>A server fault of the matrix: the emulator fault, how many calls it hits (null: all), and whether a
/// held request must be timed out by moving the clock past the hop's deadline.</summary>
internal sealed record MatrixFault(string Id, Fault Fault, int? Times = null, bool HoldsRequest = false, bool RewritesExpiry = false)
{
    public static readonly IReadOnlyDictionary<string, MatrixFault> All = new[]
    {
        new MatrixFault("500", Fault.Status(HttpStatusCode.InternalServerError)),
        new MatrixFault("503-once", Fault.Status(HttpStatusCode.ServiceUnavailable), Times: 1),
        new MatrixFault("503", Fault.Status(HttpStatusCode.ServiceUnavailable)),
        new MatrixFault("429-retry-after", Fault.Status(HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(1))),
        new MatrixFault("hang", Fault.Hang(TimeSpan.FromSeconds(60)), HoldsRequest: true),
        new MatrixFault("reset", Fault.ResetConnection()),
        new MatrixFault("reset-once", Fault.ResetConnection(), Times: 1),
        new MatrixFault("malformed", Fault.MalformedBody()),
        new MatrixFault("truncated", Fault.TruncatedBody()),
        new MatrixFault("10mb", Fault.OversizedBody(10 * 1024 * 1024)),
        new MatrixFault("endless", Fault.EndlessBody()),
        new MatrixFault("wrong-content-type", Fault.WrongContentType()),
        new MatrixFault("expired", Fault.ExpiredToken(), RewritesExpiry: true),
        new MatrixFault("missing-expiry", Fault.MissingExpiry(), RewritesExpiry: true),
        new MatrixFault("negative-lifetime", Fault.TokenLifetime(TimeSpan.FromHours(-1)), RewritesExpiry: true),
        new MatrixFault("huge-lifetime", Fault.TokenLifetime(TimeSpan.MaxValue), RewritesExpiry: true),
    }.ToDictionary(f => f.Id);
}
