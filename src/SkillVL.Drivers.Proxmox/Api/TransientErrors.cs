namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// Which PVE failures a retry can cure, from PVE's own messages: another task holds the VM's lock
/// (<c>VM 203 is locked (clone)</c>, qemu-server <c>check_lock</c>), a config or storage lock timed out
/// (<c>can't lock file '/var/lock/qemu-server/lock-203.conf' - got timeout</c>, <c>cfs-lock 'storage-x' error: got lock
/// request timeout</c>; NOTES.md §12), or pveproxy could not reach the node it proxies to (595/596). Everything else
/// (bad parameters, missing privileges, "VM 218 already exists") is reported, not retried.
/// </summary>
internal static class TransientErrors
{
    private static readonly string[] Phrases = ["got timeout", "lock request timeout", "is locked (", "timeout waiting on systemd"];

    public static bool IsTransient(int? statusCode, string message)
    {
        if (statusCode is null or 595 or 596)
        {
            // No answer at all, or pveproxy's "Connection refused"/"no route" to the target node: the node or the
            // network may come back; the request itself was not judged.
            return true;
        }

        return statusCode >= 500 && Phrases.Any(p => message.Contains(p, StringComparison.OrdinalIgnoreCase));
    }
}
