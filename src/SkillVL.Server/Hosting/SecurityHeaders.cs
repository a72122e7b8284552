using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Hosting;

/// <summary>
/// Security headers on every answer — the SPA, its assets, the API, the issuer's pages, errors (issue 11, finding 12):
/// a Content-Security-Policy that lets the SPA run and nothing else, no framing, no MIME sniffing, no referrer.
/// </summary>
public static partial class SecurityHeaders
{
    /// <summary>
    /// The policy, with {connect} for the WebSocket and issuer origins. Why each source:
    /// <list type="bullet">
    /// <item>script-src 'self': the SPA is one bundled module (Vite), no inline script, no eval.</item>
    /// <item>style-src 'unsafe-inline': xterm.js writes &lt;style&gt; elements for its theme and cell sizes, noVNC and
    /// @xyflow set style attributes, and the issuer's login page has an inline &lt;style&gt;. Styles cannot run code;
    /// scripts, the dangerous part, stay 'self' only.</item>
    /// <item>img-src data: blob:: noVNC's cursor is a data: URL, xterm.js and the topology export use blobs.</item>
    /// <item>connect-src: the API and the event stream ('self'), the console WebSockets (ws:/wss: of this host, named
    /// because 'self' covers WebSockets only in CSP level 3 browsers), and an external issuer's token endpoint.</item>
    /// <item>frame-ancestors 'none': nobody frames the UI (clickjacking); form-action is left open because the
    /// issuer's login form ends in a redirect to the CLI's loopback callback, which form-action would block.</item>
    /// </list>
    /// </summary>
    private const string PolicyTemplate =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        + "connect-src 'self'{connect}; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var auth = app.ApplicationServices.GetRequiredService<IOptions<SkillVlServerOptions>>().Value.Auth;
        var issuer = string.Equals(auth.Mode, AuthOptions.ExternalMode, StringComparison.OrdinalIgnoreCase)
            && Uri.TryCreate(auth.External.Authority ?? auth.Issuer, UriKind.Absolute, out var authority)
                ? " " + authority.GetLeftPart(UriPartial.Authority)
                : "";
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                var policy = PolicyTemplate.Replace("{connect}", WebSockets(context.Request.Host) + issuer, StringComparison.Ordinal);
                // A handler that serves a document of someone else's (an experiment's SVG plot, ADR 0029) sets a stricter
                // policy of its own; the UI's is added beside it. A browser enforces every policy it is given, so the
                // answer is never looser than the UI's.
                headers.ContentSecurityPolicy = StringValues.IsNullOrEmpty(headers.ContentSecurityPolicy)
                    ? policy
                    : StringValues.Concat(headers.ContentSecurityPolicy, policy);
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY"; // frame-ancestors for browsers without CSP level 2
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    /// <summary>ws:// and wss:// of the host the browser reached; nothing when the Host header is not a plain host[:port].</summary>
    private static string WebSockets(HostString host) =>
        host.HasValue && HostPattern().IsMatch(host.Value) ? $" ws://{host.Value} wss://{host.Value}" : "";

    // Host names, IPv4 and bracketed IPv6 with an optional port: nothing that could end the directive (';', ',', space).
    [GeneratedRegex(@"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")]
    private static partial Regex HostPattern();
}
