namespace SkillVL.Core.Errors;

/// <summary>The guest agent did not answer (not yet started, or not installed). Retrying later can help.</summary>
public sealed class GuestAgentUnavailableException : SkillVlException
{
    public GuestAgentUnavailableException(string message, Exception? innerException = null)
        : base(message, isTransient: true, innerException)
    {
    }

    public GuestAgentUnavailableException()
    {
    }

    public GuestAgentUnavailableException(string message) : base(message, isTransient: true)
    {
    }
}
