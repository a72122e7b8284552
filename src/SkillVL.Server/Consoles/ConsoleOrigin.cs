namespace SkillVL.Server.Consoles;

/// <summary>
/// Cross-site WebSocket hijacking guard for the console gateway (issue 11, finding 12): browsers send Origin on every
/// WebSocket handshake and let any page open a WebSocket to any host, so a handshake whose Origin is not the Server's
/// own is refused before its ticket is looked at. The Server's own origin is the host the browser reached (the Host
/// header): the page and its consoles always come from the same place, directly, through `npm run dev`'s proxy
/// (which keeps the Host) or through a reverse proxy that keeps the Host. The scheme is not compared, since a TLS
/// proxy in front makes the page https while the Server sees http. A handshake without Origin is not a browser's (the
/// tests' and scripts' WebSocket clients): it is let through, as its ticket remains the credential.
/// </summary>
public static class ConsoleOrigin
{
    public static bool IsAllowed(string? origin, HostString host)
    {
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        // "null" (sandboxed frames, file: pages) and anything that is not an http(s) origin are never ours.
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || !host.HasValue)
        {
            return false;
        }

        var hostPort = host.Port ?? (parsed.Scheme == "https" ? 443 : 80);
        return string.Equals(parsed.Host, host.Host, StringComparison.OrdinalIgnoreCase) && parsed.Port == hostPort;
    }
}
