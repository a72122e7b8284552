using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SkillVL.ProxmoxSimulator;

/// <summary>
/// The official PVE 9.1 API schema (pve-docs <c>apidata.js</c>, flattened to <c>"METHOD /path" → method</c>), used to judge
/// requests the way PVE's <c>PVE::JSONSchema::validate</c> does: unknown path or method (PVE: 501), unknown parameter
/// (<c>additionalProperties 0</c>), missing required parameter, wrong type, enum, range, length, pattern or format.
/// Named formats not listed in <see cref="Formats"/> are not judged (<see cref="UncheckedFormats"/> says which were seen).
/// </summary>
public sealed partial class PveSchema
{
    private static readonly Lazy<PveSchema> Official = new(() => Load(ResearchFiles.Schema));

    private readonly List<(string Method, string[] Segments, string Template, JsonElement Definition)> methods = [];

    private PveSchema(JsonElement root)
    {
        foreach (var entry in root.EnumerateObject())
        {
            var space = entry.Name.IndexOf(' ', StringComparison.Ordinal);
            var template = entry.Name[(space + 1)..];
            methods.Add((entry.Name[..space], template.Trim('/').Split('/'), template, entry.Value));
        }
    }

    public static PveSchema Instance => Official.Value;

    public int Count => methods.Count;

    /// <summary>Named formats met but not judged; reported, so "checked" never claims more than it did.</summary>
    public HashSet<string> UncheckedFormats { get; } = [];

