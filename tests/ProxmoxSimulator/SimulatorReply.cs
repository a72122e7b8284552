namespace SkillVL.ProxmoxSimulator;

/// <summary>
/// An answer as pveproxy gives it: status, reason phrase (where PVE puts its error message), <c>data</c>, and for
/// parameter errors the <c>errors</c> map.
/// </summary>
public sealed record SimulatorReply(int Status, string? Reason, object? Data, IReadOnlyDictionary<string, string>? Errors = null)
{
    public static SimulatorReply Ok(object? data) => new(200, "OK", data);

    /// <summary>A PVE error: <c>HTTP/1.1 500 can't lock file ...</c> and, as since libpve-http-server-perl 5.2.0, <c>message</c>.</summary>
    public static SimulatorReply Error(int status, string message) => new(status, message, null);

    public static SimulatorReply BadParameters(IReadOnlyDictionary<string, string> errors) => new(400, "Parameter verification failed.", null, errors);
}
