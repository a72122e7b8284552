using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

public sealed class RoomValidatorTests
{
    /// <summary>(networks, machines, field, message): the body of a room that breaks exactly one rule.</summary>
    public static TheoryData<string, string, string, string> BrokenRooms => new()
    {
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }, { name: dmz, cidr: 10.0.2.0/24 }, { name: lan, cidr: 10.0.3.0/24 }]",
            "[]",
            "networks[2].name", "'lan' is already the name of networks[0]"
        },
        {
            "[]",
            "[{ name: a, template: tiny }, { name: b, template: tiny }, { name: c, template: tiny }, { name: b, template: tiny }]",
            "machines[3].name", "'b' is already the name of machines[1]"
        },
        {
            "[]",
            "[{ name: a, template: foo }]",
            "machines[0].template", "unknown template 'foo'; known: tiny"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }]",
            "[{ name: a, template: tiny, nics: [{ network: lan }, { network: wan }] }]",
            "machines[0].nics[1].network", "unknown network 'wan'; known: lan"
        },
        {
            "[]",
            "[{ name: a, template: tiny, nics: [{ network: lan }] }]",
            "machines[0].nics[0].network", "unknown network 'lan'; the room has no networks"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }]",
            "[{ name: a, template: tiny, nics: [{ network: lan, ip: 10.0.2.10 }] }]",
            "machines[0].nics[0].ip", "10.0.2.10 is outside network 'lan' (10.0.1.0/24)"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }]",
            "[{ name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.0 }] }]",
            "machines[0].nics[0].ip", "10.0.1.0 is the network address of 'lan' (10.0.1.0/24); a machine cannot use it"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }]",
            "[{ name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.255 }] }]",
            "machines[0].nics[0].ip", "10.0.1.255 is the broadcast address of 'lan' (10.0.1.0/24); a machine cannot use it"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }]",
            "[{ name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }] }, { name: b, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }] }]",
            "machines[1].nics[0].ip", "10.0.1.10 is already used by machines[0].nics[0]"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }]",
            "[{ name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }, { network: lan, ip: 10.0.1.11 }] }]",
            "machines[0].nics[1].network", "machines[0] already has a NIC on 'lan' (nics[0])"
        },
        {
            "[{ name: big, cidr: 10.0.0.0/16 }, { name: lan, cidr: 10.0.1.0/24 }]",
            "[]",
            "networks[1].cidr", "overlaps networks[0] (10.0.0.0/16)"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }, { name: big, cidr: 10.0.0.0/8 }]",
            "[]",
            "networks[1].cidr", "overlaps networks[0] (10.0.1.0/24)"
        },
        {
            "[{ name: lan, cidr: 10.0.1.0/24 }, { name: same, cidr: 10.0.1.0/24 }]",
            "[]",
            "networks[1].cidr", "overlaps networks[0] (10.0.1.0/24)"
        },
        {
            "[{ name: lan, cidr: 10.0.1.5/24 }]",
            "[]",
            "networks[0].cidr", "10.0.1.5/24 has host bits set; did you mean 10.0.1.0/24?"
        },
        {
            "[{ name: p2p, cidr: 10.0.1.0/31 }]",
            "[]",
            "networks[0].cidr", "10.0.1.0/31 is too small: a network needs a prefix of /30 or shorter"
        },
        {
            "[{ name: host, cidr: 10.0.1.1/32 }]",
            "[]",
            "networks[0].cidr", "10.0.1.1/32 is too small: a network needs a prefix of /30 or shorter"
        },
        {
            "[]",
            "[{ name: a, template: tiny, memory: 4Gi }]",
            "machines[0].memory", "4Gi is more than the largest node has (2Gi)"
        },
        {
            "[]",
            "[{ name: a, template: tiny, memory: 3G }]",
            "machines[0].memory", "3G is more than the largest node has (2Gi)"
        },
        {
            "[]",
            "[{ name: a, template: tiny, memory: 8Mi }]",
            "machines[0].memory", "8Mi is less than the minimum of 16Mi"
        },
        {
            "[]",
            "[{ name: a, template: tiny, memory: 256 }]",
            "machines[0].memory", "256 is less than the minimum of 16Mi"
        },
        {
            "[]",
            "[{ name: a, template: tiny, cpus: 8 }]",
            "machines[0].cpus", "8 is more than the largest node has (4)"
        },
    };

    [Fact]
    public void Validate_DesignExample_HasNoErrors()
    {
        Assert.Empty(RoomValidator.Validate(ParseValid(DesignExample), Context));
    }

    [Theory]
    [MemberData(nameof(BrokenRooms))]
    public void Validate_BrokenRule_NamesTheField(string networks, string machines, string field, string message)
    {
        var room = ParseValid(Room($"metadata: {{ name: a }}\nnetworks: {networks}\nmachines: {machines}\n"));

        Assert.Equal([new ValidationError(field, message)], RoomValidator.Validate(room, Context));
    }

    [Theory]
    [InlineData("[{ name: lan, cidr: 10.0.1.0/30 }]", "[{ name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.1 }] }, { name: b, template: tiny, nics: [{ network: lan, ip: 10.0.1.2 }] }]")]
    [InlineData("[{ name: a, cidr: 10.0.1.0/25 }, { name: b, cidr: 10.0.1.128/25 }]", "[]")]
    [InlineData("[{ name: a, cidr: 10.0.1.0/24 }, { name: b, cidr: 10.0.2.0/24 }]", "[{ name: x, template: tiny, nics: [{ network: a, ip: 10.0.1.1 }, { network: b, ip: 10.0.2.1 }] }]")]
    [InlineData("[{ name: lan, cidr: 10.0.1.0/24 }]", "[{ name: x, template: tiny, nics: [{ network: lan }] }, { name: y, template: tiny, nics: [{ network: lan }] }]")]
    [InlineData("[]", "[{ name: x, template: tiny, cpus: 4, memory: 2Gi }, { name: y, template: tiny, memory: 16Mi }]")]
    [InlineData("[{ name: lan, cidr: 10.0.1.0/24, mtu: 9000 }]", "[]")]
    public void Validate_RoomWithinTheRules_HasNoErrors(string networks, string machines)
    {
        var room = ParseValid(Room($"metadata: {{ name: a }}\nnetworks: {networks}\nmachines: {machines}\n"));

        Assert.Empty(RoomValidator.Validate(room, Context));
    }

    [Fact]
    public void Validate_UnknownTemplate_ListsKnownOnesSorted()
    {
        var context = Context with { TemplateNames = new HashSet<string>(StringComparer.Ordinal) { "tiny", "debian-12", "alpine" } };
        var room = ParseValid(Room("metadata: { name: a }\nmachines: [{ name: a, template: ubuntu }]\n"));

        Assert.Equal(
            [new ValidationError("machines[0].template", "unknown template 'ubuntu'; known: alpine, debian-12, tiny")],
            RoomValidator.Validate(room, context));
    }

    [Fact]
    public void Issue11_Validate_UnusableTemplate_NamesTheMachinesTemplateField()
    {
        var context = Context with { UnusableTemplates = new Dictionary<string, string> { ["tiny"] = "disk.qcow2 has a backing file (/etc/shadow)" } };
        var room = ParseValid(Room("metadata: { name: a }\nmachines: [{ name: a, template: tiny }]\n"));

        Assert.Equal(
            [new ValidationError("machines[0].template", "template 'tiny' is unusable: its disk.qcow2 has a backing file (/etc/shadow)")],
            RoomValidator.Validate(room, context));
    }

    [Fact]
    public void Validate_NoTemplatesAtAll_SaysSo()
    {
        var context = Context with { TemplateNames = new HashSet<string>(StringComparer.Ordinal) };
        var room = ParseValid(Room("metadata: { name: a }\nmachines: [{ name: a, template: tiny }]\n"));

        Assert.Equal(
            [new ValidationError("machines[0].template", "unknown template 'tiny'; no templates exist yet")],
            RoomValidator.Validate(room, context));
    }

    [Fact]
    public void Validate_SeveralProblems_AllReportedInDocumentOrder()
    {
        var room = ParseValid(Room("""
            metadata: { name: a }
            networks:
              - { name: lan, cidr: 10.0.0.0/16 }
              - { name: lan, cidr: 10.0.1.0/24 }
            machines:
              - { name: web, template: big, cpus: 16, memory: 64Gi, nics: [{ network: lan, ip: 10.1.0.1 }, { network: wan }] }
              - { name: web, template: tiny, nics: [{ network: lan, ip: 10.0.0.5 }] }
              - { name: db, template: tiny, nics: [{ network: lan, ip: 10.0.0.5 }] }
            """));

        Assert.Equal(
            [
                new ValidationError("networks[1].name", "'lan' is already the name of networks[0]"),
                new ValidationError("networks[1].cidr", "overlaps networks[0] (10.0.0.0/16)"),
                new ValidationError("machines[0].template", "unknown template 'big'; known: tiny"),
                new ValidationError("machines[0].cpus", "16 is more than the largest node has (4)"),
                new ValidationError("machines[0].memory", "64Gi is more than the largest node has (2Gi)"),
                new ValidationError("machines[0].nics[0].ip", "10.1.0.1 is outside network 'lan' (10.0.0.0/16)"),
                new ValidationError("machines[0].nics[1].network", "unknown network 'wan'; known: lan"),
                new ValidationError("machines[1].name", "'web' is already the name of machines[0]"),
                new ValidationError("machines[2].nics[0].ip", "10.0.0.5 is already used by machines[1].nics[0]"),
            ],
            RoomValidator.Validate(room, Context));
    }

    [Fact]
    public void Validate_ModelNotFromParse_ReportsUnreadableValuesInsteadOfThrowing()
    {
        var room = new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = "a" },
            Networks = [new NetworkDefinition { Name = "lan", Cidr = "bogus" }],
            Machines =
            [
                new MachineDefinition
                {
                    Name = "m",
                    Template = "tiny",
                    Cpus = 0,
                    Memory = "lots",
                    Nics = [new NicDefinition { Network = "lan", Ip = "10.0.1" }],
                },
            ],
        };

        Assert.Equal(
            [
                new ValidationError("networks[0].cidr", "'bogus' is not a valid IPv4 CIDR (write it like 10.0.1.0/24)"),
                new ValidationError("machines[0].cpus", "must be at least 1"),
                new ValidationError("machines[0].memory", "'lots' is not a valid memory quantity (write it like 256Mi or 1Gi)"),
                new ValidationError("machines[0].nics[0].ip", "'10.0.1' is not a valid IPv4 address (write it like 10.0.1.10)"),
            ],
            RoomValidator.Validate(room, Context));
    }

    [Fact]
    public void Validate_AddressOnNetworkWithBadCidr_OnlyTheCidrIsReported()
    {
        var room = ParseValid(Room("""
            metadata: { name: a }
            networks: [{ name: lan, cidr: 10.0.1.5/24 }]
            machines: [{ name: m, template: tiny, nics: [{ network: lan, ip: 192.168.0.1 }] }]
            """));

        Assert.Equal(
            [new ValidationError("networks[0].cidr", "10.0.1.5/24 has host bits set; did you mean 10.0.1.0/24?")],
            RoomValidator.Validate(room, Context));
    }
}
