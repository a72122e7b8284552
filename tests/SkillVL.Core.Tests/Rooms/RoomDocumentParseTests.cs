using SkillVL.Core.Rooms;
using Xunit;
using static SkillVL.Core.Tests.Rooms.RoomSamples;

namespace SkillVL.Core.Tests.Rooms;

public sealed class RoomDocumentParseTests
{
    public static TheoryData<string, string, string> SchemaViolations => new()
    {
        {
            "apiVersion: skillvl.io/v2\nkind: Room\nmetadata: { name: a }\n",
            "apiVersion", "must be 'skillvl.io/v1', but is 'skillvl.io/v2'"
        },
        { "kind: Room\nmetadata: { name: a }\n", "apiVersion", "is required" },
        { "apiVersion: skillvl.io/v1\nkind: Lab\nmetadata: { name: a }\n", "kind", "must be 'Room', but is 'Lab'" },
        { Room(""), "metadata", "is required" },
        { Room("metadata: {}\n"), "metadata.name", "is required" },
        {
            Room("metadata: { name: Net_Basics }\n"),
            "metadata.name",
            "'Net_Basics' is not a valid name: use 1-32 lowercase letters, digits and '-', starting and ending with a letter or digit"
        },
        {
            Room("metadata: { name: -lab }\n"),
            "metadata.name",
            "'-lab' is not a valid name: use 1-32 lowercase letters, digits and '-', starting and ending with a letter or digit"
        },
        {
            Room($"metadata: {{ name: {new string('a', 33)} }}\n"),
            "metadata.name",
            $"'{new string('a', 33)}' is not a valid name: use 1-32 lowercase letters, digits and '-', starting and ending with a letter or digit"
        },
        { Room("metadata: { name: a, owner: me }\n"), "metadata.owner", "unknown field" },
        { Room("metadata: { name: a, description: }\n"), "metadata.description", "must be a string, but is empty" },
        { Room("metadata: { name: a }\nlabels: { x: y }\n"), "labels", "unknown field" },
        { Room("metadata: { name: a }\nnetworks: { name: lan }\n"), "networks", "must be a list, but is a mapping" },
        { Room("metadata: { name: a }\nnetworks: [{ cidr: 10.0.1.0/24 }]\n"), "networks[0].name", "is required" },
        { Room("metadata: { name: a }\nnetworks: [{ name: lan }]\n"), "networks[0].cidr", "is required" },
        {
            Room("metadata: { name: a }\nnetworks: [{ name: lan, cidr: 10.0.1.0/33 }]\n"),
            "networks[0].cidr", "'10.0.1.0/33' is not a valid IPv4 CIDR (write it like 10.0.1.0/24)"
        },
        {
            Room("metadata: { name: a }\nnetworks: [{ name: lan, cidr: 10.0.1.0 }]\n"),
            "networks[0].cidr", "'10.0.1.0' is not a valid IPv4 CIDR (write it like 10.0.1.0/24)"
        },
        {
            Room("metadata: { name: a }\nnetworks: [{ name: lan, cidr: 10.0.1.0/24, mtu: 100 }]\n"),
            "networks[0].mtu", "must be between 576 and 9000, but is 100"
        },
        {
            Room("metadata: { name: a }\nnetworks: [{ name: lan, cidr: 10.0.1.0/24, mtu: 1500.5 }]\n"),
            "networks[0].mtu", "must be a whole number, but is the number 1500.5"
        },
        {
            Room("metadata: { name: a }\nnetworks: [{ name: lan, cidr: 10.0.1.0/24, vni: 7 }]\n"),
            "networks[0].vni", "unknown field"
        },
        { Room("metadata: { name: a }\nmachines: [{ name: web }]\n"), "machines[0].template", "is required" },
        { Room("metadata: { name: a }\nmachines: [{ name: web, template: '' }]\n"), "machines[0].template", "must not be empty" },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, cpus: '2' }]\n"),
            "machines[0].cpus", "must be a whole number, but is the string '2'"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, cpus: 65 }]\n"),
            "machines[0].cpus", "must be between 1 and 64, but is 65"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, cpus: 0 }]\n"),
            "machines[0].cpus", "must be between 1 and 64, but is 0"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, cpus: yes }]\n"),
            "machines[0].cpus", "must be a whole number, but is the string 'yes'"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, memory: 256MB }]\n"),
            "machines[0].memory", "'256MB' is not a valid memory quantity (write it like 256Mi or 1Gi)"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, memory: 1.5Gi }]\n"),
            "machines[0].memory", "'1.5Gi' is not a valid memory quantity (write it like 256Mi or 1Gi)"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, nics: [{ ip: 10.0.1.10 }] }]\n"),
            "machines[0].nics[0].network", "is required"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, nics: [{ network: lan, ip: 10.0.1.300 }] }]\n"),
            "machines[0].nics[0].ip", "'10.0.1.300' is not a valid IPv4 address (write it like 10.0.1.10)"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, nics: [{ network: lan, ip: 10.0.1.10/24 }] }]\n"),
            "machines[0].nics[0].ip", "'10.0.1.10/24' is not a valid IPv4 address (write it like 10.0.1.10)"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, nics: [{ network: lan, mac: 52:54:00:00:00:01 }] }]\n"),
            "machines[0].nics[0].mac", "unknown field"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, ui: { x: 1 } }]\n"),
            "machines[0].ui.y", "is required"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, ui: { x: 1, y: '2' } }]\n"),
            "machines[0].ui.y", "must be a number, but is the string '2'"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, ui: { x: .inf, y: 2 } }]\n"),
            "machines[0].ui.x", "must be a number, but is the string '.inf'"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, ui: { x: 1, y: 2, z: 3 } }]\n"),
            "machines[0].ui.z", "unknown field"
        },
        {
            Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, 'odd key': 1 }]\n"),
            "machines[0][\"odd key\"]", "unknown field"
        },
        { "- a\n- b\n", "", "must be a mapping, but is a list" },
        { "just text", "", "must be a mapping, but is the string 'just text'" },
    };

    public static TheoryData<string, string> MalformedDocuments => new()
    {
        { "a: [1,\n b: 2", "invalid YAML at line 3, column 1: While parsing a flow sequence, did not find expected ',' or ']'." },
        { "a: 'x", "invalid YAML at line 1, column 4: While scanning a quoted scalar, found unexpected end of stream." },
        { "a: 1\nb: 2\na: 3\n", "invalid YAML at line 3, column 1: Duplicate key a" },
        { "a: *missing\n", "invalid YAML at line 1, column 4: alias *missing refers to no anchor (&missing) before it" },
        {
            "apiVersion: skillvl.io/v1\nmachines:\n\t- name: a\n",
            "invalid YAML at line 3, column 1: While scanning a mapping, found invalid tab as indentation."
        },
        { "{\"apiVersion\": \"skillvl.io/v1\"}}", "invalid YAML at line 1, column 32: Did not find expected <document end>." },
        // Regression (issue 2): YamlDotNet threw InvalidOperationException here and the API answered 500.
        {
            "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: bad\nmachines: [",
            "invalid YAML: the document ends inside an unclosed '{', '[' or quoted string"
        },
        { "", "the document is empty" },
        { "   \n\n", "the document is empty" },
        { "# only a comment\n", "the document is empty" },
        { "---\n", "the document is empty" },
        { "~", "the document is empty" },
        { Room("metadata: { name: a }\n") + "---\n" + Room("metadata: { name: b }\n"), "line 4: expected one YAML document, found another" },
    };

    [Fact]
    public void Parse_DesignExample_GivesTheRoom()
    {
        var room = ParseValid(DesignExample);

        Assert.Equal("skillvl.io/v1", room.ApiVersion);
        Assert.Equal("Room", room.Kind);
        Assert.Equal(new RoomMetadata { Name = "net-basics" }, room.Metadata);
        Assert.Equal([new NetworkDefinition { Name = "lan", Cidr = "10.0.1.0/24" }], room.Networks);
        var web = Assert.Single(room.Machines);
        Assert.Equal("web", web.Name);
        Assert.Equal("tiny", web.Template);
        Assert.Equal(1, web.Cpus);
        Assert.Equal("256Mi", web.Memory);
        Assert.Equal([new NicDefinition { Network = "lan", Ip = "10.0.1.10" }], web.Nics);
        Assert.Equal(new UiPosition { X = 120, Y = 80 }, web.Ui);
    }

    [Fact]
    public void Parse_Json_SameRoomAsYaml()
    {
        const string json = """
            {
              "apiVersion": "skillvl.io/v1",
              "kind": "Room",
              "metadata": { "name": "net-basics" },
              "networks": [ { "name": "lan", "cidr": "10.0.1.0/24" } ],
              "machines": [
                {
                  "name": "web", "template": "tiny", "cpus": 1, "memory": "256Mi",
                  "nics": [ { "network": "lan", "ip": "10.0.1.10" } ],
                  "ui": { "x": 120, "y": 80 }
                }
              ]
            }
            """;

        AssertSameRoom(ParseValid(DesignExample), ParseValid(json));
    }

    [Theory]
    [MemberData(nameof(SchemaViolations))]
    public void Parse_SchemaViolation_NamesTheField(string text, string field, string message)
    {
        var result = RoomDocument.Parse(text);

        Assert.False(result.IsValid);
        Assert.Null(result.Definition);
        Assert.Equal([new ValidationError(field, message)], result.Errors);
    }

    [Theory]
    [MemberData(nameof(MalformedDocuments))]
    public void Parse_MalformedYaml_OneErrorNamingLineAndColumn(string text, string message)
    {
        var result = RoomDocument.Parse(text);

        Assert.Null(result.Definition);
        Assert.Equal([new ValidationError("", message)], result.Errors);
    }

    [Fact]
    public void Parse_UnknownField_NamesThePath()
    {
        var result = RoomDocument.Parse(Room("""
            metadata: { name: a }
            machines:
              - { name: a, template: tiny }
              - name: b
                template: tiny
                nics:
                  - { network: lan }
                  - { network: lan, gateway: 10.0.1.1 }
            """));

        Assert.Equal([new ValidationError("machines[1].nics[1].gateway", "unknown field")], result.Errors);
    }

    [Fact]
    public void Parse_SeveralViolations_AllReportedInDocumentOrder()
    {
        var result = RoomDocument.Parse("""
            apiVersion: skillvl.io/v2
            kind: Room
            metadata: { name: Net }
            networks:
              - { name: lan, cidr: 10.0.1.0/33 }
              - { cidr: 10.0.2.0/24 }
            machines:
              - name: web
                cpus: "2"
                nics: [{ network: lan, ip: 10.0.1.300, mac: x }]
              - { name: db, template: tiny, memory: 1GB }
            extra: true
            """);

        Assert.Equal(
            [
                new ValidationError("apiVersion", "must be 'skillvl.io/v1', but is 'skillvl.io/v2'"),
                new ValidationError("metadata.name", "'Net' is not a valid name: use 1-32 lowercase letters, digits and '-', starting and ending with a letter or digit"),
                new ValidationError("networks[0].cidr", "'10.0.1.0/33' is not a valid IPv4 CIDR (write it like 10.0.1.0/24)"),
                new ValidationError("networks[1].name", "is required"),
                new ValidationError("machines[0].template", "is required"),
                new ValidationError("machines[0].cpus", "must be a whole number, but is the string '2'"),
                new ValidationError("machines[0].nics[0].ip", "'10.0.1.300' is not a valid IPv4 address (write it like 10.0.1.10)"),
                new ValidationError("machines[0].nics[0].mac", "unknown field"),
                new ValidationError("machines[1].memory", "'1GB' is not a valid memory quantity (write it like 256Mi or 1Gi)"),
                new ValidationError("extra", "unknown field"),
            ],
            result.Errors);
    }

    [Fact]
    public void Parse_UnquotedNumbersWhereTextBelongs_StayText()
    {
        var room = ParseValid(Room("""
            metadata: { name: 123, description: 1.5 }
            networks: [{ name: 007, cidr: 10.0.1.0/24 }]
            machines: [{ name: "1", template: 42, memory: 256, nics: [{ network: 007 }] }]
            """));

        Assert.Equal("123", room.Metadata.Name);
        Assert.Equal("1.5", room.Metadata.Description);
        Assert.Equal("007", room.Networks[0].Name);
        Assert.Equal("42", room.Machines[0].Template);
        Assert.Equal("256", room.Machines[0].Memory);
        Assert.Equal("007", room.Machines[0].Nics[0].Network);
    }

    [Theory]
    [InlineData("2", 2)]
    [InlineData("2.0", 2)]
    [InlineData("0x10", 16)]
    [InlineData("0o10", 8)]
    [InlineData("+4", 4)]
    public void Parse_IntegerSpellings_AreNumbers(string cpus, int expected)
    {
        var room = ParseValid(Room($"metadata: {{ name: a }}\nmachines: [{{ name: a, template: tiny, cpus: {cpus} }}]\n"));

        Assert.Equal(expected, room.Machines[0].Cpus);
    }

    [Fact]
    public void Parse_ExplicitStringTag_IsText()
    {
        var result = RoomDocument.Parse(Room("metadata: { name: a }\nmachines: [{ name: a, template: tiny, cpus: !!str 5 }]\n"));

        Assert.Equal([new ValidationError("machines[0].cpus", "must be a whole number, but is the string '5'")], result.Errors);
    }

    [Fact]
    public void Parse_AbsentOptionalFields_StayAbsent()
    {
        var room = ParseValid(Room("""
            metadata: { name: a }
            networks: [{ name: lan, cidr: 10.0.1.0/24 }]
            machines: [{ name: a, template: tiny, nics: [{ network: lan }] }]
            """));

        Assert.Null(room.Metadata.Description);
        Assert.Null(room.Networks[0].Mtu);
        Assert.Null(room.Networks[0].Ui);
        Assert.Null(room.Machines[0].Cpus);
        Assert.Null(room.Machines[0].Memory);
        Assert.Null(room.Machines[0].Ui);
        Assert.Null(room.Machines[0].Nics[0].Ip);
    }

    [Fact]
    public void Parse_NoNetworksOrMachines_IsValidAndEmpty()
    {
        var room = ParseValid(Room("metadata: { name: empty }\n"));

        Assert.Empty(room.Networks);
        Assert.Empty(room.Machines);
    }

    [Fact]
    public void Parse_Aliases_AreExpanded()
    {
        var room = ParseValid(Room("""
            metadata: { name: a }
            networks: [{ name: lan, cidr: 10.0.1.0/24 }]
            machines:
              - { name: a, template: tiny, ui: &left { x: 10, y: 20 } }
              - { name: b, template: tiny, ui: *left }
            """));

        Assert.Equal(new UiPosition { X = 10, Y = 20 }, room.Machines[1].Ui);
    }

    [Fact]
    public void Parse_AliasBomb_IsRefusedNotExpanded()
    {
        // Six levels of ten aliases each: a million values if expanded.
        var text = "a: &a [1,1,1,1,1,1,1,1,1,1]\n";
        foreach (var (name, previous) in new[] { ("b", "a"), ("c", "b"), ("d", "c"), ("e", "d"), ("f", "e") })
        {
            text += $"{name}: &{name} [{string.Join(",", Enumerable.Repeat("*" + previous, 10))}]\n";
        }

        var result = RoomDocument.Parse(text);

        Assert.Equal([new ValidationError("", "the document has more than 100000 values (aliases included)")], result.Errors);
    }

    [Fact]
    public void Parse_DeepNesting_IsRefused()
    {
        var result = RoomDocument.Parse(new string('[', 1000) + new string(']', 1000));

        Assert.Equal([new ValidationError("", "line 1, column 65: nested more than 64 levels deep")], result.Errors);
    }

    [Fact]
    public void Parse_ByteOrderMark_IsIgnored()
    {
        AssertSameRoom(ParseValid(DesignExample), ParseValid("\uFEFF" + DesignExample));
    }

    [Fact]
    public void Parse_CrLfLineEndings_AreAccepted()
    {
        AssertSameRoom(ParseValid(DesignExample), ParseValid(DesignExample.ReplaceLineEndings("\r\n")));
    }

    [Fact]
    public void Parse_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => RoomDocument.Parse(null!));
    }

    [Fact]
    public async Task Parse_InParallel_GivesTheSameErrors()
    {
        // JsonSchema.Net 7.4 is not thread-safe on a shared schema (json-everything issue #929).
        var text = Room("metadata: { name: a }\nmachines: [{ name: web, template: tiny, cpus: 99, nics: [{ network: lan, ip: x }] }]\n");
        var expected = RoomDocument.Parse(text).Errors;

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => RoomDocument.Parse(text))))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal(expected, r.Errors));
        Assert.Equal(2, expected.Count);
    }
}
