/**
 * Route-table keys for paths that carry ids (`/logged-models/m-1/tags` → `/logged-models/{model_id}/tags`,
 * `/traces/tr-1/info` → `/traces/{request_id}/info`): one lookup for the router and the auth rules.
 */
import { loggedModelRouteKey } from './logged-models.js';
import { traceRouteKey } from './traces.js';

export function templateRouteKey(rest: string): string {
  return loggedModelRouteKey(rest) ?? traceRouteKey(rest);
}
