using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl course update COURSE [--title TEXT] [--allow-client-nodes|--no-client-nodes] [--checkout-lease 2d]</c>: a
/// course's settings after its creation (its title, issue 17; issue 12: whether students may move their instances onto
/// their own computers, and for how long a check-out holds without the laptop being online, ADR 0025).
/// </summary>
internal static class CourseUpdateCommand
{
    public static Command Create(CommandRunner runner)
    {
        var name = new Argument<string>("COURSE") { Description = "The course's name (or id)" };
        var allow = new Option<bool>("--allow-client-nodes") { Description = "Let students move their instance's machines onto their own client node" };
        var deny = new Option<bool>("--no-client-nodes") { Description = "Keep the course's machines on the platform's nodes (the default)" };
        var lease = new Option<string?>("--checkout-lease") { Description = "How long a check-out holds while its client is offline, e.g. 2d, 36h (\"default\": the platform's)" };
        var title = new Option<string?>("--title") { Description = "The title students see (at most 200 characters; \"\" removes it)" };
        var command = new Command("update", "Change a course's settings (its teacher, admin)") { name, title, allow, deny, lease };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(name);
            var (allowGiven, denyGiven) = (parseResult.GetValue(allow), parseResult.GetValue(deny));
            var leaseGiven = parseResult.GetValue(lease);
            var titleGiven = parseResult.GetValue(title);
            if (allowGiven && denyGiven || (!allowGiven && !denyGiven && leaseGiven is null && titleGiven is null))
            {
                throw new CliException("say what to change: --title, --allow-client-nodes or --no-client-nodes (one of them), and/or --checkout-lease.", ExitCodes.Usage);
            }

            if (titleGiven is { Length: > 200 })
            {
                throw new CliException($"--title: at most 200 characters (this one has {titleGiven.Length}).", ExitCodes.Usage);
            }

            if (leaseGiven is not null && leaseGiven.Trim() != "default"
                && (!Core.Checkout.LeaseTerms.TryParse(leaseGiven, out var parsed) || !Core.Checkout.LeaseTerms.InRange(parsed)))
            {
                throw new CliException($"--checkout-lease: '{leaseGiven}' is not a lease (a number and a unit s, m, h, d; 10s to 365d; or default).", ExitCodes.Usage);
            }

            var request = new UpdateCourseRequest(AllowClientNodes: allowGiven || denyGiven ? allowGiven : null, CheckoutLease: leaseGiven, Title: titleGiven);
            var answer = await client.SendJsonAsync(HttpMethod.Patch, ApiPaths.Course(courseName), request, $"course '{courseName}'", cancellationToken);
            var course = ApiJson.Read<CourseInfo>(answer);
            if (titleGiven is not null)
            {
                runner.Context.Out.WriteLine($"course {course.Name}: title {(course.Title is null ? "removed" : $"'{course.Title}'")}");
            }

            if (allowGiven || denyGiven)
            {
                runner.Context.Out.WriteLine(course.AllowClientNodes
                    ? $"course {course.Name}: students may move their machines onto their own client nodes"
                    : $"course {course.Name}: machines stay on the platform's nodes");
            }

            if (leaseGiven is not null)
            {
                runner.Context.Out.WriteLine($"course {course.Name}: check-out lease {course.CheckoutLease ?? "as the platform's"}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
