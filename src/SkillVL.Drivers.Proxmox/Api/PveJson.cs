using System.Globalization;
using System.Text.Json;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// Lenient readers for PVE's JSON: Perl emits a number it once used as a string as a JSON string
/// (<c>/cluster/nextid</c> answers <c>"100"</c>, vncproxy's <c>port</c> <c>"5900"</c>) and booleans as 0/1 (NOTES.md §3;
/// bpg's provider has the same CustomInt/CustomBool for the same reason).
/// </summary>
internal static class PveJson
{
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "1",
                JsonValueKind.False => "0",
                _ => null,
            }
            : null;

    public static long? Long(JsonElement element, string name)
    {
        var text = String(element, name);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
        {
            return whole;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) ? (long)real : null;
    }

    public static double? Double(JsonElement element, string name) =>
        String(element, name) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static bool Bool(JsonElement element, string name) =>
        String(element, name) is "1" or "true" or "on" or "yes";

    public static long ToLong(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetInt64() : long.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    public static IEnumerable<JsonElement> Array(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray() : [];
}
