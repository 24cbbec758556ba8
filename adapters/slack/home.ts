// The App Home tab: each staff member's dashboard (high-priority tickets, outages, handoffs), published on opening.
import type { App } from '@slack/bolt';
import type { View, WebClient } from '@slack/web-api';
import type { DomainContext } from '../../src/domain/context.js';
import { getStaffDashboard } from '../../src/domain/staff/index.js';
import { outcomeMessage, REFUSAL, staffFor } from './staff.js';
import { homeView, strangerHomeView } from './views.js';

export function registerHomeListeners(app: App, ctx: DomainContext): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(ctx, client, body.team_id, event.user);
  });
}

/** Publishes a Slack user's App Home: the dashboard for staff, the refusal for anyone else. */
export async function publishHome(ctx: DomainContext, client: WebClient, team: string, user: string): Promise<void> {
  const actor = await staffFor(ctx, team, user);
  if (!actor) {
    await client.views.publish({ user_id: user, view: strangerHomeView(REFUSAL) as unknown as View });
    return;
  }
  const dashboard = await getStaffDashboard(ctx, actor);
  const view = dashboard.kind === 'ok' ? homeView(dashboard.value) : strangerHomeView(outcomeMessage(dashboard));
  await client.views.publish({ user_id: user, view: view as unknown as View });
}
