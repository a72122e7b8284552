namespace SkillVL.Drivers.Qemu.Migration;

/// <summary>
/// Why an incoming QEMU went away while it loaded a migration, from the last lines it wrote to its log: QEMU prints the
/// device whose state it refused and exits. The one refusal SkillVL knows how to explain gets a sentence of its own.
/// </summary>
public static class IncomingFailure
{
    /// <summary>What QEMU 7.2 prints when the source's NIC had a tap's virtio-net header and this node's backend has none.</summary>
    public const string VnetHeaderRefusal = "saved image requires vnet_hdr=on";

    private const int MaxChars = 600;

    /// <summary>", " and the reason, or "" when the log says nothing (the caller's message stands alone then).</summary>
    public static string Explain(VmPaths paths)
    {
        string log;
        try
        {
            log = File.Exists(paths.QemuLog) ? File.ReadAllText(paths.QemuLog) : "";
        }
        catch (IOException)
        {
            return "";
        }

        return Explain(log);
    }

    public static string Explain(string log)
    {
        var text = log.Trim();
        if (text.Length == 0)
        {
            return "";
        }

        if (text.Contains(VnetHeaderRefusal, StringComparison.Ordinal))
        {
            // A VM started before taps ran without the header (ADR 0052) carries it in its NIC's state for as long as it
            // runs; the NIC's backend on this node (a stream-mode client, or a bridge node with header-less taps) cannot
            // take that state. One restart of the VM where it runs starts it with a NIC every node can receive.
            return ": its NIC was started with a tap's virtio-net header, which this node's NIC backend cannot take over " +
                "(ADR 0052); restart the VM once on its node, then move it";
        }

        return ": " + (text.Length <= MaxChars ? text : text[^MaxChars..]);
    }
}
