using System.CommandLine;
using System.Globalization;
using SkillVL.Cli.Input;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>--cpus --memory --disk --running-vms</c>, for a user's quota and a course's. The values are checked when
/// the command runs, so a bad one is "invalid input" (exit 4) naming the option, like a limit the server rejects.
/// </summary>
internal sealed class QuotaOptions
{
    /// <summary>The value that clears one limit of a user's override, so the default applies again.</summary>
    public const string Default = "default";

    private readonly bool allowDefault;

    /// <param name="allowDefault">Whether a limit may be given as "default" (a user's override).</param>
    public QuotaOptions(bool allowDefault)
    {
        this.allowDefault = allowDefault;
        var orDefault = allowDefault ? $", or {Default} to clear this limit" : "";
        Cpus = new Option<string>("--cpus") { Description = $"Virtual CPUs of all machines together{orDefault}", HelpName = "N" };
        Memory = new Option<string>("--memory") { Description = $"Memory of all machines together, e.g. 4GiB or 4096Mi{orDefault}", HelpName = "SIZE" };
        Disk = new Option<string>("--disk") { Description = $"Disk size of all machines together, e.g. 20GiB{orDefault}", HelpName = "SIZE" };
        RunningVms = new Option<string>("--running-vms") { Description = $"Machines running at once{orDefault}", HelpName = "N" };
    }

    public Option<string> Cpus { get; }

    public Option<string> Memory { get; }

    public Option<string> Disk { get; }

    public Option<string> RunningVms { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Cpus);
        command.Options.Add(Memory);
        command.Options.Add(Disk);
        command.Options.Add(RunningVms);
    }

    public bool AnyGiven(ParseResult parseResult) =>
        new[] { Cpus, Memory, Disk, RunningVms }.Any(option => parseResult.GetResult(option) is not null);

    /// <summary>The limits given on the command line over <paramref name="current"/> (the ones not given are kept).</summary>
    public QuotaLimits Read(ParseResult parseResult, QuotaLimits? current = null)
    {
        var limits = current ?? new QuotaLimits();
        if (parseResult.GetResult(Cpus) is not null)
        {
            limits = limits with { Cpus = Count(Cpus, parseResult.GetValue(Cpus)) };
        }

        if (parseResult.GetResult(Memory) is not null)
        {
            limits = limits with { MemoryBytes = Size(Memory, parseResult.GetValue(Memory)) };
        }

        if (parseResult.GetResult(Disk) is not null)
        {
            limits = limits with { DiskBytes = Size(Disk, parseResult.GetValue(Disk)) };
        }

        if (parseResult.GetResult(RunningVms) is not null)
        {
            limits = limits with { RunningVms = Count(RunningVms, parseResult.GetValue(RunningVms)) };
        }

        return limits;
    }

    private int? Count(Option option, string? text)
    {
        if (IsDefault(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw Invalid(option, text, "is not a whole number, e.g. 4");
    }

    private long? Size(Option option, string? text)
    {
        if (IsDefault(text))
        {
            return null;
        }

        return SizeParser.TryParse(text ?? "", out var bytes)
            ? bytes
            : throw Invalid(option, text, $"is not a size; {SizeParser.Expected}");
    }

    private bool IsDefault(string? text) => allowDefault && string.Equals(text?.Trim(), Default, StringComparison.OrdinalIgnoreCase);

    private CliException Invalid(Option option, string? text, string problem) =>
        new($"{option.Name}: '{text}' {problem}{(allowDefault ? $" (or {Default})" : "")}", ExitCodes.InvalidInput);
}
