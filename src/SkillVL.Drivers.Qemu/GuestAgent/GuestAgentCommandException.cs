namespace SkillVL.Drivers.Qemu.GuestAgent;

/// <summary>The agent answered a command with an error reply (inside the driver; translated before it leaves).</summary>
internal sealed class GuestAgentCommandException : Exception
{
    public GuestAgentCommandException(string command, string errorClass, string description)
        : base($"Guest agent {command} failed: {errorClass}: {description}")
    {
        Command = command;
        ErrorClass = errorClass;
        Description = description;
    }

    public GuestAgentCommandException()
    {
        Command = ErrorClass = Description = "";
    }

    public GuestAgentCommandException(string message) : base(message)
    {
        Command = ErrorClass = Description = "";
    }

    public GuestAgentCommandException(string message, Exception innerException) : base(message, innerException)
    {
        Command = ErrorClass = Description = "";
    }

    public string Command { get; }

    public string ErrorClass { get; }

    public string Description { get; }
}
