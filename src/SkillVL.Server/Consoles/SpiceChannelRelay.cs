using System.Diagnostics;
using System.Net.WebSockets;
using SkillVL.Agent.Remote;
using SkillVL.Core.Nodes;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;

namespace SkillVL.Server.Consoles;

/// <summary>
/// One channel connection of a SPICE console (ADR 0056): the browser's WebSocket is accepted, the SPICE link it starts
/// with is read to learn the channel, checked against the session (main once, on the connection that redeemed the ticket, and first; no inputs for a watcher, ADR
/// 0050), and only then is a connection to the VM's SPICE socket opened and the bytes relayed, the link first.
/// </summary>
internal static class SpiceChannelRelay
{
    /// <summary>A SPICE client sends its link at once; a connection that does not is dropped.</summary>
    private static readonly TimeSpan LinkTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private const string BinarySubProtocol = "binary";

    /// <param name="redeemer">Whether this connection redeemed the ticket (the only one that may link the main channel).</param>
    public static async Task RelayAsync(
        HttpContext http, SpiceSession spice, bool redeemer, INodeConsoles consoles, UserEntity user, string? via, AuditService audit)
    {
        var grant = spice.Grant;
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(spice.Session.Token, http.RequestAborted);
        // spice-html5 asks for the "binary" subprotocol; a browser fails a handshake that does not select one it asked for.
        var subProtocol = http.WebSockets.WebSocketRequestedProtocols.Contains(BinarySubProtocol) ? BinarySubProtocol : null;
        using var socket = await http.WebSockets.AcceptWebSocketAsync(subProtocol);
        var link = await ReadLinkAsync(socket, lifetime.Token);
        var channel = link is null ? null : SpiceLink.ChannelType(link);
        var refusal = channel switch
        {
            null => "not a SPICE link",
            { } type when grant.Watch && !SpiceLink.WatcherMayOpen(type) => $"watch only: SPICE channel {type} is refused",
            { } type => spice.RefuseLink(type, redeemer, SpiceLink.ConnectionId(link!)),
        };
        if (refusal is not null)
        {
            await audit.RecordAsync(http, user, "console", grant.Target, "refused", "spice: " + refusal);
            await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, refusal);
            return;
        }

        Stream console;
        try
        {
            console = await consoles.OpenAsync(grant.VmId, grant.Kind, lifetime.Token);
        }
        catch (Exception e) when (e is Core.Errors.SkillVlException || (e is OperationCanceledException && spice.Session.EndReason is not null))
        {
            var why = spice.Session.EndReason ?? e.Message;
            await audit.RecordAsync(http, user, "console", grant.Target, "failed", $"spice channel {channel}: {why}");
            await CloseAsync(socket, WebSocketCloseStatus.InternalServerError, "the console cannot be reached");
            return;
        }

        var clock = Stopwatch.StartNew();
        (long In, long Out) moved;
        var what = $"spice channel {channel}" + (grant.Watch ? " (watch only)" : "");
        // The main channel is read until QEMU names the session: every other channel must link with that id.
        if (channel == SpiceLink.MainChannel)
        {
            console = new SpiceWatchedStream(console, new SpiceMainInitReader(SpiceLink.OffersCommonCapability(link!, SpiceLink.MiniHeaderCapability)), spice.Named);
        }

        await using (console)
        {
            await console.WriteAsync(link, lifetime.Token);
            await audit.RecordAsync(http, user, "console", grant.Target, "opened", via is null ? what : what + " via node " + via);
            moved = await ConsoleRelay.PumpAsync(socket, console, lifetime.Token,
                () => spice.Session.EndReason is { } reason ? (WebSocketCloseStatus.PolicyViolation, reason) : (WebSocketCloseStatus.NormalClosure, "console closed"));
        }

        var ended = spice.Session.EndReason is { } endedBecause ? "; ended: " + endedBecause : "";
        await audit.RecordAsync(http, user, "console", grant.Target, "closed",
            $"{what}: {clock.Elapsed.TotalSeconds:F0} s, {moved.In + link!.Length} bytes in, {moved.Out} bytes out{ended}");
    }

    /// <summary>The whole link (header and link message, or more, as they came), or null when the browser closed, sent
    /// text, sent no SPICE link, or took too long.</summary>
    private static async Task<byte[]?> ReadLinkAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(LinkTimeout);
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            var need = SpiceLink.Length;
            while (received.Count < need)
            {
                var result = await socket.ReceiveAsync(buffer, limit.Token);
                if (result.MessageType != WebSocketMessageType.Binary || received.Count + result.Count > 64 * 1024)
                {
                    return null;
                }

                received.AddRange(buffer.AsSpan(0, result.Count));
                if (need == SpiceLink.Length && received.Count >= SpiceLink.Length)
                {
                    // The header is in: read the rest of the link message (its capabilities), bounded by ChannelType's check.
                    var head = received.GetRange(0, SpiceLink.Length).ToArray();
                    if (SpiceLink.ChannelType(head) is null)
                    {
                        return null;
                    }

                    need = SpiceLink.TotalLength(head);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            return null;
        }

        return [.. received];
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CloseTimeout);
        await socket.CloseOutputAsync(status, reason, timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
