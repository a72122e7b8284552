using SkillVL.Core.Rooms;
using SkillVL.Core.Rooms.LabFormats;
using Xunit;

namespace SkillVL.Core.Tests.Rooms.LabFormats;

/// <summary>The three importers on the examples in examples/import (written from the documented formats) and on broken
/// files: what maps to what, what is listed as not mapped, and errors that name their place in the file.</summary>
public sealed class LabImporterTests
{
    private static readonly LabImportOptions Defaults = new();

    [Fact]
    public void Containerlab_Example_BridgesBecomeNetworks_AddressesComeFromExec()
    {
        var result = Import(LabFormat.Containerlab, "containerlab/two-lans.clab.yml");

        var room = result.Room!;
        Assert.Equal("two-lans", room.Metadata.Name);
        Assert.Equal(["lan1 10.10.1.0/24", "lan2 10.10.2.0/24"], room.Networks.Select(n => $"{n.Name} {n.Cidr}"));
        var r1 = room.Machines.Single(m => m.Name == "r1");
        Assert.Equal(["lan1 10.10.1.1", "lan2 10.10.2.1"], r1.Nics.Select(n => $"{n.Network} {n.Ip}"));
        Assert.Equal("256Mi", room.Machines.Single(m => m.Name == "pc2").Memory);
        Assert.All(room.Machines, m => Assert.Equal("tiny", m.Template));
        Assert.DoesNotContain(room.Machines, m => m.Name.StartsWith("lan", StringComparison.Ordinal));

        // Nothing silently dropped: the link to the host, the binds, the mgmt network, the sysctl line.
        Assert.Contains(result.NotMapped, n => n.Path == "topology.links[4].endpoints[1]" && n.Line == 36 && n.Message.Contains("'host'", StringComparison.Ordinal));
        Assert.Contains(result.NotMapped, n => n.Path == "topology.nodes.r1.binds" && n.Line == 17);
        Assert.Contains(result.NotMapped, n => n.Path == "mgmt");
        Assert.Contains(result.NotMapped, n => n.Path == "topology.nodes.r1.exec[2]" && n.Message.StartsWith("not run", StringComparison.Ordinal));
    }

    [Fact]
    public void Containerlab_VethLinksWithoutAddresses_GetFreeRanges_AndNicsFollowInterfaceOrder()
    {
        const string lab = """
            name: Ring Lab!
            topology:
              kinds:
                ceos: { image: ceos:4.30 }
              nodes:
                a: { kind: ceos }
                b: { kind: ceos, exec: ["ip addr add 10.200.1.2/30 dev eth10"] }
                c: { image: alpine }
              links:
                - endpoints: ["a:eth10", "b:eth10"]
                - endpoints: ["a:eth2", "c:eth1"]
                - type: veth
                  endpoints: [{ node: b, interface: eth2 }, { node: c, interface: eth2 }]
            """;

        var result = LabImporter.Import(LabFormat.Containerlab, lab, Defaults with { Templates = new Dictionary<string, string> { ["ceos"] = "router-os" } });

        var room = result.Room!;
        Assert.Equal("ring-lab", room.Metadata.Name);
        Assert.Equal(["a-b 10.200.1.0/30", "a-c 10.200.2.0/24", "b-c 10.200.3.0/24"], room.Networks.Select(n => $"{n.Name} {n.Cidr}"));
        Assert.Equal(["a-c", "a-b"], room.Machines.Single(m => m.Name == "a").Nics.Select(n => n.Network));
        Assert.Equal(["b-c", "a-b"], room.Machines.Single(m => m.Name == "b").Nics.Select(n => n.Network));
        Assert.Equal("10.200.1.2", room.Machines.Single(m => m.Name == "b").Nics[1].Ip);
        Assert.Equal(["router-os", "router-os", "tiny"], room.Machines.Select(m => m.Template));
    }

