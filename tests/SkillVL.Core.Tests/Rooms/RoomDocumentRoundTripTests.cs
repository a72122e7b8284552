using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

public sealed class RoomDocumentRoundTripTests
{
    private const string LabWithLayout = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata:
          name: routing-101
          description: |-
            Two LANs and a router between them.
            Students configure the routes.
        networks:
          - name: left
            cidr: 10.0.1.0/24
            mtu: 1400
            ui: {x: 100, y: 40}
          - {name: right, cidr: 10.0.2.0/24}
          - {name: mgmt, cidr: 192.168.100.0/30}
        machines:
          - name: router
            template: tiny
            cpus: 2
            memory: 512Mi
            nics:
              - {network: left, ip: 10.0.1.1}
              - {network: right, ip: 10.0.2.1}
              - {network: mgmt}
            ui: {x: 250.5, y: -12.25}
          - name: client
            template: tiny
            nics:
              - {network: left, ip: 10.0.1.10}
          - name: spare
            template: tiny
            nics: []

        """;

    public static TheoryData<string> Documents => new()
    {
        DesignExample,
        LabWithLayout,
        Room("metadata: { name: empty }\n"),
        Room("metadata: { name: \"123\", description: \"yes\" }\nmachines: [{ name: \"007\", template: \"true\", memory: \"256\" }]\n"),
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void RoundTrip_YamlToModelToYaml_IsLossless(string text)
    {
        var room = ParseValid(text);

        var yaml = RoomDocument.ToYaml(room);
        var again = ParseValid(yaml);

        AssertSameRoom(room, again);
        Assert.Equal(yaml, RoomDocument.ToYaml(again));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void RoundTrip_YamlToModelToJson_IsLossless(string text)
    {
        var room = ParseValid(text);

        var json = RoomDocument.ToJson(room);
        var again = ParseValid(json);

        AssertSameRoom(room, again);
        Assert.Equal(json, RoomDocument.ToJson(again));
    }

    [Fact]
    public void Placement_PolicyNodeAndLabels_RoundTrip()
    {
        const string yaml = """
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: {name: spread}
            machines:
              - name: a
                template: tiny
                node: node1
              - name: b
                template: tiny
                nodeLabels: {site: lab2, kind: client}
            placement: {policy: pack}
            """;

        var parsed = ParseValid(yaml);

        Assert.Equal("node1", parsed.Machines[0].Node);
        Assert.Equal("lab2", parsed.Machines[1].NodeLabels!["site"]);
        Assert.Equal("pack", parsed.Placement!.Policy);
        var again = ParseValid(RoomDocument.ToYaml(parsed));
        Assert.Equal(parsed.Machines[1].NodeLabels, again.Machines[1].NodeLabels);
        Assert.Equal(parsed.Placement, again.Placement);
        Assert.False(RoomDocument.Parse(yaml.Replace("policy: pack", "policy: random", StringComparison.Ordinal)).IsValid);
    }

    [Fact]
    public void ToYaml_HandWrittenStyle_ComesBackUnchanged()
    {
        Assert.Equal(LabWithLayout, RoomDocument.ToYaml(ParseValid(LabWithLayout)));
    }

    [Fact]
    public void ToYaml_DesignExample_OneLineMappingsStayOnOneLine()
    {
        const string expected = """
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: {name: net-basics}
            networks:
              - {name: lan, cidr: 10.0.1.0/24}
            machines:
              - name: web
                template: tiny
                cpus: 1
                memory: 256Mi
                nics:
                  - {network: lan, ip: 10.0.1.10}
                ui: {x: 120, y: 80}

