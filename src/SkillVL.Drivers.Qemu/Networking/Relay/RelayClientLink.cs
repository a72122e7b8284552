using Microsoft.Extensions.Logging;
using SkillVL.Core.Networking;

namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// A client node's relay of one room network (ADR 0019): keeps one outbound connection to the hub, reconnecting by
/// itself with a doubling, bounded backoff (<see cref="RelayTimings"/>), and carries the frames of its
/// port over it (a relay tap on the bridge, or the relay port of the agent's switch in stream mode, ADR 0052). The port
/// stays while the link is down, so the node's own VMs keep reaching each other.
/// </summary>
internal sealed class RelayClientLink : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly string _networkId;
    private readonly IRelayLinkPort _port;
    private readonly RelayConnector _connector;
    private readonly RelayTimings _timings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _connected;
    private volatile string? _lastError;

    public RelayClientLink(
        string networkId,
        NetworkRelay target,
        IRelayLinkPort port,
        RelayConnector connector,
        RelayTimings timings,
        TimeProvider time,
        ILogger logger,
        RelayCounters counters)
    {
        _networkId = networkId;
        Target = target;
        _port = port;
        _connector = connector;
        _timings = timings;
        _time = time;
        _logger = logger;
        Counters = counters;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public NetworkRelay Target { get; }

    public RelayCounters Counters { get; }

    public RelayLinkStatus Status => new(_networkId, Target.HubNodeName, _connected, _lastError, Counters);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.WaitAsync(StopTimeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                await using var stream = await _connector.ConnectAsync(_networkId, Target, cancellationToken);
                failures = 0;
                _connected = true;
                Counters.Connected();
                _logger.RelayConnected(_networkId, Target.HubNodeName, Target.HubAddress, Target.HubPort, _port.Name);
                reason = await _port.RunAsync(stream, cancellationToken);
                _connected = false;
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                _lastError = reason;
                Counters.Failed();
                failures = 1;
                _logger.RelayDisconnected(_networkId, Target.HubNodeName, reason, _timings.Backoff(failures));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or Core.Errors.DriverException or System.Security.Cryptography.CryptographicException)
            {
                _connected = false;
                _lastError = e.Message;
                Counters.Failed();
                failures++;
                _logger.RelayConnectFailed(_networkId, Target.HubNodeName, e.Message, _timings.Backoff(failures));
            }

            try
            {
                await Task.Delay(_timings.Backoff(failures), _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
