using SkillVL.Core.Rooms;

namespace SkillVL.Cli.Tests;

/// <summary><c>skillvl room import</c>: runs without a Server (no request is made), the room on stdout, the notes on stderr.</summary>
public sealed class RoomImportCommandTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("skillvl-import-");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public async Task Import_Kypo_PrintsAValidRoom_AndListsWhatIsNotMapped()
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("room", "import", "--from", "kypo", Example("kypo/topology.yml"), "--template", "debian-12=tiny", "--template", "kali=tiny");

        Assert.True(run.ExitCode == 0, run.ToString());
        var room = RoomDocument.Parse(run.Stdout);
        Assert.Empty(room.Errors);
        Assert.Equal(["attacker", "server"], room.Definition!.Machines.Select(m => m.Name));
        Assert.Contains("topology.yml: wan (line 25): not mapped:", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("has no template here", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task Import_ToAFile_WithAName()
    {
        var target = Path.Combine(directory.FullName, "lab.yaml");

        var run = await new CliHarness().RunAsync("room", "import", "--from", "ludus", Example("ludus/range-config.yml"), "--name", "ad-lab", "-o", target);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains("room 'ad-lab' written to", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("ad-lab", RoomDocument.Parse(await File.ReadAllTextAsync(target)).Definition!.Metadata.Name);
    }

    [Fact]
    public async Task Import_FromStdin()
    {
        var run = await new CliHarness { Stdin = "hosts:\n  - name: a\n" }.RunAsync("room", "import", "--from", "kypo", "-", "--name", "x");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("name: x", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadFile_ExitsInvalidInput_NamingPathAndLine_AndWritesNothing()
    {
        var file = Path.Combine(directory.FullName, "bad.clab.yml");
        await File.WriteAllTextAsync(file, "topology:\n  nodes:\n    a: {}\n  links:\n    - endpoints: [\"a:eth1\", \"z:eth1\"]\n");
        var target = Path.Combine(directory.FullName, "out.yaml");

        var run = await new CliHarness().RunAsync("room", "import", "--from", "containerlab", file, "-o", target);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("topology.links[0].endpoints[1]: line 5: no node named 'z' in topology.nodes", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
    }

    [Theory]
    [InlineData("Argument 'gns3' not recognized", "--from", "gns3", "x.yml")]
    [InlineData("cannot read /nonexistent/topology.yml", "--from", "kypo", "/nonexistent/topology.yml")]
    [InlineData("--template 'no-equals-sign': expected IMAGE=TEMPLATE", "--from", "kypo", "x.yml", "--template", "no-equals-sign")]
    public async Task BadArguments_ExitNonZero_WithAMessage(string message, params string[] args)
    {
        var run = await new CliHarness().RunAsync(["room", "import", .. args]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Export_FromStdin_ToKypo_ImportsBack()
    {
        var room = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(Example("x"))!, "..", "routed-lab.yaml"));

        var export = await new CliHarness { Stdin = room }.RunAsync("room", "export", "--to", "kypo", "-f", "-");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("-: networks[0].dhcp: not carried", export.Stderr, StringComparison.Ordinal);
        var back = await new CliHarness { Stdin = export.Stdout }.RunAsync("room", "import", "--from", "kypo", "-", "--name", "routed-lab");
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Contains("- {network: lan, ip: 10.0.1.1}", back.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_OfAnInvalidRoom_ExitsInvalidInput()
    {
        var run = await new CliHarness { Stdin = "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: BAD }\n" }.RunAsync("room", "export", "--to", "containerlab", "-f", "-");

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("metadata.name", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    private static string Example(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SkillVL.slnx")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory!.FullName, "examples", "import", relative);
    }
}
