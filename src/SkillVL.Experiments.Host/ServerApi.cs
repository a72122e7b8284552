using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Experiments.Host;

/// <summary>
/// The Server API calls an experiment (and the migration bench) makes: apply and delete a room and wait for its task,
/// run a script in a guest, start a migration and wait until it ends. Each wait is bounded (10 min for a task, 20 for a
/// migration, a condition by its caller's limit).
/// </summary>
public static class ServerApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly TimeSpan TaskLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MigrationLimit = TimeSpan.FromMinutes(20);

    /// <summary>Applies a room (YAML) and waits for its task to succeed.</summary>
    public static async Task ApplyAsync(HttpClient http, string yaml, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var put = await http.PostAsync(ApiPaths.Rooms, new StringContent(yaml, Encoding.UTF8, "application/yaml"), ct);
        if (!put.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(await put.Content.ReadAsStringAsync(ct));
        }

        var task = await WaitTaskAsync(http, (await put.Content.ReadFromJsonAsync<TaskInfo>(Json, ct))!, ct);
        if (task.State != TaskStates.Succeeded)
        {
            throw new InvalidOperationException(task.Outcome);
        }
    }

    /// <summary>Deletes a room and waits for its task (whatever its outcome: the room is gone or was not there).</summary>
    public static async Task DeleteAsync(HttpClient http, string room, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var del = await http.DeleteAsync(ApiPaths.Room(room), ct);
        if (del.IsSuccessStatusCode)
        {
            await WaitTaskAsync(http, (await del.Content.ReadFromJsonAsync<TaskInfo>(Json, ct))!, ct);
        }
    }

    /// <summary>Runs <paramref name="script"/> with sh in the guest; its stdout. Throws on a non-zero exit.</summary>
    public static async Task<string> ExecAsync(HttpClient http, string room, string machine, string script, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.PostAsJsonAsync(ApiPaths.Machine(room, machine) + "/exec", new ExecRequest(["sh", "-c", script], TimeSpan.FromMinutes(10)), Json, ct);
        response.EnsureSuccessStatusCode();
        var result = (await response.Content.ReadFromJsonAsync<ExecResponse>(Json, ct))!;
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script}: exit {result.ExitCode} {result.Stderr}");
        }

        return result.Stdout;
    }

    /// <summary>Starts a migration and polls it until it ends (succeeded, failed or cancelled).</summary>
    public static async Task<MigrationInfo> MigrateAsync(HttpClient http, CreateMigrationRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.PostAsJsonAsync(ApiPaths.Migrations, request, Json, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {ApiPaths.Migrations}: {(int)response.StatusCode} {body}");
        }

        return await WaitMigrationAsync(http, JsonSerializer.Deserialize<MigrationInfo>(body, Json)!, ct);
    }

    /// <summary>Polls a migration until it ends (succeeded, failed or cancelled); throws after 20 minutes, far beyond any
    /// move these tools make (the engine's own limits end a stuck one sooner).</summary>
    public static async Task<MigrationInfo> WaitMigrationAsync(HttpClient http, MigrationInfo migration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(migration);
        var clock = Stopwatch.StartNew();
        while (!MigrationStates.IsFinal(migration.State))
        {
            if (clock.Elapsed > MigrationLimit)
            {
                throw new TimeoutException($"migration {migration.Id} not final in {MigrationLimit.TotalMinutes:0} min: {migration.State}");
            }

            await Task.Delay(500, ct);
            migration = (await http.GetFromJsonAsync<MigrationInfo>(ApiPaths.Migration(migration.Id), Json, ct))!;
        }

        return migration;
    }

    /// <summary>Polls <paramref name="condition"/> every 250 ms until it holds; throws after <paramref name="limit"/>.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{what}: not within {limit.TotalSeconds:0} s");
            }

            await Task.Delay(250, ct);
        }
    }

    private static async Task<TaskInfo> WaitTaskAsync(HttpClient http, TaskInfo task, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!TaskStates.IsFinal(task.State))
        {
            if (clock.Elapsed > TaskLimit)
            {
                throw new TimeoutException($"task {task.Id} ({task.Kind}) not final in {TaskLimit.TotalMinutes:0} min: {task.State}");
            }

            await Task.Delay(200, ct);
            task = (await http.GetFromJsonAsync<TaskInfo>(ApiPaths.Task(task.Id), Json, ct))!;
        }

        return task;
    }
}
