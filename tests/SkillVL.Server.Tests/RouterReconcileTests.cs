using SkillVL.Core.Networking;
using SkillVL.Core.Nodes;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Reconciliation;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests;

/// <summary>
/// The reconciler and room routers (ADR 0039) against fake nodes: a router runs on the node with most of the room's
/// machines on its networks, that node gets all the router's networks, a changed routing rebuilds it, an unchanged one is
/// not sent again unless one of its networks' bridges was made again, and a deleted room's router (or one no room wants) is swept.
/// </summary>
public sealed class RouterReconcileTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string Yaml = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: lab }
        networks:
          - { name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.199 }, dns: true }
          - { name: dmz, cidr: 10.0.2.0/24 }
        routers:
          - { name: gw, interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: dmz, ip: 10.0.2.1 }] }
        machines:
          - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }] }
          - { name: b, template: tiny, nics: [{ network: dmz, ip: 10.0.2.10 }] }
          - { name: c, template: tiny, nics: [{ network: dmz, ip: 10.0.2.11 }] }
        """;

    [Fact]
    public async Task Pass_RoutedRoom_RouterOnTheBusiestNodeWithAllItsNetworks_RebuiltOnChange_SweptOnDelete()
    {
        await using var harness = new MigrationRunnerHarness();
        var src = new FakeRouters();
        var dst = new FakeRouters();
        harness.Source.Routers = src;
        harness.Target.Routers = dst;
        await SeedAsync(harness, Yaml);
        var id = RouterPlacement.IdFor("r1", "gw");

        await PassAsync(harness);

        // b and c (dmz) are on dst, a (lan) on src: the router goes to dst, which gets lan's bridge too.
        Assert.Empty(src.Routers);
        var spec = Assert.Single(dst.Ensures);
        Assert.Equal(id, spec.Id);
        Assert.Equal(["n-lan", "n-dmz"], spec.Legs.Select(l => l.NetworkId));
        Assert.Equal(("10.0.1.100", "10.0.1.199", true), (spec.Legs[0].DhcpFirst, spec.Legs[0].DhcpLast, spec.Legs[0].Dns));
        Assert.Contains(harness.Target.Ensured, n => n.Id == "n-lan");
        Assert.Contains(harness.Target.Ensured, n => n.Id == "n-lan" && n.Overlay!.Peers.Contains("192.0.2.1"));

        await PassAsync(harness);
        Assert.Single(dst.Ensures); // unchanged: not sent again

        // Issue 18: dmz's bridge vanished on dst (deleted by hand): the pass makes it again and ensures the router there
        // again, though its spec is unchanged, so the node puts the router's leg back on the new bridge.
        lock (harness.Target.Ensured)
        {
            harness.Target.Ensured.RemoveAll(n => n.Id == "n-dmz");
        }

        await PassAsync(harness);
        Assert.Contains(harness.Target.Ensured, n => n.Id == "n-dmz");
        Assert.Equal(2, dst.Ensures.Count);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(dst.Ensures[0]), System.Text.Json.JsonSerializer.Serialize(dst.Ensures[1]));
        await PassAsync(harness);
        Assert.Equal(2, dst.Ensures.Count); // and only then

        await UpdateAsync(harness, r => r.DefinitionJson = Json(Yaml.Replace("10.0.1.199", "10.0.1.150", StringComparison.Ordinal)));
        await PassAsync(harness);
        Assert.Equal(3, dst.Ensures.Count);
        Assert.Equal("10.0.1.150", dst.Ensures[2].Legs[0].DhcpLast);

        await UpdateAsync(harness, r => r.DeletionRequested = true);
        await PassAsync(harness);
        await harness.Reconciler.WhenIdleAsync(Bound);
        await PassAsync(harness);

        Assert.Empty(dst.Routers);
        Assert.Equal([id], dst.Deleted);
    }

    [Fact]
    public async Task Pass_OrphanRouterOfNoRoom_IsRemoved()
    {
        await using var harness = new MigrationRunnerHarness();
        var src = new FakeRouters();
        harness.Source.Routers = src;
        src.Routers.Add("0123456789ab"); // left by a crash, or by a room deleted while the Server was down

        await PassAsync(harness);
        await harness.Reconciler.WhenIdleAsync(Bound);

        Assert.Equal(["0123456789ab"], src.Deleted);
        Assert.Empty(src.Routers);
    }

    private static async Task PassAsync(MigrationRunnerHarness harness) =>
        await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(Bound);

    private static string Json(string yaml) => RoomDocument.ToJson(RoomDocument.Parse(yaml).Definition!);

    private static async Task SeedAsync(MigrationRunnerHarness harness, string yaml)
    {
        await using var db = await harness.Db.CreateDbContextAsync();
        db.Templates.Add(new TemplateEntity { Name = "tiny", Sha256 = MigrationRunnerHarness.TemplateSha, Boot = "disk", SizeBytes = 50L << 20 });
        var room = new RoomEntity { Id = "r1", Name = "lab", OwnerId = "u1", DefinitionJson = Json(yaml), Generation = 1, ObservedGeneration = 1 };
        room.Networks.Add(new NetworkEntity { Id = "n-lan", RoomId = "r1", Name = "lan", Cidr = "10.0.1.0/24", Mtu = 1450, Vni = 4201 });
        room.Networks.Add(new NetworkEntity { Id = "n-dmz", RoomId = "r1", Name = "dmz", Cidr = "10.0.2.0/24", Mtu = 1450, Vni = 4202 });
        foreach (var (name, node, network, ip) in new[] { ("a", "src", "n-lan", "10.0.1.10"), ("b", "dst", "n-dmz", "10.0.2.10"), ("c", "dst", "n-dmz", "10.0.2.11") })
        {
            var machine = new MachineEntity
            {
                Id = "m-" + name, RoomId = "r1", Name = name, TemplateName = "tiny", TemplateSha256 = MigrationRunnerHarness.TemplateSha, Cpus = 1,
                MemoryBytes = 128L << 20, NodeName = node, DesiredState = MachineStates.Stopped, ObservedState = MachineStates.Stopped,
            };
            machine.Nics.Add(new NicEntity { Id = "c-" + name, MachineId = machine.Id, NetworkId = network, Index = 0, Ip = ip, MacAddress = "52:54:00:c0:00:0" + name.Length });
            room.Machines.Add(machine);
        }

        db.Rooms.Add(room);
        await db.SaveChangesAsync();
    }

    private static async Task UpdateAsync(MigrationRunnerHarness harness, Action<RoomEntity> change)
    {
        await using var db = await harness.Db.CreateDbContextAsync();
        var room = await db.Rooms.FindAsync("r1");
        change(room!);
        await db.SaveChangesAsync();
    }

    /// <summary>A node's routers as a set of ids, recording what the reconciler asked.</summary>
    private sealed class FakeRouters : INodeRouters
    {
        public List<string> Routers { get; } = [];

        public List<RouterSpec> Ensures { get; } = [];

        public List<string> Deleted { get; } = [];

        public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
        {
            lock (Routers)
            {
                return Task.FromResult<IReadOnlyList<string>>([.. Routers]);
            }
        }

        public Task EnsureAsync(RouterSpec router, CancellationToken cancellationToken)
        {
            lock (Routers)
            {
                Ensures.Add(router);
                if (!Routers.Contains(router.Id))
                {
                    Routers.Add(router.Id);
                }
            }

            return Task.CompletedTask;
        }

        public Task DeleteAsync(string routerId, CancellationToken cancellationToken)
        {
            lock (Routers)
            {
                Deleted.Add(routerId);
                Routers.Remove(routerId);
            }

            return Task.CompletedTask;
        }
    }
}
