using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SkillVL.Cli.Auth;
using SkillVL.Cli.Configuration;
using SkillVL.Cli.Input;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Http;

/// <summary>
/// The REST client. Answers come back as <see cref="JsonElement"/> so <c>-o json</c> prints exactly what the
/// server said (including fields this CLI does not know yet); tables read them into Core's DTOs.
/// </summary>
/// <remarks>
/// Retry rule (house style habit 5): nothing is retried here. Reads are retried by their callers where
/// that helps (task polling); writes are never retried, since a PUT that timed out may have been applied.
/// The one exception: a request refused with 401 while using a <c>skillvl login</c> token is sent once more
/// after renewing the token, since a 401 means the server did nothing.
/// </remarks>
/// <param name="refresher">Renews a token saved by <c>skillvl login</c>; null for any other token.</param>
internal sealed class SkillVlClient(HttpClient http, ConnectionSettings settings, TokenRefresher? refresher = null)
{
    /// <summary>How long one ordinary request may take; the server answers long operations with 202 and a task.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Time the server gets on top of an exec's own timeout to reach the guest agent and answer; its agent
    /// round trip is a few seconds at most, 30 s leaves room for a loaded host.
    /// </summary>
    public static readonly TimeSpan ExecMargin = TimeSpan.FromSeconds(30);

    /// <summary>The server's own default exec timeout (ExecRequest: "default 30 s").</summary>
    public static readonly TimeSpan ServerDefaultExecTimeout = TimeSpan.FromSeconds(30);

    private string? token = settings.Token;

    public Uri Server => settings.Server;

    public Task<JsonElement> GetAsync(string path, string subject, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, content: null, subject, DefaultRequestTimeout, cancellationToken);

    /// <summary>POST (or PUT) a JSON body; <paramref name="subject"/> as for <see cref="ApiProblemException"/>.</summary>
    /// <param name="severalObjects">The request names more than one object (a course and users): see <see cref="ApiProblemException.SeveralObjects"/>.</param>
    /// <param name="timeout">For a call the server answers when the work ended (a snapshot); default 30 s.</param>
    public async Task<JsonElement> SendJsonAsync<TBody>(
        HttpMethod method, string path, TBody body, string subject, CancellationToken cancellationToken, bool severalObjects = false, TimeSpan? timeout = null)
    {
        using var content = JsonContent(body);
        return await SendAsync(method, path, content, subject, timeout ?? DefaultRequestTimeout, cancellationToken, severalObjects);
    }

    /// <summary>POST with no body (room reset, upgrade).</summary>
    public Task<JsonElement> PostAsync(string path, string subject, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, content: null, subject, DefaultRequestTimeout, cancellationToken);

    /// <summary>POST with no body that the server answers when the work ended (a check-out's sync), bounded by <paramref name="timeout"/>.</summary>
    public Task<JsonElement> PostAsync(string path, string subject, TimeSpan timeout, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, content: null, subject, timeout, cancellationToken);

    /// <summary>DELETE that answers 204.</summary>
    public Task<JsonElement> DeleteAsync(string path, string subject, CancellationToken cancellationToken, bool severalObjects = false) =>
        SendAsync(HttpMethod.Delete, path, content: null, subject, DefaultRequestTimeout, cancellationToken, severalObjects);

    /// <summary>POST a room document as written (course publish), as <see cref="ApplyRoomAsync"/> sends it.</summary>
    public async Task<JsonElement> PostDocumentAsync(string path, RoomFile document, string subject, CancellationToken cancellationToken)
    {
        using var content = DocumentContent(document);
        return await SendAsync(HttpMethod.Post, path, content, subject, DefaultRequestTimeout, cancellationToken);
    }

    public async Task<TaskInfo> GetTaskAsync(string id, CancellationToken cancellationToken) =>
        ApiJson.Read<TaskInfo>(await GetAsync(ApiPaths.Task(id), $"task '{id}'", cancellationToken));

