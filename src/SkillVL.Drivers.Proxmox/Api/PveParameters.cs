using System.Globalization;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// Request parameters in PVE's wire form. Booleans are <c>1</c>/<c>0</c>: form-encoded <c>true</c> fails PVE's type
/// check (<c>PVE::JSONSchema::check_type</c>, NOTES.md §3); arrays are repeated keys (<c>command=ls&amp;command=-la</c>).
/// Null values are left out, so optional parameters can be passed straight through.
/// </summary>
public sealed class PveParameters
{
    private readonly List<KeyValuePair<string, string>> items = [];

    public IReadOnlyList<KeyValuePair<string, string>> Items => items;

    public PveParameters Add(string name, string? value)
    {
        if (value is not null)
        {
            items.Add(new(name, value));
        }

        return this;
    }

    public PveParameters Add(string name, long? value) =>
        Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public PveParameters Add(string name, bool? value) =>
        Add(name, value is null ? null : value.Value ? "1" : "0");

    public PveParameters AddEach(string name, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            items.Add(new(name, value));
        }

        return this;
    }
}
