using System.CommandLine;
using SkillVL.LinkEmulator.Linux;
using SkillVL.LinkEmulator.Profiles;

namespace SkillVL.LinkEmulator.Host;

/// <summary>
/// The options of <c>skillvl-linkem</c> and their translation into <see cref="LinkemSettings"/>. The shared
/// options (--rate, --delay, --loss) apply to both directions; --rate-ab and friends override one direction
/// (A→B is what is read from --tap-a and written to --tap-b).
/// </summary>
internal sealed class LinkemCommandLine
{
    public const string Description =
        """
        skillvl-linkem: a userspace WAN link emulator. Relays Ethernet frames between two tap devices with,
        per direction, a token-bucket rate limit (counting Ethernet frame bytes, as tc tbf does), a bounded
        FIFO queue with tail drop, a one-way delay with optional jitter (frames are never reordered) and
        random loss. Prints one JSON line per --stats-interval on stdout; stops cleanly on SIGTERM/SIGINT.

        An existing tap of that name is attached, otherwise a new one is created (it is removed when the
        emulator exits). The emulator does not configure the interfaces (up, addresses, bridges).

        Exit codes: 0 stopped by a signal, 1 tap error, 2 usage.
        """;

    private readonly Option<string> _tapA = new("--tap-a") { Description = "Tap device of side A (attached if it exists, else created)", HelpName = "NAME", Required = true };
    private readonly Option<string> _tapB = new("--tap-b") { Description = "Tap device of side B", HelpName = "NAME", Required = true };
    private readonly Option<string> _rate = new("--rate") { Description = "Rate limit of both directions in bits/s of Ethernet frames, e.g. 50mbit (units bit, kbit, mbit, gbit)", HelpName = "RATE" };
    private readonly Option<string> _rateAb = new("--rate-ab") { Description = "Rate of A→B only (overrides --rate)", HelpName = "RATE" };
    private readonly Option<string> _rateBa = new("--rate-ba") { Description = "Rate of B→A only (overrides --rate)", HelpName = "RATE" };
    private readonly Option<string> _delay = new("--delay") { Description = "ONE-WAY delay of each direction, e.g. 20ms (a round trip is twice this); default 0ms", HelpName = "DURATION" };
    private readonly Option<string> _rtt = new("--rtt") { Description = "Round-trip time instead of --delay: each direction gets half, e.g. 40ms", HelpName = "DURATION" };
    private readonly Option<string> _delayAb = new("--delay-ab") { Description = "One-way delay of A→B only (overrides --delay/--rtt)", HelpName = "DURATION" };
    private readonly Option<string> _delayBa = new("--delay-ba") { Description = "One-way delay of B→A only (overrides --delay/--rtt)", HelpName = "DURATION" };
    private readonly Option<string> _jitter = new("--jitter") { Description = "Each frame's delay is uniform in delay ± jitter, e.g. 2ms; default 0ms", HelpName = "DURATION" };
    private readonly Option<string> _loss = new("--loss") { Description = "Random loss of each direction, e.g. 0.1%; default 0%", HelpName = "PERCENT" };
    private readonly Option<string> _lossAb = new("--loss-ab") { Description = "Loss of A→B only (overrides --loss)", HelpName = "PERCENT" };
    private readonly Option<string> _lossBa = new("--loss-ba") { Description = "Loss of B→A only (overrides --loss)", HelpName = "PERCENT" };
    private readonly Option<string> _queue = new("--queue") { Description = "Bytes that may wait for the rate limiter before tail drop, e.g. 256KiB; default one round-trip BDP (min 32KiB) + burst", HelpName = "SIZE" };
    private readonly Option<string> _burst = new("--burst") { Description = "Token bucket depth, e.g. 16KiB; default 1 ms of the rate, at least two 1514-byte frames", HelpName = "SIZE" };
    private readonly Option<int?> _seed = new("--seed") { Description = "Seed of the loss and jitter draws (A→B uses N, B→A N+1); default random, printed in the first JSON line", HelpName = "N" };
    private readonly Option<string> _statsInterval = new("--stats-interval") { Description = "How often to print a JSON stats line, e.g. 1s; 0s prints only the last one", HelpName = "DURATION", DefaultValueFactory = _ => "1s" };
    private readonly Option<int> _rtPriority = new("--rt-priority") { Description = "SCHED_FIFO priority of the relay threads (1-99; 0: normal scheduling); default 10", HelpName = "N", DefaultValueFactory = _ => 10 };

