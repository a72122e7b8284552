namespace SkillVL.Core.Api;

/// <summary>Someone else's console open on a machine now (ADR 0050): the machine's users see who looks at it.</summary>
/// <param name="User">Their user name.</param>
/// <param name="Kind">"vnc", "spice" or "serial".</param>
/// <param name="WatchOnly">True when their console passes nothing to the guest.</param>
/// <param name="Since">When it opened.</param>
public sealed record ConsoleViewer(string User, string Kind, bool WatchOnly, DateTimeOffset Since);
