// The app's one API client, with the OIDC session's bearer token.
import { accessToken, refreshAccessToken } from '../auth/session';
import { ApiClient } from './client';

export const api = new ApiClient({ accessToken, refresh: refreshAccessToken });
