namespace SkillVL.LinkEmulator.Linux;

/// <summary>A tap device could not be opened or stopped working; the message names the device and says what to do.</summary>
public sealed class TapDeviceException : IOException
{
    public TapDeviceException()
    {
    }

    public TapDeviceException(string message)
        : base(message)
    {
    }

    public TapDeviceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
