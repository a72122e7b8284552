using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// A node of a foreign lab file with its path (<c>topology.nodes.r1.image</c>, <c>hosts[2].name</c>) and line, so every
/// error and every note names its place in the file. Reads only what an importer asks for: aliases are never expanded
/// into a copy, so a nest of them costs nothing.
/// </summary>
internal sealed class ForeignNode(YamlNode node, string path)
{
    /// <summary>A lab file is a page of YAML; 1 MiB is far beyond any lab and bounds the parser's work.</summary>
    public const int MaxCharacters = 1 << 20;

    public YamlNode Node { get; } = node;

    public string Path { get; } = path;

    public int Line => (int)Node.Start.Line;

    public bool IsMapping => Node is YamlMappingNode;

    public static ForeignNode Load(string text, string formatName)
    {
        if (text.Length > MaxCharacters)
        {
            throw new LabImportException("", 1, $"the file has {text.Length} characters; a {formatName} file here is at most {MaxCharacters}");
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text.StartsWith('\uFEFF') ? text[1..] : text));
        }
        catch (YamlException e)
        {
            throw new LabImportException("", (int)e.Start.Line, $"not YAML: {e.Message}");
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new LabImportException("", 1, $"a {formatName} file is one YAML document whose top is a mapping");
        }

        return new ForeignNode(root, "");
    }

    /// <summary>The mapping's entries in file order (keys as text); an error naming the path when this is no mapping.</summary>
    public IEnumerable<(string Key, ForeignNode Value)> Entries()
    {
        var mapping = Node as YamlMappingNode ?? throw Error("a mapping was expected here");
        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? throw new LabImportException(Path, (int)key.Start.Line, "a key must be a plain text");
            yield return (name, new ForeignNode(value, Child(name)));
        }
    }

    public IEnumerable<ForeignNode> Items()
    {
        var sequence = Node as YamlSequenceNode ?? throw Error("a list was expected here");
        return sequence.Children.Select((item, i) => new ForeignNode(item, $"{Path}[{i.ToString(CultureInfo.InvariantCulture)}]"));
    }

    public ForeignNode? Get(string key) =>
        Node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? new ForeignNode(value, Child(key))
            : null;

    public ForeignNode Required(string key) => Get(key) ?? throw Error($"'{key}' is required here");

    /// <summary>The text of a scalar; an error naming the path when this is a mapping or a list.</summary>
    public string Text() => (Node as YamlScalarNode)?.Value ?? throw Error("a single value was expected here");

    public string? TextOf(string key) => Get(key)?.Text();

    public int? IntOf(string key)
    {
        var value = Get(key);
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value.Text(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw value.Error($"'{value.Text()}' is not a whole number");
    }

    public bool? BoolOf(string key)
    {
        var value = Get(key);
        return value is null ? null : value.Text().ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw value.Error($"'{value.Text()}' is not true or false"),
        };
    }

    public LabImportException Error(string message) => new(Path, Line, message);

    public ImportNote Note(string message) => new(Path, Line, message);

    private string Child(string key) =>
        Path.Length == 0 ? key : key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? $"{Path}.{key}" : $"{Path}[\"{key}\"]";
}
