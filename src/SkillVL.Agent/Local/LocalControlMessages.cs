namespace SkillVL.Agent.Local;

/// <summary>
/// The local control protocol (ADR 0024): one JSON line from the caller, one JSON line back. After an accepted
/// <c>console</c> request the connection carries the console's raw bytes both ways until either side closes.
/// </summary>
public static class LocalControlMessages
{
    public const string Vms = "vms";
    public const string Stop = "stop";
    public const string Start = "start";
    public const string Console = "console";

    /// <summary>A request line.</summary>
    /// <param name="Op"><see cref="Vms"/>, <see cref="Stop"/>, <see cref="Start"/> or <see cref="Console"/>.</param>
    /// <param name="Vm"><c>ROOM/VM</c>, a machine name or a machine id (all but <see cref="Vms"/>).</param>
    /// <param name="Kind">For <see cref="Console"/>: <c>serial</c> (default) or <c>vnc</c>.</param>
    public sealed record Request(string Op, string? Vm = null, string? Kind = null);

    /// <summary>The answer line.</summary>
    /// <param name="Ok">Whether the request was done (for a console: the relay begins after this line).</param>
    /// <param name="Error">Why not, for a person to read.</param>
    /// <param name="Vms">For <see cref="Vms"/>.</param>
    public sealed record Response(bool Ok, string? Error = null, IReadOnlyList<LocalVmView>? Vms = null);
}
