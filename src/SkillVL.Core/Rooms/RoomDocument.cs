using System.Text.Encodings.Web;
using System.Text.Json;

namespace SkillVL.Core.Rooms;

/// <summary>
/// The room.yaml v1 document (DESIGN.md §6): reading it (YAML or JSON) against the published schema, and
/// writing a <see cref="RoomDefinition"/> back out without losing anything, layout included. Semantic
/// checks (unique names, addresses, templates, sizes) are <see cref="RoomValidator"/>'s.
/// </summary>
public static class RoomDocument
{
    /// <summary>Where the schema is published; also its "$id".</summary>
    public const string SchemaId = "https://skillvl.io/schemas/room-v1.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NewLine = "\n",

        // Descriptions are prose: keep "it's" and "<router>" readable rather than \u0027 and \u003C. The
        // output is a document or an API body, never inlined into HTML, where this escaping would matter.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The JSON Schema (draft 2020-12) of room documents, as embedded in this assembly.</summary>
    public static string SchemaJson => RoomSchema.Instance.Text;

    /// <summary>
    /// Reads a room document, YAML or JSON. Malformed YAML gives one error naming line and column; a
    /// well-formed document gives one error per field that breaks the schema. The definition is returned
    /// only when there are no errors.
    /// </summary>
    public static RoomParseResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var schema = RoomSchema.Instance;
        if (!RoomYamlReader.TryRead(text, schema, out var tree, out var error))
        {
            return new RoomParseResult(null, [error!]);
        }

        var results = schema.Evaluate(tree.Root);
        if (!results.IsValid)
        {
            return new RoomParseResult(null, RoomSchemaErrors.Explain(results, tree, schema));
        }

        var definition = tree.Root.Deserialize<RoomDefinition>(JsonOptions)
            ?? throw new InvalidOperationException("a schema-valid room document read as null");
        return new RoomParseResult(definition, []);
    }

    /// <summary>The room as YAML: camelCase fields in the records' order, absent optional fields left out.</summary>
    public static string ToYaml(RoomDefinition room)
    {
        ArgumentNullException.ThrowIfNull(room);
        var node = JsonSerializer.SerializeToNode(room, JsonOptions)
            ?? throw new InvalidOperationException("a room serialized to null");
        return RoomYamlWriter.Write(node);
    }

    /// <summary>The room as indented JSON: camelCase fields in the records' order, nulls left out.</summary>
    public static string ToJson(RoomDefinition room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return JsonSerializer.Serialize(room, JsonOptions);
    }
}
