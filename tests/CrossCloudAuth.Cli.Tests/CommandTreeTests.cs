using System.CommandLine;
using System.CommandLine.Help;
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
        Command root = CrossCloudCli.CreateRootCommand(Host(), [name, "--cluster", "c"]);

        Assert.Equal([name], root.Subcommands.Select(c => c.Name));
        Assert.DoesNotContain(root.Options, o => o is HelpOption or VersionOption);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    [InlineData("--version")]
    public void CreateRootCommand_OneCommandWithHelpOrVersion_HasTheRootsHelpAndVersion(string token)
    {
        Command root = CrossCloudCli.CreateRootCommand(Host(), ["eks-token", token]);

        Assert.IsType<RootCommand>(root);
        Assert.Equal(["eks-token"], root.Subcommands.Select(c => c.Name));
        Assert.Contains(root.Options, o => o is HelpOption);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("--help")]
    [InlineData("eks-tokn")]
    public void CreateRootCommand_NoCommandNamed_BuildsEveryCommand(string? first)
    {
        Command root = CrossCloudCli.CreateRootCommand(Host(), first is null ? [] : [first]);

        Assert.Equal(All, root.Subcommands.Select(c => c.Name));
    }

    private static CliHost Host() => new(new FakeSystemEnvironment(), TextWriter.Null, TextWriter.Null);
}