    public LinkemCommandLine()
    {
        Root = new RootCommand(Description);
        foreach (var option in new Option[]
                 {
                     _tapA, _tapB, _rate, _rateAb, _rateBa, _delay, _rtt, _delayAb, _delayBa, _jitter, _loss, _lossAb,
                     _lossBa, _queue, _burst, _seed, _statsInterval, _rtPriority,
                 })
        {
            Root.Options.Add(option);
        }
    }

    public RootCommand Root { get; }

    /// <summary>Turns a parsed command line into settings.</summary>
    /// <exception cref="LinkProfileException">A value is wrong; <see cref="LinkProfileException.Field"/> is the option (e.g. <c>--rate-ab</c>).</exception>
    public LinkemSettings ToSettings(ParseResult result)
    {
        var tapA = Tap(_tapA, result);
        var tapB = Tap(_tapB, result);
        if (tapA == tapB)
        {
            throw new LinkProfileException("--tap-b", $"'{tapB}' is also --tap-a; the two sides need two taps");
        }

        var delay = result.GetValue(_delay);
        var rtt = result.GetValue(_rtt);
        if (delay is not null && rtt is not null)
        {
            throw new LinkProfileException("--rtt", "give either --delay (one way) or --rtt (round trip), not both");
        }

        var aToB = Profile(result, _rateAb, _delayAb, _lossAb);
        var bToA = Profile(result, _rateBa, _delayBa, _lossBa);

        var priority = result.GetValue(_rtPriority);
        if (priority is < 0 or > 99)
        {
            throw new LinkProfileException("--rt-priority", $"{priority} is out of range; 0 (normal scheduling) or 1-99");
        }

        var seed = result.GetValue(_seed);
        return new LinkemSettings(
            tapA,
            tapB,
            aToB,
            bToA,
            seed ?? Random.Shared.Next(),
            seed is not null,
            LinkQuantities.ParseDuration("--stats-interval", result.GetValue(_statsInterval)!),
            priority);
    }

    private static string Tap(Option<string> option, ParseResult result)
    {
        var name = result.GetValue(option);
        if (TapDevice.ValidateName(name) is { } problem)
        {
            throw new LinkProfileException(option.Name, problem);
        }

        return name!;
    }

    private static (string Option, string Text)? Either(ParseResult result, Option<string> specific, Option<string> shared)
    {
        if (result.GetValue(specific) is { } own)
        {
            return (specific.Name, own);
        }

        return result.GetValue(shared) is { } common ? (shared.Name, common) : null;
    }

    private LinkProfile Profile(ParseResult result, Option<string> rateOption, Option<string> delayOption, Option<string> lossOption)
    {
        var rate = Either(result, rateOption, _rate)
            ?? throw new LinkProfileException(_rate.Name, $"a rate is required (--rate, or both --rate-ab and --rate-ba), e.g. --rate 50mbit");

        TimeSpan oneWay;
        if (Either(result, delayOption, _delay) is { } delay)
        {
            oneWay = LinkQuantities.ParseDuration(delay.Option, delay.Text);
        }
        else if (result.GetValue(_rtt) is { } rtt)
        {
            oneWay = LinkQuantities.ParseDuration(_rtt.Name, rtt) / 2;
        }
        else
        {
            oneWay = TimeSpan.Zero;
        }

        var loss = Either(result, lossOption, _loss);
        var profile = new LinkProfile
        {
            RateBitsPerSecond = LinkQuantities.ParseRate(rate.Option, rate.Text),
            OneWayDelay = oneWay,
            Jitter = result.GetValue(_jitter) is { } jitter ? LinkQuantities.ParseDuration(_jitter.Name, jitter) : TimeSpan.Zero,
            LossFraction = loss is { } l ? LinkQuantities.ParsePercentage(l.Option, l.Text) : 0,
            QueueLimitBytes = result.GetValue(_queue) is { } queue ? LinkQuantities.ParseBytes(_queue.Name, queue) : null,
            BurstBytes = result.GetValue(_burst) is { } burst ? LinkQuantities.ParseBytes(_burst.Name, burst) : null,
        };
        try
        {
            profile.Validate();
        }
        catch (LinkProfileException e)
        {
            // Validate names the profile field ("queue"); on the command line that is the option "--queue".
            throw new LinkProfileException("--" + e.Field, e.Message[(e.Field.Length + 2)..]);
        }

        return profile;
    }
}
