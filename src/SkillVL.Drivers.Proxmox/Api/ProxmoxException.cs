using SkillVL.Core.Errors;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// PVE refused or failed a request, or could not be reached. The message names the cluster, the request and what PVE
/// said (its reason phrase, its <c>message</c>, its per-parameter <c>errors</c>); <see cref="SkillVlException.IsTransient"/>
/// says whether PVE's own words mean a later retry can help (a lock held by another task, a lock timeout).
/// </summary>
public sealed class ProxmoxException : SkillVlException
{
    public ProxmoxException(
        string cluster, string request, int? statusCode, string pveMessage,
        IReadOnlyDictionary<string, string>? errors = null, bool isTransient = false, Exception? innerException = null)
        : base(Compose(cluster, request, statusCode, pveMessage, errors), isTransient, innerException)
    {
        Cluster = cluster;
        Request = request;
        StatusCode = statusCode;
        PveMessage = pveMessage;
        Errors = errors ?? new Dictionary<string, string>();
    }

    public ProxmoxException()
    {
        Cluster = Request = PveMessage = "";
        Errors = new Dictionary<string, string>();
    }

    public ProxmoxException(string message) : base(message)
    {
        Cluster = Request = PveMessage = "";
        Errors = new Dictionary<string, string>();
    }

    public ProxmoxException(string message, Exception innerException) : base(message, innerException)
    {
        Cluster = Request = PveMessage = "";
        Errors = new Dictionary<string, string>();
    }

    /// <summary>The cluster's name in SkillVL.</summary>
    public string Cluster { get; }

    /// <summary>The method and path, e.g. <c>POST /nodes/pve1/qemu/100/clone</c> (never parameters: they may hold secrets).</summary>
    public string Request { get; }

    /// <summary>The HTTP status, or null when no answer came (connection, TLS, timeout).</summary>
    public int? StatusCode { get; }

    /// <summary>What PVE said, as it said it.</summary>
    public string PveMessage { get; }

    /// <summary>PVE's per-parameter errors of a 400 "Parameter verification failed." (empty otherwise).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }

    private static string Compose(string cluster, string request, int? statusCode, string pveMessage, IReadOnlyDictionary<string, string>? errors)
    {
        var status = statusCode is { } code ? $" answered {code}" : " failed";
        var details = errors is { Count: > 0 } ? " (" + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")) + ")" : "";
        return $"Proxmox cluster '{cluster}': {request}{status}: {pveMessage}{details}";
    }
}
