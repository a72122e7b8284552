namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>The hub answered the relay hello with <c>ERR</c>: this node may not attach to that network there.</summary>
public sealed class RelayRefusedException : IOException
{
    public RelayRefusedException()
    {
    }

    public RelayRefusedException(string message)
        : base(message)
    {
    }

    public RelayRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
