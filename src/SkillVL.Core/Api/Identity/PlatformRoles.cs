namespace SkillVL.Core.Api.Identity;

/// <summary>The three platform roles. Every user has exactly one; a higher one includes the rights of the lower.</summary>
public static class PlatformRoles
{
    public const string Admin = "admin";
    public const string Teacher = "teacher";
    public const string Student = "student";

    /// <summary>Highest first.</summary>
    public static readonly IReadOnlyList<string> All = [Admin, Teacher, Student];

    public static bool IsKnown(string? role) => role is Admin or Teacher or Student;

    /// <summary>0 for admin, 1 teacher, 2 student; int.MaxValue for anything else.</summary>
    public static int Rank(string? role) => role switch
    {
        Admin => 0,
        Teacher => 1,
        Student => 2,
        _ => int.MaxValue,
    };
}
