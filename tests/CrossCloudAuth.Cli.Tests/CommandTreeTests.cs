using System.CommandLine;
using CrossCloudAuth.Testing;

namespace CrossCloudAuth.Cli.Tests;

/// <summary>A process builds only the command it runs (start-up is the cost of a credential plugin); help and typos
/// still get every command.</summary>
public sealed class CommandTreeTests
{
    private static readonly string[] All = ["doctor", "token", "id-token", "eks-token", "emulator"];

    [Theory]
    [InlineData("doctor")]
    [InlineData("token")]
    [InlineData("id-token")]
    [InlineData("eks-token")]
    [InlineData("emulator")]
    public void CreateRootCommand_FirstArgumentNamesACommand_BuildsOnlyThatCommand(string name)
    {
        RootCommand root = CrossCloudCli.CreateRootCommand(Host(), name);

        Assert.Equal([name], root.Subcommands.Select(c => c.Name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("--help")]
    [InlineData("eks-tokn")]
    public void CreateRootCommand_NoCommandNamed_BuildsEveryCommand(string? first)
    {
        RootCommand root = CrossCloudCli.CreateRootCommand(Host(), first);

        Assert.Equal(All, root.Subcommands.Select(c => c.Name));
    }

    private static CliHost Host() => new(new FakeSystemEnvironment(), TextWriter.Null, TextWriter.Null);
}
