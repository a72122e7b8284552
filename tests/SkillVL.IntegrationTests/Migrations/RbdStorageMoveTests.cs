using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Migrations;

/// <summary>
/// Issue 16, end to end: a real agent keeping its disks in a private Ceph pool (<c>--disk-store rbd</c>) reports the cluster's
/// fsid and the pool with its facts; a live move of a machine from the Server's node (qcow2 files) there is refused before
/// anything starts (400 naming <c>to</c> and both nodes' storage), and the machine keeps running where it was.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RbdStorageMoveTests
{
    [Fact]
    public async Task LiveMove_FromFileNodeToRbdNode_Is400NamingBothStorages_MachineStays()
    {
        await using var ceph = await CephCluster.StartAsync();
        var fsid = (await ceph.CephAsync("fsid")).Trim();
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(RefusedMove.Room("pool", "10.67.0"));

        var message = await RefusedMove.RefusalAsync(
            server, "pool", "rbd1",
            "--disk-store", "rbd", "--rbd-pool", CephCluster.Pool, "--ceph-conf", ceph.ConfPath, "--ceph-user", CephCluster.User, "--ceph-keyring", ceph.UserKeyring);

        Assert.Contains(
            $"the machine's disk is in its own files (qcow2) on 'local' and 'rbd1' keeps disks in rbd pool '{CephCluster.Pool}' of Ceph cluster {fsid}",
            message, StringComparison.Ordinal);
        Assert.All(await ceph.ImagesAsync(), image => Assert.StartsWith("tpl-", image, StringComparison.Ordinal));
    }
}
