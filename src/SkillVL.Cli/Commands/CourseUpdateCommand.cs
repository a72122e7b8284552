using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl course update COURSE --allow-client-nodes|--no-client-nodes</c>: a course's settings after its creation
/// (issue 12: whether students may move their instances onto their own computers).
/// </summary>
internal static class CourseUpdateCommand
{
    public static Command Create(CommandRunner runner)
    {
        var name = new Argument<string>("COURSE") { Description = "The course's name (or id)" };
        var allow = new Option<bool>("--allow-client-nodes") { Description = "Let students move their instance's machines onto their own client node" };
        var deny = new Option<bool>("--no-client-nodes") { Description = "Keep the course's machines on the platform's nodes (the default)" };
        var command = new Command("update", "Change a course's settings (its teacher, admin)") { name, allow, deny };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(name);
            var (allowGiven, denyGiven) = (parseResult.GetValue(allow), parseResult.GetValue(deny));
            if (allowGiven == denyGiven)
            {
                throw new CliException("say what to change: --allow-client-nodes or --no-client-nodes (one of them).", ExitCodes.Usage);
            }

            var answer = await client.SendJsonAsync(
                HttpMethod.Patch, ApiPaths.Course(courseName), new UpdateCourseRequest(AllowClientNodes: allowGiven), $"course '{courseName}'", cancellationToken);
            var course = ApiJson.Read<CourseInfo>(answer);
            runner.Context.Out.WriteLine(course.AllowClientNodes
                ? $"course {course.Name}: students may move their machines onto their own client nodes"
                : $"course {course.Name}: machines stay on the platform's nodes");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
