using System.Text.Json.Nodes;
using Json.Schema;
using SkillVL.Core.Addressing;
using SkillVL.Core.Quantities;
using SkillVL.Core.Rooms;
using Xunit;

namespace SkillVL.Core.Tests.Rooms;

public sealed class RoomSchemaTests
{
    private static readonly JsonObject Schema = JsonNode.Parse(RoomDocument.SchemaJson)!.AsObject();

    [Fact]
    public void SchemaJson_IsAValidDraft202012Schema()
    {
        var results = MetaSchemas.Draft202012.Evaluate(
            JsonNode.Parse(RoomDocument.SchemaJson), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(results.IsValid, string.Join("; ", results.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Values)));
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)Schema["$schema"]);
        Assert.Equal("https://skillvl.io/schemas/room-v1.json", (string?)Schema["$id"]);
        Assert.Equal(RoomDocument.SchemaId, (string?)Schema["$id"]);
    }

    [Fact]
    public void SchemaJson_DesignExamplePasses()
    {
        const string example = """
            {
              "apiVersion": "skillvl.io/v1",
              "kind": "Room",
              "metadata": { "name": "net-basics" },
              "networks": [ { "name": "lan", "cidr": "10.0.1.0/24" } ],
              "machines": [ { "name": "web", "template": "tiny", "cpus": 1, "memory": "256Mi",
                              "nics": [ { "network": "lan", "ip": "10.0.1.10" } ], "ui": { "x": 120, "y": 80 } } ]
            }
            """;

        Assert.True(Evaluate(JsonNode.Parse(example)));
        Assert.True(RoomDocument.Parse(RoomSamples.DesignExample).IsValid);
    }

    [Fact]
    public void SchemaJson_EveryFieldHasADescription()
    {
        var fields = Subschemas(Schema)
            .Where(s => s.Schema["properties"] is JsonObject)
            .SelectMany(s => s.Schema["properties"]!.AsObject().Select(p => (Path: $"{s.Path}/properties/{p.Key}", Schema: p.Value!)))
            .ToList();

        Assert.NotEmpty(fields);
        Assert.All(fields, f => Assert.True(f.Schema["description"] is JsonValue, $"{f.Path} has no description"));
        Assert.All(
            ((JsonObject)Schema["$defs"]!).Select(d => d.Key),
            name => Assert.True(Schema["$defs"]![name]!["description"] is JsonValue, $"$defs/{name} has no description"));
    }

    [Fact]
    public void SchemaJson_EveryObjectForbidsUnknownFields()
    {
        // Maps (machine.nodeLabels) say what their values are instead; every other object is closed.
        var objects = Subschemas(Schema)
            .Where(s => (string?)s.Schema["type"] == "object" && s.Schema["additionalProperties"] is not JsonObject)
            .ToList();

        // the room, metadata, network, machine, nic, uiPosition, placement, lifetime, router, routerInterface, route, dhcp, check, check.expect, machine.cloudInit
        Assert.Equal(15, objects.Count);
        Assert.All(objects, o => Assert.True(o.Schema["additionalProperties"] is JsonValue v && !v.GetValue<bool>(), o.Path));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("net-basics", true)]
    [InlineData("0", true)]
    [InlineData("a1-b2", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", false)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("A", false)]
    [InlineData("a_b", false)]
    [InlineData("a.b", false)]
    [InlineData("a b", false)]
    public void NamePattern_IsADnsLabelOfAtMost32(string name, bool valid)
    {
        Assert.Equal(valid, Evaluate(Document($"\"metadata\": {{ \"name\": \"{name}\" }}")));
    }

    [Theory]
    [InlineData("10.0.1.10")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.1.256")]
    [InlineData("10.0.1.010")]
    [InlineData("10.0.1")]
    [InlineData("10.0.1.10.")]
    [InlineData("10.0.1.10/24")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("::1")]
    public void IpPattern_AgreesWithIpv4Address(string ip)
    {
        var expected = Ipv4Address.TryParse(ip, out _);

        Assert.Equal(expected, Evaluate(Machine($"\"nics\": [{{ \"network\": \"lan\", \"ip\": \"{ip}\" }}]")));
    }

    [Theory]
    [InlineData("10.0.1.0/24")]
    [InlineData("10.0.1.5/24")]
    [InlineData("0.0.0.0/0")]
    [InlineData("10.0.0.0/32")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.256/24")]
    [InlineData("fd00::/64")]
    public void CidrPattern_AgreesWithIpv4Cidr(string cidr)
    {
        // The pattern admits host bits (10.0.1.5/24) so the validator can suggest the network.
        var expected = Ipv4Cidr.TryParseHostWithPrefix(cidr, out _, out _);

        Assert.Equal(expected, Evaluate(Document($"\"networks\": [{{ \"name\": \"lan\", \"cidr\": \"{cidr}\" }}]")));
    }

    [Theory]
    [InlineData("256Mi")]
    [InlineData("1Gi")]
    [InlineData("512M")]
    [InlineData("1048576")]
    [InlineData("2Ti")]
    [InlineData("1.5Gi")]
    [InlineData("256MB")]
    [InlineData("256mi")]
    [InlineData("Mi")]
    [InlineData("-1")]
    [InlineData("1Pi")]
    public void QuantityPattern_AgreesWithMemoryQuantity(string memory)
    {
        var expected = MemoryQuantity.TryParseBytes(memory, out _);

        Assert.Equal(expected, Evaluate(Machine($"\"memory\": \"{memory}\"")));
    }

    [Theory]
    [InlineData("\"cpus\": 1", true)]
    [InlineData("\"cpus\": 64", true)]
    [InlineData("\"cpus\": 0", false)]
    [InlineData("\"cpus\": 65", false)]
    [InlineData("\"cpus\": 1.5", false)]
    [InlineData("\"memory\": 256", false)]
    [InlineData("\"ui\": { \"x\": -1.5, \"y\": 1e6 }", true)]
    [InlineData("\"ui\": { \"x\": 1 }", false)]
    [InlineData("\"ui\": { \"x\": \"1\", \"y\": 2 }", false)]
    public void MachineFields_HaveTheirTypesAndRanges(string field, bool valid)
    {
        Assert.Equal(valid, Evaluate(Machine(field)));
    }

    [Theory]
    [InlineData(576, true)]
    [InlineData(9000, true)]
    [InlineData(575, false)]
    [InlineData(9001, false)]
    public void Mtu_Is576To9000(int mtu, bool valid)
    {
        Assert.Equal(valid, Evaluate(Document($"\"networks\": [{{ \"name\": \"lan\", \"cidr\": \"10.0.1.0/24\", \"mtu\": {mtu} }}]")));
    }

    private static bool Evaluate(JsonNode? instance) =>
        SchemaGate.Evaluate(instance);

    private static JsonNode? Document(string fields)
    {
        var text = fields.StartsWith("\"metadata\"", StringComparison.Ordinal)
            ? $"{{ \"apiVersion\": \"skillvl.io/v1\", \"kind\": \"Room\", {fields} }}"
            : $"{{ \"apiVersion\": \"skillvl.io/v1\", \"kind\": \"Room\", \"metadata\": {{ \"name\": \"a\" }}, {fields} }}";
        return JsonNode.Parse(text);
    }

    private static JsonNode? Machine(string fields) =>
        Document($"\"machines\": [{{ \"name\": \"m\", \"template\": \"tiny\", {fields} }}]");

    /// <summary>Every schema object in the tree with its JSON pointer.</summary>
    private static IEnumerable<(string Path, JsonObject Schema)> Subschemas(JsonObject node, string path = "")
    {
        yield return (path, node);
        foreach (var (key, child) in node)
        {
            if (child is JsonObject obj && key is not "const")
            {
                foreach (var sub in Subschemas(obj, $"{path}/{key}"))
                {
                    yield return sub;
                }
            }
        }
    }

    /// <summary>One compiled copy of the schema for these tests, evaluated under a lock (json-everything #929).</summary>
    private static class SchemaGate
    {
        private static readonly JsonSchema Compiled = JsonSchema.FromText(RoomDocument.SchemaJson);
        private static readonly EvaluationOptions Options = new();
        private static readonly Lock Gate = new();

        public static bool Evaluate(JsonNode? instance)
        {
            lock (Gate)
            {
                return Compiled.Evaluate(instance, Options).IsValid;
            }
        }
    }
}
