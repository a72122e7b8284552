using SkillVL.Core.Rooms;
using SkillVL.Core.Rooms.LabFormats;
using Xunit;

namespace SkillVL.Core.Tests.Rooms.LabFormats;

/// <summary>Export then import gives the same topology back (names, CIDRs, addresses, routers), and what the format
/// cannot hold is listed by its path in the room.</summary>
public sealed class LabExporterTests
{
    private const string Routed = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: routed }
        networks:
          - { name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.100-10.0.1.199 }, dns: true }
          - { name: dmz, cidr: 10.0.2.0/24 }
          - { name: p2p, cidr: 10.0.9.0/30 }
        routers:
          - name: gw
            interfaces: [{ network: lan, ip: 10.0.1.1 }, { network: dmz, ip: 10.0.2.1 }]
        machines:
          - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }, { network: p2p, ip: 10.0.9.1 }] }
          - { name: b, template: tiny, nics: [{ network: lan }] }
          - { name: web, template: tiny, nics: [{ network: dmz, ip: 10.0.2.10 }, { network: p2p, ip: 10.0.9.2 }] }
        checks:
          - { name: up, machine: a, reaches: web }
        """;

    [Fact]
    public void Kypo_RoundTrip_KeepsNetworksAddressesAndRouters()
    {
        var room = RoomDocument.Parse(Routed).Definition!;

        var exported = LabExporter.Export(LabFormat.Kypo, room);
        var back = LabImporter.Import(LabFormat.Kypo, exported.Text, new LabImportOptions { Templates = new Dictionary<string, string> { ["tiny"] = "tiny" } });

        var again = back.Room!;
        Assert.Equal(room.Networks.Select(n => (n.Name, n.Cidr)), again.Networks.Select(n => (n.Name, n.Cidr)));
        Assert.Equal(
            room.Machines.Select(m => (m.Name, string.Join(',', m.Nics.Where(n => n.Ip is not null).Select(n => $"{n.Network}={n.Ip}")))),
            again.Machines.Select(m => (m.Name, string.Join(',', m.Nics.Select(n => $"{n.Network}={n.Ip}")))));
        Assert.Equal(room.Routers![0].Interfaces, again.Routers![0].Interfaces);
        Assert.Contains(exported.NotMapped, n => n.Field == "machines[1].nics[0]");
        Assert.Contains(exported.NotMapped, n => n.Field == "networks[0].dhcp");
        Assert.Contains(exported.NotMapped, n => n.Field == "networks[0].dns");
        Assert.Contains(exported.NotMapped, n => n.Field == "checks");
    }

    [Fact]
    public void Containerlab_RoundTrip_TwoLegNetworksAreVeths_OthersBridges_RouterForwards()
    {
        var room = RoomDocument.Parse(Routed).Definition!;

        var exported = LabExporter.Export(LabFormat.Containerlab, room);
        var back = LabImporter.Import(LabFormat.Containerlab, exported.Text, new LabImportOptions()).Room!;

        Assert.Contains("gw:", exported.Text, StringComparison.Ordinal);
        Assert.Contains("sysctl -w net.ipv4.ip_forward=1", exported.Text, StringComparison.Ordinal);
        Assert.Contains("lan: {kind: bridge}", exported.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("p2p: {kind: bridge}", exported.Text, StringComparison.Ordinal); // two legs each: veths
        Assert.DoesNotContain("dmz: {kind: bridge}", exported.Text, StringComparison.Ordinal);
        Assert.Equal(["lan 10.0.1.0/24", "a-web 10.0.9.0/30", "web-gw 10.0.2.0/24"], back.Networks.Select(n => $"{n.Name} {n.Cidr}"));
        Assert.Equal(["lan=10.0.1.10", "a-web=10.0.9.1"], back.Machines.Single(m => m.Name == "a").Nics.Select(n => $"{n.Network}={n.Ip}"));
        Assert.Equal(["lan=10.0.1.1", "web-gw=10.0.2.1"], back.Machines.Single(m => m.Name == "gw").Nics.Select(n => $"{n.Network}={n.Ip}"));
        Assert.Contains(exported.NotMapped, n => n.Field == "routers[0]");
    }

    [Fact]
    public void Ludus_IsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => LabExporter.Export(LabFormat.Ludus, RoomDocument.Parse(Routed).Definition!));

        Assert.Contains("implicit per VLAN", error.Message, StringComparison.Ordinal);
    }
}
