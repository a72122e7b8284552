using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Ceph;

/// <summary>One real Ceph cluster (<see cref="CephCluster"/>) for the RBD test class: started once, stopped by pid after it.</summary>
public sealed class CephClusterFixture : IAsyncLifetime
{
    private CephCluster? _cluster;

    public CephCluster Cluster => _cluster ?? throw new InvalidOperationException("The Ceph cluster is not started.");

    public async Task InitializeAsync() => _cluster = await CephCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
