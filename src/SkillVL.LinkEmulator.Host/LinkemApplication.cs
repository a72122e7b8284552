using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using SkillVL.LinkEmulator.Linux;
using SkillVL.LinkEmulator.Profiles;
using SkillVL.LinkEmulator.Relay;

namespace SkillVL.LinkEmulator.Host;

/// <summary>Parses the command line, opens the taps, runs the relay until SIGTERM/SIGINT and prints stats.</summary>
internal static class LinkemApplication
{
    private const string Prefix = "skillvl-linkem: ";

    public static int Run(string[] args, TextWriter output, TextWriter error, Stream statsOutput)
    {
        var commandLine = new LinkemCommandLine();
        var parsed = commandLine.Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine(Prefix + parseError.Message);
            }

            error.WriteLine("see: skillvl-linkem --help");
            return ExitCodes.Usage;
        }

        if (parsed.Action is not null)
        {
            // --help (or --version): let System.CommandLine print it.
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
        }

        LinkemSettings settings;
        try
        {
            settings = commandLine.ToSettings(parsed);
        }
        catch (LinkProfileException e)
        {
            error.WriteLine(Prefix + e.Message);
            return ExitCodes.Usage;
        }

        return Relay(settings, error, statsOutput);
    }

    private static int Relay(LinkemSettings settings, TextWriter error, Stream statsOutput)
    {
        TapDevice? tapA = null;
        TapDevice? tapB = null;
        try
        {
            tapA = TapDevice.Open(settings.TapA);
            tapB = TapDevice.Open(settings.TapB);
        }
        catch (TapDeviceException e)
        {
            error.WriteLine(Prefix + e.Message);
            tapA?.Dispose();
            return ExitCodes.Error;
        }

        using var stop = new ManualResetEventSlim();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        var clock = Stopwatch.StartNew();
        var stats = new StatsWriter(statsOutput, clock);
        using (tapA)
        using (tapB)
        using (var relay = new LinkRelay(tapA, tapB, settings.AToB, settings.BToA, new RelayOptions { Seed = settings.Seed, RealtimePriority = settings.RealtimePriority }, TimeProvider.System))
        {
            relay.Start();
            stats.Started(settings, tapA, tapB, relay);
            var interval = settings.StatsInterval > TimeSpan.Zero ? settings.StatsInterval : Timeout.InfiniteTimeSpan;
            var next = clock.Elapsed + interval;
            string reason;
            while (true)
            {
                var wait = interval == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : Max(TimeSpan.Zero, next - clock.Elapsed);
                var signalled = WaitHandle.WaitAny([stop.WaitHandle, relay.Faulted], wait);
                if (signalled == 0)
                {
                    reason = "signal";
                    break;
                }

                if (signalled == 1)
                {
                    reason = "fault";
                    break;
                }

                stats.Stats(relay);

                // Stay on the grid (1 s, 2 s, …) rather than drift by the time a line takes to write.
                next += interval;
            }

            if (!relay.Stop(TimeSpan.FromSeconds(5)))
            {
                error.WriteLine(Prefix + "a relay thread did not stop within 5 s");
            }

            stats.Stopped(relay, reason);
            if (relay.Fault is { } fault)
            {
                error.WriteLine(Prefix + fault.Message);
                return ExitCodes.Error;
            }

            return ExitCodes.Ok;
        }

        void Handle(PosixSignalContext context)
        {
            // Keep the runtime from terminating the process: the loop above stops the relay and prints the last line.
            context.Cancel = true;
            stop.Set();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
