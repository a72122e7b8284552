using System.CommandLine;
using System.CommandLine.Invocation;
using SkillVL.Cli.Commands;

namespace SkillVL.Cli;

/// <summary>Builds the command tree and runs one command line.</summary>
internal static class CliApplication
{
    public const string Description =
        """
        SkillVL command-line client: rooms of virtual machines and networks for teaching labs.

        `./skillvl up` (in the repository) starts a server on this machine and leaves /etc/skillvl/cli.json,
        which this client reads; elsewhere run `skillvl login --server URL`, or pass --server/--token or set
        SKILLVL_SERVER/SKILLVL_TOKEN.

        Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 invalid input, 5 server unreachable,
        6 task failed, 7 conflict, 130 interrupted. `vm exec` exits with the guest program's own code.
        """;

    public static RootCommand Build(CliContext context)
    {
        var globals = new GlobalOptions();
        var runner = new CommandRunner(context, globals);
        var root = new RootCommand(Description);
        globals.AddTo(root);
        root.Subcommands.Add(RoomCommands.Create(runner));
        root.Subcommands.Add(VmCommands.Create(runner));
        root.Subcommands.Add(TaskCommands.Create(runner));
        root.Subcommands.Add(TemplateCommands.Create(runner));
        root.Subcommands.Add(NodeCommands.Create(runner));
        root.Subcommands.Add(MigrationCommands.Create(runner));
        root.Subcommands.Add(CourseCommands.Create(runner));
        root.Subcommands.Add(UserCommands.Create(runner));
        root.Subcommands.Add(TokenCommands.Create(runner));
        root.Subcommands.Add(AuditCommands.Create(runner));
        root.Subcommands.Add(ClusterCommands.Create(runner));
        root.Subcommands.Add(PlacementCommands.Create(runner));
        foreach (var command in AuthCommands.Create(runner))
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        if (args is ["up", ..])
        {
            // Someone who read "./skillvl up" in the docs and typed it at this binary.
            await context.Error.WriteLineAsync(
                "skillvl: `up` is not a client command: run `./skillvl up` from the repository to start a server".AsMemory(),
                cancellationToken);
            return ExitCodes.Usage;
        }

        var root = Build(context);

        // Response files ("@file" expands to its lines) are off: `vm exec r/v -- echo @home` must reach the guest as typed.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Action is ParseErrorAction)
        {
            // System.CommandLine exits 1 on a parse error; our contract says usage errors are 2.
            foreach (var error in parseResult.Errors)
            {
                await context.Error.WriteLineAsync($"skillvl: {error.Message}".AsMemory(), cancellationToken);
            }

            var commandPath = string.Join(' ', CommandPath(parseResult.CommandResult.Command, root));
            await context.Error.WriteLineAsync($"see: {commandPath} --help".AsMemory(), cancellationToken);
            return ExitCodes.Usage;
        }

        return await parseResult.InvokeAsync(
            new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false },
            cancellationToken);
    }

    private static Stack<string> CommandPath(Command command, RootCommand root)
    {
        var names = new Stack<string>();
        for (var current = command; current is not null && current != root; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(current.Name);
        }

        names.Push("skillvl");
        return names;
    }
}
