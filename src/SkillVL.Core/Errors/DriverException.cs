namespace SkillVL.Core.Errors;

/// <summary>A backend (QEMU, iproute2, qemu-img, Proxmox) failed; the message says which and why.</summary>
public sealed class DriverException : SkillVlException
{
    public DriverException(string message, bool isTransient = false, Exception? innerException = null)
        : base(message, isTransient, innerException)
    {
    }

    public DriverException()
    {
    }

    public DriverException(string message) : base(message)
    {
    }

    public DriverException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
