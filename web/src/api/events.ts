// The event stream's ticket: EventSource cannot send an Authorization header, and a token in the URL would end up in
// logs, so POST /api/v1/events/tickets (with the bearer token) gives a single-use 30-second URL
// (/api/v1/events?ticket=…) for one EventSource connection.
import { api } from './api';
import type { EventStreamTicket } from './types';

export function requestEventTicket(): Promise<EventStreamTicket> {
  return api.post('/api/v1/events/tickets');
}