    /// <summary>PUT the document as written (create or update); the body is the file's text, unchanged.</summary>
    public async Task<TaskInfo> ApplyRoomAsync(RoomFile document, CancellationToken cancellationToken)
    {
        using var content = DocumentContent(document);
        var answer = await SendAsync(
            HttpMethod.Put, ApiPaths.Room(document.Name), content, $"room '{document.Name}'", DefaultRequestTimeout, cancellationToken);
        return ApiJson.Read<TaskInfo>(answer);
    }

    public async Task<TaskInfo> DeleteRoomAsync(string name, CancellationToken cancellationToken) =>
        ApiJson.Read<TaskInfo>(await SendAsync(
            HttpMethod.Delete, ApiPaths.Room(name), content: null, $"room '{name}'", DefaultRequestTimeout, cancellationToken));

    /// <param name="action">"start" or "stop": every machine of the room.</param>
    public async Task<TaskInfo> RoomActionAsync(string name, string action, CancellationToken cancellationToken) =>
        ApiJson.Read<TaskInfo>(await SendAsync(
            HttpMethod.Post, $"{ApiPaths.Room(name)}/{action}", content: null, $"room '{name}'", DefaultRequestTimeout, cancellationToken));

    /// <param name="action">"start", "stop" or "restart".</param>
    public async Task<TaskInfo> MachineActionAsync(MachineRef machine, string action, CancellationToken cancellationToken) =>
        ApiJson.Read<TaskInfo>(await SendAsync(
            HttpMethod.Post,
            $"{ApiPaths.Machine(machine.Room, machine.Machine)}/{action}",
            content: null,
            machine.Subject,
            DefaultRequestTimeout,
            cancellationToken));

    public async Task<ExecResponse> ExecAsync(MachineRef machine, ExecRequest request, CancellationToken cancellationToken)
    {
        using var content = JsonContent(request);
        var timeout = (request.Timeout ?? ServerDefaultExecTimeout) + ExecMargin;
        var answer = await SendAsync(
            HttpMethod.Post, $"{ApiPaths.Machine(machine.Room, machine.Machine)}/exec", content, machine.Subject, timeout, cancellationToken);
        return ApiJson.Read<ExecResponse>(answer);
    }

