using System.Reflection;
using CrossCloudAuth.Diagnostics;

namespace CrossCloudAuth.Tests.Diagnostics;

/// <summary>The version constants the build generates (so that no code path reads the version by reflection) are the
/// assembly's own.</summary>
public sealed class LibraryVersionTests
{
    private static readonly Assembly Library = typeof(CrossCloudAuthException).Assembly;

    [Fact]
    public void Informational_IsTheAssemblysInformationalVersion() =>
        Assert.Equal(LibraryVersion.Informational, Library.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    [Fact]
    public void Version_IsTheInformationalVersionWithoutItsSourceRevision() =>
        Assert.Equal(LibraryVersion.Version, LibraryVersion.Informational.Split('+')[0]);

    [Fact]
    public void TelemetrySources_CarryTheInformationalVersion()
    {
        Assert.Equal(LibraryVersion.Informational, Telemetry.Meter.Version);
        Assert.Equal(LibraryVersion.Informational, Telemetry.ActivitySource.Version);
    }
}
