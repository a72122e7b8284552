using SkillVL.Core.Api;
using SkillVL.Server.Identity;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Apis;

public static class TasksApi
{
    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("Tasks");
        tasks.MapGet("/", async (HttpContext http, TaskService service, AccessService access, int? limit, CancellationToken ct) =>
            TypedResults.Ok(await service.ListAsync(await access.VisibleTaskAsync(http.Caller(), ct), Math.Clamp(limit ?? 100, 1, 1000), ct)))
            .WithSummary("List the tasks of rooms you can see, newest first (without log lines)");
        tasks.MapGet("/{task}", async (string task, HttpContext http, TaskService service, AccessService access, CancellationToken ct) =>
            await service.GetAsync(task, await access.VisibleTaskAsync(http.Caller(), ct), ct) is { } found
                ? Results.Ok(found)
                : ApiResults.NotFound($"Task '{task}'"))
            .Produces<TaskInfo>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get a task with its log; poll it to follow progress");
        return api;
    }
}
