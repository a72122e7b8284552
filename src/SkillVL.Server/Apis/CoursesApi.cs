using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Courses;
using SkillVL.Server.Courses;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;
using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Apis;

/// <summary>
/// Courses. A course answers 404 to whoever may not see it (not its teacher, not enrolled, not admin); enrolled
/// students may read it but changes need its teacher (403 then, as the course is no secret to them).
/// </summary>
public static class CoursesApi
{
    public static RouteGroupBuilder MapCoursesApi(this RouteGroupBuilder api)
    {
        var courses = api.MapGroup("/courses").WithTags("Courses");
        courses.MapGet("/", async (HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
        {
            var list = await access.VisibleCourses(http.Caller()).AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct);
            var infos = new List<CourseInfo>();
            foreach (var course in list)
            {
                infos.Add(await service.InfoAsync(course, ct));
            }

            return TypedResults.Ok(infos);
        }).WithSummary("List the courses you teach or are enrolled in (admin: all)");

        courses.MapPost("/", async (CreateCourseRequest request, HttpContext http, CourseService service, CancellationToken ct) =>
        {
            var caller = http.Caller();
            if (!caller.AtLeastTeacher)
            {
                return ApiResults.Forbidden("Only teachers and admins can create courses.");
            }

            var result = await service.CreateAsync(caller, request, ct);
            return result.Value is { } course
                ? Results.Created(ApiPaths.Course(course.Id), await service.InfoAsync(course, ct))
                : Answer(result, "The course is not valid.");
        })
        .Produces<CourseInfo>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Create a course (teacher, admin)");

        courses.MapGet("/{course}", (string course, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: false, async c => Results.Ok(await service.InfoAsync(c, ct)), ct))
            .Produces<CourseInfo>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Get a course");
        courses.MapPatch("/{course}", (string course, UpdateCourseRequest? request, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c =>
            {
                // No body changes nothing: the answer is the course as it is (and 404 for whoever may not manage it).
                var result = await service.UpdateAsync(http.Caller(), c, request ?? new UpdateCourseRequest(), ct);
                return result.Value is { } updated ? Results.Ok(await service.InfoAsync(updated, ct)) : Answer(result, "The course's settings are not valid.");
            }, ct))
            .Produces<CourseInfo>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesValidationProblem()
            .WithSummary("Change a course's settings: its title, quota, whether students may use their own client nodes, their check-out lease (its teacher, admin)");
        courses.MapDelete("/{course}", (string course, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c =>
            {
                await service.DeleteAsync(c, ct);
                return Results.NoContent();
            }, ct))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Delete a course and all its instances (its teacher, admin)");

        courses.MapGet("/{course}/students", (string course, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c => Results.Ok(await service.StudentsAsync(c, ct)), ct))
            .Produces<List<StudentInfo>>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("List enrolled students and their instances");
        courses.MapPost("/{course}/students", (string course, EnrolRequest request, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c =>
            {
                var result = await service.EnrolAsync(c, request.Usernames, ct);
                return result.Value is { } students ? Results.Ok(students) : Answer(result, "The enrolment is not valid.");
            }, ct))
            .Produces<List<StudentInfo>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Enrol users by username; each gets an instance of the latest published version");
        courses.MapDelete("/{course}/students/{user}", (string course, string user, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c =>
                await service.UnenrolAsync(c, user, ct) ? Results.NoContent() : ApiResults.NotFound($"Student '{user}' of course '{course}'"), ct))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Unenrol a student; their instance is deleted");

        courses.MapPost("/{course}/invites", (string course, CreateInviteRequest request, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c =>
            {
                var result = await service.CreateInviteAsync(c, request, ct);
                return result.Value is { } invite ? Results.Created(ApiPaths.Course(c.Id), invite) : Answer(result, "The invite is not valid.");
            }, ct))
            .Produces<InviteInfo>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Make an invite code students redeem to enrol themselves");

        courses.MapGet("/{course}/versions", (string course, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: false, async c => Results.Ok(await service.VersionsAsync(c, ct)), ct))
            .Produces<List<CourseVersionInfo>>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("List published versions");
        courses.MapPost("/{course}/versions", (string course, HttpRequest request, HttpContext http, AccessService access, CourseService service, NodeRegistry nodes, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c =>
            {
                var document = await RoomsApi.ReadDocumentAsync(request, ct);
                if (document is null)
                {
                    return RoomsApi.TooLarge(request);
                }

                if (NodePinAnswers.Refuse(http.Caller(), PinTarget.CourseDefinition(c.Name), document, null, nodes) is { } refused)
                {
                    return refused;
                }

                var result = await service.PublishAsync(c, document, ct);
                return result.Value is { } version ? Results.Created(ApiPaths.Course(c.Id) + "/versions", version) : Answer(result, "The room definition is not valid.");
            }, ct))
            .Accepts<string>(false, RoomsApi.DocumentTypes[0], RoomsApi.DocumentTypes[1..])
            .Produces<CourseVersionInfo>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Publish a room definition as the next version; students without an instance get one");
        courses.MapGet("/{course}/instances", (string course, HttpContext http, AccessService access, CourseService service, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c => Results.Ok(await service.InstancesAsync(c, ct)), ct))
            .Produces<List<CourseInstanceInfo>>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("List the students' instances");
        courses.MapPost("/{course}/instances/actions", (string course, InstanceActionRequest request, HttpContext http, AccessService access, CourseInstanceActions actions, CancellationToken ct) =>
            WithCourseAsync(course, http, access, manage: true, async c =>
            {
                var result = await actions.RunAsync(http, http.Caller(), c, request, ct);
                if (result.Value is not { } outcomes)
                {
                    return Answer(result, "The action is not valid.");
                }

                http.Items[Audit.AuditService.DetailItem] = $"{request.Action}: {outcomes.Count(o => o.Outcome is InstanceActionOutcome.Accepted or InstanceActionOutcome.Checked)} of {outcomes.Count} students";
                return Results.Ok(outcomes);
            }, ct))
            .Produces<List<InstanceActionOutcome>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Start, stop, reset or check the instances of some students (empty: all) through each room's own rules; answers each student's outcome (its teacher, admin)");

        api.MapPost("/invites/redeem", async (RedeemInviteRequest request, HttpContext http, CourseService service, CancellationToken ct) =>
        {
            var result = await service.RedeemAsync(http.Caller(), request.Code, ct);
            return result.Value is { } course ? Results.Ok(await service.InfoAsync(course, ct)) : Answer(result, "The invite code cannot be used.");
        })
        .WithTags("Courses").Produces<CourseInfo>().ProducesValidationProblem()
        .WithSummary("Enrol yourself in a course with an invite code");
        return api;
    }

    private static async Task<IResult> WithCourseAsync(
        string course, HttpContext http, AccessService access, bool manage, Func<CourseEntity, Task<IResult>> action, CancellationToken ct)
    {
        var caller = http.Caller();
        var entity = await access.FindCourseAsync(caller, course, ct);
        if (entity is null)
        {
            return ApiResults.NotFound($"Course '{course}'");
        }

        if (manage && !AccessService.CanManage(caller, entity))
        {
            return ApiResults.Forbidden($"Only the teacher of course '{entity.Name}' (or an admin) can do this.");
        }

        return await action(entity);
    }

    private static IResult Answer<T>(CourseResult<T> result, string invalidTitle) =>
        result switch
        {
            { Quota: { } quota } => ApiResults.QuotaExceeded(quota),
            { Conflict: { } conflict } => ApiResults.Conflict(conflict),
            _ => ApiResults.Invalid(result.Errors, invalidTitle),
        };
}
