using System.Text.Json.Nodes;
using Json.Schema;

namespace SkillVL.Core.Rooms;

/// <summary>
/// The embedded room-v1 JSON Schema: its text, its tree (to look up what a field should be while reading
/// YAML and while explaining an error) and the compiled evaluator.
/// </summary>
internal sealed class RoomSchema
{
    public const string ResourceName = "SkillVL.Core.Rooms.room-v1.schema.json";

    private readonly JsonSchema _schema;

    // JsonSchema.Net 7.4 caches per-evaluation state inside the schema object; evaluating one schema from
    // several threads returns random errors (https://github.com/json-everything/json-everything/issues/929).
    // Room documents are small, so one lock costs nothing measurable.
    private readonly Lock _gate = new();
    private readonly EvaluationOptions _options = new() { OutputFormat = OutputFormat.List };

    private RoomSchema(string text)
    {
        Text = text;
        Root = JsonNode.Parse(text)?.AsObject() ?? throw new InvalidOperationException($"{ResourceName} is empty");
        _schema = JsonSchema.FromText(text);
    }

    public static RoomSchema Instance { get; } = Load();

    public string Text { get; }

    public JsonObject Root { get; }

    public EvaluationResults Evaluate(JsonNode? instance)
    {
        lock (_gate)
        {
            return _schema.Evaluate(instance, _options);
        }
    }

    /// <summary>The subschema for a property of an object the given schema describes; null when unknown.</summary>
    public JsonObject? Property(JsonObject? schema, string name) =>
        Resolve(schema)?["properties"]?[name] as JsonObject;

    /// <summary>The subschema for the items of an array the given schema describes; null when unknown.</summary>
    public JsonObject? Items(JsonObject? schema) => Resolve(schema)?["items"] as JsonObject;

    /// <summary>The JSON type the schema asks for ("string", "integer", ...); a string const counts as "string".</summary>
    public string? TypeOf(JsonObject? schema)
    {
        var resolved = Resolve(schema);
        if (resolved?["type"] is JsonValue type && type.TryGetValue<string>(out var name))
        {
            return name;
        }

        return resolved?["const"] is JsonValue constant && constant.TryGetValue<string>(out _) ? "string" : null;
    }

    /// <summary>Follows local "$ref"s ("#/$defs/name"); our schema has no remote ones.</summary>
    public JsonObject? Resolve(JsonObject? schema)
    {
        for (var hops = 0; schema?["$ref"] is JsonValue reference && hops < 8; hops++)
        {
            schema = At(reference.GetValue<string>()) as JsonObject;
        }

        return schema;
    }

    /// <summary>The node at a URI fragment such as "#/$defs/name" (or a full URI ending in one).</summary>
    public JsonNode? At(string uriOrFragment)
    {
        var hash = uriOrFragment.IndexOf('#', StringComparison.Ordinal);
        var pointer = Uri.UnescapeDataString(hash < 0 ? "" : uriOrFragment[(hash + 1)..]);
        JsonNode? node = Root;
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj => obj[segment],
                JsonArray array when int.TryParse(segment, out var index) && index >= 0 && index < array.Count => array[index],
                _ => null,
            };
        }

        return node;
    }

    private static RoomSchema Load()
    {
        using var stream = typeof(RoomSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return new RoomSchema(reader.ReadToEnd());
    }
}
