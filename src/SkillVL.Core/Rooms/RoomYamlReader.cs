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

        // A byte order mark left by an editor would otherwise become part of the first key.
        text = text.StartsWith('\uFEFF') ? text[1..] : text;
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
            error = Malformed(exception, text);
            return false;
        }
        catch (InvalidOperationException)
        {
            error = Truncated();
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
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is NodeEvent { Anchor.IsEmpty: false } anchored)
                {
                    anchors.Add(anchored.Anchor.Value);
                }

                switch (parser.Current)
                {
                    // YamlDotNet's loader reports an undefined alias at line 1, column 1; here we know where it is.
                    case AnchorAlias alias when !anchors.Contains(alias.Value.Value):
                        return new ValidationError(
                            FieldPath.Root,
                            $"invalid YAML at line {alias.Start.Line}, column {alias.Start.Column}: alias *{alias.Value.Value} refers to no anchor (&{alias.Value.Value}) before it");
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
            return Malformed(exception, text);
        }
        catch (InvalidOperationException)
        {
            return Truncated();
        }

        return documents == 0 ? new ValidationError(FieldPath.Root, "the document is empty") : null;
    }

    /// <summary>
    /// YamlDotNet 16's scanner throws InvalidOperationException instead of a YamlException when the text ends
    /// inside an unclosed flow collection (e.g. "metadata: { name: x" at the end of the file).
    /// </summary>
    private static ValidationError Truncated() =>
        new(FieldPath.Root, "invalid YAML: the document ends inside an unclosed '{', '[' or quoted string");

    private static ValidationError Malformed(YamlException exception, string text)
    {
        var (line, column) = ((int)exception.Start.Line, (int)exception.Start.Column);

        // YamlDotNet places "found invalid tab as indentation" at the start of the enclosing mapping (often
        // line 1); the tab itself is what the author needs to find.
        if (exception.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstIndentingTab(text) is { } tab)
        {
            (line, column) = tab;
        }

        return new ValidationError(FieldPath.Root, $"invalid YAML at line {line}, column {column}: {exception.Message}");
    }

    private static (int Line, int Column)? FirstIndentingTab(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            var tab = lines[i].IndexOf('\t', 0, indent);
            if (tab >= 0)
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }

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
