using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl course create|list|get|delete|enrol|unenrol|students|invite|join|publish|versions|instances|update</c>.
/// </summary>
internal static class CourseCommands
{
    public static Command Create(CommandRunner runner)
    {
        var course = new Command(
            "course",
            "Courses: a teacher publishes a room, and every enrolled student gets an own instance of it");
        course.Subcommands.Add(CreateCourse(runner));
        course.Subcommands.Add(List(runner));
        course.Subcommands.Add(Get(runner));
        course.Subcommands.Add(Delete(runner));
        course.Subcommands.Add(Enrol(runner));
        course.Subcommands.Add(Unenrol(runner));
        course.Subcommands.Add(Students(runner));
        course.Subcommands.Add(Invite(runner));
        course.Subcommands.Add(Join(runner));
        course.Subcommands.Add(Publish(runner));
        course.Subcommands.Add(Versions(runner));
        course.Subcommands.Add(Instances(runner));
        course.Subcommands.Add(CourseUpdateCommand.Create(runner));
        return course;
    }

    private static Argument<string> CourseArgument() => new("COURSE") { Description = "The course's name (or id)" };

    private static string Subject(string course) => $"course '{course}'";

    private static Command CreateCourse(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "The course's name, DNS-label style (e.g. net101)" };
        var title = new Option<string>("--title") { Description = "A title to show, e.g. \"Networking 101\"", HelpName = "TEXT" };
        var quota = new QuotaOptions(allowDefault: false);
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var clients = new Option<bool>("--allow-client-nodes") { Description = "Let students move their instance's machines onto their own computers" };
        var command = new Command("create", "Create a course you teach; the quota limits all its instances together") { name, title, clients, output };
        quota.AddTo(command);
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(name);
            var limits = quota.AnyGiven(parseResult) ? quota.Read(parseResult) : null;
            var request = new CreateCourseRequest(courseName, parseResult.GetValue(title), limits, parseResult.GetValue(clients) ? true : null);
            var answer = await client.SendJsonAsync(HttpMethod.Post, ApiPaths.Courses, request, Subject(courseName), cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var course = ApiJson.Read<CourseInfo>(answer);
            printer.Line($"course {course.Name} created; publish its room with: skillvl course publish {course.Name} -f room.yaml");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List the courses you teach or attend (admins: all)") { output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.Courses, "courses", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var now = runner.Context.TimeProvider.GetUtcNow();
            var table = new TableView("NAME", "TITLE", "TEACHER", "STUDENTS", "VERSION", "QUOTA", "AGE");
            foreach (var course in ApiJson.Read<List<CourseInfo>>(answer))
            {
                table.Add(
                    course.Name,
                    DisplayFormat.OrNone(course.Title),
                    course.Teacher,
                    DisplayFormat.Number(course.Students),
                    Version(course.LatestVersion),
                    DisplayFormat.Quota(course.Quota),
                    DisplayFormat.Age(course.CreatedAt, now));
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var course = CourseArgument();
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("get", "Show a course") { course, output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            var answer = await client.GetAsync(ApiPaths.Course(courseName), Subject(courseName), cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var info = ApiJson.Read<CourseInfo>(answer);
            var now = runner.Context.TimeProvider.GetUtcNow();
            printer.Fields(
                ("Name:", info.Name),
                ("Id:", info.Id),
                ("Title:", DisplayFormat.OrNone(info.Title)),
                ("Teacher:", info.Teacher),
                ("Students:", DisplayFormat.Number(info.Students)),
                ("Latest version:", Version(info.LatestVersion)),
                ("Quota:", DisplayFormat.Quota(info.Quota, "none")),
                ("Created:", $"{DisplayFormat.Time(info.CreatedAt)} ({DisplayFormat.Age(info.CreatedAt, now)} ago)"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var course = CourseArgument();
        var command = new Command("delete", "Delete a course") { course };
        command.Aliases.Add("rm");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            await client.DeleteAsync(ApiPaths.Course(courseName), Subject(courseName), cancellationToken);
            runner.Context.Out.WriteLine($"course {courseName} deleted");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Enrol(CommandRunner runner)
    {
        var course = CourseArgument();
        var users = new Argument<string[]>("USER") { Description = "Usernames to enrol", Arity = ArgumentArity.OneOrMore };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("enrol", "Enrol existing users as students; each gets an instance of the latest version") { course, users, output };
        command.Aliases.Add("enroll");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            var answer = await client.SendJsonAsync(
                HttpMethod.Post,
                StudentsPath(courseName),
                new EnrolRequest(parseResult.GetRequiredValue(users)),
                Subject(courseName),
                cancellationToken,
                severalObjects: true);
            return PrintStudents(runner, parseResult, output, answer);
        }));
        return command;
    }

    private static Command Unenrol(CommandRunner runner)
    {
        var course = CourseArgument();
        var user = new Argument<string>("USER") { Description = "The student's username" };
        var command = new Command("unenrol", "Remove a student from a course") { course, user };
        command.Aliases.Add("unenroll");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            var username = parseResult.GetRequiredValue(user);
            await client.DeleteAsync(
                $"{StudentsPath(courseName)}/{Uri.EscapeDataString(username)}", Subject(courseName), cancellationToken, severalObjects: true);
            runner.Context.Out.WriteLine($"{username} unenrolled from course {courseName}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Students(CommandRunner runner)
    {
        var course = CourseArgument();
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("students", "List a course's students and their instances") { course, output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            var answer = await client.GetAsync(StudentsPath(courseName), Subject(courseName), cancellationToken);
            return PrintStudents(runner, parseResult, output, answer);
        }));
        return command;
    }

    private static Command Invite(CommandRunner runner)
    {
        var course = CourseArgument();
        var expires = new Option<int?>("--expires-in-hours") { Description = "Hours the code is valid; the server's default is 168 (a week)", HelpName = "N" };
        var maxUses = new Option<int?>("--max-uses") { Description = "How many students may use the code; the server's default is 100", HelpName = "N" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command(
            "invite",
            "Make an invite code students redeem with `skillvl course join CODE`; the code alone is printed on stdout")
        {
            course, expires, maxUses, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            var request = new CreateInviteRequest(parseResult.GetValue(expires), parseResult.GetValue(maxUses));
            var answer = await client.SendJsonAsync(
                HttpMethod.Post, $"{ApiPaths.Course(courseName)}/invites", request, Subject(courseName), cancellationToken);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                new Printer(runner.Context).Json(answer);
                return ExitCodes.Ok;
            }

            var invite = ApiJson.Read<InviteInfo>(answer);
            runner.Context.Out.WriteLine(invite.Code);
            runner.Context.Error.WriteLine(
                $"invite to course {invite.Course}: {invite.UsesLeft} uses, valid until {DisplayFormat.Time(invite.ExpiresAt)}; "
                + $"students join with: skillvl course join {invite.Code}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Join(CommandRunner runner)
    {
        var code = new Argument<string>("CODE") { Description = "The invite code your teacher gave you" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("join", "Enrol yourself in a course with an invite code") { code, output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var inviteCode = parseResult.GetRequiredValue(code).Trim();
            var answer = await client.SendJsonAsync(
                HttpMethod.Post, ApiPaths.RedeemInvite, new RedeemInviteRequest(inviteCode), $"invite code '{inviteCode}'", cancellationToken);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                new Printer(runner.Context).Json(answer);
                return ExitCodes.Ok;
            }

            var course = ApiJson.Read<CourseInfo>(answer);
            var title = course.Title is { Length: > 0 } t ? $" ({t})" : "";
            runner.Context.Out.WriteLine($"joined course {course.Name}{title}, taught by {course.Teacher}");
            runner.Context.Error.WriteLine("your room for it is listed by: skillvl room list");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Publish(CommandRunner runner)
    {
        var course = CourseArgument();
        var file = new Option<string>("--file", "-f")
        {
            Description = "The room document (room.yaml, or .json); - reads stdin",
            HelpName = "FILE",
            Required = true,
        };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command(
            "publish",
            "Publish a room document as the course's next version: students without an instance get one; "
            + "existing instances keep their version until upgraded (skillvl room upgrade)")
        {
            course, file, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            var document = await RoomFileReader.ReadAsync(parseResult.GetRequiredValue(file), runner.Context.In, cancellationToken);
            var answer = await client.PostDocumentAsync(VersionsPath(courseName), document, Subject(courseName), cancellationToken);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                new Printer(runner.Context).Json(answer);
                return ExitCodes.Ok;
            }

            var version = ApiJson.Read<CourseVersionInfo>(answer);
            runner.Context.Out.WriteLine(
                $"course {courseName}: published version {version.Version} (room {version.RoomName}); "
                + $"{version.InstancesCreated} instance{(version.InstancesCreated == 1 ? "" : "s")} created");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Versions(CommandRunner runner)
    {
        var course = CourseArgument();
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("versions", "List a course's published versions") { course, output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            var answer = await client.GetAsync(VersionsPath(courseName), Subject(courseName), cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var table = new TableView("VERSION", "ROOM", "PUBLISHED", "INSTANCES CREATED");
            foreach (var version in ApiJson.Read<List<CourseVersionInfo>>(answer))
            {
                table.Add(
                    DisplayFormat.Number(version.Version),
                    version.RoomName,
                    DisplayFormat.Time(version.PublishedAt),
                    DisplayFormat.Number(version.InstancesCreated));
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Instances(CommandRunner runner)
    {
        var course = CourseArgument();
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command(
            "instances",
            "List the students' rooms of a course (the class view): state, latest checks, last activity; STUDENT/ROOM or ROOM ID is what `skillvl room reset|upgrade|get|check` take")
        {
            course, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var courseName = parseResult.GetRequiredValue(course);
            var answer = await client.GetAsync($"{ApiPaths.Course(courseName)}/instances", Subject(courseName), cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var now = runner.Context.TimeProvider.GetUtcNow();
            var table = new TableView("STUDENT", "ROOM", "ROOM ID", "VERSION", "PHASE", "MACHINES", "CHECKS", "LAST ACTIVITY");
            foreach (var instance in ApiJson.Read<List<CourseInstanceInfo>>(answer))
            {
                table.Add(
                    instance.Student,
                    instance.RoomName,
                    instance.RoomId,
                    Version(instance.Version),
                    instance.Phase,
                    $"{instance.MachinesRunning}/{instance.Machines} running",
                    instance.Checks is { } checks ? $"{checks.Passed}/{checks.Total} passed {DisplayFormat.Age(checks.At, now)} ago" : "not run",
                    instance.LastActivity is { } at ? $"{DisplayFormat.Age(at, now)} ago: {instance.LastActivityWhat}" : DisplayFormat.None);
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static int PrintStudents(CommandRunner runner, ParseResult parseResult, Option<OutputFormat> output, System.Text.Json.JsonElement answer)
    {
        var printer = new Printer(runner.Context);
        if (parseResult.GetValue(output) == OutputFormat.Json)
        {
            printer.Json(answer);
            return ExitCodes.Ok;
        }

        var now = runner.Context.TimeProvider.GetUtcNow();
        var table = new TableView("STUDENT", "ENROLLED", "ROOM", "ROOM ID", "VERSION", "PHASE");
        foreach (var student in ApiJson.Read<List<StudentInfo>>(answer))
        {
            var instance = student.Instance;
            table.Add(
                student.Username,
                $"{DisplayFormat.Age(student.EnrolledAt, now)} ago",
                DisplayFormat.OrNone(instance?.RoomName),
                DisplayFormat.OrNone(instance?.RoomId),
                instance is null ? DisplayFormat.None : Version(instance.Version),
                DisplayFormat.OrNone(instance?.Phase));
        }

        printer.Table(table);
        return ExitCodes.Ok;
    }

    private static string StudentsPath(string course) => $"{ApiPaths.Course(course)}/students";

    private static string VersionsPath(string course) => $"{ApiPaths.Course(course)}/versions";

    /// <summary>"v3"; "-" for 0 (nothing published yet).</summary>
    private static string Version(int version) => version > 0 ? $"v{DisplayFormat.Number(version)}" : DisplayFormat.None;
}
