using System.Globalization;
using System.Text.RegularExpressions;

namespace SkillVL.Core.Rooms;

/// <summary>
/// How plain (unquoted) YAML scalars resolve to null, booleans and numbers: the YAML 1.2 core schema
/// (https://yaml.org/spec/1.2.2/#1023-core-schema). YamlDotNet's representation model leaves every scalar as
/// text, so this is where "cpus: 2" becomes a number and "cpus: '2'" stays a string.
/// </summary>
internal static partial class YamlScalars
{
    public static bool IsNull(string plain) => plain is "" or "~" or "null" or "Null" or "NULL";

    public static bool TryBoolean(string plain, out bool value)
    {
        switch (plain)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryInteger(string plain, out long value)
    {
        value = 0;
        if (DecimalInteger().IsMatch(plain))
        {
            return long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }

        if (plain.StartsWith("0o", StringComparison.Ordinal) && OctalInteger().IsMatch(plain))
        {
            try
            {
                value = Convert.ToInt64(plain[2..], 8);
                return true;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        if (plain.StartsWith("0x", StringComparison.Ordinal) && HexInteger().IsMatch(plain))
        {
            return long.TryParse(plain.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
                && value >= 0;
        }

        return false;
    }

    /// <summary>Finite floats only: JSON has no infinity or NaN, so ".inf" and ".nan" stay text.</summary>
    public static bool TryFloat(string plain, out double value)
    {
        value = 0;
        return Float().IsMatch(plain)
            && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>
    /// Whether a string must be quoted when written, because a YAML reader would take it for something else:
    /// empty, null, a boolean or a number under YAML 1.2, or under YAML 1.1 as PyYAML reads it (yes/no/on/off,
    /// 1_000, 0b1, 1:30),
    /// which many tools (PyYAML, Ansible) still use.
    /// </summary>
    public static bool NeedsQuotes(string text) =>
        IsNull(text)
        || TryBoolean(text, out _)
        || Yaml11Boolean().IsMatch(text)
        || DecimalInteger().IsMatch(text)
        || OctalInteger().IsMatch(text)
        || HexInteger().IsMatch(text)
        || Float().IsMatch(text)
        || SpecialFloat().IsMatch(text)
        || Yaml11Number().IsMatch(text);

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex("^0o[0-7]+$")]
    private static partial Regex OctalInteger();

    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex HexInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex SpecialFloat();

    // YAML 1.1 also lists y/n, but PyYAML (and so Ansible) does not resolve them; quoting them would turn
    // "ui: { x: 1, y: 2 }" into "ui: { x: 1, \"y\": 2 }" for no reader's benefit.
    [GeneratedRegex("^(yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$")]
    private static partial Regex Yaml11Boolean();

    [GeneratedRegex(@"^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[0-9._][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?)$")]
    private static partial Regex Yaml11Number();
}