    [Fact]
    public void Kypo_Example_RoutersAndMappings()
    {
        var result = Import(LabFormat.Kypo, "kypo/topology.yml", Defaults with { Templates = new Dictionary<string, string> { ["debian-12"] = "tiny" } });

        var room = result.Room!;
        Assert.Equal("junior-hacker", room.Metadata.Name);
        Assert.Equal(["attacker-switch 10.1.27.0/24", "target-switch 10.1.26.0/24"], room.Networks.Select(n => $"{n.Name} {n.Cidr}"));
        Assert.Equal("10.1.26.9", room.Machines.Single(m => m.Name == "server").Nics.Single().Ip);
        var router = Assert.Single(room.Routers!);
        Assert.Equal(["attacker-switch 10.1.27.1", "target-switch 10.1.26.1"], router.Interfaces.Select(i => $"{i.Network} {i.Ip}"));
        Assert.Equal("10.1.26.1", RoomRouting.DefaultGateway(room, room.Machines.Single(m => m.Name == "server")));
        Assert.Contains(result.NotMapped, n => n.Path == "hosts[1].volumes" && n.Line == 17);
        Assert.Contains(result.NotMapped, n => n.Path == "wan");
        Assert.Contains(result.NotMapped, n => n.Path == "networks[1].accessible_by_user");
        Assert.Contains(result.NotMapped, n => n.Message.Contains("image 'kali'", StringComparison.Ordinal));
        Assert.DoesNotContain(result.NotMapped, n => n.Message.Contains("image 'debian-12'", StringComparison.Ordinal));
    }

