using System.Net;
using System.Text;

namespace SkillVL.Cli.Tests;

/// <summary>
/// A hand-written HTTP fake: records every request (with its body read at send time) and answers from a
/// script keyed by "METHOD /path". Each route answers its scripted responses in order, repeating the last.
/// An unscripted route answers 599 so a test fails loudly rather than quietly "not found".
/// </summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly Dictionary<string, Queue<Func<HttpRequestMessage, HttpResponseMessage>>> routes = [];
    private readonly List<RecordedRequest> requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (requests)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>Adds answers for a route, in the order they are to be given.</summary>
    public FakeHttpHandler On(string method, string path, params Func<HttpRequestMessage, HttpResponseMessage>[] answers)
    {
        var key = $"{method} {path}";
        if (!routes.TryGetValue(key, out var queue))
        {
            routes[key] = queue = new Queue<Func<HttpRequestMessage, HttpResponseMessage>>();
        }

        foreach (var answer in answers)
        {
            queue.Enqueue(answer);
        }

        return this;
    }

    /// <summary>
    /// Adds fixed answers. Each is copied per request, since the client disposes what it receives and the last
    /// answer repeats (a task polled many times).
    /// </summary>
    public FakeHttpHandler On(string method, string path, params HttpResponseMessage[] answers) =>
        On(method, path, answers.Select(Replayable).ToArray());

    private static Func<HttpRequestMessage, HttpResponseMessage> Replayable(HttpResponseMessage answer)
    {
        // StringContent is buffered, so reading it synchronously here does not block on anything.
        var body = answer.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var contentType = answer.Content.Headers.ContentType;
        var status = answer.StatusCode;
        answer.Dispose();
        return _ =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = contentType;
            return new HttpResponseMessage(status) { Content = content };
        };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (requests)
        {
            requests.Add(new RecordedRequest(
                request.Method.Method,
                request.RequestUri!,
                request.Content?.Headers.ContentType?.MediaType,
                body,
                request.Headers.Authorization?.ToString()));
        }

        var key = $"{request.Method.Method} {request.RequestUri!.AbsolutePath}";
        if (!routes.TryGetValue(key, out var queue) || queue.Count == 0)
        {
            return new HttpResponseMessage((HttpStatusCode)599)
            {
                Content = new StringContent($"no answer scripted for {key}", Encoding.UTF8, "text/plain"),
            };
        }

        var answer = queue.Count > 1 ? queue.Dequeue() : queue.Peek();
        return answer(request);
    }
}
