using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SkillVL.Core.Rooms;

/// <summary>
/// Writes JSON nodes as YAML in the hand-written style of DESIGN.md §6: block style, except that small
/// mappings of plain values go on one line ("- { name: lan, cidr: 10.0.1.0/24 }", "ui: { x: 120, y: 80 }").
/// Strings that a YAML reader would take for a number, boolean or null are quoted, so the text means the
/// same to any YAML tool, not only to <see cref="RoomDocument.Parse"/>.
/// </summary>
internal static class RoomYamlWriter
{
    /// <summary>A one-line mapping stays short enough to read at a glance.</summary>
    private const int MaxFlowEntries = 3;
    private const int MaxFlowCharacters = 60;

    public static string Write(JsonNode root)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };

        // Width int.MaxValue: never fold long strings (folding round-trips, but a diff of a re-folded
        // description is noise). indentSequences: "  - name: web" under its key, like kubectl output.
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024, false, true, "\n"));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, root);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, FitsOnOneLine(obj) ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;

            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;

            case null:
                EmitPlain(emitter, "null");
                break;

            default:
                if (node.GetValueKind() == JsonValueKind.String)
                {
                    EmitString(emitter, node.GetValue<string>());
                }
                else
                {
                    // Numbers and booleans: JSON's spelling is also YAML 1.2's.
                    EmitPlain(emitter, node.ToJsonString());
                }

                break;
        }
    }

    private static void EmitString(IEmitter emitter, string text)
    {
        var style = YamlScalars.NeedsQuotes(text) || !IsPlainSafe(text) ? ScalarStyle.DoubleQuoted
            : text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : ScalarStyle.Any;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true));
    }

    /// <summary>
    /// Whether the emitter may choose plain or block style for the text. YamlDotNet 16.3 writes "\ttab" plain,
    /// and a reader drops the tab; edge whitespace and control characters only survive double quotes.
    /// Multi-line prose without those reads best as a literal block.
    /// </summary>
    private static bool IsPlainSafe(string text)
    {
        if (text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])))
        {
            return false;
        }

        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0 && (char.IsWhiteSpace(line[0]) || char.IsWhiteSpace(line[^1])))
            {
                return false;
            }

            foreach (var c in line)
            {
                if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF' or '\u0085')
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static void EmitPlain(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, false));

    private static bool FitsOnOneLine(JsonObject obj)
    {
        if (obj.Count == 0 || obj.Count > MaxFlowEntries)
        {
            return obj.Count == 0;
        }

        var characters = 0;
        foreach (var (key, value) in obj)
        {
            if (value is JsonObject or JsonArray)
            {
                return false;
            }

            var text = value is null ? "null" : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
            if (text.Contains('\n', StringComparison.Ordinal))
            {
                return false;
            }

            characters += key.Length + text.Length + 4;
        }

        return characters <= MaxFlowCharacters;
    }
}