    [Fact]
    public void Ludus_Example_VlansAndImplicitAddresses_RouterOnlyWhenInterVlanAccepts()
    {
        var result = Import(LabFormat.Ludus, "ludus/range-config.yml", Defaults with { Name = "ad-lab" });

        var room = result.Room!;
        Assert.Equal("ad-lab", room.Metadata.Name);
        Assert.Equal(["ws01", "files", "kali"], room.Machines.Select(m => m.Name));
        Assert.Equal(["vlan10 10.0.10.0/24", "vlan99 10.0.99.0/24"], room.Networks.Select(n => $"{n.Name} {n.Cidr}"));
        Assert.Equal("10.0.99.1", room.Machines.Single(m => m.Name == "kali").Nics.Single().Ip);
        Assert.Equal(("1Gi", 1), (room.Machines[0].Memory, room.Machines[0].Cpus!.Value));
        Assert.Equal(["vlan10 10.0.10.254", "vlan99 10.0.99.254"], Assert.Single(room.Routers!).Interfaces.Select(i => $"{i.Network} {i.Ip}"));
        Assert.Contains(result.NotMapped, n => n.Path == "network.rules[0]" && n.Message.Contains("kali-to-files-smb", StringComparison.Ordinal));
        Assert.Contains(result.NotMapped, n => n.Path == "ludus[1].roles");

        var rejecting = LabImporter.Import(
            LabFormat.Ludus,
            File.ReadAllText(Example("ludus/range-config.yml")).Replace("inter_vlan_default: ACCEPT", "inter_vlan_default: REJECT", StringComparison.Ordinal),
            Defaults);
        Assert.Null(rejecting.Room!.Routers);
        Assert.Contains(rejecting.NotMapped, n => n.Path == "network.inter_vlan_default" && n.Message.Contains("not routed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(LabFormat.Containerlab, "ludus/range-config.yml", "", "not a containerlab topology: it has no 'topology'")]
    [InlineData(LabFormat.Kypo, "containerlab/two-lans.clab.yml", "", "not a KYPO topology: it has no 'hosts'")]
    [InlineData(LabFormat.Ludus, "kypo/topology.yml", "", "not a Ludus range config: it has no 'ludus' list of VMs")]
    public void WrongFormat_IsNamed(LabFormat format, string example, string field, string message)
    {
        var result = Import(format, example);

        Assert.Null(result.Room);
        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.EndsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LabFormat.Containerlab, "topology:\n  nodes:\n    a: {}\n  links:\n    - endpoints: [\"a:eth1\", \"z:eth1\"]\n", "topology.links[0].endpoints[1]", "line 5: no node named 'z' in topology.nodes")]
    [InlineData(LabFormat.Containerlab, "topology:\n  nodes:\n    a: { memory: lots }\n", "topology.nodes.a.memory", "line 3: 'lots' is not an amount of memory (512mb, 1Gb)")]
    [InlineData(LabFormat.Containerlab, "topology:\n  nodes: [a, b\n", "", "line 3: not YAML")]
    [InlineData(LabFormat.Kypo, "hosts:\n  - name: a\nnetworks:\n  - { name: n, cidr: 10.0.0.0/24 }\nnet_mappings:\n  - { host: a, network: n, ip: 10.0.1.5 }\n", "net_mappings[0].ip", "line 6: '10.0.1.5' is not an address in n (10.0.0.0/24)")]
    [InlineData(LabFormat.Kypo, "hosts:\n  - name: a\nnet_mappings:\n  - { host: b, network: n, ip: 10.0.1.5 }\n", "net_mappings[0].host", "line 4: no host named 'b' in this topology")]
    [InlineData(LabFormat.Ludus, "ludus:\n  - { vm_name: a, vlan: 300, ip_last_octet: 5 }\n", "ludus[0].vlan", "line 2: VLAN 300 cannot be a network here")]
    [InlineData(LabFormat.Ludus, "ludus:\n  - { vm_name: a, vlan: 10, ip_last_octet: 254 }\n", "ludus[0].ip_last_octet", "line 2: 254 is not a host of the VLAN here")]
    [InlineData(LabFormat.Ludus, "ludus:\n  - { vm_name: a, vlan: ten, ip_last_octet: 4 }\n", "ludus[0].vlan", "line 2: 'ten' is not a whole number")]
    public void BadInput_NamesPathAndLine(LabFormat format, string text, string field, string message)
    {
        var result = LabImporter.Import(format, text, Defaults);

        Assert.Null(result.Room);
        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoomTheValidatorRefuses_IsNotReturned()
    {
        // Two KYPO networks with overlapping CIDRs: the room validator's error comes back, no room.
        const string text = "hosts:\n  - name: a\nnetworks:\n  - { name: n1, cidr: 10.0.0.0/16 }\n  - { name: n2, cidr: 10.0.1.0/24 }\n";

        var result = LabImporter.Import(LabFormat.Kypo, text, Defaults);

        Assert.Null(result.Room);
        Assert.Contains(result.Errors, e => e.Message.StartsWith("the imported room: ", StringComparison.Ordinal) && e.Message.Contains("overlap", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Names_AreMadeValidAndUnique()
    {
        const string text = "hosts:\n  - name: Web_Server\n  - name: web-server\n  - name: '***'\n";

        var room = LabImporter.Import(LabFormat.Kypo, text, Defaults with { FileName = "/tmp/My Lab.topology.yml" }).Room!;

        Assert.Equal(["web-server", "web-server-2", "host"], room.Machines.Select(m => m.Name));
        Assert.Equal("my-lab", room.Metadata.Name);
    }

    [Fact]
    public void HugeFile_IsRefusedBeforeParsing()
    {
        var result = LabImporter.Import(LabFormat.Kypo, "hosts: []\n" + new string('#', LabImporter.MaxFileCharacters), Defaults);

        Assert.Contains("a KYPO file here is at most", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    private static LabImportResult Import(LabFormat format, string example, LabImportOptions? options = null) =>
        LabImporter.Import(format, File.ReadAllText(Example(example)), options ?? Defaults);

    private static string Example(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SkillVL.slnx")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("SkillVL.slnx not found"), "examples", "import", relative);
    }
}
