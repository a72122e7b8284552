using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Overlay;

/// <summary>
/// Runs code on a fresh thread that has joined a named network namespace (setns(2) on /run/netns/NAME).
/// /proc/sys/net shows the namespace of the calling thread, so this is how the driver's
/// <see cref="Networking.InterfaceSysctls"/> reach the interfaces of a simulated node. The thread ends
/// afterwards, so no pooled thread is ever left in another namespace.
/// </summary>
public static partial class NetworkNamespaceThread
{
    // <linux/sched.h>
    private const int CloneNewNet = 0x40000000;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static void Run(string networkNamespace, Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path.Combine("/run/netns", networkNamespace), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new IOException($"setns({networkNamespace}) failed with errno {Marshal.GetLastPInvokeError()}.");
                }

                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns " + networkNamespace,
        };
        thread.Start();
        if (!thread.Join(Timeout))
        {
            throw new TimeoutException($"Work in network namespace {networkNamespace} did not finish within {Timeout.TotalSeconds} s.");
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
