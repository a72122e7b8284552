using System.Globalization;

namespace SkillVL.Drivers.Qemu.Confinement;

/// <summary>
/// The command that starts one QEMU (pure, pinned by unit tests): <c>setsid --fork</c> detaches it in its own session
/// (it must outlive SkillVL for re-adoption, and QEMU 7.2's own <c>-daemonize</c> calls setsid() and fork(), which
/// the sandbox kills it for); a shell prints its pid (which QEMU keeps: everything after it is exec) and sends
/// stdin/stdout/stderr to the VM's log; <c>setpriv</c> drops to the QEMU user before QEMU runs, so QEMU never holds
/// root (QEMU 7.2's <c>-runas</c> drops only after init and is killed by <c>elevateprivileges=deny</c>; ADR 0016).
/// </summary>
public static class QemuLaunchCommand
{
    /// <summary>
    /// The shell step: <c>$0</c> is the log file, <c>"$@"</c> the rest of the command. Prints its pid first: the
    /// caller reads it from the pipe, which closes once the redirection replaces stdout, so the caller neither waits
    /// for QEMU nor keeps it attached.
    /// </summary>
    internal const string ShellScript = "echo $$; exec \"$@\" </dev/null >>\"$0\" 2>&1";

    /// <summary>File name and arguments of the launch; <paramref name="qemuArguments"/> as <see cref="CommandLine.QemuCommandLineBuilder"/> built them.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) Build(
        QemuDriverOptions options,
        QemuIdentity? identity,
        string logFile,
        IReadOnlyList<string> qemuArguments)
    {
        var arguments = new List<string> { "--fork", "sh", "-c", ShellScript, logFile };
        if (identity is not null)
        {
            arguments.AddRange(
            [
                options.SetprivBinary,
                "--reuid=" + identity.Uid.ToString(CultureInfo.InvariantCulture),
                "--regid=" + identity.Gid.ToString(CultureInfo.InvariantCulture),
                identity.SupplementaryGroups.Count == 0
                    ? "--clear-groups"
                    : "--groups=" + string.Join(',', identity.SupplementaryGroups.Select(g => g.ToString(CultureInfo.InvariantCulture))),
                // No capability survives in any set, and nothing executed later can gain privileges (setuid binaries).
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
                // The Agent's environment (which may hold tokens) is not QEMU's business.
                "--reset-env",
                "--",
            ]);
        }

        arguments.Add(options.QemuBinary);
        arguments.AddRange(qemuArguments);
        return (options.SetsidBinary, arguments);
    }
}
