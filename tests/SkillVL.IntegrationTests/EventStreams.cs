using System.Net;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>Opens the event stream as the web UI does: a ticket with the bearer credential, then GET ?ticket=.</summary>
public static class EventStreams
{
    public static async Task<EventStreamTicket> TicketAsync(ServerHarness server, string bearer, CancellationToken cancellationToken = default)
    {
        using var client = server.ClientWith(bearer);
        using var response = await client.PostAsync(ApiPaths.Prefix + "/events/tickets", null, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EventStreamTicket>(ServerHarness.Json, cancellationToken))!;
    }

    /// <summary>The open stream (headers read); the caller reads its body and disposes it.</summary>
    public static async Task<HttpResponseMessage> OpenAsync(HttpClient http, ServerHarness server, string bearer, string? room, CancellationToken cancellationToken)
    {
        var ticket = await TicketAsync(server, bearer, cancellationToken);
        var response = await http.GetAsync(ticket.Url + (room is null ? "" : "&room=" + Uri.EscapeDataString(room)), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return response;
    }
}
