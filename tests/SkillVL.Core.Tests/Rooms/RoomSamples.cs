using SkillVL.Core.Rooms;
using Xunit;

namespace SkillVL.Core.Tests.Rooms;

internal static class RoomSamples
{
    /// <summary>The example of DESIGN.md §6, verbatim.</summary>
    public const string DesignExample = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: net-basics }
        networks:
          - { name: lan, cidr: 10.0.1.0/24 }
        machines:
          - name: web
            template: tiny
            cpus: 1
            memory: 256Mi
            nics: [{ network: lan, ip: 10.0.1.10 }]
            ui: { x: 120, y: 80 }
        """;

    /// <summary>A node of 4 CPUs and 2Gi; one template, "tiny".</summary>
    public static RoomValidationContext Context { get; } = new(new HashSet<string>(StringComparer.Ordinal) { "tiny" }, 4, 2L << 30);

    /// <summary>A document with the given body after apiVersion and kind.</summary>
    public static string Room(string body) => "apiVersion: skillvl.io/v1\nkind: Room\n" + body;

    public static RoomDefinition ParseValid(string text)
    {
        var result = RoomDocument.Parse(text);
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        return Assert.IsType<RoomDefinition>(result.Definition);
    }

    /// <summary>
    /// Field-by-field equality: the records compare their lists by reference, so two equal rooms read
    /// from two texts are not Equals. Independent of ToJson, so it also catches a field ToJson would drop.
    /// </summary>
    public static void AssertSameRoom(RoomDefinition expected, RoomDefinition actual)
    {
        Assert.Equal(expected.ApiVersion, actual.ApiVersion);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Metadata, actual.Metadata);
        Assert.Equal(expected.Networks, actual.Networks);
        Assert.Equal(expected.Machines.Count, actual.Machines.Count);
        for (var i = 0; i < expected.Machines.Count; i++)
        {
            Assert.Equal(expected.Machines[i] with { Nics = [], CloudInit = null }, actual.Machines[i] with { Nics = [], CloudInit = null });
            Assert.Equal(expected.Machines[i].Nics, actual.Machines[i].Nics);
            Assert.Equal(expected.Machines[i].CloudInit?.SshKeys, actual.Machines[i].CloudInit?.SshKeys);
            Assert.Equal(expected.Machines[i].CloudInit?.UserData, actual.Machines[i].CloudInit?.UserData);
        }
    }
}