    public static PveSchema Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new PveSchema(document.RootElement.Clone());
    }

    public bool HasMethod(string method, string template) =>
        methods.Exists(m => m.Method == method && m.Template == template);

    /// <summary>Resolves a concrete path (segments unescaped) to the most literal template with that method, or null.</summary>
    public SchemaMatch? Match(string method, string path)
    {
        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var best = methods
            .Where(m => m.Method == method && m.Segments.Length == segments.Length
                && m.Segments.Zip(segments).All(p => p.First.StartsWith('{') || p.First == p.Second))
            .OrderByDescending(m => m.Segments.Count(s => !s.StartsWith('{')))
            .Select(m => (m.Template, m.Definition, m.Segments))
            .FirstOrDefault();
        if (best.Template is null)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Length; i++)
        {
            if (best.Segments[i].StartsWith('{'))
            {
                values[best.Segments[i].Trim('{', '}')] = segments[i];
            }
        }

        return new SchemaMatch(method, best.Template, values, best.Definition);
    }

    /// <summary>Checks path values and parameters against the method; returns PVE-worded problems per parameter (empty: allowed).</summary>
    public Dictionary<string, string> Validate(SchemaMatch match, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(parameters);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var properties = match.Definition.TryGetProperty("parameters", out var p) && p.TryGetProperty("properties", out var props)
            ? props
            : default;
        var given = parameters.GroupBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(kv => kv.Value).ToList(), StringComparer.Ordinal);
        foreach (var (name, value) in match.PathValues)
        {
            given[name] = [value];
        }

        foreach (var (name, values) in given)
        {
            if (Property(properties, name) is not { } schema)
            {
                problems[name] = "property is not defined in schema and the schema does not allow additional properties";
                continue;
            }

            var type = Text(schema, "type") ?? "string";
            if (values.Count > 1 && type != "array")
            {
                problems[name] = "property is not an array (given more than once)";
                continue;
            }

            foreach (var value in values)
            {
                var item = type == "array" && schema.TryGetProperty("items", out var items) ? items : schema;
                if (CheckValue(item, Text(item, "type") ?? "string", value) is { } problem)
                {
                    problems[name] = problem;
                    break;
                }
            }
        }

        if (properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                var optional = property.Value.TryGetProperty("optional", out var o) && o.ValueKind == JsonValueKind.Number && o.GetInt32() == 1;
                if (!optional && !property.Name.EndsWith("[n]", StringComparison.Ordinal) && !given.ContainsKey(property.Name))
                {
                    problems[property.Name] = "property is missing and it is not optional";
                }
            }
        }

        return problems;
    }

    private static JsonElement? Property(JsonElement properties, string name)
    {
        if (properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (properties.TryGetProperty(name, out var direct))
        {
            return direct;
        }

        // Indexed options: the schema says net[n], the wire says net0..net31.
        var stem = name.TrimEnd("0123456789".ToCharArray());
        return stem.Length < name.Length && properties.TryGetProperty(stem + "[n]", out var indexed) ? indexed : null;
    }

    private string? CheckValue(JsonElement schema, string type, string value)
    {
        switch (type)
        {
            case "boolean":
                // check_type accepts only 1/0 from a form body (NOTES.md §3): "true" is the classic client bug.
                return value is "0" or "1" ? null : "type check ('boolean') failed - got '" + value + "'";
            case "integer":
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    return $"type check ('integer') failed - got '{value}'";
                }

                return Range(schema, whole);
            case "number":
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? Range(schema, real) : $"type check ('number') failed - got '{value}'";
            case "string":
                return CheckString(schema, value);
            default:
                return null;
        }
    }

    private static string? Range(JsonElement schema, double value)
    {
        if (Number(schema, "minimum") is { } min && value < min)
        {
            return $"value must have a minimum value of {min}";
        }

        return Number(schema, "maximum") is { } max && value > max ? $"value must have a maximum value of {max}" : null;
    }

    private string? CheckString(JsonElement schema, string value)
    {
        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.GetString() == value))
        {
            return $"value '{value}' does not have a value in the enumeration '{string.Join(", ", values.EnumerateArray().Select(v => v.GetString()))}'";
        }

        if (Number(schema, "maxLength") is { } maxLength && value.Length > maxLength)
        {
            return $"value may only be {maxLength} characters long";
        }

        if (Text(schema, "pattern") is { } pattern && !Regex.IsMatch(value, "^(?:" + FromPerl(pattern) + ")$", RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            return "value does not match the regex pattern";
        }

        if (schema.TryGetProperty("format", out var format))
        {
            if (format.ValueKind == JsonValueKind.Object)
            {
                return PropertyString(format, value);
            }

            var name = format.GetString()!;
            if (Formats.TryGetValue(name, out var check))
            {
                return check.IsMatch(value) ? null : $"value does not look like a valid {name.Replace("pve-", "", StringComparison.Ordinal)}";
            }

            lock (UncheckedFormats)
            {
                UncheckedFormats.Add(name);
            }
        }

        return null;
    }

    /// <summary>A property string (<c>net0=virtio,bridge=room1</c>): every key must be one of the format's.</summary>
    private static string? PropertyString(JsonElement format, string value)
    {
        var hasDefaultKey = format.EnumerateObject().Any(k => k.Value.TryGetProperty("default_key", out _));
        foreach (var (part, index) in value.Split(',').Select((part, index) => (part, index)))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (index == 0 && hasDefaultKey)
                {
                    continue;
                }

                return $"invalid format - value without key, but schema does not define a default key ('{part}')";
            }

            var key = part[..equals];
            if (!format.TryGetProperty(key, out _))
            {
                return $"invalid format - property '{key}' is not defined in the format";
            }
        }

        return null;
    }

    private static string FromPerl(string pattern) =>
        pattern.Replace("(?^i:", "(?i:", StringComparison.Ordinal).Replace("(?^:", "(?:", StringComparison.Ordinal);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.Number ? v.GetDouble()
            : v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null
            : null;

    /// <summary>The named formats judged, from pve-common JSONSchema.pm / pve-network (the ones SkillVL's requests use).</summary>
    private static readonly Dictionary<string, Regex> Formats = new(StringComparer.Ordinal)
    {
        ["pve-node"] = NodePattern(),
        ["pve-vmid"] = VmidPattern(),
        ["pve-storage-id"] = StoragePattern(),
        ["pve-configid"] = StoragePattern(),
        ["pve-poolid"] = PoolPattern(),
        ["dns-name"] = DnsPattern(),
        ["pve-sdn-vnet-id"] = SdnIdPattern(),
        ["pve-sdn-zone-id"] = SdnIdPattern(),
        ["pve-tag-list"] = TagListPattern(),
    };

    [GeneratedRegex(@"^[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$")]
    private static partial Regex NodePattern();

    [GeneratedRegex(@"^[1-9][0-9]{2,8}$")]
    private static partial Regex VmidPattern();

    [GeneratedRegex(@"^[a-z][a-z0-9\-_.]*[a-z0-9]$", RegexOptions.IgnoreCase)]
    private static partial Regex StoragePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_\-]+$")]
    private static partial Regex PoolPattern();

    [GeneratedRegex(@"^([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?$")]
    private static partial Regex DnsPattern();

    // pve-common PVE_TAG_RE, tags separated by ';', ',' or spaces (SkillVL tags its VMs to find them again).
    [GeneratedRegex(@"^[a-z0-9_][a-z0-9_\-+.]*([;, ]+[a-z0-9_][a-z0-9_\-+.]*)*$", RegexOptions.IgnoreCase)]
    private static partial Regex TagListPattern();

    // pve-network: 2-8 characters, a letter first, letters and digits only (NOTES.md §9).
    [GeneratedRegex(@"^(?=.{2,8}$)[a-zA-Z][a-zA-Z0-9]*[a-zA-Z0-9]$")]
    private static partial Regex SdnIdPattern();
}
