using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace SkillVL.Core.Rooms;

/// <summary>
/// Turns JSON Schema results into <see cref="ValidationError"/>s a room author can act on: the field's
/// readable path ("machines[1].nics[0].ip", not "/machines/1/nics/0/ip") and a plain-words message instead
/// of the evaluator's ("The string value is not a match for the indicated regular expression").
/// One error per field, in document order.
/// </summary>
internal static class RoomSchemaErrors
{
    /// <summary>What a pattern means, by the name of the "$defs" entry that declares it.</summary>
    private static readonly Dictionary<string, string> PatternMeanings = new(StringComparer.Ordinal)
    {
        ["name"] = "is not a valid name: use 1-32 lowercase letters, digits and '-', starting and ending with a letter or digit",
        ["ipv4Address"] = "is not a valid IPv4 address (write it like 10.0.1.10)",
        ["ipv4Cidr"] = "is not a valid IPv4 CIDR (write it like 10.0.1.0/24)",
        ["quantity"] = "is not a valid memory quantity (write it like 256Mi or 1Gi)",
    };

    public static IReadOnlyList<ValidationError> Explain(EvaluationResults results, YamlTree tree, RoomSchema schema)
    {
        var found = new List<Found>();
        foreach (var detail in results.Details.Prepend(results))
        {
            if (!detail.HasErrors)
            {
                continue;
            }

            var (instance, path) = Locate(tree.Root, detail.InstanceLocation);
            var schemaNode = schema.At(detail.SchemaLocation.OriginalString) as JsonObject;
            foreach (var (keyword, message) in detail.Errors!)
            {
                found.AddRange(Describe(keyword, message, instance, path, schemaNode, detail));
            }
        }

        var ordered = found
            .Select((error, index) => (Error: error, Index: index))
            .GroupBy(e => e.Error.Field, StringComparer.Ordinal)
            .Select(g => g.OrderBy(e => e.Error.Priority).ThenBy(e => e.Index).First())
            .OrderBy(e => PositionOf(tree, e.Error.Anchor))
            .ThenBy(e => e.Index)
            .Select(e => new ValidationError(e.Error.Field, e.Error.Message))
            .ToList();

        // The evaluator failed without saying why (should not happen with this schema): still say something.
        return ordered.Count > 0 ? ordered : [new ValidationError(FieldPath.Root, "does not match the room schema")];
    }

    private static IEnumerable<Found> Describe(
        string keyword, string evaluatorMessage, JsonNode? instance, string path, JsonObject? schemaNode, EvaluationResults detail)
    {
        switch (keyword)
        {
            case "" when detail.SchemaLocation.OriginalString.EndsWith("/additionalProperties", StringComparison.Ordinal):
                yield return new Found(path, path, "unknown field", 0);
                break;

            case "required":
                var present = instance as JsonObject;
                foreach (var name in (schemaNode?["required"] as JsonArray ?? []).Select(n => n?.GetValue<string>() ?? ""))
                {
                    if (present is null || !present.ContainsKey(name))
                    {
                        yield return new Found(FieldPath.Property(path, name), path, "is required", 1);
                    }
                }

                break;

            case "type":
                var wanted = schemaNode?["type"]?.GetValue<string>() ?? "";
                yield return new Found(path, path, $"must be {TypeInWords(wanted)}, but is {ValueInWords(instance)}", 1);
                break;

            case "const":
                var constant = schemaNode?["const"];
                yield return new Found(path, path, $"must be {Quote(constant)}, but is {Quote(instance)}", 2);
                break;

            case "pattern":
                var meaning = DefinitionName(detail) is { } definition && PatternMeanings.TryGetValue(definition, out var known)
                    ? known
                    : $"does not match the pattern {schemaNode?["pattern"]?.GetValue<string>()}";
                yield return new Found(path, path, $"{Quote(instance)} {meaning}", 3);
                break;

            case "minimum" or "maximum":
                var minimum = schemaNode?["minimum"];
                var maximum = schemaNode?["maximum"];
                var range = (minimum, maximum) switch
                {
                    ({ } min, { } max) => $"between {min.ToJsonString()} and {max.ToJsonString()}",
                    ({ } min, null) => $"at least {min.ToJsonString()}",
                    (null, { } max) => $"at most {max.ToJsonString()}",
                    _ => "in range",
                };
                yield return new Found(path, path, $"must be {range}, but is {instance?.ToJsonString()}", 3);
                break;

            case "minLength":
                var minLength = schemaNode?["minLength"]?.GetValue<int>() ?? 0;
                yield return new Found(
                    path, path, minLength <= 1 ? "must not be empty" : $"must be at least {minLength} characters long", 3);
                break;

            case "maxLength":
                var maxLength = schemaNode?["maxLength"]?.GetValue<int>() ?? 0;
                yield return new Found(path, path, $"must be at most {maxLength} characters long", 4);
                break;

            default:
                yield return new Found(path, path, $"{keyword}: {evaluatorMessage}", 9);
                break;
        }
    }

    /// <summary>The node at a JSON pointer and its readable path; past a missing step, the last one found.</summary>
    private static (JsonNode? Node, string Path) Locate(JsonNode? root, Json.Pointer.JsonPointer pointer)
    {
        var node = root;
        var path = FieldPath.Root;
        for (var i = 0; i < pointer.Count; i++)
        {
            string segment = pointer[i];
            if (node is JsonArray array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < array.Count)
            {
                node = array[index];
                path = FieldPath.Index(path, index);
            }
            else
            {
                node = node is JsonObject obj ? obj[segment] : null;
                path = FieldPath.Property(path, segment);
            }
        }

        return (node, path);
    }

    /// <summary>"name" for a failure at ".../$defs/name".</summary>
    private static string? DefinitionName(EvaluationResults detail)
    {
        var location = Uri.UnescapeDataString(detail.SchemaLocation.OriginalString);
        var marker = location.LastIndexOf("/$defs/", StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }

        var name = location[(marker + "/$defs/".Length)..];
        return name.Contains('/', StringComparison.Ordinal) ? null : name;
    }

    private static (int Line, int Column) PositionOf(YamlTree tree, string path) =>
        tree.Positions.TryGetValue(path, out var position) ? position : (int.MaxValue, int.MaxValue);

    private static string TypeInWords(string type) => type switch
    {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "object" => "a mapping",
        "array" => "a list",
        "null" => "empty",
        _ => type,
    };

    private static string ValueInWords(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "empty",
        JsonValueKind.Object => "a mapping",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string {Quote(node)}",
        JsonValueKind.Number => $"the number {node.ToJsonString()}",
        _ => $"the boolean {node.ToJsonString()}",
    };

    private static string Quote(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "empty",
        JsonValueKind.String => $"'{node.GetValue<string>()}'",
        JsonValueKind.Object => "a mapping",
        JsonValueKind.Array => "a list",
        _ => node.ToJsonString(),
    };

    /// <param name="Field">The offending field.</param>
    /// <param name="Anchor">The nearest existing field, for ordering (a missing field sorts at its parent).</param>
    /// <param name="Message">What is wrong.</param>
    /// <param name="Priority">Lower wins when one field breaks several rules: say the most basic problem.</param>
    private sealed record Found(string Field, string Anchor, string Message, int Priority);
}
