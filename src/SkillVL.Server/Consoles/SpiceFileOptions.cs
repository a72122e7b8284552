using System.Net;

namespace SkillVL.Server.Consoles;

/// <summary>
/// SPICE for remote-viewer (ADR 0062), <c>SkillVL:SpiceFile</c>: where the listener of each <c>.vv</c> file opens. Only a
/// loopback address is accepted: the proxy speaks SPICE without TLS, so the stream would cross a network in the clear
/// (the ticket itself is RSA-encrypted by SPICE's link, the screen and keys are not). TLS on a network address is the next
/// slice; until then a remote user reaches it through an SSH tunnel to the Server's host.
/// </summary>
public sealed class SpiceFileOptions
{
    /// <summary>The address each file's listener binds (an ephemeral port each). Default 127.0.0.1.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The address, or an error that names the setting.</summary>
    public IPAddress Resolve()
    {
        if (!IPAddress.TryParse(Address, out var address))
        {
            throw new InvalidOperationException($"SkillVL:SpiceFile:Address: \"{Address}\" is not an IP address.");
        }

        return IPAddress.IsLoopback(address)
            ? address
            : throw new InvalidOperationException(
                $"SkillVL:SpiceFile:Address: {address} is not a loopback address; the .vv proxy has no TLS yet, and a SPICE stream must not cross a network in the clear (ADR 0062).");
    }
}
