using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Agent.Remote;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Agent.Local;

/// <summary>
/// A standalone agent's offline side (ADR 0024), wired into <see cref="AgentClient"/>: the VM store the Server's calls
/// keep current, the journal, the restore at start and the local control socket; and, whenever a connection to the
/// Server is up, the journal's report to it (in the hello, and as a journal message after each local action).
/// </summary>
public sealed partial class LocalControlHost : IAsyncDisposable
{
    private readonly OfflineJournal _journal;
    private readonly ILogger _logger;
    private LocalControlServer? _server;
    private volatile AgentChannel? _channel;

    private LocalControlHost(LocalVmStore store, OfflineJournal journal, LocalVmControl control, ILogger logger)
    {
        Store = store;
        _journal = journal;
        Control = control;
        _logger = logger;
    }

    public LocalVmStore Store { get; }

    public LocalVmControl Control { get; }

    /// <summary>Restores what should run (before any connection to the Server), then opens the control socket.</summary>
    public static async Task<LocalControlHost> StartAsync(
        LocalNodeAgent node, string dataDirectory, string runtimeDirectory, uint? ownerUid, ILoggerFactory loggers, TimeProvider time, CancellationToken cancellationToken)
    {
        var store = new LocalVmStore(dataDirectory, time);
        var journal = new OfflineJournal(dataDirectory, time);
        LocalControlHost? host = null;
        var control = new LocalVmControl(node, store, journal, () => host?._channel is { IsOpen: true }, () => host?.SendJournalSoon(), loggers.CreateLogger<LocalVmControl>());
        host = new LocalControlHost(store, journal, control, loggers.CreateLogger<LocalControlHost>());
        await control.RestoreAsync(cancellationToken);
        host._server = await LocalControlServer.StartAsync(
            LocalControlServer.SocketPath(runtimeDirectory), control, node, ownerUid, loggers.CreateLogger<LocalControlServer>(), cancellationToken);
        return host;
    }

    /// <summary>The journal to put in a hello (null when empty, so an idle node's hello is as before).</summary>
    public IReadOnlyList<OfflineJournalEntry>? PendingJournal => _journal.Pending is { Count: > 0 } pending ? pending : null;

    /// <summary>The connection to the Server came up (its hello carried <see cref="PendingJournal"/>) or went down (null).</summary>
    public void Connected(AgentChannel? channel) => _channel = channel;

    /// <summary>A message from the Server that is not a call: the journal's acknowledgement.</summary>
    public void OnServerMessage(AgentMessage message)
    {
        if (message.Type == AgentMessage.JournalAcknowledge && message.JournalAck is { } seq)
        {
            _journal.Acknowledge(seq);
            Log.Acknowledged(_logger, seq);
        }
    }

    /// <summary>Keeps the VM store current with what the Server asks (before the call runs, so a crash keeps the wish).</summary>
    public void BeforeCall(string method, JsonElement? parameters)
    {
        if (parameters is not { } p)
        {
            return;
        }

        switch (method)
        {
            case AgentMethods.VmsEnsureDisk:
            case AgentMethods.MigrationsPrepareIncoming when p.TryGetProperty("spec", out _):
                Store.Remember(method == AgentMethods.VmsEnsureDisk
                    ? p.Deserialize<VmSpec>(AgentChannel.Json)!
                    : p.GetProperty("spec").Deserialize<VmSpec>(AgentChannel.Json)!);
                break;
            case AgentMethods.VmsStart:
                var spec = p.Deserialize<VmSpec>(AgentChannel.Json)!;
                Store.SetShouldRun(spec.Id, shouldRun: true, "server", spec);
                break;
            case AgentMethods.VmsStop:
                Store.SetShouldRun(p.Deserialize<AgentCalls.Stop>(AgentChannel.Json)!.Id, shouldRun: false, "server");
                break;
        }
    }

    /// <summary>After a call succeeded: a VM that arrived by migration runs here now; one that left or was deleted is forgotten.</summary>
    public void AfterCall(string method, JsonElement? parameters)
    {
        if (parameters is not { } p || !p.TryGetProperty("id", out var idElement) || idElement.GetString() is not { } id || !Core.Identifiers.ShortId.IsValid(id))
        {
            return;
        }

        switch (method)
        {
            case AgentMethods.MigrationsCompleteIncoming:
                Store.SetShouldRun(id, shouldRun: true, "server");
                break;
            case AgentMethods.VmsDelete:
            case AgentMethods.MigrationsCompleteOutgoing:
            case AgentMethods.MigrationsAbortIncoming:
                Store.Forget(id);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private void SendJournalSoon()
    {
        if (_channel is not { IsOpen: true } channel || PendingJournal is not { } pending)
        {
            return; // The next hello carries it.
        }

        _ = Task.Run(async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await channel.SendAsync(new AgentMessage { Type = AgentMessage.JournalReport, Journal = pending }, timeout.Token);
            }
            catch (Exception e) when (e is DriverException or OperationCanceledException or IOException)
            {
                // The connection went away; the next hello carries the journal.
            }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(4120, LogLevel.Information, "The Server recorded the local journal up to {Seq}")]
        public static partial void Acknowledged(ILogger logger, long seq);
    }
}
