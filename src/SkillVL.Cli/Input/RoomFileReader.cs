using System.Text.Json;
using SkillVL.Cli.Http;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SkillVL.Cli.Input;

/// <summary>
/// Reads a room document. Only metadata.name is looked at here (the PUT URL needs it); everything else is
/// the server's to validate, so the CLI and the web designer get the same answers.
/// </summary>
internal static class RoomFileReader
{
    public const string StdinPath = "-";

    /// <summary>Deepest nesting read: the Server's room reader refuses documents nested deeper than 64 levels too.</summary>
    private const int MaxDepth = 64;

    public static async Task<RoomFile> ReadAsync(string path, TextReader stdin, CancellationToken cancellationToken)
    {
        var source = path == StdinPath ? "stdin" : path;
        var text = await ReadTextAsync(path, stdin, cancellationToken);

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliException($"{source}: the document is empty", ExitCodes.InvalidInput);
        }

        var mediaType = MediaTypeOf(path, text);
        var name = mediaType == MediaTypes.Json ? NameFromJson(text, source) : NameFromYaml(text, source);
        return string.IsNullOrWhiteSpace(name)
            ? throw new CliException($"{source}: metadata.name: required (the room's name)", ExitCodes.InvalidInput)
            : new RoomFile(name, text, mediaType, source);
    }

    /// <summary>A file's text, or stdin's for <c>-</c>; a CLI error (exit 4) naming the file when it cannot be read.</summary>
    public static async Task<string> ReadTextAsync(string path, TextReader stdin, CancellationToken cancellationToken)
    {
        try
        {
            return path == StdinPath ? await stdin.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {(path == StdinPath ? "stdin" : path)}: {e.Message}", ExitCodes.InvalidInput);
        }
    }

    /// <summary>By extension; for stdin or an unknown extension, a document starting with '{' is JSON.</summary>
    public static string MediaTypeOf(string path, string text)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".json" => MediaTypes.Json,
            ".yaml" or ".yml" => MediaTypes.Yaml,
            _ => text.TrimStart().StartsWith('{') ? MediaTypes.Json : MediaTypes.Yaml,
        };
    }

    private static string? NameFromJson(string text, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("metadata", out var metadata)
                && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("name", out var name)
                && name.ValueKind == JsonValueKind.String
                    ? name.GetString()
                    : null;
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}: " : "";
            throw new CliException($"{source}: {where}not valid JSON: {e.Message}", ExitCodes.InvalidInput);
        }
    }

    /// <summary>
    /// Walks the YAML events with an explicit stack and a depth limit: YamlDotNet's representation model
    /// (YamlStream.Load) recurses once per nesting level, so 10000 nested '[' overflowed the stack and killed the
    /// process (issue 11, finding 11) — an overflow cannot be caught in .NET. The Server refuses such documents
    /// at the same depth.
    /// </summary>
    private static string? NameFromYaml(string text, string source)
    {
        try
        {
            return NameFromEvents(new Parser(new StringReader(text)), source);
        }
        catch (YamlException e)
        {
            throw new CliException(
                $"{source}: line {e.Start.Line}, column {e.Start.Column}: not valid YAML: {e.Message}", ExitCodes.InvalidInput);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, for some unterminated flow collections
            // ("machines: [" at the end of the text).
            throw new CliException($"{source}: not valid YAML (an unclosed [ or {{?)", ExitCodes.InvalidInput);
        }
    }

    private static string? NameFromEvents(Parser parser, string source)
    {
        // One frame per open collection: whether it is a mapping, whether its next node is a key, and the key
        // its current value belongs to.
        var frames = new Stack<(bool Mapping, bool AtKey, string? Key)>();
        string? name = null;
        var documents = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            switch (current)
            {
                case DocumentStart:
                    documents++;
                    continue;
                case MappingEnd or SequenceEnd:
                    frames.Pop();
                    continue;
                case StreamStart or StreamEnd or DocumentEnd or Comment:
                    continue;
            }

            // A node: a scalar, an alias or the start of a collection.
            var path = frames.Reverse().Select(f => f.Key).ToList();
            if (frames.Count == 0 && documents == 1 && current is not MappingStart)
            {
                throw new CliException($"{source}: a room document is a mapping (apiVersion, kind, metadata, ...)", ExitCodes.InvalidInput);
            }

            var isKey = frames.Count > 0 && frames.Peek() is { Mapping: true, AtKey: true };
            if (frames.Count > 0)
            {
                var top = frames.Pop();
                frames.Push(top.Mapping
                    ? top with { AtKey = !top.AtKey, Key = top.AtKey ? (current as Scalar)?.Value : top.Key }
                    : top);
            }

            if (!isKey && documents == 1 && current is Scalar value && path is ["metadata", "name"])
            {
                name = value.Value;
            }

            if (current is MappingStart or SequenceStart)
            {
                if (frames.Count >= MaxDepth)
                {
                    throw new CliException(
                        $"{source}: line {current.Start.Line}, column {current.Start.Column}: nested more than {MaxDepth} levels deep",
                        ExitCodes.InvalidInput);
                }

                frames.Push((current is MappingStart, true, null));
            }
        }

        return documents == 1
            ? name
            : throw new CliException($"{source}: holds {documents} YAML documents; apply one room per file", ExitCodes.InvalidInput);
    }
}
