using System.Text.Json;
using SkillVL.Drivers.Proxmox.Api;
using SkillVL.ProxmoxSimulator;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>PVE's captured error answers become one <see cref="ProxmoxException"/> naming cluster, request and PVE's words.</summary>
public sealed class ErrorFixtureTests
{
    private static ProxmoxClient Replay(string fixture) =>
        new(new ProxmoxHttp(
            new ProxmoxCluster("lab", new Uri("https://pve.invalid:8006"), ApiToken.Create("skillvl@pve!lab", "s"), CertificatePin.Parse(new string('0', 64))),
            handler: new FixtureReplayHandler(fixture)));

    [Fact]
    public async Task LockTimeout_ReasonPhraseOnly_IsTransientAndQuotesPve()
    {
        using var client = Replay("real-error-lock-timeout.http");

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.StartAsync("pve1", 203, CancellationToken.None));

        Assert.True(e.IsTransient);
        Assert.Equal(500, e.StatusCode);
        Assert.Equal("Proxmox cluster 'lab': POST /nodes/pve1/qemu/203/status/start answered 500: can't lock file '/var/lock/qemu-server/lock-203.conf' - got timeout", e.Message);
    }

    [Fact]
    public async Task NextIdTaken_ParameterErrors_AreNamedAndNotTransient()
    {
        using var client = Replay("real-error-nextid-vmid-exists.http");

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.NextIdAsync(218, CancellationToken.None));

        Assert.False(e.IsTransient);
        Assert.Equal("VM 218 already exists", e.Errors["vmid"]);
        Assert.Contains("Parameter verification failed. (vmid: VM 218 already exists)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingParameter_NamesTheParameter()
    {
        using var client = Replay("real-error-param-missing.http");

        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.Qemu.AgentExecStatusAsync("pve", 102, 2688, CancellationToken.None));

        Assert.Equal("property is missing and it is not optional", e.Errors["pid"]);
    }

    [Fact]
    public void ExecStatus_CapturedShape_IsRead()
    {
        // fixtures/real-agent-exec-status-pvesh.txt gives the JSON equivalent of the captured pvesh table.
        using var document = JsonDocument.Parse("""{"exitcode":0,"exited":1,"out-data":"/dev/sdb\n"}""");
        Assert.Equal("/dev/sdb\n", PveJson.String(document.RootElement, "out-data"));
        Assert.True(PveJson.Bool(document.RootElement, "exited"));
        Assert.Equal(0, PveJson.Long(document.RootElement, "exitcode"));
        Assert.Contains("out-data", File.ReadAllText(ResearchFiles.Fixture("real-agent-exec-status-pvesh.txt")), StringComparison.Ordinal);
    }
}
