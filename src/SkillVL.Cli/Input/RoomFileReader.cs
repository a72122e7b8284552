using System.Text.Json;
using SkillVL.Cli.Http;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SkillVL.Cli.Input;

/// <summary>
/// Reads a room document. Only metadata.name is looked at here (the PUT URL needs it); everything else is
/// the server's to validate, so the CLI and the web designer get the same answers.
/// </summary>
internal static class RoomFileReader
{
    public const string StdinPath = "-";

    public static async Task<RoomFile> ReadAsync(string path, TextReader stdin, CancellationToken cancellationToken)
    {
        var source = path == StdinPath ? "stdin" : path;
        string text;
        try
        {
            text = path == StdinPath
                ? await stdin.ReadToEndAsync(cancellationToken)
                : await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {source}: {e.Message}", ExitCodes.InvalidInput);
        }

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

    private static string? NameFromYaml(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
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

        if (stream.Documents.Count != 1)
        {
            throw new CliException(
                $"{source}: holds {stream.Documents.Count} YAML documents; apply one room per file", ExitCodes.InvalidInput);
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new CliException($"{source}: a room document is a mapping (apiVersion, kind, metadata, ...)", ExitCodes.InvalidInput);
        }

        return root.Children.TryGetValue(new YamlScalarNode("metadata"), out var metadata)
            && metadata is YamlMappingNode metadataMap
            && metadataMap.Children.TryGetValue(new YamlScalarNode("name"), out var name)
            && name is YamlScalarNode scalar
                ? scalar.Value
                : null;
    }
}
