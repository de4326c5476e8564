using System.Reflection;
using System.Runtime.CompilerServices;

using ArchUnitNET.Fluent;
using ArchUnitNET.Fluent.Syntax.Elements.Types;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using ArchModel = ArchUnitNET.Domain.Architecture;

namespace CrossCloudAuth.Tests.Architecture;

/// <summary>
/// The library's namespaces form one stack: each may use the ones below it and none above, so a newcomer can read it
/// bottom-up and no change can tie two concepts into a knot. The order, lowest first, is the one docs/architecture.md
/// describes.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Assembly s_library = typeof(AuthToken).Assembly;

    private static readonly string[] s_layers =
    [
        "CrossCloudAuth",                              // tokens, credentials, the provider contracts, the exceptions
        "CrossCloudAuth.Platform",                     // variables and files: the one seam to the process
        "CrossCloudAuth.Diagnostics",                  // telemetry names, redaction of service text
        "CrossCloudAuth.Http",                         // one HTTP hop: deadline, body cap, retries
        "CrossCloudAuth.Caching",                      // the refresh-ahead cache
        "CrossCloudAuth.Aws",                          // AWS credential sources, role chains, EKS tokens
        "CrossCloudAuth.Google",                       // Google STS, impersonation, subject tokens (aws4_request included)
        "CrossCloudAuth.Google.Apis",                  // the Google.Apis.Auth adapter
        "CrossCloudAuth.DependencyInjection",          // options, validation, registries, health
        "Microsoft.Extensions.DependencyInjection",    // the AddXxx extension methods
    ];

    private static readonly Lazy<ArchModel> s_architecture = new(() => new ArchLoader().LoadAssemblies(s_library).Build());

    public static TheoryData<string> Layers => new(s_layers);

    [Theory]
    [MemberData(nameof(Layers))]
    public void Layer_UsesOnlyLayersBelowIt(string layer)
    {
        string[] above = s_layers[(Array.IndexOf(s_layers, layer) + 1)..];
        if (above.Length == 0)
        {
            return;
        }

        IArchRule rule = Types().That().ResideInNamespace(layer)
            .Should().NotDependOnAny(InNamespaces(above))
            .Because($"{layer} sits below {string.Join(", ", above)}");
        rule.Check(s_architecture.Value);
    }

    [Fact]
    public void Library_HasNoNamespaceOutsideTheLayers()
    {
        string[] unplaced = s_library.GetTypes()
            .Where(t => t.Namespace is not null && t.GetCustomAttribute<CompilerGeneratedAttribute>() is null && !t.Namespace.StartsWith("System.", StringComparison.Ordinal))
            .Select(t => t.Namespace!)
            .Distinct(StringComparer.Ordinal)
            .Where(n => !s_layers.Contains(n, StringComparer.Ordinal) && !n.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.True(unplaced.Length == 0, $"Namespaces with no place in the layering (add them to LayeringTests and docs/architecture.md): {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void Rule_CatchesAnUpwardDependency()
    {
        // The rule itself can fail: Google's subject-token source uses the AWS layer, so AWS may not depend on Google.
        IArchRule upward = Types().That().ResideInNamespace("CrossCloudAuth.Google").Should().NotDependOnAny(InNamespaces(["CrossCloudAuth.Aws"]));
        Assert.False(upward.HasNoViolations(s_architecture.Value));
    }

    private static GivenTypesConjunction InNamespaces(string[] namespaces)
    {
        GivenTypesConjunction types = Types().That().ResideInNamespace(namespaces[0]);
        foreach (string name in namespaces.Skip(1))
        {
            types = types.Or().ResideInNamespace(name);
        }

        return types;
    }
}
