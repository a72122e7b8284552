using System.Runtime.InteropServices;
using SkillVL.Testbed;
using SkillVL.Testbed.Commands;

// SIGINT/SIGTERM cancel the command instead of killing the process, so an interrupted `up` removes what it made.
using var interrupted = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

return await TestbedApplication.RunAsync(args, new TestbedContext(Console.Out, Console.Error, TimeProvider.System), interrupted.Token);

void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    interrupted.Cancel();
}
