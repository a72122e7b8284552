namespace SkillVL.Server.Identity;

/// <summary>
/// The failure an authentication path reports for a credential of a disabled account (ADR 0043), so the 401 can say
/// so (<see cref="ProblemAuthorizationResultHandler"/>); every other failure stays a 401 without detail.
/// </summary>
public sealed class AccountDisabledException : Exception
{
    public const string Detail = "This account is disabled; ask an admin to enable it.";

    public AccountDisabledException()
        : base(Detail)
    {
    }

    public AccountDisabledException(string message)
        : base(message)
    {
    }

    public AccountDisabledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
