using SkillVL.LinkEmulator.Linux;
using SkillVL.LinkEmulator.Profiles;
using SkillVL.LinkEmulator.Shaping;

namespace SkillVL.LinkEmulator.Relay;

/// <summary>
/// The emulated link between two endpoints: one <see cref="DirectionPump"/> each way, each on its own
/// high-priority thread (see <see cref="RelayOptions.RealtimePriority"/>). A thread that hits a dead endpoint
/// stops, records <see cref="Fault"/> and sets <see cref="Faulted"/>; the other keeps going until
/// <see cref="Stop"/>.
/// </summary>
public sealed class LinkRelay : IDisposable
{
    private readonly RelayOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly ManualResetEventSlim _faulted = new();
    private readonly CountdownEvent _running = new(2);
    private readonly Thread[] _threads;
    private readonly string[] _scheduling = ["not started", "not started"];
    private Exception? _fault;

    public LinkRelay(
        IFrameEndpoint a,
        IFrameEndpoint b,
        LinkProfile aToB,
        LinkProfile bToA,
        RelayOptions options,
        TimeProvider time)
    {
        _options = options;
        DirectionPump.WarmUp(time, a, b);
        var start = time.GetTimestamp();
        AToB = new DirectionPump(a, b, new LinkDirection(aToB, time.TimestampFrequency, start, options.Seed), time, options);
        BToA = new DirectionPump(b, a, new LinkDirection(bToA, time.TimestampFrequency, start, unchecked(options.Seed + 1)), time, options);
        _threads =
        [
            new Thread(() => RunPump(AToB, 0)) { IsBackground = true, Name = "linkem a->b" },
            new Thread(() => RunPump(BToA, 1)) { IsBackground = true, Name = "linkem b->a" },
        ];
    }

    public DirectionPump AToB { get; }

    public DirectionPump BToA { get; }

    /// <summary>The first error that stopped a direction (an endpoint gone), or null.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Set when a direction stopped with <see cref="Fault"/>.</summary>
    public WaitHandle Faulted => _faulted.WaitHandle;

    /// <summary>How each thread is scheduled, e.g. <c>SCHED_FIFO 10</c> (A→B, then B→A); known once they run.</summary>
    public IReadOnlyList<string> Scheduling => [Volatile.Read(ref _scheduling[0]), Volatile.Read(ref _scheduling[1])];

    /// <summary>Starts both threads and returns once each has set its scheduling and entered its loop.</summary>
    public void Start()
    {
        foreach (var thread in _threads)
        {
            thread.Start();
        }

        if (!_running.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("The relay threads did not start within 10 s.");
        }
    }

    /// <summary>Signals both threads and waits for them (each notices within <see cref="RelayOptions.MaxIdleWait"/>).</summary>
    /// <returns>False if a thread did not end within <paramref name="timeout"/>.</returns>
    public bool Stop(TimeSpan timeout)
    {
        _stop.Cancel();
        var deadline = DateTime.UtcNow + timeout;
        var stopped = true;
        foreach (var thread in _threads)
        {
            if (thread.ThreadState.HasFlag(ThreadState.Unstarted))
            {
                continue;
            }

            var left = deadline - DateTime.UtcNow;
            stopped &= thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        return stopped;
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(5));
        _stop.Dispose();
        _faulted.Dispose();
        _running.Dispose();
    }

    private void RunPump(DirectionPump pump, int index)
    {
        Volatile.Write(ref _scheduling[index], ThreadScheduling.ApplyToCurrentThread(_options.RealtimePriority));
        _running.Signal();
        try
        {
            pump.Run(_stop.Token);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _fault, e, null);
            _faulted.Set();
        }
    }
}
