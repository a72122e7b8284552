using SkillVL.Core.Rooms;
using SkillVL.Server.Courses;

namespace SkillVL.Server.Tests;

/// <summary>Issue 11 finding 3: a course instance keeps the published machines and networks; layout and description may change.</summary>
public sealed class CourseInstanceEditsTests
{
    private const string Published = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: lab, description: the lab }
        networks:
          - { name: lan, cidr: 10.20.0.0/24 }
        machines:
          - { name: a, template: tiny, cpus: 1, memory: 128Mi, nics: [{ network: lan, ip: 10.20.0.10 }] }
          - { name: b, template: tiny, nics: [{ network: lan, ip: 10.20.0.11 }] }
        """;

    private static RoomDefinition Parse(string yaml) => RoomDocument.Parse(yaml).Definition ?? throw new InvalidOperationException(string.Join("; ", RoomDocument.Parse(yaml).Errors));

    private static IReadOnlyList<ValidationError> Check(string from, string to) =>
        CourseInstanceEdits.Check(Parse(Published), Parse(Published.Replace(from, to, StringComparison.Ordinal)), 1);

    [Theory]
    [InlineData("cpus: 1, memory: 128Mi", "cpus: 2, memory: 128Mi", "machines[0].cpus")]
    [InlineData("memory: 128Mi", "memory: 12Gi", "machines[0].memory")]
    [InlineData("{ name: b, template: tiny,", "{ name: b, template: tiny, memory: 23Gi,", "machines[1].memory")]
    [InlineData("{ name: b, template: tiny,", "{ name: b, template: big,", "machines[1].template")]
    [InlineData("{ name: b, template: tiny,", "{ name: b, template: tiny, node: n2,", "machines[1].node")]
    [InlineData("{ name: b, template: tiny,", "{ name: b, template: tiny, nodeLabels: { gpu: yes },", "machines[1].nodeLabels")]
    [InlineData("ip: 10.20.0.11 }]", "ip: 10.20.0.11 }, { network: lan }]", "machines[1].nics")]
    [InlineData("ip: 10.20.0.11", "ip: 10.20.0.12", "machines[1].nics[0].ip")]
    [InlineData("cidr: 10.20.0.0/24", "cidr: 10.21.0.0/24", "networks[0].cidr")]
    [InlineData("cidr: 10.20.0.0/24 }", "cidr: 10.20.0.0/24, mtu: 9000 }", "networks[0].mtu")]
    [InlineData("  - { name: lan, cidr: 10.20.0.0/24 }", "  - { name: lan, cidr: 10.20.0.0/24 }\n  - { name: extra, cidr: 10.99.0.0/24 }", "networks[1].name")]
    [InlineData("  - { name: b, template: tiny, nics: [{ network: lan, ip: 10.20.0.11 }] }", "  - { name: b, template: tiny, nics: [{ network: lan, ip: 10.20.0.11 }] }\n  - { name: c, template: tiny }", "machines[2].name")]
    [InlineData("  - { name: b, template: tiny, nics: [{ network: lan, ip: 10.20.0.11 }] }", "", "machines")]
    [InlineData("machines:", "placement: { policy: pack }\nmachines:", "placement.policy")]
    public void Issue11_ChangeBeyondThePublishedRoom_IsRefusedNamingTheField(string from, string to, string field)
    {
        var errors = Check(from, to);

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.EndsWith("a course instance keeps what its teacher published (version 1); only layout (ui) and the description may change", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_SaysBothValues()
    {
        Assert.Equal("the published value is 128Mi, not 12Gi: a course instance keeps what its teacher published (version 1); only layout (ui) and the description may change",
            Assert.Single(Check("memory: 128Mi", "memory: 12Gi")).Message);
    }

    [Theory]
    [InlineData("description: the lab", "description: my notes")]
    [InlineData("{ name: lan, cidr: 10.20.0.0/24 }", "{ name: lan, cidr: 10.20.0.0/24, ui: { x: 10, y: 20 } }")]
    [InlineData("nics: [{ network: lan, ip: 10.20.0.10 }] }", "nics: [{ network: lan, ip: 10.20.0.10 }], ui: { x: 1, y: 2 } }")]
    [InlineData("memory: 128Mi", "memory: 134217728")] // the same size written differently
    [InlineData("name: lab,", "name: net101-lab,")] // instances may be renamed when the student had a room of that name
    public void LayoutDescriptionAndEquivalentText_AreAccepted(string from, string to)
    {
        Assert.Empty(Check(from, to));
    }
}
