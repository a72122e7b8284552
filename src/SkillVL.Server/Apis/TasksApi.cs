using SkillVL.Core.Api;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Apis;

public static class TasksApi
{
    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("Tasks");
        tasks.MapGet("/", async (TaskService service, int? limit, CancellationToken ct) =>
            TypedResults.Ok(await service.ListAsync(Math.Clamp(limit ?? 100, 1, 1000), ct)))
            .WithSummary("List tasks, newest first (without log lines)");
        tasks.MapGet("/{id}", async (string id, TaskService service, CancellationToken ct) =>
            await service.GetAsync(id, ct) is { } task ? Results.Ok(task) : ApiResults.NotFound($"Task '{id}'"))
            .Produces<TaskInfo>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Get a task with its log; poll it to follow progress");
        return api;
    }
}
