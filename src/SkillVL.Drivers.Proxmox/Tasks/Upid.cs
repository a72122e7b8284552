using System.Globalization;
using System.Text.RegularExpressions;

namespace SkillVL.Drivers.Proxmox.Tasks;

/// <summary>
/// A PVE task id: <c>UPID:node:pid:pstart:starttime:type:id:user:</c> (pve-common <c>PVE/UPID.pm</c>; the trailing colon
/// is part of it). The id may be empty; the user may be an API token (<c>capmox@pve!capi</c>); for <c>qmclone</c> the id
/// is the SOURCE vmid (NOTES.md §5, §12).
/// </summary>
public sealed partial record Upid(string Text, string Node, int Pid, long ProcessStart, DateTimeOffset StartTime, string Type, string Id, string User)
{
    public static bool TryParse(string? text, out Upid? upid)
    {
        upid = null;
        var match = text is null ? null : Pattern().Match(text);
        if (match is not { Success: true })
        {
            return false;
        }

        upid = new Upid(
            text!,
            match.Groups[1].Value,
            int.Parse(match.Groups[3].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            long.Parse(match.Groups[4].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(match.Groups[5].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)),
            match.Groups[6].Value,
            match.Groups[7].Value,
            match.Groups[8].Value);
        return true;
    }

    public static Upid Parse(string text) =>
        TryParse(text, out var upid) ? upid! : throw new FormatException($"'{text}' is not a PVE task id (UPID:node:pid:pstart:starttime:type:id:user:)");

    public override string ToString() => Text;

    // pve-common UPID.pm decode_upid, verbatim but for the named node group.
    [GeneratedRegex(@"^UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$")]
    private static partial Regex Pattern();
}
