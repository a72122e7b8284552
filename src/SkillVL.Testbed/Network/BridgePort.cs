using SkillVL.Testbed.Linux;

namespace SkillVL.Testbed.Network;

/// <summary>
/// The STP state of a port of the underlay bridge, set by hand (the bridge runs without STP, so the kernel keeps
/// what it is given). A disabled port neither receives nor is sent anything: frames vanish without an error, while
/// every interface stays up — a client's link failing somewhere upstream, which is how <c>link NAME down</c> cuts it.
/// </summary>
internal static class BridgePort
{
    /// <summary>The port state names of /sys/class/net/PORT/brport/state (0 disabled … 3 forwarding).</summary>
    private static readonly string[] StateNames = ["disabled", "listening", "learning", "forwarding", "blocking"];

    /// <summary><c>bridge link set dev PORT state 0|3</c>.</summary>
    public static Task SetForwardingAsync(string port, bool forwarding, CancellationToken cancellationToken) =>
        HostCommand.RunCheckedAsync("bridge", ["link", "set", "dev", port, "state", forwarding ? "3" : "0"], cancellationToken);

    /// <summary>The port's state as the kernel has it ("forwarding", "disabled", …), or null when it is no bridge port.</summary>
    public static string? State(string port)
    {
        try
        {
            var text = File.ReadAllText($"/sys/class/net/{port}/brport/state").Trim();
            return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var state) && state >= 0 && state < StateNames.Length
                ? StateNames[state]
                : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
