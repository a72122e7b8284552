using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>
/// One simulator per test, and a client pinned to its certificate. Disposing checks the schema ledger: a test whose
/// requests the official schema does not allow fails here even if it expected an error for another reason.
/// </summary>
internal sealed class SimulatorFixture : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private SimulatorFixture(ProxmoxSimulator.ProxmoxSimulator simulator) => Simulator = simulator;

    public ProxmoxSimulator.ProxmoxSimulator Simulator { get; }

    public List<ProxmoxRequest> Sent { get; } = [];

    public bool ExpectViolations { get; set; }

    public static async Task<SimulatorFixture> StartAsync()
    {
        using var timeout = new CancellationTokenSource(Bound);
        return new SimulatorFixture(await ProxmoxSimulator.ProxmoxSimulator.StartAsync(timeout.Token));
    }

    public ProxmoxCluster Cluster(string tokenId = "skillvl@pve!lab", string secret = "11111111-2222-3333-4444-555555555555", string? fingerprint = null) =>
        new("lab", Simulator.BaseUri, ApiToken.Create(tokenId, secret), CertificatePin.Parse(fingerprint ?? Simulator.Fingerprint));

    public ProxmoxClient Client(ProxmoxCluster? cluster = null) =>
        new(new ProxmoxHttp(cluster ?? Cluster(), observer: r => { lock (Sent) { Sent.Add(r); } })) { Tasks = { PollInterval = TimeSpan.FromMilliseconds(50) } };

    public async ValueTask DisposeAsync()
    {
        var violations = Simulator.Violations;
        await Simulator.DisposeAsync();
        if (!ExpectViolations)
        {
            Assert.True(violations.Count == 0, "requests the PVE 9.1 schema does not allow:\n" + string.Join('\n', violations));
        }
    }
}
