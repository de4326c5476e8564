using System.Net;
using System.Net.Sockets;

namespace CrossCloudAuth.Conformance.Infrastructure;

/// <summary>An ephemeral loopback port for a tool that cannot report the port it bound.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
