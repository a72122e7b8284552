using System.CommandLine;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl vm start|stop|restart|exec|migrate|checkout|checkin|sync|snapshot|get ROOM/VM</c>, <c>skillvl vm list ROOM</c>.</summary>
internal static class VmCommands
{
    public static Command Create(CommandRunner runner)
    {
        var vm = new Command("vm", "Machines of a room, named ROOM/VM");
        vm.Subcommands.Add(PowerAction(runner, "start", "Start a machine and follow the task"));
        vm.Subcommands.Add(PowerAction(runner, "stop", "Stop a machine (ACPI shutdown, then power off) and follow the task"));
        vm.Subcommands.Add(PowerAction(runner, "restart", "Restart a machine and follow the task"));
        vm.Subcommands.Add(Exec(runner));
        vm.Subcommands.Add(MigrationCommands.Migrate(runner));
        vm.Subcommands.Add(VmCheckoutCommands.Checkout(runner));
        vm.Subcommands.Add(VmCheckoutCommands.Checkin(runner));
        vm.Subcommands.Add(VmCheckoutCommands.Sync(runner));
        vm.Subcommands.Add(VmReviveCommand.Create(runner));
        vm.Subcommands.Add(VmDiscardFencedCommand.Create(runner));
        vm.Subcommands.Add(VmDownloadFencedCommand.Create(runner));
        vm.Subcommands.Add(SnapshotCommands.ForMachine(runner));
        vm.Subcommands.Add(VmCheckoutCommands.Get(runner));
        vm.Subcommands.Add(VmCheckoutCommands.List(runner));
        return vm;
    }

    private static Command PowerAction(CommandRunner runner, string action, string description)
    {
        var machine = CommonOptions.Machine();
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.WaitTimeout();
        var command = new Command(action, description) { machine, noWait, timeout };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var task = await client.MachineActionAsync(parseResult.GetRequiredValue(machine), action, cancellationToken);
            return await TaskCommands.AcceptedAsync(
                runner.Context, client, task, parseResult.GetValue(noWait), parseResult.GetValue(timeout), cancellationToken);
        }));
        return command;
    }

    private static Command Exec(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var timeout = CommonOptions.Duration("How long the program may run in the guest (30s, 5m or hh:mm:ss); the server's default is 30s, at most 10m", defaultValue: null);
        var program = new Argument<string[]>("COMMAND")
        {
            Description = "The program and its arguments, after --; run directly, not by a shell (use -- sh -c '...' for one)",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command(
            "exec",
            "Run a program in a running machine through its guest agent. The guest's stdout and stderr are copied "
            + "verbatim and skillvl exits with the guest program's own exit code (so there 3 means the program's 3, "
            + "not 'not found'; skillvl's own errors are the lines starting with 'skillvl:' on stderr)")
        {
            machine, timeout, program,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            var request = new ExecRequest(parseResult.GetRequiredValue(program), parseResult.GetValue(timeout));
            var result = await client.ExecAsync(target, request, cancellationToken);
            runner.Context.Out.Write(result.Stdout);
            runner.Context.Error.Write(result.Stderr);
            await runner.Context.Out.FlushAsync(cancellationToken);
            if (result.OutputTruncated)
            {
                runner.Context.Error.WriteLine("skillvl: the guest's output was truncated by the server (1 MiB per stream)");
            }

            if (result.TimedOut)
            {
                runner.Context.Error.WriteLine("skillvl: the program ran past its timeout and was killed in the guest");
            }

            return result.ExitCode;
        }));
        return command;
    }
}
