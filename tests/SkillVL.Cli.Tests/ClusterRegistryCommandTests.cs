namespace SkillVL.Cli.Tests;

/// <summary><c>skillvl cluster add|list|remove</c> and <c>check NAME</c>, against the PVE API simulator.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterRegistryCommandTests : IAsyncLifetime
{
    private const string Secret = "11111111-2222-3333-4444-555555555555";
    private readonly DirectoryInfo home = Directory.CreateTempSubdirectory("skillvl-cluster-home-");
    private ProxmoxSimulator.ProxmoxSimulator simulator = null!;

    private string RegistryPath => Path.Combine(home.FullName, ".config", "skillvl", "clusters.json");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        simulator = await ProxmoxSimulator.ProxmoxSimulator.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        var violations = simulator.Violations;
        await simulator.DisposeAsync();
        home.Delete(recursive: true);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public async Task Add_ThenCheckByName_ThenListWithoutSecret_ThenRemove()
    {
        var add = await Cli(["cluster", "add", "lab", .. Connection(simulator.Fingerprint)]);
        var check = await Cli("cluster", "check", "lab", "--zone", "rooms");
        var list = await Cli("cluster", "list");
        var remove = await Cli("cluster", "remove", "lab");
        var again = await Cli("cluster", "check", "lab");

        Assert.Equal(0, add.ExitCode);
        Assert.Contains("cluster lab added:", add.Stdout, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RegistryPath));
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("ready: nothing required is missing", check.Stdout, StringComparison.Ordinal);
        Assert.Contains("skillvl@pve!lab", list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, list.Stdout + add.Stdout + check.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, remove.ExitCode);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("cluster 'lab' is not registered", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_WrongFingerprint_RegistersNothing()
    {
        var add = await Cli(["cluster", "add", "lab", .. Connection(string.Join(':', Enumerable.Repeat("01", 32)))]);

        Assert.Equal(1, add.ExitCode);
        Assert.Contains("Proxmox cluster 'lab'", add.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not match the pinned fingerprint", add.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(RegistryPath));
    }

    [Fact]
    public async Task Add_BadName_IsAUsageError()
    {
        var add = await Cli(["cluster", "add", "Lab_1", .. Connection(simulator.Fingerprint)]);

        Assert.Equal(2, add.ExitCode);
        Assert.StartsWith("skillvl: NAME:", add.Stderr, StringComparison.Ordinal);
        Assert.Empty(simulator.Requests);
    }

    private string[] Connection(string fingerprint)
    {
        var secretFile = Path.Combine(home.FullName, "pve-token");
        File.WriteAllText(secretFile, Secret + "\n");
        File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return ["--url", simulator.BaseUri.ToString(), "--token-id", "skillvl@pve!lab", "--secret-file", secretFile, "--fingerprint", fingerprint];
    }

    private Task<CliRun> Cli(params string[] args) => new CliHarness { HomeDirectory = home.FullName }.RunAsync(args);
}
