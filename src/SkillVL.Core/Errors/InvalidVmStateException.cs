using SkillVL.Core.Compute;

namespace SkillVL.Core.Errors;

/// <summary>An operation was asked of a VM in a state that does not allow it (e.g. exec on a stopped VM).</summary>
public sealed class InvalidVmStateException : SkillVlException
{
    public InvalidVmStateException(string vmId, VmPowerState state, string operation)
        : base($"VM {vmId} is {state.ToString().ToLowerInvariant()}; {operation} needs it running.")
    {
        VmId = vmId;
        State = state;
        Operation = operation;
    }

    public InvalidVmStateException()
    {
        VmId = "";
        Operation = "";
    }

    public InvalidVmStateException(string message) : base(message)
    {
        VmId = "";
        Operation = "";
    }

    public InvalidVmStateException(string message, Exception innerException) : base(message, innerException)
    {
        VmId = "";
        Operation = "";
    }

    public string VmId { get; }

    public VmPowerState State { get; }

    public string Operation { get; }
}
