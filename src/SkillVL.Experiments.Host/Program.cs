using System.Runtime.InteropServices;
using SkillVL.Experiments.Host;

// SIGINT/SIGTERM cancel the run instead of killing the process, so the testbed and the Server's files are removed and
// the CSV keeps every finished run (--resume continues).
using var interrupted = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);

return await ExperimentApplication.RunAsync(args, Console.Out, Console.Error, interrupted.Token);

void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    interrupted.Cancel();
}