            """;

        Assert.Equal(expected, RoomDocument.ToYaml(ParseValid(DesignExample)));
    }

    [Fact]
    public void ToJson_CamelCaseRecordOrderNullsLeftOut()
    {
        const string expected = """
            {
              "apiVersion": "skillvl.io/v1",
              "kind": "Room",
              "metadata": {
                "name": "net-basics"
              },
              "networks": [
                {
                  "name": "lan",
                  "cidr": "10.0.1.0/24"
                }
              ],
              "machines": [
                {
                  "name": "web",
                  "template": "tiny",
                  "cpus": 1,
                  "memory": "256Mi",
                  "nics": [
                    {
                      "network": "lan",
                      "ip": "10.0.1.10"
                    }
                  ],
                  "ui": {
                    "x": 120,
                    "y": 80
                  }
                }
              ]
            }
            """;

        Assert.Equal(expected, RoomDocument.ToJson(ParseValid(DesignExample)));
    }

    [Fact]
    public void RoundTrip_TrickyText_SurvivesYamlAndJson()
    {
        string[] descriptions =
        [
            "", "yes", "no", "on", "null", "~", "true", "False", "123", "0x1F", "1e3", "1_000", "12:30", ".inf",
            "- starts like a list", "key: value", "has # hash", "#comment", "'single'", "\"double\"", "{ braces }",
            "[brackets]", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick`", "|", ">", "?", "  leading",
            "trailing  ", "two\nlines", "ends with newline\n", "\ttab", "back\\slash", "it's <b>&amp;</b>",
            "ünïcödé ✓ 日本", "emoji 🎓", "line\r\nwindows", "null\0char", "  indented\nsecond", "first\n  indented",
            "trailing \nspace", "blank\n\nline", "\n", "\u2028separator", "nbsp\u00A0", "\u00A0nbsp", "bom\uFEFF",
        ];
        foreach (var description in descriptions)
        {
            var room = new RoomDefinition { Metadata = new RoomMetadata { Name = "a", Description = description } };

            AssertSameRoom(room, ParseValid(RoomDocument.ToYaml(room)));
            AssertSameRoom(room, ParseValid(RoomDocument.ToJson(room)));
        }
    }

    [Fact]
    public void RoundTrip_ModelBuiltInCode_IsLossless()
    {
        var room = new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = "built", Description = "made in code" },
            Networks =
            [
                new NetworkDefinition { Name = "lan", Cidr = "10.0.1.0/24", Mtu = 9000, Ui = new UiPosition { X = 0.1, Y = 1e15 } },
                new NetworkDefinition { Name = "100", Cidr = "10.0.2.0/24" },
            ],
            Machines =
            [
                new MachineDefinition
                {
                    Name = "007",
                    Template = "tiny",
                    Cpus = 64,
                    Memory = "1024",
                    Nics = [new NicDefinition { Network = "lan", Ip = "10.0.1.10" }, new NicDefinition { Network = "100" }],
                    Ui = new UiPosition { X = -0.000001, Y = 123456.789 },
                },
                new MachineDefinition { Name = "bare", Template = "tiny" },
            ],
        };

        AssertSameRoom(room, ParseValid(RoomDocument.ToYaml(room)));
        AssertSameRoom(room, ParseValid(RoomDocument.ToJson(room)));
    }

    [Fact]
    public void ToYaml_AbsentOptionalFields_AreNotWritten()
    {
        var room = new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = "a" },
            Networks = [new NetworkDefinition { Name = "lan", Cidr = "10.0.1.0/24" }],
            Machines = [new MachineDefinition { Name = "m", Template = "tiny", Nics = [new NicDefinition { Network = "lan" }] }],
        };

        var yaml = RoomDocument.ToYaml(room);
        var json = RoomDocument.ToJson(room);

        foreach (var field in new[] { "description", "mtu", "ui", "cpus", "memory", "ip", "null" })
        {
            Assert.DoesNotContain(field, yaml, StringComparison.Ordinal);
            Assert.DoesNotContain(field, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ToYaml_StringsThatLookLikeOtherTypes_AreQuoted()
    {
        var room = new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = "123", Description = "yes" },
            Machines = [new MachineDefinition { Name = "m", Template = "true", Memory = "256" }],
        };

        var yaml = RoomDocument.ToYaml(room);

        Assert.Contains("metadata: {name: \"123\", description: \"yes\"}", yaml, StringComparison.Ordinal);
        Assert.Contains("template: \"true\"", yaml, StringComparison.Ordinal);
        Assert.Contains("memory: \"256\"", yaml, StringComparison.Ordinal);
    }
}
