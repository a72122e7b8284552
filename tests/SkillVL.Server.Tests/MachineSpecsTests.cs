using SkillVL.Server.Data;
using SkillVL.Server.Machines;

namespace SkillVL.Server.Tests;

public sealed class MachineSpecsTests
{
    [Fact]
    public void ToSpec_GivesAddressesWithPrefixAndNetworkMtu()
    {
        var (machine, networks) = Machine();

        var spec = MachineSpecs.ToSpec(machine, networks);

        var nic = Assert.Single(spec.Nics);
        Assert.Equal("10.0.1.10/24", nic.IpAddress);
        Assert.Equal(1450, nic.Mtu);
        Assert.Equal("52:54:00:ab:cd:ef", nic.MacAddress);
    }

    [Fact]
    public void SpecHash_IgnoresAddresses_ButNotHardwareOrRestartRequests()
    {
        var (machine, networks) = Machine();
        var original = MachineSpecs.ToSpec(machine, networks).SpecHash;

        machine.Nics[0].Ip = "10.0.1.99";
        Assert.Equal(original, MachineSpecs.ToSpec(machine, networks).SpecHash);

        machine.MemoryBytes *= 2;
        var moreMemory = MachineSpecs.ToSpec(machine, networks).SpecHash;
        Assert.NotEqual(original, moreMemory);

        machine.RestartNonce++;
        Assert.NotEqual(moreMemory, MachineSpecs.ToSpec(machine, networks).SpecHash);
    }

    private static (MachineEntity, Dictionary<string, NetworkEntity>) Machine()
    {
        var network = new NetworkEntity { Id = "111111111111", RoomId = "r", Name = "lan", Cidr = "10.0.1.0/24", Mtu = 1450 };
        var machine = new MachineEntity
        {
            Id = "222222222222",
            RoomId = "r",
            Name = "web",
            TemplateName = "tiny",
            TemplateSha256 = "abc",
            Cpus = 1,
            MemoryBytes = 128L << 20,
            NodeName = "local",
            DesiredState = MachineStates.Running,
            Nics = [new NicEntity { Id = "abcdef000000", MachineId = "222222222222", NetworkId = network.Id, Ip = "10.0.1.10", MacAddress = "52:54:00:ab:cd:ef" }],
        };
        return (machine, new Dictionary<string, NetworkEntity> { [network.Id] = network });
    }
}
