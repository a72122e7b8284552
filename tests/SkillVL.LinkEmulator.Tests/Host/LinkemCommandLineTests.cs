using SkillVL.LinkEmulator.Host;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Host;

public sealed class LinkemCommandLineTests
{
    [Fact]
    public void ToSettings_SharedOptions_ApplyToBothDirections()
    {
        var settings = Settings("--tap-a", "ta", "--tap-b", "tb", "--rate", "50mbit", "--rtt", "40ms", "--loss", "0.1%", "--seed", "9");

        Assert.Equal(("ta", "tb"), (settings.TapA, settings.TapB));
        Assert.Equal(settings.AToB, settings.BToA);
        Assert.Equal(50_000_000, settings.AToB.RateBitsPerSecond);
        Assert.Equal(TimeSpan.FromMilliseconds(20), settings.AToB.OneWayDelay);
        Assert.Equal(0.001, settings.AToB.LossFraction, 12);
        Assert.Equal((9, true), (settings.Seed, settings.SeedGiven));
        Assert.Equal(TimeSpan.FromSeconds(1), settings.StatsInterval);
        Assert.Equal(10, settings.RealtimePriority);
    }

    [Fact]
    public void ToSettings_PerDirectionOptions_OverrideTheSharedOnes()
    {
        var settings = Settings(
            "--tap-a", "ta", "--tap-b", "tb", "--rate", "50mbit", "--rate-ba", "10mbit", "--delay", "20ms", "--delay-ab", "5ms", "--loss-ab", "1%");

        Assert.Equal((50_000_000, 10_000_000), (settings.AToB.RateBitsPerSecond, settings.BToA.RateBitsPerSecond));
        Assert.Equal((TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20)), (settings.AToB.OneWayDelay, settings.BToA.OneWayDelay));
        Assert.Equal((0.01, 0.0), (settings.AToB.LossFraction, settings.BToA.LossFraction));
    }

    [Theory]
    [InlineData("--rate-ab", "fast", "--rate-ab: 'fast' is not a rate")]
    [InlineData("--delay", "20", "--delay: '20' has no unit")]
    [InlineData("--rtt", "40", "--rtt: '40' has no unit")]
    [InlineData("--loss", "0.1", "--loss: '0.1' is not a percentage")]
    [InlineData("--loss-ba", "150%", "--loss-ba: '150%' is out of range")]
    [InlineData("--queue", "100B", "--queue: 100 bytes is smaller than one full frame")]
    [InlineData("--jitter", "-1ms", "--jitter: '-1ms' does not start with a number")]
    [InlineData("--stats-interval", "1", "--stats-interval: '1' has no unit")]
    [InlineData("--rt-priority", "100", "--rt-priority: 100 is out of range")]
    public void Run_BadValue_ExitsWithUsageNamingTheOption(string option, string value, string expected)
    {
        var (exitCode, stderr) = Run("--tap-a", "ta", "--tap-b", "tb", "--rate", "50mbit", option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains("skillvl-linkem: " + expected, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--tap-b' is required", "--tap-a", "ta", "--rate", "50mbit")]
    [InlineData("--rate: a rate is required", "--tap-a", "ta", "--tap-b", "tb")]
    [InlineData("--rate: a rate is required", "--tap-a", "ta", "--tap-b", "tb", "--rate-ab", "10mbit")]
    [InlineData("--tap-b: 'ta' is also --tap-a", "--tap-a", "ta", "--tap-b", "ta", "--rate", "50mbit")]
    [InlineData("--tap-a: 'a-name-that-is-too-long' is longer than 15 bytes", "--tap-a", "a-name-that-is-too-long", "--tap-b", "tb", "--rate", "50mbit")]
    [InlineData("--rtt: give either --delay (one way) or --rtt", "--tap-a", "ta", "--tap-b", "tb", "--rate", "1mbit", "--delay", "1ms", "--rtt", "2ms")]
    [InlineData("Unrecognized command or argument '--bandwidth'", "--tap-a", "ta", "--tap-b", "tb", "--bandwidth", "1mbit")]
    public void Run_BadCommandLine_ExitsWithUsage(string expected, params string[] args)
    {
        var (exitCode, stderr) = Run(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Help_ExitsZeroAndDocumentsTheOneWayDelay()
    {
        var output = new StringWriter();

        var exitCode = LinkemApplication.Run(["--help"], output, new StringWriter(), Stream.Null);

        Assert.Equal(0, exitCode);
        Assert.Contains("ONE-WAY delay", output.ToString(), StringComparison.Ordinal);
    }

    private static LinkemSettings Settings(params string[] args)
    {
        var commandLine = new LinkemCommandLine();
        return commandLine.ToSettings(commandLine.Root.Parse(args));
    }

    private static (int ExitCode, string Stderr) Run(params string[] args)
    {
        var error = new StringWriter();
        var exitCode = LinkemApplication.Run(args, new StringWriter(), error, Stream.Null);
        return (exitCode, error.ToString());
    }
}
