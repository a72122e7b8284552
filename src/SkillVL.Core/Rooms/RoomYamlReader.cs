using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace SkillVL.Core.Rooms;

/// <summary>
/// Reads YAML (or JSON, which is YAML) into System.Text.Json nodes so the JSON Schema can judge it.
/// Plain scalars are typed by what the schema wants at that place: where it wants a string ("memory: 256",
/// "name: 123") the text stays a string, where it wants a number "cpus: 2" becomes one; anywhere else (an
/// unknown field) the YAML 1.2 core schema decides. Quoted scalars are always strings, so "cpus: '2'" is
/// reported as a string where a number belongs, as a JSON reader would.
/// </summary>
internal sealed class RoomYamlReader
{
    /// <summary>
    /// Nesting deeper than any room needs (it has 5 levels); checked before YamlDotNet builds its tree,
    /// whose recursive construction would otherwise overflow the stack on a hostile document.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Aliases are expanded into JSON; a few lines of nested aliases ("billion laughs") would expand to
    /// billions of nodes. A room of hundreds of machines is a few thousand nodes.
    /// </summary>
    public const int MaxNodes = 100_000;

    private const string StringTag = "tag:yaml.org,2002:str";

    private readonly RoomSchema _schema;
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);
    private int _nodes;
    private ValidationError? _error;

    private RoomYamlReader(RoomSchema schema) => _schema = schema;

    /// <summary>Reads one YAML document; false with one error (naming line and column) when it cannot.</summary>
    public static bool TryRead(string text, RoomSchema schema, out YamlTree tree, out ValidationError? error)
    {
        tree = new YamlTree(null, new Dictionary<string, (int Line, int Column)>());
        error = CheckStructure(text);
        if (error is not null)
        {
            return false;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            error = Malformed(exception);
            return false;
        }

        var rootNode = stream.Documents.Count == 1 ? stream.Documents[0].RootNode : null;
        if (rootNode is null || rootNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" })
        {
            error = new ValidationError(FieldPath.Root, "the document is empty");
            return false;
        }

        var reader = new RoomYamlReader(schema);
        reader.Remember(FieldPath.Root, rootNode.Start);
        var root = reader.Convert(rootNode, schema.Root, FieldPath.Root);
        if (reader._error is not null)
        {
            error = reader._error;
            return false;
        }

        tree = new YamlTree(root, reader._positions);
        return true;
    }

    /// <summary>One document, not too deep; and syntax errors, found by a cheap streaming pass.</summary>
    private static ValidationError? CheckStructure(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        var documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart:
                        documents++;
                        if (documents > 1)
                        {
                            return new ValidationError(
                                FieldPath.Root,
                                $"line {parser.Current.Start.Line}: expected one YAML document, found another");
                        }

                        break;
                    case MappingStart or SequenceStart:
                        depth++;
                        if (depth > MaxDepth)
                        {
                            return new ValidationError(
                                FieldPath.Root,
                                $"line {parser.Current.Start.Line}, column {parser.Current.Start.Column}: nested more than {MaxDepth} levels deep");
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException exception)
        {
            return Malformed(exception);
        }

        return documents == 0 ? new ValidationError(FieldPath.Root, "the document is empty") : null;
    }

    private static ValidationError Malformed(YamlException exception) =>
        new(FieldPath.Root, $"invalid YAML at line {exception.Start.Line}, column {exception.Start.Column}: {exception.Message}");

    private JsonNode? Convert(YamlNode node, JsonObject? schema, string path)
    {
        if (_error is not null)
        {
            return null;
        }

        if (++_nodes > MaxNodes)
        {
            _error = new ValidationError(FieldPath.Root, $"the document has more than {MaxNodes} values (aliases included)");
            return null;
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        _error = new ValidationError(
                            path,
                            $"line {keyNode.Start.Line}, column {keyNode.Start.Column}: keys must be plain text, not lists or mappings");
                        return null;
                    }

                    var childPath = FieldPath.Property(path, key);
                    Remember(childPath, keyNode.Start);
                    obj[key] = Convert(valueNode, _schema.Property(schema, key), childPath);
                }

                return obj;

            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var itemSchema = _schema.Items(schema);
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    var itemPath = FieldPath.Index(path, i);
                    Remember(itemPath, item.Start);
                    array.Add(Convert(item, itemSchema, itemPath));
                }

                return array;

            case YamlScalarNode scalar:
                return Scalar(scalar, _schema.TypeOf(schema));

            default:
                _error = new ValidationError(path, $"line {node.Start.Line}: unsupported YAML node");
                return null;
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar, string? wantedType)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        if (scalar.Style != ScalarStyle.Plain || tag is StringTag or "!")
        {
            return JsonValue.Create(text);
        }

        if (YamlScalars.IsNull(text))
        {
            return null;
        }

        switch (wantedType)
        {
            case "string":
                return JsonValue.Create(text);
            case "integer" or "number":
                if (YamlScalars.TryInteger(text, out var integer))
                {
                    return JsonValue.Create(integer);
                }

                // "cpus: 2.0" is an integer to JSON Schema; keep it one for the deserializer too.
                if (YamlScalars.TryFloat(text, out var real))
                {
                    return wantedType == "integer" && real == Math.Floor(real) && Math.Abs(real) <= long.MaxValue / 2
                        ? JsonValue.Create((long)real)
                        : JsonValue.Create(real);
                }

                break;
        }

        if (YamlScalars.TryBoolean(text, out var boolean))
        {
            return JsonValue.Create(boolean);
        }

        if (YamlScalars.TryInteger(text, out var number))
        {
            return JsonValue.Create(number);
        }

        return YamlScalars.TryFloat(text, out var floating) ? JsonValue.Create(floating) : JsonValue.Create(text);
    }

    private void Remember(string path, Mark start) => _positions.TryAdd(path, ((int)start.Line, (int)start.Column));
}