    /// <summary>
    /// GET of a binary answer into <paramref name="target"/> (a fenced disk, ADR 0044): the body is streamed, never held.
    /// <paramref name="connectTimeout"/> bounds the wait for the answer's headers; the body is bounded by
    /// <paramref name="cancellationToken"/> and by the server, which ends a transfer that stalls. A body shorter than its
    /// Content-Length is an error. Returns the answer's file name (Content-Disposition), if it gave one, and the bytes.
    /// </summary>
    public async Task<(string? FileName, long Bytes)> DownloadAsync(
        string path, string subject, Func<Stream> target, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        if (refresher is not null)
        {
            token = await refresher.BeforeRequestAsync(token, cancellationToken);
        }

        using var response = await SendForStreamAsync(path, connectTimeout, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var answer = new Answer((int)response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, body);
            throw new ApiProblemException(answer.Status, ReadProblem(answer), subject, severalObjects: false);
        }

        var expected = response.Content.Headers.ContentLength;
        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var sink = target();
        long bytes = 0;
        var buffer = new byte[256 * 1024];
        int read;
        try
        {
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await sink.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                bytes += read;
            }
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"the download from {settings.Server} broke off after {bytes} bytes: {e.Message}", ExitCodes.Error);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new CliException($"the download from {settings.Server} broke off after {bytes} bytes: {e.Message}", ExitCodes.Error);
        }

        if (expected is { } length && length != bytes)
        {
            throw new CliException($"the download from {settings.Server} ended after {bytes} of {length} bytes", ExitCodes.Error);
        }

        return (response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), bytes);
    }

    /// <summary>One GET whose answer is read as a stream; a 401 with a login token is renewed and sent once more.</summary>
    private async Task<HttpResponseMessage> SendForStreamAsync(string path, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Resolve(path));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.Problem));
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(connectTimeout);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ServerUnreachableException(settings.Server, $"no answer within {DurationParser.Format(connectTimeout)}");
            }
            catch (HttpRequestException e)
            {
                throw new ServerUnreachableException(settings.Server, e.Message, e);
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && refresher is not null
                && await refresher.AfterRefusalAsync(cancellationToken) is { } renewed)
            {
                response.Dispose();
                token = renewed;
                continue;
            }

            return response;
        }
    }

    private static StringContent DocumentContent(RoomFile document)
    {
        var content = new StringContent(document.Text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(document.MediaType) { CharSet = "utf-8" };
        return content;
    }

    private static StringContent JsonContent<T>(T value)
    {
        var content = new StringContent(JsonSerializer.Serialize(value, ApiJson.Options), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.Json) { CharSet = "utf-8" };
        return content;
    }

    private async Task<JsonElement> SendAsync(
        HttpMethod method,
        string path,
        HttpContent? content,
        string subject,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        bool severalObjects = false)
    {
        if (refresher is not null)
        {
            token = await refresher.BeforeRequestAsync(token, cancellationToken);
        }

        var answer = await SendOnceAsync(method, path, content, timeout, cancellationToken);

        // A refused login token is renewed once and the request sent again: a 401 means the server did
        // nothing, so even a write is safe to repeat.
        if (answer.Status == (int)HttpStatusCode.Unauthorized
            && refresher is not null
            && await refresher.AfterRefusalAsync(cancellationToken) is { } renewed)
        {
            token = renewed;
            answer = await SendOnceAsync(method, path, content, timeout, cancellationToken);
        }

        if (answer.Status is < 200 or > 299)
        {
            throw new ApiProblemException(answer.Status, ReadProblem(answer), subject, severalObjects);
        }

        return ParseBody(answer.Body);
    }

    /// <summary>One request; <paramref name="content"/> stays the caller's, so it can be sent again.</summary>
    private async Task<Answer> SendOnceAsync(
        HttpMethod method, string path, HttpContent? content, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, Resolve(path)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.Json));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.Problem));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutSource.Token);
            var body = await response.Content.ReadAsStringAsync(timeoutSource.Token);
            return new Answer((int)response.StatusCode, response.ReasonPhrase, response.Content.Headers.ContentType?.MediaType, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException(settings.Server, $"no answer within {DurationParser.Format(timeout)}");
        }
        catch (HttpRequestException e)
        {
            throw new ServerUnreachableException(settings.Server, e.Message, e);
        }
        finally
        {
            // Disposing the request would dispose the content with it.
            request.Content = null;
            request.Dispose();
        }
    }

    /// <summary>The server's base URL may carry a path (behind a reverse proxy); the API paths go below it.</summary>
    private Uri Resolve(string path)
    {
        var basePath = settings.Server.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(basePath + path, UriKind.Absolute);
    }

    private JsonElement ParseBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliException(
                $"the server at {settings.Server} answered something that is not JSON ({e.Message}); is that URL a SkillVL server?",
                ExitCodes.Error);
        }
    }

    private static ApiProblem ReadProblem(Answer answer)
    {
        var mediaType = answer.MediaType;
        var body = answer.Body;
        if (mediaType is MediaTypes.Problem or MediaTypes.Json && !string.IsNullOrWhiteSpace(body))
        {
            try
            {
                var problem = JsonSerializer.Deserialize<ApiProblem>(body, ApiJson.Options);
                if (problem is not null)
                {
                    return problem;
                }
            }
            catch (JsonException)
            {
                // Not a problem document after all; fall through to the status line.
            }
        }

        // A proxy or a non-SkillVL server: keep a short plain-text body, it usually says what went wrong.
        var text = body.Trim();
        return new ApiProblem(
            answer.Reason ?? ((HttpStatusCode)answer.Status).ToString(),
            answer.Status,
            text.Length is > 0 and <= 300 && mediaType is not "text/html" ? text : null,
            Errors: null);
    }

    internal static bool IsTransient(Exception e) =>
        e is ServerUnreachableException
        || e is ApiProblemException { StatusCode: (int)HttpStatusCode.BadGateway or (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.GatewayTimeout };

    /// <summary>What came back from one request.</summary>
    private sealed record Answer(int Status, string? Reason, string? MediaType, string Body);
}
