namespace SkillVL.Core.Errors;

/// <summary>
/// Base of every error SkillVL raises on purpose. Backend errors (QMP, qemu-img, iproute2, Proxmox) are
/// translated once, in the driver, into one of these, so callers never parse backend messages
/// (Nova's ComputeDriver exceptions; Npgsql's IsTransient).
/// </summary>
public class SkillVlException : Exception
{
    public SkillVlException(string message, bool isTransient = false, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    public SkillVlException()
    {
    }

    public SkillVlException(string message) : base(message)
    {
    }

    public SkillVlException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>True when the same call may succeed if retried later (timeouts, busy resources).</summary>
    public bool IsTransient { get; }
}
