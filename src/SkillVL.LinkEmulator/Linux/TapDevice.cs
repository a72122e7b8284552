using System.Runtime.InteropServices;
using System.Text;
using SkillVL.LinkEmulator.Relay;

namespace SkillVL.LinkEmulator.Linux;

/// <summary>
/// A Linux tap device opened through <c>/dev/net/tun</c> (TUNSETIFF with IFF_TAP | IFF_NO_PI): an existing
/// persistent tap of that name (e.g. from <c>ip tuntap add mode tap</c>) is attached, otherwise a new one is
/// created, which lives until this handle is closed. Reads are non-blocking; <see cref="WaitReadable"/> sleeps
/// in <c>ppoll</c> with nanosecond resolution.
/// </summary>
/// <remarks>
/// Frames read are what the kernel transmits on the tap; frames written appear as received on it. Without
/// IFF_VNET_HDR the kernel offers no offloads to the tap, so every frame is at most MTU + 14 bytes. The
/// handle keeps working when the interface is moved to another network namespace (<c>ip link set NAME netns
/// NS</c>); it fails with <see cref="TapDeviceException"/> once the interface is deleted. This class does not
/// configure the interface (up, addresses, bridge): whoever builds the topology does.
/// </remarks>
public sealed unsafe class TapDevice : IFrameEndpoint, IDisposable
{
    private int _fd;

    private TapDevice(string name, int fd, bool created)
    {
        Name = name;
        _fd = fd;
        Created = created;
    }

    public string Name { get; }

    /// <summary>True if the interface did not exist before (it disappears when this handle is disposed).</summary>
    public bool Created { get; }

    /// <summary>Checks that <paramref name="name"/> can name a network interface.</summary>
    /// <returns>Null when valid, else what is wrong.</returns>
    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "an interface name is required";
        }

        if (Encoding.UTF8.GetByteCount(name) > LinuxNative.MaxInterfaceName)
        {
            return $"'{name}' is longer than {LinuxNative.MaxInterfaceName} bytes, the kernel's limit for interface names";
        }

        if (name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"'{name}' is not a valid interface name (no '/', ':', spaces; not '.' or '..')";
        }

        return null;
    }

    /// <summary>Opens (attaches to or creates) the tap <paramref name="name"/> in this process's network namespace.</summary>
    /// <exception cref="TapDeviceException">Naming the device and the likely cause.</exception>
    public static TapDevice Open(string name)
    {
        if (ValidateName(name) is { } problem)
        {
            throw new TapDeviceException(problem);
        }

        var existed = Directory.Exists($"/sys/class/net/{name}");
        var fd = LinuxNative.Open("/dev/net/tun", LinuxNative.O_RDWR | LinuxNative.O_NONBLOCK | LinuxNative.O_CLOEXEC);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new TapDeviceException(errno == LinuxNative.ENOENT
                ? "/dev/net/tun does not exist: load the tun module (modprobe tun)"
                : $"cannot open /dev/net/tun: {LinuxNative.Describe(errno)}");
        }

        var request = stackalloc byte[LinuxNative.IfReqSize];
        new Span<byte>(request, LinuxNative.IfReqSize).Clear();
        Encoding.UTF8.GetBytes(name, new Span<byte>(request, LinuxNative.MaxInterfaceName));
        *(short*)(request + 16) = LinuxNative.IFF_TAP | LinuxNative.IFF_NO_PI;
        if (LinuxNative.Ioctl(fd, LinuxNative.TUNSETIFF, request) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LinuxNative.Close(fd);
            throw new TapDeviceException(errno switch
            {
                LinuxNative.EPERM => $"cannot open tap {name}: not permitted (needs CAP_NET_ADMIN, i.e. root, or a tap owned by this user)",
                LinuxNative.EBUSY => $"cannot open tap {name}: another process has it open (a tap has one reader unless it is multi_queue)",
                LinuxNative.EINVAL => $"cannot open tap {name}: an interface of that name exists but is not a single-queue tap (a tun, a multi_queue tap, or another kind)",
                _ => $"cannot open tap {name}: {LinuxNative.Describe(errno)}",
            });
        }

        return new TapDevice(name, fd, created: !existed);
    }

    public int TryRead(Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = LinuxNative.Read(Fd, p, (nuint)buffer.Length);
            }

            if (n >= 0)
            {
                // tun reports the whole frame's length even when the buffer was too small to hold it.
                if (n > buffer.Length)
                {
                    throw new TapDeviceException($"tap {Name}: a {n}-byte frame does not fit the {buffer.Length}-byte buffer");
                }

                return (int)n;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case LinuxNative.EINTR:
                    continue;
                case LinuxNative.EAGAIN:
                    return 0;
                default:
                    throw Gone("read", errno);
            }
        }
    }

    public bool TryWrite(ReadOnlySpan<byte> frame)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = frame)
            {
                n = LinuxNative.Write(Fd, p, (nuint)frame.Length);
            }

            if (n >= 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case LinuxNative.EINTR:
                    continue;

                // The interface is down (EIO), its receive path is out of memory, or the frame is malformed
                // (e.g. shorter than an Ethernet header): that frame is lost, the device still works.
                case LinuxNative.EAGAIN or LinuxNative.EIO or LinuxNative.ENOBUFS or LinuxNative.ENOMEM or LinuxNative.EINVAL:
                    return false;
                default:
                    throw Gone("write", errno);
            }
        }
    }

    public bool WaitReadable(TimeSpan timeout)
    {
        var pollFd = new LinuxNative.PollFd { Fd = Fd, Events = LinuxNative.POLLIN };
        var ticks = Math.Max(0, timeout.Ticks);
        var timespec = new LinuxNative.Timespec
        {
            Seconds = ticks / TimeSpan.TicksPerSecond,
            Nanoseconds = ticks % TimeSpan.TicksPerSecond * 100,
        };
        var result = LinuxNative.PPoll(&pollFd, 1, &timespec, null);

        // EINTR and timeouts alike: the caller looks at the clock and its queue again. POLLERR (device deleted)
        // counts as readable so that the next read reports it.
        return result > 0;
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LinuxNative.Close(fd);
        }
    }

    private int Fd
    {
        get
        {
            var fd = Volatile.Read(ref _fd);
            ObjectDisposedException.ThrowIf(fd < 0, this);
            return fd;
        }
    }

    private TapDeviceException Gone(string operation, int errno) =>
        errno == LinuxNative.EBADFD
            ? new TapDeviceException($"tap {Name} was deleted (its network namespace removed?); the link is down")
            : new TapDeviceException($"tap {Name}: {operation} failed: {LinuxNative.Describe(errno)}");
}
