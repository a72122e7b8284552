namespace SkillVL.Drivers.Qemu.Hypervisor;

/// <summary>
/// Reads <c>qemu-system-x86_64 -machine help</c> (pure). Its lines are <c>NAME  DESCRIPTION</c>, where an alias's
/// description ends in <c>(alias of pc-i440fx-7.2)</c> and the default's in <c>(default)</c>.
/// </summary>
public static class QemuMachineHelp
{
    private const string AliasMarker = "(alias of ";

    /// <summary>Every machine type named in the help text, aliases included.</summary>
    public static IReadOnlyList<string> Names(string help) =>
        [.. Lines(help).Select(l => l.Name)];

    /// <summary>
    /// The versioned machine type behind <paramref name="machineType"/>: itself when it is not an alias, its target when
    /// it is; null when QEMU does not know it.
    /// </summary>
    public static string? Resolve(string help, string machineType)
    {
        foreach (var (name, description) in Lines(help))
        {
            if (name != machineType)
            {
                continue;
            }

            var alias = description.LastIndexOf(AliasMarker, StringComparison.Ordinal);
            if (alias < 0)
            {
                return name;
            }

            var target = description[(alias + AliasMarker.Length)..];
            var end = target.IndexOf(')', StringComparison.Ordinal);
            return end > 0 ? target[..end] : null;
        }

        return null;
    }

    /// <summary>
    /// The versioned machine types of <paramref name="machineType"/>'s family (<c>pc-i440fx-7.2</c> → every
    /// <c>pc-i440fx-*</c>), which a guest started on an older QEMU of that family may need; aliases excluded.
    /// </summary>
    public static IReadOnlyList<string> Family(string help, string machineType)
    {
        var dash = machineType.LastIndexOf('-');
        if (dash <= 0)
        {
            return [machineType];
        }

        var prefix = machineType[..(dash + 1)];
        return [.. Lines(help)
            .Where(l => l.Name.StartsWith(prefix, StringComparison.Ordinal) && !l.Description.Contains(AliasMarker, StringComparison.Ordinal))
            .Select(l => l.Name)];
    }

    private static IEnumerable<(string Name, string Description)> Lines(string help)
    {
        foreach (var raw in help.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0 || char.IsWhiteSpace(line[0]) || line.StartsWith("Supported machines", StringComparison.Ordinal))
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0 ? (line, "") : (line[..space], line[space..].Trim());
        }
    }
}
