namespace SkillVL.LinkEmulator.Profiles;

/// <summary>A link profile value that is malformed or out of range; <see cref="Field"/> names the setting.</summary>
public sealed class LinkProfileException : FormatException
{
    public LinkProfileException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
    }

    public LinkProfileException()
        : this("profile", "invalid link profile")
    {
    }

    public LinkProfileException(string message)
        : this("profile", message)
    {
    }

    public LinkProfileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "profile";
    }

    /// <summary>The setting the value was given for, e.g. <c>rate</c> or <c>loss</c> (a host maps it to its option name).</summary>
    public string Field { get; }
}
