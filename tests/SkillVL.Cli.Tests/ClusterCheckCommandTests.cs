using SkillVL.ProxmoxSimulator;

namespace SkillVL.Cli.Tests;

/// <summary><c>skillvl cluster check</c> against the PVE API simulator over real, pinned TLS.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterCheckCommandTests : IAsyncLifetime
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("skillvl-cluster-check-");
    private ProxmoxSimulator.ProxmoxSimulator simulator = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        simulator = await ProxmoxSimulator.ProxmoxSimulator.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        var violations = simulator.Violations;
        await simulator.DisposeAsync();
        directory.Delete(recursive: true);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public async Task Check_ReadyCluster_ReportsEachItemAndExits0()
    {
        var run = await Run("lab", "skillvl@pve!lab", "11111111-2222-3333-4444-555555555555", simulator.Fingerprint, "--zone", "rooms", "--template", "tiny");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"cluster lab ({simulator.BaseUri})", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok       version", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("VXLAN zone 'rooms'", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("tiny (9000 on pve1)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ready: nothing required is missing", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("11111111", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_TokenWithoutEnoughPrivileges_ListsTheMissingOnesAndExits1()
    {
        simulator.Tokens.Add(new SimulatedToken("skillvl@pve!weak", "weak-secret").Grant("/", "Sys.Audit", "VM.Audit", "Datastore.Audit", "SDN.Audit"));

        var run = await Run("lab", "skillvl@pve!weak", "weak-secret", simulator.Fingerprint);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("MISSING  privileges /vms", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("VM.Clone", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("not ready:", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WrongFingerprint_NamesTheClusterAndBothFingerprints()
    {
        var wrong = string.Join(':', Enumerable.Repeat("0F", 32));

        var run = await Run("lab", "skillvl@pve!lab", "11111111-2222-3333-4444-555555555555", wrong);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("skillvl: Proxmox cluster 'lab': GET /version failed: the TLS certificate", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"pinned {wrong}, presented {simulator.Fingerprint}", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(simulator.Requests);
    }

    [Fact]
    public async Task Check_WrongSecret_Is401AndExits1()
    {
        var run = await Run("lab", "skillvl@pve!lab", "wrong", simulator.Fingerprint);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("answered 401: authentication failure: the API token was refused", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", run.Stderr.Replace("the API token was refused", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_SecretFileReadableByOthers_IsRefusedBeforeConnecting()
    {
        var run = await Run("lab", "skillvl@pve!lab", "11111111-2222-3333-4444-555555555555", simulator.Fingerprint, mode: UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--secret-file:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("chmod 600", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(simulator.Requests);
    }

    [Theory]
    [InlineData("--token-id", "root@pam=automation", "--token-id:")]
    [InlineData("--fingerprint", "AB:CD", "--fingerprint:")]
    [InlineData("--url", "http://127.0.0.1:8006", "--url:")]
    public async Task Check_BadOption_IsAUsageErrorNamingIt(string option, string value, string expected)
    {
        var args = new Dictionary<string, string>
        {
            ["--url"] = simulator.BaseUri.ToString(), ["--token-id"] = "skillvl@pve!lab", ["--fingerprint"] = simulator.Fingerprint,
        };
        args[option] = value;

        var run = await Run("lab", args["--token-id"], "x", args["--fingerprint"], url: args["--url"]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("skillvl: " + expected, run.Stderr, StringComparison.Ordinal);
    }

    private async Task<CliRun> Run(
        string name, string tokenId, string secret, string fingerprint, params string[] extra) =>
        await Run(name, tokenId, secret, fingerprint, UnixFileMode.UserRead | UnixFileMode.UserWrite, null, extra);

    private async Task<CliRun> Run(string name, string tokenId, string secret, string fingerprint, UnixFileMode mode, string? url = null, params string[] extra)
    {
        var secretFile = Path.Combine(directory.FullName, Guid.NewGuid().ToString("N"));
        File.WriteAllText(secretFile, secret + "\n");
        File.SetUnixFileMode(secretFile, mode);
        return await new CliHarness().RunAsync(
        [
            "cluster", "check", name, "--url", url ?? simulator.BaseUri.ToString(), "--token-id", tokenId,
            "--secret-file", secretFile, "--fingerprint", fingerprint, .. extra,
        ]);
    }

    private Task<CliRun> Run(string name, string tokenId, string secret, string fingerprint, string url) =>
        Run(name, tokenId, secret, fingerprint, UnixFileMode.UserRead | UnixFileMode.UserWrite, url);
}
