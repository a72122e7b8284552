using System.CommandLine;
using System.CommandLine.Invocation;
using SkillVL.Testbed.Commands;

namespace SkillVL.Testbed;

/// <summary>Builds the command tree and runs one command line of <c>skillvl-testbed</c>.</summary>
public static class TestbedApplication
{
    public const string Description =
        """
        skillvl-testbed: many SkillVL nodes on one machine. Each node is a network namespace on one underlay
        bridge (198.18.0.0/24 by default, only on this machine, nothing routed to the host's uplink) with its own node
        agent; a client node's link runs through skillvl-linkem with a rate, a round-trip time and loss, optionally
        behind a NAT router of its own (--behind-nat); `link NAME down|up` cuts and restores it. See docs/testbed.md.

        Exit codes: 0 ok, 1 error (status: something is missing or dead), 2 usage, 3 already up / names taken,
        130 interrupted.
        """;

    private const string Prefix = "skillvl-testbed: ";

    public static RootCommand Build(TestbedContext context)
    {
        var root = new RootCommand(Description);
        root.Subcommands.Add(UpCommand.Create(context));
        root.Subcommands.Add(DownCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(LinkCommand.Create(context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TestbedContext context, CancellationToken cancellationToken)
    {
        var root = Build(context);
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Action is ParseErrorAction)
        {
            // System.CommandLine exits 1 on a parse error; our contract says usage errors are 2.
            foreach (var error in parseResult.Errors)
            {
                await context.Error.WriteLineAsync((Prefix + error.Message).AsMemory(), cancellationToken);
            }

            await context.Error.WriteLineAsync("see: skillvl-testbed --help".AsMemory(), cancellationToken);
            return ExitCodes.Usage;
        }

        try
        {
            return await parseResult.InvokeAsync(
                new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
                cancellationToken);
        }
        catch (TestbedException e)
        {
            await context.Error.WriteLineAsync(Prefix + e.Message);
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // Files and processes of the host: a state directory we may not write, a program we cannot start.
            await context.Error.WriteLineAsync(Prefix + e.Message);
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync(Prefix + "interrupted");
            return ExitCodes.Interrupted;
        }
    }
}
