namespace SkillVL.Server.Consoles;

/// <summary>
/// One open browser console (<see cref="ConsoleSessions"/>): whose it is, which machine it shows, and the token its relay
/// pumps under. <see cref="End"/> stops the relay from outside and says why; disposing unregisters it.
/// </summary>
public sealed class ConsoleSession : IDisposable
{
    private readonly ConsoleSessions _registry;
    private readonly CancellationTokenSource _cts;
    private readonly Lock _lock = new();
    private bool _disposed;

    internal ConsoleSession(ConsoleSessions registry, ConsoleGrant grant, DateTimeOffset since, CancellationToken requestAborted)
    {
        _registry = registry;
        UserId = grant.UserId;
        MachineId = grant.VmId;
        Username = grant.Username;
        Kind = grant.Kind;
        Watch = grant.Watch;
        Since = since;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        Token = _cts.Token;
    }

    public string UserId { get; }

    public string MachineId { get; }

    public string Username { get; }

    public string Kind { get; }

    /// <summary>A watch-only console (ADR 0050): nothing from the browser reaches the guest.</summary>
    public bool Watch { get; }

    public DateTimeOffset Since { get; }

    /// <summary>Cancelled when the browser goes away or the session is ended (<see cref="EndReason"/> then says why).</summary>
    public CancellationToken Token { get; }

    /// <summary>Why the platform ended the session ("account disabled", …); null while open or when its user closed it.</summary>
    public string? EndReason { get; private set; }

    /// <summary>Ends the session; the first reason wins. False when it had already ended or closed.</summary>
    public bool End(string reason)
    {
        lock (_lock)
        {
            if (_disposed || EndReason is not null)
            {
                return false;
            }

            EndReason = reason;
        }

        // Outside the lock: cancelling runs the relay's continuations, which end in Dispose.
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The browser closed it at the same moment: nothing is left to end.
        }

        return true;
    }

    public void Dispose()
    {
        _registry.Remove(this);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _cts.Dispose();
    }
}
