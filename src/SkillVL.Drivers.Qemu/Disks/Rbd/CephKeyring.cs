namespace SkillVL.Drivers.Qemu.Disks.Rbd;

/// <summary>Reads one entity's key from a Ceph keyring file (<c>[client.x]</c> then <c>key = …</c>), as ceph-authtool writes it.</summary>
public static class CephKeyring
{
    /// <summary>The key of <paramref name="entity"/> (e.g. <c>client.skillvl</c>) in <paramref name="keyringText"/>, or null.</summary>
    public static string? FindKey(string keyringText, string entity)
    {
        var inSection = false;
        foreach (var raw in keyringText.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                inSection = string.Equals(line[1..^1].Trim(), entity, StringComparison.Ordinal);
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (inSection && equals > 0 && line[..equals].Trim() == "key")
            {
                var key = line[(equals + 1)..].Trim();

                // A cephx key is base64: anything else is not one, and must never reach QEMU's secret file unchecked.
                return key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=') ? key : null;
            }
        }

        return null;
    }
}
