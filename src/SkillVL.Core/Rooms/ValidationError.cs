namespace SkillVL.Core.Rooms;

/// <summary>One problem in a document.</summary>
/// <param name="Field">Path of the offending field, e.g. "machines[1].nics[0].ip" ("" for the whole document).</param>
/// <param name="Message">What is wrong, in words a user can act on.</param>
public sealed record ValidationError(string Field, string Message);
